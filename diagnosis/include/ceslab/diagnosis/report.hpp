// SPDX-License-Identifier: GPL-2.0-or-later
// A Diagnosis for people (the report `ceslab diagnose` prints) and for
// programs (JSON, schema "ceslab.diagnosis/1", docs/diagnosis.md).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "ceslab/diagnosis/engine.hpp"

namespace ceslab::diagnosis {

inline constexpr std::string_view kDiagnosisSchema = "ceslab.diagnosis/1";

// Verdict and confidence, why, what was seen, what to check next, how to
// fix, then the other candidates and what was ruled out. Plain text, lines
// of at most about 100 columns, ends with a newline.
std::string format_report(const Diagnosis& diagnosis);

// {"schema", "verdict", "confidence", "tied", "family", "why", "next_checks",
//  "seen", "candidates": [{"cause", "confidence", ...}], "ruled_out"}.
// Confidences are rounded to three decimals so the output is stable.
void to_json(nlohmann::json& out, const Diagnosis& diagnosis);
void to_json(nlohmann::json& out, const Candidate& candidate);

}  // namespace ceslab::diagnosis
