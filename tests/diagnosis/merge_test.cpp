// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/diagnosis/merge.hpp"

#include <gtest/gtest.h>

namespace ceslab::diagnosis {
namespace {

using core::Evidence;

TEST(Merge, TheFirstRecordLeadsAndTheSecondFillsWhatItLacks) {
  Evidence client;
  client.operation = core::Operation::renew;
  client.auth = core::AuthMode::certificate;
  client.endpoint = "https://ces/Lab_CES_Certificate/service.svc/CES";
  client.http = core::HttpEvidence{500, "Internal Server Error", {}, 10, {}};
  client.messages = {"line one", "shared line"};
  client.kerberos.forwardable = true;

  Evidence events;
  events.operation = core::Operation::unknown;
  events.auth = std::nullopt;
  events.endpoint = "https://elsewhere/";
  events.http = core::HttpEvidence{401, "Unauthorized", {}, 0, {}};
  events.messages = {"shared line", "line two"};
  events.kerberos.forwardable = false;
  events.kerberos.ok_as_delegate = true;
  events.server_events.push_back({"Application", "Microsoft-Windows-CertificationAuthority", 53,
                                  "Warning", "ca", "", "denied"});

  merge_into(client, events);
  EXPECT_EQ(client.operation, core::Operation::renew);
  EXPECT_EQ(client.auth, core::AuthMode::certificate);
  EXPECT_EQ(client.endpoint, "https://ces/Lab_CES_Certificate/service.svc/CES");
  EXPECT_EQ(client.http->status, 500);
  EXPECT_EQ(client.messages, (std::vector<std::string>{"line one", "shared line", "line two"}));
  EXPECT_EQ(client.kerberos.forwardable, true);
  EXPECT_EQ(client.kerberos.ok_as_delegate, true);
  ASSERT_EQ(client.server_events.size(), 1u);
  EXPECT_EQ(client.server_events[0].id, 53);
}

TEST(Merge, ARecordWithoutAnExchangeTakesWhatItLacks) {
  Evidence text;
  text.operation = core::Operation::unknown;
  text.auth = std::nullopt;
  text.messages = {"Taken Under Submission"};
  Evidence client;
  client.operation = core::Operation::enroll;
  client.auth = core::AuthMode::username;
  client.outcome = core::Outcome::pending;
  client.response = core::ResponseEvidence{
      "Taken Under Submission", "17", "https://ces/x", false, std::nullopt, ""};
  merge_into(text, client);
  EXPECT_EQ(text.operation, core::Operation::enroll);
  EXPECT_EQ(text.auth, core::AuthMode::username);
  EXPECT_EQ(text.outcome, core::Outcome::pending);
  ASSERT_TRUE(text.response);
  EXPECT_EQ(text.response->request_id, "17");
}

}  // namespace
}  // namespace ceslab::diagnosis
