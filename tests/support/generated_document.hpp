// SPDX-License-Identifier: GPL-2.0-or-later
// A document under docs/ that a test generates (docs/causes.md,
// docs/mock-coverage.md) must be what the generator gives; with
// CESLAB_UPDATE_DOCS=1 the test writes it instead.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace ceslab::generated_docs {

// `source` says what the document is generated from ("the catalog");
// `regenerate` is the command that writes it again.
inline void expect_current(const std::filesystem::path& document, const std::string& generated,
                           const std::string& source, const std::string& regenerate) {
  const char* update = std::getenv("CESLAB_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(document, std::ios::binary);
    out << generated;
    ASSERT_TRUE(out.good()) << document << ": cannot be written";
    return;
  }
  std::ifstream in(document, std::ios::binary);
  const std::string current(std::istreambuf_iterator<char>(in), {});
  EXPECT_TRUE(current == generated)
      << std::filesystem::weakly_canonical(document).string() << " is not what " << source
      << " gives. Regenerate it with\n  " << regenerate << "\nand commit the result.";
}

}  // namespace ceslab::generated_docs
