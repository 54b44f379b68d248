// SPDX-License-Identifier: GPL-2.0-or-later
// The golden request fixtures (tests/fixtures/wire/, see its README) as the
// wire-acceptance tests send them to the mock: only the address, the clock
// and the lab's credentials are changed, then each test changes the one thing
// its row is about (docs/wire-acceptance.md).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <regex>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "ceslab/wsdl/codec.hpp"

#include "fake_negotiate.hpp"
#include "lab_fixture.hpp"

namespace ceslab::mock::testing {

inline constexpr const char* kSoap12Type = "application/soap+xml; charset=utf-8";

// A change a row makes to a fixture's text.
using Edit = std::function<std::string(std::string)>;

inline std::string wire(const std::string& name) {
  return read_file(std::filesystem::path(CESLAB_FIXTURES_DIR) / "wire" / name);
}

// The fixture addressed to `to`, stamped now, with alice's lab credentials.
// ("$01": a one-digit "$1" would swallow the date's leading digits.)
inline std::string restamped(std::string xml, const std::string& to) {
  const auto now = std::chrono::system_clock::now();
  xml = std::regex_replace(xml, std::regex(R"((<a:To[^>]*>)[^<]*(</a:To>))"), "$01" + to + "$02");
  xml = std::regex_replace(xml, std::regex(R"((<u:Created>)[^<]*(</u:Created>))"),
                           "$01" + utc_timestamp(now) + "$02");
  xml = std::regex_replace(xml, std::regex(R"((<u:Expires>)[^<]*(</u:Expires>))"),
                           "$01" + utc_timestamp(now + std::chrono::minutes(5)) + "$02");
  xml = std::regex_replace(xml, std::regex(R"((<o:Username>)[^<]*(</o:Username>))"),
                           "$01" + kAlice.username + "$02");
  xml = std::regex_replace(xml, std::regex(R"((<o:Password[^>]*>)[^<]*(</o:Password>))"),
                           "$01" + kAlice.password + "$02");
  return xml;
}

// The lab every wire test runs against; Kerberos through the header stand-in.
inline MockServer wire_lab() {
  MockOptions options;
  options.kerberos_acceptor = fake_negotiate;
  return MockServer{std::move(options)};
}

// `fixture`, restamped for `server`'s endpoint and changed by `edit`, posted
// as it is; the HTTP exchange as it came back.
inline core::Exchange post_fixture(const MockServer& server, core::Service service,
                                   core::AuthMode auth, const std::string& fixture,
                                   const Edit& edit = {},
                                   const std::string& content_type = kSoap12Type) {
  const std::string url = server.endpoint_url(service, auth);
  std::string body = restamped(wire(fixture), url);
  if (edit) body = edit(std::move(body));
  std::vector<core::HttpHeader> headers;
  if (auth == core::AuthMode::kerberos) headers.push_back({kFakeKerberosUserHeader, "alice"});
  return post_raw(server, url, content_type, std::move(body), "POST", headers);
}

// The SOAP message of an answer (throws when there is none).
inline core::SoapMessage soap_answer(const core::Exchange& ex) {
  if (!ex.response) throw std::runtime_error("no answer: " + ex.error_message);
  return wsdl::read_message(ex.response->body);
}

// An answer of `status` with nothing in it: what IIS and WCF's encoder send
// where they refuse a request before any SOAP is written.
inline void expect_bare(const core::Exchange& ex, int status) {
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_EQ(ex.response->status, status);
  EXPECT_EQ(ex.response->body, "");
}

// What a layer below the service answers: WCF's generic fault, an addressing
// or a security fault, as "code/subcode: reason"; empty for anything else.
inline std::string layer_fault(const core::SoapMessage& m) {
  const auto* f = std::get_if<core::EnrollmentFault>(&m.body);
  if (f == nullptr || f->kind == core::FaultKind::enrollment_detail) return "";
  return f->code + "/" + f->subcode.value_or("") + ": " + f->reason;
}

}  // namespace ceslab::mock::testing
