// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ceslab::report {

// `text` re-indented by libxml2 (one element a line, two spaces a level),
// without the XML declaration; nullopt when it is not well-formed XML (an
// IIS HTML error page, an empty body). Parsed without the network, without
// loading a DTD and without substituting entities.
std::optional<std::string> pretty_xml(std::string_view text);

}  // namespace ceslab::report
