// SPDX-License-Identifier: GPL-2.0-or-later
// The CES request pipeline (docs/architecture.md, "The mock's pipeline"):
// HTTP -> SOAP parse and validation -> authentication -> CA policy -> issue,
// each failure answered the way a Windows CES answers it.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ceslab/core/http_types.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/mock/endpoints.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock {
namespace pipeline {
struct NegotiateLogon;
}  // namespace pipeline

// Real Negotiate on the Kerberos endpoint (the Kerberos lab, issue 6): the
// keys of the CES service principal and of the CA's host principal, in the
// realm the process's krb5.conf (KRB5_CONFIG) names. The CES accepts the
// client's SPNEGO token with the first and makes the CES -> CA hop to the
// second with whatever the client delegated.
struct KerberosService {
  std::string ces_principal;  // "HTTP/ces.lab.test"
  std::filesystem::path ces_keytab;
  std::string ca_principal;  // "host/ca.lab.test"
  std::filesystem::path ca_keytab;
};

// IIS's Windows Authentication on the Kerberos endpoints when it is not real
// Negotiate (`kerberos`): the account a request authenticated as, or nullptr
// to leave IIS's 401 standing. The seam for a test double of Negotiate
// (tests/mock_ces/fake_negotiate.hpp), so the pipeline's later stages can be
// tested without a KDC; nothing in the product sets it.
using KerberosAcceptor = std::function<const Account*(
    const core::HttpRequest& request, const core::ConnectionInfo& connection, const World& world)>;

struct CesServiceOptions {
  std::optional<KerberosService> kerberos;
  KerberosAcceptor kerberos_acceptor;  // used when `kerberos` is unset
};

class CesService {
 public:
  CesService(const World& world, LabCa& ca, EventLog& events, CesServiceOptions options = {});

  // `endpoint_url` is this endpoint's address as the server knows it
  // (scheme, host, port, path) for the a:To check and pending references.
  // Key-based renewal on anything but a Certificate + RenewalOnly instance:
  // the instance does not start (CES event 10, docs/causes.md kbr_incompatible_config).
  static bool instance_fails_to_start(const CesEndpoint& endpoint);

  core::HttpResponse handle(const core::HttpRequest& request,
                            const core::ConnectionInfo& connection, const Endpoint& endpoint,
                            const std::string& endpoint_url);

 private:
  core::HttpResponse answer(const core::HttpRequest& request,
                            const core::ConnectionInfo& connection, const Endpoint& endpoint,
                            const std::string& endpoint_url,
                            std::shared_ptr<pipeline::NegotiateLogon>& kerberos);
  const World& world_;
  LabCa& ca_;
  EventLog& events_;
  CesServiceOptions options_;
};

}  // namespace ceslab::mock
