// SPDX-License-Identifier: GPL-2.0-or-later
// The pieces every page is made of: escaping, the page frame with its one
// style sheet and script, and small element helpers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ceslab::report {

// Text and attribute values: & < > " ' as character references.
std::string escape(std::string_view text);

// <tag class="cls">escaped text</tag>
std::string element(std::string_view tag, std::string_view text, std::string_view cls = {});
// A <ul> of escaped items; "" for none.
std::string list(const std::vector<std::string>& items);
// "12.3" with `digits` decimals.
std::string fixed(double value, int digits);

// The whole document: doctype, <title>, the style sheet, `body` as given
// (already escaped), then the script. The script filters elements carrying
// data-result by the checked result boxes (and a "#result=FAIL,XPASS" in the
// URL), opens the first failed scenario, then marks <body> data-ready="1"
// and data-rows="<elements with data-row>", so that a browser test knows it
// ran to its end.
std::string page(std::string_view title, std::string_view body);

}  // namespace ceslab::report
