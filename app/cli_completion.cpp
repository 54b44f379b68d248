// SPDX-License-Identifier: GPL-2.0-or-later
// The bash completion script, written from describe_cli(): subcommands,
// options, the allowed values of a checked option, files for FILE and
// directories for DIR values. Plain bash (compgen/complete), so it works
// without the bash-completion package's helpers.
#include <sstream>

#include "cli_reference.hpp"

namespace ceslab::app {
namespace {

std::string key(const CommandReference& c) {
  std::string k;
  for (const auto& p : c.path) k += (k.empty() ? "" : " ") + p;
  return k;
}

// `"command/word"` case patterns, joined for one case branch.
std::string patterns(const std::vector<std::string>& pairs) {
  std::string out;
  for (const auto& p : pairs) out += (out.empty() ? "\"" : "|\"") + p + "\"";
  return out;
}

std::string words(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& w : list) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

std::string cli_bash_completion(const CLI::App& root) {
  const std::vector<CommandReference> commands = describe_cli(root);
  std::vector<std::string> subcommand_steps, value_options, file_options, dir_options;
  std::vector<std::pair<std::string, std::string>> choice_options;  // pattern, words
  for (const CommandReference& c : commands) {
    for (const auto& s : c.subcommands) subcommand_steps.push_back(key(c) + "/" + s);
    for (const OptionReference& o : c.options) {
      if (o.positional || !o.takes_value) continue;
      for (const auto& n : o.names) {
        const std::string step = key(c) + "/" + n;
        value_options.push_back(step);
        if (o.completion == ValueCompletion::file) file_options.push_back(step);
        if (o.completion == ValueCompletion::directory) dir_options.push_back(step);
        if (o.completion == ValueCompletion::choice)
          choice_options.emplace_back(step, words(o.choices));
      }
    }
  }

  std::ostringstream sh;
  sh << "# bash completion for ceslab(1), generated from its command-line definition by\n"
     << "# `ceslab help-dump --format bash`: regenerate it rather than edit it.\n\n"
     << "# True when WORD, an option of COMMAND (\"\" for ceslab itself), takes a value.\n"
     << "_ceslab_takes_value() {\n"
     << "  case \"$1/$2\" in\n"
     << "    " << patterns(value_options) << ") return 0 ;;\n"
     << "  esac\n"
     << "  return 1\n"
     << "}\n\n"
     << "_ceslab() {\n"
     << "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
     << "  local command=\"\" word i\n"
     << "  # The command the words before the cursor name; an option's value is\n"
     << "  # skipped, so that `--template run` is not the run command.\n"
     << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
     << "    word=${COMP_WORDS[i]}\n"
     << "    if _ceslab_takes_value \"$command\" \"$word\"; then\n"
     << "      i=$((i + 1))\n"
     << "      continue\n"
     << "    fi\n"
     << "    case \"$command/$word\" in\n"
     << "      " << patterns(subcommand_steps) << ") command=${command:+$command }$word ;;\n"
     << "    esac\n"
     << "  done\n"
     << "  COMPREPLY=()\n"
     << "  case \"$command/$prev\" in\n";
  if (!file_options.empty()) {
    sh << "    " << patterns(file_options) << ")\n"
       << "      compopt -o filenames 2>/dev/null\n"
       << "      mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
       << "      return ;;\n";
  }
  if (!dir_options.empty()) {
    sh << "    " << patterns(dir_options) << ")\n"
       << "      compopt -o filenames 2>/dev/null\n"
       << "      mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n"
       << "      return ;;\n";
  }
  for (const auto& [pattern, allowed] : choice_options) {
    sh << "    \"" << pattern << "\")\n"
       << "      mapfile -t COMPREPLY < <(compgen -W \"" << allowed << "\" -- \"$cur\")\n"
       << "      return ;;\n";
  }
  sh << "  esac\n"
     << "  # Any other value: nothing to offer.\n"
     << "  if _ceslab_takes_value \"$command\" \"$prev\"; then return; fi\n"
     << "  local options=\"\" subcommands=\"\" positional_files=\"\"\n"
     << "  case \"$command\" in\n";
  for (const CommandReference& c : commands) {
    std::vector<std::string> names{"--help"};
    bool files = false;
    for (const OptionReference& o : c.options) {
      if (o.positional) {
        files = files || o.completion == ValueCompletion::file;
        continue;
      }
      for (const auto& n : o.names) names.push_back(n);
    }
    sh << "    \"" << key(c) << "\")\n"
       << "      options=\"" << words(names) << "\"\n";
    if (!c.subcommands.empty()) sh << "      subcommands=\"" << words(c.subcommands) << "\"\n";
    if (files) sh << "      positional_files=1\n";
    sh << "      ;;\n";
  }
  sh << "  esac\n"
     << "  if [[ $cur == -* ]]; then\n"
     << "    mapfile -t COMPREPLY < <(compgen -W \"$options\" -- \"$cur\")\n"
     << "  elif [[ -n $subcommands ]]; then\n"
     << "    mapfile -t COMPREPLY < <(compgen -W \"$subcommands\" -- \"$cur\")\n"
     << "  elif [[ -n $positional_files ]]; then\n"
     << "    compopt -o filenames 2>/dev/null\n"
     << "    mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
     << "  fi\n"
     << "}\n\n"
     << "complete -F _ceslab ceslab\n";
  return sh.str();
}

}  // namespace ceslab::app
