// SPDX-License-Identifier: GPL-2.0-or-later
// The world's planted wire deviations (docs/world.md, `wire_deviations`),
// applied to an answer after the pipeline made it as Windows would.
#pragma once

#include <vector>

#include "ceslab/core/http_types.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock {

// `response` changed by each deviation that applies to it; an answer that
// is not a SOAP envelope is returned as it is.
core::HttpResponse deviate(core::HttpResponse response,
                           const std::vector<WireDeviation>& deviations);

}  // namespace ceslab::mock
