// SPDX-License-Identifier: GPL-2.0-or-later
#include "wire_deviations.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <array>
#include <memory>
#include <string_view>

#include "ceslab/core/messages.hpp"
#include "ceslab/wsdl/xml_nodes.hpp"

namespace ceslab::mock {

namespace {

constexpr std::array<std::pair<std::string_view, WireDeviation>, 4> kNames = {{
    {"no_relates_to", WireDeviation::no_relates_to},
    {"request_id_without_ca", WireDeviation::request_id_without_ca},
    {"soap11_faults", WireDeviation::soap11_faults},
    {"nil_elements_omitted", WireDeviation::nil_elements_omitted},
}};

namespace uri = core::uri;
constexpr std::string_view kSoap12 = uri::kSoap12Envelope;
constexpr std::string_view kSoap11 = uri::kSoap11Envelope;
constexpr std::string_view kAddressing = uri::kAddressing;
constexpr std::string_view kEnrollment = uri::kEnrollmentNs;
constexpr std::string_view kPolicy = uri::kPolicyNs;
constexpr std::string_view kXsi = uri::kXsiNs;
constexpr std::string_view kXml = uri::kXmlNs;

const xmlChar* x(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}

using wsdl::xml::child;
using wsdl::xml::is;
using wsdl::xml::is_nil;

void remove(xmlNode* n) {
  xmlUnlinkNode(n);
  xmlFreeNode(n);
}

void drop_nil_elements(xmlNode* n) {
  for (xmlNode* c = n->children; c != nullptr;) {
    xmlNode* next = c->next;
    if (c->type == XML_ELEMENT_NODE) {
      if (is_nil(c)) {
        remove(c);
      } else {
        drop_nil_elements(c);
      }
    }
    c = next;
  }
}

// SOAP 1.2 Code/Value to SOAP 1.1 faultcode (SOAP 1.2 Part 0, 6 maps them).
std::string soap11_code(const std::string& value12) {
  const std::string local = value12.substr(value12.find(':') + 1);
  if (local == "Sender") return "s:Client";
  if (local == "Receiver") return "s:Server";
  return "s:" + local;
}

// The Fault rewritten in SOAP 1.1's shape; the envelope's namespace is
// switched by the caller.
void to_soap11_fault(xmlNode* fault) {
  const std::string code =
      soap11_code(wsdl::xml::text(child(child(fault, kSoap12, "Code"), kSoap12, "Value")));
  xmlNode* reason_text = child(child(fault, kSoap12, "Reason"), kSoap12, "Text");
  const std::string reason = wsdl::xml::text(reason_text);
  xmlNode* detail = child(fault, kSoap12, "Detail");
  xmlNode* detail11 = xmlNewNode(nullptr, x("detail"));
  if (detail != nullptr) {
    while (detail->children != nullptr) {
      xmlNode* c = detail->children;
      xmlUnlinkNode(c);
      xmlAddChild(detail11, c);
    }
  }
  while (fault->children != nullptr) remove(fault->children);
  xmlNewTextChild(fault, nullptr, x("faultcode"), x(code.c_str()));
  xmlNode* faultstring = xmlNewTextChild(fault, nullptr, x("faultstring"), x(reason.c_str()));
  xmlNs* xml_ns = xmlSearchNsByHref(fault->doc, fault, x(std::string(kXml).c_str()));
  xmlSetNsProp(faultstring, xml_ns, x("lang"), x("en-US"));
  if (detail11->children != nullptr) {
    xmlAddChild(fault, detail11);
  } else {
    xmlFreeNode(detail11);
  }
}

}  // namespace

std::string_view to_string(WireDeviation deviation) {
  for (const auto& [name, d] : kNames) {
    if (d == deviation) return name;
  }
  return "?";
}

std::optional<WireDeviation> wire_deviation_named(std::string_view name) {
  for (const auto& [n, d] : kNames) {
    if (n == name) return d;
  }
  return std::nullopt;
}

std::vector<std::string_view> wire_deviation_names() {
  std::vector<std::string_view> out;
  for (const auto& [name, d] : kNames) out.push_back(name);
  return out;
}

core::HttpResponse deviate(core::HttpResponse response,
                           const std::vector<WireDeviation>& deviations) {
  if (deviations.empty() || response.body.empty()) return response;
  const std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> doc(
      xmlReadMemory(response.body.data(), static_cast<int>(response.body.size()), "answer.xml",
                    nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      xmlFreeDoc);
  xmlNode* envelope = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
  if (!is(envelope, kSoap12, "Envelope")) return response;
  xmlNode* header = child(envelope, kSoap12, "Header");
  xmlNode* body = child(envelope, kSoap12, "Body");
  xmlNode* fault = child(body, kSoap12, "Fault");
  bool soap11 = false;
  for (const WireDeviation d : deviations) {
    switch (d) {
      case WireDeviation::no_relates_to:
        while (xmlNode* r = child(header, kAddressing, "RelatesTo")) remove(r);
        break;
      case WireDeviation::request_id_without_ca: {
        xmlNode* detail =
            child(child(fault, kSoap12, "Detail"), kEnrollment, "CertificateEnrollmentWSDetail");
        xmlNode* id = child(detail, kEnrollment, "RequestID");
        if (id != nullptr && is_nil(id)) {
          xmlUnsetNsProp(id, xmlSearchNsByHref(doc.get(), id, x(std::string(kXsi).c_str())),
                         x("nil"));
          xmlNodeSetContent(id, x("0"));
        }
        break;
      }
      case WireDeviation::soap11_faults:
        soap11 = fault != nullptr;
        break;
      case WireDeviation::nil_elements_omitted:
        if (xmlNode* gpr = child(body, kPolicy, "GetPoliciesResponse")) drop_nil_elements(gpr);
        break;
    }
  }
  if (soap11) {
    to_soap11_fault(fault);
    for (xmlNs* n = envelope->nsDef; n != nullptr; n = n->next) {
      if (xmlStrEqual(n->href, x(std::string(kSoap12).c_str()))) {
        xmlFree(const_cast<xmlChar*>(n->href));
        n->href = xmlStrdup(x(std::string(kSoap11).c_str()));
      }
    }
    for (core::HttpHeader& h : response.headers) {
      if (core::header_name_equals(h.name, "Content-Type")) h.value = "text/xml; charset=utf-8";
    }
  }
  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc.get(), &out, &size, "UTF-8");
  response.body.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
  xmlFree(out);
  return response;
}

}  // namespace ceslab::mock
