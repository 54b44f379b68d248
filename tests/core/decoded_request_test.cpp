// SPDX-License-Identifier: GPL-2.0-or-later
// The CA's decode-once path (issue 17) gives what the DER functions give:
// the same CsrInfo, the same CMC reading, and the same certificate bytes.
#include "ceslab/core/decoded_request.hpp"

#include "ceslab/core/keys.hpp"
#include "ceslab/core/x509.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <chrono>
#include <stdexcept>

namespace ceslab::core {
namespace {

const KeySpec kEc{KeyAlgorithm::ecdsa, 256, "P-256"};

class DecodedRequestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CaOptions o;
    o.key = kEc;
    ca_ = new CertificateAuthority(CertificateAuthority::create(o));
    rsa_key_ = generate_key(KeySpec::parse("rsa2048")).release();
  }
  static void TearDownTestSuite() {
    delete ca_;
    EVP_PKEY_free(rsa_key_);
  }
  static Bytes csr_for(EVP_PKEY* key) {
    CsrOptions o;
    o.subject = "CN=alice,O=Lab";
    o.san.upn = {"alice@lab.test"};
    o.template_ref = TemplateRef{"User", "", 0, 0};
    return build_csr(key, o);
  }
  static IssueOptions fixed_options() {
    IssueOptions o;
    o.subject = "CN=alice,DC=lab,DC=test";
    o.san.email = {"alice@lab.test"};
    o.ekus = {"1.3.6.1.5.5.7.3.2"};
    o.template_ref = TemplateRef{"", "1.3.6.1.4.1.311.21.8.1.2", 100, 3};
    o.serial_hex = "1A2B3C";
    o.not_before = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 56));
    return o;
  }
  static CertificateAuthority* ca_;
  static EVP_PKEY* rsa_key_;
};
CertificateAuthority* DecodedRequestTest::ca_ = nullptr;
EVP_PKEY* DecodedRequestTest::rsa_key_ = nullptr;

TEST_F(DecodedRequestTest, DescribeCsrReportsWhatParseCsrDoes) {
  const Bytes der = csr_for(rsa_key_);
  const CsrInfo parsed = parse_csr(der);
  const X509ReqPtr req = decode_csr(der);
  const CsrInfo described = describe_csr(req.get());
  EXPECT_EQ(described.subject, parsed.subject);
  EXPECT_EQ(described.san, parsed.san);
  EXPECT_EQ(described.template_ref, parsed.template_ref);
  EXPECT_EQ(described.key_description, "RSA 2048");
  EXPECT_TRUE(described.signature_valid);
  EXPECT_EQ(public_key_der(described.public_key.get()), public_key_der(rsa_key_));
}

TEST_F(DecodedRequestTest, DecodeCsrRefusesTrailingBytesAndGarbage) {
  Bytes der = csr_for(rsa_key_);
  der.push_back(0);
  EXPECT_THROW(decode_csr(der), CryptoError);
  EXPECT_THROW(decode_csr(Bytes{0x30, 0x03, 0x02, 0x01}), CryptoError);
  EXPECT_THROW(decode_csr(Bytes{}), CryptoError);
}

TEST_F(DecodedRequestTest, CmcRequestHandsOutThePkcs10ItCarries) {
  const Bytes csr = csr_for(rsa_key_);
  const Bytes cmc = build_cmc_request(csr, nullptr, rsa_key_, {{"CertificateTemplate", "User"}});
  const DecodedCmcRequest decoded = parse_cmc_request_decoded(cmc);
  const CmcRequest plain = parse_cmc_request(cmc);
  ASSERT_NE(decoded.pkcs10, nullptr);
  EXPECT_EQ(decoded.cmc.pkcs10, plain.pkcs10);
  EXPECT_EQ(decoded.cmc.name_value_pairs, plain.name_value_pairs);
  EXPECT_TRUE(decoded.cmc.signed_by_request_key);
  EXPECT_EQ(decoded.cmc.pkcs10, csr);
  EXPECT_EQ(describe_csr(decoded.pkcs10.get()).subject, "CN=alice,O=Lab");
}

// The proof of possession is checked against the PKCS#10's own key: RSA keys
// through a legacy RSA key holder (issue 17), other keys through a holder read
// from DER. A CMC signed by another key of the same type must fail either way.
TEST_F(DecodedRequestTest, CmcProofOfPossessionNeedsTheRequestsOwnKey) {
  const EvpPkeyPtr ec_key = generate_key(kEc);
  const EvpPkeyPtr other_rsa = generate_key(KeySpec::parse("rsa2048"));
  const EvpPkeyPtr other_ec = generate_key(kEc);
  const std::pair<EVP_PKEY*, EVP_PKEY*> cases[] = {{rsa_key_, other_rsa.get()},
                                                   {ec_key.get(), other_ec.get()}};
  for (const auto& [own, other] : cases) {
    const Bytes csr = csr_for(own);
    const Bytes by_own = build_cmc_request(csr, nullptr, own, {{"CertificateTemplate", "User"}});
    const Bytes by_other =
        build_cmc_request(csr, nullptr, other, {{"CertificateTemplate", "User"}});
    EXPECT_TRUE(parse_cmc_request_decoded(by_own).cmc.signed_by_request_key);
    EXPECT_TRUE(parse_cmc_request(by_own).signed_by_request_key);
    EXPECT_FALSE(parse_cmc_request_decoded(by_other).cmc.signed_by_request_key);
    EXPECT_FALSE(parse_cmc_request(by_other).signed_by_request_key);
  }
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

// The certificate from the request's own SubjectPublicKeyInfo is the one
// issue() makes from the key object, byte for byte, for RSA and EC keys.
TEST_F(DecodedRequestTest, IssueForRequestMakesTheSameCertificateAsIssue) {
  const EvpPkeyPtr ec_key = generate_key(kEc);
  for (EVP_PKEY* key : {rsa_key_, ec_key.get()}) {
    const X509ReqPtr req = decode_csr(csr_for(key));
    const X509Ptr from_request = issue_for_request(*ca_, req.get(), fixed_options());
    const X509Ptr from_key = ca_->issue(key, fixed_options());
    // ECDSA signatures are randomised: compare what was signed.
    unsigned char* a = nullptr;
    unsigned char* b = nullptr;
    const int len_a = i2d_re_X509_tbs(from_request.get(), &a);
    const int len_b = i2d_re_X509_tbs(from_key.get(), &b);
    ASSERT_GT(len_a, 0);
    EXPECT_EQ(Bytes(a, a + len_a), Bytes(b, b + len_b));
    OPENSSL_free(a);
    OPENSSL_free(b);
    // Read back from DER, it carries the request's key and verifies.
    const X509Ptr reread = parse_certificate_der(certificate_der(from_request.get()));
    EXPECT_TRUE(certificate_matches_key(reread.get(), key));
    EXPECT_EQ(X509_verify(reread.get(), ca_->key()), 1);
  }
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST_F(DecodedRequestTest, IssueForRequestRefusesANullRequest) {
  EXPECT_THROW(issue_for_request(*ca_, nullptr, fixed_options()), std::invalid_argument);
}

}  // namespace
}  // namespace ceslab::core
