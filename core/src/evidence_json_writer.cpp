// SPDX-License-Identifier: GPL-2.0-or-later
// Evidence as JSON (docs/evidence.md, schema ceslab.evidence/1).
#include <nlohmann/json.hpp>

#include "ceslab/core/codes.hpp"
#include "ceslab/core/evidence.hpp"
#include "ceslab/core/fault_kind.hpp"
#include "evidence_names.hpp"

namespace ceslab::core {

using namespace evidence_names;
using nlohmann::json;

namespace {

template <typename T>
json or_null(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json cmc_json(const std::optional<CmcEvidence>& cmc) {
  if (!cmc) return nullptr;
  return {{"status", cmc->status},
          {"status_string", cmc->status_string},
          {"fail_info", or_null(cmc->fail_info)}};
}

json fault_json(const FaultEvidence& evidence) {
  const EnrollmentFault& f = evidence.fault;
  json out = {{"kind", to_string(f.kind)},
              {"action", f.action},
              {"code", f.code},
              {"subcode", or_null(f.subcode)},
              {"subcode_namespace", or_null(f.subcode_namespace)},
              {"reason", f.reason},
              {"reason_lang", f.reason_lang},
              {"has_detail", f.has_detail},
              {"error_code", or_null(f.error_code)},
              {"error_code_hex", nullptr},
              {"error_code_name", nullptr},
              {"invalid_request", or_null(f.invalid_request)},
              {"request_id", or_null(f.request_id)},
              {"binary_response", or_null(f.binary_response)},
              {"binary_response_cmc", cmc_json(evidence.binary_response_cmc)},
              {"binary_response_error", evidence.binary_response_error}};
  if (f.error_code) {
    // Derived for readers (hex as certreq prints it, the winerror.h name);
    // from_json reads error_code only.
    const auto value = static_cast<std::uint32_t>(*f.error_code);
    out["error_code_hex"] = hex_code(value);
    if (const ErrorCode* code = CodeTable::builtin().find(value))
      out["error_code_name"] = code->name;
  }
  return out;
}

json headers_json(const std::vector<HttpHeader>& headers) {
  json out = json::array();
  for (const auto& h : headers) out.push_back({{"name", h.name}, {"value", h.value}});
  return out;
}

}  // namespace

void to_json(json& out, const TlsEvidence& tls) {
  out = {{"handshake_done", tls.handshake_done},
         {"version", tls.version},
         {"cipher", tls.cipher},
         {"insecure", tls.insecure},
         {"verify_result", or_null(tls.verify_result)},
         {"verify_text", tls.verify_text},
         {"peer_subject", tls.peer_subject},
         {"peer_issuer", tls.peer_issuer},
         {"peer_not_after", tls.peer_not_after},
         {"chain_length", tls.chain_length}};
}

void to_json(json& out, const Evidence& e) {
  json transport = nullptr;
  if (e.transport) {
    transport = {{"kind", to_string(e.transport->kind)}, {"message", e.transport->message}};
  }
  json http = nullptr;
  if (e.http) {
    http = {{"status", e.http->status},
            {"reason", e.http->reason},
            {"headers", headers_json(e.http->headers)},
            {"body_bytes", e.http->body_bytes}};
    if (!e.http->page.empty()) http["page"] = e.http->page;
  }
  json response = nullptr;
  if (e.response) {
    response = {{"disposition", e.response->disposition},
                {"request_id", e.response->request_id},
                {"pending_reference", e.response->pending_reference},
                {"certificate", e.response->certificate},
                {"cmc", cmc_json(e.response->cmc)},
                {"cmc_error", e.response->cmc_error}};
  }
  json policy = nullptr;
  if (e.policy) {
    policy = {{"templates", e.policy->templates},
              {"cas", e.policy->cas},
              {"not_changed", e.policy->not_changed},
              {"ces_uris", e.policy->ces_uris}};
  }
  const KerberosEvidence& k = e.kerberos;
  json events = json::array();
  for (const ServerEvent& ev : e.server_events) {
    events.push_back({{"log", ev.log},
                      {"source", ev.source},
                      {"id", ev.id},
                      {"level", ev.level},
                      {"host", ev.host},
                      {"time", ev.time},
                      {"message", ev.message}});
  }
  json prior = json::array();
  for (const Evidence& p : e.prior_exchanges) prior.push_back(p);
  out = {{"schema", kEvidenceSchema},
         {"operation", to_string(e.operation)},
         {"endpoint", e.endpoint},
         {"auth", to_string(e.auth)},
         {"outcome", to_string(e.outcome)},
         {"transport", transport},
         {"tls", e.tls},
         {"http", http},
         {"soap_error", e.soap_error},
         {"fault", e.fault ? fault_json(*e.fault) : json(nullptr)},
         {"response", response},
         {"policy", policy},
         {"timings",
          {{"connect_ms", e.timings.connect.count()}, {"total_ms", e.timings.total.count()}}},
         {"messages", e.messages},
         {"kerberos",
          {{"gss_major", or_null(k.gss_major)},
           {"gss_minor", or_null(k.gss_minor)},
           {"gss_text", or_null(k.gss_text)},
           {"forwardable", or_null(k.forwardable)},
           {"ok_as_delegate", or_null(k.ok_as_delegate)},
           {"delegated", or_null(k.delegated)},
           {"channel_binding", or_null(k.channel_binding)}}},
         {"server_events", events},
         {"prior_exchanges", prior}};
}

}  // namespace ceslab::core
