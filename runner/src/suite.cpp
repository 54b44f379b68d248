// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/runner/suite.hpp"

#include <yaml-cpp/yaml.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <system_error>
#include <thread>

#include "ceslab/kdc/kdc_lab.hpp"
#include "ceslab/runner/kerberos_lab.hpp"
#include "reason_list.hpp"
#include "scenario_execution.hpp"
#include "shared_lab.hpp"

namespace ceslab::runner {
namespace {

namespace fs = std::filesystem;

// The run's KDC, started before the first Kerberos scenario, and the turn
// each Kerberos scenario takes with it: the realm holds one world's
// principals at a time (LabRealm::admit sets them), so none leaks
// into another world.
class SharedKdc {
 public:
  SharedKdc(const SuiteProgress& progress, fs::path parent, std::string realm)
      : progress_(progress), parent_(std::move(parent)), realm_(std::move(realm)) {}

  std::unique_lock<std::mutex> turn() { return std::unique_lock<std::mutex>(mutex_); }

  // Call with turn() held. Starts the KDC on first use; a start that failed
  // is not tried again (its error is every later caller's).
  LabRealm& get() {
    if (!realm_lab_ && !failure_) {
      try {
        realm_lab_ = LabRealm::start(realm_, parent_);
      } catch (const std::exception& e) {
        failure_ = e.what();
      }
      if (realm_lab_ && progress_.kdc_started) {
        progress_.kdc_started(realm_lab_->kdc().directory(), realm_lab_->kdc().startup_time());
      }
    }
    if (!realm_lab_) throw kdc::KdcError(*failure_);
    return *realm_lab_;
  }

 private:
  const SuiteProgress& progress_;
  fs::path parent_;
  std::string realm_;
  std::mutex mutex_;
  std::unique_ptr<LabRealm> realm_lab_;
  std::optional<std::string> failure_;
};

// Where a run keeps its worlds' state and its realm: on the RAM disk when
// there is one. Nothing there must outlive the run, and the request
// databases and the KDC's would otherwise wait on the disk for every write
// (docs/performance.md).
fs::path scratch_parent() {
  std::error_code ec;
  const fs::path shm = "/dev/shm";
  if (fs::is_directory(shm, ec) && ::access(shm.c_str(), W_OK | X_OK) == 0) return shm;
  return fs::temp_directory_path();
}

// The run's own directory, removed at the end.
class TempRoot {
 public:
  TempRoot() {
    std::string name = (scratch_parent() / "ceslab-run-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "creating " + name);
    }
    path_ = name;
  }
  ~TempRoot() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string folder_name(const std::string& id) {
  std::string name = id;
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

ScenarioResult run_one(const Scenario& s, const SuiteOptions& options, SharedKdc& kdc,
                       SharedLab& lab) {
  ExecutionContext context{lab, {}, {}, options.record};
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
    context.kerberos = kdc.get().admit(s.world);
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

// The keys of each type one scenario uses at most: each enrollment, and
// each renewal with a new key, takes the next of the pool.
std::map<std::string, std::size_t> keys_needed(const std::vector<Scenario>& scenarios) {
  std::map<std::string, std::size_t> most;
  for (const Scenario& s : scenarios) {
    std::map<std::string, std::size_t> uses;
    for (const Step& step : s.steps) {
      if (step.kind == StepKind::enroll) ++uses[step.key.value_or(s.client.key)];
      if (step.kind == StepKind::renew && step.key) ++uses[*step.key];
    }
    for (const auto& [spec, n] : uses) most[spec] = std::max(most[spec], n);
  }
  return most;
}

// Runs `tasks` on `jobs` threads (the calling one among them) until done or
// stopped; `first` runs on the calling thread before it joins in.
void run_parallel(const std::vector<std::function<void()>>& tasks, unsigned jobs,
                  const std::stop_token& stop, const std::function<void()>& first = {}) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (;;) {
      if (stop.stop_requested()) return;
      const std::size_t i = next.fetch_add(1);
      if (i >= tasks.size()) return;
      tasks[i]();
    }
  };
  std::vector<std::jthread> threads;
  for (unsigned j = 1; j < std::min<std::size_t>(jobs, tasks.size() + (first ? 1 : 0)); ++j) {
    threads.emplace_back(worker);
  }
  if (first) first();
  worker();
}

// Makes what the worlds share before the first scenario starts, in
// parallel: otherwise the first scenarios would wait, one after another, on
// what the others make. A failure here is left for the scenario that needs
// the thing to meet and report.
// `on_this_thread` runs on the calling thread meanwhile.
void prepare(SharedLab& lab, const std::vector<Scenario>& scenarios, unsigned jobs,
             const std::stop_token& stop, const std::function<void()>& on_this_thread) {
  std::vector<std::function<void()>> tasks;
  auto quietly = [](auto make) {
    return [make] {
      try {
        make();
      } catch (const std::exception&) {
        // reported by the scenario that needs it
      }
    };
  };
  for (const auto& [spec, n] : keys_needed(scenarios)) {
    for (std::size_t i = 0; i < n; ++i) {
      tasks.push_back(quietly([&lab, spec = spec, i] { lab.client_key(spec, i); }));
    }
  }
  for (const Scenario& s : scenarios) {
    tasks.push_back(quietly([&lab, &s] { lab.ca_files(s.world.ca); }));
  }
  run_parallel(tasks, jobs, stop, on_this_thread);
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
  const auto entries = load_reason_list(file, "scenario", [&](const std::string& id) {
    return std::find(known_ids.begin(), known_ids.end(), id) == known_ids.end()
               ? "no bundled scenario is '" + id + "'"
               : std::string();
  });
  for (const Reasoned& e : entries) gaps[e.name] = e.reason;
  return gaps;
}

std::vector<ScenarioResult> run_suite(const std::vector<Scenario>& scenarios,
                                      const SuiteOptions& options, const SuiteProgress& progress,
                                      std::stop_token stop) {
  const TempRoot root;
  // One realm per run, named after the first Kerberos world's domain; a
  // world of another domain is refused by LabRealm::admit, naming both.
  const auto first_kerberos = std::find_if(scenarios.begin(), scenarios.end(),
                                           [](const Scenario& s) { return s.uses_kerberos(); });
  SharedKdc kdc(progress, root.path(),
                first_kerberos != scenarios.end() ? first_kerberos->world.kerberos_realm()
                                                  : std::string("LAB.TEST"));
  SharedLab lab(root.path());
  const bool any_kerberos = options.kerberos && first_kerberos != scenarios.end();
  const unsigned jobs = std::max(1u, options.jobs);
  // The KDC starts on this thread, which lives as long as the run: the KDC
  // dies with the thread that started it (PR_SET_PDEATHSIG is per thread),
  // and a worker thread ends before the run does.
  std::function<void()> kdc_start;
  if (any_kerberos) {
    kdc_start = [&kdc] {
      try {
        const auto turn = kdc.turn();
        kdc.get();
      } catch (const std::exception&) {
        // the Kerberos scenarios meet it again and report it
      }
    };
  }
  prepare(lab, scenarios, jobs, stop, kdc_start);
  // (LabRealm::start pointed KRB5_CONFIG at the realm before any scenario's
  // thread uses Kerberos.)
  std::vector<std::optional<ScenarioResult>> results(scenarios.size());
  std::mutex report;
  std::vector<std::function<void()>> tasks;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    tasks.push_back([&, i] {
      if (progress.scenario_started) {
        const std::lock_guard lock(report);
        progress.scenario_started(scenarios[i].id);
      }
      ScenarioResult r = run_one(scenarios[i], options, kdc, lab);
      apply_known_gap(r, options.known_gaps);
      const std::lock_guard lock(report);
      if (progress.scenario_finished) progress.scenario_finished(r);
      results[i] = std::move(r);
    });
  }
  run_parallel(tasks, jobs, stop);
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
