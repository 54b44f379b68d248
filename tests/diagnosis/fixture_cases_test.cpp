// SPDX-License-Identifier: GPL-2.0-or-later
// The data-driven cases of tests/fixtures/diagnose/: each directory holds the
// artefacts of one failure and expect.yaml (verdict, optional tied and not).
// Every catalog cause must win at least one case, and every family must have
// a case where the answer is unknown with its members tied. The bundled
// scenarios count as cases too: each is a live run, client against the mock,
// whose two diagnoses `ctest -R scenarios.bundled` checks (docs/scenarios.md).
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/diagnosis/inputs.hpp"
#include "ceslab/diagnosis/report.hpp"
#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"

namespace ceslab::diagnosis {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(CESLAB_FIXTURES_DIR) / "diagnose";

// The one place a case's artefacts become one Evidence record, as
// `ceslab diagnose` makes it: every file, in name order (the first leads).
core::Evidence load_case_evidence(const fs::path& dir) {
  std::vector<fs::path> inputs;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "expect.yaml" || name == "README.md") continue;
    inputs.push_back(entry.path());
  }
  if (inputs.empty()) throw std::runtime_error(dir.string() + ": no input files");
  std::sort(inputs.begin(), inputs.end());
  core::Evidence merged = empty_evidence();
  for (const auto& path : inputs) read_input_file(path, std::nullopt, merged);
  return merged;
}

struct Expectation {
  std::string verdict;
  std::vector<std::string> tied;
  std::vector<std::string> not_;
  std::string outside;                  // the catalog's `outside` entry that must hold
  std::vector<std::string> eliminated;  // causes that must not even be candidates
};

Expectation read_expectation(const fs::path& dir) {
  const fs::path file = dir / "expect.yaml";
  const YAML::Node root = YAML::LoadFile(file.string());
  if (!root.IsMap()) throw std::runtime_error(file.string() + ": not a mapping");
  Expectation x;
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key == "verdict") {
      x.verdict = kv.second.as<std::string>();
    } else if (key == "tied") {
      x.tied = kv.second.as<std::vector<std::string>>();
    } else if (key == "not") {
      x.not_ = kv.second.as<std::vector<std::string>>();
    } else if (key == "outside") {
      x.outside = kv.second.as<std::string>();
    } else if (key == "eliminated") {
      x.eliminated = kv.second.as<std::vector<std::string>>();
    } else {
      throw std::runtime_error(file.string() + ": unknown key '" + key +
                               "' (known: verdict, tied, not, outside, eliminated)");
    }
  }
  if (x.verdict.empty()) throw std::runtime_error(file.string() + ": needs 'verdict'");
  return x;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class DiagnoseCase : public ::testing::TestWithParam<std::string> {};

TEST_P(DiagnoseCase, GivesTheExpectedVerdict) {
  const fs::path dir = kCases / GetParam();
  core::Evidence evidence;
  evidence = load_case_evidence(dir);
  const Expectation x = read_expectation(dir);
  const Catalog& catalog = Catalog::builtin();
  for (const auto& id : x.tied) ASSERT_NE(catalog.find(id), nullptr) << "tied: " << id;
  for (const auto& id : x.not_) ASSERT_NE(catalog.find(id), nullptr) << "not: " << id;
  if (x.verdict != kUnknown && x.verdict != kSucceeded) {
    ASSERT_NE(catalog.find(x.verdict), nullptr) << x.verdict;
  }

  const Diagnosis d = diagnose(catalog, evidence);
  const std::string report = format_report(d);
  // Tied causes are equally strong; their order is only the catalog's.
  const std::set<std::string> tied(d.tied.begin(), d.tied.end());
  const std::set<std::string> expected_tied(x.tied.begin(), x.tied.end());
  EXPECT_EQ(d.verdict, x.verdict) << report;
  EXPECT_EQ(d.outside, x.outside) << report;
  for (const auto& id : x.eliminated) {
    ASSERT_NE(catalog.find(id), nullptr) << "eliminated: " << id;
    EXPECT_TRUE(std::none_of(d.candidates.begin(), d.candidates.end(),
                             [&](const Candidate& c) { return c.cause == id; }))
        << id << " is still a candidate\n"
        << report;
  }
  if (!x.tied.empty()) {
    EXPECT_EQ(tied, expected_tied) << report;
  }
  for (const auto& id : x.not_) {
    EXPECT_NE(d.verdict, id) << report;
    EXPECT_TRUE(std::find(d.tied.begin(), d.tied.end(), id) == d.tied.end()) << id << "\n"
                                                                             << report;
  }
  if (d.verdict == kUnknown) {
    EXPECT_FALSE(d.next_checks.empty()) << report;
  } else {
    EXPECT_GE(d.confidence, EngineOptions{}.min_confidence);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DiagnoseCase, ::testing::ValuesIn(case_names()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// Both diagnoses of every bundled scenario but the known gaps (those fail on
// purpose, scenarios/known-gaps.yaml), named "scenario <id> (client only)".
std::vector<std::pair<std::string, Expectation>> scenario_expectations() {
  const fs::path dir = runner::bundled_scenarios_dir();
  const runner::LoadedScenarios loaded =
      runner::load_scenarios(runner::scenario_files(dir), Catalog::builtin());
  for (const auto& e : loaded.errors) ADD_FAILURE() << e;
  std::vector<std::string> ids;
  for (const auto& s : loaded.scenarios) ids.push_back(s.id);
  const runner::KnownGaps gaps = runner::load_known_gaps(dir / "known-gaps.yaml", ids);
  std::vector<std::pair<std::string, Expectation>> out;
  for (const auto& s : loaded.scenarios) {
    if (gaps.count(s.id) != 0) continue;
    for (const auto& [label, d] : {std::pair{" (client only)", &s.client_only},
                                   std::pair{" (with server events)", &s.with_server_events}}) {
      out.push_back(
          {"scenario " + s.id + label,
           Expectation{
               d->verdict, d->tied.value_or(std::vector<std::string>{}), d->not_causes, {}, {}}});
    }
  }
  return out;
}

TEST(DiagnoseCases, EveryCauseWinsACaseAndEveryFamilyTiesInOne) {
  std::set<std::string> won;
  std::set<std::string> tied_families;
  std::map<std::string, std::vector<std::string>> not_won_by;  // look-alike cases per cause
  std::vector<std::pair<std::string, Expectation>> cases = scenario_expectations();
  ASSERT_FALSE(cases.empty()) << "no bundled scenarios under " << runner::bundled_scenarios_dir();
  for (const auto& name : case_names()) cases.push_back({name, read_expectation(kCases / name)});
  for (const auto& [name, x] : cases) {
    won.insert(x.verdict);
    if (x.verdict == kUnknown && !x.tied.empty()) {
      const CauseEntry* first = Catalog::builtin().find(x.tied.front());
      if (first != nullptr && !first->family.empty()) tied_families.insert(first->family);
    }
    for (const auto& id : x.not_) not_won_by[id].push_back(name);
  }
  for (const CauseEntry& c : Catalog::builtin().causes()) {
    EXPECT_TRUE(won.count(c.id))
        << "no case in tests/fixtures/diagnose/ and no bundled scenario is won by " << c.id;
  }
  for (const Family& f : Catalog::builtin().families()) {
    EXPECT_TRUE(tied_families.count(f.id)) << "no unknown+tied case for family " << f.id;
  }
  // Each family member and each cause with look-alikes has a case it must not win.
  for (const CauseEntry& c : Catalog::builtin().causes()) {
    if (c.family.empty() && c.look_alikes.empty()) continue;
    EXPECT_TRUE(not_won_by.count(c.id)) << "no look-alike case names " << c.id << " under 'not'";
  }
}

}  // namespace
}  // namespace ceslab::diagnosis
