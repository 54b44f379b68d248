// SPDX-License-Identifier: GPL-2.0-or-later
// Event-log exports in XML, read with libxml2:
//   wevtutil qe <log> /f:xml        <Event xmlns=".../win/2004/08/events/event"> one after
//                                   another, no root element (/e:Events adds one)
//   wevtutil qe ... /f:RenderedXml  the same plus <RenderingInfo><Message>
//   Event Viewer "Save as XML"      <Events><Event>...</Event></Events>
//   Get-WinEvent | ConvertTo-Xml    <Objects><Object Type="...EventLogRecord">
//                                   <Property Name="Id">53</Property>...
//   Get-EventLog | ConvertTo-Xml    the same with EventLogEntry properties
// The document is refused if it declares a DOCTYPE; libxml2 then parses with
// network access off and entities left unsubstituted.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <charconv>
#include <cstdlib>
#include <memory>

#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct ContextFree {
  void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};

std::string_view local_name(const xmlNode* node) {
  return node->name == nullptr ? std::string_view()
                               : std::string_view(reinterpret_cast<const char*>(node->name));
}

std::string attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

std::string text_of(const xmlNode* node) {
  if (node == nullptr) return {};
  xmlChar* value = xmlNodeGetContent(node);
  if (value == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

const xmlNode* child(const xmlNode* node, std::string_view name) {
  if (node == nullptr) return nullptr;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && local_name(c) == name) return c;
  }
  return nullptr;
}

std::vector<const xmlNode*> children(const xmlNode* node, std::string_view name = {}) {
  std::vector<const xmlNode*> out;
  if (node == nullptr) return out;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && (name.empty() || local_name(c) == name)) out.push_back(c);
  }
  return out;
}

std::optional<long long> number(std::string_view text) {
  text = trim(text);
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// Audit events say success or failure in their keywords
// (0x0010000000000000 Audit Failure, 0x0020000000000000 Audit Success).
std::string audit_level(std::string_view keywords_hex) {
  const std::string_view t = trim(keywords_hex);
  if (t.size() < 3 || t.substr(0, 2) != "0x") return {};
  const unsigned long long bits = std::strtoull(std::string(t.substr(2)).c_str(), nullptr, 16);
  if ((bits & 0x0010000000000000ULL) != 0) return "Audit Failure";
  if ((bits & 0x0020000000000000ULL) != 0) return "Audit Success";
  return {};
}

// The leaves' text under UserData (events that carry their data there).
void leaf_texts(const xmlNode* node, std::vector<std::string>& out) {
  for (const xmlNode* c : children(node)) {
    if (children(c).empty()) {
      const std::string t(trim(text_of(c)));
      if (!t.empty()) out.push_back(t);
    } else {
      leaf_texts(c, out);
    }
  }
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

// <Event> as wevtutil and Event Viewer write it.
void read_event(const xmlNode* event, Reading& r) {
  const xmlNode* system = child(event, "System");
  const auto id = number(text_of(child(system, "EventID")));
  if (!id) {
    r.facts.push_back("an <Event> without a numeric EventID was skipped");
    return;
  }
  core::ServerEvent ev;
  ev.id = static_cast<int>(*id);
  const xmlNode* provider = child(system, "Provider");
  ev.source = attribute(provider, "Name");
  if (ev.source.empty()) ev.source = attribute(provider, "EventSourceName");
  ev.log = std::string(trim(text_of(child(system, "Channel"))));
  ev.host = std::string(trim(text_of(child(system, "Computer"))));
  ev.time = attribute(child(system, "TimeCreated"), "SystemTime");

  const xmlNode* rendering = child(event, "RenderingInfo");
  ev.message = text_of(child(rendering, "Message"));
  if (trim(ev.message).empty()) {
    // Without RenderingInfo the export holds only the insertion strings.
    std::vector<std::string> data;
    for (const xmlNode* d : children(child(event, "EventData"), "Data"))
      data.emplace_back(trim(text_of(d)));
    leaf_texts(child(event, "UserData"), data);
    ev.message = joined(data);
  }
  std::string level;
  for (const xmlNode* k : children(child(rendering, "Keywords"), "Keyword")) {
    const std::string keyword(trim(text_of(k)));
    if (keyword == "Audit Failure" || keyword == "Audit Success") level = keyword;
  }
  if (level.empty()) level = audit_level(text_of(child(system, "Keywords")));
  // The level number first: RenderingInfo's <Level> is in the culture of the
  // export (Culture='de-DE' says "Fehler").
  if (level.empty()) {
    if (const auto n = number(text_of(child(system, "Level"))))
      level = level_name(static_cast<int>(*n));
  }
  if (level.empty()) level = english_level(text_of(child(rendering, "Level")));
  ev.level = level;
  add_event(std::move(ev), r);
}

// <Object Type="System.Diagnostics.Eventing.Reader.EventLogRecord"> (or
// System.Diagnostics.EventLogEntry) as ConvertTo-Xml writes it.
void read_object(const xmlNode* object, Reading& r) {
  core::ServerEvent ev;
  std::optional<long long> id;
  std::optional<long long> instance_id;
  std::optional<long long> level_number;
  std::vector<std::string> values;
  for (const xmlNode* p : children(object, "Property")) {
    const std::string name = attribute(p, "Name");
    const std::string value(trim(text_of(p)));
    if (name == "Id" || name == "EventID") {
      id = number(value);
    } else if (name == "InstanceId") {
      instance_id = number(value);
    } else if (name == "ProviderName" || name == "Source") {
      ev.source = value;
    } else if (name == "LogName") {
      ev.log = value;
    } else if (name == "MachineName") {
      ev.host = value;
    } else if (name == "TimeCreated" || name == "TimeGenerated") {
      ev.time = value;
    } else if (name == "LevelDisplayName" || name == "EntryType") {
      ev.level = english_level(value);  // LevelDisplayName is localized
    } else if (name == "Level") {
      level_number = number(value);
    } else if (name == "Message") {
      ev.message = text_of(p);
    } else if (name == "KeywordsDisplayNames") {
      for (const xmlNode* k : children(p, "Property")) {
        const std::string keyword(trim(text_of(k)));
        if (keyword == "Audit Failure" || keyword == "Audit Success") ev.level = keyword;
      }
    } else if (name == "Properties" || name == "ReplacementStrings") {
      for (const xmlNode* item : children(p, "Property")) {
        const xmlNode* v = children(item).empty() ? item : nullptr;
        for (const xmlNode* inner : children(item, "Property")) {
          if (attribute(inner, "Name") == "Value") v = inner;
        }
        if (v != nullptr) values.emplace_back(trim(text_of(v)));
      }
    }
  }
  if (!id && instance_id) id = *instance_id & 0xFFFF;  // InstanceId carries the qualifiers
  if (!id) {
    r.facts.push_back("an event object without an Id was skipped");
    return;
  }
  ev.id = static_cast<int>(*id);
  if (ev.level.empty() && level_number) ev.level = level_name(static_cast<int>(*level_number));
  if (trim(ev.message).empty()) ev.message = joined(values);
  add_event(std::move(ev), r);
}

void walk(const xmlNode* node, Reading& r, int& found) {
  for (const xmlNode* c : children(node)) {
    const std::string_view name = local_name(c);
    if (name == "Event" && child(c, "System") != nullptr) {
      read_event(c, r);
      ++found;
    } else if (name == "Object" &&
               (attribute(c, "Type").find("EventLogRecord") != std::string::npos ||
                attribute(c, "Type").find("EventLogEntry") != std::string::npos)) {
      read_object(c, r);
      ++found;
    } else {
      walk(c, r, found);
    }
  }
}

}  // namespace

Reading read_event_xml(std::string_view name, std::string_view text) {
  const std::string who(name);
  refuse_doctype(name, text);
  // wevtutil writes events one after another without a root element: wrap
  // them (after the XML declaration, if any) so one parse reads them all.
  std::string_view body = trim(text);
  if (body.substr(0, 5) == "<?xml") {
    const std::size_t end = body.find("?>");
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 2);
  }
  const std::string wrapped = "<ceslab-events>" + std::string(body) + "</ceslab-events>";

  xmlInitParser();
  const std::unique_ptr<xmlParserCtxt, ContextFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) throw InputError(who, "cannot be parsed: libxml2 could not allocate a parser");
  // No network, no entity substitution, no DTD loading; errors are taken
  // from the context rather than printed.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  const std::unique_ptr<xmlDoc, DocFree> doc(xmlCtxtReadMemory(
      ctxt.get(), wrapped.data(), static_cast<int>(wrapped.size()), "input", "UTF-8", options));
  if (!doc || !ctxt->wellFormed) {
    const xmlError* error = xmlCtxtGetLastError(ctxt.get());
    std::string detail =
        error != nullptr && error->message != nullptr ? error->message : "unknown error";
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    throw InputError(who, "is not well-formed XML (line " +
                              std::to_string(error != nullptr ? error->line : 0) + ": " + detail +
                              ")");
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr)
    throw InputError(who, "carries a document type declaration; refused, not resolved");

  Reading r;
  int found = 0;
  walk(xmlDocGetRootElement(doc.get()), r, found);
  if (found == 0)
    throw InputError(who, "holds no Windows event (no <Event> element, no EventLogRecord object)");
  r.facts.insert(r.facts.begin(), std::to_string(found) + (found == 1 ? " event" : " events") +
                                      " in the XML export");
  return r;
}

}  // namespace ceslab::diagnosis::inputs
