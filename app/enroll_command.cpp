// SPDX-License-Identifier: GPL-2.0-or-later
#include <iostream>

#include "ceslab/client/enroll.hpp"
#include "ceslab/client/policy.hpp"
#include "client_options.hpp"
#include "commands.hpp"
#include "output_options.hpp"

namespace ceslab::app {
namespace {

struct EnrollArgs {
  ClientOptions client;
  std::string url, policy_url, template_name, out = ".", subject, key = "rsa2048", csr;
  std::vector<std::string> san_dns, san_upn, san_email;
  bool pkcs10 = false;
};

client::EnrollRequest build_request(const EnrollArgs& a) {
  client::EnrollRequest request;
  request.url = a.url;
  request.template_name = a.template_name;
  request.key = core::KeySpec::parse(a.key);
  request.subject = a.subject;
  request.san.dns = a.san_dns;
  request.san.upn = a.san_upn;
  request.san.email = a.san_email;
  request.wrapping = a.pkcs10 ? client::RequestWrapping::pkcs10 : client::RequestWrapping::cmc;
  if (!a.csr.empty()) request.csr = client::read_certificate_request(a.csr);
  return request;
}

// Windows' way (policy.hpp): CEP first, then the CES URIs by priority.
// Says on `human` what the policy offered and what became of each URI.
client::PolicyEnrollResult enroll_via_policy(const EnrollArgs& a, client::EnrollRequest request,
                                             const client::Authenticator& auth,
                                             const client::TlsSettings& tls, std::ostream& human) {
  client::PolicyEnrollRequest p;
  p.policy_url = a.policy_url;
  p.enroll = std::move(request);
  client::PolicyEnrollResult r = client::enroll_via_policy(p, auth, tls);
  if (r.endpoints) {
    human << "Policy " << a.policy_url << ": template " << r.endpoints->name
          << (r.endpoints->oid.empty() ? "" : " (" + r.endpoints->oid + ")") << ", "
          << r.endpoints->uris.size() << " " << core::iis_name(auth.mode()) << " CES URI(s)\n";
  }
  for (const client::UriAttempt& attempt : r.attempts) {
    if (attempt.transport_error.empty()) {
      human << "  sent to " << attempt.uri << "\n";
    } else {
      human << "  not reachable: " << attempt.uri << ": " << attempt.transport_error << "\n";
    }
  }
  return r;
}

// The --json members of a policy-driven enrollment (docs/evidence.md,
// "Result"): the CEP asked, the template it resolved, each CES URI tried.
nlohmann::json policy_enrollment_json(const EnrollArgs& a, const client::PolicyEnrollResult& r) {
  nlohmann::json tmpl = nullptr;
  if (r.endpoints) {
    tmpl = {{"name", r.endpoints->name},
            {"oid", r.endpoints->oid.empty() ? nlohmann::json(nullptr)
                                             : nlohmann::json(r.endpoints->oid)}};
  }
  nlohmann::json attempts = nlohmann::json::array();
  for (const client::UriAttempt& attempt : r.attempts) {
    const core::Exchange& exchange = attempt.call.exchange;
    nlohmann::json error = nullptr;
    if (exchange.error) {
      error = {{"kind", core::to_string(*exchange.error)}, {"message", exchange.error_message}};
    }
    attempts.push_back({{"uri", attempt.uri}, {"transport_error", error}});
  }
  return {{"policy_url", a.policy_url}, {"template", tmpl}, {"attempts", attempts}};
}

}  // namespace

void add_enroll_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "enroll",
      "Enroll for a certificate through a CES endpoint, or through the CES URIs a CEP "
      "policy names");
  auto a = std::make_shared<EnrollArgs>();
  auto* url = cmd->add_option(
      "--url", a->url, "CES endpoint URL (https://host/<CA>_CES_UsernamePassword/service.svc/CES)");
  auto* policy_url = cmd->add_option(
      "--policy-url", a->policy_url,
      "CEP endpoint URL: ask it for the template's CES URIs and use them by priority, moving to "
      "the next when one cannot be reached (as Windows does)");
  url->excludes(policy_url);
  cmd->add_option("--template", a->template_name, "Certificate template name or OID")->required();
  cmd->add_option("--out", a->out, "Directory for key.pem (0600), cert.pem, chain.pem")
      ->type_name("DIR")
      ->capture_default_str();
  auto* csr = cmd->add_option("--csr", a->csr,
                              "Send this PKCS#10 (PEM or DER) as it is instead of a new key's "
                              "request (as certreq -submit does)")
                  ->check(CLI::ExistingFile);
  auto* key = cmd->add_option("--key", a->key,
                              "Key type: rsa2048, rsa3072, rsa4096, ecdsa-p256, ecdsa-p384")
                  ->check(key_type_check())
                  ->capture_default_str();
  auto* subject = cmd->add_option("--subject", a->subject,
                                  "Subject DN to request (templates that take it from the request)")
                      ->check(subject_check());
  auto* dns =
      cmd->add_option("--san-dns", a->san_dns, "DNS name for the subjectAltName (repeatable)");
  auto* upn = cmd->add_option("--san-upn", a->san_upn, "UPN for the subjectAltName (repeatable)");
  auto* email =
      cmd->add_option("--san-email", a->san_email, "E-mail for the subjectAltName (repeatable)");
  auto* pkcs10 =
      cmd->add_flag("--pkcs10", a->pkcs10, "Send a bare PKCS#10 (as cepces does) instead of CMC");
  for (CLI::Option* o : {key, subject, dns, upn, email, pkcs10}) csr->excludes(o);
  add_client_options(*cmd, a->client);
  auto output = std::make_shared<OutputOptions>();
  add_output_options(*cmd, *output);
  cmd->callback([a, output, &exit_code] {
    if (a->url.empty() && a->policy_url.empty()) throw CLI::RequiredError("--url or --policy-url");
    client::EnrollRequest request = build_request(*a);
    const std::unique_ptr<client::Authenticator> auth = make_authenticator(a->client);
    const client::TlsSettings tls = tls_settings(a->client);
    ReportContext context;
    context.output = output.get();
    if (!a->policy_url.empty()) {
      const client::PolicyEnrollResult r =
          enroll_via_policy(*a, std::move(request), *auth, tls, summary_stream(*output));
      // GetPolicies, then every URI tried before the last (whose exchange
      // is the result's).
      context.prior.push_back({client::Operation::policy, &r.policy.call});
      for (std::size_t i = 0; i + 1 < r.attempts.size(); ++i)
        context.prior.push_back({client::Operation::enroll, &r.attempts[i].call});
      context.evidence = client::evidence_of(r, auth_method(a->client));
      context.result_members = policy_enrollment_json(*a, r);
      exit_code = report_enrollment(r.result, a->out, a->client, context);
      return;
    }
    client::CallCredentials credentials =
        client::credentials_for(*auth, a->url, client::copy_tls_settings(tls));
    request.credentials = credentials;
    exit_code =
        report_enrollment(client::enroll(request, credentials.tls), a->out, a->client, context);
  });
}

}  // namespace ceslab::app
