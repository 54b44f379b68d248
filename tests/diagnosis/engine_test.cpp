// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/diagnosis/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ceslab/core/codes.hpp"
#include "ceslab/diagnosis/report.hpp"
#include "diagnosis/fault_evidence.hpp"

namespace ceslab::diagnosis {
namespace {

using core::AuthMode;
using core::Evidence;
using core::Operation;

// ---- Evidence as the client records it -------------------------------

// A CES fault with a CertificateEnrollmentWSDetail over Kerberos.
Evidence detail_fault(std::uint32_t code, const std::string& reason, bool invalid_request,
                      std::optional<std::string> request_id = std::nullopt) {
  Evidence e;
  e.operation = Operation::enroll;
  e.auth = core::AuthMode::kerberos;
  e.endpoint = "https://ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES";
  e.http = core::HttpEvidence{500,
                              "Internal Server Error",
                              {{"Content-Type", "application/soap+xml; charset=utf-8"}},
                              1500,
                              {}};
  test_support::record_detail_fault(e, code, reason, invalid_request, std::move(request_id));
  return e;
}

Evidence access_denied() {
  return detail_fault(0x80070005, "Access is denied.", false);
}

// Access denied over Kerberos, with the ticket flags the client saw: the
// TGT forwardable or not, the service ticket ok-as-delegate or not.
Evidence access_denied_with_ticket(bool forwardable, bool ok_as_delegate) {
  Evidence e = access_denied();
  e.kerberos.forwardable = forwardable;
  e.kerberos.ok_as_delegate = ok_as_delegate;
  return e;
}

// Only the lines certreq printed: a record rebuilt from console output.
Evidence certreq_text(std::vector<std::string> lines) {
  Evidence e;
  e.operation = Operation::unknown;
  e.auth = std::nullopt;
  e.messages = std::move(lines);
  return e;
}

const Catalog& catalog() {
  return Catalog::builtin();
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool ruled_out(const Diagnosis& d, const std::string& id) {
  return std::any_of(d.ruled_out.begin(), d.ruled_out.end(),
                     [&](const RuledOut& r) { return r.cause == id; });
}

// ---- the delegation family (docs/causes.md A) -----------------------------

TEST(Engine, AccessDeniedAloneIsUnknownWithTheWholeFamilyTied) {
  const Diagnosis d = diagnose(catalog(), access_denied());
  EXPECT_EQ(d.verdict, "unknown");
  EXPECT_EQ(d.family, "access_denied_on_ca_hop");
  // Kerberos auth rules out key-based renewal (certificate authentication).
  EXPECT_EQ(d.tied,
            (std::vector<std::string>{"user_not_delegable", "ces_not_trusted_for_delegation",
                                      "credential_guard_blocks_unconstrained_delegation"}));
  EXPECT_TRUE(ruled_out(d, "kbr_app_pool_cannot_read_ca"));
  // The separating next check is klist -f, from the catalog.
  ASSERT_FALSE(d.next_checks.empty());
  EXPECT_NE(d.next_checks.front().find("klist -f"), std::string::npos) << d.next_checks.front();
  EXPECT_LT(d.confidence, 0.6);
}

TEST(Engine, NonForwardableTgtNamesTheUser) {
  Evidence e = access_denied_with_ticket(false, true);
  const Diagnosis d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "user_not_delegable");
  EXPECT_GE(d.confidence, 0.6);
  EXPECT_TRUE(ruled_out(d, "ces_not_trusted_for_delegation"));
  EXPECT_TRUE(ruled_out(d, "credential_guard_blocks_unconstrained_delegation"));
  EXPECT_TRUE(d.tied.empty());
}

TEST(Engine, TicketWithoutOkAsDelegateNamesTheCesAccount) {
  Evidence e = access_denied_with_ticket(true, false);
  const Diagnosis d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "ces_not_trusted_for_delegation");
  EXPECT_TRUE(ruled_out(d, "user_not_delegable"));
}

TEST(Engine, NothingDelegatedThoughBothSidesAllowItNamesCredentialGuard) {
  Evidence e = access_denied_with_ticket(true, true);
  e.kerberos.delegated = false;
  EXPECT_EQ(diagnose(catalog(), e).verdict, "credential_guard_blocks_unconstrained_delegation");
  // Without the delegation fact, elimination alone is not enough to name it.
  e.kerberos.delegated.reset();
  const Diagnosis d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "unknown");
  ASSERT_FALSE(d.candidates.empty());
  EXPECT_EQ(d.candidates.front().cause, "credential_guard_blocks_unconstrained_delegation");
}

TEST(Engine, ProtocolTransitionLeavesTheUserAndTheCesAccountTied) {
  Evidence e = access_denied();
  e.auth = core::AuthMode::username;
  e.endpoint = "https://ces.lab.test/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES";
  const Diagnosis d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "unknown");
  EXPECT_EQ(d.tied,
            (std::vector<std::string>{"user_not_delegable", "ces_not_trusted_for_delegation"}));
  EXPECT_TRUE(ruled_out(d, "credential_guard_blocks_unconstrained_delegation"));
}

TEST(Engine, KeyBasedRenewalNeedsEvent8ToBeNamed) {
  Evidence e = access_denied();
  e.operation = Operation::renew;
  e.auth = core::AuthMode::certificate;
  e.endpoint = "https://ces.lab.test/Lab%20Issuing%20CA_CES_Certificate/service.svc/CES";
  Diagnosis d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "unknown");
  EXPECT_TRUE(has(d.tied, "kbr_app_pool_cannot_read_ca"));
  EXPECT_TRUE(has(d.tied, "user_not_delegable"));

  e.server_events.push_back({"Microsoft-Windows-EnrollmentWebService/Admin",
                             "Microsoft-Windows-EnrollmentWebService", 8, "Error", "ces.lab.test",
                             "", "The Certificate Enrollment Web Service cannot read ..."});
  d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "kbr_app_pool_cannot_read_ca");
  // The CES host's Admin log is shared by its instances: event 8 outweighs the
  // delegation causes here, it does not remove them.
  EXPECT_FALSE(ruled_out(d, "user_not_delegable"));
  EXPECT_TRUE(d.tied.empty());
}

TEST(Engine, ImpersonationLevelIsNotTheDelegationFamily) {
  const Diagnosis d = diagnose(
      catalog(),
      detail_fault(0x80070542,
                   "Either a required impersonation level was not provided, or the provided "
                   "impersonation level is invalid.",
                   false));
  EXPECT_EQ(d.verdict, "ces_lacks_impersonate_privilege");
  EXPECT_TRUE(d.family.empty());
}

// ---- look-alikes --------------------------------------------------------

TEST(Engine, CertreqLineWithAUniqueCodeIsEnough) {
  const Diagnosis d = diagnose(
      catalog(), certreq_text({"A message containing a fault was received from the remote "
                               "endpoint. 0x803d0013 (-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)",
                               "The EMail name is unavailable and cannot be added to the Subject "
                               "or Subject Alternate name. 0x80094812 (-2146875374 "
                               "CERTSRV_E_SUBJECT_EMAIL_REQUIRED)"}));
  EXPECT_EQ(d.verdict, "ca_subject_email_required");
}

TEST(Engine, CodesAreReadInEveryFormWindowsPrints) {
  for (const std::string line : {"error 0x80094812", "ErrorCode -2146875374",
                                 "CERTSRV_E_SUBJECT_EMAIL_REQUIRED", "(0X80094812)"}) {
    EXPECT_EQ(diagnose(catalog(), certreq_text({line})).verdict, "ca_subject_email_required")
        << line;
  }
  // A bare positive number, a word with the code inside, or a short
  // negative number is not a code.
  for (const std::string line : {"request 2148077586", "x0x80094812", "status -5",
                                 "NOT_CERTSRV_E_SUBJECT_EMAIL_REQUIREDX"}) {
    EXPECT_EQ(diagnose(catalog(), certreq_text({line})).verdict, "unknown") << line;
  }
}

TEST(Engine, ExpiredRenewalCertificateIsNotAnExpiredServerCertificate) {
  Evidence e = detail_fault(0x800b0101, "Denied by Policy Module", true, "41");
  e.operation = Operation::renew;
  Diagnosis d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "renewal_cert_invalid");
  EXPECT_TRUE(ruled_out(d, "tls_certificate_expired"));

  Evidence tls;
  tls.operation = Operation::enroll;
  tls.auth = core::AuthMode::username;
  tls.transport = core::TransportEvidence{core::TransportErrorKind::tls_expired,
                                          "TLS: server certificate has expired"};
  tls.tls.verify_result = 10;
  tls.tls.verify_text = "certificate has expired";
  tls.messages = {"TLS: server certificate has expired (certificate has expired)"};
  d = diagnose(catalog(), tls);
  EXPECT_EQ(d.verdict, "tls_certificate_expired");
}

TEST(Engine, GenericSecureFailureTiesTheTlsFamily) {
  const Diagnosis d =
      diagnose(catalog(), certreq_text({"A security error occurred 0x80072f8f (WinHttp: 12175 "
                                        "ERROR_WINHTTP_SECURE_FAILURE)"}));
  EXPECT_EQ(d.verdict, "unknown");
  EXPECT_EQ(d.family, "tls_server_certificate");
  EXPECT_EQ(d.tied.size(), 3u);
}

TEST(Engine, InvalidFormatTiesMissingCredentialsAndAWrongUrl) {
  Evidence e =
      certreq_text({"The input data was not in the expected format or did not have the "
                    "expected value. 0x803d0000 (-2143485952 WS_E_INVALID_FORMAT)"});
  const Diagnosis d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "unknown");
  EXPECT_EQ(d.family, "ws_invalid_format");
  EXPECT_EQ(d.tied, (std::vector<std::string>{"missing_credentials", "wrong_endpoint_url"}));
}

TEST(Engine, WcfInternalFaultAloneTiesItsFamily) {
  Evidence e;
  e.http = core::HttpEvidence{500, "Internal Server Error", {}, 900, {}};
  core::FaultEvidence f;
  f.fault.kind = core::FaultKind::wcf_dispatcher;
  f.fault.code = "Receiver";
  f.fault.subcode = "InternalServiceFault";
  f.fault.reason = "The server was unable to process the request due to an internal error.";
  e.fault = f;
  Diagnosis d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "unknown");
  EXPECT_EQ(d.family, "wcf_internal_service_fault");
  // CES event 10 decides.
  e.server_events.push_back({"Microsoft-Windows-EnrollmentWebService/Admin",
                             "Microsoft-Windows-EnrollmentWebService", 10, "Error", "ces", "", ""});
  d = diagnose(catalog(), e);
  EXPECT_EQ(d.verdict, "kbr_incompatible_config");
  EXPECT_TRUE(ruled_out(d, "ces_internal_error"));
}

// ---- weak and empty evidence -------------------------------------------

TEST(Engine, AWeakLoneCandidateIsUnknownWithoutTies) {
  // NTE_FAIL says little by itself: the CA's key, an exit module, or
  // something the catalog does not know.
  const Diagnosis d = diagnose(
      catalog(), certreq_text({"An internal error occurred. 0x80090020 (-2146893792 NTE_FAIL)"}));
  EXPECT_EQ(d.verdict, "unknown");
  EXPECT_TRUE(d.tied.empty());
  ASSERT_EQ(d.candidates.size(), 1u);
  EXPECT_EQ(d.candidates.front().cause, "ca_internal_error");
  EXPECT_FALSE(d.next_checks.empty());
}

TEST(Engine, EmptyEvidenceIsUnknownWithTheCatalogsGenericChecks) {
  const Diagnosis d = diagnose(catalog(), certreq_text({}));
  EXPECT_EQ(d.verdict, "unknown");
  EXPECT_TRUE(d.candidates.empty());
  EXPECT_EQ(d.confidence, 0.0);
  ASSERT_FALSE(d.why.empty());
  EXPECT_EQ(d.why.front(), catalog().unknown().title + ".");
  EXPECT_EQ(d.next_checks.size(), catalog().unknown().next_checks.size());
}

TEST(Engine, ConfidencesStayBetweenZeroAndOne) {
  for (const Evidence& e :
       {access_denied(), detail_fault(0x80094812, "Denied by Policy Module", true, "17")}) {
    const Diagnosis d = diagnose(catalog(), e);
    for (const Candidate& c : d.candidates) {
      EXPECT_GT(c.confidence, 0.0);
      EXPECT_LT(c.confidence, 1.0);
    }
    for (std::size_t i = 1; i < d.candidates.size(); ++i)
      EXPECT_GE(d.candidates[i - 1].score, d.candidates[i].score);
  }
}

// ---- rule semantics on a catalog of its own -----------------------------

const Catalog& toy() {
  static const Catalog c = Catalog::from_yaml(R"(layers: [{ id: l, title: L }]
---
id: alpha
title: Alpha
layer: l
explanation: e
evidence:
  requires:
    - { code: ERROR_ACCESS_DENIED, weight: 2 }
  supports:
    - { kerberos.forwardable: false, weight: 8, note: "not forwardable" }
  rules_out:
    - { kerberos.forwardable: true, note: "forwardable" }
next_checks:
  - { check: "klist -f", reveals: [kerberos.forwardable] }
remediation: [fix alpha]
references: [r]
---
id: beta
title: Beta
layer: l
explanation: e
evidence:
  requires:
    - { code: ERROR_ACCESS_DENIED, weight: 2 }
  supports:
    - { operation: renew, weight: 5 }
next_checks:
  - { check: "was it a renewal?", reveals: [operation] }
  - { check: "ask the admin", separates: [alpha] }
remediation: [fix beta]
references: [r]
)",
                                              "toy.yaml");
  return c;
}

TEST(EngineRules, UnobservedSupportNeitherAddsNorCountsAgainst) {
  Evidence e = certreq_text({"Access is denied. 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)"});
  const Diagnosis d = diagnose(toy(), e);
  EXPECT_EQ(d.verdict, "unknown");
  EXPECT_EQ(d.tied, (std::vector<std::string>{"alpha", "beta"}));
  ASSERT_EQ(d.candidates.size(), 2u);
  EXPECT_DOUBLE_EQ(d.candidates[0].score, 2.0);
  EXPECT_TRUE(d.candidates[0].against.empty());
  // 2 / (2 + rival 2 + unexplained 3)
  EXPECT_NEAR(d.candidates[0].confidence, 2.0 / 7.0, 1e-9);
  // The separating checks: both causes' checks on the fields their rules
  // differ on, and the one that names the other cause.
  EXPECT_EQ(d.next_checks,
            (std::vector<std::string>{"klist -f", "was it a renewal?", "ask the admin"}));
}

TEST(EngineRules, SupportThatHoldsSeparatesAndMatchedSaysWhy) {
  Evidence e = certreq_text({"Access is denied. 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)"});
  e.kerberos.forwardable = false;
  const Diagnosis d = diagnose(toy(), e);
  EXPECT_EQ(d.verdict, "alpha");
  EXPECT_NEAR(d.confidence, 10.0 / (10.0 + 2.0 + 3.0), 1e-9);
  const Candidate& c = d.candidates.front();
  ASSERT_EQ(c.matched.size(), 2u);
  EXPECT_EQ(c.matched[0], "code 0x80070005 ERROR_ACCESS_DENIED in message 1");
  EXPECT_EQ(c.matched[1], "kerberos.forwardable: false — not forwardable");
  EXPECT_EQ(c.remediation, (std::vector<std::string>{"fix alpha"}));
  // klist -f was run: it is no longer asked for.
  EXPECT_FALSE(has(d.next_checks, "klist -f"));
}

TEST(EngineRules, RulesOutRemovesAndSaysWhy) {
  Evidence e = certreq_text({"Access is denied. 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)"});
  e.kerberos.forwardable = true;
  e.operation = Operation::enroll;
  const Diagnosis d = diagnose(toy(), e);
  ASSERT_EQ(d.ruled_out.size(), 1u);
  EXPECT_EQ(d.ruled_out[0].cause, "alpha");
  EXPECT_EQ(d.ruled_out[0].because,
            (std::vector<std::string>{"kerberos.forwardable: true — forwardable"}));
  ASSERT_EQ(d.candidates.size(), 1u);
  EXPECT_EQ(d.candidates[0].cause, "beta");
  // beta's support was observed and did not hold.
  ASSERT_EQ(d.candidates[0].against.size(), 1u);
  EXPECT_EQ(d.candidates[0].against[0], "expected operation: renew, but operation: enroll");
  // 2 / (2 + 3): a lone candidate on the gate alone is not a verdict.
  EXPECT_EQ(d.verdict, "unknown");
}

TEST(EngineRules, FaultPartsOfARecordWithoutAnExchangeAreNotObserved) {
  const Catalog c = Catalog::from_yaml(R"(layers: [{ id: l, title: L }]
---
id: gamma
title: Gamma
layer: l
explanation: e
evidence:
  requires:
    - { message: 'denied', weight: 5 }
  rules_out:
    - { fault: false, note: "no fault came" }
next_checks: [c]
remediation: [f]
references: [r]
)",
                                       "gamma.yaml");
  // Rebuilt from text: whether a fault came is unknown, so it does not rule out.
  EXPECT_EQ(diagnose(c, certreq_text({"Access denied"})).verdict, "gamma");
  // A client record with an HTTP answer and no fault: observed, ruled out.
  Evidence e = certreq_text({"Access denied"});
  e.http = core::HttpEvidence{401, "Unauthorized", {}, 0, {}};
  EXPECT_EQ(diagnose(c, e).verdict, "unknown");
}

TEST(EngineRules, HeadersOfAStatusRebuiltFromACodeAreNotObserved) {
  const Catalog c = Catalog::from_yaml(R"(layers: [{ id: l, title: L }]
---
id: delta
title: Delta
layer: l
explanation: e
evidence:
  requires:
    - { http.status: 401, weight: 1 }
  supports:
    - { http.header: { not: '^WWW-Authenticate: *Negotiate' }, weight: 8, note: "no Negotiate" }
next_checks: [c]
remediation: [f]
references: [r]
)",
                                       "delta.yaml");
  // certreq's HTTP_E_STATUS_DENIED gives the status, not the headers: the
  // negated header test neither holds nor fails.
  Evidence e = certreq_text({"Unauthorized (401). 0x80190191 (-2145844847 HTTP_E_STATUS_DENIED)"});
  e.http = core::HttpEvidence{401, "", {}, 0, {}};
  Diagnosis d = diagnose(c, e);
  ASSERT_EQ(d.candidates.size(), 1u);
  EXPECT_DOUBLE_EQ(d.candidates[0].score, 1.0);
  EXPECT_TRUE(d.candidates[0].against.empty());
  // A recorded answer that offers only NTLM: the negated test holds.
  e.http->headers = {{"WWW-Authenticate", "NTLM"}};
  d = diagnose(c, e);
  ASSERT_EQ(d.candidates.size(), 1u);
  EXPECT_DOUBLE_EQ(d.candidates[0].score, 9.0);
  // One that offers Negotiate as well: it fails and counts against.
  e.http->headers = {{"WWW-Authenticate", "Negotiate"}, {"WWW-Authenticate", "NTLM"}};
  d = diagnose(c, e);
  ASSERT_EQ(d.candidates.size(), 1u);
  EXPECT_DOUBLE_EQ(d.candidates[0].score, 1.0);
  EXPECT_EQ(d.candidates[0].against.size(), 1u);
}

TEST(EngineRules, EndpointPathIsTheUrlsPathSlashForABareHost) {
  const Catalog c = Catalog::from_yaml(R"(layers: [{ id: l, title: L }]
---
id: bare
title: Bare
layer: l
explanation: e
evidence:
  requires:
    - { code: WS_E_INVALID_FORMAT, weight: 1 }
  supports:
    - { endpoint.path: '^/$', weight: 4, note: "a bare host" }
next_checks: [c]
remediation: [f]
references: [r]
)",
                                       "bare.yaml");
  Evidence e = certreq_text({"0x803d0000 (-2143485952 WS_E_INVALID_FORMAT)"});
  const auto score_for = [&](const std::string& url) {
    e.endpoint = url;
    const Diagnosis d = diagnose(c, e);
    return d.candidates.empty() ? -1.0 : d.candidates[0].score;
  };
  EXPECT_DOUBLE_EQ(score_for("https://ces.lab.test"), 5.0);
  EXPECT_DOUBLE_EQ(score_for("https://ces.lab.test/"), 5.0);
  EXPECT_DOUBLE_EQ(score_for("https://ces.lab.test:8443/"), 5.0);
  EXPECT_DOUBLE_EQ(score_for("https://ces.lab.test/CA_CES_Kerberos/service.svc/CES"), 1.0);
  // Not a URL: the path is not observed, so the rule neither adds nor counts against.
  EXPECT_DOUBLE_EQ(score_for("ces.lab.test"), 1.0);
}

// ---- determinism and output ----------------------------------------------

TEST(Engine, SameInputSameOutputByteForByte) {
  Evidence e = access_denied();
  e.server_events.push_back({"Application", "Microsoft-Windows-CertificationAuthority", 53,
                             "Warning", "ca", "", "denied request 17 because ..."});
  const Catalog copy = catalog();
  const std::string first = nlohmann::json(diagnose(catalog(), e)).dump();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(nlohmann::json(diagnose(catalog(), e)).dump(), first);
    EXPECT_EQ(nlohmann::json(diagnose(copy, e)).dump(), first);
  }
  EXPECT_EQ(format_report(diagnose(catalog(), e)), format_report(diagnose(copy, e)));
}

TEST(Report, JsonHasTheDocumentedTopLevel) {
  Evidence e = access_denied();
  e.kerberos.forwardable = false;
  const nlohmann::json j = diagnose(catalog(), e);
  EXPECT_EQ(j.at("schema"), "ceslab.diagnosis/1");
  EXPECT_EQ(j.at("verdict"), "user_not_delegable");
  ASSERT_TRUE(j.at("candidates").is_array());
  EXPECT_EQ(j.at("candidates")[0].at("cause"), "user_not_delegable");
  EXPECT_TRUE(j.at("candidates")[0].at("confidence").is_number());
  for (const char* key :
       {"confidence", "tied", "family", "why", "next_checks", "seen", "ruled_out"})
    EXPECT_TRUE(j.contains(key)) << key;
  for (const char* key :
       {"title", "layer", "matched", "against", "separating", "remediation", "references", "score"})
    EXPECT_TRUE(j.at("candidates")[0].contains(key)) << key;
}

TEST(Report, TextSaysVerdictWhyWhatToCheckAndHowToFix) {
  Evidence e = access_denied();
  e.kerberos.forwardable = false;
  const std::string report = format_report(diagnose(catalog(), e));
  EXPECT_EQ(report.rfind("Verdict: user_not_delegable (confidence 0.", 0), 0u) << report;
  for (const char* part : {"\nWhy:\n", "\nWhat was seen:\n", "\nHow to fix:\n", "\nRuled out:\n"})
    EXPECT_NE(report.find(part), std::string::npos) << part << "\n" << report;

  const std::string tie = format_report(diagnose(catalog(), access_denied()));
  EXPECT_EQ(tie.rfind("Verdict: unknown — cannot tell apart: user_not_delegable, ", 0), 0u) << tie;
  EXPECT_NE(tie.find("\nWhat to check next:\n  - On the client, right after the failure: klist -f"),
            std::string::npos)
      << tie;
  EXPECT_NE(tie.find("if user_not_delegable: "), std::string::npos) << tie;
}

}  // namespace
}  // namespace ceslab::diagnosis
