// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/runner/baseline.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/enroll.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/kdc/kdc_lab.hpp"
#include "ceslab/mock/kerberos_lab.hpp"
#include "ceslab/mock/server.hpp"

namespace ceslab::runner {
namespace {

template <typename F>
CaseResult timed(std::string name, F&& body) {
  const auto start = std::chrono::steady_clock::now();
  CaseResult r;
  r.name = std::move(name);
  try {
    body(r);
  } catch (const std::exception& e) {
    r.passed = false;
    r.detail = std::string("error: ") + e.what();
  }
  r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return r;
}

// One baseline case: how it enrolls, and against which lab.
struct BaselineCase {
  std::string name;
  mock::World world;
  mock::AuthMode auth = mock::AuthMode::username_password;
  client::RequestWrapping wrapping = client::RequestWrapping::cmc;
};

std::vector<BaselineCase> baseline_cases(bool kerberos) {
  std::vector<BaselineCase> cases;
  const mock::World lab = mock::default_world();
  cases.push_back({"baseline/issue-user-cmc", lab, mock::AuthMode::username_password,
                   client::RequestWrapping::cmc});
  cases.push_back({"baseline/issue-user-pkcs10", lab, mock::AuthMode::username_password,
                   client::RequestWrapping::pkcs10});
  if (kerberos) {
    // The lab's CES uses constrained delegation with protocol transition.
    cases.push_back({"baseline/issue-user-kerberos", lab, mock::AuthMode::kerberos,
                     client::RequestWrapping::cmc});
    // "Trusted for delegation to any service": the client forwards its TGT
    // and the CES makes a real second hop to the CA with it.
    mock::World unconstrained = lab;
    unconstrained.ces.delegation = mock::Delegation::unconstrained;
    cases.push_back({"baseline/issue-user-kerberos-unconstrained", std::move(unconstrained),
                     mock::AuthMode::kerberos, client::RequestWrapping::cmc});
  }
  return cases;
}

// The checks a user makes on an issued certificate: it matches the key,
// chains to the lab CA, and carries the account's e-mail as the User
// template asks.
void judge(const client::EnrollResult& result, const mock::MockServer& server,
           const mock::Account& account, CaseResult& r) {
  if (result.status != client::EnrollStatus::issued) {
    r.detail = "expected issued, got " + std::string(to_string(result.status));
    for (const auto& line : result.messages) r.detail += "; " + line;
    return;
  }
  const auto check =
      client::check_enrollment(result, core::read_certificates_pem(server.ca_certificate_path()));
  if (!check.ok()) {
    r.detail = check.key_matches ? "certificate does not chain: " + check.chain.error_text
                                 : "certificate does not match the key";
    return;
  }
  const core::CertificateInfo info = core::describe(result.certificate.get());
  if (std::find(info.san.email.begin(), info.san.email.end(), account.email.value_or("")) ==
      info.san.email.end()) {
    r.detail = "the User certificate lacks " + account.name + "'s e-mail in its SAN";
    return;
  }
  r.passed = true;
  r.detail = "issued request " + result.request_id + ": " + info.subject;
}

// TLS that trusts the lab CA (TlsSettings is move-only: one per call).
client::TlsSettings tls_for(const mock::MockServer& server) {
  client::TlsSettings tls;
  tls.ca_files = {server.ca_certificate_path().string()};
  return tls;
}

client::EnrollResult enroll_alice(const BaselineCase& c, const mock::MockServer& server,
                                  const mock::Account& alice) {
  client::EnrollRequest request;
  request.url = server.endpoint_url(mock::Service::ces, c.auth);
  request.template_name = "User";
  request.wrapping = c.wrapping;
  request.key = core::KeySpec::parse("ecdsa-p256");
  if (c.auth == mock::AuthMode::kerberos) {
    client::KerberosSettings k;
    k.principal = alice.name;
    k.password = alice.password;
    // The mock listens on 127.0.0.1; the SPN is the CES host's, as in AD.
    k.service = mock::ces_service_principal(c.world);
    const client::KerberosAuthenticator auth(k);
    request.http_challenge =
        client::credentials_for(auth, request.url, tls_for(server)).http_challenge;
  } else {
    request.username = client::UsernameCredentials{alice.name, alice.password};
  }
  return client::enroll(request, tls_for(server));
}

}  // namespace

std::vector<CaseResult> run_baseline(const BaselineOptions& options, const RunProgress& progress,
                                     std::stop_token stop) {
  const std::vector<BaselineCase> cases = baseline_cases(options.kerberos);
  // One KDC for the run, started before the first case so its cost is paid
  // once and a failure to start is one clear error.
  std::unique_ptr<kdc::KdcLab> kdc;
  if (options.kerberos) {
    kdc = kdc::KdcLab::start({});
    // MIT reads KRB5_CONFIG whenever a krb5 context is made: the client's
    // logon and the mock's acceptor and CA hop in this process.
    ::setenv("KRB5_CONFIG", kdc->krb5_conf().c_str(), 1);
    if (progress.kdc_started) progress.kdc_started(kdc->directory(), kdc->startup_time());
  }
  std::vector<CaseResult> results;
  for (const BaselineCase& c : cases) {
    if (stop.stop_requested()) break;
    results.push_back(timed(c.name, [&](CaseResult& r) {
      mock::MockOptions mock_options;
      mock_options.world = c.world;
      if (c.auth == mock::AuthMode::kerberos) {
        mock_options.kerberos = mock::prepare_kerberos(*kdc, c.world);
      }
      mock::MockServer server(std::move(mock_options));
      server.start();
      const mock::Account& alice = *server.world().find_account("alice");
      const client::EnrollResult result = enroll_alice(c, server, alice);
      judge(result, server, alice, r);
      if (r.passed && !options.out_dir.empty() && results.empty()) {
        client::write_enrollment(result, options.out_dir);
      }
      server.stop();
    }));
    if (progress.case_finished) progress.case_finished(results.back());
  }
  return results;
}

}  // namespace ceslab::runner
