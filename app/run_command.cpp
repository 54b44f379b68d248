// SPDX-License-Identifier: GPL-2.0-or-later
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
    std::size_t passed = 0;
    std::size_t run = 0;
    progress.case_finished = [&passed, &run](const runner::CaseResult& r) {
      ++run;
      if (r.passed) ++passed;
      std::cout << (r.passed ? "PASS " : "FAIL ") << std::left << std::setw(44) << r.name
                << std::right << std::setw(7) << r.duration.count() << " ms  " << r.detail << "\n"
                << std::flush;
    };
    const auto interrupted = run_interruptible(
        [&](std::stop_token stop) { runner::run_baseline(options, progress, stop); });
    std::cout << passed << " passed, " << run - passed << " failed";
    if (interrupted) {
      std::cout << "; interrupted, the rest not run\n";
      exit_code = 128 + *interrupted;
      return;
    }
    std::cout << "\n";
    exit_code = passed == run ? kOk : kFailed;
  });
}

}  // namespace ceslab::app
