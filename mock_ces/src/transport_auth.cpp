// SPDX-License-Identifier: GPL-2.0-or-later
// IIS's authentication, before WCF: the Kerberos endpoint's Windows
// Authentication and the Certificate endpoint's TLS client certificate
// mapping. A refusal is IIS's own HTML answer, never a SOAP fault.
#include <openssl/x509_vfy.h>

#include "ca_failure.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/mock/iis_pages.hpp"
#include "transport_auth.hpp"

namespace ceslab::mock::pipeline {

namespace {

// Certificate endpoint: IIS maps a client certificate to an account the way
// the AD mapper does implicitly, by the UPN in its subjectAltName (the
// altSecurityIdentities and KB5014754 strong-mapping forms are not modelled).
const Account* map_certificate(const X509* cert, const World& world) {
  const core::CertificateInfo info = core::describe(cert);
  for (const std::string& upn : info.san.upn) {
    if (const Account* a = world.find_account(upn)) return a;
  }
  return nullptr;
}

}  // namespace

TransportIdentity authenticate_transport(const core::HttpRequest& request,
                                         const core::ConnectionInfo& connection,
                                         const Endpoint& endpoint, const CesEndpoint& settings,
                                         const World& world, const CesServiceOptions& options,
                                         EventLog* events) {
  TransportIdentity who;
  switch (endpoint.auth) {
    case core::AuthMode::username:
    case core::AuthMode::anonymous:  // no endpoint is anonymous (core::endpoint_path)
      return who;                    // message-level: the UsernameToken stage
    case core::AuthMode::kerberos: {
      if (options.kerberos) {
        auto logon = std::make_shared<NegotiateLogon>(
            accept_negotiate(request, connection, world, *options.kerberos, events));
        const std::string& principal = logon->client_principal;
        const Account* account = world.find_account(principal.substr(0, principal.rfind('@')));
        if (account == nullptr || account->disabled) throw TransportRefusal{iis_unauthorized()};
        who.account = account;
        who.kerberos = std::move(logon);
        return who;
      }
      // A test double of Negotiate (CesServiceOptions::kerberos_acceptor);
      // without one every request is challenged like IIS does (RFC 4559
      // section 5; the catalog's http_auth_failed).
      const Account* account = options.kerberos_acceptor
                                   ? options.kerberos_acceptor(request, connection, world)
                                   : nullptr;
      if (account == nullptr || account->disabled) throw TransportRefusal{iis_unauthorized()};
      who.account = account;
      return who;
    }
    case core::AuthMode::certificate: {
      // IIS SSL settings "require client certificate": none, or one that does
      // not chain to a trusted CA, is refused with 403 (403.7 / 403.16).
      if (!connection.client_certificate || connection.client_verify_result != X509_V_OK) {
        throw TransportRefusal{iis_forbidden()};
      }
      who.client_certificate = core::share(connection.client_certificate.get());
      who.account = map_certificate(connection.client_certificate.get(), world);
      // With key-based renewal the certificate need not map to an account:
      // the signed renewal request identifies the subject (docs/protocol.md 1.4).
      if ((who.account == nullptr || who.account->disabled) && !settings.key_based_renewal) {
        throw TransportRefusal{iis_forbidden()};
      }
      if (who.account != nullptr && who.account->disabled) who.account = nullptr;
      return who;
    }
  }
  return who;
}

}  // namespace ceslab::mock::pipeline
