// SPDX-License-Identifier: GPL-2.0-or-later
// Redaction of passwords in SOAP bodies (through the
// real codec, escaped or not) and private keys in every form they travel in.
#include "ceslab/client/redaction.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ceslab/client/capture.hpp"
#include "ceslab/core/base64.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "client/client_test_support.hpp"

namespace ceslab::client {
namespace {

TEST(Secrets, PasswordIsReplacedEverywhereAndCounted) {
  Secrets s;
  s.add_password("hunter2-long");
  RedactionCount count;
  EXPECT_EQ(s.redact("a hunter2-long b hunter2-long", &count), "a [redacted] b [redacted]");
  EXPECT_EQ(count.passwords, 2);
  EXPECT_EQ(count.private_keys, 0);
  EXPECT_EQ(s.redact("nothing here"), "nothing here");
  Secrets empty;
  empty.add_password("");  // ignored: an empty needle would match everywhere
  EXPECT_EQ(empty.redact("text"), "text");
}

TEST(Secrets, ReplacementsAreNeverScannedAgain) {
  Secrets s;
  s.add_password("dact");  // a substring of the placeholder itself
  EXPECT_EQ(s.redact("x dact y"), "x [redacted] y");
}

TEST(Secrets, EscapedFormsOfAPasswordAreFound) {
  Secrets s;
  s.add_password("a<b&c\"d");
  for (const char* text : {"a&lt;b&amp;c\"d", "a&lt;b&amp;c&quot;d", "a&#60;b&#38;c&#34;d",
                           "a&#x3C;b&#x26;c&#x22;d"}) {
    RedactionCount count;
    EXPECT_EQ(s.redact(std::string("<P>") + text + "</P>", &count), "<P>[redacted]</P>") << text;
    EXPECT_EQ(count.passwords, 1);
  }
}

// A UsernameToken with `password`, serialised by the real codec.
std::string rst_with_password(const std::string& password) {
  core::SoapMessage m;
  m.addressing.action = std::string(core::uri::kActionRstWstep);
  m.addressing.message_id = "urn:uuid:00000000-0000-4000-8000-000000000000";
  m.addressing.to = "https://ces.lab.test/CES";
  core::SecurityHeader security;
  core::UsernameToken token;
  token.username = "alice";
  token.password = password;
  security.username_token = token;
  m.security = security;
  m.body = core::RequestSecurityToken{};
  return wsdl::write_message(m);
}

TEST(RedactSoapBody, PasswordWithXmlSpecialsIsFoundInTheCodecsOutput) {
  const std::string password = "<p&ss\"w\xC3\xB6rd'>\t€";
  const std::string body = rst_with_password(password);
  // The codec escaped it, so a search for the password as typed finds nothing:
  ASSERT_EQ(body.find(password), std::string::npos);
  ASSERT_EQ(wsdl::read_message(body).security->username_token->password, password);
  Secrets s;
  s.add_password(password);
  const RedactedBody out = redact_soap_body(body, s);
  EXPECT_FALSE(out.reserialised);  // the escaped forms cover what the codec writes
  EXPECT_EQ(out.count.passwords, 1);
  const core::SoapMessage back = wsdl::read_message(out.text);
  EXPECT_EQ(back.security->username_token->password, "[redacted]");
  EXPECT_EQ(back.security->username_token->username, "alice");
}

TEST(RedactSoapBody, AnUnregisteredPasswordIsCaughtByTheCodecCheck) {
  const std::string body = rst_with_password("not-registered-secret");
  const RedactedBody out = redact_soap_body(body, Secrets{});
  EXPECT_TRUE(out.reserialised);
  EXPECT_EQ(out.text.find("not-registered-secret"), std::string::npos);
  EXPECT_EQ(wsdl::read_message(out.text).security->username_token->password, "[redacted]");
}

TEST(RedactSoapBody, APasswordThatIsAlsoMarkupIsStillRemoved) {
  // Replacing "Password" everywhere breaks the XML (element names), so the
  // codec check fails and the message is rewritten from its parse; the
  // textual pass then runs again: no leak, at the price of valid XML.
  const std::string body = rst_with_password("Password");
  Secrets s;
  s.add_password("Password");
  const RedactedBody out = redact_soap_body(body, s);
  EXPECT_TRUE(out.reserialised);
  EXPECT_EQ(out.text.find("Password"), std::string::npos) << out.text;
}

TEST(RedactSoapBody, NonSoapTextGetsTheTextualPass) {
  Secrets s;
  s.add_password("alice-password");
  const RedactedBody out = redact_soap_body("<html>alice-password</html>", s);
  EXPECT_EQ(out.text, "<html>[redacted]</html>");
  EXPECT_FALSE(out.reserialised);
}

class KeyRedaction : public ::testing::Test {
 protected:
  core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  std::string pem = core::private_key_to_pem(key.get());

  static core::Bytes pkcs8_der(EVP_PKEY* k) {
    unsigned char* out = nullptr;
    PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(k);
    const int len = i2d_PKCS8_PRIV_KEY_INFO(info, &out);
    PKCS8_PRIV_KEY_INFO_free(info);
    core::Bytes der(out, out + len);
    OPENSSL_free(out);
    return der;
  }
};

TEST_F(KeyRedaction, PemBlockOfAnyKeyLosesItsBody) {
  Secrets none;  // no key registered: PEM blocks go anyway
  RedactionCount count;
  const std::string out = none.redact("before\n" + pem + "after", &count);
  EXPECT_EQ(out,
            "before\n-----BEGIN PRIVATE KEY-----\n[redacted]\n-----END PRIVATE KEY-----\nafter");
  EXPECT_EQ(count.private_keys, 1);
  // A block without its END line is redacted to the end.
  EXPECT_EQ(none.redact("-----BEGIN RSA PRIVATE KEY-----\nMIIE"),
            "-----BEGIN RSA PRIVATE KEY-----\n[redacted]\n");
  // Certificates are not secrets.
  const std::string cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(none.redact(cert), cert);
}

TEST_F(KeyRedaction, RegisteredKeyIsFoundAsDerAndAsWrappedBase64) {
  Secrets s;
  s.add_private_key(key.get());
  const core::Bytes der = pkcs8_der(key.get());
  const std::string raw(der.begin(), der.end());
  RedactionCount count;
  EXPECT_EQ(s.redact("\x01\x02" + raw + "\x03", &count), "\x01\x02[redacted]\x03");
  EXPECT_EQ(count.private_keys, 1);
  // Inside XML, as the codec wraps base64 (64 columns, CRLF).
  const std::string wrapped = core::encode_base64_wrapped(der);
  const std::string redacted = s.redact("<BST>" + wrapped + "</BST>");
  EXPECT_EQ(redacted.find(wrapped.substr(0, 64)), std::string::npos) << redacted;
  // Every line of the PEM body is gone, even outside a PEM block.
  std::string body = pem.substr(pem.find('\n') + 1);
  body = body.substr(0, body.find("-----END"));
  const std::string scrubbed = s.redact(body);
  for (std::size_t start = 0; start < body.size();) {
    const auto end = body.find('\n', start);
    const std::string line = body.substr(start, end - start);
    if (line.size() >= 16) {
      EXPECT_EQ(scrubbed.find(line), std::string::npos) << line;
    }
    start = end + 1;
  }
}

TEST_F(KeyRedaction, OtherBase64IsLeftAlone) {
  Secrets s;
  s.add_private_key(key.get());
  const auto other = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  const std::string other_pem_body = core::private_key_to_pem(other.get());
  const std::string line = other_pem_body.substr(other_pem_body.find('\n') + 1, 64);
  EXPECT_EQ(s.redact(line), line);
}

TEST(Secrets, JsonStringsAreRedactedInPlace) {
  Secrets s;
  s.add_password("alice-password");
  nlohmann::json j = {{"a", "x alice-password"}, {"b", {1, "alice-password", {{"c", true}}}}};
  RedactionCount count;
  s.redact(j, &count);
  EXPECT_EQ(j["a"], "x [redacted]");
  EXPECT_EQ(j["b"][1], "[redacted]");
  EXPECT_EQ(j["b"][2]["c"], true);
  EXPECT_EQ(count.passwords, 2);
}

}  // namespace
}  // namespace ceslab::client
