// SPDX-License-Identifier: GPL-2.0-or-later
// Small readers over libxml2 element trees, for the code that judges a
// message's bytes beside the codec: the strict second read (src/xml_check.cpp),
// the mock's planted wire deviations and the conformance cases.
#pragma once

#include <libxml/tree.h>

#include <string>
#include <string_view>

namespace ceslab::wsdl::xml {

// An element in namespace `ns` named `local`; an empty `ns` or `local`
// matches any.
bool is(const xmlNode* n, std::string_view ns, std::string_view local);
// The first such child element of `parent` (null for a null parent).
const xmlNode* child(const xmlNode* parent, std::string_view ns, std::string_view local);
xmlNode* child(xmlNode* parent, std::string_view ns, std::string_view local);
// `s` without XML's white space (space, tab, CR, LF) at either end.
std::string_view trim_space(std::string_view s);
// xs:boolean true: "true" or "1", white space around the value ignored.
bool is_true(std::string_view value);
// xsi:nil="true" (or "1"), white space around the value ignored (xs:boolean).
bool is_nil(const xmlNode* n);
// The element's text content, white space at both ends removed.
std::string text(const xmlNode* n);
// The element's local name and namespace URI ("" for a null node, or no
// namespace).
std::string local_name(const xmlNode* n);
std::string namespace_of(const xmlNode* n);
// The value of the element's attribute `name` (no namespace); "" when absent.
std::string attribute(const xmlNode* n, std::string_view name);

}  // namespace ceslab::wsdl::xml
