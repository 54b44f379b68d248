// SPDX-License-Identifier: GPL-2.0-or-later
// A customer's case reproduced in the lab (`ceslab scenario from-artefacts`,
// docs/scenarios.md): what they sent — a --capture directory, fault XML, an
// HTTP dump, certreq text, event exports, klist, any input `ceslab diagnose`
// reads — turned into a scenario file. The diagnosed cause becomes the world
// that reproduces it, taken from the bundled scenario that says so (the
// scenarios are the one place that maps a world setting to a cause, so a new
// cause needs a scenario, no code); what no world reproduces becomes a
// `replay:` of the recorded answer, marked `recorded: true`. Secrets are
// redacted as each artefact is read.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ceslab::runner {

// The artefacts cannot make a scenario: a file that cannot be read (what()
// names it and says why), nothing that failed, or nothing to reproduce.
class ArtefactError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What was read from one artefact (as `ceslab diagnose` prints it).
struct ArtefactRead {
  std::string name;  // the path as given, or DIR/file for a directory's files
  std::string type;  // an input type of `ceslab diagnose --type`
  std::vector<std::string> facts;
  int redactions = 0;  // secrets replaced before it was read
};

struct FromArtefactsOptions {
  // The scenario's name; a file holding it must be <name>.yaml.
  std::string name = "customer-case";
  // Where the bundled scenarios are; empty: bundled_scenarios_dir().
  std::filesystem::path scenarios_dir;
};

struct ArtefactScenario {
  std::string name;
  std::string yaml;                   // the scenario file
  std::optional<std::string> replay;  // set for a replay: the recorded answer, <name>.http
  std::string verdict;                // the diagnosis of the artefacts
  std::string reproduced_by;  // the bundled scenario id whose world was taken; "" for a replay
  std::string replay_source;  // the artefact the recorded answer came from
  std::vector<ArtefactRead> inputs;
};

// The files of a directory that are artefacts, in the order they are read:
// a --capture directory's responses last exchange first (the answer that
// decided the outcome leads), then every other file by name; `capture/` of a
// `ceslab run --out` folder is looked into. Skipped: what the client sent
// (*-request.http), capture metadata (*-exchange.json), scenario and test
// files (*.yaml, *.md) and a run's own conclusions (diagnosis*, diff.txt,
// evidence-with-server-events.json, which repeats client.evidence.json and
// events.jsonl), and empty files. Throws ArtefactError when it cannot be listed.
std::vector<std::filesystem::path> artefact_files(const std::filesystem::path& dir);

// Reads `paths` (files and directories, in that order), diagnoses them and
// writes the scenario (validated by the scenario loader before it is
// returned). Throws ArtefactError naming the file that cannot be read, or
// saying why nothing can be reproduced.
ArtefactScenario scenario_from_artefacts(const std::vector<std::filesystem::path>& paths,
                                         const FromArtefactsOptions& options = {});

// Writes `scenario` to `file` (whose stem must be the scenario's name) and a
// replay's recorded answer beside it as <name>.http. Returns the files
// written. Throws ArtefactError naming a file that cannot be written.
std::vector<std::filesystem::path> write_artefact_scenario(const ArtefactScenario& scenario,
                                                           const std::filesystem::path& file);

}  // namespace ceslab::runner
