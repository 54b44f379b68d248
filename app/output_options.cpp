// SPDX-License-Identifier: GPL-2.0-or-later
#include "output_options.hpp"

#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "ceslab/client/capture.hpp"
#include "ceslab/wsdl/codec.hpp"

namespace ceslab::app {

void add_output_options(CLI::App& command, OutputOptions& options) {
  command.add_flag("--json", options.json,
                   "Print the result as JSON on stdout (docs/evidence.md); the summary goes to "
                   "stderr");
  command
      .add_option("--evidence", options.evidence_file,
                  "Write the evidence of the exchange as JSON (for ceslab diagnose)")
      ->type_name("FILE");
  command
      .add_option("--capture", options.capture_dir,
                  "Save the raw exchanges in this directory, passwords, keys and tokens "
                  "redacted")
      ->type_name("DIR");
}

std::ostream& summary_stream(const OutputOptions& options) {
  return options.json ? std::cerr : std::cout;
}

namespace {

// The UsernameToken password a request carried, read back from what was
// sent, so that --capture and --evidence can keep it out.
std::optional<std::string> sent_password(const client::SoapCall& call) {
  try {
    const core::SoapMessage m = wsdl::read_message(call.request.body);
    if (m.security && m.security->username_token) return m.security->username_token->password;
  } catch (const wsdl::MessageError&) {
  }
  return std::nullopt;
}

}  // namespace

void add_exchange(OperationReport& report, std::string label, const client::SoapCall& call) {
  if (const auto password = sent_password(call)) report.secrets.add_password(*password);
  report.exchanges.emplace_back(std::move(label), &call);
}

nlohmann::json result_json(const OperationReport& report,
                           const std::vector<std::filesystem::path>& files) {
  const client::Evidence& e = report.evidence;
  nlohmann::json request_id = nullptr;
  if (e.response && !e.response->request_id.empty()) {
    request_id = e.response->request_id;
  } else if (e.fault && e.fault->fault.request_id) {
    request_id = *e.fault->fault.request_id;
  }
  nlohmann::json written = nlohmann::json::array();
  for (const auto& f : files) written.push_back(f.string());
  nlohmann::json out =
      report.result_members.is_object() ? report.result_members : nlohmann::json::object();
  out.update(nlohmann::json{{"schema", kResultSchema},
                            {"operation", core::to_string(e.operation)},
                            {"status", core::to_string(e.outcome)},
                            {"request_id", request_id},
                            {"files", written},
                            {"messages", e.messages},
                            {"evidence", e}});
  report.secrets.redact(out);
  return out;
}

std::vector<std::filesystem::path> write_outputs(const OutputOptions& options,
                                                 const OperationReport& report, std::ostream& out) {
  std::vector<std::filesystem::path> written;
  if (!options.capture_dir.empty()) {
    client::CaptureWriter capture(options.capture_dir, report.secrets);
    for (const auto& [label, call] : report.exchanges) {
      for (auto& f : capture.write(*call, label)) written.push_back(std::move(f));
    }
  }
  if (!options.evidence_file.empty()) {
    nlohmann::json evidence = report.evidence;
    report.secrets.redact(evidence);
    std::ofstream file(options.evidence_file, std::ios::trunc);
    file << evidence.dump(2) << "\n";
    file.close();
    if (!file)
      throw std::runtime_error("cannot write the evidence to '" + options.evidence_file + "'");
    written.emplace_back(options.evidence_file);
  }
  if (options.json) {
    std::vector<std::filesystem::path> all = report.files;
    all.insert(all.end(), written.begin(), written.end());
    out << result_json(report, all).dump(2) << "\n";
  }
  return written;
}

}  // namespace ceslab::app
