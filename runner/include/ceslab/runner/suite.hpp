// SPDX-License-Identifier: GPL-2.0-or-later
// Running scenarios (docs/scenarios.md): each in a world of its own — the
// mock on an ephemeral loopback port with a fresh lab CA — the client
// driven through the scenario's steps, the mock's events collected as an
// admin would collect the CES and CA hosts' logs, the diagnosis made from
// the client's evidence alone and again with those events, and every
// expectation compared field by field.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "ceslab/runner/scenario.hpp"

namespace ceslab::runner {

enum class Result { pass, fail, xfail, xpass, skip };
std::string_view to_string(Result result);  // "PASS", "FAIL", ...

struct ScenarioRecord;  // scenario_record.hpp

// One expectation that did not hold.
struct FieldDiff {
  std::string step;  // "step 2 (retrieve)", "diagnosis (client only)"
  std::string field;
  std::string expected;
  std::string actual;
};

struct ScenarioResult {
  std::string id;
  std::string group;
  std::string expected;  // the verdict expected with the server's events
  std::string expected_client_only;
  std::string verdict_client_only;  // what the engine said; "" when not reached
  std::string verdict_with_events;
  Result result = Result::fail;
  std::vector<FieldDiff> diffs;
  std::string error;   // the scenario could not be run to its end: why
  std::string reason;  // SKIP / XFAIL / XPASS: why (the known-gaps manifest, or the skip)
  std::chrono::milliseconds duration{};
  std::filesystem::path artefacts;  // --out: this scenario's folder
  // What it did (SuiteOptions::record); null when not asked for.
  std::shared_ptr<const ScenarioRecord> record;
  bool failed() const { return result == Result::fail || result == Result::xpass; }
};

// Known gaps (scenarios/known-gaps.yaml): scenario id -> why it is expected
// to fail. A listed scenario that fails is XFAIL; one that passes is XPASS,
// which fails the run (the gap is closed: take it off the list).
using KnownGaps = std::map<std::string, std::string, std::less<>>;
// Reads the manifest (a list of {scenario, reason}); ids not among
// `known_ids` are an error (file:line), as are unknown keys.
KnownGaps load_known_gaps(const std::filesystem::path& file,
                          const std::vector<std::string>& known_ids);

struct SuiteOptions {
  unsigned jobs = 1;              // scenarios run at once
  std::filesystem::path out_dir;  // one folder per scenario; empty = keep nothing
  bool kerberos = true;           // false: Kerberos scenarios are SKIP
  bool record = false;            // keep each scenario's ScenarioRecord (--html)
  KnownGaps known_gaps;
};

struct SuiteProgress {
  // The lab realm is up (it is removed when the run ends).
  std::function<void(const std::filesystem::path& realm_dir, std::chrono::milliseconds startup)>
      kdc_started;
  std::function<void(const std::string& id)> scenario_started;
  std::function<void(const ScenarioResult&)> scenario_finished;
};

// Runs `scenarios`; results come back in the order given. One KDC serves
// every Kerberos scenario of the run (started before the first of them);
// those scenarios take turns with it, each with only its own world's
// principals in the realm. A stop request ends the run after the scenarios
// in progress. Never throws for a scenario's failure: that is its result.
std::vector<ScenarioResult> run_suite(const std::vector<Scenario>& scenarios,
                                      const SuiteOptions& options,
                                      const SuiteProgress& progress = {},
                                      std::stop_token stop = {});

// A stable split for CI matrices: the scenarios whose position in id order
// modulo `count` is `index - 1` (index is 1-based, as in --shard 2/4).
std::vector<Scenario> shard(std::vector<Scenario> scenarios, unsigned index, unsigned count);

}  // namespace ceslab::runner
