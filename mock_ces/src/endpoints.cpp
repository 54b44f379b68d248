// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/endpoints.hpp"

#include "ceslab/core/text.hpp"

namespace ceslab::mock {

std::optional<Endpoint> match_endpoint(std::string_view target, std::string_view ca_name,
                                       const std::vector<core::AuthMode>& served) {
  std::string_view path = target.substr(0, target.find('?'));
  const std::string wanted = core::to_lower(path);
  for (core::Service service : {core::Service::ces, core::Service::cep}) {
    for (core::AuthMode auth : served) {
      const std::string candidate = core::endpoint_path(service, auth, ca_name);
      if (core::to_lower(candidate) == wanted) return Endpoint{service, auth, candidate};
    }
  }
  return std::nullopt;
}

}  // namespace ceslab::mock
