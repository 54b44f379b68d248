// SPDX-License-Identifier: GPL-2.0-or-later
// The one bytes-to-hex of the project (thumbprints, the KDC's random secret).
#include "ceslab/core/ossl.hpp"

#include <gtest/gtest.h>

namespace ceslab::core {
namespace {

TEST(HexLower, IsLowerCaseWithoutSeparators) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff, 0x10};
  EXPECT_EQ(hex_lower(bytes, sizeof bytes), "000fa5ff10");
  EXPECT_EQ(hex_lower(bytes, 0), "");
}

}  // namespace
}  // namespace ceslab::core
