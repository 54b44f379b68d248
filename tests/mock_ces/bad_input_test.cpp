// SPDX-License-Identifier: GPL-2.0-or-later
// A barrage of bad input against a lab with a pending request: every answer
// is the one Windows gives (never a crash or a hang), and nothing already
// accepted is lost: the pending request is untouched and ids keep counting.
#include <gtest/gtest.h>

#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/request_store.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "lab_fixture.hpp"
#include "soap_requests.hpp"

namespace ceslab::mock {
namespace {

using testing::enroll_alice;
using testing::first_message;
using testing::kAlice;
using testing::post_raw;
using testing::TempDir;
using testing::tls_for;

namespace uri = core::uri;

// An Issue from alice whose BST carries `blob` as given.
core::SoapMessage issue_with(const std::string& url, core::Bytes blob) {
  core::SoapMessage m =
      test_support::issue_request(url, client::new_message_id(), std::move(blob), "User");
  m.security = test_support::username_security({kAlice.username, kAlice.password});
  return m;
}

TEST(BadInput, NeverLosesAStoredRequest) {
  TempDir state;
  MockOptions options;
  options.state_dir = state.path();
  MockServer server(std::move(options));
  server.start();
  const std::string url = server.endpoint_url(core::Service::ces, core::AuthMode::username);
  const client::EnrollResult pending = enroll_alice(server, "ManualApproval");
  ASSERT_EQ(pending.status, client::EnrollStatus::pending) << first_message(pending);
  RequestStore officer = RequestStore::open(state.path() / LabCa::kStoreFile);
  const std::optional<StoredRequest> before = officer.find(std::stoll(pending.request_id));
  ASSERT_TRUE(before);

  const std::string soap = "application/soap+xml; charset=utf-8";
  struct Case {
    std::string what;
    core::Exchange exchange;
    int status;
  };
  std::vector<Case> cases;
  cases.push_back(
      {"malformed XML", post_raw(server, url, soap, "<s:Envelope><s:Body><unclosed>"), 500});
  cases.push_back(
      // Before the envelope WCF's encoder refuses it: a bare 400 (docs/wire-acceptance.md).
      {"a DTD", post_raw(server, url, soap, "<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>"), 400});
  cases.push_back(
      {"oversize body", post_raw(server, url, soap, std::string(2 * 1024 * 1024, 'x')), 413});
  cases.push_back({"wrong content type", post_raw(server, url, "text/xml", "<x/>"), 415});
  cases.push_back({"GET", post_raw(server, url, soap, "", "GET"), 405});
  cases.push_back({"empty body", post_raw(server, url, soap, ""), 500});
  // Well-formed up to a point, as WCF's XmlReader judges it: an end tag that
  // does not match, and a second root after </s:Envelope> (XML 1.0, 2.1).
  std::string valid = wsdl::write_message(issue_with(url, {0x30, 0x03, 0x01}));
  std::string mismatched = valid;
  const std::string end_rst = "RequestSecurityToken>";  // the close tag, whatever its prefix
  ASSERT_NE(mismatched.rfind(end_rst), std::string::npos);
  mismatched.replace(mismatched.rfind(end_rst), end_rst.size(), "RequestSecurityTokenX>");
  // Read leniently, either would reach the CA and get its fault for the bad
  // DER; refused as XML, each gets WCF's generic fault.
  for (const auto& [what, body] : {std::pair{"mismatched end tag", mismatched},
                                   std::pair{"content after the envelope", valid + "<x/>"}}) {
    const core::Exchange ex = post_raw(server, url, soap, body);
    ASSERT_TRUE(ex.response) << what;
    EXPECT_NE(ex.response->body.find("InternalServiceFault"), std::string::npos) << what;
    cases.push_back({what, ex, 500});
  }
  for (const Case& c : cases) {
    ASSERT_TRUE(c.exchange.response) << c.what << ": " << c.exchange.error_message;
    EXPECT_EQ(c.exchange.response->status, c.status) << c.what;
  }

  // Garbage DER and a truncated CMC reach the CA: each gets an id and fails.
  const client::SoapCall garbage =
      client::call(url, issue_with(url, {0x30, 0x03, 0x01}), tls_for(server));
  ASSERT_TRUE(garbage.reply) << garbage.parse_error;
  const auto& f = std::get<core::EnrollmentFault>(garbage.reply->body);
  EXPECT_EQ(f.error_code, static_cast<std::int32_t>(0x8009310Bu));
  ASSERT_TRUE(f.request_id);
  EXPECT_GT(std::stoll(*f.request_id), before->id);
  const auto failed = officer.find(std::stoll(*f.request_id));
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->disposition, Disposition::failed);

  // The pending request is exactly as it was, and can still be approved and issued.
  EXPECT_EQ(officer.find(before->id), before);
  ASSERT_TRUE(officer.approve(before->id));
  client::RetrieveRequest retrieve{url, pending.request_id, kAlice, {}, {}};
  const client::EnrollResult issued = client::retrieve(retrieve, tls_for(server));
  EXPECT_EQ(issued.status, client::EnrollStatus::issued) << first_message(issued);
  // Ids keep counting: nothing was reused or rolled back.
  const client::EnrollResult next = enroll_alice(server);
  ASSERT_EQ(next.status, client::EnrollStatus::issued);
  EXPECT_GT(std::stoll(next.request_id), std::stoll(*f.request_id));
}

}  // namespace
}  // namespace ceslab::mock
