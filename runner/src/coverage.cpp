// SPDX-License-Identifier: GPL-2.0-or-later
// docs/mock-coverage.md from the scenarios (runner/include/ceslab/runner/coverage.hpp).
#include "ceslab/runner/coverage.hpp"

#include "reason_list.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "ceslab/core/markdown.hpp"
#include "ceslab/diagnosis/catalog.hpp"

namespace ceslab::runner {
namespace {

using core::markdown_cell;

std::string code(const std::string& text) {
  return text.empty() ? std::string() : "`" + text + "`";
}

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

std::vector<std::string> coded(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(code(i));
  return out;
}

std::string world_text(const Scenario& s) {
  if (s.world_settings.empty()) return "(the default lab)";
  return joined(coded(s.world_settings), "<br>");
}

// The client settings that differ from a default client (docs/scenarios.md,
// "The client"); the authentication always, as it picks the endpoint.
std::string client_text(const ClientSettings& c) {
  const ClientSettings d;
  std::vector<std::string> parts{"auth: " + std::string(core::cli_name(c.auth))};
  if (c.account != d.account) parts.push_back("account: " + c.account);
  if (c.password) parts.push_back("password: (not the account's)");
  if (c.credential_guard) parts.push_back("credential_guard: true");
  if (c.clock_skew_minutes != 0) {
    parts.push_back("clock_skew_minutes: " + std::to_string(c.clock_skew_minutes));
  }
  if (!c.channel_binding) parts.push_back("channel_binding: false");
  if (c.key != d.key) parts.push_back("key: " + c.key);
  if (c.pkcs10) parts.push_back("pkcs10: true");
  if (c.trust == Trust::system) parts.push_back("trust: system");
  if (c.certificate == ClientCertificate::foreign) parts.push_back("certificate: foreign");
  return joined(coded(parts), "<br>");
}

std::string step_text(const Step& step) {
  std::string t(to_string(step.kind));
  if (!step.template_name.empty()) t += " " + step.template_name;
  std::vector<std::string> extras;
  if (step.via_policy) extras.push_back("via policy");
  if (step.auth) extras.push_back("auth " + std::string(core::cli_name(*step.auth)));
  if (step.url) extras.push_back("url " + *step.url);
  if (step.subject) extras.push_back("subject " + *step.subject);
  if (step.key) extras.push_back("key " + *step.key);
  if (step.certificate) {
    extras.push_back(*step.certificate == ClientCertificate::foreign ? "foreign certificate"
                                                                     : "issued certificate");
  }
  if (!extras.empty()) t += " (" + joined(extras, ", ") + ")";
  return t;
}

std::string steps_text(const Scenario& s) {
  std::vector<std::string> steps;
  for (const auto& step : s.steps) steps.push_back(code(step_text(step)));
  return joined(steps, " → ");
}

std::string verdict_text(const DiagnosisExpectation& x) {
  std::string t = code(x.verdict);
  std::vector<std::string> notes;
  if (x.tied) notes.push_back("tied: " + joined(coded(*x.tied), ", "));
  if (!x.candidates.empty()) notes.push_back("candidates: " + joined(coded(x.candidates), ", "));
  if (!x.not_causes.empty()) notes.push_back("not: " + joined(coded(x.not_causes), ", "));
  if (!notes.empty()) t += " (" + joined(notes, "; ") + ")";
  return t;
}

std::string scenario_cell(const Scenario& s, const KnownGaps& gaps) {
  std::string t = code(s.id);
  if (s.recorded) t += " (recorded)";
  if (gaps.count(s.id) != 0) t += " (known gap)";
  return t;
}

const char* const kHeader =
    "<!-- Generated from the scenarios by runner::coverage_markdown (runner/src/coverage.cpp).\n"
    "     Do not edit: change the scenarios (scenarios/<group>/<name>.yaml),\n"
    "     scenarios/not-reproduced.yaml or scenarios/known-gaps.yaml, then regenerate with\n"
    "       CESLAB_UPDATE_DOCS=1 build/release/tests/ceslab_runner_tests "
    "--gtest_filter='Coverage.*'\n"
    "     The test Coverage.DocumentIsCurrent fails while this file differs. -->\n"
    "# Which world reproduces which cause\n"
    "\n"
    "The bundled scenarios (`scenarios/<group>/<name>.yaml`, `scenarios.md`) are the one place\n"
    "that says which world setting produces which cause of the catalog (`diagnosis/catalog/`);\n"
    "this page is generated from them. Each scenario is proved twice:\n"
    "\n"
    "- whole, by `ctest -R scenarios.bundled` (`ceslab run`): the wire, the hosts' events, the\n"
    "  client's exit code and both diagnoses;\n"
    "- the mock's part of it, by `ceslab_mock_ces_tests` (`Bundled/ScenarioWire.*`, one test\n"
    "  per scenario): the wire answer and the events must be exactly what the scenario expects,\n"
    "  and each CA event's message must name the request id, the error code and the reason\n"
    "  the fault carries.\n"
    "\n"
    "The world settings are the scenario's overlay on the default lab (`world.md`); the client\n"
    "settings are those that differ from a default client (`scenarios.md`, \"The client\").\n"
    "A recorded scenario replays a captured Windows answer instead of deriving it from a world.\n";

}  // namespace

std::vector<NotReproduced> load_not_reproduced(const std::filesystem::path& file,
                                               const diagnosis::Catalog& catalog) {
  std::vector<NotReproduced> out;
  for (Reasoned& e : load_reason_list(file, "cause", [&](const std::string& cause) {
         return catalog.find(cause) == nullptr ? "'" + cause + "' is no cause of the catalog"
                                               : std::string();
       })) {
    out.push_back({std::move(e.name), std::move(e.reason)});
  }
  return out;
}

std::vector<std::string> coverage_problems(const std::vector<Scenario>& scenarios,
                                           const diagnosis::Catalog& catalog,
                                           const std::vector<NotReproduced>& not_reproduced) {
  std::set<std::string> from_world;
  for (const auto& s : scenarios) {
    if (s.cause && !s.recorded) from_world.insert(*s.cause);
  }
  std::set<std::string> listed;
  for (const auto& n : not_reproduced) listed.insert(n.cause);
  std::vector<std::string> problems;
  for (const auto& c : catalog.causes()) {
    const bool has = from_world.count(c.id) != 0;
    const bool excused = listed.count(c.id) != 0;
    if (!has && !excused) {
      problems.push_back(c.id +
                         ": no scenario derives it from a world, and "
                         "scenarios/not-reproduced.yaml does not say why");
    }
    if (has && excused) {
      problems.push_back(c.id +
                         ": a scenario derives it from a world, yet "
                         "scenarios/not-reproduced.yaml lists it (take it off)");
    }
  }
  return problems;
}

std::string coverage_markdown(const std::vector<Scenario>& scenarios,
                              const diagnosis::Catalog& catalog,
                              const std::vector<NotReproduced>& not_reproduced,
                              const KnownGaps& known_gaps) {
  std::vector<const Scenario*> sorted;
  for (const auto& s : scenarios) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const Scenario* a, const Scenario* b) { return a->id < b->id; });
  std::map<std::string, std::vector<const Scenario*>> by_cause;
  std::vector<const Scenario*> no_cause;
  for (const Scenario* s : sorted) {
    if (s->cause) {
      by_cause[*s->cause].push_back(s);
    } else {
      no_cause.push_back(s);
    }
  }

  std::ostringstream md;
  md << kHeader;
  md << "\n## Causes and the worlds that produce them\n\n"
     << "| cause | scenario | world setting | client | steps | verdict, client only "
        "| verdict, with server events |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (const auto& c : catalog.causes()) {
    const auto found = by_cause.find(c.id);
    if (found == by_cause.end()) continue;
    for (const Scenario* s : found->second) {
      md << "| " << code(c.id) << " | " << markdown_cell(scenario_cell(*s, known_gaps)) << " | "
         << markdown_cell(world_text(*s)) << " | " << markdown_cell(client_text(s->client)) << " | "
         << markdown_cell(steps_text(*s)) << " | " << markdown_cell(verdict_text(s->client_only))
         << " | " << markdown_cell(verdict_text(s->with_server_events)) << " |\n";
    }
  }

  md << "\n## Worlds that produce no cause\n\n"
     << "Success stories (`baseline/`) and look-alikes (`lookalikes/`): settings close to a\n"
     << "cause's that must not produce it.\n\n"
     << "| scenario | world setting | client | steps | outcome | verdict, client only "
        "| verdict, with server events |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (const Scenario* s : no_cause) {
    md << "| " << markdown_cell(scenario_cell(*s, known_gaps)) << " | "
       << markdown_cell(world_text(*s)) << " | " << markdown_cell(client_text(s->client)) << " | "
       << markdown_cell(steps_text(*s)) << " | "
       << markdown_cell(code(s->expect.outcome.value_or(""))) << " | "
       << markdown_cell(verdict_text(s->client_only)) << " | "
       << markdown_cell(verdict_text(s->with_server_events)) << " |\n";
  }

  md << "\n## Causes no world reproduces, and why\n\n"
     << "From `scenarios/not-reproduced.yaml`: the catalog causes no scenario derives from a\n"
     << "world (a recorded scenario may still replay one).\n\n";
  for (const auto& c : catalog.causes()) {
    const auto n = std::find_if(not_reproduced.begin(), not_reproduced.end(),
                                [&](const NotReproduced& x) { return x.cause == c.id; });
    if (n == not_reproduced.end()) continue;
    md << "- " << code(c.id) << ": " << n->reason << "\n";
  }

  if (!known_gaps.empty()) {
    md << "\n## Known gaps\n\n"
       << "From `scenarios/known-gaps.yaml`: scenarios expected to fail (`XFAIL`), and why.\n\n";
    for (const auto& [id, reason] : known_gaps) md << "- " << code(id) << ": " << reason << "\n";
  }
  return md.str();
}

}  // namespace ceslab::runner
