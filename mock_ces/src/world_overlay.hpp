// SPDX-License-Identifier: GPL-2.0-or-later
// Laying a scenario's world over the default lab, as YAML, before the world
// reader validates the result (so its errors point at the overlay's lines).
#pragma once

#include <yaml-cpp/yaml.h>

namespace ceslab::mock {

// `overlay` merged over `base` (world.hpp, overlay_default_world). The
// result is built in the overlay's own nodes (they keep their lines, which a
// copy would lose), so `overlay` is changed; so may `base` be, which shares
// its nodes with the result: pass a freshly loaded one.
YAML::Node overlay_world_node(const YAML::Node& base, const YAML::Node& overlay);

}  // namespace ceslab::mock
