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
#include <sstream>
#include <string>

namespace ceslab::test_support {

// Where two texts first differ: the line number and both lines, so that a
// failure says what changed without a diff tool.
inline std::string first_difference(const std::string& committed, const std::string& generated) {
  std::istringstream a(committed), b(generated);
  std::string line_a, line_b;
  for (int number = 1;; ++number) {
    const bool more_a = static_cast<bool>(std::getline(a, line_a));
    const bool more_b = static_cast<bool>(std::getline(b, line_b));
    if (!more_a && !more_b) return "the texts differ only in their final newline";
    if (more_a != more_b || line_a != line_b) {
      return "first difference at line " + std::to_string(number) +
             ":\n  committed: " + (more_a ? line_a : "(end of file)") +
             "\n  generated: " + (more_b ? line_b : "(end of file)");
    }
  }
}

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
      << ". Regenerate it with\n  CESLAB_UPDATE_DOCS=1 " << test << "\nand commit the result ("
      << first_difference(committed, generated) << ")";
}

}  // namespace ceslab::test_support
