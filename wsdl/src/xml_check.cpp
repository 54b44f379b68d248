// SPDX-License-Identifier: GPL-2.0-or-later
#include "xml_check.hpp"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <array>
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
struct ParserFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

constexpr std::string_view kXcep = uri::kPolicyNs;

using core::MessagePart;
using xml::child;
using xml::is;

std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(s));
}

// Where the parser is, seen through its SAX callbacks: how deep, whether the
// SOAP Body's start tag has been read, and the first element over the depth
// quota. Both readings below keep it (ctxt->_private points here).
struct ReadPosition {
  std::size_t max_depth = 0;
  std::size_t depth = 0;
  bool in_body = false;                   // past the Body's start tag
  std::optional<MessagePart> over_depth;  // where the first element over the quota was
  bool dtd = false;                       // a document type declaration was met

  MessagePart part() const { return in_body ? MessagePart::body : MessagePart::headers; }

  // One more element: false when it is over the quota (the parser is stopped).
  bool enter(xmlParserCtxtPtr parser) {
    ++depth;
    if (max_depth != 0 && depth > max_depth && !over_depth) {
      over_depth = part();
      xmlStopParser(parser);
      return false;
    }
    return true;
  }
  // The Body's own start tag is read with the envelope (WCF's BufferedMessage
  // reads up to it); all that follows, to the end of the text, is read when
  // the operation reads its request.
  void entered(const xmlChar* localname) {
    if (depth == 2 && xmlStrEqual(localname, reinterpret_cast<const xmlChar*>("Body")))
      in_body = true;
  }
};

ReadPosition& position_of(void* ctx) {
  return *static_cast<ReadPosition*>(static_cast<xmlParserCtxtPtr>(ctx)->_private);
}

// A document type declaration, met before the root element (the only place
// it can stand): the parser stops at its name, before any internal subset
// (entity declarations) is read.
void on_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  position_of(ctx).dtd = true;
  xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

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

// WCF's refusals, in the order it meets them; `read`: libxml2 got past the
// prolog and found the document well-formed.
void refuse(const ReadPosition& at, xmlParserCtxtPtr parser, bool read) {
  // WCF's encoder meets it while it reads the envelope (XmlUTF8TextReader.Read).
  if (at.dtd) {
    throw MessageError(MessageErrorKind::doctype_refused,
                       "the message carries a DTD (<!DOCTYPE before the envelope); refused, not "
                       "resolved")
        .with_part(MessagePart::headers);
  }
  if (at.over_depth) {
    throw MessageError(MessageErrorKind::quota_exceeded,
                       "the maximum read depth (" + std::to_string(at.max_depth) +
                           ") has been exceeded: elements are nested deeper than the quota")
        .with_part(*at.over_depth);
  }
  if (!read || !parser->wellFormed) {
    throw MessageError(MessageErrorKind::malformed_xml, libxml2_words(xmlCtxtGetLastError(parser)))
        .with_part(at.part());
  }
}

constexpr int kReadOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

// --- The reading through a tree, for a message in another encoding ----------

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

// libxml2 builds its tree through the same callbacks, which we only wrap.
struct TreeReading : ReadPosition {
  startElementNsSAX2Func start = nullptr;
  endElementNsSAX2Func end = nullptr;
};

void tree_on_start(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri,
                   int nb_namespaces, const xmlChar** namespaces, int nb_attributes,
                   int nb_defaulted, const xmlChar** attributes) {
  auto& at = static_cast<TreeReading&>(position_of(ctx));
  if (!at.enter(static_cast<xmlParserCtxtPtr>(ctx))) return;
  at.start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted,
           attributes);
  at.entered(localname);
}

void tree_on_end(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri) {
  auto& at = static_cast<TreeReading&>(position_of(ctx));
  at.end(ctx, localname, prefix, uri);
  --at.depth;
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

// --- The reading through SAX callbacks only, for UTF-8 -----------------------
//
// The facts are those the tree reading finds with xml::child (the first
// matching child) and xmlNodeGetLang / xmlGetNsProp / xmlNodeGetContent, met
// as the parser goes, without a tree: building and freeing it was most of the
// cost of this check (issue 17).

// An attribute's value as the tree holds it. With entity substitution off,
// libxml2 hands SAX a '&' of the value (from &amp; or &#38;) as "&#38;", for
// its tree builder to read again (parser.c, xmlParseAttValueComplex); every
// other reference comes decoded.
std::string attribute_value(const xmlChar* value, const xmlChar* end) {
  std::string out(reinterpret_cast<const char*>(value), static_cast<std::size_t>(end - value));
  for (std::size_t at = out.find("&#38;"); at != std::string::npos; at = out.find("&#38;", at + 1))
    out.replace(at, 5, "&");
  return out;
}

// The first attribute `ns`:`local` among the SAX2 attributes (localname,
// prefix, URI, value, end: five pointers each), as xmlGetNsProp finds it.
std::optional<std::string> attribute(int nb_attributes, const xmlChar** attributes,
                                     std::string_view ns, std::string_view local) {
  for (int i = 0; i < nb_attributes; ++i) {
    const xmlChar** a = attributes + 5 * i;
    if (view(a[0]) == local && a[2] != nullptr && view(a[2]) == ns)
      return attribute_value(a[3], a[4]);
  }
  return std::nullopt;
}

// xs:boolean true, white space around it ignored, as xml::is_nil reads xsi:nil.
bool nil(int nb_attributes, const xmlChar** attributes) {
  const auto value = attribute(nb_attributes, attributes, uri::kXsiNs, "nil");
  return value && xml::is_true(*value);
}

// What an element is to the base64 check: a parent whose binary child is
// checked, or that child.
enum class Xcep : unsigned char { other, ca, extension };

struct SaxReading : ReadPosition {
  XmlFacts facts;
  // The chain Envelope/Body/Fault/Reason/Text, each the first such child of
  // the one before (xml::child): which are open, and which were met.
  bool body_open = false, fault_open = false, reason_open = false, header_open = false;
  bool body_met = false, fault_met = false, reason_met = false, text_met = false;
  bool header_met = false;
  // xml:lang of the chain's open elements by depth (1: the root): the Text's
  // ancestors, which xmlNodeGetLang climbs.
  std::array<std::optional<std::string>, 5> chain_lang;
  // The MS-XCEP kind of every open element, by depth (index 0: the root).
  std::vector<Xcep> kinds;
  // The text of every binary element met in the Body, in the order of their
  // start tags (the tree reading's order), decoded once the document is read.
  std::vector<std::string> binary_texts;
  // The open binary elements: their depth and their index in binary_texts.
  std::vector<std::pair<std::size_t, std::size_t>> open_binaries;
  // The MessageID header block while it is open: its text so far.
  bool message_id_open = false;
  std::string message_id_text;
};

SaxReading& sax_reading(void* ctx) {
  return static_cast<SaxReading&>(position_of(ctx));
}

bool soap(const xmlChar* uri, const xmlChar* localname, std::string_view local) {
  return uri != nullptr && view(localname) == local && view(uri) == uri::kSoap12Envelope;
}

void sax_on_start(void* ctx, const xmlChar* localname, const xmlChar* prefix, const xmlChar* uri,
                  int, const xmlChar**, int nb_attributes, int, const xmlChar** attributes) {
  auto& at = sax_reading(ctx);
  if (!at.enter(static_cast<xmlParserCtxtPtr>(ctx))) return;
  const std::size_t depth = at.depth;
  const auto lang = [&] { return attribute(nb_attributes, attributes, uri::kXmlNs, "lang"); };

  if (depth == 1) {
    at.chain_lang[0] = lang();
  } else if (depth == 2) {
    if (!at.body_met && soap(uri, localname, "Body")) {
      at.body_met = at.body_open = true;
      at.chain_lang[1] = lang();
    } else if (!at.header_met && soap(uri, localname, "Header")) {
      at.header_met = at.header_open = true;
    }
  } else if (depth == 3 && at.header_open) {
    if (!at.facts.message_id && !at.message_id_open && uri != nullptr &&
        view(uri) == uri::kAddressing && view(localname) == "MessageID") {
      at.message_id_open = true;
    }
    // A header block: mustUnderstand is an xs:boolean, "1" or "true" as written.
    const auto mu = attribute(nb_attributes, attributes, uri::kSoap12Envelope, "mustUnderstand");
    if (mu && (*mu == "1" || *mu == "true")) {
      // The tree names an element whose prefix is not declared "prefix:local".
      std::string name(view(localname));
      if (uri == nullptr && prefix != nullptr) name = std::string(view(prefix)) + ":" + name;
      at.facts.must_understand_headers.emplace_back(std::string(view(uri)), std::move(name));
    }
  } else if (depth == 3 && at.body_open && !at.fault_met && soap(uri, localname, "Fault")) {
    at.fault_met = at.fault_open = true;
    at.chain_lang[2] = lang();
  } else if (depth == 4 && at.fault_open && !at.reason_met && soap(uri, localname, "Reason")) {
    at.reason_met = at.reason_open = true;
    at.chain_lang[3] = lang();
  } else if (depth == 5 && at.reason_open && !at.text_met && soap(uri, localname, "Text")) {
    at.text_met = true;
    at.chain_lang[4] = lang();
    for (auto l = at.chain_lang.rbegin(); l != at.chain_lang.rend(); ++l) {
      if (*l) {
        at.facts.fault_reason_lang = **l;
        break;
      }
    }
  }

  // cA/certificate and extension/value: xs:base64Binary (MS-XCEP
  // 3.1.4.1.3.2, 3.1.4.1.3.10), checked anywhere in the Body.
  Xcep kind = Xcep::other;
  const bool xcep = uri != nullptr && view(uri) == kXcep;
  if (xcep && view(localname) == "cA") kind = Xcep::ca;
  if (xcep && view(localname) == "extension") kind = Xcep::extension;
  if (at.body_open && xcep && !at.kinds.empty()) {
    const Xcep parent = at.kinds.back();
    const bool binary = (parent == Xcep::ca && view(localname) == "certificate") ||
                        (parent == Xcep::extension && view(localname) == "value");
    if (binary && !nil(nb_attributes, attributes)) {
      at.open_binaries.emplace_back(depth, at.binary_texts.size());
      at.binary_texts.emplace_back();
    }
  }
  at.kinds.push_back(kind);
  at.entered(localname);
}

void sax_on_end(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto& at = sax_reading(ctx);
  const std::size_t depth = at.depth--;
  at.kinds.pop_back();
  if (!at.open_binaries.empty() && at.open_binaries.back().first == depth)
    at.open_binaries.pop_back();
  if (depth == 2) at.body_open = at.header_open = false;
  if (depth == 3) at.fault_open = false;
  if (depth == 3 && at.message_id_open) {
    at.message_id_open = false;
    at.facts.message_id = std::string(xml::trim_space(at.message_id_text));
  }
  if (depth == 4) at.reason_open = false;
}

// Text and CDATA alike: xmlNodeGetContent of an element is all the text and
// CDATA beneath it (comments and processing instructions left out).
void sax_on_text(void* ctx, const xmlChar* text, int length) {
  auto& at = sax_reading(ctx);
  if (at.message_id_open)
    at.message_id_text.append(reinterpret_cast<const char*>(text),
                              static_cast<std::size_t>(length));
  for (const auto& [depth, index] : at.open_binaries)
    at.binary_texts[index].append(reinterpret_cast<const char*>(text),
                                  static_cast<std::size_t>(length));
}

// Comments and processing instructions are no text (xmlNodeGetContent
// leaves them out); the parser checks them all the same. An entity reference
// is only handed over where a DTD declared entities, which is refused.
void sax_on_comment(void*, const xmlChar*) {}
void sax_on_processing_instruction(void*, const xmlChar*, const xmlChar*) {}
void sax_on_reference(void*, const xmlChar*) {}

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Whether libxml2 may read `xml` from an encoding other than UTF-8, so that
// only the tree reading can give the UTF-8 text: a UTF-16 byte order mark, a
// first four bytes that show UTF-16, UCS-4 or EBCDIC (XML 1.0 appendix F.1),
// or a declared encoding other than "UTF-8" (libxml2 keeps any other name,
// "UTF8" too). Conservative: whatever is not plainly UTF-8 goes to the tree.
bool maybe_other_encoding(std::string_view xml) {
  // The tree builder refuses a text node over this length (xmlSAX2Characters)
  // and stops there; no text node of a shorter UTF-8 document can reach it.
  if (xml.size() > XML_MAX_TEXT_LENGTH) return true;
  if (xml.rfind("\xEF\xBB\xBF", 0) == 0) xml.remove_prefix(3);
  if (xml.empty() || xml[0] != '<') return true;
  if (xml.substr(0, 4).find('\0') != std::string_view::npos) return true;
  if (xml.rfind("<?xml", 0) != 0 || xml.size() < 6 || !blank(xml[5]))
    return false;  // no XML declaration: UTF-8
  const std::size_t end = xml.find("?>");
  if (end == std::string_view::npos) return true;
  const std::string_view decl = xml.substr(0, end);
  const std::size_t name = decl.find("encoding");
  if (name == std::string_view::npos) return false;
  if (decl.find("encoding", name + 1) != std::string_view::npos) return true;
  std::size_t i = name + 8;
  const auto blanks = [&] {
    while (i < decl.size() && blank(decl[i])) ++i;
  };
  blanks();
  if (i >= decl.size() || decl[i] != '=') return true;
  ++i;
  blanks();
  if (i >= decl.size() || (decl[i] != '"' && decl[i] != '\'')) return true;
  const std::size_t close = decl.find(decl[i], i + 1);
  if (close == std::string_view::npos) return true;
  const std::string value(decl.substr(i + 1, close - i - 1));
  return xmlStrcasecmp(reinterpret_cast<const xmlChar*>(value.c_str()),
                       reinterpret_cast<const xmlChar*>("UTF-8")) != 0;
}

XmlFacts check_xml_with_sax(std::string_view xml, std::size_t max_depth) {
  const std::unique_ptr<xmlParserCtxt, ParserFree> parser(xmlNewParserCtxt());
  if (!parser) throw std::bad_alloc();
  SaxReading at;
  at.max_depth = max_depth;
  // libxml2's own SAX2 handler but for the callbacks that add nodes: the
  // document itself is still made (an empty xmlDoc, cheap), and entities are
  // still looked up as before, so that the parser takes the same way through
  // any message, a broken one too (with no document, parser.c's "expat
  // compatibility" declares a DTD's entities that a document would not see).
  xmlSAXHandler& sax = *parser->sax;
  sax.startElementNs = sax_on_start;
  sax.endElementNs = sax_on_end;
  sax.characters = sax_on_text;
  // The same callback, as in libxml2's own handler: no white space is told
  // apart as ignorable (areBlanks), all of it is text.
  sax.ignorableWhitespace = sax_on_text;
  sax.cdataBlock = sax_on_text;
  sax.comment = sax_on_comment;
  sax.processingInstruction = sax_on_processing_instruction;
  sax.reference = sax_on_reference;
  sax.internalSubset = on_doctype;
  parser->_private = static_cast<ReadPosition*>(&at);
  const std::unique_ptr<xmlDoc, DocFree> doc(
      xmlCtxtReadMemory(parser.get(), xml.data(), static_cast<int>(xml.size()), "message.xml",
                        nullptr, kReadOptions));
  refuse(at, parser.get(), doc != nullptr);
  for (const std::string& text : at.binary_texts) core::decode_base64(text);
  return std::move(at.facts);
}

}  // namespace

XmlFacts check_xml_with_tree(std::string_view xml, std::size_t max_depth) {
  const std::unique_ptr<xmlParserCtxt, ParserFree> parser(xmlNewParserCtxt());
  if (!parser) throw std::bad_alloc();
  TreeReading at;
  at.max_depth = max_depth;
  at.start = parser->sax->startElementNs;
  at.end = parser->sax->endElementNs;
  parser->sax->startElementNs = tree_on_start;
  parser->sax->endElementNs = tree_on_end;
  parser->sax->internalSubset = on_doctype;
  parser->_private = static_cast<ReadPosition*>(&at);
  const std::unique_ptr<xmlDoc, DocFree> doc(
      xmlCtxtReadMemory(parser.get(), xml.data(), static_cast<int>(xml.size()), "message.xml",
                        nullptr, kReadOptions));
  refuse(at, parser.get(), doc != nullptr);
  XmlFacts facts;
  const xmlNode* envelope = xmlDocGetRootElement(doc.get());
  const std::string soap(uri::kSoap12Envelope);
  const xmlNode* body = child(envelope, soap, "Body");
  if (const xmlNode* header = child(envelope, soap, "Header")) {
    if (const xmlNode* id = child(header, std::string(uri::kAddressing), "MessageID")) {
      const std::unique_ptr<xmlChar, XmlFree> text(xmlNodeGetContent(id));
      facts.message_id = std::string(xml::trim_space(view(text.get())));
    }
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

XmlFacts check_xml(std::string_view xml, std::size_t max_depth) {
  return maybe_other_encoding(xml) ? check_xml_with_tree(xml, max_depth)
                                   : check_xml_with_sax(xml, max_depth);
}

}  // namespace ceslab::wsdl::detail
