// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli.hpp"

#include "commands.hpp"

namespace ceslab::app {

std::unique_ptr<CLI::App> make_cli(int& exit_code) {
  auto app = std::make_unique<CLI::App>(
      "ceslab — test harness and simulator for Microsoft's certificate enrollment web "
      "services (CES / MS-WSTEP, CEP / MS-XCEP)");
  app->require_subcommand(1);
  add_run_command(*app, exit_code);
  add_serve_command(*app, exit_code);
  add_enroll_command(*app, exit_code);
  add_admin_command(*app, exit_code);
  add_renew_command(*app, exit_code);
  add_retrieve_command(*app, exit_code);
  add_policy_command(*app, exit_code);
  add_diagnose_command(*app, exit_code);
  add_conformance_command(*app, exit_code);
  add_bench_command(*app, exit_code);
  add_scenario_command(*app, exit_code);
  add_help_dump_command(*app, exit_code);
  return app;
}

}  // namespace ceslab::app
