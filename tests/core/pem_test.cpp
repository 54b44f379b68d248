// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/pem.hpp"

#include "ceslab/core/ca.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/x509.hpp"

#include <gtest/gtest.h>
#include <openssl/encoder.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

namespace ceslab::core {
namespace {

namespace fs = std::filesystem;
const KeySpec kEc{KeyAlgorithm::ecdsa, 256, "P-256"};

class PemTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CaOptions o;
    o.key = kEc;
    ca_ = new CertificateAuthority(CertificateAuthority::create(o));
    key_ = generate_key(kEc).release();
    IssueOptions leaf;
    leaf.subject = "CN=leaf";
    leaf_ = ca_->issue(key_, leaf).release();
  }
  static void TearDownTestSuite() {
    delete ca_;
    EVP_PKEY_free(key_);
    X509_free(leaf_);
  }
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ceslab-pem-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static mode_t mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  static void write_text(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  static std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Runs `f`, expects a std::runtime_error whose text has every fragment.
  template <typename F>
  static void expect_error(F f, std::initializer_list<std::string> fragments) {
    try {
      f();
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
      for (const auto& fragment : fragments)
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
            << "'" << fragment << "' not in: " << e.what();
    }
  }

  static CertificateAuthority* ca_;
  static EVP_PKEY* key_;
  static X509* leaf_;
  fs::path dir_;
};
CertificateAuthority* PemTest::ca_ = nullptr;
EVP_PKEY* PemTest::key_ = nullptr;
X509* PemTest::leaf_ = nullptr;

TEST_F(PemTest, PrivateKeyFileIs0600Pkcs8AndReadsBack) {
  const fs::path p = dir_ / "key.pem";
  write_private_key_pem(p, key_);
  EXPECT_EQ(mode_of(p), 0600u);
  EXPECT_EQ(read_text(p).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  const EvpPkeyPtr back = read_private_key_pem(p);
  EXPECT_EQ(EVP_PKEY_eq(back.get(), key_), 1);
  // Same private scalar, not just the same public point.
  EXPECT_EQ(private_key_to_pem(back.get()), private_key_to_pem(key_));
}

TEST_F(PemTest, ExistingLooserFileIsTightenedAndTruncated) {
  const fs::path p = dir_ / "key.pem";
  write_text(p, std::string(10000, 'x'));
  fs::permissions(p, fs::perms(0644));
  ASSERT_EQ(mode_of(p), 0644u);
  write_private_key_pem(p, key_);
  EXPECT_EQ(mode_of(p), 0600u);
  EXPECT_EQ(read_text(p), private_key_to_pem(key_));
}

TEST_F(PemTest, CertificatesFileKeepsOrderWithMode0644) {
  const fs::path p = dir_ / "chain.pem";
  write_certificates_pem(p, {leaf_, ca_->certificate()});
  EXPECT_EQ(mode_of(p), 0644u);
  const auto certs = read_certificates_pem(p);
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(X509_cmp(certs[0].get(), leaf_), 0);
  EXPECT_EQ(X509_cmp(certs[1].get(), ca_->certificate()), 0);
  EXPECT_THROW(write_certificates_pem(dir_ / "none.pem", {}), std::invalid_argument);
}

TEST_F(PemTest, StringFormsRoundTripAndSkipOtherBlocks) {
  const std::string mixed = private_key_to_pem(key_) + certificate_to_pem(leaf_) +
                            "junk between blocks\n" + certificate_to_pem(ca_->certificate());
  const auto certs = certificates_from_pem(mixed);
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(X509_cmp(certs[1].get(), ca_->certificate()), 0);
  // Key after a certificate is still found.
  const EvpPkeyPtr key = private_key_from_pem(certificate_to_pem(leaf_) + private_key_to_pem(key_));
  EXPECT_EQ(EVP_PKEY_eq(key.get(), key_), 1);
}

TEST_F(PemTest, TraditionalEcKeyIsAccepted) {
  OSSL_ENCODER_CTX* ctx =
      OSSL_ENCODER_CTX_new_for_pkey(key_, EVP_PKEY_KEYPAIR, "PEM", "type-specific", nullptr);
  ASSERT_NE(ctx, nullptr);
  unsigned char* data = nullptr;
  size_t len = 0;
  ASSERT_EQ(OSSL_ENCODER_to_data(ctx, &data, &len), 1);
  OSSL_ENCODER_CTX_free(ctx);
  const std::string text(reinterpret_cast<char*>(data), len);
  OPENSSL_free(data);
  ASSERT_EQ(text.rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u) << text;
  EXPECT_EQ(EVP_PKEY_eq(private_key_from_pem(text).get(), key_), 1);
}

TEST_F(PemTest, ReadErrorsNameTheFileAndTheProblem) {
  const fs::path missing = dir_ / "missing.pem";
  expect_error([&] { read_private_key_pem(missing); }, {missing.string(), "No such file"});
  expect_error([&] { read_certificates_pem(missing); }, {missing.string(), "No such file"});
  EXPECT_THROW(read_certificates_pem(missing), fs::filesystem_error);

  // A directory cannot be read as a file.
  expect_error([&] { read_certificates_pem(dir_); }, {dir_.string()});

  const fs::path text = dir_ / "text.pem";
  write_text(text, "hello, not PEM\n");
  expect_error([&] { read_private_key_pem(text); }, {text.string(), "not PEM"});
  expect_error([&] { read_certificates_pem(text); }, {text.string(), "not PEM"});
  EXPECT_THROW(read_certificates_pem(text), CryptoError);

  const fs::path key = dir_ / "key.pem";
  write_private_key_pem(key, key_);
  expect_error([&] { read_certificates_pem(key); },
               {key.string(), "wrong type", "PRIVATE KEY", "expected CERTIFICATE"});

  const fs::path cert = dir_ / "cert.pem";
  write_certificates_pem(cert, {leaf_});
  expect_error([&] { read_private_key_pem(cert); },
               {cert.string(), "wrong type", "found CERTIFICATE"});

  const fs::path damaged = dir_ / "damaged.pem";
  write_text(damaged, "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
  expect_error([&] { read_certificates_pem(damaged); }, {damaged.string()});

  const fs::path empty = dir_ / "empty.pem";
  write_text(empty, "");
  expect_error([&] { read_certificates_pem(empty); }, {empty.string(), "not PEM"});

  // Valid base64 that is not a certificate.
  const fs::path bogus = dir_ / "bogus.pem";
  write_text(bogus, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  expect_error([&] { read_certificates_pem(bogus); }, {bogus.string(), "block 1"});
}

TEST_F(PemTest, EncryptedKeysAreRefusedWithoutPrompting) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  char pass[] = "secret";
  ASSERT_EQ(
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key_, EVP_aes_256_cbc(), pass, 6, nullptr, nullptr),
      1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  const fs::path p = dir_ / "enc.pem";
  write_text(p, std::string(data, static_cast<size_t>(len)));
  expect_error([&] { read_private_key_pem(p); }, {p.string(), "encrypted"});
}

TEST_F(PemTest, WriteErrorsNameTheFile) {
  const fs::path p = dir_ / "no-such-dir" / "key.pem";
  expect_error([&] { write_private_key_pem(p, key_); }, {p.string()});
  EXPECT_THROW(write_certificates_pem(p, {leaf_}), fs::filesystem_error);
}

}  // namespace
}  // namespace ceslab::core
