// SPDX-License-Identifier: GPL-2.0-or-later
// The name the Evidence JSON gives a fault's shape (docs/evidence.md,
// docs/protocol.md 6), for those that show or test it without the JSON.
#pragma once

#include <string_view>

#include "ceslab/core/messages.hpp"

namespace ceslab::core {

// "enrollment_detail", "wcf_dispatcher", "ws_addressing", "other".
std::string_view to_string(FaultKind kind);

}  // namespace ceslab::core
