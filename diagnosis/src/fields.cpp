// SPDX-License-Identifier: GPL-2.0-or-later
// The field vocabulary of the catalog's rules: names as the Evidence JSON
// spells them (docs/evidence.md), so a rule reads like the record it tests.
#include <algorithm>

#include "ceslab/core/https_client.hpp"

#include "ceslab/diagnosis/rules.hpp"

namespace ceslab::diagnosis {

namespace {

// core::to_string names every TransportErrorKind and says "unknown" past the
// last one (its underlying type is int, so probing is defined).
std::vector<std::string_view> transport_kind_names() {
  std::vector<std::string_view> names;
  for (int i = 0;; ++i) {
    const std::string_view name = core::to_string(static_cast<core::TransportErrorKind>(i));
    if (name == "unknown") return names;
    names.push_back(name);
  }
}

std::vector<FieldInfo> make_fields() {
  using T = FieldType;
  using F = Field;
  return {
      {F::operation,
       "operation",
       T::choice,
       {"enroll", "renew", "retrieve", "policy"},
       "what the client did (`unknown` in the record counts as not observed)"},
      {F::auth,
       "auth",
       T::choice,
       {"anonymous", "kerberos", "username", "cert"},
       "how the client authenticated (`unknown` counts as not observed)"},
      {F::outcome,
       "outcome",
       T::choice,
       {"issued", "pending", "failed", "answered"},
       "how the exchange ended"},
      {F::endpoint, "endpoint", T::text, {}, "the URL the client called"},
      {F::endpoint_path,
       "endpoint.path",
       T::text,
       {},
       "the called URL's path and query, \"/\" for a bare host"},
      {F::transport, "transport", T::presence, {}, "no HTTP response came (a transport error)"},
      {F::transport_kind, "transport.kind", T::choice, transport_kind_names(),
       "the transport error's kind"},
      {F::transport_message, "transport.message", T::text, {}, "the transport error's text"},
      {F::tls_verify_result,
       "tls.verify_result",
       T::number,
       {},
       "OpenSSL's X509_V_* result for the server chain"},
      {F::tls_verify_text, "tls.verify_text", T::text, {}, "OpenSSL's text for it"},
      {F::http, "http", T::presence, {}, "an HTTP response came"},
      {F::http_status, "http.status", T::number, {}, "the HTTP status code"},
      {F::http_header, "http.header", T::text, {}, "any response header, matched as `Name: value`"},
      {F::http_page,
       "http.page",
       T::text,
       {},
       "an HTML answer's title and visible text: which server answered (IIS, certsrv, NDES)"},
      {F::soap_error, "soap_error", T::text, {}, "why the HTTP body was not SOAP"},
      {F::fault, "fault", T::presence, {}, "a SOAP fault came"},
      {F::fault_kind,
       "fault.kind",
       T::choice,
       {"enrollment_detail", "wcf_dispatcher", "ws_addressing", "other"},
       "the fault's shape (docs/protocol.md 6)"},
      {F::fault_action, "fault.action", T::text, {}, "the fault message's wsa:Action"},
      {F::fault_code, "fault.code", T::text, {}, "s:Code/s:Value local name (Receiver, Sender)"},
      {F::fault_subcode,
       "fault.subcode",
       T::text,
       {},
       "the subcode's local name (InvalidSecurity, InternalServiceFault, ...)"},
      {F::fault_reason, "fault.reason", T::text, {}, "s:Reason/s:Text, possibly empty"},
      {F::fault_error_code, "fault.error_code", T::code, {}, "the detail's ErrorCode (HRESULT)"},
      {F::fault_invalid_request,
       "fault.invalid_request",
       T::flag,
       {},
       "the detail's InvalidRequest"},
      {F::fault_request_id,
       "fault.request_id",
       T::presence,
       {},
       "the detail carries a RequestID (the CA saw the request)"},
      {F::fault_has_detail,
       "fault.has_detail",
       T::flag,
       {},
       "a CertificateEnrollmentWSDetail was present"},
      {F::response, "response", T::presence, {}, "an RSTR (issued or pending) came"},
      {F::response_disposition,
       "response.disposition",
       T::text,
       {},
       "the RSTR's DispositionMessage"},
      {F::response_pending,
       "response.pending",
       T::flag,
       {},
       "the RSTR carries a pending Reference URI"},
      {F::response_certificate,
       "response.certificate",
       T::flag,
       {},
       "the RSTR carries an issued certificate"},
      {F::response_request_id,
       "response.request_id",
       T::presence,
       {},
       "the RSTR carries a RequestID"},
      {F::policy, "policy", T::presence, {}, "a GetPolicies answer came"},
      {F::policy_templates,
       "policy.templates",
       T::number,
       {},
       "how many templates the policy listed (nil counts as 0)"},
      {F::policy_not_changed,
       "policy.not_changed",
       T::flag,
       {},
       "the answer said policiesNotChanged"},
      {F::message, "message", T::text, {}, "any client message line (as certreq prints them)"},
      {F::code,
       "code",
       T::code,
       {},
       "any code seen: the fault's ErrorCode, codes in message lines and in server events"},
      {F::kerberos_gss_major, "kerberos.gss_major", T::number, {}, "GSS-API major status"},
      {F::kerberos_gss_minor,
       "kerberos.gss_minor",
       T::number,
       {},
       "GSS-API minor status (krb5 error codes, signed values allowed)"},
      {F::kerberos_gss_text, "kerberos.gss_text", T::text, {}, "GSS-API status text"},
      {F::kerberos_forwardable, "kerberos.forwardable", T::flag, {}, "the TGT is forwardable"},
      {F::kerberos_ok_as_delegate,
       "kerberos.ok_as_delegate",
       T::flag,
       {},
       "the service ticket carries ok-as-delegate"},
      {F::kerberos_delegated,
       "kerberos.delegated",
       T::flag,
       {},
       "a forwarded TGT went to the server"},
      {F::kerberos_channel_binding,
       "kerberos.channel_binding",
       T::flag,
       {},
       "tls-server-end-point was bound"},
      {F::event, "event", T::event, {}, "some server event matches"},
      {F::no_event, "no_event", T::event, {}, "server events were given and none matches"},
  };
}

}  // namespace

const std::vector<FieldInfo>& field_info() {
  static const std::vector<FieldInfo> fields = make_fields();
  return fields;
}

const FieldInfo* find_field(std::string_view name) {
  const auto& fields = field_info();
  const auto it = std::find_if(fields.begin(), fields.end(),
                               [&](const FieldInfo& f) { return f.name == name; });
  return it == fields.end() ? nullptr : &*it;
}

const FieldInfo& info_of(Field field) {
  // make_fields() lists the enumerators in order; the test checks it.
  return field_info()[static_cast<std::size_t>(field)];
}

}  // namespace ceslab::diagnosis
