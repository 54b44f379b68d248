// SPDX-License-Identifier: GPL-2.0-or-later
#include "scenario_execution.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/capture.hpp"
#include "ceslab/client/enroll.hpp"
#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/client/policy.hpp"
#include "ceslab/core/ca.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/diagnosis/report.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/request_store.hpp"
#include "ceslab/mock/server.hpp"
#include "ceslab/runner/kerberos_lab.hpp"
#include "ceslab/runner/scenario_record.hpp"
#include "expectations.hpp"
#include "shared_lab.hpp"

namespace ceslab::runner {
namespace {

namespace fs = std::filesystem;

// The exit codes of the client commands (docs/cli.md).
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitPending = 3;

// Something that ends the scenario before its last step was judged.
class StepFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

core::ServerEvent server_event(const mock::Event& e) {
  return {e.log, e.source, e.id, e.level, e.host, mock::format_event_time(e.time), e.message};
}

std::string step_label(std::size_t index, const Step& step) {
  return "step " + std::to_string(index + 1) + " (" + std::string(to_string(step.kind)) + ")";
}

// What one step left: the client's evidence (no server events), the exit
// code `ceslab <command>` would give, and what the hosts logged meanwhile.
struct Observation {
  core::Evidence evidence;
  int exit_code = kExitFailed;
  std::vector<mock::Event> events;
};

// A certificate the lab CA never issued, for the account: what a client
// holding a certificate from another PKI presents.
struct Credential {
  core::X509Ptr certificate;
  core::EvpPkeyPtr key;
};

Credential foreign_credential(const mock::Account& account) {
  core::CaOptions ca;
  ca.subject = "CN=Foreign Issuing CA";
  ca.key = core::KeySpec::parse("ecdsa-p256");
  const core::CertificateAuthority foreign = core::CertificateAuthority::create(ca);
  Credential c;
  c.key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  core::IssueOptions options;
  options.subject = "CN=" + account.name;
  if (account.upn) options.san.upn = {*account.upn};
  c.certificate = foreign.issue(c.key.get(), options);
  return c;
}

class Execution {
 public:
  Execution(const Scenario& scenario, mock::MockServer& server, const ExecutionContext& context,
            ScenarioRecord* record)
      : s_(scenario), server_(server), context_(context), record_(record) {
    account_ = server_.world().find_account(s_.client.account);
    secrets_.add_password(password());
    if (!context_.artefacts.empty()) {
      capture_.emplace(context_.artefacts / "capture", secrets_);
    }
  }

  Observation run(std::size_t index) {
    const Step& step = s_.steps[index];
    step_ = step_label(index, step);
    const std::size_t before = server_.events().size();
    Observation o;
    switch (step.kind) {
      case StepKind::enroll:
        o = enroll(step);
        break;
      case StepKind::renew:
        o = renew(step);
        break;
      case StepKind::retrieve:
        o = retrieve(step);
        break;
      case StepKind::policy:
        o = policy(step);
        break;
      case StepKind::approve:
      case StepKind::deny:
        o = officer(step);
        break;
    }
    o.events = server_.events().since(before);
    return o;
  }

 private:
  core::AuthMode auth_of(const Step& step) const { return step.auth.value_or(s_.client.auth); }

  std::string password() const {
    return s_.client.password.value_or(account_ != nullptr ? account_->password : "");
  }

  std::string url_of(const Step& step, core::Service service) const {
    if (step.url) {
      std::string url = *step.url;
      const auto at = url.find("{base}");
      if (at != std::string::npos) url.replace(at, 6, server_.base_url());
      return url;
    }
    return server_.endpoint_url(service, auth_of(step));
  }

  client::TlsSettings tls() const {
    client::TlsSettings tls;
    if (s_.client.trust == Trust::lab_ca) tls.ca_files = {server_.ca_certificate_path().string()};
    tls.connect_timeout = std::chrono::seconds(10);
    tls.io_timeout = std::chrono::seconds(30);
    return tls;
  }

  const Credential& certificate_for(const Step& step) {
    const ClientCertificate which = step.certificate.value_or(s_.client.certificate);
    if (which == ClientCertificate::foreign) {
      if (!foreign_) foreign_ = foreign_credential(*account_);
      return *foreign_;
    }
    if (!issued_) throw StepFailure("no earlier step issued a certificate to authenticate with");
    return *issued_;
  }

  std::unique_ptr<client::Authenticator> authenticator(const Step& step) {
    switch (auth_of(step)) {
      case core::AuthMode::username:
        return std::make_unique<client::UsernameAuthenticator>(
            client::UsernameCredentials{s_.client.account, password()});
      case core::AuthMode::kerberos: {
        client::KerberosSettings k;
        k.principal = s_.client.account;
        k.password = password();
        // The mock listens on 127.0.0.1; the SPN is the CES host's, as in AD.
        k.service = ces_service_principal(server_.world());
        k.credential_guard = s_.client.credential_guard;
        k.channel_binding = s_.client.channel_binding;
        k.clock_offset = std::chrono::minutes(s_.client.clock_skew_minutes);
        return std::make_unique<client::KerberosAuthenticator>(std::move(k));
      }
      case core::AuthMode::certificate: {
        const Credential& c = certificate_for(step);
        return std::make_unique<client::CertificateAuthenticator>(core::share(c.certificate.get()),
                                                                  core::share(c.key.get()));
      }
      case core::AuthMode::anonymous:
        break;
    }
    throw StepFailure("a scenario client always authenticates");
  }

  // The next key of the run's pool for this scenario (each of its steps
  // gets another).
  EVP_PKEY* pooled_key(const std::string& spec) {
    return context_.lab.client_key(spec, keys_used_++);
  }

  void keep(const client::SoapCall& call, std::string_view label) {
    if (call.url.empty()) return;
    if (capture_) capture_->write(call, label);
    if (record_ != nullptr) {
      RecordedExchange r;
      r.step = step_;
      r.label = label;
      r.url = secrets_.redact(call.url);
      r.exchange = client::redact_exchange(call, secrets_);
      if (call.exchange.error) r.transport_error = secrets_.redact(call.exchange.error_message);
      r.total = std::chrono::duration_cast<std::chrono::milliseconds>(call.exchange.total_time);
      record_->exchanges.push_back(std::move(r));
    }
  }

  // Exit code and what is remembered for later steps, as `ceslab enroll`
  // would report it: issued (0, or 1 when the certificate does not match
  // the key or chain to the trusted CA), pending (3), failed (1).
  int judge(const client::EnrollResult& r, EVP_PKEY* key) {
    switch (r.status) {
      case client::EnrollStatus::issued: {
        EVP_PKEY* paired = r.key ? r.key.get() : key;
        bool ok = paired == nullptr || core::certificate_matches_key(r.certificate.get(), paired);
        if (s_.client.trust == Trust::lab_ca) {
          const auto roots = core::read_certificates_pem(server_.ca_certificate_path());
          ok = ok && core::verify_chain(r.certificate.get(), r.chain, roots).ok;
        }
        if (paired != nullptr) {
          issued_ = Credential{core::share(r.certificate.get()), core::share(paired)};
        }
        return ok ? kExitOk : kExitFailed;
      }
      case client::EnrollStatus::pending:
        pending_id_ = r.request_id;
        pending_reference_ = r.pending_reference;
        if (r.key) pending_key_ = core::share(r.key.get());
        return kExitPending;
      case client::EnrollStatus::failed:
        return kExitFailed;
    }
    return kExitFailed;
  }

  Observation enroll(const Step& step) {
    client::EnrollRequest request;
    request.template_name = step.template_name;
    request.key = core::KeySpec::parse(step.key.value_or(s_.client.key));
    request.key_pair = pooled_key(step.key.value_or(s_.client.key));
    if (step.subject) request.subject = *step.subject;
    request.wrapping =
        s_.client.pkcs10 ? client::RequestWrapping::pkcs10 : client::RequestWrapping::cmc;
    const auto auth = authenticator(step);
    Observation o;
    if (step.via_policy) {
      client::PolicyEnrollRequest p;
      p.policy_url = url_of(step, core::Service::cep);
      p.enroll = std::move(request);
      const client::PolicyEnrollResult r = client::enroll_via_policy(p, *auth, tls());
      keep(r.policy.call, "policy");
      for (const auto& attempt : r.attempts) keep(attempt.call, "enroll");
      o.evidence = client::evidence_of(r, auth_of(step));
      o.exit_code = judge(r.result, nullptr);
      return o;
    }
    request.url = url_of(step, core::Service::ces);
    client::CallCredentials c = client::credentials_for(*auth, request.url, tls());
    request.credentials = c;
    const client::EnrollResult r = client::enroll(request, c.tls);
    keep(r.call, "enroll");
    o.evidence = client::evidence_of(r, core::Operation::enroll, auth_of(step));
    o.exit_code = judge(r, nullptr);
    return o;
  }

  Observation renew(const Step& step) {
    const Credential& old = certificate_for(step);
    client::RenewRequest request;
    request.url = url_of(step, core::Service::ces);
    request.old_certificate = core::share(old.certificate.get());
    request.old_key = core::share(old.key.get());
    if (step.key) {
      request.new_key = core::KeySpec::parse(*step.key);
      request.new_key_pair = pooled_key(*step.key);
    }
    request.template_name = step.template_name;
    const auto auth = authenticator(step);
    client::CallCredentials c = client::credentials_for(*auth, request.url, tls());
    request.credentials = c;
    const client::EnrollResult r = client::renew(request, c.tls);
    keep(r.call, "renew");
    Observation o;
    o.evidence = client::evidence_of(r, core::Operation::renew, auth_of(step));
    o.exit_code = judge(r, request.new_key ? nullptr : old.key.get());
    return o;
  }

  Observation retrieve(const Step& step) {
    if (pending_id_.empty()) throw StepFailure("no earlier step left a pending request");
    client::RetrieveRequest request;
    request.url = step.url ? url_of(step, core::Service::ces)
                           : (pending_reference_.empty() ? url_of(step, core::Service::ces)
                                                         : pending_reference_);
    request.request_id = pending_id_;
    const auto auth = authenticator(step);
    client::CallCredentials c = client::credentials_for(*auth, request.url, tls());
    request.credentials = c;
    const client::EnrollResult r = client::retrieve(request, c.tls);
    keep(r.call, "retrieve");
    Observation o;
    o.evidence = client::evidence_of(r, core::Operation::retrieve, auth_of(step));
    o.exit_code = judge(r, pending_key_.get());
    return o;
  }

  Observation policy(const Step& step) {
    const auto auth = authenticator(step);
    client::PolicyRequest request;
    request.url = url_of(step, core::Service::cep);
    client::CallCredentials c = client::credentials_for(*auth, request.url, tls());
    request.credentials = c;
    const client::PolicyResult r = client::get_policies(request, c.tls);
    keep(r.call, "policy");
    Observation o;
    o.evidence = client::evidence_of(r.call, core::Operation::policy, auth_of(step));
    o.exit_code = r.ok() ? kExitOk : kExitFailed;
    return o;
  }

  // The CA officer acts on the last pending request (certutil -resubmit /
  // -deny; `ceslab admin approve|deny`).
  Observation officer(const Step& step) {
    if (pending_id_.empty()) throw StepFailure("no earlier step left a pending request");
    mock::RequestStore store =
        mock::RequestStore::open(server_.state_dir() / mock::LabCa::kStoreFile);
    const std::int64_t id = std::stoll(pending_id_);
    const auto done = step.kind == StepKind::approve ? store.approve(id) : store.deny(id);
    Observation o;
    o.evidence.outcome = core::Outcome::answered;
    o.exit_code = done ? kExitOk : kExitFailed;
    if (!done) throw StepFailure("request " + pending_id_ + " is not pending at the CA");
    return o;
  }

  const Scenario& s_;
  mock::MockServer& server_;
  const ExecutionContext& context_;
  const mock::Account* account_ = nullptr;
  ScenarioRecord* record_;  // null: keep nothing in memory
  client::Secrets secrets_;
  std::optional<client::CaptureWriter> capture_;
  std::string step_;  // the label of the step being run
  std::optional<Credential> issued_;
  std::optional<Credential> foreign_;
  std::string pending_id_;
  std::string pending_reference_;
  core::EvpPkeyPtr pending_key_;
  std::size_t keys_used_ = 0;
};

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error(file.string() + ": cannot be written");
}

void write_artefacts(const fs::path& dir, const core::Evidence& client_only,
                     const core::Evidence& with_events, const std::vector<mock::Event>& events,
                     const diagnosis::Diagnosis& d_client, const diagnosis::Diagnosis& d_admin) {
  nlohmann::json j;
  to_json(j, client_only);
  write_text(dir / "client.evidence.json", j.dump(2) + "\n");
  to_json(j, with_events);
  write_text(dir / "evidence-with-server-events.json", j.dump(2) + "\n");
  std::string lines;
  for (const auto& e : events) lines += mock::event_to_json(e).dump() + "\n";
  write_text(dir / "events.jsonl", lines);
  write_text(dir / "diagnosis-client-only.txt", diagnosis::format_report(d_client));
  write_text(dir / "diagnosis-with-server-events.txt", diagnosis::format_report(d_admin));
  nlohmann::json both;
  to_json(both["client_only"], d_client);
  to_json(both["with_server_events"], d_admin);
  write_text(dir / "diagnosis.json", both.dump(2) + "\n");
}

void write_diffs(const fs::path& dir, const ScenarioResult& r) {
  std::string text;
  if (!r.error.empty()) text += "error: " + r.error + "\n";
  for (const auto& d : r.diffs) {
    text += d.step + ": " + d.field + "\n  expected: " + d.expected + "\n  actual:   " + d.actual +
            "\n";
  }
  write_text(dir / "diff.txt", text);
}

void run_steps(const Scenario& s, mock::MockServer& server, const ExecutionContext& context,
               ScenarioResult& result, ScenarioRecord* record) {
  Execution execution(s, server, context, record);
  // The hosts' logs from the start of the world: what an admin exports
  // after the failure, less what earlier, successful steps logged.
  std::vector<mock::Event> window = server.events().events();
  const std::size_t last = s.steps.size() - 1;
  for (std::size_t i = 0; i < last; ++i) {
    const Step& step = s.steps[i];
    const Observation o = execution.run(i);
    const std::string label = step_label(i, step);
    if (step.expect) {
      compare_step(label, *step.expect, o.evidence, o.exit_code, o.events, result.diffs);
    } else if (step.kind != StepKind::approve && step.kind != StepKind::deny &&
               o.evidence.outcome == core::Outcome::failed) {
      result.diffs.push_back(
          {label, "outcome", "issued or pending (a step without 'expect')",
           "failed: " + (o.evidence.messages.empty() ? std::string("no message")
                                                     : o.evidence.messages.back())});
    }
    if (!result.diffs.empty()) return;  // the step that diverged ends the story
  }
  Observation o = execution.run(last);
  window.insert(window.end(), o.events.begin(), o.events.end());
  compare_step(step_label(last, s.steps[last]), s.expect, o.evidence, o.exit_code, window,
               result.diffs);

  core::Evidence client_only = o.evidence;
  client_only.server_events.clear();
  core::Evidence with_events = client_only;
  for (const auto& e : window) with_events.server_events.push_back(server_event(e));
  const diagnosis::Catalog& catalog = diagnosis::Catalog::builtin();
  const diagnosis::Diagnosis d_client = diagnosis::diagnose(catalog, client_only);
  const diagnosis::Diagnosis d_admin = diagnosis::diagnose(catalog, with_events);
  result.verdict_client_only = d_client.verdict;
  result.verdict_with_events = d_admin.verdict;
  compare_diagnosis("diagnosis (client only)", s.client_only, d_client, result.diffs);
  compare_diagnosis("diagnosis (with server events)", s.with_server_events, d_admin, result.diffs);
  if (!context.artefacts.empty()) {
    write_artefacts(context.artefacts, client_only, with_events, window, d_client, d_admin);
  }
  if (record != nullptr) {
    record->server_events = with_events.server_events;
    record->evidence = std::move(client_only);
    record->client_only = d_client;
    record->with_server_events = d_admin;
  }
}

}  // namespace

ScenarioResult execute_scenario(const Scenario& s, const ExecutionContext& context) {
  const auto start = std::chrono::steady_clock::now();
  ScenarioResult result;
  result.id = s.id;
  result.group = s.group;
  result.expected = s.with_server_events.verdict;
  result.expected_client_only = s.client_only.verdict;
  result.artefacts = context.artefacts;
  fs::path state_dir;  // given to the mock (a shared lab), removed here
  auto record = context.record ? std::make_shared<ScenarioRecord>() : nullptr;
  try {
    if (!context.artefacts.empty()) fs::create_directories(context.artefacts);
    mock::MockOptions options;
    options.world = s.world;
    options.kerberos = context.kerberos;
    state_dir = context.lab.new_state_dir(s.world.ca);
    options.state_dir = state_dir;
    mock::MockServer server(std::move(options));
    server.start();
    run_steps(s, server, context, result, record.get());
    server.stop();
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  if (!state_dir.empty()) {
    std::error_code ignored;  // a leftover temp directory is no reason to fail the scenario
    fs::remove_all(state_dir, ignored);
  }
  result.result = result.error.empty() && result.diffs.empty() ? Result::pass : Result::fail;
  if (!context.artefacts.empty() && result.result == Result::fail) {
    try {
      write_diffs(context.artefacts, result);
    } catch (const std::exception& e) {
      result.error += (result.error.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  result.record = std::move(record);
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  return result;
}

}  // namespace ceslab::runner
