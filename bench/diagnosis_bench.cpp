// SPDX-License-Identifier: GPL-2.0-or-later
// Diagnosis throughput: Evidence records classified per second on one core,
// over a mix shaped like what reaches `ceslab diagnose` and the runner —
// CA policy denials, the delegation family with and without ticket facts,
// TLS and HTTP failures, WCF faults, pending answers and bare certreq text.
// Goal (issue 7): at least 50,000 records/s. docs/performance.md has the figure.
#include <benchmark/benchmark.h>

#include <vector>

#include <nlohmann/json.hpp>
#include "ceslab/core/codes.hpp"
#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/diagnosis/inputs.hpp"

#include "ceslab/diagnosis/report.hpp"
#include "diagnosis/fault_evidence.hpp"

namespace {

using namespace ceslab;
using core::Evidence;

const char* const kKerberosUrl =
    "https://ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES";
const char* const kUsernameUrl =
    "https://ces.lab.test/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES";

Evidence exchange(core::AuthMode auth, const char* url, int status) {
  Evidence e;
  e.operation = core::Operation::enroll;
  e.auth = auth;
  e.endpoint = url;
  e.tls.handshake_done = true;
  e.tls.verify_result = 0;
  e.tls.verify_text = "ok";
  e.http = core::HttpEvidence{
      status,
      status == 500 ? "Internal Server Error" : "",
      {{"Content-Type", "application/soap+xml; charset=utf-8"}, {"Server", "Microsoft-IIS/10.0"}},
      1500,
      {}};
  return e;
}

Evidence detail_fault(std::uint32_t code, const char* reason, bool invalid, const char* id,
                      core::AuthMode auth = core::AuthMode::username) {
  Evidence e = exchange(auth, auth == core::AuthMode::kerberos ? kKerberosUrl : kUsernameUrl, 500);
  test_support::record_detail_fault(e, code, reason, invalid,
                                    id != nullptr ? std::optional<std::string>(id) : std::nullopt);
  return e;
}

std::vector<Evidence> mix() {
  std::vector<Evidence> out;
  out.push_back(detail_fault(0x80094812, "Denied by Policy Module", true, "17"));
  out.back().server_events.push_back(
      {"Application", "Microsoft-Windows-CertificationAuthority", 53, "Warning", "ca.lab.test", "",
       "Active Directory Certificate Services denied request 17 because The EMail name is "
       "unavailable and cannot be added to the Subject or Subject Alternate name. 0x80094812 "
       "(-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED). The request was for LAB\\alice. "
       "Additional information: Denied by Policy Module"});
  out.push_back(detail_fault(0x80094012, "Denied by Policy Module", true, "18"));
  out.push_back(detail_fault(0x80094800, "Denied by Policy Module", true, "19"));
  out.push_back(
      detail_fault(0x80070005, "Access is denied.", false, nullptr, core::AuthMode::kerberos));
  out.push_back(out.back());
  out.back().kerberos.forwardable = false;
  out.back().kerberos.ok_as_delegate = true;
  out.push_back(detail_fault(0x80070542, "Either a required impersonation level was not provided.",
                             false, nullptr));
  out.push_back(detail_fault(0x800706ba, "The RPC server is unavailable.", false, nullptr));

  Evidence pending = exchange(core::AuthMode::username, kUsernameUrl, 200);
  pending.outcome = core::Outcome::pending;
  pending.response =
      core::ResponseEvidence{"Taken Under Submission", "20", kUsernameUrl, false, std::nullopt, ""};
  out.push_back(pending);

  Evidence untrusted;
  untrusted.auth = core::AuthMode::username;
  untrusted.endpoint = kUsernameUrl;
  untrusted.transport = core::TransportEvidence{
      core::TransportErrorKind::tls_untrusted,
      "TLS: server certificate is not trusted (unable to get local issuer certificate)"};
  untrusted.tls.verify_result = 20;
  untrusted.tls.verify_text = "unable to get local issuer certificate";
  untrusted.messages = {untrusted.transport->message};
  out.push_back(untrusted);

  Evidence unauthorized = exchange(core::AuthMode::kerberos, kKerberosUrl, 401);
  unauthorized.http->headers = {{"WWW-Authenticate", "Negotiate"},
                                {"WWW-Authenticate", "NTLM"},
                                {"Content-Type", "text/html"}};
  unauthorized.soap_error = "the answer is not SOAP (HTTP 401, Content-Type 'text/html')";
  unauthorized.messages = {core::format_message_line(0x803d0000), unauthorized.soap_error};
  out.push_back(unauthorized);

  Evidence wcf = exchange(core::AuthMode::username, kUsernameUrl, 500);
  core::FaultEvidence f;
  f.fault.kind = core::FaultKind::wcf_dispatcher;
  f.fault.code = "Receiver";
  f.fault.subcode = "InternalServiceFault";
  f.fault.reason =
      "The server was unable to process the request due to an internal error.  For more "
      "information about the error, either turn on IncludeExceptionDetailInFaults ...";
  wcf.fault = f;
  wcf.messages = {core::format_message_line(0x803d0013), f.fault.reason};
  out.push_back(wcf);

  Evidence text;
  text.operation = core::Operation::unknown;
  text.auth = std::nullopt;
  text.messages = {
      "Certificate Request Processor: A message containing a fault was received from the remote "
      "endpoint. 0x803d0013 (-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)",
      "The permissions on this certification authority do not allow the current user to enroll "
      "for certificates. 0x80094011 (-2146877423 CERTSRV_E_ENROLL_DENIED)"};
  out.push_back(text);
  return out;
}

void BM_Diagnose(benchmark::State& state) {
  const diagnosis::Catalog& catalog = diagnosis::Catalog::builtin();
  const std::vector<Evidence> records = mix();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(diagnosis::diagnose(catalog, records[i]));
    i = (i + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(records.size()) + " record kinds");
}
BENCHMARK(BM_Diagnose);

// With the JSON document `ceslab diagnose --json` prints.
void BM_DiagnoseToJson(benchmark::State& state) {
  const diagnosis::Catalog& catalog = diagnosis::Catalog::builtin();
  const std::vector<Evidence> records = mix();
  std::size_t i = 0;
  for (auto _ : state) {
    nlohmann::json j = diagnosis::diagnose(catalog, records[i]);
    benchmark::DoNotOptimize(j.dump());
    i = (i + 1) % records.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DiagnoseToJson);

// Reading a long client log and diagnosing it: N lines, each with a code of
// its own (the worst case for keeping each message and code once). Linear in
// N; a pass over the earlier lines per line once made 64k lines take 13 s.
void BM_ReadAndDiagnoseLongClientLog(benchmark::State& state) {
  const auto lines = static_cast<std::size_t>(state.range(0));
  std::string text;
  for (std::size_t i = 0; i < lines; ++i)
    text += "line " + std::to_string(i) + ": " + core::format_message_line(0x80090000u + i) + "\n";
  const diagnosis::Catalog& catalog = diagnosis::Catalog::builtin();
  for (auto _ : state) {
    Evidence e = diagnosis::empty_evidence();
    diagnosis::read_input("client.txt", text, std::nullopt, e);
    benchmark::DoNotOptimize(diagnosis::diagnose(catalog, e));
  }
  state.SetComplexityN(state.range(0));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ReadAndDiagnoseLongClientLog)
    ->RangeMultiplier(8)
    ->Range(1 << 10, 1 << 16)
    ->Complexity();

// One event export in PowerShell's Format-List text (Get-WinEvent | Format-List),
// CA event 53 repeated with its own request id and record id each time, of
// 1, 2, 4 and 8 MiB (ceslab diagnose's input limit is 8 MiB). Cost must be
// linear in the size: keeping each event once by a pass over the earlier ones
// made 1, 2, 4 and 8 MiB take 0.07, 0.11, 0.31 and 1.15 s (issue 17).
std::string ca53_format_list(std::size_t bytes) {
  std::string text;
  for (std::size_t i = 0; text.size() < bytes; ++i) {
    const std::string n = std::to_string(i);
    std::string block =
        "\n\nMessage             : Active Directory Certificate Services denied request " + n +
        " because The EMail name is unavailable\n"
        "                      and cannot be added to the Subject or Subject Alternate name. "
        "0x80094812\n"
        "                      (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED).  The request was "
        "for CN=user" +
        n +
        ".\n"
        "Id                  : 53\n"
        "RecordId            : " +
        n +
        "\n"
        "ProviderName        : Microsoft-Windows-CertificationAuthority\n"
        "LogName             : Application\n"
        "MachineName         : ca.lab.test\n"
        "TimeCreated         : 11/26/2026 3:10:57 AM\n"
        "LevelDisplayName    : Warning\n";
    if (text.size() + block.size() > bytes) break;
    text += block;
  }
  return text;
}

void BM_ReadAndDiagnoseEventExport(benchmark::State& state) {
  const std::string text = ca53_format_list(static_cast<std::size_t>(state.range(0)) << 20);
  const diagnosis::Catalog& catalog = diagnosis::Catalog::builtin();
  for (auto _ : state) {
    Evidence e = diagnosis::empty_evidence();
    diagnosis::read_input("ca-events.txt", text, std::nullopt, e);
    benchmark::DoNotOptimize(diagnosis::diagnose(catalog, e));
  }
  state.SetComplexityN(state.range(0));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ReadAndDiagnoseEventExport)
    ->RangeMultiplier(2)
    ->Range(1, 8)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

}  // namespace
