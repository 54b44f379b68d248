// SPDX-License-Identifier: GPL-2.0-or-later
// What an HTML answer says, as text: which server sent it (an IIS error page
// and its substatus, IIS's welcome page, Web Enrollment, NDES). The
// evidence's `http.page` (docs/evidence.md).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ceslab::core {

// Whether an answer is an HTML page: its Content-Type says html, or its
// first KiB holds an <html> tag.
bool is_html_answer(std::string_view content_type, std::string_view body);

// An HTML body's title, then its visible text (no script, style or head),
// white space collapsed, at most about `limit` bytes; empty when the body is
// not HTML the parser can read.
std::string html_page_text(std::string_view body, std::size_t limit = 600);

}  // namespace ceslab::core
