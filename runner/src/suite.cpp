// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/runner/suite.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "ceslab/kdc/kdc_lab.hpp"
#include "ceslab/mock/kerberos_lab.hpp"
#include "scenario_execution.hpp"

namespace ceslab::runner {
namespace {

namespace fs = std::filesystem;

// The run's KDC, started on first use by a Kerberos scenario, and the turn
// each Kerberos scenario takes with it: the realm holds one world's
// principals at a time (mock::prepare_kerberos sets them), so none leaks
// into another world.
class SharedKdc {
 public:
  explicit SharedKdc(const SuiteProgress& progress) : progress_(progress) {}

  std::unique_lock<std::mutex> turn() { return std::unique_lock<std::mutex>(mutex_); }

  // Call with turn() held.
  kdc::KdcLab& get() {
    if (!kdc_) {
      kdc_ = kdc::KdcLab::start({});
      if (progress_.kdc_started) progress_.kdc_started(kdc_->directory(), kdc_->startup_time());
    }
    return *kdc_;
  }

 private:
  const SuiteProgress& progress_;
  std::mutex mutex_;
  std::unique_ptr<kdc::KdcLab> kdc_;
};

std::string folder_name(const std::string& id) {
  std::string name = id;
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

ScenarioResult run_one(const Scenario& s, const SuiteOptions& options, SharedKdc& kdc) {
  ExecutionContext context;
  if (!options.out_dir.empty()) context.artefacts = options.out_dir / folder_name(s.id);
  if (!s.uses_kerberos()) return execute_scenario(s, context);
  if (!options.kerberos) {
    ScenarioResult skipped;
    skipped.id = s.id;
    skipped.group = s.group;
    skipped.expected = s.with_server_events.verdict;
    skipped.expected_client_only = s.client_only.verdict;
    skipped.result = Result::skip;
    skipped.reason = "Kerberos scenarios are off (--no-kerberos)";
    return skipped;
  }
  const auto turn = kdc.turn();
  try {
    context.kerberos = mock::prepare_kerberos(kdc.get(), s.world);
  } catch (const std::exception& e) {
    ScenarioResult failed;
    failed.id = s.id;
    failed.group = s.group;
    failed.expected = s.with_server_events.verdict;
    failed.expected_client_only = s.client_only.verdict;
    failed.error = std::string("the lab KDC: ") + e.what();
    return failed;
  }
  return execute_scenario(s, context);
}

void apply_known_gap(ScenarioResult& r, const KnownGaps& gaps) {
  const auto gap = gaps.find(r.id);
  if (gap == gaps.end() || r.result == Result::skip) return;
  r.reason = gap->second;
  r.result = r.result == Result::pass ? Result::xpass : Result::xfail;
}

}  // namespace

std::string_view to_string(Result result) {
  switch (result) {
    case Result::pass:
      return "PASS";
    case Result::fail:
      return "FAIL";
    case Result::xfail:
      return "XFAIL";
    case Result::xpass:
      return "XPASS";
    case Result::skip:
      return "SKIP";
  }
  return "?";
}

KnownGaps load_known_gaps(const fs::path& file, const std::vector<std::string>& known_ids) {
  KnownGaps gaps;
  if (!fs::exists(file)) return gaps;
  const std::string source = file.string();
  auto fail = [&](const YAML::Node& at, const std::string& what) {
    throw ScenarioError(source + ":" + std::to_string(at.Mark().line + 1) + ": " + what);
  };
  YAML::Node root;
  try {
    root = YAML::LoadFile(source);
  } catch (const YAML::Exception& e) {
    throw ScenarioError(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return gaps;
  if (!root.IsSequence()) fail(root, "the known gaps are a list of {scenario, reason}");
  for (const auto& entry : root) {
    if (!entry.IsMap()) fail(entry, "a known gap is a mapping {scenario, reason}");
    for (const auto& kv : entry) {
      const std::string key = kv.first.Scalar();
      if (key != "scenario" && key != "reason") {
        fail(kv.first, "unknown key '" + key + "' in a known gap (known: scenario, reason)");
      }
    }
    if (!entry["scenario"] || !entry["reason"] || entry["reason"].Scalar().empty()) {
      fail(entry, "a known gap needs 'scenario' and a 'reason'");
    }
    const std::string id = entry["scenario"].Scalar();
    if (std::find(known_ids.begin(), known_ids.end(), id) == known_ids.end()) {
      fail(entry["scenario"], "no bundled scenario is '" + id + "'");
    }
    gaps[id] = entry["reason"].Scalar();
  }
  return gaps;
}

std::vector<ScenarioResult> run_suite(const std::vector<Scenario>& scenarios,
                                      const SuiteOptions& options, const SuiteProgress& progress,
                                      std::stop_token stop) {
  SharedKdc kdc(progress);
  const bool any_kerberos =
      options.kerberos && std::any_of(scenarios.begin(), scenarios.end(),
                                      [](const Scenario& s) { return s.uses_kerberos(); });
  if (any_kerberos) {
    // MIT reads KRB5_CONFIG whenever a krb5 context is made: the client's
    // logon and the mock's acceptor and CA hop, in every thread. Set once,
    // before any thread starts.
    const auto turn = kdc.turn();
    ::setenv("KRB5_CONFIG", kdc.get().krb5_conf().c_str(), 1);
  }
  std::vector<std::optional<ScenarioResult>> results(scenarios.size());
  std::atomic<std::size_t> next{0};
  std::mutex report;
  auto worker = [&] {
    for (;;) {
      if (stop.stop_requested()) return;
      const std::size_t i = next.fetch_add(1);
      if (i >= scenarios.size()) return;
      if (progress.scenario_started) {
        const std::lock_guard lock(report);
        progress.scenario_started(scenarios[i].id);
      }
      ScenarioResult r = run_one(scenarios[i], options, kdc);
      apply_known_gap(r, options.known_gaps);
      const std::lock_guard lock(report);
      if (progress.scenario_finished) progress.scenario_finished(r);
      results[i] = std::move(r);
    }
  };
  const unsigned jobs =
      std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(scenarios.size())));
  {
    std::vector<std::jthread> threads;
    for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
    worker();
  }
  std::vector<ScenarioResult> done;
  for (auto& r : results) {
    if (r) done.push_back(std::move(*r));
  }
  return done;
}

std::vector<Scenario> shard(std::vector<Scenario> scenarios, unsigned index, unsigned count) {
  if (count == 0 || index == 0 || index > count) {
    throw std::invalid_argument("a shard is i/N with 1 <= i <= N");
  }
  std::sort(scenarios.begin(), scenarios.end(),
            [](const Scenario& a, const Scenario& b) { return a.id < b.id; });
  std::vector<Scenario> mine;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    if (i % count == index - 1) mine.push_back(std::move(scenarios[i]));
  }
  return mine;
}

}  // namespace ceslab::runner
