// SPDX-License-Identifier: GPL-2.0-or-later
// What the CA checks on a renewal (a request signed with the key of a
// certificate it issued earlier, docs/protocol.md 1.4), and who the CES app pool
// is when it renews on someone's behalf.
#include <openssl/x509_vfy.h>

#include "ca_failure.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/core/x509.hpp"
#include "renewal.hpp"

namespace ceslab::mock::pipeline {

void check_renewal(const DecodedRequest& req, const LabCa& ca, const std::string& request_id) {
  auto deny = [&](std::string_view code) {
    return ca_failure(code, CaDisposition::denied_by_policy, request_id);
  };
  const X509* old_cert = req.signer_certificate.get();
  std::vector<core::X509Ptr> roots;
  roots.push_back(core::share(ca.authority().certificate()));
  const core::ChainCheck chain = core::verify_chain(old_cert, {}, roots);
  if (!chain.ok) {
    // An expired certificate cannot sign a renewal (CERT_E_EXPIRED); one
    // this CA did not issue is not a renewal of anything it knows
    // (docs/causes.md renewal_cert_invalid; the code for the foreign case is the
    // model's choice).
    if (chain.error == X509_V_ERR_CERT_HAS_EXPIRED) throw deny("CERT_E_EXPIRED");
    throw deny("CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE");
  }
  // szOID_RENEWAL_CERTIFICATE, when present, must name the signing certificate.
  if (req.csr.renewal_certificate &&
      *req.csr.renewal_certificate != core::certificate_der(old_cert)) {
    throw deny("CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE");
  }
}

std::set<std::string> app_pool_principals(const World& world) {
  const std::string& identity = world.ces.app_pool_identity;
  // ACLs name it as World::resolve_principal does ("svc-ces").
  std::set<std::string> who{identity, world.app_pool_account(), "Everyone", "Authenticated Users"};
  if (const Account* account = world.find_account(identity)) {
    const std::set<std::string> groups = world.memberships(*account);
    who.insert(groups.begin(), groups.end());
  }
  return who;
}

}  // namespace ceslab::mock::pipeline
