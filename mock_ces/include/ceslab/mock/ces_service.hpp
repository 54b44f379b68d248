// SPDX-License-Identifier: GPL-2.0-or-later
// The CES request pipeline (design.md): HTTP -> SOAP parse and validation ->
// authentication -> CA policy -> issue, each failure answered the way a
// Windows CES answers it.
#pragma once

#include <filesystem>
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
class NonceCache;
struct NegotiateLogon;
}  // namespace pipeline

// TEST-ONLY: until the Kerberos lab (real Negotiate) exists, the Kerberos
// endpoint can take the authenticated account's name from this header. Off
// unless a test or `ceslab serve --test-kerberos-header` turns it on; never
// a way to authenticate against anything but this mock.
inline constexpr const char* kTestKerberosUserHeader = "X-Ceslab-Test-Kerberos-User";
// TEST-ONLY, with the header above: the tls-server-end-point channel binding
// (RFC 5929) the client computed, lower-case hex, where real Negotiate
// carries it in the GSS checksum.
inline constexpr const char* kTestChannelBindingHeader = "X-Ceslab-Test-Channel-Binding";

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

struct CesServiceOptions {
  bool accept_test_kerberos_header = false;
  std::optional<KerberosService> kerberos;
};

class CesService {
 public:
  CesService(const World& world, LabCa& ca, EventLog& events, CesServiceOptions options = {});

  // `endpoint_url` is this endpoint's address as the server knows it
  // (scheme, host, port, path) for the a:To check and pending references.
  // Key-based renewal on anything but a Certificate + RenewalOnly instance:
  // the instance does not start (CES event 10, causes.md kbr_incompatible_config).
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
  std::shared_ptr<pipeline::NonceCache> nonces_;  // UsernameToken replay detection
};

}  // namespace ceslab::mock
