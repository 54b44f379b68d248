// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer's entry point for one target; fuzz/CMakeLists.txt compiles this
// file once per target with CESLAB_FUZZ_TARGET set to the target's function.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ceslab::fuzz::CESLAB_FUZZ_TARGET(data, size);
}
