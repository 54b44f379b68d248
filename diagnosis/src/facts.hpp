// SPDX-License-Identifier: GPL-2.0-or-later
// Inside the engine: what one Evidence record shows, read once per
// diagnosis (the codes in its messages and events), and the three-valued
// test of a rule against it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ceslab/core/evidence.hpp"
#include "ceslab/diagnosis/rules.hpp"

namespace ceslab::diagnosis::detail {

// A test holds, fails (the evidence shows otherwise), or cannot be decided
// because the record does not show that part ("absent = not observed").
enum class Truth : std::uint8_t { holds, fails, unobserved };

struct SeenCode {
  enum class From : std::uint8_t { fault, reason, message, event };
  std::uint32_t value = 0;
  From from = From::fault;
  std::size_t index = 0;  // which message or event
};

class Facts {
 public:
  explicit Facts(const core::Evidence& evidence);

  const core::Evidence& evidence() const { return evidence_; }
  // Every distinct code seen, in the order first seen.
  const std::vector<SeenCode>& codes() const { return codes_; }
  // The record says whether an HTTP response came (it has one, or a
  // transport error instead); otherwise it was rebuilt from artefacts that
  // do not tell, and missing parts are not observed rather than absent.
  bool exchange_known() const { return evidence_.http.has_value() || evidence_.transport; }
  // The endpoint's path and query ("/" for a bare host); nullopt when there
  // is no endpoint or it is not an http(s) URL. Parsed once: rules test it
  // as plain text instead of running a regex over the URL.
  const std::optional<std::string>& endpoint_path() const { return endpoint_path_; }

 private:
  const core::Evidence& evidence_;
  std::vector<SeenCode> codes_;
  std::optional<std::string> endpoint_path_;
};

// Codes written in a line of text in any form Windows prints them: 0x hex,
// signed decimal of a failure HRESULT, or a name the code table knows;
// every sighting, repeats included.
void scan_codes(std::string_view text, SeenCode::From from, std::size_t index,
                std::vector<SeenCode>& out);
// Where a code was seen: "the fault's ErrorCode", "message 2", "event <source> 53".
std::string where(const SeenCode& code, const core::Evidence& evidence);

Truth evaluate(const FieldTest& test, const Facts& facts);
Truth evaluate(const Condition& condition, const Facts& facts);
// Whether the record shows the field at all.
bool observed(Field field, const Facts& facts);

// Shared by evaluation and description: the first of a text test's patterns
// matching `text` (-1 for none), the first server event matching a pattern
// (nullptr for none).
int first_match(const FieldTest& test, std::string_view text);
const core::ServerEvent* first_event(const EventPattern& pattern, const core::Evidence& evidence);

// For a condition that held: what was seen, one line.
std::string describe_match(const Condition& condition, const Facts& facts);
// For a condition that failed: what it expected and what was seen instead.
std::string describe_mismatch(const Condition& condition, const Facts& facts);
// What the record shows for a field, briefly ("false", "401", "not observed").
std::string seen_value(Field field, const Facts& facts);

}  // namespace ceslab::diagnosis::detail
