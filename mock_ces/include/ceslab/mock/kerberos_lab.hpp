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

#include <vector>

#include "ceslab/kdc/kdc_lab.hpp"
#include "ceslab/mock/ces_service.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock {

// The CES and CA service principal names of a world (without realm).
std::string ces_service_principal(const World& world);
std::string ca_service_principal(const World& world);

// Every principal the world needs, with its attributes.
std::vector<kdc::Principal> kerberos_principals(const World& world);

// Deletes every principal an earlier world put into `kdc` that is not in
// `wanted` (the KDC's own krbtgt/kadmin principals stay).
void remove_other_principals(kdc::KdcLab& kdc, const std::vector<kdc::Principal>& wanted);

// Puts the world's principals into `kdc` (adding what is missing, setting
// the attributes of what is there, removing what an earlier world added and
// this one does not have, so one KDC can serve worlds in turn without one
// world's accounts leaking into the next) and exports the CES and CA keys to
// keytabs in the KDC's directory. Throws kdc::KdcError, also when the
// world's realm (World::kerberos_realm, from domain.dns) is not the KDC's.
KerberosService prepare_kerberos(kdc::KdcLab& kdc, const World& world);

}  // namespace ceslab::mock
