// SPDX-License-Identifier: GPL-2.0-or-later
// Pre-deployment validation against a real CES or CEP (docs/scenarios.md,
// "Pre-deployment validation: `--target`"). Every request goes to the URL
// given; what each check sends is listed there.
#include "ceslab/runner/target.hpp"

#include <openssl/x509_vfy.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "ceslab/client/enroll.hpp"
#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/client/policy.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/core/evidence.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/diagnosis/report.hpp"

namespace ceslab::runner {
namespace {

namespace fs = std::filesystem;
namespace uri = core::uri;
using Clock = std::chrono::steady_clock;

// The path's segments, without the query and empty segments.
const core::EnrollmentFault* fault_of(const client::SoapCall& call) {
  return call.reply ? std::get_if<core::EnrollmentFault>(&call.reply->body) : nullptr;
}

bool is_invalid_security(const client::SoapCall& call) {
  const core::EnrollmentFault* f = fault_of(call);
  return f != nullptr && f->subcode && *f->subcode == "InvalidSecurity";
}

// Every WWW-Authenticate scheme offered ("Negotiate", "NTLM"); tokens left out.
std::vector<std::string> offered_schemes(const core::HttpResponse& response) {
  std::vector<std::string> schemes;
  for (const core::HttpHeader& h : response.headers) {
    if (!core::header_name_equals(h.name, "WWW-Authenticate")) continue;
    schemes.push_back(h.value.substr(0, h.value.find(' ')));
  }
  return schemes;
}

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

// One line for what came back: the transport error, or the HTTP status with
// the offered authentication schemes and the SOAP body (fault fields).
std::string describe(const client::SoapCall& call) {
  if (call.exchange.error || !call.exchange.response) {
    return "no HTTP response: " + call.exchange.error_message;
  }
  const core::HttpResponse& response = *call.exchange.response;
  std::string out = "HTTP " + std::to_string(response.status);
  if (const auto schemes = offered_schemes(response); !schemes.empty()) {
    out += " WWW-Authenticate: " + join(schemes);
  }
  // What the client's Kerberos library said when it could not answer.
  if (call.kerberos && call.kerberos->gss_text && !call.kerberos->gss_text->empty()) {
    out += " (Kerberos: " + *call.kerberos->gss_text + ")";
  }
  if (!call.reply) {
    // IIS's 401 and 403 are HTML pages by design: the status says it all.
    if (response.status == 401 || response.status == 403) return out;
    return out + ", not SOAP (" + response.header("Content-Type").value_or("no Content-Type") + ")";
  }
  if (const core::EnrollmentFault* f = fault_of(call)) {
    out += ", SOAP fault " + f->code + (f->subcode ? "/" + *f->subcode : "");
    if (!f->reason.empty()) out += " \"" + f->reason + "\"";
    if (f->error_code) out += " " + core::format_code(static_cast<std::uint32_t>(*f->error_code));
    return out;
  }
  if (std::holds_alternative<core::GetPoliciesResponse>(call.reply->body)) {
    return out + ", GetPoliciesResponse";
  }
  if (const auto* rstr = std::get_if<core::RequestSecurityTokenResponse>(&call.reply->body)) {
    if (rstr->key_exchange_token) return out + ", RSTR with the CA's exchange certificate";
    return out + ", RSTR" +
           (rstr->disposition_message ? " \"" + *rstr->disposition_message + "\"" : "");
  }
  return out + ", " + call.reply->addressing.action;
}

// The authentication layer refused the call: no answer, IIS's 401 or 403,
// WCF's InvalidSecurity, or an answer that is not SOAP.
bool refused(const client::SoapCall& call) {
  if (call.exchange.error || !call.exchange.response) return true;
  const int status = call.exchange.response->status;
  return status == 401 || status == 403 || !call.reply || is_invalid_security(call);
}

// What an unauthenticated request gets from an endpoint of `mode`.
struct ProbeJudgement {
  bool ok = false;
  std::string expected;
};

ProbeJudgement judge_probe(core::AuthMode mode, const client::SoapCall& probe) {
  ProbeJudgement j;
  const core::HttpResponse* response =
      probe.exchange.response ? &*probe.exchange.response : nullptr;
  switch (mode) {
    case core::AuthMode::kerberos: {
      // IIS Windows Authentication with the Negotiate provider (RFC 4559 4.1).
      j.expected = "HTTP 401 with WWW-Authenticate: Negotiate";
      if (response != nullptr && response->status == 401) {
        for (const std::string& s : offered_schemes(*response)) {
          j.ok = j.ok || core::iequals(s, "Negotiate");
        }
      }
      break;
    }
    case core::AuthMode::username:
      // WCF message security without a UsernameToken (OASIS WS-Security 1.1,
      // 12: wsse:InvalidSecurity).
      j.expected = "SOAP fault Sender/InvalidSecurity (no UsernameToken)";
      j.ok = is_invalid_security(probe);
      break;
    case core::AuthMode::certificate:
      // IIS "Require SSL client certificates": 403.7 without one.
      j.expected = "HTTP 403 (a client certificate is required)";
      j.ok = response != nullptr && response->status == 403;
      break;
    case core::AuthMode::anonymous:
      break;
  }
  return j;
}

// "YYYY-MM-DDTHH:MM:SSZ", as the TLS facts give notAfter.
std::string utc(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32] = {};
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string tls_summary(const core::TlsFacts& tls) {
  std::string out = tls.version + " " + tls.cipher + "; server certificate " + tls.peer_subject;
  if (!tls.peer_not_after.empty()) out += ", valid until " + tls.peer_not_after;
  return out;
}

class TargetRun {
 public:
  TargetRun(const TargetOptions& options, const TargetProgress& progress, std::stop_token stop)
      : o_(options), progress_(progress), stop_(std::move(stop)), ep_(parse_target(options.url)) {
    if (options.auth == nullptr) {
      throw std::invalid_argument("run_target_checks: no authenticator (--auth) given");
    }
    if (!o_.out_dir.empty()) fs::create_directories(o_.out_dir);
  }

  std::vector<ScenarioResult> run() {
    if (!next("tls")) return std::move(results_);
    const bool tls_ok = check_tls();
    if (!next("authentication")) return std::move(results_);
    // With --insecure a connection whose verification failed goes on.
    const bool connected = tls_ok || (o_.tls.insecure && probe_->exchange.tls.handshake_done);
    bool authenticated = false;
    if (connected) {
      authenticated = check_authentication();
    } else {
      skip("authentication", "not sent: the TLS check failed");
    }
    if (ep_.service == core::Service::ces) {
      if (!next("key-exchange")) return std::move(results_);
      if (authenticated) {
        check_key_exchange();
      } else {
        skip("key-exchange", not_authenticated());
      }
    } else {
      if (!next("get-policies")) return std::move(results_);
      if (authenticated) {
        check_get_policies();
      } else {
        skip("get-policies", not_authenticated());
      }
    }
    if (o_.template_name) {
      if (!next("enroll")) return std::move(results_);
      if (!authenticated) {
        skip("enroll", not_authenticated() + "; no enrollment was sent");
      } else if (ep_.service == core::Service::ces) {
        check_enroll_ces();
      } else {
        check_enroll_via_policy();
      }
    }
    return std::move(results_);
  }

 private:
  std::string id(const std::string& check) const { return o_.group + "/" + check; }

  // Starts a check; false when the run is to stop.
  bool next(const std::string& check) {
    if (stop_.stop_requested()) return false;
    started_ = Clock::now();
    if (progress_.check_started) progress_.check_started(id(check));
    return true;
  }

  ScenarioResult result(const std::string& check) const {
    ScenarioResult r;
    r.id = id(check);
    r.group = o_.group;
    r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    if (!o_.out_dir.empty()) r.artefacts = o_.out_dir;
    return r;
  }

  void finish(ScenarioResult r) {
    if (progress_.check_finished) progress_.check_finished(r);
    results_.push_back(std::move(r));
  }

  void pass(const std::string& check, std::string seen, const core::Evidence* evidence) {
    ScenarioResult r = result(check);
    r.result = Result::pass;
    r.reason = std::move(seen);
    if (evidence != nullptr) keep(check, *evidence, nullptr);
    finish(std::move(r));
  }

  void skip(const std::string& check, std::string why) {
    ScenarioResult r = result(check);
    r.result = Result::skip;
    r.reason = std::move(why);
    finish(std::move(r));
  }

  // A failed check: what failed, expected against actual, and the engine's
  // verdict on the evidence (client evidence only: no server events).
  void fail(const std::string& check, std::string error, std::vector<FieldDiff> diffs,
            const core::Evidence* evidence) {
    ScenarioResult r = result(check);
    r.result = Result::fail;
    r.error = std::move(error);
    r.diffs = std::move(diffs);
    if (evidence != nullptr) {
      const diagnosis::Diagnosis d = diagnosis::diagnose(diagnosis::Catalog::builtin(), *evidence);
      r.verdict_client_only = d.verdict;
      keep(check, *evidence, &d);
    }
    finish(std::move(r));
  }

  // --out: the evidence (for `ceslab diagnose`) and the diagnosis.
  void keep(const std::string& check, const core::Evidence& evidence,
            const diagnosis::Diagnosis* diagnosis) const {
    if (o_.out_dir.empty()) return;
    nlohmann::json j;
    core::to_json(j, evidence);
    write(o_.out_dir / (check + ".evidence.json"), j.dump(2) + "\n");
    if (diagnosis != nullptr) {
      write(o_.out_dir / (check + ".diagnosis.txt"), diagnosis::format_report(*diagnosis));
    }
  }

  static void write(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error(file.string() + ": cannot be written");
  }

  std::string not_authenticated() const {
    return authentication_failed_ ? "not sent: the authentication check failed"
                                  : "not sent: the TLS check failed";
  }

  core::Operation operation() const {
    // KET has no Operation of its own in the evidence schema (docs/evidence.md).
    return ep_.service == core::Service::cep ? core::Operation::policy : core::Operation::unknown;
  }

  std::string request_name() const {
    return ep_.service == core::Service::cep ? "GetPolicies" : "KET";
  }

  // The request this endpoint gets for the authentication check: GetPolicies
  // (MS-XCEP 3.1.4.1.1.1) for CEP; for CES the key exchange token request
  // (RequestType .../ws-trust/200512/KET with <RequestKET/>, as MS-WSTEP's
  // example shows it: learn.microsoft.com/en-us/openspecs/windows_protocols/
  // ms-wstep/e70805b1-4cd5-4508-a487-219e678bd440). Neither carries a
  // certificate request; KET's answer is the CA's exchange certificate.
  client::SoapCall send(const client::CallCredentials& credentials) const {
    if (ep_.service == core::Service::cep) {
      client::PolicyRequest request;
      request.url = o_.url;
      request.credentials = credentials;
      return client::get_policies(request, credentials.tls).call;
    }
    core::SoapMessage m = client::request_message(uri::kActionRstKet, o_.url, credentials.username);
    core::RequestSecurityToken rst;
    rst.request_type = std::string(uri::kRequestTypeKet);
    rst.request_ket = true;
    m.body = std::move(rst);
    return client::call(o_.url, m, credentials.tls, credentials.http_headers,
                        credentials.http_challenge.get());
  }

  // Trust and timeouts only: no client certificate.
  client::TlsSettings bare_tls() const {
    client::TlsSettings tls = client::copy_tls_settings(o_.tls);
    tls.client_certificate.reset();
    tls.client_key.reset();
    return tls;
  }

  // ---- tls ------------------------------------------------------------------

  bool check_tls() {
    client::CallCredentials none;
    none.tls = bare_tls();
    probe_ = send(none);
    const core::Exchange& ex = probe_->exchange;
    const core::TlsFacts& tls = ex.tls;
    // Judged on the TLS layer alone: with --insecure the exchange goes on
    // after a failed verification, and its HTTP answer says nothing of TLS.
    core::Evidence e;
    e.operation = operation();
    e.endpoint = o_.url;
    e.auth = core::AuthMode::anonymous;
    e.tls = core::tls_evidence_of(tls);
    e.timings = {ex.connect_time, ex.total_time};
    // A failure after the handshake (no answer, a closed connection) is not
    // TLS's: the authentication check reports it.
    if (ex.error && !tls.handshake_done) {
      e.transport = core::TransportEvidence{*ex.error, ex.error_message};
      e.messages = {ex.error_message};
    }
    const std::string trust = o_.tls.ca_files.empty() ? std::string("the system trust store")
                                                      : "--ca-file " + join(o_.tls.ca_files);
    const bool shown = !tls.verify_text.empty();  // the server showed a certificate
    if (tls.handshake_done && shown && tls.verify_result == X509_V_OK && !e.transport) {
      e.outcome = core::Outcome::answered;
      pass("tls",
           tls_summary(tls) + "; chain verified against " + trust + ", name " + ep_.parsed.host +
               " matches",
           &e);
      return true;
    }
    e.outcome = core::Outcome::failed;
    std::vector<FieldDiff> diffs;
    std::string error;
    if (shown && tls.verify_result != X509_V_OK) {
      error = "the server's certificate (" + tls.peer_subject + ", valid until " +
              tls.peer_not_after + ") does not verify against " + trust + ": " + tls.verify_text;
      if (o_.tls.insecure) error += " (--insecure: the other checks went on regardless)";
      diffs.push_back(
          {"TLS handshake", "certificate verification", "ok (X509_V_OK)",
           tls.verify_text + " (X509_V_ERR " + std::to_string(tls.verify_result) + ")"});
      if (e.messages.empty()) e.messages = {error};
    } else {
      error = "no TLS connection to " + ep_.parsed.authority() + ": " + ex.error_message;
      diffs.push_back({"TLS handshake", "connection", "a TLS connection", ex.error_message});
    }
    fail("tls", error, diffs, &e);
    return false;
  }

  // ---- authentication -------------------------------------------------------

  bool check_authentication() {
    std::vector<FieldDiff> diffs;
    std::string error;
    const client::SoapCall& probe = *probe_;
    const ProbeJudgement offered = judge_probe(ep_.mode, probe);
    const std::string step_probe = request_name() + " without credentials";
    if (!offered.ok) {
      diffs.push_back({step_probe, "answer", offered.expected, describe(probe)});
      error = "the endpoint does not ask for " + std::string(core::iis_name(ep_.mode)) +
              " authentication as its URL says";
    }
    const core::AuthMode mode = o_.auth->mode();
    const std::string step_auth =
        request_name() + " with --auth " + std::string(core::cli_name(mode));
    if (mode != ep_.mode) {
      diffs.push_back({step_auth, "authentication mode", std::string(core::iis_name(ep_.mode)),
                       std::string(core::iis_name(mode))});
      const std::string why =
          "the URL is a " + std::string(core::iis_name(ep_.mode)) + " endpoint; --auth " +
          std::string(core::cli_name(mode)) + " credentials are not what it reads: give --auth " +
          std::string(core::cli_name(ep_.mode)) + " (nothing was sent with them)";
      error = error.empty() ? why : error + "; " + why;
      authentication_failed_ = true;
      core::Evidence e = client::evidence_of(probe, operation(), core::AuthMode::anonymous);
      fail("authentication", error, diffs, offered.ok ? nullptr : &e);
      return false;
    }
    authenticated_ =
        send(client::credentials_for(*o_.auth, o_.url, client::copy_tls_settings(o_.tls)));
    const bool accepted = !refused(*authenticated_);
    if (!accepted) {
      diffs.push_back(
          {step_auth, "answer", "an answer past authentication", describe(*authenticated_)});
      const std::string why = "the endpoint refused the credentials: " + describe(*authenticated_);
      error = error.empty() ? why : error + "; " + why;
    }
    const core::Evidence with_credentials = client::evidence_of(*authenticated_, operation(), mode);
    if (!accepted) {
      authentication_failed_ = true;
      fail("authentication", error, diffs, &with_credentials);
      return false;
    }
    if (!offered.ok) {
      const core::Evidence e = client::evidence_of(probe, operation(), core::AuthMode::anonymous);
      fail("authentication", error, diffs, &e);
      // The credentials worked: the later checks can still tell something.
      return true;
    }
    pass("authentication",
         "without credentials: " + describe(probe) + "; with --auth " +
             std::string(core::cli_name(mode)) + ": " + describe(*authenticated_),
         &with_credentials);
    return true;
  }

  // ---- key-exchange (CES) ---------------------------------------------------

  void check_key_exchange() {
    const client::SoapCall& call = *authenticated_;
    const core::Evidence e = client::evidence_of(call, operation(), o_.auth->mode());
    const auto* rstr =
        call.reply ? std::get_if<core::RequestSecurityTokenResponse>(&call.reply->body) : nullptr;
    if (rstr != nullptr && rstr->key_exchange_token) {
      std::string seen = "CES reached the CA: ";
      try {
        const core::X509Ptr xchg = core::parse_certificate_der(rstr->key_exchange_token->data);
        const core::CertificateInfo info = core::describe(xchg.get());
        seen += "exchange certificate " + info.subject + ", valid until " + utc(info.not_after);
      } catch (const core::CryptoError& bad) {
        seen += std::string("an exchange certificate that does not parse (") + bad.what() + ")";
      }
      pass("key-exchange", seen, &e);
      return;
    }
    fail("key-exchange", "CES did not return the CA's exchange certificate: " + describe(call),
         {{"KET with credentials", "answer", "RSTR with the CA's exchange certificate",
           describe(call)}},
         &e);
  }

  // ---- get-policies (CEP) ---------------------------------------------------

  void check_get_policies() {
    const client::SoapCall& call = *authenticated_;
    const core::Evidence e = client::evidence_of(call, core::Operation::policy, o_.auth->mode());
    const auto* policy =
        call.reply ? std::get_if<core::GetPoliciesResponse>(&call.reply->body) : nullptr;
    if (policy == nullptr) {
      fail("get-policies", "CEP did not answer with a policy: " + describe(call),
           {{"GetPolicies with credentials", "answer", "GetPoliciesResponse", describe(call)}}, &e);
      return;
    }
    policy_ = *policy;
    std::vector<std::string> names;
    for (const auto& t : policy->policies.value_or(std::vector<core::PolicyTemplate>{})) {
      names.push_back(t.common_name);
    }
    const std::size_t cas = policy->cas ? policy->cas->size() : 0;
    if (names.empty()) {
      fail("get-policies", "the policy lists no template the caller may enroll for",
           {{"GetPolicies with credentials", "templates", "at least 1", "0"}}, &e);
      return;
    }
    std::string seen = "policy " + policy->policy_friendly_name.value_or(policy->policy_id) + ": " +
                       std::to_string(names.size()) + " template(s) (" + join(names) + "), " +
                       std::to_string(cas) + " CA(s)";
    if (o_.template_name) {
      bool listed = false;
      for (const auto& n : names) listed = listed || core::iequals(n, *o_.template_name);
      seen += listed ? "; " + *o_.template_name + " is listed"
                     : "; " + *o_.template_name + " is NOT listed";
    }
    pass("get-policies", seen, &e);
  }

  // ---- enroll ---------------------------------------------------------------

  void judge_enrollment(client::EnrollResult& result, core::Evidence& e) {
    if (result.status == client::EnrollStatus::failed) {
      fail("enroll",
           "the enrollment for " + *o_.template_name + " failed: " +
               (result.messages.empty() ? describe(result.call) : result.messages.back()),
           {{"enroll " + *o_.template_name, "outcome", "issued or pending", describe(result.call)}},
           &e);
      return;
    }
    std::string seen;
    if (result.status == client::EnrollStatus::issued) {
      const core::CertificateInfo info = core::describe(result.certificate.get());
      seen = "issued: request " + result.request_id + ", " + info.subject + ", serial " +
             info.serial_hex + " (at " + result.call.url + ")";
    } else {
      seen = "pending: request " + result.request_id + " (" + result.disposition +
             "); the CA manager approves it, `ceslab retrieve` fetches it";
    }
    if (!o_.out_dir.empty()) {
      client::write_enrollment(result, o_.out_dir);
      seen += "; key and certificate in " + o_.out_dir.string();
    } else {
      seen += "; the key was not kept (--out DIR keeps it)";
    }
    pass("enroll", seen, &e);
  }

  client::EnrollRequest enroll_request(const std::string& url) const {
    client::EnrollRequest request;
    request.url = url;
    request.template_name = *o_.template_name;
    request.key = o_.key;
    return request;
  }

  client::EnrollResult enroll_at(client::EnrollRequest request) const {
    const client::CallCredentials credentials =
        client::credentials_for(*o_.auth, request.url, client::copy_tls_settings(o_.tls));
    request.credentials = credentials;
    return client::enroll(request, credentials.tls);
  }

  void check_enroll_ces() {
    client::EnrollResult result = enroll_at(enroll_request(o_.url));
    core::Evidence e = client::evidence_of(result, core::Operation::enroll, o_.auth->mode());
    judge_enrollment(result, e);
  }

  // As Windows enrolls from a policy (client::enroll_via_policy), but only
  // at the CES URIs on the target's own host and port.
  void check_enroll_via_policy() {
    if (!policy_) {
      skip("enroll", "not sent: CEP gave no policy to enroll from");
      return;
    }
    const core::AuthMode method = o_.auth->mode();
    core::Evidence policy_evidence =
        client::evidence_of(*authenticated_, core::Operation::policy, method);
    auto fail_on_policy = [&](const std::string& error, FieldDiff diff) {
      core::Evidence e = policy_evidence;
      e.outcome = core::Outcome::failed;
      e.messages.push_back(error);
      fail("enroll", error, {std::move(diff)}, &e);
    };
    client::TemplateEndpoints endpoints;
    try {
      endpoints = client::ces_uris_for(*policy_, *o_.template_name, o_.auth->mode());
    } catch (const client::PolicyError& missing) {
      fail_on_policy(missing.what(),
                     {"GetPolicies", "template", *o_.template_name, "not in the policy"});
      return;
    }
    std::vector<std::string> elsewhere;
    std::vector<client::CesUri> here;
    for (const client::CesUri& u : endpoints.uris) {
      if (u.renewal_only) continue;  // not for a new request (MS-XCEP 3.1.4.1.3.5)
      try {
        const core::Url parsed = core::parse_url(u.uri);
        if (parsed.scheme == "https" && parsed.host == ep_.parsed.host &&
            parsed.port == ep_.parsed.port) {
          here.push_back(u);
          continue;
        }
      } catch (const std::invalid_argument&) {
      }
      elsewhere.push_back(u.uri);
    }
    if (here.empty() && elsewhere.empty()) {
      fail_on_policy("the policy lists no CES URI for " + endpoints.name + " with " +
                         std::string(core::iis_name(o_.auth->mode())) +
                         " authentication (renewal-only ones aside)",
                     {"GetPolicies", "CES URIs for " + endpoints.name, "at least 1", "none"});
      return;
    }
    if (here.empty()) {
      skip("enroll", "the policy sends " + endpoints.name + " requests to " + join(elsewhere) +
                         ", not to " + ep_.parsed.authority() +
                         "; --target contacts no other host: check that CES with --target URL");
      return;
    }
    client::EnrollResult result;
    for (std::size_t i = 0; i < here.size(); ++i) {
      client::EnrollRequest request = enroll_request(here[i].uri);
      request.template_name = endpoints.name;
      request.template_info = endpoints.extension();
      result = enroll_at(std::move(request));
      // Only a URI that could not be reached moves on (client::enroll_via_policy).
      if (!result.call.exchange.error || i + 1 == here.size()) break;
    }
    core::Evidence e = client::evidence_of(result, core::Operation::enroll, method);
    e.prior_exchanges.push_back(std::move(policy_evidence));
    judge_enrollment(result, e);
  }

  const TargetOptions& o_;
  const TargetProgress& progress_;
  std::stop_token stop_;
  TargetEndpoint ep_;
  Clock::time_point started_ = Clock::now();
  std::vector<ScenarioResult> results_;
  std::optional<client::SoapCall> probe_;
  std::optional<client::SoapCall> authenticated_;
  std::optional<core::GetPoliciesResponse> policy_;
  bool authentication_failed_ = false;
};

}  // namespace

TargetEndpoint parse_target(std::string_view url) {
  TargetEndpoint ep;
  ep.url = std::string(url);
  try {
    ep.parsed = core::parse_url(url);
  } catch (const std::invalid_argument& bad) {
    throw TargetError(std::string("--target: ") + bad.what());
  }
  if (ep.parsed.scheme != "https") {
    throw TargetError("--target '" + ep.url +
                      "': CES and CEP are served over https (MS-WSTEP 2.1, MS-XCEP 2.1)");
  }
  const core::EndpointNameResult read = core::read_endpoint_path(ep.parsed.target);
  if (!read.name) {
    const std::string shape(core::endpoint_path_shape());
    if (read.problem == core::EndpointNameProblem::no_service) {
      throw TargetError("--target '" + ep.url + "' is not a CES or CEP endpoint: " + shape);
    }
    throw TargetError("--target '" + ep.url + "': the application '" + read.application +
                      "' does not name an authentication mode: " + shape);
  }
  ep.service = read.name->service;
  ep.mode = read.name->mode;
  return ep;
}

std::vector<ScenarioResult> run_target_checks(const TargetOptions& options,
                                              const TargetProgress& progress,
                                              std::stop_token stop) {
  return TargetRun(options, progress, std::move(stop)).run();
}

}  // namespace ceslab::runner
