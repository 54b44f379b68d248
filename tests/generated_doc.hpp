// SPDX-License-Identifier: GPL-2.0-or-later
// The check behind every document generated from the code (docs/causes.md,
// docs/mock-coverage.md): the committed file holds what the code gives, and
// CESLAB_UPDATE_DOCS=1 rewrites it instead.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace ceslab::test_support {

// `source` says where the text comes from ("what the catalog gives"); `test`
// is the test executable and gtest filter that regenerate it.
inline void expect_document_current(const std::filesystem::path& document,
                                    const std::string& generated, const std::string& source,
                                    const std::string& test) {
  const char* update = std::getenv("CESLAB_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(document, std::ios::binary);
    out << generated;
    ASSERT_TRUE(out.good()) << document << ": cannot be written";
    return;
  }
  std::ifstream in(document, std::ios::binary);
  const std::string committed((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  EXPECT_TRUE(committed == generated)
      << std::filesystem::weakly_canonical(document).string() << " is not " << source
      << ". Regenerate it with\n  CESLAB_UPDATE_DOCS=1 " << test << "\nand commit the result.";
}

}  // namespace ceslab::test_support
