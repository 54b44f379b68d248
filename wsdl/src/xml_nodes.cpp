// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/wsdl/xml_nodes.hpp"

#include "ceslab/core/messages.hpp"

namespace ceslab::wsdl::xml {

namespace {

std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(s));
}

}  // namespace

std::string_view trim_space(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool is_true(std::string_view value) {
  const std::string_view v = trim_space(value);
  return v == "true" || v == "1";
}

bool is(const xmlNode* n, std::string_view ns, std::string_view local) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE) return false;
  if (!local.empty() && view(n->name) != local) return false;
  if (ns.empty()) return true;
  return n->ns != nullptr && view(n->ns->href) == ns;
}

const xmlNode* child(const xmlNode* parent, std::string_view ns, std::string_view local) {
  for (const xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr;
       c = c->next) {
    if (is(c, ns, local)) return c;
  }
  return nullptr;
}

xmlNode* child(xmlNode* parent, std::string_view ns, std::string_view local) {
  return const_cast<xmlNode*>(child(static_cast<const xmlNode*>(parent), ns, local));
}

bool is_nil(const xmlNode* n) {
  if (n == nullptr) return false;
  xmlChar* v =
      xmlGetNsProp(n, reinterpret_cast<const xmlChar*>("nil"),
                   reinterpret_cast<const xmlChar*>(std::string(core::uri::kXsiNs).c_str()));
  if (v == nullptr) return false;
  const bool nil = is_true(view(v));
  xmlFree(v);
  return nil;
}

std::string text(const xmlNode* n) {
  if (n == nullptr) return "";
  xmlChar* content = xmlNodeGetContent(n);
  std::string out(trim_space(view(content)));
  xmlFree(content);
  return out;
}

std::string local_name(const xmlNode* n) {
  return n == nullptr ? "" : std::string(view(n->name));
}

std::string namespace_of(const xmlNode* n) {
  return n == nullptr || n->ns == nullptr ? "" : std::string(view(n->ns->href));
}

std::string attribute(const xmlNode* n, std::string_view name) {
  if (n == nullptr) return "";
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(std::string(name).c_str()));
  std::string out(view(v));
  xmlFree(v);
  return out;
}

}  // namespace ceslab::wsdl::xml
