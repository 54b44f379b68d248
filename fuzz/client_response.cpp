// SPDX-License-Identifier: GPL-2.0-or-later
// What the client makes of a CES/CEP answer: the bytes are the body of an
// HTTP answer with Content-Type application/soap+xml (status 200, or 500
// when the body holds a fault, as WCF sends them), read as enroll() and
// get_policies() read theirs, then turned into evidence.
#include "bytes.hpp"
#include "ceslab/client/enroll.hpp"
#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/client/policy.hpp"
#include "ceslab/client/soap_call.hpp"
#include "targets.hpp"

namespace ceslab::fuzz {
namespace {

client::SoapCall answered(std::string_view body) {
  client::SoapCall call;
  call.url = "https://127.0.0.1/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES";
  core::HttpResponse response;
  response.status = body.find("Fault") != std::string_view::npos ? 500 : 200;
  response.headers.push_back({"Content-Type", "application/soap+xml; charset=utf-8"});
  response.body = std::string(body);
  call.exchange.response = std::move(response);
  client::read_answer(call);
  return call;
}

}  // namespace

int client_response(const std::uint8_t* data, std::size_t size) {
  const client::SoapCall call = answered(as_text(data, size));

  client::EnrollResult enrolled;
  enrolled.call = call;
  try {
    client::read_reply(enrolled);
    (void)client::evidence_of(enrolled, core::Operation::enroll, core::AuthMode::username);
  } catch (const core::CryptoError&) {
    // read_reply: an issued certificate or CMC response that does not parse.
  }

  const client::PolicyResult policy = client::policy_result(call);
  (void)client::evidence_of(policy.call, core::Operation::policy, core::AuthMode::username);
  if (policy.response && policy.response->policies) {
    // The URIs for each template the policy lists, as enroll_via_policy
    // looks them up (also through dangling references).
    for (const core::PolicyTemplate& t : *policy.response->policies) {
      try {
        (void)client::ces_uris_for(*policy.response, t.common_name, core::AuthMode::username);
      } catch (const client::PolicyError&) {
      }
    }
  }
  return 0;
}

}  // namespace ceslab::fuzz
