// SPDX-License-Identifier: GPL-2.0-or-later
#include "xml_check.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <memory>

#include "ceslab/core/base64.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "ceslab/wsdl/xml_nodes.hpp"

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

using xml::child;
using xml::is;

// Every cA/certificate and extension/value under `node`: they are
// xs:base64Binary (MS-XCEP 3.1.4.1.3.2, 3.1.4.1.3.10), and WCF refuses a
// message whose base64 does not decode.
void check_base64(const xmlNode* node) {
  for (const xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    const bool binary = (is(n, kXcep, "certificate") && n->parent && is(n->parent, kXcep, "cA")) ||
                        (is(n, kXcep, "value") && n->parent && is(n->parent, kXcep, "extension"));
    if (binary && !xml::is_nil(n)) {
      const std::unique_ptr<xmlChar, XmlFree> text(xmlNodeGetContent(n));
      core::decode_base64(text ? reinterpret_cast<const char*>(text.get()) : "");
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
