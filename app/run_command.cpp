// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <iomanip>
#include <iostream>

#include "ceslab/runner/baseline.hpp"
#include "commands.hpp"
#include "interruptible.hpp"

namespace ceslab::app {

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("run", "Run the suite against the embedded mock (today: the baseline)");
  struct Args {
    std::string out;
    bool no_kerberos = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--out", args->out,
                  "Keep the first case's key.pem, cert.pem and chain.pem in this directory");
  cmd->add_flag("--no-kerberos", args->no_kerberos,
                "Skip the Kerberos cases (they start a throw-away MIT KDC on loopback)");
  cmd->callback([args, &exit_code] {
    runner::BaselineOptions options;
    options.out_dir = args->out;
    options.kerberos = !args->no_kerberos;
    runner::RunProgress progress;
    progress.kdc_started = [](const std::filesystem::path& dir, std::chrono::milliseconds ms) {
      std::cout << "Kerberos realm in " << dir.string() << " (KDC started in " << ms.count()
                << " ms; removed when the run ends)\n"
                << std::flush;
    };
    progress.case_finished = [](const runner::CaseResult& r) {
      std::cout << (r.passed ? "PASS " : "FAIL ") << std::left << std::setw(44) << r.name
                << std::right << std::setw(7) << r.duration.count() << " ms  " << r.detail << "\n"
                << std::flush;
    };
    std::vector<runner::CaseResult> results;
    const auto interrupted = run_interruptible(
        [&](std::stop_token stop) { results = runner::run_baseline(options, progress, stop); });
    const auto passed = static_cast<std::size_t>(std::count_if(
        results.begin(), results.end(), [](const runner::CaseResult& r) { return r.passed; }));
    std::cout << passed << " passed, " << results.size() - passed << " failed";
    if (interrupted) {
      std::cout << "; interrupted, the rest not run\n";
      exit_code = 128 + *interrupted;
      return;
    }
    std::cout << "\n";
    exit_code = passed == results.size() ? kOk : kFailed;
  });
}

}  // namespace ceslab::app
