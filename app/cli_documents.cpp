// SPDX-License-Identifier: GPL-2.0-or-later
// docs/cli.md's option tables and the man page, written from describe_cli().
#include <sstream>

#include "cli_reference.hpp"

namespace ceslab::app {
namespace {

std::string joined(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : separator) + w;
  return out;
}

std::string command_name(const CommandReference& c) {
  return c.path.empty() ? "ceslab" : "ceslab " + joined(c.path, " ");
}

// A table cell: a '|' would end it.
std::string markdown_cell(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    if (ch == '|') out += '\\';
    out += ch;
  }
  return out;
}

std::string markdown_option(const OptionReference& o) {
  std::vector<std::string> names;
  for (const auto& n : o.names)
    names.push_back("`" + n + (o.positional && o.repeatable ? "..." : "") + "`");
  std::string cell = joined(names, ", ");
  if (o.required) cell += " (required)";
  if (o.repeatable && !o.positional) cell += " (repeatable)";
  return cell;
}

// What goes between a description and a sentence added to it.
std::string sentence_end(const std::string& text) {
  return !text.empty() && text.back() == '.' ? " " : ". ";
}

// man(7) text: backslashes and hyphens escaped, the few non-ASCII
// characters the descriptions use as roff glyphs, and a line that starts
// with a control character made literal.
std::string roff(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\\') {
      out += "\\e";
    } else if (ch == '-') {
      out += "\\-";
    } else if (text.compare(i, 3, "\u2014") == 0) {
      out += "\\(em";
      i += 2;
    } else if (text.compare(i, 3, "\u2192") == 0) {
      out += "\\(->";
      i += 2;
    } else {
      out += ch;
    }
  }
  if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out = "\\&" + out;
  return out;
}

std::string man_option(const OptionReference& o) {
  std::string line = ".TP\n";
  std::vector<std::string> names;
  for (const auto& n : o.names)
    names.push_back(o.positional ? "\\fI" + roff(n) + "\\fR" : "\\fB" + roff(n) + "\\fR");
  line += joined(names, ", ");
  if (o.positional && o.repeatable) line += "...";
  if (!o.positional && o.takes_value) {
    // "\:" after each '|' lets a long list of allowed values break there.
    std::string value = roff(o.value);
    for (auto bar = value.find('|'); bar != std::string::npos; bar = value.find('|', bar + 3)) {
      value.insert(bar + 1, "\\:");
    }
    line += " \\fI" + value + "\\fR";
    if (o.repeatable) line += " (repeatable)";
  }
  std::string text = o.description;
  if (o.positional && !o.value.empty()) text += " (" + o.value + ")";
  if (o.required) text += sentence_end(text) + "Required.";
  if (!o.default_value.empty()) text += sentence_end(text) + "Default: " + o.default_value + ".";
  line += "\n" + roff(text);
  return line + "\n";
}

}  // namespace

std::string cli_markdown(const CLI::App& root) {
  std::ostringstream md;
  for (const CommandReference& c : describe_cli(root)) {
    if (c.path.empty()) continue;  // the commands themselves are the sections
    md << "### " << command_name(c) << "\n\n";
    md << "`" << usage_line(c) << "`\n\n" << c.description << "\n\n";
    if (!c.subcommands.empty()) {
      std::vector<std::string> subs;
      for (const auto& s : c.subcommands) subs.push_back("`" + s + "`");
      md << "Subcommands: " << joined(subs, ", ") << ".\n\n";
    }
    if (c.options.empty()) continue;
    md << "| option | value | description |\n|---|---|---|\n";
    for (const OptionReference& o : c.options) {
      std::string description = o.description;
      if (!o.default_value.empty()) {
        description += sentence_end(description) + "Default: `" + o.default_value + "`.";
      }
      md << "| " << markdown_option(o) << " | "
         << (o.value.empty() ? "" : "`" + markdown_cell(o.value) + "`") << " | "
         << markdown_cell(description) << " |\n";
    }
    md << "\n";
  }
  std::string text = md.str();
  while (text.size() >= 2 && text.compare(text.size() - 2, 2, "\n\n") == 0) text.pop_back();
  return text;
}

std::string cli_man_page(const CLI::App& root, std::string_view version) {
  const std::vector<CommandReference> commands = describe_cli(root);
  std::ostringstream man;
  man << ".\\\" ceslab(1), generated from the command-line definition by\n"
      << ".\\\" `ceslab help-dump --format man`: regenerate it rather than edit it.\n"
      << ".TH CESLAB 1 \"\" \"ceslab " << version << "\" \"User Commands\"\n"
      << ".SH NAME\n"
      << "ceslab \\- test harness and simulator for the certificate enrollment web services "
         "CES and CEP\n"
      << ".SH SYNOPSIS\n"
      << ".B ceslab\n"
      << ".I command\n"
      << ".RI [ options ]\n"
      << ".br\n"
      << ".B ceslab\n"
      << ".I command\n"
      << ".B \\-\\-help\n"
      << ".SH DESCRIPTION\n"
      << roff(commands.front().description) << ".\n"
      << ".PP\n"
      << "It pairs a real enrollment client with a mock CES/CEP that fails the way a Windows "
         "host fails, so that the causes behind WS_E_ENDPOINT_FAULT_RECEIVED 0x803d0013 can be "
         "reproduced, recognised and explained.\n"
      << ".SH COMMANDS\n";
  for (const CommandReference& c : commands) {
    if (c.path.empty()) continue;
    man << ".SS \"" << roff(usage_line(c)) << "\"\n" << roff(c.description) << "\n";
    if (!c.subcommands.empty()) {
      man << ".PP\nSubcommands: " << roff(joined(c.subcommands, ", ")) << ".\n";
    }
    for (const OptionReference& o : c.options) man << man_option(o);
  }
  man << ".SH EXIT STATUS\n"
      << ".TP\n0\nSuccess: a certificate issued and checked, a policy listed, every scenario "
         "passed; \\fBdiagnose\\fR: a cause named.\n"
      << ".TP\n1\nFailure: a fault, a transport error, a failed check, scenario or case; "
         "\\fBdiagnose\\fR: an input that cannot be read.\n"
      << ".TP\n2\nUsage error; the message names the option.\n"
      << ".TP\n3\nThe request is pending; \\fBdiagnose\\fR: the verdict is unknown.\n"
      << ".TP\n128 + signal\n\\fBrun\\fR and \\fBbench\\fR interrupted by SIGINT, SIGTERM or "
         "SIGHUP (after cleaning up).\n"
      << ".SH ENVIRONMENT\n"
      << ".TP\n.B CESLAB_PASSWORD\nThe password for \\fB\\-\\-auth username\\fR when no "
         "\\fB\\-\\-password\\-file\\fR is given (else a prompt asks, echo off).\n"
      << ".TP\n.B KRB5_CONFIG\\fR, \\fBKRB5CCNAME\nThe Kerberos configuration and credential "
         "cache for \\fB\\-\\-auth kerberos\\fR.\n"
      << ".SH FILES\n"
      << ".TP\n.I /usr/share/ceslab/scenarios\nThe bundled scenarios \\fBceslab run\\fR runs: "
         "\\fIshare/ceslab/scenarios\\fR under the prefix ceslab is installed in (the directory "
         "above its \\fIbin\\fR).\n"
      << ".SH SEE ALSO\n"
      << ".BR kinit (1),\n.BR krb5kdc (8).\n"
      << "The reference with examples: \\fI/usr/share/doc/ceslab/cli.md\\fR, and the other "
         "documents in \\fI/usr/share/doc/ceslab/\\fR.\n";
  return man.str();
}

}  // namespace ceslab::app
