// SPDX-License-Identifier: GPL-2.0-or-later
#include "xml_check.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <memory>

#include "ceslab/core/messages.hpp"
#include "ceslab/wsdl/codec.hpp"

namespace ceslab::wsdl::detail {

namespace {

namespace uri = core::uri;

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct XmlFree {
  void operator()(xmlChar* p) const { xmlFree(p); }
};

constexpr std::string_view kXcep = uri::kPolicyNs;
constexpr std::string_view kXsi = uri::kXsiNs;

bool is(const xmlNode* n, std::string_view ns, std::string_view local) {
  return n->type == XML_ELEMENT_NODE && n->ns != nullptr && n->ns->href != nullptr &&
         std::string_view(reinterpret_cast<const char*>(n->ns->href)) == ns &&
         std::string_view(reinterpret_cast<const char*>(n->name)) == local;
}

const xmlNode* child(const xmlNode* parent, std::string_view ns, std::string_view local) {
  if (parent == nullptr) return nullptr;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (is(c, ns, local)) return c;
  }
  return nullptr;
}

bool nil(const xmlNode* n) {
  const std::unique_ptr<xmlChar, XmlFree> v(
      xmlGetNsProp(n, reinterpret_cast<const xmlChar*>("nil"),
                   reinterpret_cast<const xmlChar*>(std::string(kXsi).c_str())));
  if (!v) return false;
  const std::string_view s(reinterpret_cast<const char*>(v.get()));
  return s == "true" || s == "1";
}

// Every cA/certificate and extension/value under `node`: they are
// xs:base64Binary (MS-XCEP 3.1.4.1.3.2, 3.1.4.1.3.10), and WCF refuses a
// message whose base64 does not decode.
void check_base64(const xmlNode* node) {
  for (const xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    const bool binary = (is(n, kXcep, "certificate") && n->parent && is(n->parent, kXcep, "cA")) ||
                        (is(n, kXcep, "value") && n->parent && is(n->parent, kXcep, "extension"));
    if (binary && !nil(n)) {
      const std::unique_ptr<xmlChar, XmlFree> text(xmlNodeGetContent(n));
      decode_base64(text ? reinterpret_cast<const char*>(text.get()) : "");
    }
    check_base64(n->children);
  }
}

}  // namespace

XmlFacts check_xml(std::string_view xml) {
  xmlResetLastError();
  const std::unique_ptr<xmlDoc, DocFree> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "message.xml", nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) {
    const xmlError* e = xmlGetLastError();
    std::string what = "not well-formed XML";
    if (e != nullptr && e->message != nullptr) {
      std::string message(e->message);
      while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
      what += " (line " + std::to_string(e->line) + ": " + message + ")";
    }
    throw MessageError(MessageErrorKind::malformed_xml, what);
  }
  XmlFacts facts;
  const xmlNode* envelope = xmlDocGetRootElement(doc.get());
  const std::string soap(uri::kSoap12Envelope);
  const xmlNode* body = child(envelope, soap, "Body");
  if (const xmlNode* header = child(envelope, soap, "Header")) {
    for (const xmlNode* block = header->children; block != nullptr; block = block->next) {
      if (block->type != XML_ELEMENT_NODE) continue;
      const std::unique_ptr<xmlChar, XmlFree> mu(
          xmlGetNsProp(block, reinterpret_cast<const xmlChar*>("mustUnderstand"),
                       reinterpret_cast<const xmlChar*>(soap.c_str())));
      if (!mu) continue;
      const std::string_view v(reinterpret_cast<const char*>(mu.get()));
      if (v != "1" && v != "true") continue;
      facts.must_understand_headers.emplace_back(
          block->ns && block->ns->href ? reinterpret_cast<const char*>(block->ns->href) : "",
          reinterpret_cast<const char*>(block->name));
    }
  }
  if (const xmlNode* text =
          child(child(child(body, soap, "Fault"), soap, "Reason"), soap, "Text")) {
    const std::unique_ptr<xmlChar, XmlFree> lang(xmlNodeGetLang(text));
    if (lang) facts.fault_reason_lang = reinterpret_cast<const char*>(lang.get());
  }
  if (body != nullptr) check_base64(body->children);
  return facts;
}

}  // namespace ceslab::wsdl::detail
