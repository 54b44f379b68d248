// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/keys.hpp"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace ceslab::core {
namespace {

// RSA generation is the slow part: one key for the whole suite.
class KeysTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { rsa_ = generate_key(KeySpec::parse("rsa2048")).release(); }
  static void TearDownTestSuite() {
    EVP_PKEY_free(rsa_);
    rsa_ = nullptr;
  }
  static EVP_PKEY* rsa_;
};
EVP_PKEY* KeysTest::rsa_ = nullptr;

TEST(KeysSpec, ParsesEveryNamedSpecAndNamesItBack) {
  struct Case {
    const char* text;
    KeyAlgorithm algorithm;
    int bits;
    const char* curve;
  };
  const Case cases[] = {{"rsa2048", KeyAlgorithm::rsa, 2048, ""},
                        {"rsa3072", KeyAlgorithm::rsa, 3072, ""},
                        {"rsa4096", KeyAlgorithm::rsa, 4096, ""},
                        {"ecdsa-p256", KeyAlgorithm::ecdsa, 256, "P-256"},
                        {"ecdsa-p384", KeyAlgorithm::ecdsa, 384, "P-384"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const KeySpec spec = KeySpec::parse(c.text);
    EXPECT_EQ(spec.algorithm, c.algorithm);
    EXPECT_EQ(spec.bits, c.bits);
    EXPECT_EQ(spec.curve, c.curve);
    EXPECT_EQ(spec.name(), c.text);
  }
  EXPECT_EQ(KeySpec::parse("ECDSA-P256"), KeySpec::parse("ecdsa-p256"));
}

TEST(KeysSpec, RejectsUnknownNamesNamingThem) {
  for (const char* bad : {"rsa1024", "dsa2048", "ecdsa-p521", "", "rsa 2048"}) {
    SCOPED_TRACE(bad);
    try {
      KeySpec::parse(bad);
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("'" + std::string(bad) + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST_F(KeysTest, Rsa2048HasTheRequestedSize) {
  ASSERT_NE(rsa_, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(rsa_), EVP_PKEY_RSA);
  EXPECT_EQ(key_bits(rsa_), 2048);
  EXPECT_EQ(key_description(rsa_), "RSA 2048");
}

TEST(KeysEc, CurvesHaveTheirSizesAndNistNames) {
  const auto p256 = generate_key(KeySpec::parse("ecdsa-p256"));
  const auto p384 = generate_key(KeySpec::parse("ecdsa-p384"));
  EXPECT_EQ(EVP_PKEY_get_base_id(p256.get()), EVP_PKEY_EC);
  EXPECT_EQ(key_bits(p256.get()), 256);
  EXPECT_EQ(key_bits(p384.get()), 384);
  EXPECT_EQ(key_description(p256.get()), "ECDSA P-256");
  EXPECT_EQ(key_description(p384.get()), "ECDSA P-384");
  EXPECT_NE(EVP_PKEY_eq(p256.get(), generate_key(KeySpec::parse("ecdsa-p256")).get()), 1)
      << "two generated keys must differ";
}

TEST_F(KeysTest, PublicKeyDerIsSubjectPublicKeyInfoOfTheKey) {
  const EvpPkeyPtr ec = generate_key(KeySpec::parse("ecdsa-p256"));
  for (EVP_PKEY* key : {rsa_, ec.get()}) {
    SCOPED_TRACE(key_description(key));
    const Bytes der = public_key_der(key);
    const unsigned char* p = der.data();
    EvpPkeyPtr back(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    ASSERT_TRUE(back);
    EXPECT_EQ(p, der.data() + der.size());
    EXPECT_EQ(EVP_PKEY_eq(back.get(), key), 1);
    // Only the public half: re-encoding the decoded key gives the same bytes.
    EXPECT_EQ(public_key_der(back.get()), der);
  }
}

TEST(KeysGenerate, RejectsUnusableSpecs) {
  EXPECT_THROW(generate_key({KeyAlgorithm::rsa, 512, ""}), std::invalid_argument);
  EXPECT_THROW(generate_key({KeyAlgorithm::ecdsa, 256, ""}), std::invalid_argument);
  EXPECT_THROW(generate_key({KeyAlgorithm::ecdsa, 999, "P-999"}), CryptoError);
  EXPECT_THROW(key_description(nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace ceslab::core
