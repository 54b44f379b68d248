// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

#include "ceslab/diagnosis/engine.hpp"

namespace ceslab::report {

// One diagnosis as HTML: verdict and confidence, why, what was seen, the
// next checks, the candidates (each with its evidence, what would separate
// it and the fix) and what was ruled out. With `rows`, each candidate is a
// data-row (the diagnose page's rows).
std::string diagnosis_section(const diagnosis::Diagnosis& d, std::string_view heading, bool rows);

}  // namespace ceslab::report
