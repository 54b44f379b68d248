// SPDX-License-Identifier: GPL-2.0-or-later
// The fuzz input as the types the readers take.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ceslab/core/ossl.hpp"

namespace ceslab::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}
inline core::Bytes as_bytes(const std::uint8_t* data, std::size_t size) {
  return core::Bytes(data, data + size);
}

}  // namespace ceslab::fuzz
