// SPDX-License-Identifier: GPL-2.0-or-later
// The fields of the exchange as the client saw it: what it asked, where, and
// what came back on the wire (transport error, TLS, HTTP) before any SOAP.
#include <optional>
#include <type_traits>

#include "ceslab/core/https_client.hpp"
#include "field_rows.hpp"

namespace ceslab::diagnosis::detail {

namespace {

using core::Evidence;
using F = Field;
using T = FieldType;

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

const Evidence& ev(const Facts& f) {
  return f.evidence();
}

bool exchange_known(const Facts& f) {
  return f.exchange_known();
}

std::string http_header_line(const core::HttpHeader& h) {
  return h.name + ": " + h.value;
}

// A status rebuilt from a client code (certreq's HTTP_E_STATUS_*, cepces'
// HTTPError) comes without headers or body: they were not seen, not absent.
bool rebuilt_status(const Evidence& e) {
  return e.http && e.http->headers.empty();
}

bool is_unknown(core::Operation operation) {
  return operation == core::Operation::unknown;
}
bool is_unknown(const std::optional<core::AuthMode>& auth) {
  return !auth;
}

// `operation`, `auth`: a name of the record, `unknown` counting as not observed.
template <auto Member>
FieldInfo known_choice(FieldHead head) {
  return row(
      std::move(head),
      [](const FieldTest& t, const Facts& f) {
        if (is_unknown(ev(f).*Member)) return Truth::unobserved;
        return choice_truth(t, core::to_string(ev(f).*Member));
      },
      [](const Facts& f) { return !is_unknown(ev(f).*Member); },
      [](const Facts& f) { return std::string(core::to_string(ev(f).*Member)); });
}

}  // namespace

std::vector<FieldInfo> request_fields() {
  const std::vector<std::string_view> operations = {"enroll", "renew", "retrieve", "policy"};
  const std::vector<std::string_view> auths = {"anonymous", "kerberos", "username", "cert"};
  const std::vector<std::string_view> outcomes = {"issued", "pending", "failed", "answered"};
  return {
      known_choice<&Evidence::operation>(
          {F::operation, "operation", T::choice,
           "what the client did (`unknown` in the record counts as not observed)", operations}),
      known_choice<&Evidence::auth>(
          {F::auth, "auth", T::choice,
           "how the client authenticated (`unknown` counts as not observed)", auths}),
      row(
          {F::outcome, "outcome", T::choice, "how the exchange ended", outcomes},
          [](const FieldTest& t, const Facts& f) {
            return choice_truth(t, core::to_string(ev(f).outcome));
          },
          [](const Facts&) { return true; },
          [](const Facts& f) { return std::string(core::to_string(ev(f).outcome)); }),
      row(
          {F::endpoint, "endpoint", T::text, "the URL the client called"},
          [](const FieldTest& t, const Facts& f) {
            if (ev(f).endpoint.empty()) return Truth::unobserved;
            return text_truth(t, ev(f).endpoint);
          },
          [](const Facts& f) { return !ev(f).endpoint.empty(); },
          [](const Facts& f) { return ev(f).endpoint; }),
      row(
          {F::endpoint_path, "endpoint.path", T::text,
           "the called URL's path and query, \"/\" for a bare host"},
          [](const FieldTest& t, const Facts& f) {
            const std::optional<std::string>& path = f.endpoint_path();
            return path ? text_truth(t, *path) : Truth::unobserved;
          },
          [](const Facts& f) { return f.endpoint_path().has_value(); },
          [](const Facts& f) { return *f.endpoint_path(); }),
  };
}

// One row per field, in documentation order: a table, which splitting would only scatter.
std::vector<FieldInfo> wire_fields() {
  const std::vector<std::string_view> transport_kinds = transport_kind_names();
  return {
      part_presence<&Evidence::transport>(
          {F::transport, "transport", T::presence, "no HTTP response came (a transport error)"},
          exchange_known),
      row(
          {F::transport_kind, "transport.kind", T::choice, "the transport error's kind",
           transport_kinds},
          [](const FieldTest& t, const Facts& f) {
            return within(ev(f).transport, f,
                          [&] { return choice_truth(t, core::to_string(ev(f).transport->kind)); });
          },
          exchange_known,
          [](const Facts& f) {
            return ev(f).transport ? std::string(core::to_string(ev(f).transport->kind))
                                   : "no transport error";
          }),
      row(
          {F::transport_message, "transport.message", T::text, "the transport error's text"},
          [](const FieldTest& t, const Facts& f) {
            return within(ev(f).transport, f,
                          [&] { return text_truth(t, ev(f).transport->message); });
          },
          exchange_known,
          [](const Facts& f) {
            return ev(f).transport ? quoted(ev(f).transport->message) : "no transport error";
          }),
      row(
          {F::tls_verify_result, "tls.verify_result", T::number,
           "OpenSSL's X509_V_* result for the server chain"},
          [](const FieldTest& t, const Facts& f) {
            const auto& result = ev(f).tls.verify_result;
            return result ? number_truth(t, *result) : Truth::unobserved;
          },
          [](const Facts& f) { return ev(f).tls.verify_result.has_value(); },
          [](const Facts& f) {
            return std::to_string(*ev(f).tls.verify_result) + " (" + ev(f).tls.verify_text + ")";
          }),
      row(
          {F::tls_verify_text, "tls.verify_text", T::text, "OpenSSL's text for it"},
          [](const FieldTest& t, const Facts& f) {
            const std::string& text = ev(f).tls.verify_text;
            return text.empty() ? Truth::unobserved : text_truth(t, text);
          },
          [](const Facts& f) { return !ev(f).tls.verify_text.empty(); },
          [](const Facts& f) { return quoted(ev(f).tls.verify_text); }),
      part_presence<&Evidence::http>({F::http, "http", T::presence, "an HTTP response came"},
                                     exchange_known),
      row(
          {F::http_status, "http.status", T::number, "the HTTP status code"},
          [](const FieldTest& t, const Facts& f) {
            return within(ev(f).http, f, [&] { return number_truth(t, ev(f).http->status); });
          },
          exchange_known,
          [](const Facts& f) {
            return ev(f).http ? std::to_string(ev(f).http->status) : "no HTTP response";
          }),
      row(
          {F::http_header, "http.header", T::text, "any response header, matched as `Name: value`"},
          [](const FieldTest& t, const Facts& f) {
            if (rebuilt_status(ev(f))) return Truth::unobserved;
            return within(ev(f).http, f,
                          [&] { return lines_truth(t, ev(f).http->headers, http_header_line); });
          },
          exchange_known,
          [](const Facts& f) {
            return ev(f).http ? std::to_string(ev(f).http->headers.size()) + " headers"
                              : "no HTTP response";
          },
          [](const FieldTest& t, const Facts& f) {
            for (const auto& h : ev(f).http->headers) {
              const std::string line = http_header_line(h);
              if (first_match(t, line) >= 0) return "HTTP header " + quoted(line);
            }
            return "HTTP headers: none matches " + quoted(t.patterns.front().text());
          }),
      row(
          {F::http_page, "http.page", T::text,
           "an HTML answer's title and visible text: which server answered (IIS, certsrv, NDES)"},
          [](const FieldTest& t, const Facts& f) {
            if (rebuilt_status(ev(f)) && ev(f).http->page.empty()) return Truth::unobserved;
            return within(ev(f).http, f, [&] { return text_truth(t, ev(f).http->page); });
          },
          exchange_known,
          [](const Facts& f) {
            const Evidence& e = ev(f);
            return !e.http                ? "no HTTP response"
                   : e.http->page.empty() ? "no HTML page"
                                          : "HTML page " + quoted(e.http->page);
          }),
      row(
          {F::soap_error, "soap_error", T::text, "why the HTTP body was not SOAP"},
          [](const FieldTest& t, const Facts& f) {
            if (!ev(f).soap_error.empty()) return text_truth(t, ev(f).soap_error);
            // An HTTP answer that parsed as SOAP: observed, and nothing to match.
            return within(ev(f).http, f, [&] { return text_truth(t, ""); });
          },
          exchange_known,
          [](const Facts& f) {
            return ev(f).soap_error.empty() ? "the body was SOAP" : quoted(ev(f).soap_error);
          }),
  };
}

}  // namespace ceslab::diagnosis::detail
