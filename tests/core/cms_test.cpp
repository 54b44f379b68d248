// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/cms.hpp"
#include "ceslab/core/keys.hpp"

#include "core/test_pki.hpp"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string>

namespace ceslab::core {
namespace {

using testing::make_bare_cert;
using testing::make_csr;
using testing::make_key;
using testing::text_bytes;

// SignedData.version, read by walking the TLV headers with OpenSSL's decoder:
// ContentInfo SEQUENCE > contentType OID > [0] > SignedData SEQUENCE > version INTEGER.
long signed_data_version(const Bytes& der) {
  const unsigned char* p = der.data();
  const unsigned char* end = der.data() + der.size();
  long len = 0;
  int tag = 0;
  int cls = 0;
  auto header = [&] {
    if (ASN1_get_object(&p, &len, &tag, &cls, end - p) & 0x80) throw CryptoError("test DER walk");
  };
  header();  // ContentInfo
  header();  // contentType
  p += len;
  header();  // [0]
  header();  // SignedData
  header();  // version
  EXPECT_EQ(tag, V_ASN1_INTEGER);
  EXPECT_EQ(len, 1);
  return *p;
}

bool same_cert(X509* a, X509* b) {
  return X509_cmp(a, b) == 0;
}

constexpr std::string_view kPrivateOid = "1.3.6.1.4.1.99999.1.2";

struct CmsPki : ::testing::Test {
  EvpPkeyPtr ca_key = make_key();
  X509Ptr ca = make_bare_cert("Test CA", ca_key.get(), nullptr, nullptr, 1);
  EvpPkeyPtr user_key = make_key();
  X509Ptr user = make_bare_cert("alice", user_key.get(), ca.get(), ca_key.get(), 2);
};

using CmsSign = CmsPki;
using CmsUnwrap = CmsPki;
using CmsRenewal = CmsPki;
using CmsSniff = CmsPki;

TEST_F(CmsSign, RoundTripWithCustomEContentType) {
  const Bytes content = text_bytes("opaque payload \x01\x02");
  const Bytes der = cms_sign(content, kPrivateOid, user.get(), user_key.get(), {ca.get()});

  const SignedContent sc = cms_unwrap(der);
  EXPECT_EQ(sc.econtent_type_oid, kPrivateOid);
  EXPECT_EQ(sc.content, content);
  ASSERT_EQ(sc.certificates.size(), 2u);
  ASSERT_TRUE(sc.signer);
  EXPECT_TRUE(same_cert(sc.signer.get(), user.get()));
  EXPECT_TRUE(sc.signer_key_id.empty()) << "issuerAndSerialNumber expected";
  EXPECT_TRUE(sc.signature_valid) << sc.verify_error;
  EXPECT_EQ(sc.verify_error, "");
  EXPECT_EQ(signed_data_version(der), 3) << "eContentType other than id-data => version 3";
}

TEST_F(CmsSign, EmptyContentRoundTrip) {
  const SignedContent sc = cms_unwrap(cms_sign({}, kOidData, user.get(), user_key.get()));
  EXPECT_TRUE(sc.content.empty());
  EXPECT_TRUE(sc.signature_valid) << sc.verify_error;
}

TEST_F(CmsSign, DropsDuplicateCertificates) {
  const Bytes der = cms_sign(text_bytes("x"), kOidData, user.get(), user_key.get(),
                             {user.get(), ca.get(), ca.get()});
  const SignedContent sc = cms_unwrap(der);
  EXPECT_EQ(sc.certificates.size(), 2u);
  EXPECT_TRUE(sc.signature_valid) << sc.verify_error;
}

TEST_F(CmsSign, RejectsMissingSignerAndMismatchedKey) {
  EXPECT_THROW(cms_sign(text_bytes("x"), kOidData, nullptr, user_key.get()), CryptoError);
  EXPECT_THROW(cms_sign(text_bytes("x"), kOidData, user.get(), ca_key.get()), CryptoError);
  EXPECT_THROW(cms_sign(text_bytes("x"), "not an oid", user.get(), user_key.get()), CryptoError);
}

TEST_F(CmsUnwrap, TamperedSignatureIsReportedNotThrown) {
  Bytes der = cms_sign(text_bytes("payload"), kOidData, user.get(), user_key.get());
  // Without unsigned attributes the SignerInfo's signature is the last element, so
  // the last byte belongs to it.
  der.back() ^= 0x01;
  const SignedContent sc = cms_unwrap(der);
  EXPECT_EQ(sc.content, text_bytes("payload"));
  ASSERT_TRUE(sc.signer);
  EXPECT_FALSE(sc.signature_valid);
  EXPECT_NE(sc.verify_error, "");
}

TEST_F(CmsUnwrap, TamperedContentIsReportedNotThrown) {
  const Bytes content = text_bytes("the content that gets signed");
  Bytes der = cms_sign(content, kOidData, user.get(), user_key.get());
  auto at = std::search(der.begin(), der.end(), content.begin(), content.end());
  ASSERT_NE(at, der.end());
  *at = 'T';
  const SignedContent sc = cms_unwrap(der);
  EXPECT_EQ(sc.content[0], 'T');
  EXPECT_FALSE(sc.signature_valid);
  EXPECT_NE(sc.verify_error.find("digest"), std::string::npos) << sc.verify_error;
}

TEST_F(CmsUnwrap, KeyIdSignerWithoutCertificate) {
  const Bytes key_id = {0x01, 0x02, 0x03, 0x04, 0x05};
  const Bytes der = cms_sign_with_key_id(text_bytes("pop"), kOidCctPkiData, user_key.get(), key_id);

  const SignedContent plain = cms_unwrap(der);
  EXPECT_TRUE(plain.certificates.empty()) << "no certificate may reach the wire";
  EXPECT_FALSE(plain.signer);
  EXPECT_EQ(plain.signer_key_id, key_id);
  EXPECT_FALSE(plain.signature_valid);
  EXPECT_NE(plain.verify_error.find("not carried"), std::string::npos) << plain.verify_error;
  EXPECT_EQ(signed_data_version(der), 3);

  const SignedContent with_key = cms_unwrap(der, user_key.get());
  EXPECT_TRUE(with_key.signature_valid) << with_key.verify_error;
  EXPECT_FALSE(with_key.signer);

  const SignedContent wrong_key = cms_unwrap(der, ca_key.get());
  EXPECT_FALSE(wrong_key.signature_valid);
  EXPECT_NE(wrong_key.verify_error, "");
}

// The signer identified by key id is an RSA key too (CertEnroll's CMC
// requests): its SignerInfo names the key id and verifies with the key,
// also now that the certificate CMS needs for it is neither signed nor given
// the key through OpenSSL's provider encoder (docs/performance.md).
TEST_F(CmsUnwrap, KeyIdSignerWithAnRsaKey) {
  const EvpPkeyPtr rsa = generate_key(KeySpec::parse("rsa2048"));
  const Bytes key_id = {0x0a, 0x0b, 0x0c};
  const Bytes der = cms_sign_with_key_id(text_bytes("pop"), kOidCctPkiData, rsa.get(), key_id);
  const SignedContent with_key = cms_unwrap(der, rsa.get());
  EXPECT_TRUE(with_key.signature_valid) << with_key.verify_error;
  EXPECT_EQ(with_key.signer_key_id, key_id);
  EXPECT_TRUE(with_key.certificates.empty());
  EXPECT_FALSE(cms_unwrap(der, user_key.get()).signature_valid);
}

TEST_F(CmsUnwrap, RejectsMalformedInput) {
  EXPECT_THROW(cms_unwrap({}), CryptoError);
  EXPECT_THROW(cms_unwrap(text_bytes("definitely not DER")), CryptoError);
  EXPECT_THROW(cms_unwrap(make_csr("bob", user_key.get())), CryptoError);

  const Bytes good = cms_sign(text_bytes("payload"), kOidData, user.get(), user_key.get());
  EXPECT_THROW(cms_unwrap(Bytes(good.begin(), good.end() - 1)), CryptoError);
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_THROW(cms_unwrap(trailing), CryptoError);

  // A detached signature has no eContent to hand back.
  BioPtr in(BIO_new_mem_buf("payload", 7));
  CmsPtr detached(
      CMS_sign(user.get(), user_key.get(), nullptr, in.get(), CMS_DETACHED | CMS_BINARY));
  ASSERT_TRUE(detached);
  unsigned char* out = nullptr;
  const int len = i2d_CMS_ContentInfo(detached.get(), &out);
  const Bytes detached_der(out, out + len);
  OPENSSL_free(out);
  try {
    cms_unwrap(detached_der);
    FAIL() << "detached signature accepted";
  } catch (const CryptoError& e) {
    EXPECT_NE(std::string(e.what()).find("detached"), std::string::npos) << e.what();
  }
}

// docs/protocol.md §1.4: renewal = SignedData v1, id-data wrapping the new PKCS#10,
// old certificate carried, SignerInfo by issuerAndSerialNumber, old key signs.
TEST_F(CmsRenewal, EnvelopeRoundTrip) {
  EvpPkeyPtr new_key = make_key();
  const Bytes csr = make_csr("alice", new_key.get());
  const Bytes der = cms_sign(csr, kOidData, user.get(), user_key.get());

  EXPECT_EQ(sniff_request(der), RequestFormat::cms_pkcs10);
  EXPECT_EQ(signed_data_version(der), 1);
  const SignedContent sc = cms_unwrap(der);
  EXPECT_EQ(sc.econtent_type_oid, kOidData);
  EXPECT_EQ(sc.content, csr);
  ASSERT_EQ(sc.certificates.size(), 1u);
  EXPECT_TRUE(same_cert(sc.certificates[0].get(), user.get()));
  ASSERT_TRUE(sc.signer);
  EXPECT_TRUE(same_cert(sc.signer.get(), user.get()));
  EXPECT_TRUE(sc.signer_key_id.empty());
  EXPECT_TRUE(sc.signature_valid) << sc.verify_error;
  EXPECT_EQ(sniff_request(sc.content), RequestFormat::pkcs10);
}

TEST_F(CmsSniff, RecognisesTheThreeShapes) {
  const Bytes csr = make_csr("alice", user_key.get());
  EXPECT_EQ(sniff_request(csr), RequestFormat::pkcs10);
  EXPECT_EQ(sniff_request(cms_sign(csr, kOidData, user.get(), user_key.get())),
            RequestFormat::cms_pkcs10);
  // Sniffing looks at the eContentType only; cmc_test checks a real PKIData.
  EXPECT_EQ(sniff_request(cms_sign(csr, kOidCctPkiData, user.get(), user_key.get())),
            RequestFormat::cmc);
}

TEST_F(CmsSniff, RejectsEverythingElse) {
  const Bytes csr = make_csr("alice", user_key.get());
  const Bytes renewal = cms_sign(csr, kOidData, user.get(), user_key.get());

  BioPtr in(BIO_new_mem_buf("data", 4));
  CmsPtr data_ci(CMS_data_create(in.get(), CMS_BINARY));
  ASSERT_TRUE(data_ci);
  unsigned char* out = nullptr;
  const int len = i2d_CMS_ContentInfo(data_ci.get(), &out);
  const Bytes plain_data(out, out + len);
  OPENSSL_free(out);

  Bytes csr_trailing = csr;
  csr_trailing.push_back(0x00);

  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"empty", {}},
      {"garbage", text_bytes("<xml>not der</xml>")},
      {"lone SEQUENCE header", {0x30, 0x82, 0x01}},
      {"truncated PKCS#10", Bytes(csr.begin(), csr.end() - 1)},
      {"PKCS#10 + trailing byte", csr_trailing},
      {"truncated CMS", Bytes(renewal.begin(), renewal.begin() + renewal.size() / 2)},
      {"other eContentType", cms_sign(csr, kPrivateOid, user.get(), user_key.get())},
      {"CMS PKIResponse", cms_sign(csr, kOidCctPkiResponse, user.get(), user_key.get())},
      {"ContentInfo id-data", plain_data},
      {"a certificate",
       [&] {
         unsigned char* c = nullptr;
         const int n = i2d_X509(user.get(), &c);
         Bytes b(c, c + n);
         OPENSSL_free(c);
         return b;
       }()},
  };
  for (const auto& [what, der] : cases) {
    try {
      sniff_request(der);
      ADD_FAILURE() << what << ": accepted";
    } catch (const CryptoError& e) {
      EXPECT_NE(std::string(e.what()).find("request sniffing"), std::string::npos)
          << what << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace ceslab::core
