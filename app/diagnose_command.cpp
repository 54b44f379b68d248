// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab diagnose [--json] [--type T] FILE...`: what a failed enrollment
// left behind (faults, HTTP responses, certreq text, event exports, klist,
// cepces logs, evidence files) read into one Evidence record and classified
// by the catalog. Exit 0 with a cause, 3 for "unknown", 1 for bad input.
#include <iostream>
#include <nlohmann/json.hpp>

#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/diagnosis/inputs.hpp"
#include "ceslab/diagnosis/report.hpp"
#include "ceslab/report/html_pages.hpp"
#include "commands.hpp"

namespace ceslab::app {

namespace {

constexpr int kUnknownVerdict = 3;  // docs/cli.md

nlohmann::json inputs_json(const std::vector<diagnosis::ParsedInput>& inputs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& in : inputs) {
    out.push_back(
        {{"file", in.name}, {"type", diagnosis::to_string(in.type)}, {"facts", in.facts}});
  }
  return out;
}

}  // namespace

void add_diagnose_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "diagnose",
      "Name the cause of a failed enrollment from what it left behind (fault XML, HTTP response, "
      "certreq output, event-log export, klist -f, cepces log, --evidence file)");
  struct Args {
    std::vector<std::string> files;
    bool json = false;
    std::string type;
    std::string html;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("FILE", args->files, "Artefacts of one failure; several combine into one record")
      ->required();
  cmd->add_flag("--json", args->json, "Print the diagnosis as JSON (ceslab.diagnosis/1)");
  cmd->add_option("--html", args->html,
                  "Also write the diagnosis as a self-contained HTML page (docs/reports.md)")
      ->type_name("FILE");
  std::vector<std::string> types;
  for (const auto t : diagnosis::all_input_types()) types.emplace_back(diagnosis::to_string(t));
  cmd->add_option("--type", args->type, "Read every FILE as this type instead of detecting it")
      ->check(CLI::IsMember(types));
  cmd->callback([args, &exit_code] {
    std::optional<diagnosis::InputType> forced;
    if (!args->type.empty()) forced = diagnosis::parse_input_type(args->type);
    core::Evidence evidence = diagnosis::empty_evidence();
    std::vector<diagnosis::ParsedInput> inputs;
    try {
      for (const std::string& file : args->files) {
        inputs.push_back(diagnosis::read_input_file(file, forced, evidence));
      }
    } catch (const diagnosis::InputError& e) {
      std::cerr << "ceslab diagnose: " << e.what() << "\n";
      exit_code = kFailed;
      return;
    }
    const diagnosis::Diagnosis d = diagnosis::diagnose(diagnosis::Catalog::builtin(), evidence);
    if (args->json) {
      nlohmann::json out = d;
      out["inputs"] = inputs_json(inputs);
      std::cout << out.dump(2) << "\n";
    } else {
      for (const auto& in : inputs) {
        std::cout << "Read " << in.name << " as " << diagnosis::to_string(in.type) << "\n";
        for (const auto& fact : in.facts) std::cout << "  " << fact << "\n";
      }
      std::cout << "\n" << diagnosis::format_report(d);
    }
    if (!args->html.empty()) {
      std::vector<report::DiagnosedInput> read;
      for (const auto& in : inputs) {
        read.push_back({in.name, std::string(diagnosis::to_string(in.type)), in.facts});
      }
      report::write_page(args->html, report::diagnosis_page(d, read));
    }
    exit_code = d.verdict == diagnosis::kUnknown ? kUnknownVerdict : kOk;
  });
}

}  // namespace ceslab::app
