// SPDX-License-Identifier: GPL-2.0-or-later
// The issued certificate and the CMC Full PKI Response, byte for byte, as the
// code made them before issue 17's work on building them (so that work cannot
// change a byte of the output).
//
// The fixtures in tests/fixtures/issuance_golden/ were written by the code at
// commit f68490b: ca_cert.pem / ca_key.pem by CertificateAuthority::create
// (RSA-2048, fixed notBefore), bare_ca_cert.pem a self-signed RSA root with
// no extensions at all (so the AKI falls back to issuer and serial), the
// requests by build_csr, and every *.hex by exactly the calls made below on
// those inputs (certificate DER and CMS ContentInfo DER, lower-case hex).
//
// Certificates are signed with RSA PKCS#1 v1.5 and SHA-256, which is
// deterministic, so with fixed inputs they compare whole. The CMC response's
// SignerInfo carries a signingTime that OpenSSL sets to the time of signing
// (CMS_SignerInfo_sign adds it when absent), and the signature covers it:
// those two values (13 bytes of UTCTime, 256 bytes of signature) are the
// only ones taken from the fixture before comparing the whole DER; the
// signature of the new response is checked separately and its signingTime
// must be now.
#include "ceslab/core/ca.hpp"
#include "ceslab/core/cmc.hpp"
#include "ceslab/core/cms.hpp"
#include "ceslab/core/decoded_request.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"

#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace ceslab::core {
namespace {

const std::filesystem::path kDir = std::filesystem::path(CESLAB_FIXTURES_DIR) / "issuance_golden";

Bytes read_hex(const std::string& name) {
  std::ifstream in(kDir / name);
  std::stringstream text;
  text << in.rdbuf();
  std::string hex = text.str();
  hex.erase(std::remove_if(hex.begin(), hex.end(), [](char c) { return std::isspace(c) != 0; }),
            hex.end());
  long len = 0;
  unsigned char* buf = OPENSSL_hexstr2buf(hex.c_str(), &len);
  if (buf == nullptr) throw std::runtime_error("bad hex fixture " + name);
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

CertificateAuthority load_ca(const std::string& cert_file) {
  std::vector<X509Ptr> certs = read_certificates_pem(kDir / cert_file);
  return CertificateAuthority(std::move(certs.at(0)), read_private_key_pem(kDir / "ca_key.pem"));
}

const std::chrono::system_clock::time_point kNotBefore{std::chrono::hours(24 * 365 * 56)};

// An end-entity certificate as the mock issues for the User template.
IssueOptions user_options() {
  IssueOptions o;
  o.subject = "CN=alice,OU=Lab Users,DC=lab,DC=test";
  o.san.email = {"alice@lab.test"};
  o.san.upn = {"alice@lab.test"};
  o.ekus = {"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4"};
  o.policy_oids = {"1.3.6.1.4.1.311.21.8.9.9"};
  o.template_ref = TemplateRef{"", "1.3.6.1.4.1.311.21.8.1.2", 100, 3};
  o.serial_hex = "610000002A5B7C0D1E";
  o.not_before = kNotBefore;
  return o;
}

// An empty subject (so the SAN is critical), a template name, an EC key.
IssueOptions machine_options() {
  IssueOptions o;
  o.san.dns = {"host1.lab.test", "host1"};
  o.san.ip = {"10.0.0.7"};
  o.ekus = {"1.3.6.1.5.5.7.3.1"};
  o.template_ref = TemplateRef{"Machine", "", 0, 0};
  o.serial_hex = "7F";
  o.not_before = kNotBefore;
  o.validity = std::chrono::hours(24 * 30);
  return o;
}

// A sub-CA, with a multi-valued RDN and a 20-byte serial.
IssueOptions sub_ca_options() {
  IssueOptions o;
  o.subject = "CN=Lab Sub CA,O=Lab+OU=PKI,C=DE";
  o.serial_hex = "0102030405060708090A0B0C0D0E0F1011121314";
  o.not_before = kNotBefore;
  o.is_ca = true;
  return o;
}

X509ReqPtr request(const std::string& name) {
  return decode_csr(read_hex(name));
}

// The 13 bytes of `der`'s one UTCTime signingTime, and its signature.
struct Varying {
  Bytes signing_time;
  Bytes signature;
};

Varying varying_of(const Bytes& der) {
  const unsigned char* p = der.data();
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms) throw std::runtime_error("not a CMS ContentInfo");
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms.get()), 0);
  const auto* time = static_cast<const ASN1_TIME*>(
      CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_signingTime), -3, V_ASN1_UTCTIME));
  if (time == nullptr) throw std::runtime_error("no UTCTime signingTime");
  const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
  Varying v;
  v.signing_time.assign(ASN1_STRING_get0_data(time),
                        ASN1_STRING_get0_data(time) + ASN1_STRING_length(time));
  v.signature.assign(ASN1_STRING_get0_data(sig),
                     ASN1_STRING_get0_data(sig) + ASN1_STRING_length(sig));
  return v;
}

// `what` replaced by `by` in `der`, where it must occur exactly once.
void replace_once(Bytes& der, const Bytes& what, const Bytes& by) {
  ASSERT_EQ(what.size(), by.size());
  auto at = std::search(der.begin(), der.end(), what.begin(), what.end());
  ASSERT_NE(at, der.end());
  ASSERT_EQ(std::search(at + 1, der.end(), what.begin(), what.end()), der.end());
  std::copy(by.begin(), by.end(), at);
}

// The response equals the fixture but for its signingTime and signature;
// the signature verifies with the CA's key and the time is now.
void expect_same_response(const Bytes& made, const std::string& fixture, X509* ca_cert) {
  const Bytes golden = read_hex(fixture);
  const Varying now = varying_of(made);
  const Varying then = varying_of(golden);
  Bytes masked = made;
  replace_once(masked, now.signing_time, then.signing_time);
  replace_once(masked, now.signature, then.signature);
  EXPECT_EQ(hex_lower(masked.data(), masked.size()), hex_lower(golden.data(), golden.size()))
      << fixture;

  const SignedContent opened = cms_unwrap(made);
  EXPECT_TRUE(opened.signature_valid) << opened.verify_error;
  ASSERT_TRUE(opened.signer);
  EXPECT_EQ(X509_cmp(opened.signer.get(), ca_cert), 0);
  ASN1_TIME* t = ASN1_TIME_new();
  ASSERT_EQ(ASN1_STRING_set(t, now.signing_time.data(), static_cast<int>(now.signing_time.size())),
            1);
  t->type = V_ASN1_UTCTIME;
  const auto age = std::chrono::system_clock::now() - asn1_time_to_time_point(t);
  ASN1_TIME_free(t);
  EXPECT_LT(std::chrono::abs(age), std::chrono::minutes(5));
}

void expect_same_certificate(const X509* made, const std::string& fixture) {
  const Bytes der = certificate_der(made);
  const Bytes golden = read_hex(fixture);
  EXPECT_EQ(hex_lower(der.data(), der.size()), hex_lower(golden.data(), golden.size())) << fixture;
}

TEST(IssuanceGolden, CertificatesFromRequestsAreTheBytesTheyWere) {
  const CertificateAuthority ca = load_ca("ca_cert.pem");
  const X509ReqPtr rsa = request("request_rsa.hex");
  const X509ReqPtr ec = request("request_ec.hex");
  expect_same_certificate(issue_for_request(ca, rsa.get(), user_options()).get(), "user_rsa.hex");
  expect_same_certificate(issue_for_request(ca, ec.get(), machine_options()).get(),
                          "machine_ec.hex");
  expect_same_certificate(ca.issue(X509_REQ_get0_pubkey(rsa.get()), sub_ca_options()).get(),
                          "sub_ca.hex");
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

// A CA certificate without a subjectKeyIdentifier: the AKI names its issuer
// and serial instead of a key id.
TEST(IssuanceGolden, CertificateFromACaWithoutExtensionsIsTheBytesItWas) {
  const CertificateAuthority ca = load_ca("bare_ca_cert.pem");
  const X509ReqPtr rsa = request("request_rsa.hex");
  expect_same_certificate(issue_for_request(ca, rsa.get(), user_options()).get(),
                          "user_rsa_bare_ca.hex");
}

// The mock's two I/O threads share one CertificateAuthority (and copies of
// it share what it made once for every certificate): issuing from both at
// once still gives the same bytes.
TEST(IssuanceGolden, TwoThreadsIssuingFromOneCaGetTheSameBytes) {
  const CertificateAuthority ca = load_ca("ca_cert.pem");
  const CertificateAuthority copy = ca;
  const Bytes golden = read_hex("user_rsa.hex");
  const Bytes request_der = read_hex("request_rsa.hex");
  std::atomic<int> different{0};
  auto issue_many = [&](const CertificateAuthority& from) {
    const X509ReqPtr req = decode_csr(request_der);
    for (int i = 0; i < 25; ++i) {
      if (certificate_der(issue_for_request(from, req.get(), user_options()).get()) != golden)
        ++different;
    }
  };
  std::thread a(issue_many, std::cref(ca));
  std::thread b(issue_many, std::cref(copy));
  a.join();
  b.join();
  EXPECT_EQ(different.load(), 0);
}

// The responses the mock sends (mock_ces/src/ca_submission.cpp): issued with
// the CA and the new certificate, pending with the CA only; and a failure.
TEST(IssuanceGolden, CmcResponsesAreTheBytesTheyWereButForTheSigningTime) {
  const CertificateAuthority ca = load_ca("ca_cert.pem");
  const X509ReqPtr rsa = request("request_rsa.hex");
  const X509Ptr cert = issue_for_request(ca, rsa.get(), user_options());
  expect_same_response(build_cmc_response(CmcStatus::success, "Issued", ca.certificate(), ca.key(),
                                          {ca.certificate(), cert.get()}, cert.get()),
                       "cmc_issued.hex", ca.certificate());
  expect_same_response(build_cmc_response(CmcStatus::pending, "Taken Under Submission",
                                          ca.certificate(), ca.key(), {ca.certificate()}, nullptr),
                       "cmc_pending.hex", ca.certificate());
  expect_same_response(
      build_cmc_response(CmcStatus::failed, "Denied by Policy Module", ca.certificate(), ca.key(),
                         {ca.certificate()}, nullptr, 2),
      "cmc_failed.hex", ca.certificate());
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

}  // namespace
}  // namespace ceslab::core
