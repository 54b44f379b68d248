// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/runner/kerberos_lab.hpp"

#include <cstdlib>

#include <algorithm>

namespace ceslab::runner {

using mock::Account;
using mock::Delegation;
using mock::KerberosService;
using mock::SpnRegistration;
using mock::World;

std::string ces_service_principal(const World& world) {
  return "HTTP/" + world.ces.host;
}

std::string ca_service_principal(const World& world) {
  return "host/" + world.ca.host;
}

std::vector<kdc::Principal> kerberos_principals(const World& world) {
  std::vector<kdc::Principal> out;
  for (const Account& a : world.accounts) {
    // AD requires pre-authentication by default; it is also what makes a
    // skewed client clock fail at the KDC (KRB_AP_ERR_SKEW).
    kdc::Principal p{a.name, a.password, {"+requires_preauth"}};
    p.attributes.push_back(a.not_delegable ? "-allow_forwardable" : "+allow_forwardable");
    p.attributes.push_back(a.disabled ? "-allow_tix" : "+allow_tix");
    // An expired password: the KDC answers the AS-REQ with KDC_ERR_KEY_EXPIRED
    // (MIT checks pw_expiration for every service but kadmin/changepw), as a
    // Windows DC does (4768 result code 0x17). Not "now": an AS-REQ in the
    // same second would still pass (MIT refuses only pw_expiration < now).
    p.attributes.push_back(a.password_expired ? "-pwexpire yesterday" : "-pwexpire never");
    out.push_back(std::move(p));
  }
  if (world.ces.spn == SpnRegistration::registered) {
    kdc::Principal ces{ces_service_principal(world), std::nullopt, {}};
    ces.attributes.push_back(world.ces.delegation == Delegation::unconstrained ? "+ok_as_delegate"
                                                                               : "-ok_as_delegate");
    ces.attributes.push_back(world.ces.delegation == Delegation::constrained_protocol_transition
                                 ? "+ok_to_auth_as_delegate"
                                 : "-ok_to_auth_as_delegate");
    out.push_back(std::move(ces));
  }
  out.push_back({ca_service_principal(world), std::nullopt, {}});
  return out;
}

void remove_other_principals(kdc::KdcLab& kdc, const std::vector<kdc::Principal>& wanted) {
  for (const std::string& name : kdc.principals()) {
    // The realm's own principals are never the world's to remove.
    if (name.rfind("krbtgt/", 0) == 0 || name.rfind("kadmin/", 0) == 0 || name == "K/M") continue;
    const bool kept = std::any_of(wanted.begin(), wanted.end(),
                                  [&](const kdc::Principal& p) { return p.name == name; });
    if (!kept) kdc.delete_principal(name);
  }
}

KerberosService prepare_kerberos(kdc::KdcLab& kdc, const World& world) {
  // The AD domain is the Kerberos realm (its DNS name upper-cased): a world
  // of another domain cannot be served by this KDC.
  if (world.kerberos_realm() != kdc.realm()) {
    throw kdc::KdcError("the world's domain " + world.dns_domain + " is the Kerberos realm " +
                        world.kerberos_realm() + ", but this KDC serves the realm " + kdc.realm() +
                        " (start the KDC with KdcOptions::realm = " + world.kerberos_realm() + ")");
  }
  const std::vector<kdc::Principal> wanted = kerberos_principals(world);
  remove_other_principals(kdc, wanted);
  for (const kdc::Principal& p : wanted) {
    if (kdc.has_principal(p.name)) {
      kdc.modify_principal(p.name, p.attributes);
      // The same account may have another password in this world.
      if (p.password) kdc.set_password(p.name, *p.password);
    } else {
      kdc.add_principal(p);
    }
  }
  // (An SPN that is not registered, or not uniquely, has no principal: a
  // ticket for it cannot be had. remove_other_principals took it away.)
  const std::string ces = ces_service_principal(world);
  KerberosService service;
  service.ces_principal = ces;
  service.ca_principal = ca_service_principal(world);
  service.ca_keytab = kdc.export_keytab(service.ca_principal);
  // The CES still has its own key (a keytab with no matching principal in
  // the KDC never sees a ticket); make one so the mock can start.
  if (world.ces.spn == SpnRegistration::registered) {
    service.ces_keytab = kdc.export_keytab(ces);
  } else {
    service.ces_keytab = service.ca_keytab;
  }
  return service;
}

std::unique_ptr<LabRealm> LabRealm::start(const std::string& realm,
                                          const std::filesystem::path& parent) {
  kdc::KdcOptions options;
  options.realm = realm;
  options.parent_dir = parent;
  std::unique_ptr<LabRealm> lab(new LabRealm(kdc::KdcLab::start(std::move(options))));
  ::setenv("KRB5_CONFIG", lab->kdc_->krb5_conf().c_str(), 1);
  return lab;
}

KerberosService LabRealm::admit(const World& world) {
  return prepare_kerberos(*kdc_, world);
}

}  // namespace ceslab::runner
