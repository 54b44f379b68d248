// SPDX-License-Identifier: GPL-2.0-or-later
// Each subcommand registers itself on the CLI and returns its exit code
// through the callback it installs. No logic beyond argument handling here.
#pragma once

#include <CLI/CLI.hpp>

namespace ceslab::app {

// Exit codes shared by every subcommand (docs/cli.md).
enum ExitCode : int {
  kOk = 0,
  kFailed = 1,
  kUsage = 2,
  kPending = 3,
};

void add_run_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_enroll_command(CLI::App& app, int& exit_code);
void add_admin_command(CLI::App& app, int& exit_code);
void add_renew_command(CLI::App& app, int& exit_code);
void add_retrieve_command(CLI::App& app, int& exit_code);
void add_policy_command(CLI::App& app, int& exit_code);
void add_diagnose_command(CLI::App& app, int& exit_code);
void add_conformance_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_scenario_command(CLI::App& app, int& exit_code);
// Hidden: prints the man page, the bash completion or docs/cli.md's option
// tables generated from the App it is registered on (cli_reference.hpp).
void add_help_dump_command(CLI::App& app, int& exit_code);

}  // namespace ceslab::app
