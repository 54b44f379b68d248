// SPDX-License-Identifier: GPL-2.0-or-later
// ceslab: test harness and simulator for AD CS enrollment web services.
#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "ceslab — test harness and simulator for Microsoft's certificate enrollment web "
      "services (CES / MS-WSTEP, CEP / MS-XCEP)"};
  app.require_subcommand(1);
  int exit_code = ceslab::app::kOk;
  ceslab::app::add_run_command(app, exit_code);
  ceslab::app::add_serve_command(app, exit_code);
  ceslab::app::add_enroll_command(app, exit_code);
  ceslab::app::add_admin_command(app, exit_code);
  ceslab::app::add_renew_command(app, exit_code);
  ceslab::app::add_retrieve_command(app, exit_code);
  ceslab::app::add_policy_command(app, exit_code);
  ceslab::app::add_diagnose_command(app, exit_code);
  ceslab::app::add_conformance_command(app, exit_code);
  ceslab::app::add_bench_command(app, exit_code);
  ceslab::app::add_scenario_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return ceslab::app::kUsage;
  } catch (const std::exception& e) {
    std::cerr << "ceslab: " << e.what() << "\n";
    return ceslab::app::kFailed;
  }
  return exit_code;
}
