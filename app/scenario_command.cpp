// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab scenario from-artefacts FILE|DIR... [-o FILE]`: a customer's
// artefacts turned into a scenario file (runner/from_artefacts.hpp,
// docs/scenarios.md). Exit 0 written, 1 for artefacts that cannot be read
// or reproduce nothing, 2 for a usage error.
#include <iostream>

#include "ceslab/runner/from_artefacts.hpp"
#include "commands.hpp"

namespace ceslab::app {

void add_scenario_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("scenario", "Make scenario files");
  cmd->require_subcommand(1);
  auto* from = cmd->add_subcommand(
      "from-artefacts",
      "Turn a customer's artefacts (what `ceslab diagnose` reads, or a --capture directory) into "
      "a scenario that reproduces their case: the diagnosed cause's world, else a replay of the "
      "recorded answer");
  struct Args {
    std::vector<std::string> paths;
    std::string output;
  };
  auto args = std::make_shared<Args>();
  from->add_option("ARTEFACT", args->paths, "Files or directories of one failure, read in order")
      ->required()
      ->type_name("FILE|DIR");
  from->add_option("-o,--output", args->output,
                   "Write the scenario to FILE (its name is FILE's stem; a replay's recorded "
                   "answer goes beside it as <name>.http); default: stdout")
      ->type_name("FILE");
  from->callback([args, &exit_code] {
    runner::FromArtefactsOptions options;
    if (!args->output.empty()) options.name = std::filesystem::path(args->output).stem().string();
    try {
      std::vector<std::filesystem::path> paths(args->paths.begin(), args->paths.end());
      const runner::ArtefactScenario s = runner::scenario_from_artefacts(paths, options);
      for (const auto& in : s.inputs) {
        std::cerr << "Read " << in.name << " as " << in.type;
        if (in.redactions) std::cerr << " (" << in.redactions << " secret(s) redacted)";
        std::cerr << "\n";
      }
      std::cerr << "Diagnosis: " << s.verdict << "\n";
      if (s.replay) {
        std::cerr << "Replay of the recorded answer in " << s.replay_source
                  << " (no world reproduces it)\n";
        if (args->output.empty()) {
          std::cerr << "ceslab scenario from-artefacts: a replay needs -o FILE: the recorded "
                       "answer is written beside the scenario as <name>.http\n";
          exit_code = kUsage;
          return;
        }
      } else {
        std::cerr << "World of " << s.reproduced_by << "\n";
      }
      if (args->output.empty()) {
        std::cout << s.yaml;
      } else {
        for (const auto& f : runner::write_artefact_scenario(s, args->output))
          std::cerr << "Wrote " << f.string() << "\n";
      }
      exit_code = kOk;
    } catch (const runner::ArtefactError& e) {
      std::cerr << "ceslab scenario from-artefacts: " << e.what() << "\n";
      exit_code = kFailed;
    }
  });
}

}  // namespace ceslab::app
