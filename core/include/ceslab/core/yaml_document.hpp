// SPDX-License-Identifier: GPL-2.0-or-later
// Shared first steps of ceslab's YAML data files (code table, event catalog):
// a document whose one top-level key holds a non-empty list. Each loader
// keeps its own typed error; it passes the function that throws it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <string_view>

namespace ceslab::core {

// 1-based line of a node, 0 when yaml-cpp has none.
int line_of(const YAML::Node& node);

// Must throw; called with a line and the problem.
using YamlFailure = std::function<void(int line, const std::string& problem)>;

// Parses `text` and returns the list under `key`, refusing syntax errors, an
// empty document, any other top-level key, a duplicate key, and a missing,
// non-list or empty list — each through `fail`.
YAML::Node load_single_list(std::string_view text, std::string_view key, const YamlFailure& fail);

}  // namespace ceslab::core
