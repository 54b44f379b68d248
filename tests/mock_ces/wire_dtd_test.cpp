// SPDX-License-Identifier: GPL-2.0-or-later
// A DTD in a request. SOAP forbids it (SOAP 1.2 Part 1, 5), and WCF's text
// reader refuses any "<!" that does not open a comment or a CDATA section:
// before the root element as CDATA invalid at the top level, inside it as a
// CDATA section expected (.NET source, System.Private.DataContractSerialization
// XmlUTF8TextReader.Read: XmlCDATAInvalidAtTopLevel, ReadCData's
// ThrowTokenExpected). Where it stands decides the answer, as for every XML
// error (docs/wire-acceptance.md, "XML"): in the prolog, the envelope or a
// header, WCF's encoder fails and the answer is a bare HTTP 400; in the body,
// the operation cannot read its request (WCF's generic fault, HTTP 500).
// Nothing is ever resolved.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "wire_fixture.hpp"

namespace ceslab::mock {
namespace {

core::Exchange post(MockServer& server, core::Service service, const char* fixture,
                    testing::Edit edit) {
  return testing::post_fixture(server, service, core::AuthMode::username, fixture, std::move(edit));
}

TEST(Dtd, BeforeTheEnvelopeIsABareBadRequest) {
  MockServer server = testing::wire_lab();
  server.start();
  const core::Exchange ex = post(server, core::Service::cep, "get_policies.xml", [](std::string b) {
    return "<!DOCTYPE s:Envelope [<!ENTITY lab \"alice\">]>\n" + b;
  });
  testing::expect_bare(ex, 400);
}

TEST(Dtd, AnEntityDeclarationInAHeaderIsABareBadRequest) {
  MockServer server = testing::wire_lab();
  server.start();
  const core::Exchange ex = post(server, core::Service::cep, "get_policies.xml", [](std::string b) {
    return std::regex_replace(b, std::regex("</o:Password>"), "<!ENTITY x \"y\"></o:Password>");
  });
  testing::expect_bare(ex, 400);
}

TEST(Dtd, InTheBodyIsWcfsGenericFaultAndNothingIsIssued) {
  MockServer server = testing::wire_lab();
  server.start();
  const core::Exchange ex =
      post(server, core::Service::ces, "rst_issue_pkcs10.xml", [](std::string b) {
        return std::regex_replace(b, std::regex("<Value>User</Value>"),
                                  "<Value>User<!DOCTYPE x></Value>");
      });
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_EQ(ex.response->status, 500);
  const core::SoapMessage m = testing::soap_answer(ex);
  EXPECT_EQ(testing::layer_fault(m).rfind("Receiver/InternalServiceFault", 0), 0u)
      << testing::layer_fault(m);
}

// The same characters inside a comment are a comment's text, which XML and
// WCF's reader take: the request is answered as without them.
TEST(Dtd, TheWordsInACommentAreNoDtd) {
  MockServer server = testing::wire_lab();
  server.start();
  const core::Exchange ex = post(server, core::Service::cep, "get_policies.xml", [](std::string b) {
    return std::regex_replace(b, std::regex("</o:Password>"), "</o:Password><!-- <!DOCTYPE x> -->");
  });
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_EQ(ex.response->status, 200) << ex.response->body;
}

}  // namespace
}  // namespace ceslab::mock
