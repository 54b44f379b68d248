// SPDX-License-Identifier: GPL-2.0-or-later
// What MS-WSTEP asks of a CES: the answers to KET, Issue and
// QueryTokenStatus, the requests it must refuse, and the fault detail
// (CertificateEnrollmentWSDetail) that says whether the CA was reached.
#include <openssl/x509.h>

#include "cases.hpp"
#include "ceslab/core/base64.hpp"
#include "ceslab/core/cmc.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/core/x509.hpp"

namespace ceslab::conformance {

namespace {

namespace uri = core::uri;
using runner::Result;

const std::vector<Service> kCes = {Service::ces};

// The one RSTR of the collection (MS-WSTEP 3.1.4.1.3.5: exactly one).
const xmlNode* only_rstr(const Reply& r, Expect& e) {
  const xmlNode* body = r.body_element();
  if (!e.that(is(body, ns::kTrust, "RequestSecurityTokenResponseCollection"), "answer",
              "a RequestSecurityTokenResponseCollection", r.summary())) {
    return nullptr;
  }
  const auto rstrs = children(body, ns::kTrust, "RequestSecurityTokenResponse");
  if (!e.that(rstrs.size() == 1, "RequestSecurityTokenResponse elements", "1",
              std::to_string(rstrs.size()))) {
    return nullptr;
  }
  return rstrs.front();
}

// An Issue's answer: HTTP 200 and its one RSTR (null, with the diffs, when
// it has none).
const xmlNode* answered_rstr(const Reply& r, Expect& e) {
  e.that(r.status() == 200, "HTTP status", "200", r.summary());
  return only_rstr(r, e);
}

// The DER of a wsse:BinarySecurityToken, or nullopt (with a diff) when its
// text is not base64.
std::optional<core::Bytes> token_der(const xmlNode* bst, Expect& e, const std::string& field) {
  try {
    return core::decode_base64(text(bst));
  } catch (const std::exception& bad) {
    e.that(false, field, "base64", bad.what());
    return std::nullopt;
  }
}

// A certificate in a BinarySecurityToken whose ValueType is X509v3.
core::X509Ptr certificate_in(const xmlNode* bst, Expect& e, const std::string& field) {
  if (!e.that(bst != nullptr, field, "a wsse:BinarySecurityToken", "absent")) return nullptr;
  const std::string value_type = attribute(bst, "ValueType");
  e.that(value_type == uri::kValueTypeX509v3, field + " ValueType",
         std::string(uri::kValueTypeX509v3), value_type);
  const auto der = token_der(bst, e, field);
  if (!der) return nullptr;
  core::X509Ptr cert = core::parse_certificate_der(*der);
  e.that(cert != nullptr, field, "an X.509 certificate (DER)", "undecodable");
  return cert;
}

// The CertificateEnrollmentWSDetail of a fault; a diff when there is none.
const xmlNode* detail(const Reply& r, Expect& e) {
  const xmlNode* d = r.enrollment_detail();
  e.that(d != nullptr, "s:Detail", "a CertificateEnrollmentWSDetail", r.summary());
  return d;
}

Outcome ket(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::ket);
  Expect e(r);
  e.that(r.status() == 200, "HTTP status", "200", std::to_string(r.status()));
  const xmlNode* rstr = only_rstr(r, e);
  if (rstr == nullptr) return e.done("");
  const xmlNode* rst = child(rstr, ns::kTrust, "RequestedSecurityToken");
  // WS-Trust 1.3 puts KeyExchangeToken in the RSTR; MS-WSTEP's example
  // has it inside RequestedSecurityToken. Either is read.
  const xmlNode* ket_token = child(rst, ns::kTrust, "KeyExchangeToken");
  if (ket_token == nullptr) ket_token = child(rstr, ns::kTrust, "KeyExchangeToken");
  const core::X509Ptr cert =
      certificate_in(child(ket_token, ns::kWsse, "BinarySecurityToken"), e, "KeyExchangeToken");
  return e.done(cert ? "the CA's exchange certificate: " + core::describe(cert.get()).subject : "");
}

Outcome denial_detail(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::issue_unknown_template);
  Expect e(r);
  if (!e.fault()) return e.done("");
  e.that(r.status() == 500, "HTTP status", "500", std::to_string(r.status()));
  const xmlNode* d = detail(r, e);
  if (d == nullptr) return e.done("");
  const auto code = child_text(d, ns::kEnrollment, "ErrorCode");
  bool negative = false;
  try {
    negative = code && std::stoll(*code) < 0 && std::stoll(*code) >= INT32_MIN;
  } catch (const std::exception&) {
  }
  e.that(negative, "ErrorCode", "the CA's HRESULT, a negative xs:int",
         shown_child(d, ns::kEnrollment, "ErrorCode"));
  e.that(child_text(d, ns::kEnrollment, "InvalidRequest") == "true", "InvalidRequest",
         "'true' (the CA denied the request)", shown_child(d, ns::kEnrollment, "InvalidRequest"));
  const auto id = child_text(d, ns::kEnrollment, "RequestID");
  e.that(id && !id->empty(), "RequestID", "the id the CA gave the denied request",
         shown_child(d, ns::kEnrollment, "RequestID"));
  return e.done("denied: ErrorCode " + code.value_or("?") + ", RequestID " + id.value_or("?"));
}

Outcome no_request_id_without_ca(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::issue_no_encoding_type);
  Expect e(r);
  if (!e.fault()) return e.done("");
  const xmlNode* d = r.enrollment_detail();
  if (d == nullptr) return e.done("a fault without detail (" + r.fault_code() + ")");
  e.that(!child_text(d, ns::kEnrollment, "RequestID"), "RequestID", "absent or nil (no CA request)",
         shown_child(d, ns::kEnrollment, "RequestID"));
  e.that(!child_text(d, ns::kEnrollment, "BinaryResponse"), "BinaryResponse",
         "absent or nil (no CA response)", shown_child(d, ns::kEnrollment, "BinaryResponse"));
  return e.done("refused before the CA: " + r.summary() + ", RequestID nil");
}

Outcome issue(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::issue);
  Expect e(r);
  const xmlNode* rstr = answered_rstr(r, e);
  if (rstr == nullptr) return e.done("");
  const core::X509Ptr cert = certificate_in(
      child(child(rstr, ns::kTrust, "RequestedSecurityToken"), ns::kWsse, "BinarySecurityToken"), e,
      "RequestedSecurityToken");
  if (cert) {
    e.that(core::certificate_matches_key(cert.get(), probes.key()), "issued certificate",
           "for the request's key", "for another key");
  }
  // The outer token: the CA's CMC Full PKI Response (MS-WSTEP 3.1.4.1.3.4, 4.1.1.2).
  const xmlNode* cmc = child(rstr, ns::kWsse, "BinarySecurityToken");
  if (e.that(cmc != nullptr, "BinarySecurityToken (CMC response)", "present", "absent")) {
    if (const auto der = token_der(cmc, e, "BinarySecurityToken (CMC response)")) {
      try {
        const core::CmcResponse response = core::parse_cmc_response(*der);
        e.that(response.status == core::CmcStatus::success, "CMC status", "success (0)",
               std::to_string(static_cast<int>(response.status)));
      } catch (const std::exception& bad) {
        e.that(false, "BinarySecurityToken (CMC response)", "a CMC Full PKI Response", bad.what());
      }
    }
  }
  const auto id = child_text(rstr, ns::kEnrollment, "RequestID");
  e.that(id && !id->empty(), "RequestID", "the CA's request id",
         shown_child(rstr, ns::kEnrollment, "RequestID"));
  return e.done(cert ? "issued " + core::describe(cert.get()).subject + ", RequestID " +
                           id.value_or("")
                     : "");
}

Outcome pending_then_query(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::issue_pending);
  Expect e(r);
  const xmlNode* rstr = answered_rstr(r, e);
  if (rstr == nullptr) return e.done("");
  const xmlNode* requested = child(rstr, ns::kTrust, "RequestedSecurityToken");
  e.that(child(requested, ns::kWsse, "BinarySecurityToken") == nullptr, "issued certificate",
         "none (pending)", "present");
  const xmlNode* reference =
      child(child(requested, ns::kWsse, "SecurityTokenReference"), ns::kWsse, "Reference");
  const std::string where = attribute(reference, "URI");
  e.that(!where.empty(), "SecurityTokenReference/Reference/@URI", "the CES URI to ask again",
         where.empty() ? "absent" : where);
  const auto id = child_text(rstr, ns::kEnrollment, "RequestID");
  if (!e.that(id && !id->empty(), "RequestID", "the pending request's id",
              shown_child(rstr, ns::kEnrollment, "RequestID"))) {
    return e.done("");
  }
  // The continuation: QueryTokenStatus for that id answers for that request.
  const Reply& q = probes.get(ProbeKind::query_pending);
  Expect eq(q);
  const xmlNode* answer_id_holder = nullptr;
  if (q.fault() != nullptr) {
    answer_id_holder = q.enrollment_detail();
  } else {
    answer_id_holder = only_rstr(q, eq);
  }
  eq.that(child_text(answer_id_holder, ns::kEnrollment, "RequestID") == id, "RequestID", *id,
          shown_child(answer_id_holder, ns::kEnrollment, "RequestID"));
  for (auto& d : eq.diffs()) e.diffs().push_back(d);
  return e.done("pending as RequestID " + *id + "; QueryTokenStatus: " + q.summary());
}

}  // namespace

std::vector<Case> wstep_cases() {
  return {
      {{"wstep/ket", "MS-WSTEP 3.1.4.1.3.2; 3.1.4.2",
        "KET is answered with one RSTR whose KeyExchangeToken holds the CA's exchange certificate",
        kCes, true, ""},
       ket},
      {{"wstep/denial-detail", "MS-WSTEP 3.1.4.1.3.7",
        "A request the CA denies is a fault whose CertificateEnrollmentWSDetail has the CA's "
        "HRESULT, InvalidRequest true and the RequestID the CA gave it",
        kCes, true, ""},
       denial_detail},
      {{"wstep/no-request-id-without-ca", "MS-WSTEP 3.1.4.1.3.7; 3.1.4.1.2.1",
        "A request refused before it reaches the CA (no EncodingType) is a fault whose "
        "RequestID and BinaryResponse are nil",
        kCes, true, ""},
       no_request_id_without_ca},
      {{"wstep/issue-requires-token", "MS-WSTEP 3.1.4.2.1.1",
        "Issue without a BinarySecurityToken is a fault", kCes, true, ""},
       fault_expected(ProbeKind::issue_no_token)},
      {{"wstep/query-requires-request-id", "MS-WSTEP 3.1.4.2.1.2",
        "QueryTokenStatus with a nil RequestID is a fault", kCes, true, ""},
       fault_expected(ProbeKind::query_nil_request_id)},
      {{"wstep/request-type-matches-action", "MS-WSTEP 3.1.4.2; 3.1.4.2.1",
        "A RequestType that does not belong to the action (KET under RST/wstep) is a fault", kCes,
        true, ""},
       fault_expected(ProbeKind::ket_type_on_wstep)},
      {{"wstep/issue", "MS-WSTEP 3.1.4.1.3.2; 3.1.4.1.3.4",
        "An issued request is answered with the certificate for the request's key, the CA's "
        "CMC response (status success) and the RequestID",
        kCes, true, "--template"},
       issue},
      {{"wstep/pending-and-query", "MS-WSTEP 3.1.4.1.3.2; 3.1.4.2.1.2",
        "A pending request is answered with a SecurityTokenReference and its RequestID, and "
        "QueryTokenStatus for that RequestID answers for the same request",
        kCes, true, "--pending-template"},
       pending_then_query},
  };
}

}  // namespace ceslab::conformance
