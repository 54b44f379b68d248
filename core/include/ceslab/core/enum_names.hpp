// SPDX-License-Identifier: GPL-2.0-or-later
// An enum's names as one table of (value, name) rows, read both ways, so a
// vocabulary is written once instead of as a switch per direction.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ceslab/core/text.hpp"

namespace ceslab::core {

template <typename Enum, std::size_t N>
using EnumNames = std::array<std::pair<Enum, std::string_view>, N>;

// The row's name for `value`; `fallback` for a value the table lacks.
template <typename Enum, std::size_t N>
constexpr std::string_view name_of(const EnumNames<Enum, N>& names, Enum value,
                                   std::string_view fallback = "unknown") {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return fallback;
}

// The value named exactly `name`.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> value_of(const EnumNames<Enum, N>& names, std::string_view name) {
  for (const auto& [v, n] : names) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// The value named `name` in any ASCII case (as Windows compares names).
template <typename Enum, std::size_t N>
std::optional<Enum> value_of_icase(const EnumNames<Enum, N>& names, std::string_view name) {
  for (const auto& [v, n] : names) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

// "a, b, c": the names, for a message that lists what is known.
template <typename Enum, std::size_t N>
std::string joined_names(const EnumNames<Enum, N>& names, std::string_view separator = ", ") {
  std::string out;
  for (const auto& [v, n] : names) {
    if (!out.empty()) out += separator;
    out += n;
  }
  return out;
}

}  // namespace ceslab::core
