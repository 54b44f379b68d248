// SPDX-License-Identifier: GPL-2.0-or-later
// Pre-deployment validation (docs/scenarios.md, "Pre-deployment validation:
// `--target`"): a few checks against a real CES or CEP endpoint — TLS, the
// authentication it offers and accepts, the CA behind CES (KET) or the
// policy CEP lists, and on request one real enrollment — each a
// ScenarioResult, so that the run's table, JSON and JUnit report them as
// they report scenarios. Only the URL's host:port is contacted; a failed
// check carries the diagnosis engine's verdict on the client's evidence.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/endpoint_names.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/runner/suite.hpp"

namespace ceslab::runner {

// The URL does not name a CES or CEP endpoint the way Windows names them;
// what() says what was expected.
class TargetError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// What the URL's path says about the endpoint, read as Windows names them
// (core/endpoint_names.hpp).
struct TargetEndpoint {
  std::string url;  // as given
  core::Url parsed;
  core::Service service = core::Service::ces;
  core::AuthMode mode = core::AuthMode::username;
};

// Throws TargetError: not https, no service.svc/CES or service.svc/CEP at
// the end of the path, or no _CES_<mode> / _CEP_<mode> application in it.
TargetEndpoint parse_target(std::string_view url);

struct TargetOptions {
  std::string url;
  // The client's credentials (`--auth` and its options); not owned, must
  // outlive run_target_checks.
  const client::Authenticator* auth = nullptr;
  // Trust (--ca-file, else the system store; --insecure), timeouts. Its
  // client certificate, if any, is ignored: the Authenticator's is used
  // where the mode needs one.
  client::TlsSettings tls;
  // Set: one real enrollment for this template (a certificate is issued).
  std::optional<std::string> template_name;
  core::KeySpec key{core::KeyAlgorithm::rsa, 2048, ""};
  std::string group = "target";
  // Set: each check's evidence (<check>.evidence.json) and, when it failed,
  // its diagnosis (<check>.diagnosis.txt), and the enrollment's key.pem,
  // cert.pem and chain.pem are written here.
  std::filesystem::path out_dir;
};

struct TargetProgress {
  std::function<void(const std::string& id)> check_started;
  std::function<void(const ScenarioResult&)> check_finished;
};

// Runs the checks in order and returns one result per check that applies:
//   <group>/tls             the TLS connection of the first exchange
//   <group>/authentication  an unauthenticated request, then one with `auth`
//   <group>/key-exchange    CES only: KET with `auth` (CES reaches the CA)
//   <group>/get-policies    CEP only: GetPolicies with `auth` lists templates
//   <group>/enroll          with a template only: one enrollment
// PASS: `reason` says what was seen. FAIL: `error` says what failed, `diffs`
// expected against actual, `verdict_client_only` the engine's verdict on
// the exchange's evidence (`verdict_with_events` stays empty: a real server's
// events are not read). SKIP: `reason` says why the check could not be made
// (an earlier one failed, or only another host could answer it). Throws
// TargetError for a URL parse_target refuses and std::invalid_argument
// without an authenticator; never for what the server does. A stop request
// ends the run before the next check.
std::vector<ScenarioResult> run_target_checks(const TargetOptions& options,
                                              const TargetProgress& progress = {},
                                              std::stop_token stop = {});

}  // namespace ceslab::runner
