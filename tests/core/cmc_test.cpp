// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/cmc.hpp"

#include "core/test_pki.hpp"
#include "error_message.hpp"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <string>

namespace ceslab::core {
namespace {

using testing::make_bare_cert;
using testing::make_csr;
using testing::make_key;
using testing::text_bytes;

// OpenSSL's own "subjectKeyIdentifier=hash" value for `key`, computed through a
// scratch certificate — an independent reference for ceslab's key identifier.
Bytes openssl_ski_hash(EVP_PKEY* key) {
  X509Ptr cert(X509_new());
  X509_set_pubkey(cert.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, nullptr, cert.get(), nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, void (*)(X509_EXTENSION*)> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_key_identifier, "hash"), X509_EXTENSION_free);
  if (!ext) throw CryptoError("test SKI");
  std::unique_ptr<ASN1_OCTET_STRING, void (*)(ASN1_OCTET_STRING*)> ski(
      static_cast<ASN1_OCTET_STRING*>(X509V3_EXT_d2i(ext.get())), ASN1_OCTET_STRING_free);
  const unsigned char* d = ASN1_STRING_get0_data(ski.get());
  return Bytes(d, d + ASN1_STRING_length(ski.get()));
}

bool contains(const Bytes& haystack, const Bytes& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

bool holds_cert(const std::vector<X509Ptr>& certs, X509* cert) {
  return std::any_of(certs.begin(), certs.end(),
                     [&](const X509Ptr& c) { return X509_cmp(c.get(), cert) == 0; });
}

template <typename F>
std::string error_of(F&& f) {
  return test_support::error_message<CryptoError>(std::forward<F>(f), "(no CryptoError thrown)");
}

struct CmcPki : ::testing::Test {
  EvpPkeyPtr ca_key = make_key();
  X509Ptr ca = make_bare_cert("Test Issuing CA", ca_key.get(), nullptr, nullptr, 1);
  EvpPkeyPtr old_key = make_key();
  X509Ptr old_cert = make_bare_cert("alice", old_key.get(), ca.get(), ca_key.get(), 2);
  EvpPkeyPtr new_key = make_key();
};

using CmcRequestTest = CmcPki;
using CmcResponseTest = CmcPki;

const NameValuePairs kPairs = {
    {"CertificateTemplate", "User"},
    {"ccm", "host.example.com"},
    {"san", "dns=a.example.com&dns=b.example.com"},  // separators must survive
    {"odd", "100% C:\\path\r\n\xc3\xa9t\xc3\xa9"},   // '%', '\', controls, UTF-8
};

// CertEnroll's new enrollment: signed with the request's own key, SignerInfo by
// subjectKeyIdentifier (the CSR's SKI extension), no certificates.
TEST_F(CmcRequestTest, NewEnrollmentSignedByRequestKey) {
  const Bytes ski = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};
  const Bytes csr = make_csr("", new_key.get(), &ski);
  const Bytes der = build_cmc_request(csr, nullptr, new_key.get(), kPairs);

  EXPECT_EQ(sniff_request(der), RequestFormat::cmc);
  const CmcRequest req = parse_cmc_request(der);
  EXPECT_EQ(req.pkcs10, csr);
  EXPECT_EQ(req.name_value_pairs, kPairs);
  EXPECT_EQ(req.envelope.econtent_type_oid, kOidCctPkiData);
  EXPECT_TRUE(req.envelope.certificates.empty());
  EXPECT_FALSE(req.envelope.signer);
  EXPECT_EQ(req.envelope.signer_key_id, ski);
  EXPECT_TRUE(req.envelope.signature_valid) << req.envelope.verify_error;
  EXPECT_TRUE(req.signed_by_request_key);
  // IX509NameValuePair: regInfo is "name=value&" UTF-8 in an OCTET STRING.
  EXPECT_TRUE(contains(req.envelope.content, text_bytes("CertificateTemplate=User&ccm=")));
  EXPECT_TRUE(contains(req.envelope.content, text_bytes("dns%3Da.example.com%26dns")));
}

TEST_F(CmcRequestTest, KeyIdIsTheKeyHashWhenTheCsrHasNoSki) {
  const Bytes csr = make_csr("", new_key.get());
  const CmcRequest req = parse_cmc_request(build_cmc_request(csr, nullptr, new_key.get()));
  EXPECT_EQ(req.envelope.signer_key_id, openssl_ski_hash(new_key.get()));
  EXPECT_TRUE(req.signed_by_request_key) << req.envelope.verify_error;
  EXPECT_TRUE(req.name_value_pairs.empty());
}

TEST_F(CmcRequestTest, SignedByAnotherKeyDoesNotVerify) {
  const Bytes csr = make_csr("", new_key.get());
  const CmcRequest req = parse_cmc_request(build_cmc_request(csr, nullptr, old_key.get()));
  EXPECT_EQ(req.envelope.signer_key_id, openssl_ski_hash(old_key.get()));
  EXPECT_FALSE(req.envelope.signature_valid);
  EXPECT_FALSE(req.signed_by_request_key);
  EXPECT_NE(req.envelope.verify_error, "");
}

TEST_F(CmcRequestTest, RenewalSignedByOldCertificate) {
  const Bytes csr = make_csr("alice", new_key.get());
  const NameValuePairs pairs = {{"CertificateTemplate", "User"}};
  const CmcRequest req =
      parse_cmc_request(build_cmc_request(csr, old_cert.get(), old_key.get(), pairs));
  EXPECT_EQ(req.pkcs10, csr);
  EXPECT_EQ(req.name_value_pairs, pairs);
  ASSERT_EQ(req.envelope.certificates.size(), 1u);
  ASSERT_TRUE(req.envelope.signer);
  EXPECT_EQ(X509_cmp(req.envelope.signer.get(), old_cert.get()), 0);
  EXPECT_TRUE(req.envelope.signer_key_id.empty());
  EXPECT_TRUE(req.envelope.signature_valid) << req.envelope.verify_error;
  EXPECT_FALSE(req.signed_by_request_key);
}

TEST_F(CmcRequestTest, MsNameValuePairForm) {
  const Bytes csr = make_csr("", new_key.get());
  const Bytes der =
      build_cmc_request(csr, nullptr, new_key.get(), kPairs, NameValueForm::ms_name_value_pair);
  const CmcRequest req = parse_cmc_request(der);
  // A DER SET OF comes back sorted, so compare as sets.
  NameValuePairs got = req.name_value_pairs;
  NameValuePairs want = kPairs;
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  // BMPString "User" and no regInfo text on the wire.
  EXPECT_TRUE(contains(req.envelope.content, Bytes{0x1e, 0x08, 0, 'U', 0, 's', 0, 'e', 0, 'r'}));
  EXPECT_FALSE(contains(req.envelope.content, text_bytes("CertificateTemplate=")));
  EXPECT_TRUE(req.signed_by_request_key);
}

TEST_F(CmcRequestTest, RejectsNonPkcs10Input) {
  EXPECT_THROW(build_cmc_request(text_bytes("nope"), nullptr, new_key.get()), CryptoError);
  EXPECT_THROW(build_cmc_request({}, nullptr, new_key.get()), CryptoError);
  EXPECT_THROW(build_cmc_request(make_csr("", new_key.get()), nullptr, nullptr), CryptoError);
}

// PKIData with a hand-assembled reqSequence, signed so that only the CMC layer
// can object.
Bytes signed_pki_data(const Bytes& req_sequence_contents, X509* cert, EVP_PKEY* key) {
  Bytes req_seq = {0x30, static_cast<unsigned char>(req_sequence_contents.size())};
  req_seq.insert(req_seq.end(), req_sequence_contents.begin(), req_sequence_contents.end());
  Bytes body = {0x30, 0x00};  // controlSequence
  body.insert(body.end(), req_seq.begin(), req_seq.end());
  body.insert(body.end(), {0x30, 0x00, 0x30, 0x00});  // cmsSequence, otherMsgSequence
  Bytes pki_data = {0x30, static_cast<unsigned char>(body.size())};
  pki_data.insert(pki_data.end(), body.begin(), body.end());
  return cms_sign(pki_data, kOidCctPkiData, cert, key);
}

TEST_F(CmcRequestTest, RejectsCrmOrmAndRequestCounts) {
  // crm [1] IMPLICIT CertReqMsg { certReq { certReqId 0, certTemplate {} } }
  const Bytes crm = {0xa1, 0x07, 0x30, 0x05, 0x02, 0x01, 0x00, 0x30, 0x00};
  // orm [2] IMPLICIT { bodyPartID 1, OID 1.2.3.4, NULL }
  const Bytes orm = {0xa2, 0x0a, 0x02, 0x01, 0x01, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x05, 0x00};

  EXPECT_NE(error_of([&] {
              parse_cmc_request(signed_pki_data(crm, ca.get(), ca_key.get()));
            }).find("crm"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              parse_cmc_request(signed_pki_data(orm, ca.get(), ca_key.get()));
            }).find("orm"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              parse_cmc_request(signed_pki_data({}, ca.get(), ca_key.get()));
            }).find("exactly one"),
            std::string::npos);
}

TEST_F(CmcRequestTest, RejectsOtherEnvelopesAndGarbage) {
  const Bytes csr = make_csr("alice", new_key.get());
  EXPECT_NE(error_of([&] {
              parse_cmc_request(cms_sign(csr, kOidData, old_cert.get(), old_key.get()));
            }).find("not id-cct-PKIData"),
            std::string::npos);
  EXPECT_THROW(parse_cmc_request(csr), CryptoError);
  EXPECT_THROW(parse_cmc_request(text_bytes("garbage")), CryptoError);
  // Right eContentType, content is not a PKIData.
  EXPECT_THROW(parse_cmc_request(cms_sign(csr, kOidCctPkiData, old_cert.get(), old_key.get())),
               CryptoError);
  const Bytes good = build_cmc_request(csr, nullptr, new_key.get());
  EXPECT_THROW(parse_cmc_request(Bytes(good.begin(), good.end() - 3)), CryptoError);
}

TEST_F(CmcResponseTest, IssuedRoundTrip) {
  X509Ptr issued = make_bare_cert("alice", new_key.get(), ca.get(), ca_key.get(), 42);
  const Bytes der = build_cmc_response(CmcStatus::success, "Issued", ca.get(), ca_key.get(),
                                       {ca.get(), issued.get()}, issued.get());

  const CmcResponse resp = parse_cmc_response(der);
  EXPECT_EQ(resp.status, CmcStatus::success);
  EXPECT_EQ(resp.status_string, "Issued");
  EXPECT_FALSE(resp.fail_info.has_value());
  std::array<unsigned char, 20> sha1{};
  unsigned int n = 0;
  ASSERT_EQ(X509_digest(issued.get(), EVP_sha1(), sha1.data(), &n), 1);
  EXPECT_EQ(resp.issued_cert_hash, Bytes(sha1.begin(), sha1.end()));
  ASSERT_EQ(resp.certificates.size(), 2u);
  EXPECT_TRUE(holds_cert(resp.certificates, ca.get()));
  EXPECT_TRUE(holds_cert(resp.certificates, issued.get()));
  EXPECT_TRUE(resp.signature_valid) << resp.verify_error;

  const SignedContent env = cms_unwrap(der);
  EXPECT_EQ(env.econtent_type_oid, kOidCctPkiResponse);
  ASSERT_TRUE(env.signer);
  EXPECT_EQ(X509_cmp(env.signer.get(), ca.get()), 0);
}

TEST_F(CmcResponseTest, FailedWithFailInfoAndNoCertificate) {
  const CmcResponse resp = parse_cmc_response(build_cmc_response(
      CmcStatus::failed, "Denied by Policy Module", ca.get(), ca_key.get(), {}, nullptr, 2));
  EXPECT_EQ(resp.status, CmcStatus::failed);
  EXPECT_EQ(resp.status_string, "Denied by Policy Module");
  EXPECT_EQ(resp.fail_info, 2);
  EXPECT_TRUE(resp.issued_cert_hash.empty());
  ASSERT_EQ(resp.certificates.size(), 1u) << "the signing CA is always carried";
  EXPECT_TRUE(resp.signature_valid) << resp.verify_error;
}

TEST_F(CmcResponseTest, PendingWithoutStatusString) {
  const CmcResponse pending = parse_cmc_response(build_cmc_response(
      CmcStatus::pending, "Taken Under Submission", ca.get(), ca_key.get(), {ca.get()}, nullptr));
  EXPECT_EQ(pending.status, CmcStatus::pending);
  EXPECT_EQ(pending.status_string, "Taken Under Submission");

  const CmcResponse bare = parse_cmc_response(
      build_cmc_response(CmcStatus::success, "", ca.get(), ca_key.get(), {}, nullptr));
  EXPECT_EQ(bare.status, CmcStatus::success);
  EXPECT_EQ(bare.status_string, "");
}

TEST_F(CmcResponseTest, TamperedSignatureIsReported) {
  X509Ptr issued = make_bare_cert("alice", new_key.get(), ca.get(), ca_key.get(), 7);
  Bytes der = build_cmc_response(CmcStatus::success, "Issued", ca.get(), ca_key.get(),
                                 {issued.get()}, issued.get());
  der.back() ^= 0x01;
  const CmcResponse resp = parse_cmc_response(der);
  EXPECT_EQ(resp.status, CmcStatus::success);
  EXPECT_FALSE(resp.signature_valid);
  EXPECT_NE(resp.verify_error, "");
}

TEST_F(CmcResponseTest, RejectsMalformedResponses) {
  const Bytes csr = make_csr("", new_key.get());
  EXPECT_NE(error_of([&] {
              parse_cmc_response(build_cmc_request(csr, nullptr, new_key.get()));
            }).find("not id-cct-PKIResponse"),
            std::string::npos);
  EXPECT_THROW(parse_cmc_response(text_bytes("garbage")), CryptoError);
  // PKIResponse { {}, {}, {} }: no status at all.
  const Bytes empty_response = {0x30, 0x06, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00};
  EXPECT_NE(
      error_of([&] {
        parse_cmc_response(cms_sign(empty_response, kOidCctPkiResponse, ca.get(), ca_key.get()));
      }).find("no id-cmc-statusInfo"),
      std::string::npos);
  EXPECT_NE(error_of([&] {
              parse_cmc_response(build_cmc_response(static_cast<CmcStatus>(9), "?", ca.get(),
                                                    ca_key.get(), {}, nullptr));
            }).find("unknown CMCStatus 9"),
            std::string::npos);
}

}  // namespace
}  // namespace ceslab::core
