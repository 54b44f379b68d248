// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/markdown.hpp"

namespace ceslab::core {

namespace {

// `raw` with each character that `escape` has a replacement for replaced.
template <typename Escape>
std::string escaped(std::string_view raw, Escape&& escape) {
  std::string out;
  for (const char c : raw) {
    if (const char* replacement = escape(c)) {
      out += replacement;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string markdown_text(std::string_view raw) {
  return escaped(raw, [](char c) -> const char* {
    return c == '<' ? "&lt;" : c == '>' ? "&gt;" : nullptr;
  });
}

std::string markdown_cell(std::string_view raw) {
  return escaped(raw, [](char c) -> const char* {
    return c == '|' ? "\\|" : c == '\n' ? " " : nullptr;
  });
}

}  // namespace ceslab::core
