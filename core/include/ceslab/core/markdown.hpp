// SPDX-License-Identifier: GPL-2.0-or-later
// Text written into the generated Markdown documents (docs/causes.md,
// docs/mock-coverage.md).
#pragma once

#include <string>
#include <string_view>

namespace ceslab::core {

// Text as Markdown shows it: `<` and `>` escaped, so `<CA name>` is not taken
// for an HTML tag.
std::string markdown_text(std::string_view raw);

// A table cell: one line (line breaks become spaces), and a `|` that would
// end the cell escaped.
std::string markdown_cell(std::string_view raw);

}  // namespace ceslab::core
