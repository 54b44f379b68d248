// SPDX-License-Identifier: GPL-2.0-or-later
// docs/causes.md is the catalog written out: it must be what
// causes_markdown() gives for the built-in catalog. Regenerate with
//   CESLAB_UPDATE_DOCS=1 build/release/tests/ceslab_diagnosis_tests
//   --gtest_filter='CausesDocument.*'
#include <gtest/gtest.h>

#include <filesystem>

#include "ceslab/diagnosis/causes_document.hpp"
#include "generated_doc.hpp"

namespace ceslab::diagnosis {
namespace {

namespace fs = std::filesystem;

const fs::path kDocument = fs::path(CESLAB_FIXTURES_DIR) / ".." / ".." / "docs" / "causes.md";

TEST(CausesDocument, IsCurrent) {
  const std::string generated = causes_markdown(Catalog::builtin());
  test_support::expect_document_current(
      kDocument, generated, "what the catalog gives",
      "build/release/tests/ceslab_diagnosis_tests --gtest_filter='CausesDocument.*'");
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
