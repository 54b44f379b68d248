// SPDX-License-Identifier: GPL-2.0-or-later
// WCF's quotas on what a CES/CEP binding reads, world settings at Windows'
// defaults (docs/world.md, "WCF's quotas"), each answered as IIS + WCF
// answer it (docs/wire-acceptance.md, "XML" and "Quotas"):
// - maxReceivedMessageSize (65,536 bytes): a bigger body gets a bare 413;
// - XmlDictionaryReaderQuotas.MaxDepth (32, the Envelope is 1): deeper
//   nesting in the envelope or a header gets a bare 400, in the body WCF's
//   generic fault;
// and two things WCF's text encoder does with the envelope itself: a UTF-16
// body (charset=utf-16, with its byte order mark) is read like a UTF-8 one,
// and a SOAP 1.1 envelope on a SOAP 1.2 binding gets a bare 400.
#include <gtest/gtest.h>
#include <iconv.h>

#include <regex>
#include <stdexcept>
#include <string>

#include "wire_fixture.hpp"

namespace ceslab::mock {
namespace {

using testing::Edit;
using testing::expect_bare;
using testing::layer_fault;

// The wire lab with the binding quotas given (docs/world.md; the YAML keys
// are read in world_test.cpp).
MockServer lab_with_quotas(const WcfQuotas& quotas) {
  MockOptions options;
  options.kerberos_acceptor = testing::fake_negotiate;
  options.world.ces.quotas = quotas;
  return MockServer{std::move(options)};
}

// The fixture grown to exactly `size` bytes by white space before </s:Envelope>.
Edit padded_to(std::size_t size) {
  return [=](std::string b) {
    const std::size_t at = b.rfind("</s:Envelope>");
    if (at == std::string::npos || b.size() > size) throw std::logic_error("cannot pad");
    b.insert(at, std::string(size - b.size(), ' '));
    return b;
  };
}

core::Exchange get_policies(const MockServer& server, const Edit& edit,
                            const std::string& content_type = testing::kSoap12Type) {
  return testing::post_fixture(server, core::Service::cep, core::AuthMode::username,
                               "get_policies.xml", edit, content_type);
}

void expect_policy(const core::Exchange& ex) {
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_EQ(ex.response->status, 200);
  const core::SoapMessage m = testing::soap_answer(ex);
  EXPECT_EQ(layer_fault(m), "");
  EXPECT_TRUE(std::holds_alternative<core::GetPoliciesResponse>(m.body));
}

TEST(MaxReceivedMessageSize, DefaultTakesExactly65536Bytes) {
  MockServer server = testing::wire_lab();
  server.start();
  expect_policy(get_policies(server, padded_to(65536)));
  expect_bare(get_policies(server, padded_to(65537)), 413);
}

TEST(MaxReceivedMessageSize, IsAWorldSetting) {
  MockServer server = lab_with_quotas({200000, 32});
  server.start();
  expect_policy(get_policies(server, padded_to(150000)));
  expect_bare(get_policies(server, padded_to(200001)), 413);
}

// `levels` nested elements of an unknown, optional header block (WCF skips
// it): with the Envelope, the Header and the block, the deepest element is
// at depth levels + 2.
Edit nested_header(int levels) {
  return [=](std::string b) {
    std::string block;
    for (int i = 0; i < levels; ++i) block += "<x:n xmlns:x=\"urn:ceslab:test\">";
    for (int i = 0; i < levels; ++i) block += "</x:n>";
    return std::regex_replace(b, std::regex("</s:Header>"), block + "</s:Header>");
  };
}

TEST(MaxDepth, DefaultIs32WithTheEnvelopeAt1) {
  MockServer server = testing::wire_lab();
  server.start();
  expect_policy(get_policies(server, nested_header(30)));
  expect_bare(get_policies(server, nested_header(31)), 400);
}

TEST(MaxDepth, IsAWorldSetting) {
  MockServer server = lab_with_quotas({65536, 64});
  server.start();
  expect_policy(get_policies(server, nested_header(62)));
  expect_bare(get_policies(server, nested_header(63)), 400);
}

// Too deep inside the body: the operation cannot read its request.
TEST(MaxDepth, InTheBodyIsWcfsGenericFault) {
  MockServer server = testing::wire_lab();
  server.start();
  const core::Exchange ex = get_policies(server, [](std::string b) {
    std::string nested;
    for (int i = 0; i < 40; ++i) nested += "<n>";
    for (int i = 0; i < 40; ++i) nested += "</n>";
    return std::regex_replace(b, std::regex("</client>"), nested + "</client>");
  });
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_EQ(ex.response->status, 500);
  EXPECT_EQ(layer_fault(testing::soap_answer(ex)).rfind("Receiver/InternalServiceFault", 0), 0u);
}

// `utf8` as UTF-16LE with its byte order mark, by glibc's iconv.
std::string utf16le_with_bom(const std::string& utf8) {
  iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv_open");
  std::string out(utf8.size() * 4 + 2, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* to = out.data();
  std::size_t to_left = out.size();
  const std::size_t done = iconv(cd, &in, &in_left, &to, &to_left);
  iconv_close(cd);
  if (done == static_cast<std::size_t>(-1)) throw std::runtime_error("iconv");
  out.resize(out.size() - to_left);
  return "\xFF\xFE" + out;
}

TEST(Utf16Body, IsReadAsWcfsTextEncoderReadsIt) {
  MockServer server = testing::wire_lab();
  server.start();
  expect_policy(get_policies(server, utf16le_with_bom, "application/soap+xml; charset=utf-16"));
}

// The same GetPolicies in a SOAP 1.1 envelope, still sent as application/soap+xml.
TEST(Soap11Envelope, UnderTheSoap12MediaTypeIsABareBadRequest) {
  MockServer server = testing::wire_lab();
  server.start();
  expect_bare(get_policies(server,
                           [](std::string b) {
                             return std::regex_replace(
                                 b, std::regex("http://www.w3.org/2003/05/soap-envelope"),
                                 "http://schemas.xmlsoap.org/soap/envelope/");
                           }),
              400);
}

}  // namespace
}  // namespace ceslab::mock
