// SPDX-License-Identifier: GPL-2.0-or-later
// A world document (or a scenario's world overlay) from memory
// (mock::parse_world).
#include "bytes.hpp"
#include "ceslab/core/data_file_error.hpp"
#include "ceslab/mock/world.hpp"
#include "targets.hpp"

namespace ceslab::fuzz {

int world_yaml(const std::uint8_t* data, std::size_t size) {
  try {
    const mock::World world = mock::parse_world(as_text(data, size), "fuzz.yaml");
    (void)world;
  } catch (const core::DataFileError&) {
  }
  return 0;
}

}  // namespace ceslab::fuzz
