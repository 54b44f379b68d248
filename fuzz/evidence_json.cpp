// SPDX-License-Identifier: GPL-2.0-or-later
// An Evidence JSON document (docs/evidence.md) through core's reader.
#include <nlohmann/json.hpp>

#include "bytes.hpp"
#include "ceslab/core/evidence.hpp"
#include "targets.hpp"

namespace ceslab::fuzz {

int evidence_json(const std::uint8_t* data, std::size_t size) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(as_text(data, size));
  } catch (const nlohmann::json::exception&) {
    return 0;  // not JSON: parse_error, or out_of_range for 1e999
  }
  try {
    core::Evidence evidence;
    core::from_json(document, evidence);
  } catch (const core::EvidenceError&) {
  }
  return 0;
}

}  // namespace ceslab::fuzz
