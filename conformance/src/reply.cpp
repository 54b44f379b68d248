// SPDX-License-Identifier: GPL-2.0-or-later
#include "reply.hpp"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <stdexcept>

namespace ceslab::conformance {

namespace {

// libxml2's message for the last error, without the newline it ends with;
// "" when there is none.
std::string last_xml_error() {
  const xmlError* e = xmlGetLastError();
  if (e == nullptr || e->message == nullptr) return "";
  std::string message(e->message);
  message.erase(message.find_last_not_of(" \t\r\n") + 1);
  return message;
}

// The local part of a QName value ("s:Receiver" -> "Receiver").
std::string qname_local(const std::string& value) {
  const auto colon = value.find(':');
  return colon == std::string::npos ? value : value.substr(colon + 1);
}

}  // namespace

XmlDoc XmlDoc::parse(std::string_view xml) {
  xmlResetLastError();
  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "answer.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) {
    const std::string error = last_xml_error();
    throw std::runtime_error(error.empty() ? "not well-formed XML"
                                           : "not well-formed XML: " + error);
  }
  XmlDoc out;
  out.doc_ = std::shared_ptr<xmlDoc>(doc, Free{});
  return out;
}

std::string XmlDoc::serialize() const {
  xmlChar* buffer = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc_.get(), &buffer, &size, "UTF-8");
  std::string out(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(size));
  xmlFree(buffer);
  return out;
}

std::vector<const xmlNode*> children(const xmlNode* parent, std::string_view ns,
                                     std::string_view local) {
  std::vector<const xmlNode*> out;
  if (parent == nullptr) return out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (is(c, ns, local)) out.push_back(c);
  }
  return out;
}

std::optional<std::string> child_text(const xmlNode* parent, std::string_view ns,
                                      std::string_view local) {
  const xmlNode* c = child(parent, ns, local);
  if (c == nullptr || is_nil(c)) return std::nullopt;
  return text(c);
}

int Reply::status() const {
  return call.exchange.response ? call.exchange.response->status : 0;
}

std::string Reply::content_type() const {
  if (!call.exchange.response) return "";
  return call.exchange.response->header("Content-Type").value_or("");
}

const xmlNode* Reply::envelope() const {
  if (!xml) return nullptr;
  const xmlNode* root = xml->root();
  if (is(root, ns::kSoap12, "Envelope") || is(root, ns::kSoap11, "Envelope")) return root;
  return nullptr;
}

std::string Reply::soap_version() const {
  const xmlNode* e = envelope();
  if (e == nullptr) return "";
  return namespace_of(e) == ns::kSoap12 ? "1.2" : "1.1";
}

const xmlNode* Reply::header(std::string_view ns_uri, std::string_view local) const {
  const xmlNode* e = envelope();
  return child(child(e, namespace_of(e), "Header"), ns_uri, local);
}

const xmlNode* Reply::body_element() const {
  const xmlNode* e = envelope();
  const xmlNode* body = child(e, namespace_of(e), "Body");
  const auto elements = children(body);
  return elements.empty() ? nullptr : elements.front();
}

const xmlNode* Reply::fault() const {
  const xmlNode* b = body_element();
  return is(b, namespace_of(envelope()), "Fault") ? b : nullptr;
}

std::string Reply::fault_code() const {
  const xmlNode* f = fault();
  if (f == nullptr) return "";
  if (soap_version() == "1.1") return qname_local(text(child(f, "", "faultcode")));
  const xmlNode* code = child(f, ns::kSoap12, "Code");
  std::string out = qname_local(text(child(code, ns::kSoap12, "Value")));
  if (const xmlNode* sub = child(code, ns::kSoap12, "Subcode")) {
    out += "/" + qname_local(text(child(sub, ns::kSoap12, "Value")));
  }
  return out;
}

const xmlNode* Reply::enrollment_detail() const {
  const xmlNode* f = fault();
  const xmlNode* detail =
      soap_version() == "1.1" ? child(f, "", "detail") : child(f, ns::kSoap12, "Detail");
  return child(detail, ns::kEnrollment, "CertificateEnrollmentWSDetail");
}

std::string Reply::summary() const {
  if (!call.exchange.response) return "no HTTP response: " + call.exchange.error_message;
  std::string out = "HTTP " + std::to_string(status());
  // What the client's Kerberos library said when it could not answer a 401.
  if (call.kerberos && call.kerberos->gss_text && !call.kerberos->gss_text->empty()) {
    out += " (Kerberos: " + *call.kerberos->gss_text + ")";
  }
  const std::string version = soap_version();
  if (version.empty()) {
    const std::string type = content_type();
    return out + (type.empty() ? "" : " (" + type + ")");
  }
  out += " SOAP " + version;
  if (fault() != nullptr) return out + " Fault " + fault_code();
  const xmlNode* b = body_element();
  return out + " " + (b == nullptr ? std::string("empty Body") : local_name(b));
}

}  // namespace ceslab::conformance
