// SPDX-License-Identifier: GPL-2.0-or-later
#include <iomanip>
#include <iostream>

#include "ceslab/runner/baseline.hpp"
#include "commands.hpp"

namespace ceslab::app {

void add_run_command(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("run", "Run the suite against the embedded mock (today: the baseline)");
  auto out = std::make_shared<std::string>();
  cmd->add_option("--out", *out,
                  "Keep the baseline's key.pem, cert.pem and chain.pem in this directory");
  cmd->callback([out, &exit_code] {
    const auto results = runner::run_baseline(*out);
    std::size_t passed = 0;
    for (const auto& r : results) {
      std::cout << (r.passed ? "PASS " : "FAIL ") << std::left << std::setw(32) << r.name
                << std::right << std::setw(7) << r.duration.count() << " ms  " << r.detail << "\n";
      if (r.passed) ++passed;
    }
    std::cout << passed << " passed, " << results.size() - passed << " failed\n";
    exit_code = passed == results.size() ? kOk : kFailed;
  });
}

}  // namespace ceslab::app
