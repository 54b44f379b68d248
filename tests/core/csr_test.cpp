// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/csr.hpp"

#include "ceslab/core/ca.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/x509.hpp"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <algorithm>
#include <stdexcept>

namespace ceslab::core {
namespace {

const KeySpec kEc{KeyAlgorithm::ecdsa, 256, "P-256"};

class CsrTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = generate_key(kEc).release();
    CaOptions ca;
    ca.key = kEc;
    // share() while the temporary CA still holds its reference.
    old_cert_ = share(CertificateAuthority::create(ca).certificate()).release();
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(key_);
    X509_free(old_cert_);
  }
  static CsrOptions full_options() {
    CsrOptions o;
    o.subject = "CN=alice,OU=Users,DC=lab,DC=test";
    o.san.dns = {"alice.lab.test", "www.lab.test"};
    o.san.email = {"alice@lab.test"};
    o.san.upn = {"alice@lab.test"};
    o.template_ref = TemplateRef{"User", "1.3.6.1.4.1.311.21.8.1.2.3", 100, 4};
    o.ekus = {"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4"};
    o.renewal_of = old_cert_;
    return o;
  }
  static EVP_PKEY* key_;
  static X509* old_cert_;
};
EVP_PKEY* CsrTest::key_ = nullptr;
X509* CsrTest::old_cert_ = nullptr;

struct ExtStackFree {
  void operator()(STACK_OF(X509_EXTENSION) * s) const {
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
  }
};

// The raw extnValue bytes of one extension, read with OpenSSL directly.
Bytes raw_extension(const Bytes& csr_der, const char* oid) {
  const unsigned char* p = csr_der.data();
  X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(csr_der.size())));
  if (!req) throw std::runtime_error("not a CSR");
  std::unique_ptr<STACK_OF(X509_EXTENSION), ExtStackFree> exts(X509_REQ_get_extensions(req.get()));
  for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
    const X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
    if (oid_text(X509_EXTENSION_get_object(const_cast<X509_EXTENSION*>(ext))) == oid)
      return extension_value_der(ext);
  }
  return {};
}

TEST_F(CsrTest, RoundTripKeepsEveryField) {
  const Bytes der = build_csr(key_, full_options());
  const CsrInfo info = parse_csr(der);
  EXPECT_EQ(info.subject, "CN=alice,OU=Users,DC=lab,DC=test");
  EXPECT_EQ(info.san.dns, (std::vector<std::string>{"alice.lab.test", "www.lab.test"}));
  EXPECT_EQ(info.san.email, std::vector<std::string>{"alice@lab.test"});
  EXPECT_EQ(info.san.upn, std::vector<std::string>{"alice@lab.test"});
  EXPECT_TRUE(info.san.ip.empty());
  ASSERT_TRUE(info.template_ref);
  EXPECT_EQ(*info.template_ref, (TemplateRef{"User", "1.3.6.1.4.1.311.21.8.1.2.3", 100, 4}));
  EXPECT_EQ(info.ekus, (std::vector<std::string>{"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4"}));
  ASSERT_TRUE(info.public_key);
  EXPECT_EQ(EVP_PKEY_eq(info.public_key.get(), key_), 1);
  EXPECT_TRUE(info.signature_valid);
  EXPECT_EQ(info.key_description, "ECDSA P-256");
  ASSERT_TRUE(info.renewal_certificate);
  EXPECT_EQ(*info.renewal_certificate, certificate_der(old_cert_));
}

TEST_F(CsrTest, TemplateNameIsABmpString) {
  const Bytes value = raw_extension(build_csr(key_, full_options()), kOidTemplateName);
  // BMPString tag 0x1E, 8 bytes, UTF-16BE "User" — what Windows puts there.
  EXPECT_EQ(value, (Bytes{0x1e, 0x08, 0x00, 'U', 0x00, 's', 0x00, 'e', 0x00, 'r'}));
}

TEST_F(CsrTest, TemplateInfoIsOidMajorMinorSequence) {
  const Bytes value = raw_extension(build_csr(key_, full_options()), kOidTemplateInfo);
  const Bytes expected = {0x30, 0x14,                                            // SEQUENCE
                          0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37,  // 1.3.6.1.4.1.311
                          0x15, 0x08, 0x01, 0x02, 0x03,                          // .21.8.1.2.3
                          0x02, 0x01, 0x64,                                      // major 100
                          0x02, 0x01, 0x04};                                     // minor 4
  EXPECT_EQ(value, expected);
}

TEST_F(CsrTest, TemplateByNameOnlyOrOidOnly) {
  CsrOptions o;
  o.subject = "CN=bob";
  o.template_ref = TemplateRef{"Machine", "", 0, 0};
  auto info = parse_csr(build_csr(key_, o));
  ASSERT_TRUE(info.template_ref);
  EXPECT_EQ(*info.template_ref, (TemplateRef{"Machine", "", 0, 0}));
  EXPECT_TRUE(raw_extension(build_csr(key_, o), kOidTemplateInfo).empty());

  o.template_ref = TemplateRef{"", "1.3.6.1.4.1.311.21.8.9", 7, 0};
  info = parse_csr(build_csr(key_, o));
  ASSERT_TRUE(info.template_ref);
  EXPECT_EQ(*info.template_ref, (TemplateRef{"", "1.3.6.1.4.1.311.21.8.9", 7, 0}));

  o.template_ref = TemplateRef{};
  EXPECT_THROW(build_csr(key_, o), std::invalid_argument);
}

TEST_F(CsrTest, MinimalRequestHasNoExtensionsOrRenewal) {
  const CsrInfo info = parse_csr(build_csr(key_, {}));
  EXPECT_EQ(info.subject, "");  // Windows sends an empty subject for AD-built names
  EXPECT_TRUE(info.san.empty());
  EXPECT_FALSE(info.template_ref);
  EXPECT_TRUE(info.ekus.empty());
  EXPECT_FALSE(info.renewal_certificate);
  EXPECT_TRUE(info.signature_valid);
}

TEST_F(CsrTest, RsaRequestDescribesItsKey) {
  // The CSR code is key-agnostic; an RSA request only checks the signature
  // path, so a small (fast to generate) key will do.
  const EvpPkeyPtr rsa = generate_key({KeyAlgorithm::rsa, 1024, ""});
  CsrOptions o;
  o.subject = "CN=rsa";
  const CsrInfo info = parse_csr(build_csr(rsa.get(), o));
  EXPECT_EQ(info.key_description, "RSA 1024");
  EXPECT_TRUE(info.signature_valid);
}

TEST_F(CsrTest, TamperedRequestParsesButFailsSignature) {
  Bytes der = build_csr(key_, full_options());
  const Bytes cn = {'a', 'l', 'i', 'c', 'e'};
  auto at = std::search(der.begin(), der.end(), cn.begin(), cn.end());
  ASSERT_NE(at, der.end());
  at[4] = 'x';  // CN=alicx
  const CsrInfo info = parse_csr(der);
  EXPECT_EQ(info.subject, "CN=alicx,OU=Users,DC=lab,DC=test");
  EXPECT_FALSE(info.signature_valid);
}

TEST_F(CsrTest, GarbageThrowsCryptoError) {
  EXPECT_THROW(parse_csr({}), CryptoError);
  EXPECT_THROW(parse_csr(Bytes{0x30, 0x03, 0x02, 0x01, 0x00}), CryptoError);
  EXPECT_THROW(parse_csr(Bytes(100, 0xff)), CryptoError);
  EXPECT_THROW(parse_csr(certificate_der(old_cert_)), CryptoError);  // a cert is not a CSR
  Bytes trailing = build_csr(key_, {});
  trailing.push_back(0);
  EXPECT_THROW(parse_csr(trailing), CryptoError);
}

TEST_F(CsrTest, EveryTruncationThrowsAndNoMutationCrashes) {
  const Bytes der = build_csr(key_, full_options());
  for (size_t len = 0; len < der.size(); ++len)
    EXPECT_THROW(parse_csr(Bytes(der.begin(), der.begin() + static_cast<long>(len))), CryptoError)
        << "length " << len;
  // Flip every byte: parsing either succeeds or throws CryptoError, never
  // anything else. The request carries every extension ceslab reads; the
  // renewal certificate is left out because its bytes are only copied (and
  // each successful parse costs a signature check).
  CsrOptions small = full_options();
  small.renewal_of = nullptr;
  const Bytes base = build_csr(key_, small);
  int parsed = 0;
  for (size_t i = 0; i < base.size(); ++i) {
    Bytes mutated = base;
    mutated[i] ^= 0x41;
    try {
      const CsrInfo info = parse_csr(mutated);
      ++parsed;
      (void)info;
    } catch (const CryptoError&) {
    }
  }
  EXPECT_GT(parsed, 0);  // some flips land in values and still parse
}

TEST_F(CsrTest, BadOptionsAreRejectedByName) {
  auto expect_bad = [&](CsrOptions o, const std::string& fragment) {
    try {
      build_csr(key_, o);
      ADD_FAILURE() << "accepted, expected error mentioning " << fragment;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  CsrOptions eku;
  eku.ekus = {"clientAuth"};
  expect_bad(eku, "'clientAuth'");
  CsrOptions subject;
  subject.subject = "CN=a,XX=b";
  expect_bad(subject, "XX=b");
  CsrOptions ip;
  ip.san.ip = {"300.1.1.1"};
  expect_bad(ip, "300.1.1.1");
  CsrOptions dns;
  dns.san.dns = {"bücher.example"};
  expect_bad(dns, "bücher.example");
  EXPECT_THROW(build_csr(nullptr, {}), std::invalid_argument);
}

// An RSA key's public half goes into the request through a legacy twin
// (docs/performance.md, the client's side): the SubjectPublicKeyInfo must be
// exactly the one OpenSSL's provider encoder writes for the key, and the
// request must verify with the key itself. An EC key keeps the direct path.
TEST(CsrKeys, RequestCarriesTheKeysOwnSubjectPublicKeyInfo) {
  for (const char* spec : {"rsa2048", "rsa3072", "ecdsa-p256"}) {
    SCOPED_TRACE(spec);
    const EvpPkeyPtr key = generate_key(KeySpec::parse(spec));
    CsrOptions o;
    o.subject = "CN=alice";
    const Bytes der = build_csr(key.get(), o);
    const unsigned char* p = der.data();
    const X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
    ASSERT_TRUE(req);
    unsigned char* written = nullptr;
    const int written_len = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req.get()), &written);
    unsigned char* expected = nullptr;
    const int expected_len = i2d_PUBKEY(key.get(), &expected);
    ASSERT_GT(written_len, 0);
    ASSERT_GT(expected_len, 0);
    EXPECT_EQ(Bytes(written, written + written_len), Bytes(expected, expected + expected_len));
    OPENSSL_free(written);
    OPENSSL_free(expected);
    EXPECT_EQ(X509_REQ_verify(req.get(), key.get()), 1);
  }
}

TEST(CsrExtensions, SanWithIpRoundTripsThroughExtensionHelpers) {
  SubjectAltNames san;
  san.dns = {"host.lab.test"};
  san.ip = {"127.0.0.1", "::1"};
  san.upn = {"host$@lab.test"};
  X509ExtensionPtr ext = make_subject_alt_name_extension(san, true);
  EXPECT_EQ(X509_EXTENSION_get_critical(ext.get()), 1);
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(exts, ext.release());
  EXPECT_EQ(read_subject_alt_names(exts), san);
  EXPECT_TRUE(read_ekus(exts).empty());
  EXPECT_FALSE(read_template_ref(exts));
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  EXPECT_THROW(make_subject_alt_name_extension({}), std::invalid_argument);
  EXPECT_THROW(make_certificate_policies_extension({"1.2.x"}), std::invalid_argument);
}

// ---- distinguished names ----

std::string entry_text(const X509_NAME* name, int i) {
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}
int entry_nid(const X509_NAME* name, int i) {
  return OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(name, i)));
}

TEST(CsrDn, CommaFormIsMostSpecificFirst) {
  const X509NamePtr name = parse_distinguished_name("CN=alice,O=Lab");
  ASSERT_EQ(X509_NAME_entry_count(name.get()), 2);
  EXPECT_EQ(entry_nid(name.get(), 0), NID_organizationName);  // DER order: O first
  EXPECT_EQ(entry_nid(name.get(), 1), NID_commonName);
  EXPECT_EQ(format_distinguished_name(name.get()), "CN=alice,O=Lab");
}

TEST(CsrDn, SlashFormIsDerOrder) {
  const X509NamePtr name = parse_distinguished_name("/CN=alice/O=Lab");
  ASSERT_EQ(X509_NAME_entry_count(name.get()), 2);
  EXPECT_EQ(entry_nid(name.get(), 0), NID_commonName);
  EXPECT_EQ(format_distinguished_name(name.get()), "O=Lab,CN=alice");
  EXPECT_EQ(X509_NAME_cmp(parse_distinguished_name("/DC=test/DC=lab/CN=alice").get(),
                          parse_distinguished_name("CN=alice,DC=lab,DC=test").get()),
            0);
}

TEST(CsrDn, EmailSpellingsAndStateAndOids) {
  for (const char* text : {"E=a@lab.test", "emailAddress=a@lab.test", "/E=a@lab.test"}) {
    SCOPED_TRACE(text);
    const X509NamePtr name = parse_distinguished_name(text);
    ASSERT_EQ(X509_NAME_entry_count(name.get()), 1);
    EXPECT_EQ(entry_nid(name.get(), 0), NID_pkcs9_emailAddress);
    EXPECT_EQ(entry_text(name.get(), 0), "a@lab.test");
  }
  EXPECT_EQ(entry_nid(parse_distinguished_name("S=Bavaria").get(), 0), NID_stateOrProvinceName);
  EXPECT_EQ(entry_nid(parse_distinguished_name("2.5.4.3=x").get(), 0), NID_commonName);
  EXPECT_EQ(entry_nid(parse_distinguished_name("cn=x").get(), 0), NID_commonName);
  EXPECT_EQ(entry_nid(parse_distinguished_name("serialnumber=42").get(), 0), NID_serialNumber);
}

TEST(CsrDn, EscapesQuotesSpacesAndMultiValuedRdns) {
  X509NamePtr name = parse_distinguished_name("CN=Doe\\, John,O=Lab");
  EXPECT_EQ(entry_text(name.get(), 1), "Doe, John");
  EXPECT_EQ(format_distinguished_name(name.get()), "CN=Doe\\, John,O=Lab");
  EXPECT_EQ(entry_text(parse_distinguished_name("CN=a\\2Cb").get(), 0), "a,b");
  EXPECT_EQ(entry_text(parse_distinguished_name("CN=\"Doe, John\"").get(), 0), "Doe, John");
  EXPECT_EQ(entry_text(parse_distinguished_name("/CN=a\\/b").get(), 0), "a/b");
  EXPECT_EQ(entry_text(parse_distinguished_name("CN=x\\ ").get(), 0), "x ");

  name = parse_distinguished_name("CN=alice ,  O = Lab");
  EXPECT_EQ(format_distinguished_name(name.get()), "CN=alice,O=Lab");

  name = parse_distinguished_name("CN=a+UID=b,O=Lab");
  ASSERT_EQ(X509_NAME_entry_count(name.get()), 3);
  EXPECT_EQ(X509_NAME_ENTRY_set(X509_NAME_get_entry(name.get(), 1)),
            X509_NAME_ENTRY_set(X509_NAME_get_entry(name.get(), 2)));
  EXPECT_NE(X509_NAME_ENTRY_set(X509_NAME_get_entry(name.get(), 0)),
            X509_NAME_ENTRY_set(X509_NAME_get_entry(name.get(), 1)));
}

TEST(CsrDn, Utf8StaysReadable) {
  const X509NamePtr name = parse_distinguished_name("CN=Jürgen Müller,O=Lab");
  EXPECT_EQ(format_distinguished_name(name.get()), "CN=Jürgen Müller,O=Lab");
}

TEST(CsrDn, EmptyTextIsEmptyName) {
  EXPECT_EQ(X509_NAME_entry_count(parse_distinguished_name("").get()), 0);
  EXPECT_EQ(X509_NAME_entry_count(parse_distinguished_name("   ").get()), 0);
}

// Windows clients send over-long RDNs and the CA refuses them
// (CERTSRV_E_BAD_REQUESTSUBJECT), so the builder leaves name bounds to the CA.
TEST(CsrDn, NameLengthBoundsAreLeftToTheCa) {
  const std::string long_cn = "CN=" + std::string(65, 'a');
  EXPECT_EQ(format_distinguished_name(parse_distinguished_name(long_cn).get()), long_cn);
  EXPECT_EQ(format_distinguished_name(parse_distinguished_name("C=DE").get()), "C=DE");
}

TEST(CsrDn, ErrorsNameTheBadPart) {
  struct Case {
    const char* text;
    const char* fragment;
  };
  const Case cases[] = {{"CN", "'CN'"},
                        {"CN=a,XX=1", "'XX=1'"},
                        {"C=USA", "'C=USA'"},
                        {"CN=a,,O=b", "empty RDN"},
                        {"=x", "'=x'"},
                        {"CN=a\\", "lone backslash"},
                        {"CN=\"a", "unterminated quote"},
                        {"/CN=a//O=b", "empty RDN"},
                        {"1.2.x=a", "'1.2.x=a'"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    try {
      parse_distinguished_name(c.text);
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(c.fragment), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace ceslab::core
