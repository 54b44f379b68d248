// SPDX-License-Identifier: GPL-2.0-or-later
// Reads and validates scenario files (docs/scenarios.md is the schema).
#include <yaml-cpp/yaml.h>

#include <fnmatch.h>

#include <algorithm>
#include <set>

#include "ceslab/core/codes.hpp"
#include "ceslab/core/yaml_reader.hpp"
#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/runner/scenario.hpp"

namespace ceslab::runner {
namespace {

using Keys = core::KeyNames;

// file:line errors for every problem, naming the known choices
// (core/yaml_reader.hpp); `strings` is the scenario's own: one string may
// stand for a list of one.
class Reader : public core::YamlReader {
 public:
  using core::YamlReader::YamlReader;

  std::vector<std::string> strings(const YAML::Node& node, std::string_view key,
                                   std::string_view what) const {
    const YAML::Node v = node[std::string(key)];
    if (v && v.IsScalar()) return {v.Scalar()};
    return list(node, key, what);
  }
};

// The `--auth` names (core::cli_name); a client always authenticates somehow.
std::optional<core::AuthMode> read_auth(const Reader& r, const YAML::Node& n) {
  const YAML::Node v = n["auth"];
  if (!v) return std::nullopt;
  const std::string value = v.IsScalar() ? v.Scalar() : "";
  if (const auto mode = core::auth_mode_from_cli_name(value);
      mode && *mode != core::AuthMode::anonymous) {
    return mode;
  }
  r.fail(v, "'auth' must be one of username, kerberos, cert, not '" + value + "'");
}

std::optional<ClientCertificate> read_certificate(const Reader& r, const YAML::Node& n) {
  return r.choice<ClientCertificate>(
      n, "certificate",
      {{"issued", ClientCertificate::issued}, {"foreign", ClientCertificate::foreign}});
}

ClientSettings read_client(const Reader& r, const YAML::Node& n) {
  ClientSettings c;
  if (!n) return c;
  r.expect_map(n, "client",
               {"auth", "account", "password", "credential_guard", "clock_skew_minutes",
                "channel_binding", "key", "pkcs10", "trust", "certificate"});
  c.auth = read_auth(r, n).value_or(c.auth);
  c.account = r.optional_text(n, "account", "client").value_or(c.account);
  c.password = r.optional_text(n, "password", "client");
  c.credential_guard = r.flag(n, "credential_guard").value_or(false);
  c.clock_skew_minutes = r.integer(n, "clock_skew_minutes", -100000, 100000).value_or(0);
  c.channel_binding = r.flag(n, "channel_binding").value_or(true);
  c.key = r.optional_text(n, "key", "client").value_or(c.key);
  c.pkcs10 = r.flag(n, "pkcs10").value_or(false);
  c.trust = r.choice<Trust>(n, "trust", {{"lab_ca", Trust::lab_ca}, {"system", Trust::system}})
                .value_or(Trust::lab_ca);
  c.certificate = read_certificate(r, n).value_or(ClientCertificate::issued);
  return c;
}

std::vector<EventExpectation> read_events(const Reader& r, const YAML::Node& n) {
  if (!n.IsSequence()) r.fail(n, "'events' must be a list (use [] for none)");
  std::vector<EventExpectation> events;
  for (const auto& e : n) {
    r.expect_map(e, "event", {"log", "source", "id"});
    events.push_back({r.text(e, "log", "event"), r.text(e, "source", "event"),
                      r.integer(e, "id", 0, 65535).value_or(0)});
    if (!e["id"]) r.fail(e, "event needs 'id'");
  }
  return events;
}

StepExpectation read_step_expectation(const Reader& r, const YAML::Node& n, Keys keys) {
  r.expect_map(n, "expect", keys);
  StepExpectation x;
  if (const YAML::Node o = n["outcome"]) {
    x.outcome = r.choice<std::string>(n, "outcome",
                                      {{"issued", "issued"},
                                       {"pending", "pending"},
                                       {"failed", "failed"},
                                       {"answered", "answered"}});
  }
  if (const YAML::Node h = n["http_status"]) {
    x.http_status = h.IsScalar() && h.Scalar() == "none"
                        ? 0
                        : r.integer(n, "http_status", 100, 599).value_or(0);
  }
  if (const YAML::Node f = n["fault"]) {
    if (f.IsScalar() && f.Scalar() == "none") {
      x.no_fault = true;
    } else {
      r.expect_map(f, "expect fault",
                   {"code", "subcode", "reason", "error_code", "invalid_request"});
      FaultExpectation fault;
      fault.code = r.optional_text(f, "code", "expect fault");
      fault.subcode = r.optional_text(f, "subcode", "expect fault");
      fault.reason = r.optional_text(f, "reason", "expect fault");
      fault.error_code = r.optional_text(f, "error_code", "expect fault");
      if (fault.error_code && !core::CodeTable::builtin().parse_code(*fault.error_code)) {
        r.fail(f["error_code"], "'" + *fault.error_code +
                                    "' is no code the code table knows (core/data/codes.yaml) "
                                    "and no hex value");
      }
      fault.invalid_request = r.flag(f, "invalid_request");
      x.fault = fault;
    }
  }
  x.request_id = r.choice<bool>(n, "request_id", {{"present", true}, {"nil", false}});
  if (const YAML::Node e = n["events"]) x.events = read_events(r, e);
  if (auto code = r.integer(n, "exit_code", 0, 255)) x.exit_code = *code;
  if (auto t = r.integer(n, "templates", 0, 100000)) x.templates = static_cast<std::size_t>(*t);
  return x;
}

void check_cause(const Reader& r, const YAML::Node& at, const std::string& id,
                 const diagnosis::Catalog& catalog) {
  if (id == diagnosis::kUnknown || id == diagnosis::kSucceeded || catalog.find(id) != nullptr)
    return;
  r.fail(at, "'" + id + "' is no cause of the catalog (diagnosis/catalog/*.yaml)");
}

DiagnosisExpectation read_diagnosis(const Reader& r, const YAML::Node& n, std::string_view what,
                                    const diagnosis::Catalog& catalog) {
  DiagnosisExpectation d;
  if (n.IsScalar()) {
    d.verdict = n.Scalar();
    check_cause(r, n, d.verdict, catalog);
    return d;
  }
  r.expect_map(n, what, {"verdict", "candidates", "tied", "not"});
  d.verdict = r.text(n, "verdict", what);
  check_cause(r, n["verdict"], d.verdict, catalog);
  d.candidates = r.strings(n, "candidates", what);
  for (const auto& id : d.candidates) check_cause(r, n["candidates"], id, catalog);
  if (n["tied"]) {
    d.tied = r.strings(n, "tied", what);
    for (const auto& id : *d.tied) check_cause(r, n["tied"], id, catalog);
    if (d.verdict != diagnosis::kUnknown) {
      r.fail(n["tied"], "'tied' goes with verdict unknown (the causes it cannot tell apart)");
    }
  }
  d.not_causes = r.strings(n, "not", what);
  for (const auto& id : d.not_causes) {
    check_cause(r, n["not"], id, catalog);
    if (id == d.verdict) r.fail(n["not"], "'" + id + "' is both the verdict and under 'not'");
  }
  return d;
}

constexpr std::string_view kStepExpectKeys[] = {"outcome", "http_status", "fault",    "request_id",
                                                "events",  "exit_code",   "templates"};

Step read_step(const Reader& r, const YAML::Node& n) {
  if (!n.IsMap() || n.size() != 1) {
    r.fail(n, "a step is a mapping with one key: enroll, renew, retrieve, approve, deny or policy");
  }
  const auto kv = *n.begin();
  Step s;
  s.line = kv.first.Mark().line + 1;
  const std::string kind = kv.first.Scalar();
  static const std::pair<std::string_view, StepKind> kinds[] = {
      {"enroll", StepKind::enroll},   {"renew", StepKind::renew}, {"retrieve", StepKind::retrieve},
      {"approve", StepKind::approve}, {"deny", StepKind::deny},   {"policy", StepKind::policy}};
  const auto* found = std::find_if(std::begin(kinds), std::end(kinds),
                                   [&](const auto& k) { return k.first == kind; });
  if (found == std::end(kinds)) {
    r.fail(kv.first,
           "unknown step '" + kind + "' (known: enroll, renew, retrieve, approve, deny, policy)");
  }
  s.kind = found->second;
  YAML::Node body = kv.second;
  if (body.IsNull()) body = YAML::Node(YAML::NodeType::Map);
  const std::string what = kind + " step";
  switch (s.kind) {
    case StepKind::enroll:
      r.expect_map(body, what,
                   {"template", "via", "auth", "url", "subject", "key", "certificate", "expect"});
      s.template_name = r.text(body, "template", what);
      s.via_policy =
          r.choice<bool>(body, "via", {{"ces", false}, {"policy", true}}).value_or(false);
      break;
    case StepKind::renew:
      r.expect_map(body, what, {"template", "auth", "url", "key", "certificate", "expect"});
      s.template_name = r.optional_text(body, "template", what).value_or("");
      break;
    case StepKind::retrieve:
    case StepKind::policy:
      r.expect_map(body, what, {"auth", "url", "expect"});
      break;
    case StepKind::approve:
    case StepKind::deny:
      r.expect_map(body, what, {"expect"});
      break;
  }
  s.auth = read_auth(r, body);
  s.url = r.optional_text(body, "url", what);
  s.subject = r.optional_text(body, "subject", what);
  s.key = r.optional_text(body, "key", what);
  s.certificate = read_certificate(r, body);
  if (const YAML::Node x = body["expect"]) s.expect = read_step_expectation(r, x, kStepExpectKeys);
  return s;
}

// A value as one line of YAML: a scalar as written, null as "null", a
// collection in flow style ("[a, b]", "{key: value}") whatever style the
// file used.
std::string one_line(const YAML::Node& value) {
  if (!value || value.IsNull()) return "null";
  if (value.IsScalar()) return value.Scalar();
  std::string out;
  if (value.IsSequence()) {
    for (const auto& item : value) out += (out.empty() ? "" : ", ") + one_line(item);
    return "[" + out + "]";
  }
  for (const auto& kv : value) {
    out += (out.empty() ? "" : ", ") + kv.first.Scalar() + ": " + one_line(kv.second);
  }
  return "{" + out + "}";
}

// The overlay's settings as "path: value" lines (Scenario::world_settings).
// `accounts` and `templates` merge on `name` (docs/scenarios.md), so their
// entries are named by it.
void flatten_world(const YAML::Node& node, const std::string& path, std::vector<std::string>& out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      flatten_world(kv.second, path.empty() ? key : path + "." + key, out);
    }
    return;
  }
  if ((path == "accounts" || path == "templates") && node.IsSequence()) {
    for (const auto& entry : node) {
      if (!entry.IsMap() || !entry["name"] || !entry["name"].IsScalar()) {
        out.push_back(path + "[]: " + one_line(entry));
        continue;
      }
      const std::string named = path + "[" + entry["name"].Scalar() + "]";
      bool any = false;
      for (const auto& kv : entry) {
        if (kv.first.Scalar() == "name") continue;
        flatten_world(kv.second, named + "." + kv.first.Scalar(), out);
        any = true;
      }
      if (!any) out.push_back(named + ": {}");
    }
    return;
  }
  out.push_back(path + ": " + one_line(node));
}

void check_world_names(const Reader& r, const YAML::Node& root, const Scenario& s) {
  if (s.world.find_account(s.client.account) == nullptr) {
    std::string names;
    for (const auto& a : s.world.accounts) names += (names.empty() ? "" : ", ") + a.name;
    r.fail(root["client"] ? root["client"]["account"] : root,
           "the world has no account '" + s.client.account + "' (accounts: " + names + ")");
  }
  const YAML::Node steps = root["steps"];
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    const Step& step = s.steps[i];
    if (step.template_name.empty() || s.world.find_template(step.template_name) != nullptr) {
      continue;
    }
    std::string names;
    for (const auto& t : s.world.templates) names += (names.empty() ? "" : ", ") + t.name;
    r.fail(steps[i],
           "the world has no template '" + step.template_name + "' (templates: " + names + ")");
  }
}

}  // namespace

std::string_view to_string(StepKind kind) {
  switch (kind) {
    case StepKind::enroll:
      return "enroll";
    case StepKind::renew:
      return "renew";
    case StepKind::retrieve:
      return "retrieve";
    case StepKind::approve:
      return "approve";
    case StepKind::deny:
      return "deny";
    case StepKind::policy:
      return "policy";
  }
  return "?";
}

bool Scenario::uses_kerberos() const {
  if (client.auth == core::AuthMode::kerberos) {
    return std::any_of(steps.begin(), steps.end(), [](const Step& s) {
      return !s.auth && s.kind != StepKind::approve && s.kind != StepKind::deny;
    });
  }
  return std::any_of(steps.begin(), steps.end(),
                     [](const Step& s) { return s.auth == core::AuthMode::kerberos; });
}

Scenario parse_scenario(std::string_view yaml, const std::filesystem::path& file,
                        const diagnosis::Catalog& catalog) {
  const std::string source = file.string();
  const Reader r(source);
  const YAML::Node root = r.parse(yaml);
  r.expect_map(
      root, "scenario",
      {"name", "summary", "source", "cause", "recorded", "world", "client", "steps", "expect"});
  Scenario s;
  s.file = file;
  s.group = file.parent_path().filename().string();
  s.name = r.text(root, "name", "scenario");
  if (s.name != file.stem().string()) {
    r.fail(root["name"],
           "name '" + s.name + "' differs from the file's name '" + file.stem().string() + "'");
  }
  s.id = s.group.empty() ? s.name : s.group + "/" + s.name;
  s.summary = r.text(root, "summary", "scenario");
  s.sources = r.strings(root, "source", "scenario");
  if (s.sources.empty()) r.fail(root, "scenario needs 'source' (a KB, spec section or URL)");
  s.cause = r.optional_text(root, "cause", "scenario");
  if (s.cause) check_cause(r, root["cause"], *s.cause, catalog);
  s.recorded = r.flag(root, "recorded").value_or(false);
  const YAML::Node world = root["world"];
  if (world && world.IsMap() && world["replay"] && !s.recorded) {
    r.fail(world["replay"],
           "'replay' serves a canned answer: only a scenario marked 'recorded: true' may use it");
  }
  // Before the overlay, which merges the default lab into the node.
  if (world && world.IsMap()) flatten_world(world, "", s.world_settings);
  // A world error is a ScenarioError already: both are core::DataFileError.
  s.world = mock::overlay_default_world(world ? world : YAML::Node(YAML::NodeType::Null), source);
  for (mock::Replay& replay : s.world.replays) {
    if (replay.response.is_relative()) replay.response = file.parent_path() / replay.response;
  }
  s.client = read_client(r, root["client"]);
  const YAML::Node steps = root["steps"];
  if (!steps || !steps.IsSequence() || steps.size() == 0) {
    r.fail(steps ? steps : root, "scenario needs 'steps', a non-empty list");
  }
  for (const auto& n : steps) s.steps.push_back(read_step(r, n));
  if (s.steps.back().expect) {
    r.fail(steps[steps.size() - 1],
           "the last step's expectation is the scenario's 'expect', not the step's");
  }
  const YAML::Node expect = root["expect"];
  if (!expect) r.fail(root, "scenario needs 'expect'");
  r.expect_map(expect, "expect",
               {"outcome", "http_status", "fault", "request_id", "events", "exit_code", "templates",
                "diagnosis"});
  YAML::Node wire(YAML::NodeType::Map);
  for (const auto& kv : expect) {
    if (kv.first.Scalar() != "diagnosis") wire[kv.first.Scalar()] = kv.second;
  }
  s.expect = read_step_expectation(r, wire, kStepExpectKeys);
  const YAML::Node diagnosis = expect["diagnosis"];
  if (!diagnosis) r.fail(expect, "expect needs 'diagnosis' (client_only and with_server_events)");
  r.expect_map(diagnosis, "expect diagnosis", {"client_only", "with_server_events"});
  for (const char* key : {"client_only", "with_server_events"}) {
    if (!diagnosis[key]) r.fail(diagnosis, std::string("expect diagnosis needs '") + key + "'");
  }
  s.client_only = read_diagnosis(r, diagnosis["client_only"], "client_only", catalog);
  s.with_server_events =
      read_diagnosis(r, diagnosis["with_server_events"], "with_server_events", catalog);
  check_world_names(r, root, s);
  return s;
}

Scenario load_scenario(const std::filesystem::path& file, const diagnosis::Catalog& catalog) {
  return parse_scenario(core::read_data_file(file), file, catalog);
}

LoadedScenarios load_scenarios(const std::vector<std::filesystem::path>& files,
                               const diagnosis::Catalog& catalog) {
  LoadedScenarios loaded;
  std::set<std::string> ids;
  for (const auto& file : files) {
    try {
      Scenario s = load_scenario(file, catalog);
      if (!ids.insert(s.id).second) {
        loaded.errors.push_back(file.string() + ":1: another file is scenario '" + s.id + "' too");
        continue;
      }
      loaded.scenarios.push_back(std::move(s));
    } catch (const ScenarioError& e) {
      loaded.errors.push_back(e.what());
    }
  }
  return loaded;
}

bool matches(const Scenario& scenario, std::string_view pattern) {
  const std::string p(pattern);
  return scenario.id == p || scenario.group == p ||
         ::fnmatch(p.c_str(), scenario.id.c_str(), 0) == 0;
}

std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& group : std::filesystem::directory_iterator(dir)) {
    if (!group.is_directory()) continue;
    for (const auto& entry : std::filesystem::directory_iterator(group.path())) {
      if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace ceslab::runner
