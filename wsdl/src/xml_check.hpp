// SPDX-License-Identifier: GPL-2.0-or-later
// What gSOAP's lenient reader lets through and WCF's XmlReader does not: the
// message is read once more by libxml2, which is strict XML 1.0.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ceslab::wsdl::detail {

struct XmlFacts {
  // The message re-encoded as UTF-8, when it came in another encoding that
  // libxml2 decoded (UTF-16 with its byte order mark, as WCF's text encoder
  // takes it); gSOAP reads UTF-8 only.
  std::optional<std::string> utf8_text;
  // s:Fault/s:Reason/s:Text/@xml:lang, when the body is a fault that has one.
  std::optional<std::string> fault_reason_lang;
  // Every header block marked mustUnderstand ("1" or "true"): namespace, local name.
  std::vector<std::pair<std::string, std::string>> must_understand_headers;
  // The text of the first WS-Addressing 1.0 MessageID header block, trimmed:
  // for a fault raised before gSOAP has read the headers (a header block not
  // understood), which WCF addresses to the request all the same.
  std::optional<std::string> message_id;
};

// Throws MessageError: malformed_xml for XML that is not well-formed (an end
// tag that does not match, content after the root element, a character XML
// 1.0 forbids such as &#0;, bytes that are not UTF-8, ...), with libxml2's
// words and line; quota_exceeded for elements nested deeper than `max_depth`
// (the root is depth 1, as WCF's XmlDictionaryReaderQuotas.MaxDepth counts;
// 0: no limit); both with the part of the message where they were met.
// invalid_base64 for an xs:base64Binary element of MS-XCEP (cA/certificate,
// extension/value) whose text does not decode. Network access and entity
// substitution stay off. doctype_refused (part: headers) for a document type
// declaration before the root element, its internal subset never read.
// A UTF-8 message is read through libxml2's SAX callbacks only, with no
// tree; one that may be in another encoding goes to check_xml_with_tree.
XmlFacts check_xml(std::string_view xml, std::size_t max_depth = 0);

// The same check through libxml2's tree, which can render the document as
// UTF-8 (utf8_text); the reference the SAX reading is tested against.
XmlFacts check_xml_with_tree(std::string_view xml, std::size_t max_depth = 0);

}  // namespace ceslab::wsdl::detail
