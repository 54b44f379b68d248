// SPDX-License-Identifier: GPL-2.0-or-later
// What gSOAP's lenient reader lets through and WCF's XmlReader does not: the
// message is read once more by libxml2, which is strict XML 1.0.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ceslab::wsdl::detail {

struct XmlFacts {
  // s:Fault/s:Reason/s:Text/@xml:lang, when the body is a fault that has one.
  std::optional<std::string> fault_reason_lang;
  // Every header block marked mustUnderstand ("1" or "true"): namespace, local name.
  std::vector<std::pair<std::string, std::string>> must_understand_headers;
};

// Throws MessageError: malformed_xml for XML that is not well-formed (an end
// tag that does not match, content after the root element, ...), with
// libxml2's words and line; invalid_base64 for an xs:base64Binary element of
// MS-XCEP (cA/certificate, extension/value) whose text does not decode.
// Network access and entity substitution stay off; a DTD was refused before.
XmlFacts check_xml(std::string_view xml);

}  // namespace ceslab::wsdl::detail
