// SPDX-License-Identifier: GPL-2.0-or-later
// Inside the engine: the salient facts of a record, one line each, for the
// report's "what was seen" (the verdict is only as good as these).
#pragma once

#include <string>
#include <vector>

#include "facts.hpp"

namespace ceslab::diagnosis::detail {

std::vector<std::string> seen_lines(const Facts& facts);

}  // namespace ceslab::diagnosis::detail
