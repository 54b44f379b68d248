// SPDX-License-Identifier: GPL-2.0-or-later
#include "evidence_summary.hpp"

#include "ceslab/core/text.hpp"
#include "field_rows.hpp"

namespace ceslab::diagnosis::detail {

namespace {

std::string flag(const std::optional<bool>& v) {
  return v ? (*v ? "true" : "false") : "?";
}

// Headers that say what kind of answer it was.
bool telling_header(const std::string& name) {
  return core::iequals(name, "Content-Type") || core::iequals(name, "WWW-Authenticate") ||
         core::iequals(name, "Server");
}

}  // namespace

std::vector<std::string> seen_lines(const Facts& facts) {
  const core::Evidence& e = facts.evidence();
  std::vector<std::string> out;
  std::string what = "operation " + std::string(core::to_string(e.operation)) + ", auth " +
                     std::string(core::to_string(e.auth)) + ", outcome " +
                     std::string(core::to_string(e.outcome));
  if (!e.endpoint.empty()) what += ", endpoint " + e.endpoint;
  out.push_back(what);
  if (e.transport) {
    out.push_back("transport error " + std::string(core::to_string(e.transport->kind)) + ": " +
                  e.transport->message);
  }
  if (e.tls.verify_result && *e.tls.verify_result != 0) {
    out.push_back("TLS verification: " + std::to_string(*e.tls.verify_result) + " (" +
                  e.tls.verify_text + ")");
  }
  if (e.http) {
    std::string line = "HTTP " + std::to_string(e.http->status);
    if (!e.http->reason.empty()) line += " " + e.http->reason;
    for (const auto& h : e.http->headers) {
      if (telling_header(h.name)) line += "; " + h.name + ": " + h.value;
    }
    out.push_back(line);
  }
  if (e.http && !e.http->page.empty()) out.push_back("HTML page: " + e.http->page);
  if (!e.soap_error.empty()) out.push_back("not SOAP: " + e.soap_error);
  if (e.fault) {
    const core::EnrollmentFault& f = e.fault->fault;
    std::string line = "SOAP fault " + f.code;
    if (f.subcode) line += "/" + *f.subcode;
    line += ", reason \"" + f.reason + "\"";
    if (f.has_detail) {
      line += ", ErrorCode " + (f.error_code ? code_text(static_cast<std::uint32_t>(*f.error_code))
                                             : std::string("nil"));
      line += ", InvalidRequest " + flag(f.invalid_request);
      line += ", RequestID " + (f.request_id ? *f.request_id : std::string("nil"));
    }
    out.push_back(line);
  }
  if (e.response) {
    std::string line = "RSTR: disposition \"" + e.response->disposition + "\"";
    if (!e.response->request_id.empty()) line += ", RequestID " + e.response->request_id;
    if (!e.response->pending_reference.empty())
      line += ", pending at " + e.response->pending_reference;
    if (e.response->certificate) line += ", certificate issued";
    out.push_back(line);
  }
  if (e.policy) {
    out.push_back("policy: " + std::to_string(e.policy->templates) + " templates, " +
                  std::to_string(e.policy->cas) + " CAs" +
                  (e.policy->not_changed ? ", policiesNotChanged" : ""));
  }
  for (const auto& m : e.messages) out.push_back("message: " + m);
  const core::KerberosEvidence& k = e.kerberos;
  if (k.gss_major || k.gss_minor || k.gss_text || k.forwardable || k.ok_as_delegate ||
      k.delegated || k.channel_binding) {
    std::string line = "Kerberos: forwardable " + flag(k.forwardable) + ", ok-as-delegate " +
                       flag(k.ok_as_delegate) + ", delegated " + flag(k.delegated) +
                       ", channel binding " + flag(k.channel_binding);
    if (k.gss_major) line += ", GSS major " + std::to_string(*k.gss_major);
    if (k.gss_minor) line += ", minor " + std::to_string(*k.gss_minor);
    if (k.gss_text) line += " (" + *k.gss_text + ")";
    out.push_back(line);
  }
  for (const auto& ev : e.server_events) {
    std::string line = "event " + ev.source + " " + std::to_string(ev.id);
    if (!ev.host.empty()) line += " on " + ev.host;
    if (!ev.message.empty()) {
      const std::string first = ev.message.substr(0, ev.message.find('\n'));
      line += ": " + (first.size() > 120 ? first.substr(0, 120) + "..." : first);
    }
    out.push_back(line);
  }
  return out;
}

}  // namespace ceslab::diagnosis::detail
