// SPDX-License-Identifier: GPL-2.0-or-later
// Laying a scenario's world over the default lab, as YAML, before the world
// reader validates the result (so its errors point at the overlay's lines).
#pragma once

#include <yaml-cpp/yaml.h>

namespace ceslab::mock {

// `overlay` merged over `base` (world.hpp, overlay_default_world). Nodes
// taken from the overlay keep their marks; `base` is not modified.
YAML::Node overlay_world_node(const YAML::Node& base, const YAML::Node& overlay);

}  // namespace ceslab::mock
