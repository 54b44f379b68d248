// SPDX-License-Identifier: GPL-2.0-or-later
// Rules of the layers under MS-WSTEP and MS-XCEP: SOAP 1.2 only (both specs'
// section 2.1), the media type, the authentication each endpoint offers, and
// WS-Addressing's Action and RelatesTo on every answer. The last four judge
// every answer the run received, so they run after the others.
#include <algorithm>

#include "cases.hpp"
#include "ceslab/core/messages.hpp"

namespace ceslab::conformance {

namespace {

namespace uri = core::uri;
using runner::Result;

const std::vector<Service> kBoth = {Service::ces, Service::cep};

// The answers that are SOAP envelopes; SKIP when there are none.
std::vector<const Reply*> soap_answers(const Probes& probes) {
  std::vector<const Reply*> out;
  for (const Reply* r : probes.sent()) {
    if (r->envelope() != nullptr) out.push_back(r);
  }
  return out;
}

Outcome over_every_answer(Probes& probes, const std::function<void(const Reply&, Expect&)>& judge,
                          const std::string& seen) {
  const auto answers = soap_answers(probes);
  if (answers.empty()) return {Result::skip, "no SOAP answer came back to judge", {}};
  std::vector<runner::FieldDiff> diffs;
  for (const Reply* r : answers) {
    Expect e(*r);
    judge(*r, e);
    diffs.insert(diffs.end(), e.diffs().begin(), e.diffs().end());
  }
  if (!diffs.empty()) return {Result::fail, "", diffs};
  return {Result::pass, std::to_string(answers.size()) + " answers " + seen, {}};
}

// The action MS-WSTEP / MS-XCEP give the request's answer; a fault without
// CertificateEnrollmentWSDetail may carry WS-Addressing's fault action or
// WCF's (both are what a Windows server sends for its own faults).
std::vector<std::string_view> actions_for(const Reply& r) {
  if (r.fault() != nullptr) {
    if (r.enrollment_detail() != nullptr) return {uri::kActionEnrollmentFault};
    return {uri::kActionAddressingFault, uri::kActionWcfFault, uri::kActionEnrollmentFault};
  }
  if (r.answer_action.empty()) return {};
  return {r.answer_action};
}

std::string joined(const std::vector<std::string_view>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " or ") + std::string(i);
  return out.empty() ? "an action the spec names for this body" : out;
}

Outcome soap12_only(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::soap11);
  Expect e(r);
  e.that(r.status() >= 400, "HTTP status", "a refusal (WCF: 415 Unsupported Media Type)",
         r.summary());
  e.that(r.soap_version() != "1.1" || r.fault() != nullptr, "answer",
         "no SOAP 1.1 answer but a fault", r.summary());
  return e.done(r.summary());
}

Outcome refused_without_credentials(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::no_credentials);
  Expect e(r);
  switch (probes.endpoint().mode) {
    case core::AuthMode::kerberos: {
      bool negotiate = false;
      if (r.call.exchange.response) {
        for (const auto& h : r.call.exchange.response->headers) {
          if (core::header_name_equals(h.name, "WWW-Authenticate") &&
              h.value.rfind("Negotiate", 0) == 0) {
            negotiate = true;
          }
        }
      }
      e.that(r.status() == 401 && negotiate, "answer", "HTTP 401 WWW-Authenticate: Negotiate",
             r.summary());
      break;
    }
    case core::AuthMode::certificate:
      // IIS answers 403.7 ("client certificate required"), or ends the
      // handshake when it requires one at the TLS layer.
      e.that(r.status() == 403 || r.call.exchange.error.has_value(), "answer",
             "HTTP 403, or a TLS handshake refused", r.summary());
      break;
    default: {
      const std::string code = r.fault_code();
      e.that(r.fault() != nullptr &&
                 (code.ends_with("/InvalidSecurity") || code.ends_with("/FailedAuthentication")),
             "answer", "a SOAP fault Sender/InvalidSecurity (or FailedAuthentication)",
             r.summary());
      break;
    }
  }
  return e.done(r.summary());
}

// The service's own request with the credentials given must get past
// authentication; if it does not, every case that needs credentials is SKIP
// and this one says why.
Outcome accepts_credentials(Probes& probes) {
  const ProbeKind kind =
      probes.endpoint().service == core::Service::ces ? ProbeKind::ket : ProbeKind::get_policies;
  try {
    const Reply& r = probes.get(kind);
    return {Result::pass, "past authentication: " + r.summary(), {}};
  } catch (const NotSent&) {
    if (probes.credentials_unusable()) {
      return {Result::fail,
              "",
              {{"the service's request", "credentials", "usable by the client", probes.refusal()}}};
    }
    const Reply* r = probes.refused();
    if (r == nullptr) throw;
    Expect e(*r);
    e.that(false, "authentication", "the credentials accepted", r->summary());
    return e.done("");
  }
}

Outcome envelope_is_soap12(Probes& probes) {
  return over_every_answer(
      probes,
      [](const Reply& r, Expect& e) {
        e.that(r.soap_version() == "1.2", "envelope", std::string(ns::kSoap12),
               namespace_of(r.envelope()));
      },
      "in SOAP 1.2 envelopes");
}

Outcome content_type(Probes& probes) {
  return over_every_answer(
      probes,
      [](const Reply& r, Expect& e) {
        const std::string type = r.content_type();
        e.that(type.rfind("application/soap+xml", 0) == 0, "Content-Type", "application/soap+xml",
               type.empty() ? "absent" : type);
      },
      "as application/soap+xml");
}

Outcome action(Probes& probes) {
  return over_every_answer(
      probes,
      [](const Reply& r, Expect& e) {
        const std::string got = text(r.header(ns::kAddressing, "Action"));
        const auto allowed = actions_for(r);
        const bool ok = allowed.empty()
                            ? !got.empty()
                            : std::find(allowed.begin(), allowed.end(), got) != allowed.end();
        e.that(ok, "a:Action", joined(allowed), got.empty() ? "absent" : got);
      },
      "with the action their body calls for");
}

Outcome relates_to(Probes& probes) {
  return over_every_answer(
      probes,
      [](const Reply& r, Expect& e) {
        if (r.message_id.empty()) return;
        const xmlNode* h = r.header(ns::kAddressing, "RelatesTo");
        e.that(h != nullptr && text(h) == r.message_id, "a:RelatesTo", r.message_id,
               h == nullptr ? "absent" : text(h));
      },
      "relating to their request's MessageID");
}

}  // namespace

std::vector<Case> wire_cases() {
  return {
      {{"soap/soap12-only", "MS-WSTEP 2.1; MS-XCEP 2.1",
        "A request in a SOAP 1.1 envelope (text/xml) is refused, never answered as SOAP 1.1", kBoth,
        false, ""},
       soap12_only},
      {{"auth/refused-without-credentials", "RFC 4559 4; WS-Security 1.0 12",
        "The service's request without credentials is refused as the endpoint's mode says: "
        "Kerberos HTTP 401 Negotiate, Certificate HTTP 403, UsernamePassword a SOAP "
        "InvalidSecurity fault",
        kBoth, false, ""},
       refused_without_credentials},
      {{"auth/accepts-credentials", "RFC 4559 4; WS-Security 1.0 12",
        "The service's request with the credentials given gets past authentication (when it "
        "does not, the cases that need credentials are skipped)",
        kBoth, true, ""},
       accepts_credentials},
      {{"soap/unknown-action", "MS-WSTEP 3.1.4.2; WS-Addressing 1.0 SOAP Binding 6.4.2",
        "A request with an action the contract does not have is a fault", kBoth, true, ""},
       fault_expected(ProbeKind::unknown_action)},
  };
}

// The cases over every answer: made last, when every probe has been sent.
std::vector<Case> every_answer_cases() {
  return {
      {{"soap/envelope", "MS-WSTEP 2.1; MS-XCEP 2.1; SOAP 1.2 Part 1 5.1",
        "Every SOAP answer, fault or not, is a SOAP 1.2 envelope", kBoth, false, ""},
       envelope_is_soap12},
      {{"soap/content-type", "SOAP 1.2 Part 2 7.1.4; RFC 3902",
        "Every SOAP answer is sent as application/soap+xml", kBoth, false, ""},
       content_type},
      {{"wsa/action", "WS-Addressing 1.0 SOAP Binding 2.4, 6; MS-WSTEP 3.1.4.1; MS-XCEP 3.1.4.1",
        "Every SOAP answer carries a:Action, the one its body calls for", kBoth, false, ""},
       action},
      {{"wsa/relates-to", "WS-Addressing 1.0 Core 3.4",
        "Every SOAP answer carries a:RelatesTo with its request's MessageID", kBoth, false, ""},
       relates_to},
  };
}

}  // namespace ceslab::conformance
