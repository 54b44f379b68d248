// SPDX-License-Identifier: GPL-2.0-or-later
#include "xml_check.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <memory>
#include <new>
#include <optional>

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

using core::MessagePart;
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

// Where the parser is, seen through its SAX callbacks: how deep, whether the
// SOAP Body's start tag has been read, and the first element over the depth
// quota. libxml2 builds its tree through the same callbacks, which we only
// wrap (ctxt->_private points here).
struct ReadPosition {
  startElementNsSAX2Func start = nullptr;
  endElementNsSAX2Func end = nullptr;
  std::size_t max_depth = 0;
  std::size_t depth = 0;
  bool in_body = false;                   // past the Body's start tag
  std::optional<MessagePart> over_depth;  // where the first element over the quota was
  bool dtd = false;                       // a document type declaration was met

  MessagePart part() const { return in_body ? MessagePart::body : MessagePart::headers; }
};

void on_start(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri,
              int nb_namespaces, const xmlChar** namespaces, int nb_attributes, int nb_defaulted,
              const xmlChar** attributes) {
  auto* parser = static_cast<xmlParserCtxtPtr>(ctx);
  auto* at = static_cast<ReadPosition*>(parser->_private);
  ++at->depth;
  if (at->max_depth != 0 && at->depth > at->max_depth && !at->over_depth) {
    at->over_depth = at->part();
    xmlStopParser(parser);
    return;
  }
  at->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted,
            attributes);
  // The Body's own start tag is read with the envelope (WCF's BufferedMessage
  // reads up to it); all that follows, to the end of the text, is read when
  // the operation reads its request.
  if (at->depth == 2 && xmlStrEqual(localname, reinterpret_cast<const xmlChar*>("Body")))
    at->in_body = true;
}

void on_end(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri) {
  auto* at = static_cast<ReadPosition*>(static_cast<xmlParserCtxtPtr>(ctx)->_private);
  at->end(ctx, localname, prefix, uri);
  --at->depth;
}

struct ParserFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

std::string libxml2_words(const xmlError* e) {
  std::string what = "not well-formed XML";
  if (e != nullptr && e->message != nullptr) {
    std::string message(e->message);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    what += " (line " + std::to_string(e->line) + ": " + message + ")";
  }
  return what;
}

// The document as UTF-8 text, when libxml2 read it from another encoding:
// one its byte order mark names (UTF-16, XML 1.0 appendix F.1; the document
// then has no declared encoding) or one its declaration names.
std::optional<std::string> as_utf8(std::string_view xml, xmlDoc* doc) {
  const bool utf16_mark = xml.rfind("\xFF\xFE", 0) == 0 || xml.rfind("\xFE\xFF", 0) == 0;
  const bool declared_other =
      doc->encoding != nullptr &&
      xmlStrcasecmp(doc->encoding, reinterpret_cast<const xmlChar*>("UTF-8")) != 0;
  if (!utf16_mark && !declared_other) return std::nullopt;
  xmlChar* text = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc, &text, &size, "UTF-8");
  if (text == nullptr) throw std::bad_alloc();
  const std::unique_ptr<xmlChar, XmlFree> owned(text);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

// A document type declaration, met before the root element (the only place
// it can stand): the parser stops at its name, before any internal subset
// (entity declarations) is read.
void on_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* parser = static_cast<xmlParserCtxtPtr>(ctx);
  static_cast<ReadPosition*>(parser->_private)->dtd = true;
  xmlStopParser(parser);
}

}  // namespace

XmlFacts check_xml(std::string_view xml, std::size_t max_depth) {
  const std::unique_ptr<xmlParserCtxt, ParserFree> parser(xmlNewParserCtxt());
  if (!parser) throw std::bad_alloc();
  ReadPosition at;
  at.max_depth = max_depth;
  at.start = parser->sax->startElementNs;
  at.end = parser->sax->endElementNs;
  parser->sax->startElementNs = on_start;
  parser->sax->endElementNs = on_end;
  parser->sax->internalSubset = on_doctype;
  parser->_private = &at;
  const std::unique_ptr<xmlDoc, DocFree> doc(
      xmlCtxtReadMemory(parser.get(), xml.data(), static_cast<int>(xml.size()), "message.xml",
                        nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  // WCF's encoder meets it while it reads the envelope (XmlUTF8TextReader.Read).
  if (at.dtd) {
    throw MessageError(MessageErrorKind::doctype_refused,
                       "the message carries a DTD (<!DOCTYPE before the envelope); refused, not "
                       "resolved")
        .with_part(MessagePart::headers);
  }
  if (at.over_depth) {
    throw MessageError(MessageErrorKind::quota_exceeded,
                       "the maximum read depth (" + std::to_string(max_depth) +
                           ") has been exceeded: elements are nested deeper than the quota")
        .with_part(*at.over_depth);
  }
  if (!doc || !parser->wellFormed) {
    throw MessageError(MessageErrorKind::malformed_xml,
                       libxml2_words(xmlCtxtGetLastError(parser.get())))
        .with_part(at.part());
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
  facts.utf8_text = as_utf8(xml, doc.get());
  return facts;
}

}  // namespace ceslab::wsdl::detail
