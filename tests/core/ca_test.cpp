// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/ca.hpp"

#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"
#include "core/test_pki.hpp"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <set>
#include <stdexcept>
#include <thread>

namespace ceslab::core {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

const KeySpec kEc{KeyAlgorithm::ecdsa, 256, "P-256"};

IssueOptions named(const std::string& subject) {
  IssueOptions o;
  o.subject = subject;
  return o;
}

// The default CA (RSA 2048) is built once; its key doubles as the RSA
// subject key so the suite generates a single RSA key.
class CaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ca_ = new CertificateAuthority(CertificateAuthority::create({}));
    CaOptions o;
    o.key = kEc;
    o.subject = "CN=EC Root";
    o.policy_oids = {"1.3.6.1.4.1.99999.7"};
    ec_ca_ = new CertificateAuthority(CertificateAuthority::create(o));
    ec_key_ = generate_key(kEc).release();
  }
  static void TearDownTestSuite() {
    delete rsa_ca_;
    delete ec_ca_;
    EVP_PKEY_free(ec_key_);
  }
  static bool critical(const X509* cert, int nid) {
    const int idx = X509_get_ext_by_NID(cert, nid, -1);
    return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, idx)) == 1;
  }
  static bool has(const X509* cert, int nid) { return X509_get_ext_by_NID(cert, nid, -1) >= 0; }
  static std::vector<X509Ptr> trust(const CertificateAuthority& ca) {
    return testing::trust_list(ca.certificate());
  }
  static CertificateAuthority* rsa_ca_;
  static CertificateAuthority* ec_ca_;
  static EVP_PKEY* ec_key_;
};
CertificateAuthority* CaTest::rsa_ca_ = nullptr;
CertificateAuthority* CaTest::ec_ca_ = nullptr;
EVP_PKEY* CaTest::ec_key_ = nullptr;

TEST_F(CaTest, DefaultRootLooksLikeAnIssuingCa) {
  X509* root = rsa_ca_->certificate();
  const CertificateInfo info = describe(root);
  EXPECT_EQ(info.subject, "CN=Lab Issuing CA,DC=lab,DC=test");
  EXPECT_EQ(info.issuer, info.subject);
  EXPECT_EQ(info.key_description, "RSA 2048");
  EXPECT_TRUE(info.is_ca);
  EXPECT_TRUE(critical(root, NID_basic_constraints));
  EXPECT_TRUE(critical(root, NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(root), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_NE(X509_get0_subject_key_id(root), nullptr);
  EXPECT_FALSE(has(root, NID_certificate_policies));  // no anyPolicy unless asked
  EXPECT_EQ(X509_check_issued(root, root), X509_V_OK);
  EXPECT_EQ(X509_verify(root, rsa_ca_->key()), 1);
  EXPECT_EQ(X509_get_signature_nid(root), NID_sha256WithRSAEncryption);
  // Backdated by the AD CS clock skew, valid five years.
  const auto now = system_clock::now();
  EXPECT_LE(info.not_before, now - kDefaultBackdate + 5s);
  EXPECT_GE(info.not_before, now - kDefaultBackdate - 60s);
  EXPECT_EQ(info.not_after - info.not_before, hours{24 * 365 * 5});
  EXPECT_EQ(describe(ec_ca_->certificate()).policy_oids,
            std::vector<std::string>{"1.3.6.1.4.1.99999.7"});
}

TEST_F(CaTest, IssuedEndEntityCarriesRequestedContent) {
  IssueOptions o;
  o.subject = "CN=bob,DC=lab,DC=test";
  o.san.upn = {"bob@lab.test"};
  o.san.email = {"bob@lab.test"};
  o.ekus = {"1.3.6.1.5.5.7.3.2"};
  o.policy_oids = {"1.3.6.1.4.1.99999.7"};
  o.template_ref = TemplateRef{"User", "", 0, 0};
  const X509Ptr cert = ec_ca_->issue(ec_key_, o);
  const CertificateInfo info = describe(cert.get());
  EXPECT_EQ(info.issuer, "CN=EC Root");
  EXPECT_EQ(info.san, o.san);
  EXPECT_EQ(info.ekus, o.ekus);
  EXPECT_EQ(info.policy_oids, o.policy_oids);
  ASSERT_TRUE(info.template_ref);
  EXPECT_EQ(info.template_ref->name, "User");
  EXPECT_TRUE(info.template_ref->oid.empty());
  EXPECT_FALSE(info.is_ca);
  EXPECT_FALSE(has(cert.get(), NID_basic_constraints));
  EXPECT_TRUE(critical(cert.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_FALSE(critical(cert.get(), NID_subject_alt_name));  // subject present
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_verify(cert.get(), ec_ca_->key()), 1);
  // AKI points at the CA's SKI; the cert has its own SKI.
  ASSERT_NE(X509_get0_authority_key_id(cert.get()), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(cert.get()),
                                  X509_get0_subject_key_id(ec_ca_->certificate())),
            0);
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  EXPECT_TRUE(certificate_matches_key(cert.get(), ec_key_));
  EXPECT_TRUE(verify_chain(cert.get(), {}, trust(*ec_ca_)).ok);
}

TEST_F(CaTest, RsaSubjectKeyAlsoGetsKeyEncipherment) {
  const X509Ptr cert = ec_ca_->issue(rsa_ca_->key(), named("CN=rsa user"));
  EXPECT_EQ(X509_get_key_usage(cert.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  // And an RSA CA signs with sha256WithRSAEncryption.
  const X509Ptr by_rsa = rsa_ca_->issue(ec_key_, named("CN=ec user"));
  EXPECT_EQ(X509_get_signature_nid(by_rsa.get()), NID_sha256WithRSAEncryption);
  EXPECT_TRUE(verify_chain(by_rsa.get(), {}, trust(*rsa_ca_)).ok);
}

TEST_F(CaTest, EmptySubjectMakesSanCritical) {
  IssueOptions o;
  o.san.upn = {"carol@lab.test"};
  const X509Ptr cert = ec_ca_->issue(ec_key_, o);
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(cert.get())), 0);
  EXPECT_TRUE(critical(cert.get(), NID_subject_alt_name));
}

TEST_F(CaTest, SerialNumbersGivenOrRandom) {
  IssueOptions o;
  o.subject = "CN=s";
  o.serial_hex = "1A2b";
  EXPECT_EQ(describe(ec_ca_->issue(ec_key_, o).get()).serial_hex, "1a2b");
  o.serial_hex.clear();
  std::set<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    const X509Ptr cert = ec_ca_->issue(ec_key_, o);
    const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
    EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);  // positive
    EXPECT_EQ(ASN1_STRING_length(serial), 16);
    seen.insert(describe(cert.get()).serial_hex);
  }
  EXPECT_EQ(seen.size(), 5u);
  for (const std::string& bad :
       std::vector<std::string>{"xyz", "-1", "0", "12 34", std::string(42, 'f')}) {
    SCOPED_TRACE(bad);
    o.serial_hex = bad;
    EXPECT_THROW(ec_ca_->issue(ec_key_, o), std::invalid_argument);
  }
}

TEST_F(CaTest, ValidityIsBackdatedAndCappedAtTheCa) {
  IssueOptions o;
  o.subject = "CN=v";
  o.validity = 24h * 365 * 50;
  const CertificateInfo info = describe(ec_ca_->issue(ec_key_, o).get());
  const auto now = system_clock::now();
  EXPECT_LE(info.not_before, now - kDefaultBackdate + 5s);
  EXPECT_GE(info.not_before, now - kDefaultBackdate - 60s);
  EXPECT_EQ(info.not_after, describe(ec_ca_->certificate()).not_after);

  o.validity = 0s;
  EXPECT_THROW(ec_ca_->issue(ec_key_, o), std::invalid_argument);
}

TEST_F(CaTest, SubordinateCaCanIssueAChainThatVerifies) {
  IssueOptions sub;
  sub.subject = "CN=Sub CA";
  sub.is_ca = true;
  const EvpPkeyPtr sub_key = generate_key(kEc);
  const X509Ptr sub_cert = ec_ca_->issue(sub_key.get(), sub);
  EXPECT_TRUE(describe(sub_cert.get()).is_ca);
  EXPECT_EQ(X509_get_key_usage(sub_cert.get()),
            static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  const CertificateAuthority sub_ca(share(sub_cert.get()), share(sub_key.get()));
  const X509Ptr leaf = sub_ca.issue(ec_key_, named("CN=leaf"));
  std::vector<X509Ptr> mid;
  mid.push_back(share(sub_cert.get()));
  EXPECT_TRUE(verify_chain(leaf.get(), mid, trust(*ec_ca_)).ok);
}

TEST_F(CaTest, TlsServerCertificateForLocalhost) {
  const X509Ptr cert = ec_ca_->issue_tls_server(ec_key_, {"localhost"}, {"127.0.0.1", "::1"});
  const CertificateInfo info = describe(cert.get());
  EXPECT_EQ(info.subject, "CN=localhost");
  EXPECT_EQ(info.san.dns, std::vector<std::string>{"localhost"});
  EXPECT_EQ(info.san.ip, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(info.ekus, std::vector<std::string>{"1.3.6.1.5.5.7.3.1"});
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_TRUE(verify_chain(cert.get(), {}, trust(*ec_ca_)).ok);

  EXPECT_EQ(describe(ec_ca_->issue_tls_server(ec_key_, {}, {"127.0.0.1"}).get()).subject,
            "CN=127.0.0.1");
  EXPECT_THROW(ec_ca_->issue_tls_server(ec_key_, {}, {}), std::invalid_argument);
  EXPECT_THROW(ec_ca_->issue_tls_server(ec_key_, {}, {"localhost"}), std::invalid_argument);
}

TEST_F(CaTest, ConstructorChecksThePairAndCopiesShare) {
  EXPECT_THROW(CertificateAuthority(share(ec_ca_->certificate()), share(ec_key_)),
               std::invalid_argument);
  EXPECT_THROW(CertificateAuthority(nullptr, share(ec_key_)), std::invalid_argument);

  // A CA rebuilt from PEM issues certificates that chain to the original.
  CertificateAuthority loaded(
      std::move(certificates_from_pem(certificate_to_pem(ec_ca_->certificate())).front()),
      private_key_from_pem(private_key_to_pem(ec_ca_->key())));
  CertificateAuthority copy = loaded;
  EXPECT_EQ(copy.certificate(), loaded.certificate());
  EXPECT_EQ(copy.key(), loaded.key());
  loaded = CertificateAuthority(share(rsa_ca_->certificate()), share(rsa_ca_->key()));
  const X509Ptr cert = copy.issue(ec_key_, named("CN=from copy"));
  EXPECT_TRUE(verify_chain(cert.get(), {}, trust(*ec_ca_)).ok);
}

TEST_F(CaTest, IssuesFromSeveralThreadsAtOnce) {
  std::vector<X509Ptr> certs(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < certs.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        certs[i] = ec_ca_->issue(ec_key_, named("CN=t" + std::to_string(i)));
      } catch (...) {
        // left null: reported below
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& cert : certs) {
    ASSERT_TRUE(cert);
    EXPECT_TRUE(verify_chain(cert.get(), {}, trust(*ec_ca_)).ok);
  }
}

}  // namespace
}  // namespace ceslab::core
