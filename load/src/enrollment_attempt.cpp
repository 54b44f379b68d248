// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/load/enrollment_attempt.hpp"

#include <stdexcept>

#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/diagnosis/engine.hpp"

namespace ceslab::load {

KeyPool::KeyPool(const core::KeySpec& spec, std::size_t size) {
  if (size == 0) throw std::invalid_argument("a key pool needs at least one key");
  keys_.reserve(size);
  for (std::size_t i = 0; i < size; ++i) keys_.push_back(core::generate_key(spec));
}

AttemptResult classify(const client::EnrollResult& result, core::AuthMode auth) {
  AttemptResult r;
  switch (result.status) {
    case client::EnrollStatus::issued:
      r.status = AttemptStatus::issued;
      return r;
    case client::EnrollStatus::pending:
      r.status = AttemptStatus::pending;
      return r;
    case client::EnrollStatus::failed:
      break;
  }
  r.status = AttemptStatus::failed;
  r.message = result.messages.empty() ? "(no message)" : result.messages.back();
  // The client's evidence alone, as `ceslab enroll --evidence` writes it:
  // a bench has no server events to add.
  const core::Evidence evidence = client::evidence_of(result, core::Operation::enroll, auth);
  const diagnosis::Diagnosis d = diagnosis::diagnose(diagnosis::Catalog::builtin(), evidence);
  r.cause = d.verdict;
  // An unknown verdict still names where to look: the causes tied for it,
  // else the best candidate the confidence was too low for.
  r.tied = d.tied;
  if (d.verdict == "unknown" && r.tied.empty() && !d.candidates.empty())
    r.tied.push_back(d.candidates.front().cause);
  for (const diagnosis::Candidate& c : d.candidates) {
    if (c.cause == d.verdict) r.title = c.title;
  }
  if (r.title.empty()) {
    r.title = r.tied.empty() ? "no cause the catalog describes holds"
                             : "the client's evidence alone is not enough to name the cause";
  }
  return r;
}

namespace {

// One TLS client context for the whole run, made from the settings every
// attempt calls with (its authentication mode's applied): the trust anchors
// are read and OpenSSL's context set up once, not per request
// (docs/performance.md). What keeps it from being made (an unusable mode,
// an unreadable trust anchor file) is left to each attempt, which sets up
// its own context, meets the same error and reports it.
std::shared_ptr<const client::KeptTlsContext> run_tls_context(const EnrollmentTarget& target) {
  try {
    client::CallCredentials credentials =
        client::credentials_for(*target.auth, target.url, client::copy_tls_settings(target.tls));
    client::keep_tls_context(credentials.tls);
    return credentials.tls.kept;
  } catch (const client::AuthenticationUnavailable&) {
  } catch (const core::CryptoError&) {
  } catch (const std::invalid_argument&) {
  }
  return nullptr;
}

}  // namespace

Attempt enrollment_attempt(const EnrollmentTarget& target, const KeyPool& keys) {
  if (target.auth == nullptr) throw std::invalid_argument("enrollment_attempt: no authenticator");
  std::shared_ptr<const client::KeptTlsContext> kept = run_tls_context(target);
  return [&target, &keys, kept](std::uint64_t index) {
    client::EnrollRequest request;
    request.url = target.url;
    request.template_name = target.template_name;
    request.wrapping = target.wrapping;
    request.key_pair = keys.key(index);
    client::CallCredentials credentials;
    try {
      credentials =
          client::credentials_for(*target.auth, target.url, client::copy_tls_settings(target.tls));
    } catch (const client::AuthenticationUnavailable& e) {
      AttemptResult r;
      r.cause = "not_sent";
      r.title = "the authentication mode cannot be used";
      r.message = e.what();
      return r;
    }
    credentials.tls.kept = kept;
    request.credentials = credentials;
    return classify(client::enroll(request, credentials.tls), target.auth->mode());
  };
}

}  // namespace ceslab::load
