// SPDX-License-Identifier: GPL-2.0-or-later
#include "pretty_xml.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <climits>
#include <memory>

namespace ceslab::report {

std::optional<std::string> pretty_xml(std::string_view text) {
  if (text.empty() || text.size() > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
  // NOBLANKS drops the indentation already there so that libxml2 re-indents;
  // NOERROR/NOWARNING keep a non-XML body from printing to stderr.
  const int options = XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  const std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(text.data(), static_cast<int>(text.size()), nullptr, nullptr, options),
      &xmlFreeDoc);
  if (!doc) return std::nullopt;
  xmlNodePtr root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return std::nullopt;
  const std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buffer(xmlBufferCreate(),
                                                                    &xmlBufferFree);
  if (!buffer || xmlNodeDump(buffer.get(), doc.get(), root, 0, 1) < 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
                     static_cast<std::size_t>(xmlBufferLength(buffer.get())));
}

}  // namespace ceslab::report
