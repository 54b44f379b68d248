// SPDX-License-Identifier: GPL-2.0-or-later
// The endpoints the mock serves, named as Windows names them
// (core/endpoint_names.hpp, docs/protocol.md 3.1). IIS matches paths
// case-insensitively; spaces in the CA name travel as %20.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/core/endpoint_names.hpp"

namespace ceslab::mock {

struct Endpoint {
  core::Service service = core::Service::ces;
  core::AuthMode auth = core::AuthMode::username;
  std::string path;  // as served, %-encoded
};

// Which endpoint a request target names, if any (query string ignored).
std::optional<Endpoint> match_endpoint(std::string_view target, std::string_view ca_name,
                                       const std::vector<core::AuthMode>& served);

}  // namespace ceslab::mock
