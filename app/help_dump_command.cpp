// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab help-dump --format man|markdown|bash [--output FILE]`: the man
// page, docs/cli.md's option tables or the bash completion, generated from
// this very command line. Hidden from --help: the build runs it to make the
// installed man page and completion, and tests/app/cli_reference_test.cpp
// to keep docs/cli.md current (docs/cli.md, "Every option").
#include <fstream>
#include <iostream>

#include "cli_reference.hpp"
#include "commands.hpp"

namespace ceslab::app {

void add_help_dump_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "help-dump", "Print the man page, the option tables of docs/cli.md or the bash completion");
  cmd->group("");  // hidden: for the build and the docs, not for users
  struct Args {
    std::string format;
    std::string output;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--format", args->format, "What to print")
      ->required()
      ->check(CLI::IsMember({"man", "markdown", "bash"}));
  cmd->add_option("--output", args->output, "Write it to this file instead of stdout");
  cmd->callback([args, cmd, &exit_code] {
    const CLI::App& root = *cmd->get_parent();
    const std::string text = args->format == "man"        ? cli_man_page(root, CESLAB_VERSION)
                             : args->format == "markdown" ? cli_markdown(root) + "\n"
                                                          : cli_bash_completion(root);
    if (args->output.empty()) {
      std::cout << text;
    } else {
      std::ofstream out(args->output, std::ios::binary);
      out << text;
      if (!out.good()) throw std::runtime_error(args->output + ": cannot be written");
    }
    exit_code = kOk;
  });
}

}  // namespace ceslab::app
