// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/server_event_json.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace ceslab::core {

ServerEvent server_event_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw std::invalid_argument("event: JSON value is not an object");
  const auto member = [&](const char* name) -> const nlohmann::json& {
    const auto it = json.find(name);
    if (it == json.end()) throw std::invalid_argument(std::string("event: missing '") + name + "'");
    return *it;
  };
  const auto string = [&](const char* name) {
    const nlohmann::json& v = member(name);
    if (!v.is_string())
      throw std::invalid_argument(std::string("event: '") + name + "' is not a string");
    return v.get<std::string>();
  };
  ServerEvent event;
  event.time = string("time");
  event.log = string("log");
  event.source = string("source");
  // A Windows event ID is 16 bits (the low word of a classic InstanceId).
  const nlohmann::json& id = member("id");
  if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() > 65535)
    throw std::invalid_argument("event: 'id' is not an integer 0..65535");
  event.id = id.get<int>();
  event.level = string("level");
  event.host = string("host");
  event.message = string("message");
  return event;
}

}  // namespace ceslab::core
