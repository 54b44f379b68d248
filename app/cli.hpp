// SPDX-License-Identifier: GPL-2.0-or-later
// The whole ceslab command line as one CLI11 App, built without being run:
// main() parses with it, and `ceslab help-dump` walks it to write the man
// page, the bash completion and the option tables of docs/cli.md.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

namespace ceslab::app {

// Every subcommand registered on a new App; each callback stores its exit
// code in `exit_code`, which must outlive the App.
std::unique_ptr<CLI::App> make_cli(int& exit_code);

}  // namespace ceslab::app
