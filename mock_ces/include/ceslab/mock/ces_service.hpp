// SPDX-License-Identifier: GPL-2.0-or-later
// The CES request pipeline (design.md): HTTP -> SOAP parse and validation ->
// authentication -> CA policy -> issue, each failure answered the way a
// Windows CES answers it.
#pragma once

#include <string>

#include "ceslab/core/http_types.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/mock/endpoints.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock {

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
