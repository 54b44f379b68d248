// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/runner/baseline.hpp"

#include <algorithm>

#include "ceslab/client/enroll.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"
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

}  // namespace

std::vector<CaseResult> run_baseline(const std::filesystem::path& out_dir) {
  std::vector<CaseResult> results;
  mock::MockServer server({});
  server.start();
  const auto& alice = *server.world().find_account("alice");
  const std::string url =
      server.endpoint_url(mock::Service::ces, mock::AuthMode::username_password);

  client::TlsSettings tls;
  tls.ca_files = {server.ca_certificate_path().string()};

  for (auto wrapping : {client::RequestWrapping::cmc, client::RequestWrapping::pkcs10}) {
    const std::string name = wrapping == client::RequestWrapping::cmc
                                 ? "baseline/issue-user-cmc"
                                 : "baseline/issue-user-pkcs10";
    results.push_back(timed(name, [&](CaseResult& r) {
      client::EnrollRequest request;
      request.url = url;
      request.template_name = "User";
      request.wrapping = wrapping;
      request.key = core::KeySpec::parse("ecdsa-p256");
      request.username = client::UsernameCredentials{alice.name, alice.password};
      const client::EnrollResult result = client::enroll(request, tls);
      if (result.status != client::EnrollStatus::issued) {
        r.detail = "expected issued, got " + std::string(to_string(result.status));
        for (const auto& line : result.messages) r.detail += "; " + line;
        return;
      }
      const auto check = client::check_enrollment(
          result, core::read_certificates_pem(server.ca_certificate_path()));
      if (!check.ok()) {
        r.detail = check.key_matches ? "certificate does not chain: " + check.chain.error_text
                                     : "certificate does not match the key";
        return;
      }
      const core::CertificateInfo info = core::describe(result.certificate.get());
      const bool has_email = std::find(info.san.email.begin(), info.san.email.end(),
                                       *alice.email) != info.san.email.end();
      if (!has_email) {
        r.detail = "the User certificate lacks alice's e-mail in its SAN";
        return;
      }
      if (!out_dir.empty() && wrapping == client::RequestWrapping::cmc) {
        client::write_enrollment(result, out_dir);
      }
      r.passed = true;
      r.detail = "issued request " + result.request_id + ": " + info.subject;
    }));
  }
  server.stop();
  return results;
}

}  // namespace ceslab::runner
