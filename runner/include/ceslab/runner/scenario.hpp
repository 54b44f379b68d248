// SPDX-License-Identifier: GPL-2.0-or-later
// A scenario (docs/scenarios.md): one reproducible enrollment story as data.
// A world overlaid on the default lab, the client's settings, the steps the
// client and the CA's officer take, and what must be seen on both sides —
// the wire, the server's events, the client's exit code, and the diagnosis
// made twice: from the client's evidence alone (what a customer has) and
// with the server's events (what an admin collects).
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/client/auth.hpp"
#include "ceslab/core/data_file_error.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::diagnosis {
class Catalog;
}

namespace ceslab::runner {

// A scenario file that could not be accepted. what() reads
// "<file>:<line>: <problem>".
using ScenarioError = core::DataFileError;

// How the client authenticates is a core::AuthMode, named in the file as
// `ceslab enroll --auth` names it (client::cli_name).

// Which server certificate the client trusts.
enum class Trust {
  lab_ca,  // the lab CA (--ca-file): the healthy case
  system,  // the system store only, which does not know the lab CA
};

// Where the client's TLS client certificate comes from (cert auth).
enum class ClientCertificate {
  issued,   // the certificate an earlier step of this scenario got
  foreign,  // a self-signed one the lab CA never issued
};

// The client's settings: the request side of the story. Each can also be
// given to `ceslab enroll`.
struct ClientSettings {
  core::AuthMode auth = core::AuthMode::username;
  std::string account = "alice";
  std::optional<std::string> password;  // unset: the account's own
  bool credential_guard = false;
  int clock_skew_minutes = 0;
  bool channel_binding = true;
  std::string key = "rsa2048";
  bool pkcs10 = false;  // a bare PKCS#10 (as cepces sends) instead of CMC
  Trust trust = Trust::lab_ca;
  ClientCertificate certificate = ClientCertificate::issued;
};

enum class StepKind { enroll, renew, retrieve, approve, deny, policy };
std::string_view to_string(StepKind kind);

struct EventExpectation {
  std::string log;
  std::string source;
  int id = 0;
  bool operator==(const EventExpectation&) const = default;
};

// The fault fields a step must show; each unset field is not checked.
struct FaultExpectation {
  std::optional<std::string> code;     // "Receiver", "Sender"
  std::optional<std::string> subcode;  // local name: "InvalidSecurity", ...
  std::optional<std::string> reason;
  std::optional<std::string> error_code;  // symbolic name or 0x........
  std::optional<bool> invalid_request;
};

// What one step must show; each unset member is not checked.
struct StepExpectation {
  std::optional<std::string> outcome;  // issued | pending | failed | answered
  std::optional<int> http_status;      // 0: no HTTP response at all
  bool no_fault = false;               // `fault: none`
  std::optional<FaultExpectation> fault;
  std::optional<bool> request_id;  // RequestID present (true) or nil (false)
  // Exactly these server events (log, source, id), in the order logged,
  // during the step (for the last step: since the world started, less what
  // earlier steps logged).
  std::optional<std::vector<EventExpectation>> events;
  std::optional<int> exit_code;          // as `ceslab enroll/renew/retrieve/policy` exits
  std::optional<std::size_t> templates;  // policy: how many templates GetPolicies listed
};

// A verdict the engine must reach from one body of evidence.
struct DiagnosisExpectation {
  std::string verdict;  // a cause id or "unknown"
  // Causes the report must list among its candidates (any rank).
  std::vector<std::string> candidates;
  // With "unknown": exactly the causes that cannot be told apart.
  std::optional<std::vector<std::string>> tied;
  // Causes that must be neither the verdict nor tied.
  std::vector<std::string> not_causes;
};

struct Step {
  StepKind kind = StepKind::enroll;
  int line = 0;
  std::string template_name;  // enroll; renew (optional)
  bool via_policy = false;    // enroll: ask CEP for the CES URIs (as Windows does)
  std::optional<core::AuthMode> auth;
  std::optional<std::string> url;  // the endpoint, "{base}" = the mock's base URL
  std::optional<std::string> subject;
  std::optional<std::string> key;
  std::optional<ClientCertificate> certificate;  // cert auth / renew: which certificate
  std::optional<StepExpectation> expect;         // intermediate steps
};

struct Scenario {
  std::string id;     // "<group>/<name>"
  std::string group;  // the folder under scenarios/
  std::string name;
  std::string summary;
  std::vector<std::string> sources;
  std::optional<std::string> cause;  // the catalog cause this scenario reproduces
  bool recorded = false;             // may serve a recorded response (world `replay:`)
  std::filesystem::path file;
  int line = 1;
  mock::World world;
  // The world overlay as the file writes it, one "path: value" per setting
  // in file order: mappings by key ("ca.state: offline"), accounts and
  // templates by name ("accounts[alice].email: null"), anything else whole
  // in YAML flow style ("ca.acl: [{principal: ...}]"). Empty: the default
  // lab. What docs/mock-coverage.md calls the world setting.
  std::vector<std::string> world_settings;
  ClientSettings client;
  std::vector<Step> steps;
  StepExpectation expect;  // the last step's
  DiagnosisExpectation client_only;
  DiagnosisExpectation with_server_events;
  bool uses_kerberos() const;
};

// Reads a scenario file. The group is the name of its folder. Validates it
// whole: unknown keys, types, step kinds, cause ids not in `catalog`,
// accounts and templates the world lacks, a `replay:` in a scenario not
// marked `recorded`. Throws ScenarioError with file:line.
Scenario load_scenario(const std::filesystem::path& file, const diagnosis::Catalog& catalog);
Scenario parse_scenario(std::string_view yaml, const std::filesystem::path& file,
                        const diagnosis::Catalog& catalog);

// Several files: each loaded, every error kept (a lint reports them all).
struct LoadedScenarios {
  std::vector<Scenario> scenarios;
  std::vector<std::string> errors;  // "file:line: problem"
};
LoadedScenarios load_scenarios(const std::vector<std::filesystem::path>& files,
                               const diagnosis::Catalog& catalog);

// Whether a `ceslab run PATTERN` names the scenario: its id or its group,
// or a shell pattern over its id ("causes/ca_*", "*kerberos*").
bool matches(const Scenario& scenario, std::string_view pattern);

// Every *.yaml under `dir`, one folder deep (<group>/<name>.yaml), sorted by id.
std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& dir);

// The bundled scenarios: next to an installed binary
// (<prefix>/share/ceslab/scenarios), else the source tree's scenarios/.
// Empty when neither exists.
std::filesystem::path bundled_scenarios_dir();

}  // namespace ceslab::runner
