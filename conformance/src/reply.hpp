// SPDX-License-Identifier: GPL-2.0-or-later
// A server's answer as the conformance cases read it: the raw exchange and,
// when the body is XML, a libxml2 tree of it. The cases judge the bytes the
// server sent (an element present with xsi:nil, a SOAP 1.1 envelope), which
// the message model the codec reads into cannot show.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/wsdl/xml_nodes.hpp"

namespace ceslab::conformance {

namespace ns {
inline constexpr std::string_view kSoap12 = core::uri::kSoap12Envelope;
inline constexpr std::string_view kSoap11 = core::uri::kSoap11Envelope;
inline constexpr std::string_view kAddressing = core::uri::kAddressing;
inline constexpr std::string_view kTrust = core::uri::kTrustNs;
inline constexpr std::string_view kWsse = core::uri::kWsseNs;
inline constexpr std::string_view kEnrollment = core::uri::kEnrollmentNs;
inline constexpr std::string_view kPolicy = core::uri::kPolicyNs;
inline constexpr std::string_view kXsi = core::uri::kXsiNs;
}  // namespace ns

// An XML document held by libxml2 (read with no network and no DTD loading).
class XmlDoc {
 public:
  // Throws std::runtime_error with libxml2's message when `xml` is not
  // well-formed.
  static XmlDoc parse(std::string_view xml);
  xmlNode* root() const { return xmlDocGetRootElement(doc_.get()); }
  std::string serialize() const;

 private:
  struct Free {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
  };
  std::shared_ptr<xmlDoc> doc_;
};

// Element helpers over libxml2 nodes; `ns` empty matches any namespace.
using wsdl::xml::attribute;
using wsdl::xml::child;
using wsdl::xml::is;
using wsdl::xml::is_nil;
using wsdl::xml::local_name;
using wsdl::xml::namespace_of;
using wsdl::xml::text;  // trimmed
std::vector<const xmlNode*> children(const xmlNode* parent, std::string_view ns = {},
                                     std::string_view local = {});
// The child's text, or nullopt when the child is absent or nil.
std::optional<std::string> child_text(const xmlNode* parent, std::string_view ns,
                                      std::string_view local);

// One request a case sent and what came back.
struct Reply {
  std::string request;     // what was sent, for the report ("KET", "Issue without EncodingType")
  std::string message_id;  // the request's wsa:MessageID ("" when it had none)
  // The action an answer that is not a fault must carry: the request's own
  // answer action (MS-WSTEP: RSTRC/wstep, or RSTR/KETFinal for KET; MS-XCEP:
  // GetPoliciesResponse).
  std::string answer_action;
  client::SoapCall call;
  std::optional<XmlDoc> xml;  // the body, when it was XML
  std::string xml_error;      // why it was not
  // Sent with credentials and refused by the authentication layer (IIS's 401
  // or 403, WCF's InvalidSecurity): what it says is about the credentials,
  // not the rule a case checks.
  bool credentials_refused = false;

  // What came back in one line: "no HTTP response: …", "HTTP 401", "HTTP
  // 500 SOAP 1.2 Fault Sender/InvalidSecurity", "HTTP 200 SOAP 1.2
  // RequestSecurityTokenResponseCollection".
  std::string summary() const;

  int status() const;                // 0 without a response
  std::string content_type() const;  // "" without one
  const xmlNode* envelope() const;   // the root when it is a SOAP 1.1 or 1.2 Envelope
  std::string soap_version() const;  // "1.2", "1.1" or ""
  const xmlNode* header(std::string_view ns, std::string_view local) const;
  const xmlNode* body_element() const;  // the Body's first element
  const xmlNode* fault() const;         // the Body's Fault, either SOAP version
  // The fault's code as "Value[/Subcode]" local names (SOAP 1.2), or the
  // faultcode's local name (SOAP 1.1).
  std::string fault_code() const;
  // The CertificateEnrollmentWSDetail of the fault (MS-WSTEP 3.1.4.1.3.7),
  // under s:Detail (1.2) or detail (1.1).
  const xmlNode* enrollment_detail() const;
};

}  // namespace ceslab::conformance
