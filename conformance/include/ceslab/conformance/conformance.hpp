// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab conformance --url URL` (docs/conformance.md): the rules MS-WSTEP and
// MS-XCEP (and the SOAP 1.2 and WS-Addressing they stand on) set for a
// server, each a case that carries its spec section, checked against one
// CES or CEP endpoint. Every request goes to that URL; cases that need
// credentials are SKIP without them. Each case is a runner::ScenarioResult so
// the run's table, JSON and JUnit report it.
#pragma once

#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/endpoint_names.hpp"
#include "ceslab/runner/suite.hpp"

namespace ceslab::conformance {

using core::Service;  // which endpoint kind a case applies to

// One rule a server must follow, as docs/conformance.md lists it.
struct CaseInfo {
  std::string id;       // "wstep/fault-detail"
  std::string section;  // "MS-WSTEP 3.1.4.1.3.7"
  std::string rule;     // one sentence: what the server must do
  std::vector<Service> services;
  bool needs_credentials = false;
  // Set: the case runs only with this option ("--template").
  std::string needs_option;
};

// Every case, in the order a run makes them.
std::vector<CaseInfo> all_cases();

struct ConformanceOptions {
  std::string
      url;  // https://HOST/<CA>_CES_<mode>/service.svc/CES or .../ADPolicyProvider_CEP_<mode>/...
  // The client's credentials; null: only the cases without credentials run.
  const client::Authenticator* auth = nullptr;
  client::TlsSettings tls;  // trust and timeouts (its client certificate is not used)
  // CES: a template the CA issues at once (one certificate is issued), and one
  // whose requests pend for a CA manager (a pending request is left behind).
  std::optional<std::string> issue_template;
  std::optional<std::string> pending_template;
};

struct ConformanceProgress {
  std::function<void(const runner::ScenarioResult&)> case_finished;
};

// Runs the cases that apply to the URL's service. Throws runner::TargetError
// for a URL that names no CES or CEP endpoint; never for what the server
// does. A stop request ends the run before the next case.
std::vector<runner::ScenarioResult> run_conformance(const ConformanceOptions& options,
                                                    const ConformanceProgress& progress = {},
                                                    std::stop_token stop = {});

}  // namespace ceslab::conformance
