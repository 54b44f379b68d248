// SPDX-License-Identifier: GPL-2.0-or-later
// The command line as documents: one walk over the CLI11 App (make_cli())
// gives every command with its options, and the man page, the bash
// completion and docs/cli.md's option tables are written from that walk, so
// that none of them can drift from `--help`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace ceslab::app {

// How a shell completes an option's value.
enum class ValueCompletion { none, file, directory, choice };

// One option or positional argument of a command.
struct OptionReference {
  std::vector<std::string> names;  // "-j", "--jobs"; a positional's one name ("PATTERN")
  bool positional = false;
  bool takes_value = false;
  bool repeatable = false;
  bool required = false;
  std::string value;                 // what --help calls the value: "FILE", "UINT [1 - 256]"
  std::vector<std::string> choices;  // the allowed values of a CLI::IsMember check
  ValueCompletion completion = ValueCompletion::none;
  std::string default_value;
  std::string description;
};

// One command: `ceslab`, `ceslab run`, `ceslab admin list`. Hidden commands
// (no group, like help-dump) and -h/--help are left out.
struct CommandReference {
  std::vector<std::string> path;  // {} for ceslab itself, {"admin", "list"}
  std::string description;
  std::vector<OptionReference> options;  // positionals first, then options as --help lists them
  std::vector<std::string> subcommands;
  bool needs_subcommand = false;
};

// Every visible command under `root`, depth first, `root` itself first.
std::vector<CommandReference> describe_cli(const CLI::App& root);

// "ceslab run [OPTIONS] [PATTERN...]", as CLI11's usage line has it.
std::string usage_line(const CommandReference& command);

// The "every option" part of docs/cli.md: a section per command.
std::string cli_markdown(const CLI::App& root);

// ceslab(1) in man(7) markup.
std::string cli_man_page(const CLI::App& root, std::string_view version);

// A bash completion script (complete -F _ceslab ceslab).
std::string cli_bash_completion(const CLI::App& root);

}  // namespace ceslab::app
