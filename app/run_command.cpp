// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab run`: the scenario suite (docs/scenarios.md) against the embedded
// mock, with reports for people and CI.
#include <unistd.h>

#include <iostream>
#include <regex>
#include <thread>

#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/runner/reports.hpp"
#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"
#include "commands.hpp"
#include "result_report.hpp"
#include "target_command.hpp"

namespace ceslab::app {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  std::vector<std::string> patterns;
  std::vector<std::string> scenario_files;
  std::string out, json, junit, html, shard;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool no_kerberos = false;
  bool list = false;
  bool lint = false;
};

// The files to load: the bundled suite and every --scenario; with --lint,
// positional arguments that are files are linted instead.
std::vector<fs::path> files_to_load(RunArgs& a, const fs::path& bundled) {
  std::vector<fs::path> files;
  std::vector<std::string> patterns;
  for (const auto& p : a.patterns) {
    if (a.lint && fs::is_regular_file(p)) {
      files.emplace_back(p);
    } else {
      patterns.push_back(p);
    }
  }
  a.patterns = patterns;
  for (const auto& f : a.scenario_files) files.emplace_back(f);
  const bool only_own = !files.empty() && a.patterns.empty();
  if (!only_own) {
    if (bundled.empty()) {
      throw std::runtime_error(
          "no bundled scenarios found (neither <prefix>/share/ceslab/scenarios next to this "
          "binary nor the source tree's scenarios/); give --scenario FILE");
    }
    for (auto& f : runner::scenario_files(bundled)) files.push_back(std::move(f));
  }
  return files;
}

std::pair<unsigned, unsigned> parse_shard(const std::string& text) {
  static const std::regex form(R"(([0-9]{1,6})/([0-9]{1,6}))");
  std::smatch m;
  if (!std::regex_match(text, m, form)) {
    throw CLI::ValidationError("--shard", "'" + text + "' is not i/N (e.g. 2/4)");
  }
  const unsigned i = static_cast<unsigned>(std::stoul(m[1]));
  const unsigned n = static_cast<unsigned>(std::stoul(m[2]));
  if (n == 0 || i == 0 || i > n) {
    throw CLI::ValidationError("--shard", "'" + text + "' needs 1 <= i <= N");
  }
  return {i, n};
}

// On a terminal, one status line rewritten as scenarios finish; otherwise
// one line per scenario, for logs.
runner::SuiteProgress progress_printer(std::size_t total) {
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  auto done = std::make_shared<std::size_t>(0);
  auto failed = std::make_shared<std::size_t>(0);
  runner::SuiteProgress p;
  p.kdc_started = [](const fs::path& dir, std::chrono::milliseconds ms) {
    std::cerr << "Kerberos realm in " << dir.string() << " (KDC started in " << ms.count()
              << " ms; removed when the run ends)\n";
  };
  p.scenario_finished = [tty, total, done, failed](const runner::ScenarioResult& r) {
    ++*done;
    if (r.failed()) ++*failed;
    if (tty) {
      std::cout << "\r\033[K[" << *done << "/" << total << "] " << *failed << " failed, last "
                << r.id << " " << runner::to_string(r.result) << std::flush;
      if (*done == total) std::cout << "\r\033[K" << std::flush;
    } else {
      std::cout << "[" << *done << "/" << total << "] " << runner::to_string(r.result) << " "
                << r.id << " (" << r.duration.count() << " ms)\n"
                << std::flush;
    }
  };
  return p;
}

int lint_or_list(const RunArgs& a, const runner::LoadedScenarios& loaded, const fs::path& bundled) {
  if (a.list) {
    // Where the bundled ones came from (an installed prefix or the source
    // tree), on stderr so the list itself stays one scenario per line.
    if (!bundled.empty()) std::cerr << "bundled scenarios: " << bundled.string() << "\n";
    for (const auto& s : loaded.scenarios) {
      std::cout << s.id << "  " << s.summary << "\n";
    }
  }
  if (a.lint) {
    std::cout << loaded.scenarios.size() << " scenario file(s) valid, " << loaded.errors.size()
              << " with errors\n";
  }
  return loaded.errors.empty() ? kOk : kFailed;
}

void add_run_options(CLI::App& cmd, RunArgs& a) {
  cmd.add_option("PATTERN", a.patterns,
                 "Run only these scenarios: an id (causes/ca_subject_email_required), a group "
                 "(baseline) or a shell pattern over ids ('*kerberos*')");
  cmd.add_option("--scenario", a.scenario_files,
                 "A scenario file of your own (repeatable); alone it runs only these")
      ->check(CLI::ExistingFile);
  cmd.add_option("--jobs,-j", a.jobs, "Scenarios run at once (default: the number of cores)")
      ->check(CLI::Range(1u, 256u));
  cmd.add_option("--out", a.out,
                 "Keep each scenario's redacted exchange, evidence, events and diagnosis in "
                 "DIR/<group>_<name>/")
      ->type_name("DIR");
  cmd.add_option("--json", a.json, "Write the results as JSON (schema ceslab.run/1)")
      ->type_name("FILE");
  cmd.add_option("--junit", a.junit, "Write the results as JUnit XML")->type_name("FILE");
  cmd.add_option("--html", a.html,
                 "Write a self-contained HTML report: a row per scenario, failed first, each with "
                 "its exchanges, server events, evidence and both diagnoses (docs/reports.md)")
      ->type_name("FILE");
  cmd.add_option("--shard", a.shard,
                 "Run the i-th of N stable parts of the selection (CI matrices), e.g. 2/4");
  cmd.add_flag("--no-kerberos", a.no_kerberos,
               "Skip the Kerberos scenarios (they use a throw-away MIT KDC on loopback)");
  cmd.add_flag("--list", a.list, "List the scenarios (id and summary) and run nothing");
  cmd.add_flag("--lint", a.lint,
               "Validate scenario files (the bundled ones, --scenario files, or FILE "
               "arguments) and run nothing");
}

// The loaded scenarios the patterns and the shard pick (throws a usage error
// when none is left).
std::vector<runner::Scenario> select_scenarios(const RunArgs& a,
                                               std::vector<runner::Scenario> loaded) {
  std::vector<runner::Scenario> selected;
  for (auto& s : loaded) {
    const bool wanted =
        a.patterns.empty() || std::any_of(a.patterns.begin(), a.patterns.end(),
                                          [&](const auto& p) { return runner::matches(s, p); });
    if (wanted) selected.push_back(std::move(s));
  }
  if (selected.empty()) {
    throw CLI::ValidationError("PATTERN", "no scenario matches (ceslab run --list shows them)");
  }
  if (!a.shard.empty()) {
    const auto [i, n] = parse_shard(a.shard);
    selected = runner::shard(std::move(selected), i, n);
  }
  return selected;
}

runner::SuiteOptions suite_options(const RunArgs& a, const fs::path& bundled) {
  runner::SuiteOptions options;
  options.jobs = a.jobs;
  options.out_dir = a.out;
  options.kerberos = !a.no_kerberos;
  options.record = !a.html.empty();
  if (!bundled.empty()) {
    std::vector<std::string> ids;
    for (const auto& f : runner::scenario_files(bundled)) {
      ids.push_back(f.parent_path().filename().string() + "/" + f.stem().string());
    }
    options.known_gaps = runner::load_known_gaps(bundled / "known-gaps.yaml", ids);
  }
  return options;
}

// Runs the selection (Ctrl-C stops it between scenarios), prints the table
// and writes the reports; the exit code.
int run_selected(const RunArgs& a, const std::vector<runner::Scenario>& selected,
                 const runner::SuiteOptions& options) {
  const ReportedRun r = run_and_report(
      [&](std::stop_token stop) {
        return runner::run_suite(selected, options, progress_printer(selected.size()), stop);
      },
      a.json, a.junit, a.html);
  if (r.interrupted) {
    std::cout << "; interrupted, " << selected.size() - r.results.size() << " not run\n";
    return 128 + *r.interrupted;
  }
  std::cout << "\n";
  return r.summary.ok() ? kOk : kFailed;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "run",
      "Run the scenario suite against the embedded mock: each scenario's world, its client "
      "steps, and the diagnosis checked from the client's evidence alone and with the "
      "server's events");
  auto a = std::make_shared<RunArgs>();
  add_run_options(*cmd, *a);
  auto target = std::make_shared<TargetArgs>();
  add_target_options(*cmd, *target);
  cmd->callback([a, target, cmd, &exit_code] {
    if (target_requested(*cmd)) {
      exit_code = run_target(*target, a->json, a->junit, a->html, a->out);
      return;
    }
    const fs::path bundled = runner::bundled_scenarios_dir();
    const std::vector<fs::path> files = files_to_load(*a, bundled);
    runner::LoadedScenarios loaded = runner::load_scenarios(files, diagnosis::Catalog::builtin());
    for (const auto& e : loaded.errors) std::cerr << e << "\n";
    if (a->list || a->lint) {
      exit_code = lint_or_list(*a, loaded, bundled);
      return;
    }
    if (!loaded.errors.empty()) {
      std::cerr << loaded.errors.size()
                << " scenario file(s) could not be loaded; nothing was run (ceslab run --lint "
                   "checks them)\n";
      exit_code = kFailed;
      return;
    }
    const std::vector<runner::Scenario> selected =
        select_scenarios(*a, std::move(loaded.scenarios));
    exit_code = run_selected(*a, selected, suite_options(*a, bundled));
  });
}

}  // namespace ceslab::app
