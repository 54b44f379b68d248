// SPDX-License-Identifier: GPL-2.0-or-later
// One event of the lab's event log as JSON: the object the mock writes per
// line of `<state dir>/events.jsonl` (docs/world.md), read into the
// ServerEvent the Evidence record carries. The mock reads its own lines back
// through this (mock::event_from_json adds its key and fields) and
// `ceslab diagnose` reads a whole events.jsonl with it, so the members and
// their checks are spelled once.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "ceslab/core/evidence.hpp"

namespace ceslab::core {

// Reads "time", "log", "source", "id", "level", "host" and "message" (all
// required; members it does not know, such as the mock's "key" and
// "fields", are left to the caller). `time` is kept as written. Throws
// std::invalid_argument naming the member: "event: missing 'host'",
// "event: 'id' is not an integer 0..65535", "event: JSON value is not an
// object".
ServerEvent server_event_from_json(const nlohmann::json& json);

}  // namespace ceslab::core
