// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab scenario from-artefacts`: see from_artefacts.hpp. The cause ->
// world mapping is the bundled scenarios' (their `cause:`, `world:`,
// `client:`, `steps:` and `expect:` copied as written), never a table here.
#include "ceslab/runner/from_artefacts.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <system_error>

#include "artefact_redaction.hpp"
#include "ceslab/core/endpoint_names.hpp"
#include "ceslab/core/header_redaction.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/diagnosis/inputs.hpp"
#include "ceslab/runner/scenario.hpp"

namespace ceslab::runner {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A capture's "NN-<op>-response.http": NN, else -1.
int capture_response_number(const std::string& name) {
  if (!ends_with(name, "-response.http") || name.size() < 3 || name[2] != '-') return -1;
  if (std::isdigit(static_cast<unsigned char>(name[0])) == 0 ||
      std::isdigit(static_cast<unsigned char>(name[1])) == 0)
    return -1;
  return (name[0] - '0') * 10 + (name[1] - '0');
}

bool skipped_in_directory(const std::string& name) {
  return ends_with(name, "-request.http") || ends_with(name, "-exchange.json") ||
         ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".md") ||
         name.rfind("diagnosis", 0) == 0 || name == "diff.txt" ||
         name == "evidence-with-server-events.json" || name.rfind('.', 0) == 0;
}

std::string read_artefact(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) throw ArtefactError(file.string() + ": cannot be read: no such file");
  if (fs::is_directory(file, ec)) throw ArtefactError(file.string() + ": is a directory");
  const auto size = fs::file_size(file, ec);
  if (ec) throw ArtefactError(file.string() + ": cannot be read: " + ec.message());
  if (size > diagnosis::kMaxInputBytes)
    throw ArtefactError(file.string() + ": over " + std::to_string(diagnosis::kMaxInputBytes) +
                        " bytes, not an artefact of one failure");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ArtefactError(file.string() + ": cannot be read (no permission?)");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The server's answer as a customer recorded it, to be served back.
struct RecordedAnswer {
  std::string source;       // the artefact
  std::string http;         // a raw HTTP response the mock's replay reads
  bool head_added = false;  // the artefact was a bare envelope: status and headers are WCF's
};

struct Collected {
  core::Evidence evidence = diagnosis::empty_evidence();
  std::vector<ArtefactRead> inputs;
  std::optional<RecordedAnswer> answer;
};

// The recorded answer as the raw response the mock's replay parses:
// the status line, the headers (credentials redacted, the length recomputed)
// and the body as saved.
std::string replayable(const core::HttpResponse& r) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + r.reason + "\r\n";
  for (const core::HttpHeader& h : core::redact_headers(r.headers)) {
    if (core::iequals(h.name, "Content-Length") || core::iequals(h.name, "Transfer-Encoding"))
      continue;
    out += h.name + ": " + h.value + "\r\n";
  }
  return out + "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
}

// A bare SOAP envelope wrapped as WCF sends it: every fault with HTTP 500
// (as the recorded Windows answers in scenarios/recorded/ show, Sender
// faults included), any other message with 200.
std::string wcf_answer(const std::string& envelope, bool fault) {
  return std::string(fault ? "HTTP/1.1 500 Internal Server Error" : "HTTP/1.1 200 OK") +
         "\r\nContent-Type: application/soap+xml; charset=utf-8\r\nContent-Length: " +
         std::to_string(envelope.size()) + "\r\n\r\n" + envelope;
}

void read_one(const fs::path& file, Collected& c) {
  const std::string name = file.string();
  ArtefactRedactions redactions;
  const std::string text = redact_artefact(read_artefact(file), &redactions);
  diagnosis::ParsedInput parsed;
  try {
    parsed = diagnosis::read_input(name, text, std::nullopt, c.evidence);
  } catch (const diagnosis::InputError& e) {
    throw ArtefactError(e.what());
  }
  c.inputs.push_back(
      {name, std::string(diagnosis::to_string(parsed.type)), parsed.facts, redactions.total()});
  if (c.answer) return;  // the first answer read is the one the record holds
  if (parsed.type == diagnosis::InputType::http_response) {
    try {
      c.answer = RecordedAnswer{name, replayable(diagnosis::parse_saved_http_response(name, text))};
    } catch (const diagnosis::InputError& e) {
      throw ArtefactError(e.what());
    }
  } else if (parsed.type == diagnosis::InputType::soap_fault) {
    core::Evidence alone = diagnosis::empty_evidence();
    diagnosis::read_input(name, text, diagnosis::InputType::soap_fault, alone);
    // A request the customer saved (an RST) is no answer to serve back.
    if (alone.fault || alone.response || alone.policy)
      c.answer = RecordedAnswer{name, wcf_answer(text, alone.fault.has_value()), true};
  }
}

Collected collect(const std::vector<fs::path>& paths) {
  if (paths.empty()) throw ArtefactError("no artefact given");
  Collected c;
  for (const fs::path& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      const auto files = artefact_files(p);
      if (files.empty()) throw ArtefactError(p.string() + ": holds no artefact ceslab reads");
      for (const fs::path& f : files) read_one(f, c);
    } else {
      read_one(p, c);
    }
  }
  return c;
}

// ---- the scenario ----------------------------------------------------------

YAML::Node flow(YAML::Node n) {
  n.SetStyle(YAML::EmitterStyle::Flow);
  return n;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string comment_block(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    std::string line = l;
    std::replace(line.begin(), line.end(), '\n', ' ');
    std::replace(line.begin(), line.end(), '\r', ' ');
    out += line.empty() ? "#\n" : "# " + line + "\n";
  }
  return out;
}

std::vector<std::string> inputs_comment(const Collected& c, const diagnosis::Diagnosis& d) {
  std::vector<std::string> lines{"Made by `ceslab scenario from-artefacts` from:"};
  for (const ArtefactRead& in : c.inputs) {
    lines.push_back(
        "  " + in.name + " (" + in.type + ")" +
        (in.redactions ? ", " + std::to_string(in.redactions) + " secret(s) redacted" : ""));
    for (const std::string& f : in.facts) lines.push_back("    " + f);
  }
  lines.push_back("Their diagnosis: " + d.verdict +
                  (d.tied.empty() ? "" : " (tied: " + joined(d.tied) + ")"));
  return lines;
}

std::string emit(const std::string& comments, const YAML::Node& doc) {
  YAML::Emitter out;
  out.SetIndent(2);
  out << doc;
  return comments + out.c_str() + "\n";
}

std::string relative_id(const fs::path& file) {
  return file.parent_path().filename().string() + "/" + file.stem().string();
}

// How a bundled scenario's client authenticates (`client.auth`, default username).
std::string client_auth(const YAML::Node& root) {
  const YAML::Node client = root["client"];
  return client && client.IsMap() && client["auth"] ? client["auth"].as<std::string>("")
                                                    : "username";
}

// A bundled scenario whose world reproduces the cause.
struct Candidate {
  fs::path file;
  YAML::Node root;
  int score = 0;
};

// The ids scenarios/known-gaps.yaml lists: a scenario expected to fail
// reproduces nothing.
std::vector<std::string> known_gap_ids(const fs::path& dir) {
  std::vector<std::string> ids;
  try {
    for (const auto& entry : YAML::LoadFile((dir / "known-gaps.yaml").string())) {
      if (entry.IsMap() && entry["scenario"]) ids.push_back(entry["scenario"].as<std::string>(""));
    }
  } catch (const YAML::Exception&) {
    // no manifest (or `ceslab run` reports it): no gap known
  }
  return ids;
}

std::vector<Candidate> world_candidates(const fs::path& dir, const std::string& cause,
                                        const core::Evidence& e) {
  std::vector<Candidate> out;
  const std::vector<std::string> gaps = known_gap_ids(dir);
  for (const fs::path& file : scenario_files(dir)) {
    if (std::find(gaps.begin(), gaps.end(), relative_id(file)) != gaps.end()) continue;
    YAML::Node root;
    try {
      root = YAML::LoadFile(file.string());
    } catch (const YAML::Exception&) {
      continue;  // `ceslab run --lint` reports it; it reproduces nothing here
    }
    if (!root.IsMap() || !root["cause"] || root["cause"].as<std::string>("") != cause) continue;
    if (root["recorded"] && root["recorded"].as<bool>(false)) continue;
    Candidate c{file, root, 0};
    // The artefacts' authentication, when they show it, picks the variant
    // (user_not_delegable-kerberos or -username); the plain name comes next.
    if (e.auth && client_auth(root) == core::cli_name(*e.auth)) c.score += 2;
    if (file.stem() == cause) c.score += 1;
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  return out;
}

std::string world_scenario(const FromArtefactsOptions& o, const Collected& c,
                           const diagnosis::Diagnosis& d, const Candidate& from) {
  const diagnosis::CauseEntry* cause = diagnosis::Catalog::builtin().find(d.verdict);
  YAML::Node doc;
  doc["name"] = o.name;
  doc["summary"] =
      "A customer's case reproduced in the lab: " + (cause ? cause->title : d.verdict) +
      " (the world of " + relative_id(from.file) + ")";
  doc["cause"] = d.verdict;
  YAML::Node source;
  for (const ArtefactRead& in : c.inputs) source.push_back("artefact: " + in.name);
  source.push_back("world: scenarios/" + relative_id(from.file) + ".yaml");
  if (const YAML::Node sources = from.root["source"]; sources && sources.IsScalar()) {
    source.push_back(sources.as<std::string>());
  } else if (sources && sources.IsSequence()) {
    for (const auto& s : sources) source.push_back(s.as<std::string>(""));
  }
  doc["source"] = source;
  doc["recorded"] = false;
  for (const char* key : {"world", "client", "steps", "expect"}) {
    if (from.root[key]) doc[key] = from.root[key];
  }
  std::vector<std::string> lines = inputs_comment(c, d);
  lines.push_back("");
  lines.push_back("The lab reproduces " + d.verdict + " from a world: world, client, steps and");
  lines.push_back("expectations are those of the bundled scenario " + relative_id(from.file) + ".");
  const std::string auth = client_auth(from.root);
  if (c.evidence.auth && *c.evidence.auth != core::AuthMode::anonymous &&
      auth != core::cli_name(*c.evidence.auth)) {
    lines.push_back("The artefacts show auth " + std::string(core::cli_name(*c.evidence.auth)) +
                    "; the client of that scenario authenticates with " + auth + ".");
  }
  return emit(comment_block(lines), doc);
}

std::string hex_code(std::int32_t code) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", static_cast<std::uint32_t>(code));
  return buf;
}

std::string replay_scenario(const FromArtefactsOptions& o, const Collected& c,
                            const diagnosis::Diagnosis& d, const RecordedAnswer& answer,
                            const std::string& why) {
  // What the lab's client will see: the recorded answer to its request,
  // and nothing in the hosts' logs (a replay logs nothing). That is what
  // the expectations say, and what the engine is asked about.
  const bool policy = c.evidence.operation == core::Operation::policy;
  core::Evidence seen = diagnosis::empty_evidence();
  seen.operation = policy ? core::Operation::policy : core::Operation::enroll;
  seen.auth = core::AuthMode::username;
  diagnosis::read_input(answer.source, answer.http, diagnosis::InputType::http_response, seen);
  const diagnosis::Diagnosis expected = diagnosis::diagnose(diagnosis::Catalog::builtin(), seen);

  YAML::Node doc;
  doc["name"] = o.name;
  doc["summary"] = "A customer's case replayed in the lab: the recorded answer of " +
                   answer.source + ", served verbatim (" + why + ")";
  if (diagnosis::Catalog::builtin().find(d.verdict)) doc["cause"] = d.verdict;
  YAML::Node source;
  for (const ArtefactRead& in : c.inputs) source.push_back("artefact: " + in.name);
  doc["source"] = source;
  doc["recorded"] = true;
  YAML::Node replay;
  replay["path"] = "*";
  replay["response"] = o.name + ".http";
  doc["world"]["replay"].push_back(flow(replay));
  YAML::Node client;
  client["auth"] = "username";
  client["account"] = "alice";
  doc["client"] = flow(client);
  YAML::Node step;
  if (policy) {
    step["policy"] = flow(YAML::Node(YAML::NodeType::Map));
  } else {
    step["enroll"]["template"] = "User";
    step["enroll"].SetStyle(YAML::EmitterStyle::Flow);
  }
  doc["steps"].push_back(step);

  YAML::Node x;
  const std::string outcome(core::to_string(seen.outcome));
  x["outcome"] = outcome;
  if (seen.http) x["http_status"] = seen.http->status;
  if (seen.fault) {
    const core::EnrollmentFault& f = seen.fault->fault;
    YAML::Node fault;
    fault["code"] = f.code;
    if (f.subcode) fault["subcode"] = *f.subcode;
    fault["reason"] = f.reason;
    if (f.error_code) fault["error_code"] = hex_code(*f.error_code);
    if (f.invalid_request) fault["invalid_request"] = *f.invalid_request;
    x["fault"] = flow(fault);
    x["request_id"] = f.request_id && !f.request_id->empty() ? "present" : "nil";
  } else {
    x["fault"] = "none";
    if (seen.response) x["request_id"] = seen.response->request_id.empty() ? "nil" : "present";
  }
  x["events"] = flow(YAML::Node(YAML::NodeType::Sequence));
  // As `ceslab enroll` / `policy` exit (docs/cli.md).
  x["exit_code"] = outcome == "failed" ? 1 : outcome == "pending" ? 3 : 0;
  // The verdict only: which causes an `unknown` ties depends on what the
  // client knew besides the answer (that it sent a token, its clock), which
  // the lab's client and the customer's need not share.
  x["diagnosis"]["client_only"] = expected.verdict;
  x["diagnosis"]["with_server_events"] = expected.verdict;
  doc["expect"] = x;

  std::vector<std::string> lines = inputs_comment(c, d);
  lines.push_back("");
  lines.push_back("REPLAY: " + why + ".");
  lines.push_back("The mock serves the customer's recorded answer verbatim instead of deriving");
  lines.push_back("it from a world: " + o.name + ".http, from " + answer.source + ".");
  lines.push_back("`recorded: true` marks this scenario as a replay.");
  if (answer.head_added)
    lines.push_back("The artefact was a bare envelope: its status line and headers are WCF's.");
  if (!expected.tied.empty())
    lines.push_back("From the answer alone the engine ties " + joined(expected.tied) + ".");
  if (expected.verdict != d.verdict)
    lines.push_back(
        "From the answer alone the engine says " + expected.verdict +
        ": what else the artefacts showed (server events, klist, certreq) is not replayed.");
  return emit(comment_block(lines), doc);
}

void check_loads(const std::string& yaml, const std::string& name) {
  // The loader is the judge of a scenario file: what it refuses is a bug here.
  try {
    parse_scenario(yaml, fs::path("from-artefacts") / (name + ".yaml"),
                   diagnosis::Catalog::builtin());
  } catch (const ScenarioError& e) {
    throw std::logic_error(std::string("from-artefacts wrote a scenario the loader refuses: ") +
                           e.what());
  }
}

}  // namespace

std::vector<fs::path> artefact_files(const fs::path& dir) {
  std::vector<std::pair<int, fs::path>> responses;  // capture number, file
  std::vector<fs::path> others;
  auto scan = [&](const fs::path& d) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(d, ec)) {
      const std::string name = entry.path().filename().string();
      // An empty file (events.jsonl of hosts that logged nothing) says nothing.
      if (!entry.is_regular_file(ec) || skipped_in_directory(name) || entry.file_size(ec) == 0)
        continue;
      const int n = capture_response_number(name);
      if (n >= 0) {
        responses.emplace_back(n, entry.path());
      } else {
        others.push_back(entry.path());
      }
    }
    if (ec) throw ArtefactError(d.string() + ": cannot be listed: " + ec.message());
  };
  scan(dir);
  std::error_code ec;
  if (fs::is_directory(dir / "capture", ec)) scan(dir / "capture");
  std::sort(responses.begin(), responses.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  std::sort(others.begin(), others.end());
  std::vector<fs::path> out;
  for (auto& r : responses) out.push_back(std::move(r.second));
  out.insert(out.end(), others.begin(), others.end());
  return out;
}

ArtefactScenario scenario_from_artefacts(const std::vector<fs::path>& paths,
                                         const FromArtefactsOptions& options) {
  Collected c = collect(paths);
  const diagnosis::Diagnosis d = diagnosis::diagnose(diagnosis::Catalog::builtin(), c.evidence);
  std::string given;
  for (const fs::path& p : paths) given += (given.empty() ? "" : ", ") + p.string();
  if (d.verdict == diagnosis::kSucceeded)
    throw ArtefactError(given +
                        ": the artefacts show no failure (the verdict is succeeded): "
                        "nothing to reproduce");

  ArtefactScenario out;
  out.name = options.name;
  out.verdict = d.verdict;
  out.inputs = c.inputs;
  const fs::path dir =
      options.scenarios_dir.empty() ? bundled_scenarios_dir() : options.scenarios_dir;
  if (d.verdict != diagnosis::kUnknown) {
    for (const Candidate& from : world_candidates(dir, d.verdict, c.evidence)) {
      const std::string yaml = world_scenario(options, c, d, from);
      check_loads(yaml, options.name);
      // Only a scenario that expects this very cause with the server's events reproduces it.
      const Scenario s = parse_scenario(yaml, fs::path("from-artefacts") / (options.name + ".yaml"),
                                        diagnosis::Catalog::builtin());
      if (s.with_server_events.verdict != d.verdict) continue;
      out.yaml = redact_artefact(yaml);
      out.reproduced_by = relative_id(from.file);
      return out;
    }
  }
  const std::string why = d.verdict == diagnosis::kUnknown
                              ? "the artefacts name no cause (the diagnosis is unknown)"
                              : "no bundled scenario reproduces " + d.verdict + " from a world";
  if (!c.answer)
    throw ArtefactError(given + ": " + why +
                        ", and no artefact holds the server's answer to replay (give the fault "
                        "XML, the HTTP response or the --capture directory)");
  const std::string yaml = replay_scenario(options, c, d, *c.answer, why);
  check_loads(yaml, options.name);
  out.yaml = redact_artefact(yaml);
  out.replay = c.answer->http;
  out.replay_source = c.answer->source;
  return out;
}

std::vector<fs::path> write_artefact_scenario(const ArtefactScenario& scenario,
                                              const fs::path& file) {
  if (file.stem() != scenario.name)
    throw ArtefactError(file.string() + ": the scenario is named '" + scenario.name +
                        "'; its file must be " + scenario.name + ".yaml");
  auto write = [](const fs::path& f, const std::string& text) {
    std::ofstream out(f, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw ArtefactError(f.string() + ": cannot be written");
  };
  std::vector<fs::path> written;
  if (scenario.replay) {
    const fs::path http = file.parent_path() / (scenario.name + ".http");
    write(http, *scenario.replay);
    written.push_back(http);
  }
  write(file, scenario.yaml);
  written.insert(written.begin(), file);
  return written;
}

}  // namespace ceslab::runner
