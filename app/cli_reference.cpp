// SPDX-License-Identifier: GPL-2.0-or-later
// Walking the CLI11 App into CommandReference records. What --help prints
// as an option's type ("TEXT:FILE", "UINT:UINT in [1 - 256]",
// "TEXT:{username,cert,kerberos}") is taken apart here once, so that every
// document names values the same way.
#include "cli_reference.hpp"

#include <regex>

namespace ceslab::app {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

// CLI11's type name is the value's type followed by each check's
// description, separated by ':'; a check names a value kind in capitals
// (FILE, DIR, KEY, DN), a unit in brackets ("FLOAT [DURATION]"), a range
// ("UINT in [1 - 256]") or the allowed values ("{a,b}").
void read_type_name(const std::string& type_name, OptionReference& o) {
  static const std::regex kind("[A-Z]+");
  static const std::regex unit(R"(\S+ \[([A-Z]+)\])");
  const std::vector<std::string> parts = split(type_name, ':');
  std::string name = parts.front();
  std::string range;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string& check = parts[i];
    std::smatch m;
    if (check.size() >= 2 && check.front() == '{' && check.back() == '}') {
      o.choices = split(check.substr(1, check.size() - 2), ',');
    } else if (std::regex_match(check, kind)) {
      name = check;
    } else if (std::regex_match(check, m, unit)) {
      name = m[1];
    } else if (const auto bracket = check.find(" in ["); bracket != std::string::npos) {
      range = check.substr(bracket + 4);
    }
  }
  if (!o.choices.empty()) {
    for (const auto& c : o.choices) o.value += (o.value.empty() ? "" : "|") + c;
  } else {
    o.value = range.empty() ? name : name + " " + range;
  }
  // A positional named FILE takes files whatever its type says.
  const std::string& kind_name = o.positional ? o.names.front() : name;
  if (!o.choices.empty()) {
    o.completion = ValueCompletion::choice;
  } else if (name == "FILE" || name == "PATH" || name == "FILE|DIR" || kind_name == "FILE") {
    o.completion = ValueCompletion::file;
  } else if (name == "DIR") {
    o.completion = ValueCompletion::directory;
  }
}

OptionReference describe_option(const CLI::Option& option) {
  OptionReference o;
  o.positional = !option.nonpositional();
  if (o.positional) {
    o.names.push_back(option.get_name(true));
  } else {
    for (const auto& s : option.get_snames()) o.names.push_back("-" + s);
    for (const auto& l : option.get_lnames()) o.names.push_back("--" + l);
  }
  // A flag expects no items (CLI11 sets expected(0) on it).
  o.takes_value = option.get_items_expected_max() > 0;
  o.repeatable = option.get_items_expected_max() > 1;
  o.required = option.get_required();
  o.default_value = option.get_default_str();
  o.description = option.get_description();
  if (o.takes_value) read_type_name(option.get_type_name(), o);
  return o;
}

void describe(const CLI::App& app, std::vector<std::string> path,
              std::vector<CommandReference>& out) {
  CommandReference c;
  c.path = path;
  c.description = app.get_description();
  c.needs_subcommand = app.get_require_subcommand_min() > 0;
  const auto shown = [&app](const CLI::Option* o) {
    return !o->get_group().empty() && o != app.get_help_ptr() && o != app.get_help_all_ptr();
  };
  // --help lists positionals before options; so do the documents.
  for (const CLI::Option* o : app.get_options(shown)) {
    if (!o->nonpositional()) c.options.push_back(describe_option(*o));
  }
  for (const CLI::Option* o : app.get_options(shown)) {
    if (o->nonpositional()) c.options.push_back(describe_option(*o));
  }
  const auto visible = [](const CLI::App* s) { return !s->get_group().empty(); };
  const std::vector<const CLI::App*> subcommands = app.get_subcommands(visible);
  for (const CLI::App* s : subcommands) c.subcommands.push_back(s->get_name());
  out.push_back(std::move(c));
  for (const CLI::App* s : subcommands) {
    std::vector<std::string> sub_path = path;
    sub_path.push_back(s->get_name());
    describe(*s, sub_path, out);
  }
}

}  // namespace

std::vector<CommandReference> describe_cli(const CLI::App& root) {
  std::vector<CommandReference> commands;
  describe(root, {}, commands);
  return commands;
}

std::string usage_line(const CommandReference& command) {
  std::string line = "ceslab";
  for (const auto& p : command.path) line += " " + p;
  bool has_options = false;
  for (const auto& o : command.options) has_options = has_options || !o.positional;
  if (has_options) line += " [OPTIONS]";
  for (const auto& o : command.options) {
    if (!o.positional) continue;
    const std::string word = o.names.front() + (o.repeatable ? "..." : "");
    line += o.required ? " " + word : " [" + word + "]";
  }
  if (!command.subcommands.empty())
    line += command.needs_subcommand ? " SUBCOMMAND" : " [SUBCOMMAND]";
  return line;
}

}  // namespace ceslab::app
