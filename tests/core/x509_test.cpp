// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/x509.hpp"

#include "ceslab/core/ca.hpp"
#include "ceslab/core/keys.hpp"
#include "core/test_pki.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include <memory>

namespace ceslab::core {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

const KeySpec kEc{KeyAlgorithm::ecdsa, 256, "P-256"};

std::string hex_digest(const Bytes& data, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  std::string text;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    snprintf(buf, sizeof buf, "%02x", out[i]);
    text += buf;
  }
  return text;
}

// Two unrelated roots and one leaf key, shared by the suite (EC: cheap).
class X509Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CaOptions o;
    o.key = kEc;
    o.policy_oids = {"1.3.6.1.4.1.99999.1"};
    ca_ = new CertificateAuthority(CertificateAuthority::create(o));
    o.subject = "CN=Other CA";
    other_ca_ = new CertificateAuthority(CertificateAuthority::create(o));
    leaf_key_ = generate_key(kEc).release();
  }
  static void TearDownTestSuite() {
    delete ca_;
    delete other_ca_;
    EVP_PKEY_free(leaf_key_);
  }
  static IssueOptions leaf_options() {
    IssueOptions o;
    o.subject = "CN=alice,OU=Users,DC=lab,DC=test";
    o.san.dns = {"alice.lab.test"};
    o.san.email = {"alice@lab.test"};
    o.san.upn = {"alice@lab.test"};
    o.san.ip = {"10.0.0.7"};
    o.ekus = {"1.3.6.1.5.5.7.3.2", "1.3.6.1.4.1.311.10.3.4"};
    o.policy_oids = {"1.3.6.1.4.1.99999.1", "2.5.29.32.0"};
    o.template_ref = TemplateRef{"LabUser", "1.3.6.1.4.1.311.21.8.5.6", 100, 3};
    o.serial_hex = "0a1b2c3d";
    o.not_before = sys_days{2030y / 1 / 2} + 3h + 4min + 5s;
    o.validity = 24h * 30;
    return o;
  }
  static std::vector<X509Ptr> roots(const CertificateAuthority& ca) {
    return testing::trust_list(ca.certificate());
  }
  static CertificateAuthority* ca_;
  static CertificateAuthority* other_ca_;
  static EVP_PKEY* leaf_key_;
};
CertificateAuthority* X509Test::ca_ = nullptr;
CertificateAuthority* X509Test::other_ca_ = nullptr;
EVP_PKEY* X509Test::leaf_key_ = nullptr;

TEST_F(X509Test, DerRoundTripAndStrictParsing) {
  const X509Ptr cert = ca_->issue(leaf_key_, leaf_options());
  const Bytes der = certificate_der(cert.get());
  const X509Ptr back = parse_certificate_der(der);
  EXPECT_EQ(X509_cmp(cert.get(), back.get()), 0);
  EXPECT_THROW(parse_certificate_der({}), CryptoError);
  EXPECT_THROW(parse_certificate_der(Bytes(der.begin(), der.end() - 1)), CryptoError);
  Bytes longer = der;
  longer.push_back(0x00);
  EXPECT_THROW(parse_certificate_der(longer), CryptoError);
  EXPECT_THROW(parse_certificate_der(Bytes(64, 0x30)), CryptoError);
}

TEST_F(X509Test, DescribeReportsWhatWasIssued) {
  const X509Ptr cert = ca_->issue(leaf_key_, leaf_options());
  const CertificateInfo info = describe(cert.get());
  EXPECT_EQ(info.subject, "CN=alice,OU=Users,DC=lab,DC=test");
  EXPECT_EQ(info.issuer, "CN=Lab Issuing CA,DC=lab,DC=test");
  EXPECT_EQ(info.serial_hex, "0a1b2c3d");
  EXPECT_EQ(info.not_before, sys_days{2030y / 1 / 2} + 3h + 4min + 5s);
  EXPECT_EQ(info.not_after, info.not_before + 24h * 30);
  EXPECT_EQ(info.san, leaf_options().san);
  EXPECT_EQ(info.ekus, leaf_options().ekus);
  EXPECT_EQ(info.policy_oids, leaf_options().policy_oids);
  ASSERT_TRUE(info.template_ref);
  EXPECT_EQ(*info.template_ref, *leaf_options().template_ref);
  EXPECT_FALSE(info.is_ca);
  EXPECT_EQ(info.key_description, "ECDSA P-256");
  const Bytes der = certificate_der(cert.get());
  EXPECT_EQ(info.sha1_thumbprint_hex, hex_digest(der, EVP_sha1()));
  EXPECT_EQ(info.sha256_fingerprint_hex, hex_digest(der, EVP_sha256()));
  EXPECT_EQ(info.sha1_thumbprint_hex.size(), 40u);

  const CertificateInfo root = describe(ca_->certificate());
  EXPECT_TRUE(root.is_ca);
  EXPECT_EQ(root.subject, root.issuer);
  EXPECT_EQ(root.policy_oids, std::vector<std::string>{"1.3.6.1.4.1.99999.1"});
  EXPECT_FALSE(root.template_ref);
  EXPECT_TRUE(root.san.empty());
}

TEST_F(X509Test, TimesBeyond2049UseGeneralizedTimeAndReadBack) {
  IssueOptions o = leaf_options();
  o.not_before = sys_days{2049y / 12 / 31} + 23h;
  o.validity = 48h;  // ends in 2050: GeneralizedTime
  // The default CA lives 5 years from now, so use one that covers 2050.
  CaOptions co;
  co.key = kEc;
  co.not_before = sys_days{2049y / 1 / 1};
  co.validity = 24h * 365 * 3;
  const CertificateAuthority far = CertificateAuthority::create(co);
  const CertificateInfo info = describe(far.issue(leaf_key_, o).get());
  EXPECT_EQ(info.not_before, sys_days{2049y / 12 / 31} + 23h);
  EXPECT_EQ(info.not_after, sys_days{2050y / 1 / 2} + 23h);
}

// RFC 5280 4.1.2.5: a certificate with no well-defined expiration carries
// notAfter 99991231235959Z, and GeneralizedTime reaches back to year 0;
// system_clock's nanoseconds span only about 1678 to 2261. Such times are
// held at +-146 years of 1970, so they still compare as what they are.
TEST_F(X509Test, TimesBeyondTheClockAreHeldAtItsBound) {
  X509Ptr cert = ca_->issue(leaf_key_, leaf_options());
  ASSERT_EQ(ASN1_TIME_set_string_X509(X509_getm_notAfter(cert.get()), "99991231235959Z"), 1);
  ASSERT_EQ(ASN1_TIME_set_string_X509(X509_getm_notBefore(cert.get()), "16000101000000Z"), 1);
  const CertificateInfo info = describe(cert.get());
  EXPECT_GT(info.not_after, system_clock::time_point(sys_days{2100y / 1 / 1}));
  EXPECT_LT(info.not_before, system_clock::time_point(sys_days{1840y / 1 / 1}));
  // Far enough from the clock's ends that a lifetime can be added to them.
  EXPECT_GT(info.not_after + 24h * 365 * 100, info.not_after);
  EXPECT_LT(info.not_before - 24h * 365 * 100, info.not_before);
}

// A CA whose own certificate never expires (notAfter 9999) issues for the
// lifetime asked for: its end must not wrap around and cut the lifetime.
TEST_F(X509Test, ACaThatNeverExpiresIssuesTheLifetimeAsked) {
  CaOptions co;
  co.key = kEc;
  const CertificateAuthority made = CertificateAuthority::create(co);
  X509Ptr ca_cert(X509_dup(made.certificate()));
  ASSERT_EQ(ASN1_TIME_set_string_X509(X509_getm_notAfter(ca_cert.get()), "99991231235959Z"), 1);
  EvpPkeyPtr ca_key(EVP_PKEY_dup(made.key()));
  const CertificateAuthority forever(std::move(ca_cert), std::move(ca_key));
  const CertificateInfo info = describe(forever.issue(leaf_key_, leaf_options()).get());
  EXPECT_EQ(info.not_after - info.not_before, 24h * 30);
}

TEST_F(X509Test, CertificateMatchesOnlyItsKey) {
  const X509Ptr cert = ca_->issue(leaf_key_, leaf_options());
  EXPECT_TRUE(certificate_matches_key(cert.get(), leaf_key_));
  EXPECT_FALSE(certificate_matches_key(cert.get(), ca_->key()));
  // A public-only key matches too.
  const Bytes spki = public_key_der(leaf_key_);
  const unsigned char* p = spki.data();
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  EXPECT_TRUE(certificate_matches_key(cert.get(), pub.get()));
  EXPECT_FALSE(certificate_matches_key(nullptr, leaf_key_));
  EXPECT_FALSE(certificate_matches_key(cert.get(), nullptr));
}

TEST_F(X509Test, IssuedCertificateChainsToItsRoot) {
  IssueOptions o = leaf_options();
  o.not_before.reset();  // now
  const X509Ptr cert = ca_->issue(leaf_key_, o);
  const ChainCheck check = verify_chain(cert.get(), {}, roots(*ca_));
  EXPECT_TRUE(check.ok) << check.error_text;
  EXPECT_EQ(check.error, X509_V_OK);
  // The root verifies against itself.
  EXPECT_TRUE(verify_chain(ca_->certificate(), {}, roots(*ca_)).ok);
}

TEST_F(X509Test, CertificateFromAnotherCaDoesNotChain) {
  IssueOptions o = leaf_options();
  o.not_before.reset();
  const X509Ptr cert = other_ca_->issue(leaf_key_, o);
  const ChainCheck check = verify_chain(cert.get(), {}, roots(*ca_));
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_NE(check.error_text.find("issuer"), std::string::npos) << check.error_text;
  EXPECT_NE(check.error_text.find("CN=alice"), std::string::npos) << check.error_text;
  EXPECT_FALSE(verify_chain(cert.get(), {}, {}).ok);
}

TEST_F(X509Test, IntermediatesAreUsedWhenGiven) {
  IssueOptions sub;
  sub.subject = "CN=Lab Sub CA,DC=lab,DC=test";
  sub.is_ca = true;
  const EvpPkeyPtr sub_key = generate_key(kEc);
  const CertificateAuthority sub_ca(ca_->issue(sub_key.get(), sub), share(sub_key.get()));
  IssueOptions o = leaf_options();
  o.not_before.reset();
  const X509Ptr leaf = sub_ca.issue(leaf_key_, o);

  std::vector<X509Ptr> intermediates;
  intermediates.push_back(share(sub_ca.certificate()));
  EXPECT_TRUE(verify_chain(leaf.get(), intermediates, roots(*ca_)).ok);
  const ChainCheck missing = verify_chain(leaf.get(), {}, roots(*ca_));
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(X509Test, VerificationTimeComesFromAt) {
  IssueOptions o = leaf_options();
  o.not_before = system_clock::now() - 1h;
  o.validity = 24h;
  const X509Ptr cert = ca_->issue(leaf_key_, o);
  EXPECT_TRUE(verify_chain(cert.get(), {}, roots(*ca_), system_clock::now()).ok);
  const ChainCheck expired = verify_chain(cert.get(), {}, roots(*ca_), system_clock::now() + 48h);
  EXPECT_FALSE(expired.ok);
  EXPECT_EQ(expired.error, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_NE(expired.error_text.find("expired"), std::string::npos) << expired.error_text;
  const ChainCheck early = verify_chain(cert.get(), {}, roots(*ca_), system_clock::now() - 2h);
  EXPECT_EQ(early.error, X509_V_ERR_CERT_NOT_YET_VALID);
}

}  // namespace
}  // namespace ceslab::core
