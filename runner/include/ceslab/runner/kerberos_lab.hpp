// SPDX-License-Identifier: GPL-2.0-or-later
// A world's Kerberos facts as principals of a lab KDC (kdc::KdcLab), the
// way AD expresses them to a Windows KDC (docs/kerberos.md):
//   user account               -> principal with its password, +requires_preauth
//   "sensitive, cannot be delegated" -> -allow_forwardable (no forwardable TGT)
//   disabled                   -> -allow_tix (KDC_ERR_CLIENT_REVOKED)
//   HTTP/<ces host>            -> the CES app-pool account's SPN:
//       delegation unconstrained ("trusted for delegation") -> +ok_as_delegate
//       constrained with protocol transition                -> +ok_to_auth_as_delegate
//       spn missing or duplicate                            -> no such principal
//   host/<ca host>             -> the CA's SPN, the target of the CES -> CA hop
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ceslab/kdc/kdc_lab.hpp"
#include "ceslab/mock/ces_service.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::runner {

// The CES and CA service principal names of a world (without realm).
std::string ces_service_principal(const mock::World& world);
std::string ca_service_principal(const mock::World& world);

// Every principal the world needs, with its attributes.
std::vector<kdc::Principal> kerberos_principals(const mock::World& world);

// Deletes every principal an earlier world put into `kdc` that is not in
// `wanted` (the KDC's own krbtgt/kadmin principals stay).
void remove_other_principals(kdc::KdcLab& kdc, const std::vector<kdc::Principal>& wanted);

// Puts the world's principals into `kdc` (adding what is missing, setting
// the attributes of what is there, removing what an earlier world added and
// this one does not have, so one KDC can serve worlds in turn without one
// world's accounts leaking into the next) and exports the CES and CA keys to
// keytabs in the KDC's directory. Throws kdc::KdcError, also when the
// world's realm (mock::World::kerberos_realm, from domain.dns) is not the KDC's.
mock::KerberosService prepare_kerberos(kdc::KdcLab& kdc, const mock::World& world);

// The one place a lab's Kerberos is assembled (`ceslab run`, `ceslab serve
// --kdc`): a throw-away realm whose krb5.conf this process uses, serving one
// world at a time.
class LabRealm {
 public:
  // Starts the KDC for `realm` (its directory under `parent`, default the
  // system temp dir) and points this process's Kerberos at it
  // (KRB5_CONFIG: MIT reads it whenever a krb5 context is made, in any
  // thread; so call this before other threads use Kerberos). The KDC dies
  // with the thread that starts it (kdc_lab.hpp): start it on a thread
  // that outlives the lab's use. Throws kdc::KdcError.
  static std::unique_ptr<LabRealm> start(const std::string& realm,
                                         const std::filesystem::path& parent = {});

  // Puts `world`'s principals in the realm in place of the previous
  // world's (prepare_kerberos) and returns what the mock needs for real
  // Negotiate.
  mock::KerberosService admit(const mock::World& world);

  const kdc::KdcLab& kdc() const { return *kdc_; }

 private:
  explicit LabRealm(std::unique_ptr<kdc::KdcLab> kdc) : kdc_(std::move(kdc)) {}
  std::unique_ptr<kdc::KdcLab> kdc_;
};

}  // namespace ceslab::runner
