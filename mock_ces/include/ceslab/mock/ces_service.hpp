// SPDX-License-Identifier: GPL-2.0-or-later
// The CES request pipeline (design.md): HTTP -> SOAP parse and validation ->
// authentication -> CA policy -> issue, each failure answered the way a
// Windows CES answers it.
#pragma once

#include <memory>
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
}

// TEST-ONLY: until the Kerberos lab (real Negotiate) exists, the Kerberos
// endpoint can take the authenticated account's name from this header. Off
// unless a test or `ceslab serve --test-kerberos-header` turns it on; never
// a way to authenticate against anything but this mock.
inline constexpr const char* kTestKerberosUserHeader = "X-Ceslab-Test-Kerberos-User";
// TEST-ONLY, with the header above: the tls-server-end-point channel binding
// (RFC 5929) the client computed, lower-case hex, where real Negotiate
// carries it in the GSS checksum.
inline constexpr const char* kTestChannelBindingHeader = "X-Ceslab-Test-Channel-Binding";

struct CesServiceOptions {
  bool accept_test_kerberos_header = false;
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
  const World& world_;
  LabCa& ca_;
  EventLog& events_;
  CesServiceOptions options_;
  std::shared_ptr<pipeline::NonceCache> nonces_;  // UsernameToken replay detection
};

}  // namespace ceslab::mock
