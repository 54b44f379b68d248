// SPDX-License-Identifier: GPL-2.0-or-later
// An HTML answer says which server sent it: IIS's error pages name their
// status and substatus ("HTTP Error 404.0 - Not Found"), its welcome page is
// titled "IIS Windows Server", Web Enrollment's pages "Microsoft Active
// Directory Certificate Services", NDES's "Network Device Enrollment
// Service". The catalog's rules read the page's title and visible text
// (`http.page`), so the HTML is parsed, not searched: libxml2's HTML parser,
// which never fetches a DTD or anything else (HTML_PARSE_NONET).
// Shared by the client (what it records of an HTML answer) and `ceslab
// diagnose`'s HTTP-dump reader, so a page met live and the same page saved
// read the same (issue 18).
#include "ceslab/core/html_page.hpp"

#include "ceslab/core/text.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <memory>

namespace ceslab::core {

namespace {

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

bool invisible(const xmlNode* n) {
  if (n->type != XML_ELEMENT_NODE || n->name == nullptr) return false;
  const std::string_view name(reinterpret_cast<const char*>(n->name));
  return name == "script" || name == "style" || name == "head";
}

// Appends `text` with runs of white space as one space.
void append_collapsed(std::string_view text, std::string& out, std::size_t limit) {
  for (const char c : text) {
    if (out.size() >= limit) return;
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
}

void visible_text(const xmlNode* node, std::string& out, std::size_t limit) {
  for (const xmlNode* n = node; n != nullptr && out.size() < limit; n = n->next) {
    if (n->type == XML_TEXT_NODE && n->content != nullptr) {
      append_collapsed(reinterpret_cast<const char*>(n->content), out, limit);
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (!invisible(n)) {
      visible_text(n->children, out, limit);
    }
  }
}

const xmlNode* find_element(const xmlNode* node, std::string_view name) {
  for (const xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && n->name != nullptr &&
        std::string_view(reinterpret_cast<const char*>(n->name)) == name)
      return n;
    if (const xmlNode* found = find_element(n->children, name)) return found;
  }
  return nullptr;
}

}  // namespace

bool is_html_answer(std::string_view content_type, std::string_view body) {
  return contains_icase(content_type, "html") || contains_icase(body.substr(0, 1024), "<html");
}

std::string html_page_text(std::string_view body, std::size_t limit) {
  if (body.empty()) return {};
  const std::unique_ptr<xmlDoc, DocFree> doc(htmlReadMemory(
      body.data(), static_cast<int>(body.size()), nullptr, nullptr,
      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
  if (!doc) return {};
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::string out;
  if (const xmlNode* title = find_element(root, "title")) {
    visible_text(title->children, out, limit);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (!out.empty()) out += " | ";
  }
  visible_text(root, out, limit);
  // The limit may have cut a UTF-8 sequence: drop its start (and, at worst,
  // one whole character) so the text stays valid for JSON.
  if (out.size() >= limit) {
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '|')) out.pop_back();
  return out;
}

}  // namespace ceslab::core
