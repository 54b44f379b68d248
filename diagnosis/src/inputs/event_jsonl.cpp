// SPDX-License-Identifier: GPL-2.0-or-later
// The lab's own event log: `<state dir>/events.jsonl` as `ceslab serve`
// writes it (docs/world.md), one JSON object per line, each read with
// core::server_event_from_json (the members the mock writes and reads back).
// With the client's evidence JSON it gives the engine both sides of a lab
// run: `ceslab diagnose evidence.json events.jsonl`.
#include <nlohmann/json.hpp>

#include "ceslab/core/server_event_json.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

bool is_event_log_line(std::string_view line) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.contains("schema")) return false;
  for (const char* key : {"time", "log", "source", "id", "level", "host", "message"}) {
    if (!j.contains(key)) return false;
  }
  return true;
}

Reading read_event_jsonl(std::string_view name, std::string_view text) {
  const std::string who(name);
  Reading r;
  int found = 0;
  std::size_t number = 0;
  for (const std::string_view line : split_lines(text)) {
    ++number;
    if (trim(line).empty()) continue;
    const std::string where = "line " + std::to_string(number) + ": ";
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      // parse_error, or out_of_range for a number beyond a double (1e999).
      throw InputError(who, where + "is not a JSON object (" + e.what() + ")");
    }
    try {
      add_event(core::server_event_from_json(j), r);
    } catch (const std::invalid_argument& e) {
      throw InputError(who, where + e.what());
    }
    ++found;
  }
  if (found == 0) throw InputError(who, "holds no event line");
  r.facts.insert(r.facts.begin(), std::to_string(found) + (found == 1 ? " event" : " events") +
                                      " in the lab's event log (events.jsonl)");
  return r;
}

}  // namespace ceslab::diagnosis::inputs
