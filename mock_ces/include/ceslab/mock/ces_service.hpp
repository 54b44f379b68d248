// SPDX-License-Identifier: GPL-2.0-or-later
// The CES request pipeline (design.md): HTTP -> SOAP parse and validation ->
// authentication -> CA policy -> issue, each failure answered the way a
// Windows CES answers it.
#pragma once

#include <atomic>
#include <string>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/http_types.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/mock/endpoints.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock {

// The embedded issuing CA: its key pair and the request ids it hands out.
class LabCa {
 public:
  LabCa(core::CertificateAuthority authority) : authority_(std::move(authority)) {}
  const core::CertificateAuthority& authority() const { return authority_; }
  // CA request ids are positive decimals, assigned when a request reaches the
  // policy module (protocol.md 1.5).
  std::string next_request_id() { return std::to_string(++last_request_id_); }

 private:
  core::CertificateAuthority authority_;
  std::atomic<long> last_request_id_{0};
};

class CesService {
 public:
  CesService(const World& world, LabCa& ca, EventLog& events)
      : world_(world), ca_(ca), events_(events) {}

  // `endpoint_url` is this endpoint's address as the server knows it
  // (scheme, host, port, path) for the a:To check and pending references.
  core::HttpResponse handle(const core::HttpRequest& request,
                            const core::ConnectionInfo& connection, const Endpoint& endpoint,
                            const std::string& endpoint_url);

 private:
  const World& world_;
  LabCa& ca_;
  EventLog& events_;
};

}  // namespace ceslab::mock
