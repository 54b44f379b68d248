// SPDX-License-Identifier: GPL-2.0-or-later
// The CA's decode-once path (issue 17) gives what the DER functions give:
// the same CsrInfo, the same CMC reading, and the same certificate bytes.
#include "ceslab/core/decoded_request.hpp"

#include "ceslab/core/cms.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/x509.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

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

// Sniffing hands on what it decoded, so the CA decodes a request once
// (issue 17): a bare RSA PKCS#10 as decode_csr reads it (no provider key
// decoders), a CMC request's ContentInfo, which parse_cmc_request_decoded
// then reads as it reads the DER.
TEST_F(DecodedRequestTest, SniffingHandsOnTheDecodedRequest) {
  const Bytes csr = csr_for(rsa_key_);
  SniffedRequest bare = sniff_and_keep_request(csr);
  EXPECT_EQ(bare.format, RequestFormat::pkcs10);
  ASSERT_NE(bare.pkcs10, nullptr);
  EXPECT_EQ(bare.cms, nullptr);
  EXPECT_EQ(EVP_PKEY_get0_provider(X509_REQ_get0_pubkey(bare.pkcs10.get())), nullptr);
  EXPECT_TRUE(describe_csr(bare.pkcs10.get()).signature_valid);

  const Bytes cmc = build_cmc_request(csr, nullptr, rsa_key_, {{"CertificateTemplate", "User"}});
  SniffedRequest wrapped = sniff_and_keep_request(cmc);
  EXPECT_EQ(wrapped.format, RequestFormat::cmc);
  EXPECT_EQ(wrapped.pkcs10, nullptr);
  ASSERT_NE(wrapped.cms, nullptr);
  const DecodedCmcRequest kept = parse_cmc_request_decoded(cmc, std::move(wrapped.cms));
  const DecodedCmcRequest fresh = parse_cmc_request_decoded(cmc);
  EXPECT_EQ(kept.cmc.pkcs10, csr);
  EXPECT_EQ(kept.cmc.name_value_pairs, fresh.cmc.name_value_pairs);
  EXPECT_EQ(kept.cmc.signed_by_request_key, fresh.cmc.signed_by_request_key);
  EXPECT_TRUE(kept.cmc.signed_by_request_key);

  Bytes trailing = csr;
  trailing.push_back(0);
  try {
    sniff_and_keep_request(trailing);
    ADD_FAILURE() << "a PKCS#10 with a trailing byte was accepted";
  } catch (const CryptoError& e) {
    EXPECT_NE(std::string(e.what()).find("PKCS#10 followed by 1 trailing bytes"), std::string::npos)
        << e.what();
  }
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

Bytes der_of(X509_REQ* req) {
  unsigned char* out = nullptr;
  const int len = i2d_X509_REQ(req, &out);
  Bytes der(out, out + (len > 0 ? len : 0));
  OPENSSL_free(out);
  return der;
}

// An RSA request is read without OpenSSL 3.0's provider key decoders (issue
// 17): its key is a legacy one (no provider), and the request still encodes
// to the bytes received, verifies, and reads as d2i_X509_REQ reads it.
TEST_F(DecodedRequestTest, RsaRequestIsReadWithoutTheProviderKeyDecoders) {
  const Bytes der = csr_for(rsa_key_);
  const X509ReqPtr req = decode_csr(der);
  ASSERT_NE(X509_REQ_get0_pubkey(req.get()), nullptr);
  EXPECT_EQ(EVP_PKEY_get0_provider(X509_REQ_get0_pubkey(req.get())), nullptr);
  EXPECT_EQ(der_of(req.get()), der);

  const unsigned char* p = der.data();
  const X509ReqPtr by_d2i(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  ASSERT_TRUE(by_d2i);
  EXPECT_NE(EVP_PKEY_get0_provider(X509_REQ_get0_pubkey(by_d2i.get())), nullptr);
  const CsrInfo fast = describe_csr(req.get());
  const CsrInfo slow = describe_csr(by_d2i.get());
  EXPECT_TRUE(fast.signature_valid);
  EXPECT_EQ(fast.subject, slow.subject);
  EXPECT_EQ(fast.key_description, slow.key_description);
  ASSERT_TRUE(fast.template_ref.has_value());
  EXPECT_EQ(fast.template_ref->name, slow.template_ref->name);
  EXPECT_EQ(fast.san.upn, slow.san.upn);
  EXPECT_EQ(EVP_PKEY_eq(fast.public_key.get(), slow.public_key.get()), 1);
}

// A request the rebuilt form would encode differently is read as received:
// here an rsaEncryption AlgorithmIdentifier without its NULL parameters,
// which the RSA method would write with them, so the signed bytes differ.
TEST_F(DecodedRequestTest, RsaRequestEncodedOtherwiseIsReadAsReceived) {
  X509ReqPtr draft(X509_REQ_new());
  ASSERT_TRUE(draft);
  X509_NAME* name = X509_REQ_get_subject_name(draft.get());
  ASSERT_EQ(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>("bob"), -1, -1, 0),
            1);
  unsigned char* bits = nullptr;
  const int bits_len = i2d_PublicKey(rsa_key_, &bits);
  ASSERT_GT(bits_len, 0);
  // set0: the SubjectPublicKeyInfo takes `bits`.
  ASSERT_EQ(
      X509_PUBKEY_set0_param(X509_REQ_get_X509_PUBKEY(draft.get()), OBJ_nid2obj(NID_rsaEncryption),
                             V_ASN1_UNDEF, nullptr, bits, bits_len),
      1);
  ASSERT_GT(X509_REQ_sign(draft.get(), rsa_key_, EVP_sha256()), 0);
  const Bytes der = der_of(draft.get());

  const X509ReqPtr req = decode_csr(der);
  EXPECT_EQ(der_of(req.get()), der);
  EXPECT_NE(EVP_PKEY_get0_provider(X509_REQ_get0_pubkey(req.get())), nullptr);
  EXPECT_TRUE(describe_csr(req.get()).signature_valid);
  EXPECT_EQ(describe_csr(req.get()).subject, "CN=bob");
}

}  // namespace
}  // namespace ceslab::core
