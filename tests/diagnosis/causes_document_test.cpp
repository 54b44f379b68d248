// SPDX-License-Identifier: GPL-2.0-or-later
// docs/causes.md is the catalog written out: it must be what
// causes_markdown() gives for the built-in catalog. Regenerate with
//   CESLAB_UPDATE_DOCS=1 build/release/tests/ceslab_diagnosis_tests
//   --gtest_filter='CausesDocument.*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "ceslab/diagnosis/causes_document.hpp"

namespace ceslab::diagnosis {
namespace {

namespace fs = std::filesystem;

const fs::path kDocument = fs::path(CESLAB_FIXTURES_DIR) / ".." / ".." / "docs" / "causes.md";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(CausesDocument, IsCurrent) {
  const std::string generated = causes_markdown(Catalog::builtin());
  const char* update = std::getenv("CESLAB_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(kDocument, std::ios::binary);
    out << generated;
    ASSERT_TRUE(out.good()) << kDocument << ": cannot be written";
    return;
  }
  EXPECT_TRUE(read_file(kDocument) == generated)
      << fs::weakly_canonical(kDocument).string()
      << " is not what the catalog gives. Regenerate it with\n"
         "  CESLAB_UPDATE_DOCS=1 build/release/tests/ceslab_diagnosis_tests "
         "--gtest_filter='CausesDocument.*'\nand commit the result.";
}

// Every cause has its section and its row, and every section says where its
// catalog entry is.
TEST(CausesDocument, NamesEveryCauseAndItsEntry) {
  const Catalog& catalog = Catalog::builtin();
  const std::string doc = causes_markdown(catalog);
  for (const CauseEntry& c : catalog.causes()) {
    EXPECT_NE(doc.find("<a id=\"" + c.id + "\"></a>\n\n### `" + c.id + "`: "), std::string::npos)
        << c.id;
    EXPECT_NE(doc.find("| [`" + c.id + "`](#" + c.id + ")"), std::string::npos) << c.id;
    EXPECT_NE(doc.find("Catalog entry: `diagnosis/catalog/" +
                       c.source.substr(c.source.rfind('/') + 1) + "`"),
              std::string::npos)
        << c.id;
  }
}

}  // namespace
}  // namespace ceslab::diagnosis
