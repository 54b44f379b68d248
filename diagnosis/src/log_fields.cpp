// SPDX-License-Identifier: GPL-2.0-or-later
// The fields that logs and tickets add to the exchange: client message
// lines, the codes seen anywhere, Kerberos facts (klist, GSS-API status) and
// the server's events.
#include "field_rows.hpp"

namespace ceslab::diagnosis::detail {

namespace {

using core::Evidence;
using F = Field;
using T = FieldType;

const Evidence& ev(const Facts& f) {
  return f.evidence();
}
const core::KerberosEvidence& krb(const Facts& f) {
  return f.evidence().kerberos;
}

bool events_given(const Facts& f) {
  return !ev(f).server_events.empty();
}
std::string events_seen(const Facts& f) {
  return std::to_string(ev(f).server_events.size()) + " server events";
}

bool matches_any(const FieldTest& test, std::uint32_t value) {
  return std::find(test.numbers.begin(), test.numbers.end(), value) != test.numbers.end();
}

// One GSS-API status (OM_uint32) of the record.
template <std::optional<std::uint32_t> core::KerberosEvidence::*Status>
FieldInfo gss_status(FieldHead head) {
  return row(
      std::move(head),
      [](const FieldTest& t, const Facts& f) {
        const auto& status = krb(f).*Status;
        return status ? number_truth(t, as_unsigned32(*status)) : Truth::unobserved;
      },
      [](const Facts& f) { return (krb(f).*Status).has_value(); },
      [](const Facts& f) { return gss_status_text(*(krb(f).*Status)); });
}

// One Kerberos flag of the record (klist -f, the client's own log).
template <std::optional<bool> core::KerberosEvidence::*Flag>
FieldInfo kerberos_flag(FieldHead head) {
  return row(
      std::move(head),
      [](const FieldTest& t, const Facts& f) { return optional_flag(t, krb(f).*Flag); },
      [](const Facts& f) { return (krb(f).*Flag).has_value(); },
      [](const Facts& f) { return flag_text(*(krb(f).*Flag)); });
}

// `event`, `no_event`: whether some server event matches, or none does.
template <bool Wanted>
FieldInfo server_event(FieldHead head, MatchedFn matched) {
  return row(
      std::move(head),
      [](const FieldTest& t, const Facts& f) {
        if (!events_given(f)) return Truth::unobserved;
        return truth((first_event(*t.event, ev(f)) != nullptr) == Wanted);
      },
      events_given, events_seen, matched);
}

}  // namespace

// One row per field, in documentation order: a table, which splitting would only scatter.
std::vector<FieldInfo> log_fields() {
  using K = core::KerberosEvidence;
  return {
      row(
          {F::message, "message", T::text, "any client message line (as certreq prints them)"},
          [](const FieldTest& t, const Facts& f) {
            if (ev(f).messages.empty()) return Truth::unobserved;
            return lines_truth(t, ev(f).messages,
                               [](const std::string& s) -> const std::string& { return s; });
          },
          [](const Facts& f) { return !ev(f).messages.empty(); },
          [](const Facts& f) { return std::to_string(ev(f).messages.size()) + " message lines"; },
          [](const FieldTest& t, const Facts& f) {
            const auto& messages = ev(f).messages;
            for (std::size_t i = 0; i < messages.size(); ++i) {
              if (first_match(t, messages[i]) >= 0)
                return "message " + std::to_string(i + 1) + ": " + quoted(messages[i]);
            }
            return "message: no line matches " + quoted(t.patterns.front().text());
          }),
      row(
          {F::code, "code", T::code,
           "any code seen: the fault's ErrorCode, codes in message lines and in server events"},
          [](const FieldTest& t, const Facts& f) {
            if (f.codes().empty()) return Truth::unobserved;
            return truth(std::any_of(f.codes().begin(), f.codes().end(),
                                     [&](const SeenCode& c) { return matches_any(t, c.value); }));
          },
          [](const Facts& f) { return !f.codes().empty(); },
          [](const Facts& f) {
            std::string out;
            for (const SeenCode& c : f.codes())
              out += (out.empty() ? "" : ", ") + code_text(c.value);
            return out;
          },
          [](const FieldTest& t, const Facts& f) {
            for (const SeenCode& c : f.codes()) {
              if (matches_any(t, c.value))
                return "code " + code_text(c.value) + " in " + where(c, ev(f));
            }
            return std::string("code");
          }),
      gss_status<&K::gss_major>(
          {F::kerberos_gss_major, "kerberos.gss_major", T::number, "GSS-API major status"}),
      gss_status<&K::gss_minor>({F::kerberos_gss_minor, "kerberos.gss_minor", T::number,
                                 "GSS-API minor status (krb5 error codes, signed values allowed)"}),
      row(
          {F::kerberos_gss_text, "kerberos.gss_text", T::text, "GSS-API status text"},
          [](const FieldTest& t, const Facts& f) {
            const auto& text = krb(f).gss_text;
            return text ? text_truth(t, *text) : Truth::unobserved;
          },
          [](const Facts& f) { return krb(f).gss_text.has_value(); },
          [](const Facts& f) { return quoted(*krb(f).gss_text); }),
      kerberos_flag<&K::forwardable>(
          {F::kerberos_forwardable, "kerberos.forwardable", T::flag, "the TGT is forwardable"}),
      kerberos_flag<&K::ok_as_delegate>({F::kerberos_ok_as_delegate, "kerberos.ok_as_delegate",
                                         T::flag, "the service ticket carries ok-as-delegate"}),
      kerberos_flag<&K::delegated>({F::kerberos_delegated, "kerberos.delegated", T::flag,
                                    "a forwarded TGT went to the server"}),
      kerberos_flag<&K::channel_binding>({F::kerberos_channel_binding, "kerberos.channel_binding",
                                          T::flag, "tls-server-end-point was bound"}),
      server_event<true>({F::event, "event", T::event, "some server event matches"},
                         [](const FieldTest& t, const Facts& f) {
                           const core::ServerEvent* event = first_event(*t.event, ev(f));
                           return event ? event_line(*event) : "event";
                         }),
      server_event<false>(
          {F::no_event, "no_event", T::event, "server events were given and none matches"},
          [](const FieldTest& t, const Facts& f) {
            return "no server event matches " + t.written.substr(t.written.find(':') + 2) + " (" +
                   std::to_string(ev(f).server_events.size()) + " given)";
          }),
  };
}

}  // namespace ceslab::diagnosis::detail
