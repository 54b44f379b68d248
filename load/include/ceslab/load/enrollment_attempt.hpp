// SPDX-License-Identifier: GPL-2.0-or-later
// The attempt of a ceslab bench run: one real enrollment (client::enroll)
// at one CES URL, its failure named by the diagnosis engine from the
// client's evidence alone, as `ceslab enroll --evidence` and `ceslab
// diagnose` would name it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/enroll.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/load/load_run.hpp"

namespace ceslab::load {

// Key pairs made before a run starts, so that the run measures the
// enrollment and not the client's key generation (an RSA-2048 key takes
// tens of milliseconds, longer than the mock's issuance). Attempt i uses key
// i mod size: the CA does not refuse a key it has certified before.
class KeyPool {
 public:
  // Throws std::invalid_argument for a size of 0.
  KeyPool(const core::KeySpec& spec, std::size_t size);
  EVP_PKEY* key(std::uint64_t index) const { return keys_[index % keys_.size()].get(); }
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<core::EvpPkeyPtr> keys_;
};

// Where and how each attempt enrolls. Only `url` is contacted: the client
// follows no redirect and discovers nothing.
struct EnrollmentTarget {
  std::string url;
  std::string template_name;
  client::RequestWrapping wrapping = client::RequestWrapping::cmc;
  const client::Authenticator* auth = nullptr;  // not owned; outlives the run
  client::TlsSettings tls;
};

// The result of one enrollment for the run: issued, pending, or failed with
// the engine's verdict on the client's evidence (a cause id or "unknown"),
// the cause's title and the failure's last certreq line.
AttemptResult classify(const client::EnrollResult& result, core::AuthMode auth);

// Each call enrolls once at `target` with key `index` of `keys`, building
// its request (PKCS#10 and, for CMC, its signature) as the client always
// does. An authentication mode that cannot be used (AuthenticationUnavailable)
// is a failure with cause "not_sent", not an exception. Both arguments must
// outlive the attempt.
Attempt enrollment_attempt(const EnrollmentTarget& target, const KeyPool& keys);

}  // namespace ceslab::load
