// SPDX-License-Identifier: GPL-2.0-or-later
// --json, --evidence FILE and --capture DIR: what a client subcommand offers
// after its operation (docs/cli.md; formats in docs/evidence.md). A command
// registers the options, runs its operation, and hands the outcome to
// write_outputs().
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/client/redaction.hpp"
#include "ceslab/client/soap_call.hpp"

namespace ceslab::app {

inline constexpr std::string_view kResultSchema = "ceslab.result/1";

struct OutputOptions {
  bool json = false;          // the result object on stdout (the human summary goes to stderr)
  std::string evidence_file;  // Evidence JSON
  std::string capture_dir;    // raw exchanges, redacted
};

void add_output_options(CLI::App& command, OutputOptions& options);

// Where the human summary goes: stderr with --json (stdout is the result
// object alone), stdout otherwise.
std::ostream& summary_stream(const OutputOptions& options);

// One operation's outcome as a subcommand hands it over.
struct OperationReport {
  // The exchange that decided the outcome; the ones before it in the same
  // run are in evidence.prior_exchanges.
  client::Evidence evidence;
  // The exchanges to capture, in the order they happened, each with a label
  // ("policy", "enroll").
  std::vector<std::pair<std::string, const client::SoapCall*>> exchanges;
  client::Secrets secrets;                   // kept out of every file and of stdout
  std::vector<std::filesystem::path> files;  // what the command itself wrote (PEM)
  // Members the command adds to the result object ("policy", "attempts");
  // the common ones (schema, status, ...) take precedence.
  nlohmann::json result_members = nlohmann::json::object();
};

// Appends `call` to the exchanges to capture under `label` and keeps the
// UsernameToken password it carried out of everything written.
void add_exchange(OperationReport& report, std::string label, const client::SoapCall& call);

// The --json result object (docs/evidence.md, "Result object"). `files` are
// all files written, the command's and ours.
nlohmann::json result_json(const OperationReport& report,
                           const std::vector<std::filesystem::path>& files);

// Writes the capture (--capture) and the evidence (--evidence), then prints
// the result object to `out` (--json). Returns the files this wrote. Throws
// client::CaptureError or std::runtime_error naming a file it cannot write.
std::vector<std::filesystem::path> write_outputs(const OutputOptions& options,
                                                 const OperationReport& report, std::ostream& out);

}  // namespace ceslab::app
