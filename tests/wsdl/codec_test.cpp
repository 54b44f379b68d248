// SPDX-License-Identifier: GPL-2.0-or-later
// The SOAP codec against golden wire fixtures (tests/fixtures/wire, where the
// README names the source of each shape): Windows-shaped messages parse into
// the expected model, our writer reproduces them structurally, every body
// round-trips, lenient input is accepted and hostile input is refused.
#include "ceslab/wsdl/codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/core/base64.hpp"

namespace {

using namespace ceslab::core;
using ceslab::wsdl::CodecLimits;
using ceslab::wsdl::MessageError;
using ceslab::wsdl::MessageErrorKind;
using ceslab::wsdl::read_message;
using ceslab::wsdl::structural_xml;
using ceslab::wsdl::write_message;

// ---- fixture access --------------------------------------------------------

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string wire(std::string_view name) {
  return slurp(std::string(CESLAB_FIXTURES_DIR) + "/wire/" + std::string(name));
}

// The DER the fixtures' base64 was made from (public data, see README).
ByteString der(std::string_view name) {
  const std::string bytes =
      slurp(std::string(CESLAB_FIXTURES_DIR) + "/wire/der/" + std::string(name));
  return ByteString(bytes.begin(), bytes.end());
}

TimePoint utc(int y, unsigned mo, unsigned d, int h, int mi, int s, int ms = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s} +
         milliseconds{ms};
}

template <typename T>
const T& body_as(const SoapMessage& m) {
  if (!std::holds_alternative<T>(m.body)) {
    throw std::runtime_error("the message body holds alternative " +
                             std::to_string(m.body.index()));
  }
  return std::get<T>(m.body);
}

// The WS-Security header of the golden Issue request (rst_issue_pkcs10.xml and
// its lenient variant): the timestamp and alice's UsernameToken.
void expect_example_security(const SoapMessage& m) {
  ASSERT_TRUE(m.security);
  EXPECT_EQ(m.security->created, utc(2026, 1, 15, 9, 30, 0, 549));
  EXPECT_EQ(m.security->expires, utc(2026, 1, 15, 9, 35, 0, 549));
  ASSERT_TRUE(m.security->username_token);
  EXPECT_EQ(m.security->username_token->username, "LAB\\alice");
  EXPECT_EQ(m.security->username_token->password, "Correct-Horse-9");
}

// Runs `f` and returns the kind of the MessageError it throws, nullopt if it
// throws none (which then fails the caller's EXPECT_EQ).
template <typename F>
std::optional<MessageErrorKind> error_kind(F&& f) {
  try {
    f();
  } catch (const MessageError& e) {
    return e.kind();
  }
  return std::nullopt;
}

constexpr std::string_view kCesUsernamePassword =
    "https://ca.lab.example/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES";
constexpr std::string_view kCesKerberos =
    "https://ca.lab.example/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES";
constexpr std::string_view kCepUsernamePassword =
    "https://ca.lab.example/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP";
constexpr std::string_view kWcfDiagnostics =
    "http://schemas.microsoft.com/2004/09/ServiceModel/Diagnostics";

// ---- structural comparison -------------------------------------------------
//
// structural_xml() renders one element per line, indented two spaces per
// level; base64 text with CRLF continues on lines of its own (they never start
// with a space or '{'). The tree below lets the golden test drop or reorder
// the few things our writer cannot reproduce, each one named with its reason.

struct Node {
  std::string head;  // "{ns}local @{ns}attr=v ... = text" plus continuation lines
  std::vector<Node> children;

  std::string name() const { return head.substr(0, head.find(' ')); }
};

Node build(const std::vector<std::pair<std::size_t, std::string>>& lines, std::size_t& i) {
  Node n{lines[i].second, {}};
  const std::size_t depth = lines[i].first;
  ++i;
  while (i < lines.size() && lines[i].first > depth) n.children.push_back(build(lines, i));
  return n;
}

Node parse_structural(const std::string& text) {
  std::vector<std::pair<std::size_t, std::string>> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto indent = line.find_first_not_of(' ');
    if (indent != std::string::npos && line[indent] == '{') {
      lines.emplace_back(indent / 2, line.substr(indent));
    } else if (!lines.empty()) {
      lines.back().second += "\n" + line;  // continuation of multi-line text
    }
  }
  if (lines.empty()) throw std::runtime_error("empty structural rendering");
  std::size_t i = 0;
  return build(lines, i);
}

void render(const Node& n, std::size_t depth, std::string& out) {
  out += std::string(depth * 2, ' ') + n.head + "\n";
  for (const Node& c : n.children) render(c, depth + 1, out);
}

std::string render(const Node& n) {
  std::string out;
  render(n, 0, out);
  return out;
}

void for_each_node(Node& n, const std::function<void(Node&)>& f) {
  f(n);
  for (Node& c : n.children) for_each_node(c, f);
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

const std::string kS = "{" + std::string(uri::kSoap12Envelope) + "}";
const std::string kA = "{" + std::string(uri::kAddressing) + "}";
const std::string kWsse =
    "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}";
const std::string kWsu =
    "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}";
const std::string kWst = "{http://docs.oasis-open.org/ws-sx/ws-trust/200512}";
const std::string kEnr = "{http://schemas.microsoft.com/windows/pki/2009/01/enrollment}";
const std::string kXcep = "{http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy}";

Node* header_of(Node& envelope) {
  for (Node& c : envelope.children) {
    if (c.name() == kS + "Header") return &c;
  }
  return nullptr;
}

// A normalisation applied to both sides, with the reason it is legitimate.
struct Filter {
  const char* why;
  std::function<void(Node& envelope)> apply;
};

// Differences our writer cannot control. Everything not listed here must
// match the Windows-shaped fixture exactly.
const std::vector<Filter>& writer_filters() {
  static const std::vector<Filter> filters = {
      {"WCF adds a diagnostics ActivityId header; the model ignores it (docs/protocol.md 0), "
       "so it is never written back",
       [](Node& env) {
         if (Node* h = header_of(env)) {
           std::erase_if(h->children, [](const Node& c) {
             return c.name() == "{" + std::string(kWcfDiagnostics) + "}ActivityId";
           });
         }
       }},
      {"mustUnderstand is an xs:boolean: gSOAP writes \"true\", WCF writes \"1\"",
       [](Node& env) {
         if (Node* h = header_of(env)) {
           for_each_node(*h, [](Node& n) {
             replace_all(n.head, "}mustUnderstand=true", "}mustUnderstand=1");
           });
         }
       }},
      {"gSOAP's import/wsa5.h declares ReplyTo mustUnderstand, so it is always flagged; "
       "WCF understands ReplyTo either way",
       [](Node& env) {
         if (Node* h = header_of(env)) {
           for (Node& c : h->children) {
             if (c.name() == kA + "ReplyTo")
               replace_all(c.head, " @" + kS + "mustUnderstand=1", "");
           }
         }
       }},
      {"SOAP header blocks have no order; gSOAP writes them in SOAP_ENV__Header member "
       "order (MessageID, ReplyTo, To, Action, Security), Windows writes Action first",
       [](Node& env) {
         if (Node* h = header_of(env)) {
           std::sort(h->children.begin(), h->children.end(),
                     [](const Node& a, const Node& b) { return render(a) < render(b); });
         }
       }},
      {"the model does not carry the UsernameToken's wsu:Id (WCF makes a fresh one per "
       "message); the writer uses a fixed one",
       [](Node& env) {
         for_each_node(env, [](Node& n) {
           if (n.name() != kWsse + "UsernameToken") return;
           const std::string attr = " @" + kWsu + "Id=";
           const auto at = n.head.find(attr);
           if (at == std::string::npos) return;
           const auto end = n.head.find(' ', at + attr.size());
           n.head.replace(at + attr.size(),
                          end == std::string::npos ? std::string::npos : end - at - attr.size(),
                          "<id>");
         });
       }},
  };
  return filters;
}

const Filter kBase64LineBreaks{
    "cepces sends the PEM body (LF at 64 columns); our writer always writes AD CS style (CRLF), "
    "checked by CodecGolden.WriterWrapsBase64LikeAdCs",
    [](Node& env) {
      for_each_node(env, [](Node& n) {
        if (n.name() != kWsse + "BinarySecurityToken") return;
        const auto text = n.head.find(" = ");
        if (text == std::string::npos) return;
        std::string tail = n.head.substr(text + 3);
        std::erase_if(tail, [](char c) { return c == '\r' || c == '\n' || c == ' '; });
        n.head = n.head.substr(0, text + 3) + tail;
      });
    }};

const Filter kRstRequestIdAbsentIsNil{
    "RequestSecurityToken.request_id has one state (nullopt) for absent and nil; the "
    "writer sends nil as Windows does (docs/protocol.md 5.5)",
    [](Node& env) {
      for_each_node(env, [](Node& n) {
        if (n.name() != kWst + "RequestSecurityToken") return;
        std::erase_if(n.children, [](const Node& c) {
          return c.head == kEnr + "RequestID @{http://www.w3.org/2001/XMLSchema-instance}nil=true";
        });
      });
    }};

// KNOWN GAP (reported, not a writer choice): Windows sends lastUpdate
// 0001-01-01T00:00:00 on a first fetch (MS-XCEP 4.1.1.1). gSOAP maps year 1
// to 1970 and TimePoint (nanoseconds) cannot hold year 1 anyway, so the
// writer sends 1970-01-01T00:00:00Z. Both mean "older than the server".
const Filter kFirstFetchLastUpdate{
    "KNOWN GAP: lastUpdate 0001-01-01T00:00:00 comes back as 1970-01-01T00:00:00Z", [](Node& env) {
      for_each_node(env, [](Node& n) {
        if (n.name() != kXcep + "lastUpdate") return;
        replace_all(n.head, " = 0001-01-01T00:00:00", " = <first fetch>");
        replace_all(n.head, " = 1970-01-01T00:00:00Z", " = <first fetch>");
      });
    }};

std::string normalized(std::string_view xml, const std::vector<Filter>& extra) {
  Node env = parse_structural(structural_xml(xml));
  for (const Filter& f : writer_filters()) f.apply(env);
  for (const Filter& f : extra) f.apply(env);
  return render(env);
}

// ---- a complete rendering of the model, for round trips ---------------------

std::string show(const std::optional<std::string>& v) {
  return v ? "\"" + *v + "\"" : "<none>";
}
template <typename T>
std::string show(const std::optional<T>& v) {
  return v ? std::to_string(*v) : "<none>";
}
std::string show(const std::optional<bool>& v) {
  return v ? (*v ? "true" : "false") : "<none>";
}
std::string show(const std::optional<TimePoint>& v) {
  if (!v) return "<none>";
  using std::chrono::microseconds;
  return std::to_string(std::chrono::duration_cast<microseconds>(v->time_since_epoch()).count()) +
         "us";
}
std::string show(const ByteString& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return "[" + std::to_string(b.size()) + "]" + out;
}
std::string show(const std::optional<ByteString>& b) {
  return b ? show(*b) : "<none>";
}
std::string show(const std::optional<BinaryToken>& t) {
  if (!t) return "<none>";
  return "{value_type=" + t->value_type + " encoding_type=" + show(t->encoding_type) +
         " data=" + show(t->data) + "}";
}
template <typename T>
std::string show_list(const std::optional<std::vector<T>>& v) {
  if (!v) return "<nil>";
  std::string out = "[";
  for (const auto& x : *v) {
    if constexpr (std::is_same_v<T, std::string>) {
      out += "\"" + x + "\",";
    } else {
      out += std::to_string(x) + ",";
    }
  }
  return out + "]";
}

std::string dump(const RequestSecurityToken& r) {
  std::string out = "RST token_type=" + show(r.token_type) +
                    " request_type=" + show(r.request_type) + " token=" + show(r.token) +
                    " request_ket=" + (r.request_ket ? "1" : "0") +
                    " request_id=" + show(r.request_id) + " context=[";
  for (const ContextItem& c : r.context) out += c.name + ":" + show(c.value) + ",";
  return out + "]\n";
}

std::string dump(const RequestSecurityTokenResponse& r) {
  return "RSTR token_type=" + show(r.token_type) + " disposition=" + show(r.disposition_message) +
         " lang=" + show(r.disposition_lang) + " cmc=" + show(r.cmc_response) +
         " issued=" + show(r.issued_certificate) + " pending=" + show(r.pending_reference) +
         " ket=" + show(r.key_exchange_token) + " request_id=" + show(r.request_id) + "\n";
}

std::string dump(const EnrollmentFault& f) {
  return "Fault kind=" + std::to_string(static_cast<int>(f.kind)) + " action=" + f.action +
         " code=" + f.code + " subcode=" + show(f.subcode) +
         " subcode_ns=" + show(f.subcode_namespace) + " reason=\"" + f.reason +
         "\" lang=" + f.reason_lang + " has_detail=" + (f.has_detail ? "1" : "0") +
         " binary_response=" + show(f.binary_response) + " error_code=" + show(f.error_code) +
         " invalid_request=" + show(f.invalid_request) + " request_id=" + show(f.request_id) + "\n";
}

std::string dump(const GetPoliciesRequest& r) {
  std::string out = "GetPolicies last_update=" + show(r.last_update) +
                    " preferred_language=" + show(r.preferred_language) +
                    " filter_nil=" + (r.filter_nil ? "1" : "0");
  if (!r.filter_nil) {
    out += " policy_oids=" + show_list(r.policy_oids) +
           " client_version=" + show(r.client_version) +
           " server_version=" + show(r.server_version);
  }
  return out + "\n";
}

std::string dump(const PolicyTemplate& t) {
  std::string out =
      "  policy oid_ref=" + std::to_string(t.oid_reference) + " cas=" + show_list(t.ca_references) +
      " cn=" + t.common_name + " schema=" + std::to_string(t.policy_schema) +
      " validity=" + std::to_string(t.validity_seconds) +
      " renewal=" + std::to_string(t.renewal_seconds) + " enroll=" + std::to_string(t.enroll) +
      " auto=" + std::to_string(t.auto_enroll) +
      " min_key=" + std::to_string(t.minimal_key_length) + " key_spec=" + show(t.key_spec) +
      " kup=" + show(t.key_usage_property) + " perms=" + show(t.key_permissions) +
      " alg_ref=" + show(t.algorithm_oid_reference) + " csps=" + show_list(t.crypto_providers) +
      " major=" + std::to_string(t.major_revision) + " minor=" + show(t.minor_revision) +
      " superseded=" + show_list(t.superseded) + " pkf=" + show(t.private_key_flags) +
      " snf=" + show(t.subject_name_flags) + " ef=" + show(t.enrollment_flags) +
      " gf=" + show(t.general_flags) + " hash_ref=" + show(t.hash_algorithm_oid_reference) +
      " extensions=";
  if (!t.extensions) return out + "<nil>\n";
  out += "[";
  for (const PolicyExtension& e : *t.extensions) {
    out += "{" + std::to_string(e.oid_reference) + " critical=" + show(e.critical) +
           " value=" + show(e.value) + "}";
  }
  return out + "]\n";
}

std::string dump(const GetPoliciesResponse& r) {
  std::string out = "GetPoliciesResponse response_nil=" + std::to_string(r.response_nil) + "\n";
  if (!r.response_nil) {  // the response fields mean nothing when it is nil
    out += " policy_id=" + r.policy_id + " friendly=" + show(r.policy_friendly_name) +
           " next_update=" + show(r.next_update_hours) +
           " not_changed=" + show(r.policies_not_changed) + "\n";
    if (!r.policies) out += " policies=<nil>\n";
    if (r.policies) {
      for (const PolicyTemplate& t : *r.policies) out += dump(t);
    }
  }
  if (!r.cas) out += " cas=<nil>\n";
  if (r.cas) {
    for (const PolicyCa& ca : *r.cas) {
      out += "  ca ref=" + std::to_string(ca.reference_id) +
             " enroll=" + std::to_string(ca.enroll_permission) + " cert=" + show(ca.certificate) +
             "\n";
      for (const CaUri& u : ca.uris) {
        out += "    uri auth=" + std::to_string(u.client_authentication) + " " + u.uri +
               " priority=" + show(u.priority) + " renewal_only=" + show(u.renewal_only) + "\n";
      }
    }
  }
  if (!r.oids) out += " oids=<nil>\n";
  if (r.oids) {
    for (const PolicyOid& o : *r.oids) {
      out += "  oid " + o.value + " group=" + std::to_string(o.group) +
             " ref=" + std::to_string(o.reference_id) + " name=" + o.default_name + "\n";
    }
  }
  return out;
}

std::string dump(const SoapMessage& m) {
  const Addressing& a = m.addressing;
  std::string out = "action=" + a.action + " message_id=" + show(a.message_id) +
                    " to=" + show(a.to) + " reply_to=" + show(a.reply_to) +
                    " relates_to=" + show(a.relates_to) + "\n";
  if (m.security) {
    out +=
        "security created=" + show(m.security->created) + " expires=" + show(m.security->expires);
    if (const auto& ut = m.security->username_token) {
      out += " user=" + ut->username + " password=" + ut->password + " type=" + ut->password_type;
    }
    out += "\n";
  }
  return out + std::visit([](const auto& body) { return dump(body); }, m.body);
}

// ===========================================================================
// CodecGolden: each fixture parses into the expected model, field by field,
// and our writer reproduces it structurally.

TEST(CodecGolden, RstIssuePkcs10WindowsStyle) {
  const SoapMessage m = read_message(wire("rst_issue_pkcs10.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionRstWstep);
  EXPECT_EQ(m.addressing.message_id, "urn:uuid:6f0c2a5e-3d41-4b8e-9a57-1c2d3e4f5a61");
  EXPECT_EQ(m.addressing.reply_to, std::string(uri::kAnonymous));
  EXPECT_EQ(m.addressing.to, std::string(kCesUsernamePassword));
  EXPECT_FALSE(m.addressing.relates_to);

  ASSERT_NO_FATAL_FAILURE(expect_example_security(m));
  EXPECT_EQ(m.security->username_token->password_type, uri::kPasswordText);

  const auto& rst = body_as<RequestSecurityToken>(m);
  EXPECT_EQ(rst.token_type, std::string(uri::kTokenTypeX509v3));
  EXPECT_EQ(rst.request_type, std::string(uri::kRequestTypeIssue));
  ASSERT_TRUE(rst.token);
  // Windows labels even a bare PKCS#10 as #PKCS7 (MS-WSTEP 4.1.1.1).
  EXPECT_EQ(rst.token->value_type, uri::kValueTypePkcs7);
  EXPECT_EQ(rst.token->encoding_type, std::string(uri::kEncodingBase64));
  EXPECT_EQ(rst.token->data, der("pkcs10_alice.der"));
  ASSERT_EQ(rst.context.size(), 1u);
  EXPECT_EQ(rst.context[0].name, "CertificateTemplate");
  EXPECT_EQ(rst.context[0].value, "User");
  EXPECT_FALSE(rst.request_ket);
  EXPECT_FALSE(rst.request_id) << "RequestID is xsi:nil on Issue";
}

// The Password's Type is an unqualified attribute (UsernameToken Profile 1.0,
// 3.1). A sender that qualifies it (wsse:Type, as one Linux client does)
// sends no Type WCF reads; absent, it means PasswordText. The codec reports
// what the message says: an unqualified Type, or none.
TEST(CodecRead, PasswordTypeQualifiedInTheWsseNamespaceIsNoType) {
  std::string xml = wire("get_policies.xml");
  const std::string unqualified = "<o:Password Type=";
  ASSERT_NE(xml.find(unqualified), std::string::npos);
  xml.replace(xml.find(unqualified), unqualified.size(), "<o:Password o:Type=");
  const SoapMessage m = read_message(xml);
  ASSERT_TRUE(m.security && m.security->username_token);
  EXPECT_EQ(m.security->username_token->password, "Correct-Horse-9");
  EXPECT_EQ(m.security->username_token->password_type, "");
}

TEST(CodecGolden, RstIssuePkcs10CepcesStyle) {
  const SoapMessage m = read_message(wire("rst_issue_pkcs10_cepces.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionRstWstep);
  EXPECT_EQ(m.addressing.message_id, "urn:uuid:0b9d3c1e-7f52-4a64-8e1b-2c3d4e5f6a72");
  EXPECT_EQ(m.addressing.to, std::string(kCesKerberos));
  EXPECT_FALSE(m.security) << "Kerberos endpoint: no WS-Security header";
  const auto& rst = body_as<RequestSecurityToken>(m);
  ASSERT_TRUE(rst.token);
  EXPECT_EQ(rst.token->value_type, uri::kValueTypePkcs10);
  EXPECT_EQ(rst.token->encoding_type, std::string(uri::kEncodingBase64));
  EXPECT_EQ(rst.token->data, der("pkcs10_alice.der"));
  EXPECT_TRUE(rst.context.empty());
  EXPECT_FALSE(rst.request_id);
}

TEST(CodecGolden, RstRenewalCms) {
  const SoapMessage m = read_message(wire("rst_renewal_cms.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionRstWstep);
  EXPECT_EQ(m.addressing.message_id, "urn:uuid:c3a1e5f7-1b2d-4e6f-8a9b-0c1d2e3f4a83");
  EXPECT_FALSE(m.addressing.to) << "the MS-WSTEP examples omit a:To";
  EXPECT_FALSE(m.security);
  const auto& rst = body_as<RequestSecurityToken>(m);
  // Renewal is RequestType Issue too (MS-WSTEP 3.1.4.2.1.1).
  EXPECT_EQ(rst.request_type, std::string(uri::kRequestTypeIssue));
  ASSERT_TRUE(rst.token);
  EXPECT_EQ(rst.token->value_type, uri::kValueTypePkcs7);
  EXPECT_EQ(rst.token->encoding_type, std::string(uri::kEncodingBase64));
  const ByteString cms = der("cms_renewal.der");
  EXPECT_EQ(rst.token->data, cms);
  // A ContentInfo: SEQUENCE { OID 1.2.840.113549.1.7.2 (signedData) ... }.
  const ByteString signed_data_oid = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                      0xf7, 0x0d, 0x01, 0x07, 0x02};
  EXPECT_NE(
      std::search(cms.begin(), cms.begin() + 16, signed_data_oid.begin(), signed_data_oid.end()),
      cms.begin() + 16);
  // ... whose pkcs7-data content is the new PKCS#10 (docs/protocol.md 1.4).
  const ByteString inner = der("pkcs10_alice_renewal.der");
  EXPECT_NE(std::search(cms.begin(), cms.end(), inner.begin(), inner.end()), cms.end());
  EXPECT_TRUE(rst.context.empty());
  EXPECT_FALSE(rst.request_id);
}

TEST(CodecGolden, RstQueryTokenStatus) {
  const SoapMessage m = read_message(wire("rst_query_token_status.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionRstWstep);
  const auto& rst = body_as<RequestSecurityToken>(m);
  EXPECT_EQ(rst.token_type, std::string(uri::kTokenTypeX509v3));
  EXPECT_EQ(rst.request_type, std::string(uri::kRequestTypeQueryTokenStatus));
  EXPECT_FALSE(rst.token) << "QueryTokenStatus carries no BinarySecurityToken";
  EXPECT_EQ(rst.request_id, "65");
  EXPECT_FALSE(rst.request_ket);
}

TEST(CodecGolden, RstKet) {
  const SoapMessage m = read_message(wire("rst_ket.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionRstKet);
  EXPECT_EQ(m.addressing.message_id, "urn:uuid:e5c3a7b9-3d4f-4081-acbd-2e3f4a5b6ca5");
  const auto& rst = body_as<RequestSecurityToken>(m);
  EXPECT_EQ(rst.request_type, std::string(uri::kRequestTypeKet));
  EXPECT_TRUE(rst.request_ket);
  EXPECT_FALSE(rst.token);
  EXPECT_FALSE(rst.request_id);
}

TEST(CodecGolden, RstrcIssued) {
  const SoapMessage m = read_message(wire("rstrc_issued.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionRstrcWstep);
  EXPECT_EQ(m.addressing.relates_to, "urn:uuid:6f0c2a5e-3d41-4b8e-9a57-1c2d3e4f5a61");
  EXPECT_FALSE(m.addressing.message_id);
  EXPECT_FALSE(m.security);
  const auto& r = body_as<RequestSecurityTokenResponse>(m);
  EXPECT_EQ(r.token_type, std::string(uri::kTokenTypeX509v3));
  EXPECT_EQ(r.disposition_message, "Issued");
  EXPECT_EQ(r.disposition_lang, "en-US");
  ASSERT_TRUE(r.cmc_response);
  EXPECT_EQ(r.cmc_response->value_type, uri::kValueTypePkcs7);
  EXPECT_EQ(r.cmc_response->encoding_type, std::string(uri::kEncodingBase64));
  EXPECT_EQ(r.cmc_response->data, der("cms_cmc_response.der"));
  ASSERT_TRUE(r.issued_certificate);
  EXPECT_EQ(r.issued_certificate->value_type, uri::kValueTypeX509v3);
  EXPECT_EQ(r.issued_certificate->encoding_type, std::string(uri::kEncodingBase64));
  EXPECT_EQ(r.issued_certificate->data, der("leaf_alice.der"));
  EXPECT_FALSE(r.pending_reference);
  EXPECT_FALSE(r.key_exchange_token);
  EXPECT_EQ(r.request_id, "61");
  EXPECT_TRUE(r.is_issued());
  EXPECT_FALSE(r.is_pending());
}

TEST(CodecGolden, RstrcPending) {
  const SoapMessage m = read_message(wire("rstrc_pending.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionRstrcWstep);
  EXPECT_EQ(m.addressing.relates_to, "urn:uuid:0b9d3c1e-7f52-4a64-8e1b-2c3d4e5f6a72");
  const auto& r = body_as<RequestSecurityTokenResponse>(m);
  EXPECT_EQ(r.disposition_message, "Taken Under Submission");
  EXPECT_EQ(r.disposition_lang, "en-US");
  EXPECT_FALSE(r.cmc_response);
  EXPECT_FALSE(r.issued_certificate);
  EXPECT_EQ(r.pending_reference, std::string(kCesKerberos));
  EXPECT_EQ(r.request_id, "62");
  EXPECT_TRUE(r.is_pending());
  EXPECT_FALSE(r.is_issued());
}

TEST(CodecGolden, RstrKetFinal) {
  const SoapMessage m = read_message(wire("rstr_ket_final.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionRstrKetFinal);
  const auto& r = body_as<RequestSecurityTokenResponse>(m);
  EXPECT_FALSE(r.disposition_message);
  EXPECT_FALSE(r.issued_certificate);
  ASSERT_TRUE(r.key_exchange_token);
  EXPECT_EQ(r.key_exchange_token->value_type, uri::kValueTypeX509v3);
  EXPECT_EQ(r.key_exchange_token->data, der("ca.der"));
  EXPECT_FALSE(r.request_id);
}

TEST(CodecGolden, FaultEncodingTypeInvalid) {
  const SoapMessage m = read_message(wire("fault_encoding_type_invalid.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionEnrollmentFault);
  EXPECT_EQ(m.addressing.relates_to, "urn:uuid:0b9d3c1e-7f52-4a64-8e1b-2c3d4e5f6a72");
  const auto& f = body_as<EnrollmentFault>(m);
  EXPECT_EQ(f.kind, FaultKind::enrollment_detail);
  EXPECT_EQ(f.action, uri::kActionEnrollmentFault);
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_FALSE(f.subcode);
  EXPECT_EQ(f.reason, "The EncodingType is invalid.");
  ASSERT_TRUE(f.has_detail);
  EXPECT_FALSE(f.binary_response) << "BinaryResponse is xsi:nil";
  EXPECT_EQ(f.error_code, -2147024809);  // 0x80070057 E_INVALIDARG
  EXPECT_EQ(f.invalid_request, false);
  EXPECT_FALSE(f.request_id) << "RequestID is xsi:nil";
}

TEST(CodecGolden, FaultBadTemplateVersion) {
  const SoapMessage m = read_message(wire("fault_bad_template_version.xml"));
  const auto& f = body_as<EnrollmentFault>(m);
  EXPECT_EQ(f.kind, FaultKind::enrollment_detail);
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_EQ(f.reason, "Denied by Policy Module");
  ASSERT_TRUE(f.has_detail);
  ASSERT_TRUE(f.binary_response);
  // BinaryResponse is kept as the base64 text the CA sent.
  EXPECT_EQ(ceslab::core::decode_base64(*f.binary_response), der("cms_cmc_response.der"));
  EXPECT_EQ(f.error_code, -2146875385);  // 0x80094807 CERTSRV_E_BAD_TEMPLATE_VERSION
  EXPECT_EQ(f.invalid_request, true);
  EXPECT_EQ(f.request_id, "368");
}

TEST(CodecGolden, FaultRestrictedOfficerHasEmptyReason) {
  const SoapMessage m = read_message(wire("fault_restricted_officer.xml"));
  const auto& f = body_as<EnrollmentFault>(m);
  EXPECT_EQ(f.kind, FaultKind::enrollment_detail);
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_EQ(f.reason, "");
  ASSERT_TRUE(f.has_detail);
  EXPECT_EQ(f.error_code, -2146877431);  // 0x80094009 CERTSRV_E_RESTRICTEDOFFICER
  EXPECT_EQ(f.invalid_request, true);
  EXPECT_EQ(f.request_id, "28");
}

TEST(CodecGolden, FaultWcfInternal) {
  const SoapMessage m = read_message(wire("fault_wcf_internal.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionWcfFault);
  const auto& f = body_as<EnrollmentFault>(m);
  EXPECT_EQ(f.kind, FaultKind::wcf_dispatcher);
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_EQ(f.subcode, "InternalServiceFault");
  EXPECT_EQ(f.subcode_namespace, std::string(uri::kWcfDispatcher));
  EXPECT_EQ(
      f.reason.rfind("The server was unable to process the request due to an internal error.", 0),
      0u);
  EXPECT_NE(f.reason.find("IncludeExceptionDetailInFaults"), std::string::npos);
  EXPECT_NE(f.reason.find("<<serviceDebug>>"), std::string::npos) << "entities are decoded";
  EXPECT_FALSE(f.has_detail);
  EXPECT_FALSE(f.error_code);
}

TEST(CodecGolden, FaultAddressFilterMismatch) {
  const SoapMessage m = read_message(wire("fault_address_filter.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionAddressingFault);
  const auto& f = body_as<EnrollmentFault>(m);
  EXPECT_EQ(f.kind, FaultKind::ws_addressing);
  EXPECT_EQ(f.code, "Sender");
  EXPECT_EQ(f.subcode, "DestinationUnreachable");
  EXPECT_EQ(f.subcode_namespace, std::string(uri::kAddressing));
  // Two spaces before "Check", exactly as WCF writes it.
  EXPECT_EQ(f.reason,
            "The message with To '' cannot be processed at the receiver, due to an AddressFilter "
            "mismatch at the EndpointDispatcher.  Check that the sender and receiver's "
            "EndpointAddresses agree.");
  EXPECT_FALSE(f.has_detail);
}

TEST(CodecGolden, GetPolicies) {
  const SoapMessage m = read_message(wire("get_policies.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionGetPolicies);
  EXPECT_EQ(m.addressing.message_id, "urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c");
  EXPECT_EQ(m.addressing.to, std::string(kCepUsernamePassword));
  ASSERT_TRUE(m.security);
  EXPECT_EQ(m.security->created, utc(2026, 1, 15, 9, 29, 58, 120));
  EXPECT_EQ(m.security->expires, utc(2026, 1, 15, 9, 34, 58, 120));
  const auto& g = body_as<GetPoliciesRequest>(m);
  // 0001-01-01T00:00:00 ("never fetched"): gSOAP reads year 1 as the epoch,
  // which still compares older than any server update time.
  ASSERT_TRUE(g.last_update);
  EXPECT_EQ(*g.last_update, TimePoint{});
  EXPECT_FALSE(g.preferred_language);
  EXPECT_FALSE(g.filter_nil);
  EXPECT_FALSE(g.policy_oids) << "policyOIDs is xsi:nil";
  EXPECT_EQ(g.client_version, 0);
  EXPECT_EQ(g.server_version, 0);
}

// Found by fuzzing (tests/fixtures/fuzz/mock_request, client_response): an
// xs:dateTime past what system_clock holds (about 1678-2261) overflowed.
// It is held near the clock's end instead, still later (or earlier) than
// any real time.
TEST(CodecGolden, TimesBeyondTheClockStayInOrder) {
  std::string text = wire("get_policies.xml");
  const auto replace = [&text](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("2026-01-15T09:29:58.120Z", "4052-12-05T06:42:52.000Z");
  replace("0001-01-01T00:00:00", "0000-01-01T00:00:00");
  const SoapMessage m = read_message(text);
  ASSERT_TRUE(m.security && m.security->created);
  EXPECT_GT(*m.security->created, utc(2100, 1, 1, 0, 0, 0));
  const auto& g = body_as<GetPoliciesRequest>(m);
  ASSERT_TRUE(g.last_update);
  EXPECT_LT(*g.last_update, utc(1900, 1, 1, 0, 0, 0));
}

TEST(CodecGolden, GetPoliciesFilterNil) {
  const SoapMessage m = read_message(wire("get_policies_filter_nil.xml"));
  const auto& g = body_as<GetPoliciesRequest>(m);
  EXPECT_EQ(g.last_update, utc(2026, 1, 14, 21, 38, 46));
  EXPECT_EQ(g.preferred_language, "en-US");
  EXPECT_TRUE(g.filter_nil);
  EXPECT_FALSE(g.client_version);
  EXPECT_FALSE(g.server_version);
}

TEST(CodecGolden, GetPoliciesResponse) {
  const SoapMessage m = read_message(wire("get_policies_response.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionGetPoliciesResponse);
  EXPECT_EQ(m.addressing.relates_to, "urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c");
  const auto& r = body_as<GetPoliciesResponse>(m);
  EXPECT_FALSE(r.response_nil);
  EXPECT_EQ(r.policy_id, "{6C2B8E4A-1F3D-4B5A-9C7E-0D2F4A6B8C1E}");
  EXPECT_EQ(r.policy_friendly_name, "Lab Enrollment Policy");
  EXPECT_EQ(r.next_update_hours, 8u);
  EXPECT_FALSE(r.policies_not_changed) << "policiesNotChanged is xsi:nil";

  ASSERT_TRUE(r.policies);
  ASSERT_EQ(r.policies->size(), 1u);
  const PolicyTemplate& t = r.policies->front();
  EXPECT_EQ(t.oid_reference, 9);
  EXPECT_EQ(t.ca_references, std::vector<int>{0});
  EXPECT_EQ(t.common_name, "User");
  EXPECT_EQ(t.policy_schema, 1u);
  EXPECT_EQ(t.validity_seconds, 31536000u);
  EXPECT_EQ(t.renewal_seconds, 3628800u);
  EXPECT_TRUE(t.enroll);
  EXPECT_FALSE(t.auto_enroll);
  EXPECT_EQ(t.minimal_key_length, 2048u);
  EXPECT_EQ(t.key_spec, 1u);
  EXPECT_FALSE(t.key_usage_property);
  EXPECT_FALSE(t.key_permissions);
  EXPECT_FALSE(t.algorithm_oid_reference);
  EXPECT_EQ(t.crypto_providers,
            (std::vector<std::string>{"Microsoft Enhanced Cryptographic Provider v1.0",
                                      "Microsoft Base Cryptographic Provider v1.0"}));
  EXPECT_EQ(t.major_revision, 3u);
  EXPECT_EQ(t.minor_revision, 1u);
  EXPECT_FALSE(t.superseded);
  EXPECT_EQ(t.private_key_flags, 0x10u);
  EXPECT_EQ(t.subject_name_flags, 0xA6000000u) << "written unsigned (docs/protocol.md 2.6)";
  EXPECT_EQ(t.enrollment_flags, 0x29u);
  EXPECT_FALSE(t.general_flags);
  EXPECT_FALSE(t.hash_algorithm_oid_reference);
  ASSERT_TRUE(t.extensions);
  ASSERT_EQ(t.extensions->size(), 3u);
  EXPECT_EQ((*t.extensions)[0].oid_reference, 5);
  EXPECT_EQ((*t.extensions)[0].critical, false);
  EXPECT_EQ((*t.extensions)[0].value, der("ext_template_name.der"));
  EXPECT_EQ((*t.extensions)[1].oid_reference, 6);
  EXPECT_EQ((*t.extensions)[1].value, der("ext_eku.der"));
  EXPECT_EQ((*t.extensions)[2].oid_reference, 7);
  EXPECT_EQ((*t.extensions)[2].critical, true);
  EXPECT_EQ((*t.extensions)[2].value, der("ext_ku.der"));

  ASSERT_TRUE(r.cas);
  ASSERT_EQ(r.cas->size(), 1u);
  const PolicyCa& ca = r.cas->front();
  EXPECT_EQ(ca.certificate, der("ca.der"));
  EXPECT_TRUE(ca.enroll_permission);
  EXPECT_EQ(ca.reference_id, 0);
  ASSERT_EQ(ca.uris.size(), 2u);
  EXPECT_EQ(ca.uris[0].client_authentication, 2u);
  EXPECT_EQ(ca.uris[0].uri, kCesKerberos);
  EXPECT_EQ(ca.uris[0].priority, 1u);
  EXPECT_EQ(ca.uris[0].renewal_only, false);
  EXPECT_EQ(ca.uris[1].client_authentication, 4u);
  EXPECT_EQ(ca.uris[1].uri, kCesUsernamePassword);
  EXPECT_EQ(ca.uris[1].priority, 2u);
  EXPECT_EQ(ca.uris[1].renewal_only, false);

  ASSERT_TRUE(r.oids);
  ASSERT_EQ(r.oids->size(), 4u);
  EXPECT_EQ((*r.oids)[0].value, "1.3.6.1.4.1.311.20.2");
  EXPECT_EQ((*r.oids)[0].group, 6u);
  EXPECT_EQ((*r.oids)[0].reference_id, 5);
  EXPECT_EQ((*r.oids)[0].default_name, "Certificate Template Name");
  EXPECT_EQ((*r.oids)[3].value,
            "1.3.6.1.4.1.311.21.8.4218765.1083621.3341904.9731122.2207719.167.1.1");
  EXPECT_EQ((*r.oids)[3].group, 9u);
  EXPECT_EQ((*r.oids)[3].reference_id, 9);
  EXPECT_EQ((*r.oids)[3].default_name, "User");
}

TEST(CodecGolden, GetPoliciesResponseNotChangedHasNilCollections) {
  const SoapMessage m = read_message(wire("get_policies_response_not_changed.xml"));
  const auto& r = body_as<GetPoliciesResponse>(m);
  EXPECT_FALSE(r.response_nil);
  EXPECT_EQ(r.policies_not_changed, true);
  EXPECT_FALSE(r.policies);
  EXPECT_FALSE(r.cas);
  EXPECT_FALSE(r.oids);
}

struct GoldenCase {
  const char* fixture;
  std::vector<Filter> extra;  // fixture-specific, named differences
};

// Names the case in test output and in ctest's test names (the default
// prints the raw bytes, pointers included, which change with every build).
void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.fixture;
}

std::vector<GoldenCase> golden_cases() {
  return {
      {"rst_issue_pkcs10.xml", {}},
      {"rst_issue_pkcs10_cepces.xml", {kBase64LineBreaks, kRstRequestIdAbsentIsNil}},
      {"rst_renewal_cms.xml", {}},
      {"rst_query_token_status.xml", {}},
      {"rst_ket.xml", {}},
      {"rstrc_issued.xml", {}},
      {"rstrc_pending.xml", {}},
      {"rstr_ket_final.xml", {}},
      {"fault_encoding_type_invalid.xml", {}},
      {"fault_bad_template_version.xml", {}},
      {"fault_restricted_officer.xml", {}},
      {"fault_wcf_internal.xml", {}},
      {"fault_address_filter.xml", {}},
      {"get_policies.xml", {kFirstFetchLastUpdate}},
      {"get_policies_filter_nil.xml", {}},
      {"get_policies_response.xml", {}},
      {"get_policies_response_not_changed.xml", {}},
  };
}

std::string golden_case_name(const ::testing::TestParamInfo<GoldenCase>& info) {
  const std::string file = info.param.fixture;
  return file.substr(0, file.find('.'));
}

class CodecGoldenWrite : public ::testing::TestWithParam<GoldenCase> {};

// write_message(read_message(fixture)) is the fixture again, up to the named
// filters above.
TEST_P(CodecGoldenWrite, WriterReproducesFixture) {
  const std::string xml = wire(GetParam().fixture);
  const std::string written = write_message(read_message(xml));
  std::string filters = "differences filtered out:\n";
  for (const Filter& f : writer_filters()) filters += std::string("  - ") + f.why + "\n";
  for (const Filter& f : GetParam().extra) filters += std::string("  - ") + f.why + "\n";
  EXPECT_EQ(normalized(written, GetParam().extra), normalized(xml, GetParam().extra))
      << filters << written;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CodecGoldenWrite, ::testing::ValuesIn(golden_cases()),
                         golden_case_name);

// The filters must not hide what they are not meant to hide: a changed
// header value or a dropped body element still shows.
TEST(CodecGolden, FiltersKeepRealDifferences) {
  const std::string xml = wire("rst_issue_pkcs10.xml");
  std::string changed = xml;
  replace_all(changed, "<a:MessageID>urn:uuid:6f0c2a5e", "<a:MessageID>urn:uuid:00000000");
  EXPECT_NE(normalized(changed, {}), normalized(xml, {}));
  std::string dropped = xml;
  replace_all(dropped, "<Value>User</Value>", "");
  EXPECT_NE(normalized(dropped, {}), normalized(xml, {}));
  std::string lang = wire("fault_encoding_type_invalid.xml");
  std::string other_lang = lang;
  replace_all(other_lang, "xml:lang=\"en-US\"", "xml:lang=\"en\"");
  EXPECT_NE(normalized(other_lang, {}), normalized(lang, {}));
}

// The fixtures carry base64 exactly as AD CS writes it: 64 columns, CRLF
// written as "&#xD;" plus a newline; the writer does the same.
TEST(CodecGolden, WriterWrapsBase64LikeAdCs) {
  const std::string fixture = wire("rstrc_issued.xml");
  EXPECT_NE(fixture.find(">&#xD;\nMII"), std::string::npos);
  const std::string written = write_message(read_message(fixture));
  const ByteString cert = der("leaf_alice.der");
  std::string expected = ceslab::core::encode_base64_wrapped(cert);
  replace_all(expected, "\r\n", "&#xD;\n");
  EXPECT_NE(written.find(">" + expected + "</"), std::string::npos) << written;
  // Every wrapped line of the written token is 64 characters.
  const auto start = written.find(">" + expected.substr(0, 64)) + 1;
  std::istringstream lines(written.substr(start, expected.size()));
  std::string line;
  std::size_t wrapped = 0;
  while (std::getline(lines, line)) {
    if (line.size() >= 5 && line.compare(line.size() - 5, 5, "&#xD;") == 0) {
      EXPECT_EQ(line.size(), 64u + 5u) << line;
      ++wrapped;
    } else {
      EXPECT_LE(line.size(), 64u) << "the last line";
    }
  }
  const std::size_t base64_chars = (cert.size() + 2) / 3 * 4;
  EXPECT_EQ(wrapped, (base64_chars + 63) / 64 - 1);
}

TEST(CodecGolden, WriterEmitsUnqualifiedTokenAttributesAndNilRequestId) {
  const std::string written = write_message(read_message(wire("rst_issue_pkcs10.xml")));
  // ValueType/EncodingType are unqualified (cepces PR #30); lower-case "b".
  EXPECT_NE(written.find(" ValueType=\"" + std::string(uri::kValueTypePkcs7) + "\""),
            std::string::npos);
  EXPECT_NE(written.find(" EncodingType=\"" + std::string(uri::kEncodingBase64) + "\""),
            std::string::npos);
  EXPECT_EQ(written.find(":ValueType="), std::string::npos);
  EXPECT_EQ(written.find(":EncodingType="), std::string::npos);
  EXPECT_NE(written.find("RequestID xsi:nil=\"true\""), std::string::npos);
}

// ===========================================================================
// CodecRoundTrip: model -> XML -> model for every body type, with every
// optional field set and with every one unset.

SoapMessage with_body(MessageBody body, std::string action) {
  SoapMessage m;
  m.addressing.action = std::move(action);
  m.body = std::move(body);
  return m;
}

void expect_round_trip(const SoapMessage& m) {
  const std::string xml = write_message(m);
  SoapMessage back;
  ASSERT_NO_THROW(back = read_message(xml)) << xml;
  EXPECT_EQ(dump(back), dump(m)) << xml;
}

BinaryToken token(std::string value_type, ByteString data) {
  BinaryToken t;
  t.value_type = std::move(value_type);
  t.data = std::move(data);
  return t;
}

TEST(CodecRoundTrip, HeadersAllSet) {
  RequestSecurityToken rst;
  SoapMessage m = with_body(rst, std::string(uri::kActionRstWstep));
  m.addressing.message_id = "urn:uuid:11111111-2222-4333-8444-555555555555";
  m.addressing.to = std::string(kCesUsernamePassword);
  m.addressing.reply_to = std::string(uri::kAnonymous);
  m.addressing.relates_to = "urn:uuid:66666666-7777-4888-9999-000000000000";
  SecurityHeader sec;
  sec.created = utc(2026, 2, 3, 4, 5, 6, 789);
  sec.expires = utc(2026, 2, 3, 4, 10, 6, 789);
  sec.username_token = UsernameToken{"LAB\\bob", "p<&>\"'w", std::string(uri::kPasswordText)};
  m.security = sec;
  expect_round_trip(m);
}

TEST(CodecRoundTrip, HeadersMinimal) {
  SoapMessage m = with_body(RequestSecurityToken{}, std::string(uri::kActionRstWstep));
  expect_round_trip(m);
  // A security header with only a UsernameToken, no Timestamp.
  SecurityHeader sec;
  sec.username_token = UsernameToken{"alice", "", std::string(uri::kPasswordText)};
  m.security = sec;
  expect_round_trip(m);
}

TEST(CodecRoundTrip, RequestSecurityTokenAllSet) {
  RequestSecurityToken rst;
  rst.token = token(std::string(uri::kValueTypePkcs7), der("cms_renewal.der"));
  rst.context = {
      {"CertificateTemplate", "User"}, {"ccm", "host.lab.example"}, {"rmd", std::nullopt}};
  rst.request_ket = true;
  rst.request_id = "4711";
  expect_round_trip(with_body(rst, std::string(uri::kActionRstKet)));
}

TEST(CodecRoundTrip, RequestSecurityTokenAllUnset) {
  RequestSecurityToken rst;
  rst.token_type.reset();
  rst.request_type.reset();
  expect_round_trip(with_body(rst, std::string(uri::kActionRstWstep)));
}

TEST(CodecRoundTrip, BinaryTokenWithoutEncodingTypeStaysWithout) {
  // cepces #81: the server must see that EncodingType is missing.
  RequestSecurityToken rst;
  rst.token = token(std::string(uri::kValueTypePkcs10), der("pkcs10_alice.der"));
  rst.token->encoding_type.reset();
  expect_round_trip(with_body(rst, std::string(uri::kActionRstWstep)));
}

TEST(CodecRoundTrip, ResponseAllSet) {
  RequestSecurityTokenResponse r;
  r.disposition_message = "Issued";
  r.disposition_lang = "de-DE";
  r.cmc_response = token(std::string(uri::kValueTypePkcs7), der("cms_cmc_response.der"));
  r.issued_certificate = token(std::string(uri::kValueTypeX509v3), der("leaf_alice.der"));
  r.pending_reference = std::string(kCesKerberos);
  r.key_exchange_token = token(std::string(uri::kValueTypeX509v3), der("ca.der"));
  r.request_id = "61";
  expect_round_trip(with_body(r, std::string(uri::kActionRstrcWstep)));
}

TEST(CodecRoundTrip, ResponseAllUnset) {
  RequestSecurityTokenResponse r;
  r.token_type.reset();
  r.disposition_lang.reset();
  expect_round_trip(with_body(r, std::string(uri::kActionRstrcWstep)));
  // A disposition message without a language.
  r.disposition_message = "Taken Under Submission";
  expect_round_trip(with_body(r, std::string(uri::kActionRstrKetFinal)));
}

TEST(CodecRoundTrip, FaultAllSet) {
  EnrollmentFault f;
  f.kind = FaultKind::enrollment_detail;
  f.action = std::string(uri::kActionEnrollmentFault);
  f.code = "Receiver";
  f.subcode = "InternalServiceFault";
  f.subcode_namespace = std::string(uri::kWcfDispatcher);
  f.reason = "Denied by Policy Module <&>";
  f.has_detail = true;
  f.binary_response = ceslab::core::encode_base64_wrapped(der("cms_cmc_response.der"));
  f.error_code = -2146875385;
  f.invalid_request = true;
  f.request_id = "368";
  expect_round_trip(with_body(f, f.action));
}

TEST(CodecRoundTrip, FaultDetailAllNil) {
  EnrollmentFault f;
  f.action = std::string(uri::kActionEnrollmentFault);
  f.code = "Receiver";
  f.has_detail = true;
  expect_round_trip(with_body(f, f.action));
}

TEST(CodecRoundTrip, FaultWithoutDetail) {
  EnrollmentFault f;
  f.kind = FaultKind::ws_addressing;
  f.action = std::string(uri::kActionAddressingFault);
  f.code = "Sender";
  f.subcode = "DestinationUnreachable";
  f.subcode_namespace = std::string(uri::kAddressing);
  f.reason = "";
  expect_round_trip(with_body(f, f.action));
}

TEST(CodecRoundTrip, GetPoliciesAllSet) {
  GetPoliciesRequest g;
  g.last_update = utc(2026, 1, 14, 21, 38, 46);  // xs:dateTime via time_t: whole seconds
  g.preferred_language = "en-US";
  g.policy_oids = std::vector<std::string>{"1.3.6.1.4.1.311.21.8.1.1", "1.3.6.1.4.1.311.21.8.1.2"};
  g.client_version = 6;
  g.server_version = 5;
  expect_round_trip(with_body(g, std::string(uri::kActionGetPolicies)));
}

TEST(CodecRoundTrip, GetPoliciesAllUnset) {
  GetPoliciesRequest g;
  g.client_version.reset();
  g.server_version.reset();
  expect_round_trip(with_body(g, std::string(uri::kActionGetPolicies)));
  g.filter_nil = true;
  expect_round_trip(with_body(g, std::string(uri::kActionGetPolicies)));
}

PolicyTemplate full_template() {
  PolicyTemplate t;
  t.oid_reference = 9;
  t.ca_references = std::vector<int>{0, 1};
  t.common_name = "LabUser";
  t.policy_schema = 4;
  t.validity_seconds = 63072000;
  t.renewal_seconds = 1209600;
  t.enroll = true;
  t.auto_enroll = true;
  t.minimal_key_length = 256;
  t.key_spec = 2;
  t.key_usage_property = 3;
  t.key_permissions = "D:(A;;GA;;;SY)";
  t.algorithm_oid_reference = 10;
  t.crypto_providers = std::vector<std::string>{"Microsoft Software Key Storage Provider"};
  t.major_revision = 100;
  t.minor_revision = 7;
  t.superseded = std::vector<std::string>{"User", "UserSignature"};
  t.private_key_flags = 0x05050010;
  t.subject_name_flags = 0xA6000000;
  t.enrollment_flags = 0x29;
  t.general_flags = 0x10000;
  t.hash_algorithm_oid_reference = 11;
  t.extensions = std::vector<PolicyExtension>{{5, false, der("ext_template_name.der")},
                                              {7, true, der("ext_ku.der")}};
  return t;
}

TEST(CodecRoundTrip, GetPoliciesResponseAllSet) {
  GetPoliciesResponse r;
  r.policy_id = "{6C2B8E4A-1F3D-4B5A-9C7E-0D2F4A6B8C1E}";
  r.policy_friendly_name = "Lab Enrollment Policy";
  r.next_update_hours = 24;
  r.policies_not_changed = false;
  r.policies = std::vector<PolicyTemplate>{full_template()};
  PolicyCa ca;
  ca.uris = {{2, std::string(kCesKerberos), 1, false},
             {8, "https://ca.lab.example/X_CES_Certificate/service.svc/CES", 3, true}};
  ca.certificate = der("ca.der");
  ca.enroll_permission = false;
  ca.reference_id = 1;
  r.cas = std::vector<PolicyCa>{ca};
  r.oids = std::vector<PolicyOid>{{"1.3.6.1.4.1.311.20.2", 6, 5, "Certificate Template Name"},
                                  {"2.16.840.1.101.3.4.2.1", 1, 11, "sha256"}};
  expect_round_trip(with_body(r, std::string(uri::kActionGetPoliciesResponse)));
}

TEST(CodecRoundTrip, GetPoliciesResponseAllUnset) {
  GetPoliciesResponse r;
  r.policy_id = "{6C2B8E4A-1F3D-4B5A-9C7E-0D2F4A6B8C1E}";
  r.next_update_hours.reset();
  r.policies_not_changed.reset();
  PolicyTemplate t;  // every nillable attribute nil
  t.minor_revision.reset();
  t.extensions = std::vector<PolicyExtension>{{6, std::nullopt, std::nullopt}};
  r.policies = std::vector<PolicyTemplate>{t};
  PolicyCa ca;
  ca.uris = {{4, std::string(kCesUsernamePassword), std::nullopt, std::nullopt}};
  ca.certificate = der("ca.der");
  r.cas = std::vector<PolicyCa>{ca};
  expect_round_trip(with_body(r, std::string(uri::kActionGetPoliciesResponse)));
  // And with the collections themselves nil.
  r.policies.reset();
  r.cas.reset();
  r.oids.reset();
  expect_round_trip(with_body(r, std::string(uri::kActionGetPoliciesResponse)));
}

TEST(CodecRoundTrip, GetPoliciesResponseNil) {
  GetPoliciesResponse r;
  r.response_nil = true;
  expect_round_trip(with_body(r, std::string(uri::kActionGetPoliciesResponse)));
}

// ===========================================================================
// CodecLenient: what real peers send differently must still parse.

TEST(CodecLenient, RstWithOtherPrefixesOrderAndUnknownElements) {
  const SoapMessage m = read_message(wire("lenient/rst_issue_variants.xml"));
  // The Action is pretty-printed with white space around it (as in the
  // MS-XCEP 4.1.1.1 example); xs:anyURI collapses it.
  EXPECT_EQ(m.addressing.action, uri::kActionRstWstep);
  EXPECT_EQ(m.addressing.message_id, "urn:uuid:6f0c2a5e-3d41-4b8e-9a57-1c2d3e4f5a61");
  EXPECT_EQ(m.addressing.reply_to, std::string(uri::kAnonymous));
  EXPECT_FALSE(m.addressing.to);
  ASSERT_NO_FATAL_FAILURE(expect_example_security(m));
  const auto& rst = body_as<RequestSecurityToken>(m);
  EXPECT_EQ(rst.token_type, std::string(uri::kTokenTypeX509v3));
  EXPECT_EQ(rst.request_type, std::string(uri::kRequestTypeIssue));
  ASSERT_TRUE(rst.token);
  EXPECT_EQ(rst.token->value_type, uri::kValueTypePkcs7);
  EXPECT_EQ(rst.token->data, der("pkcs10_alice.der")) << "base64 with LF, tabs and spaces";
  ASSERT_EQ(rst.context.size(), 2u);
  EXPECT_EQ(rst.context[0].name, "CertificateTemplate");
  EXPECT_EQ(rst.context[0].value, "User");
  EXPECT_EQ(rst.context[1].name, "ccm");
  EXPECT_FALSE(rst.context[1].value);
  EXPECT_FALSE(rst.request_id) << "RequestID absent";
}

TEST(CodecLenient, RstrcWithDefaultNamespacesAndReversedChildren) {
  const SoapMessage m = read_message(wire("lenient/rstrc_issued_variants.xml"));
  EXPECT_EQ(m.addressing.action, uri::kActionRstrcWstep);
  EXPECT_FALSE(m.addressing.relates_to);
  const auto& r = body_as<RequestSecurityTokenResponse>(m);
  EXPECT_EQ(r.token_type, std::string(uri::kTokenTypeX509v3));
  EXPECT_EQ(r.disposition_message, "Issued");
  EXPECT_FALSE(r.disposition_lang);
  ASSERT_TRUE(r.cmc_response);
  EXPECT_EQ(r.cmc_response->data, der("cms_cmc_response.der"));
  ASSERT_TRUE(r.issued_certificate);
  EXPECT_EQ(r.issued_certificate->value_type, uri::kValueTypeX509v3);
  EXPECT_EQ(r.issued_certificate->data, der("leaf_alice.der"));
  EXPECT_EQ(r.request_id, "61");
}

TEST(CodecLenient, PolicyResponseWithAbsentNillablesAndUnknownElements) {
  const SoapMessage m = read_message(wire("lenient/get_policies_response_variants.xml"));
  const auto& r = body_as<GetPoliciesResponse>(m);
  EXPECT_EQ(r.policy_id, "{6C2B8E4A-1F3D-4B5A-9C7E-0D2F4A6B8C1E}");
  EXPECT_FALSE(r.policy_friendly_name);
  EXPECT_FALSE(r.next_update_hours);
  EXPECT_FALSE(r.policies_not_changed);
  ASSERT_TRUE(r.policies);
  ASSERT_EQ(r.policies->size(), 1u);
  const PolicyTemplate& t = r.policies->front();
  EXPECT_EQ(t.oid_reference, 9);
  EXPECT_FALSE(t.ca_references);
  EXPECT_EQ(t.common_name, "User");
  EXPECT_EQ(t.validity_seconds, 31536000u);
  EXPECT_EQ(t.renewal_seconds, 3628800u);
  EXPECT_TRUE(t.enroll);
  EXPECT_FALSE(t.auto_enroll);
  EXPECT_EQ(t.major_revision, 3u);
  EXPECT_FALSE(t.minor_revision);
  EXPECT_FALSE(t.key_spec);
  EXPECT_FALSE(t.crypto_providers);
  EXPECT_FALSE(t.private_key_flags);
  EXPECT_FALSE(t.extensions);
  ASSERT_TRUE(r.cas);
  ASSERT_EQ(r.cas->size(), 1u);
  EXPECT_EQ(r.cas->front().certificate, der("ca.der")) << "xs:base64Binary with line breaks";
  ASSERT_EQ(r.cas->front().uris.size(), 1u);
  EXPECT_EQ(r.cas->front().uris[0].client_authentication, 2u);
  EXPECT_EQ(r.cas->front().uris[0].uri, kCesKerberos);
  EXPECT_FALSE(r.cas->front().uris[0].priority);
  EXPECT_FALSE(r.cas->front().uris[0].renewal_only);
  ASSERT_TRUE(r.oids);
  ASSERT_EQ(r.oids->size(), 1u);
  EXPECT_EQ(r.oids->front().group, 9u);
  EXPECT_EQ(r.oids->front().default_name, "User");
}

TEST(CodecLenient, FaultWithOtherPrefixesAndPartialDetail) {
  const SoapMessage m = read_message(wire("lenient/fault_variants.xml"));
  const auto& f = body_as<EnrollmentFault>(m);
  EXPECT_EQ(f.kind, FaultKind::enrollment_detail);
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_EQ(f.reason,
            "The EMail name is unavailable and cannot be added to the Subject or Subject Alternate "
            "name.");
  ASSERT_TRUE(f.has_detail);
  EXPECT_EQ(f.error_code, -2146875374);  // 0x80094812 CERTSRV_E_SUBJECT_EMAIL_REQUIRED
  EXPECT_EQ(f.invalid_request, true);
  EXPECT_FALSE(f.binary_response);
  EXPECT_FALSE(f.request_id);
}

TEST(CodecLenient, GetPoliciesWithEverythingOptionalAbsent) {
  const SoapMessage m = read_message(wire("lenient/get_policies_minimal.xml"));
  const auto& g = body_as<GetPoliciesRequest>(m);
  EXPECT_FALSE(g.last_update);
  EXPECT_FALSE(g.preferred_language);
  EXPECT_TRUE(g.filter_nil) << "an absent requestFilter reads like a nil one";
  EXPECT_FALSE(m.security);
}

TEST(CodecLenient, UriValuesAreWhiteSpaceCollapsed) {
  std::string xml = wire("rst_issue_pkcs10.xml");
  replace_all(xml, ">urn:uuid:6f0c2a5e-3d41-4b8e-9a57-1c2d3e4f5a61<",
              ">\n  urn:uuid:6f0c2a5e-3d41-4b8e-9a57-1c2d3e4f5a61\n<");
  replace_all(xml, std::string(">") + std::string(kCesUsernamePassword) + "<",
              std::string(">\r\n\t") + std::string(kCesUsernamePassword) + " <");
  replace_all(xml, "<RequestType>http", "<RequestType>\n   http");
  replace_all(xml, "/200512/Issue</RequestType>", "/200512/Issue\n</RequestType>");
  const SoapMessage m = read_message(xml);
  EXPECT_EQ(m.addressing.message_id, "urn:uuid:6f0c2a5e-3d41-4b8e-9a57-1c2d3e4f5a61");
  EXPECT_EQ(m.addressing.to, std::string(kCesUsernamePassword));
  EXPECT_EQ(body_as<RequestSecurityToken>(m).request_type, std::string(uri::kRequestTypeIssue));
}

TEST(CodecLenient, XmlDeclarationAndByteOrderMark) {
  const std::string xml = wire("rst_query_token_status.xml");
  EXPECT_NO_THROW(read_message("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + xml));
  EXPECT_NO_THROW(read_message("\xEF\xBB\xBF" + xml));
}

TEST(CodecLenient, EveryLenientFixtureHasAStructuralRendering) {
  for (const char* name : {"lenient/rst_issue_variants.xml", "lenient/rstrc_issued_variants.xml",
                           "lenient/get_policies_response_variants.xml",
                           "lenient/fault_variants.xml", "lenient/get_policies_minimal.xml"}) {
    SCOPED_TRACE(name);
    const std::string xml = wire(name);
    // Tools (diagnosis, golden diffs) render what real peers send, and our
    // writer can send back whatever we read.
    EXPECT_NO_THROW(structural_xml(xml));
    EXPECT_NO_THROW(read_message(write_message(read_message(xml))));
  }
}

TEST(CodecLenient, PrefixesDoNotMatterToStructuralXml) {
  const std::string a =
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><x:E "
      "xmlns:x=\"urn:e\" "
      "b=\"2\" a=\"1\">t</x:E></s:Body></s:Envelope>";
  const std::string b =
      "<Envelope xmlns=\"http://www.w3.org/2003/05/soap-envelope\">\n  <Body>\n    <E "
      "xmlns=\"urn:e\" a=\"1\" "
      "b=\"2\">\n t \n</E>\n  </Body>\n</Envelope>";
  EXPECT_EQ(structural_xml(a), structural_xml(b));
  EXPECT_NE(structural_xml(a),
            structural_xml("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">"
                           "<s:Body><x:E xmlns:x=\"urn:other\" b=\"2\" a=\"1\">t</x:E>"
                           "</s:Body></s:Envelope>"));
}

// ===========================================================================
// CodecStrict: what must be refused, with the right kind.

std::string envelope(std::string_view header, std::string_view body,
                     std::string_view soap_ns = uri::kSoap12Envelope) {
  return "<s:Envelope xmlns:s=\"" + std::string(soap_ns) + "\" xmlns:a=\"" +
         std::string(uri::kAddressing) + "\"><s:Header>" + std::string(header) +
         "</s:Header><s:Body>" + std::string(body) + "</s:Body></s:Envelope>";
}

std::string action(std::string_view a) {
  return "<a:Action s:mustUnderstand=\"1\">" + std::string(a) + "</a:Action>";
}

const std::string kRstBody =
    "<RequestSecurityToken xmlns=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\"><RequestType>"
    "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</RequestType></RequestSecurityToken>";

TEST(CodecStrict, SanityTheBaselineParses) {
  // Every negative case below is a small change of this one.
  EXPECT_NO_THROW(read_message(envelope(action(uri::kActionRstWstep), kRstBody)));
}

TEST(CodecStrict, ActionOfAnotherBodyIsActionMismatch) {
  try {
    read_message(envelope(action(uri::kActionGetPolicies), kRstBody));
    FAIL() << "no error";
  } catch (const MessageError& e) {
    EXPECT_EQ(e.kind(), MessageErrorKind::action_mismatch);
    EXPECT_EQ(e.action(), uri::kActionGetPolicies) << "the action is reported back";
  }
  EXPECT_EQ(error_kind([] {
              read_message(
                  envelope(action(uri::kActionRstWstep),
                           "<GetPolicies xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/"
                           "enrollmentpolicy\"><client/></GetPolicies>"));
            }),
            MessageErrorKind::action_mismatch);
  EXPECT_EQ(error_kind([] {
              read_message(envelope(
                  action(uri::kActionRstWstep),
                  "<RequestSecurityTokenResponseCollection xmlns=\"http://docs.oasis-open.org/"
                  "ws-sx/ws-trust/200512\"><RequestSecurityTokenResponse/>"
                  "</RequestSecurityTokenResponseCollection>"));
            }),
            MessageErrorKind::action_mismatch);
  // The RST actions are not interchangeable with the response ones.
  EXPECT_EQ(error_kind([] { read_message(envelope(action(uri::kActionRstrcWstep), kRstBody)); }),
            MessageErrorKind::action_mismatch);
  // A golden response with a request action.
  std::string xml = wire("get_policies_response.xml");
  replace_all(xml, "IPolicy/GetPoliciesResponse<", "IPolicy/GetPolicies<");
  EXPECT_EQ(error_kind([&] { read_message(xml); }), MessageErrorKind::action_mismatch);
}

TEST(CodecStrict, MissingActionIsMissingAction) {
  EXPECT_EQ(error_kind([] { read_message(envelope("", kRstBody)); }),
            MessageErrorKind::missing_action);
  EXPECT_EQ(error_kind([] {
              read_message(std::string("<s:Envelope xmlns:s=\"") +
                           std::string(uri::kSoap12Envelope) + "\"><s:Body>" + kRstBody +
                           "</s:Body></s:Envelope>");
            }),
            MessageErrorKind::missing_action)
      << "no header at all";
  std::string xml = wire("rst_issue_pkcs10.xml");
  replace_all(xml, action(uri::kActionRstWstep), "");
  EXPECT_EQ(error_kind([&] { read_message(xml); }), MessageErrorKind::missing_action);
}

TEST(CodecStrict, WsTrust2005NamespaceIsUnknownBody) {
  const std::string old_rst =
      "<RequestSecurityToken xmlns=\"http://schemas.xmlsoap.org/ws/2005/02/trust\"><RequestType>"
      "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</RequestType></RequestSecurityToken>";
  EXPECT_EQ(error_kind([&] { read_message(envelope(action(uri::kActionRstWstep), old_rst)); }),
            MessageErrorKind::unknown_body);
  EXPECT_EQ(
      error_kind([] {
        read_message(envelope(action(uri::kActionRstWstep), "<Ping xmlns=\"urn:example:other\"/>"));
      }),
      MessageErrorKind::unknown_body);
}

TEST(CodecStrict, Soap11EnvelopeIsNotSoap12) {
  EXPECT_EQ(error_kind([] {
              read_message(envelope(action(uri::kActionRstWstep), kRstBody,
                                    "http://schemas.xmlsoap.org/soap/envelope/"));
            }),
            MessageErrorKind::not_soap12);
}

TEST(CodecStrict, MalformedXmlIsMalformedXml) {
  const std::string good = envelope(action(uri::kActionRstWstep), kRstBody);
  for (const std::string& bad : {
           std::string("this is not XML"), good.substr(0, good.size() / 2),    // truncated
           good.substr(0, good.size() - std::string("</s:Envelope>").size()),  // root not closed
           std::string("<s:Envelope xmlns:s=\"") + std::string(uri::kSoap12Envelope) +
               "\" bad=attr><s:Body/></s:Envelope>",          // unquoted attribute
           std::string("<foo xmlns=\"urn:x\"/>"),             // XML, but no envelope
           std::string("<html><body>IIS 404</body></html>"),  // a web page
       }) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_kind([&] { read_message(bad); }), MessageErrorKind::malformed_xml);
  }
  EXPECT_EQ(error_kind([] { structural_xml("<a><b></a>"); }), MessageErrorKind::malformed_xml);
}

// A Body with no element is its own kind, with the action that came with it:
// WCF has picked the operation by then (the mock answers by that).
TEST(CodecStrict, ABodyWithoutAnElementIsEmptyBody) {
  for (const std::string& xml :
       {envelope(action(uri::kActionGetPolicies), ""),
        std::string("<s:Envelope xmlns:s=\"") + std::string(uri::kSoap12Envelope) +
            "\" xmlns:a=\"" + std::string(uri::kAddressing) + "\"><s:Header>" +
            action(uri::kActionGetPolicies) + "</s:Header><s:Body/></s:Envelope>",
        envelope(action(uri::kActionGetPolicies), "\n  <!-- nothing -->\n")}) {
    SCOPED_TRACE(xml);
    try {
      read_message(xml);
      ADD_FAILURE() << "no error";
    } catch (const MessageError& e) {
      EXPECT_EQ(e.kind(), MessageErrorKind::empty_body);
      EXPECT_EQ(e.action(), uri::kActionGetPolicies);
    }
  }
}

TEST(CodecStrict, EmptyBodyElementsAreRefused) {
  EXPECT_EQ(error_kind([] {
              read_message(envelope(
                  action(uri::kActionRstrcWstep),
                  "<RequestSecurityTokenResponseCollection xmlns=\"http://docs.oasis-open.org/"
                  "ws-sx/ws-trust/200512\"/>"));
            }),
            MessageErrorKind::malformed_xml)
      << "an RSTRC carries exactly one RSTR";
  EXPECT_EQ(error_kind([] {
              read_message(
                  envelope(action(uri::kActionGetPolicies),
                           "<GetPolicies xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/"
                           "enrollmentpolicy\"><client/><requestFilter><clientVersion>abc"
                           "</clientVersion></requestFilter></GetPolicies>"));
            }),
            MessageErrorKind::malformed_xml)
      << "xs:int that is not a number";
}

TEST(CodecStrict, DoctypeIsRefused) {
  EXPECT_EQ(error_kind([] { read_message(wire("bad/xxe_system_entity.xml")); }),
            MessageErrorKind::doctype_refused);
  EXPECT_EQ(error_kind([] { read_message(wire("bad/billion_laughs.xml")); }),
            MessageErrorKind::doctype_refused);
  EXPECT_EQ(error_kind([] { structural_xml(wire("bad/xxe_system_entity.xml")); }),
            MessageErrorKind::doctype_refused);
  // XML is case-sensitive: "<!doctype" declares nothing and is not
  // well-formed, so it is refused too, as malformed XML before the envelope.
  const auto lower_case = [] {
    read_message("<!doctype x>" + envelope(action(uri::kActionRstWstep), kRstBody));
  };
  EXPECT_EQ(error_kind(lower_case), MessageErrorKind::malformed_xml);
  // Inside the document the words are malformed XML where they stand, and in a
  // comment they are the comment's text (WCF's XmlUTF8TextReader reads both so).
  EXPECT_EQ(error_kind([] {
              read_message(
                  envelope(action(uri::kActionRstWstep), "<!DOCTYPE x>" + std::string(kRstBody)));
            }),
            MessageErrorKind::malformed_xml);
  EXPECT_NO_THROW(read_message(
      envelope(action(uri::kActionRstWstep), "<!-- <!DOCTYPE x> -->" + std::string(kRstBody))));
}

TEST(CodecStrict, EmptyInputIsEmpty) {
  EXPECT_EQ(error_kind([] { read_message(""); }), MessageErrorKind::empty);
  EXPECT_EQ(error_kind([] { read_message(" \r\n\t "); }), MessageErrorKind::empty);
}

TEST(CodecStrict, OverTheLimitIsTooLargeBeforeParsing) {
  const std::string xml = envelope(action(uri::kActionRstWstep), kRstBody);
  CodecLimits limits;
  limits.max_bytes = xml.size();
  EXPECT_NO_THROW(read_message(xml, limits));
  limits.max_bytes = xml.size() - 1;
  EXPECT_EQ(error_kind([&] { read_message(xml, limits); }), MessageErrorKind::too_large);
  // Checked before parsing: even garbage over the limit is "too large".
  EXPECT_EQ(error_kind([&] { read_message(std::string(xml.size(), '<'), limits); }),
            MessageErrorKind::too_large);
  // The default limit is 1 MiB.
  EXPECT_EQ(error_kind([&] { read_message(xml + std::string(1024 * 1024, ' ')); }),
            MessageErrorKind::too_large);
}

TEST(CodecStrict, BadBase64InATokenIsInvalidBase64) {
  const std::string bst_open =
      "<RequestSecurityToken xmlns=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\">"
      "<BinarySecurityToken "
      "xmlns=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\""
      " ValueType=\"x\">";
  const std::string bst_close = "</BinarySecurityToken></RequestSecurityToken>";
  for (const char* bad : {"MIIB*AAA", "MIIBA", "MII=B===", "-_-_"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_kind([&] {
                read_message(envelope(action(uri::kActionRstWstep), bst_open + bad + bst_close));
              }),
              MessageErrorKind::invalid_base64);
  }
  // In a golden response, too.
  std::string xml = wire("rstrc_issued.xml");
  replace_all(xml, ">&#xD;\nMII", ">&#xD;\nM%I");
  EXPECT_EQ(error_kind([&] { read_message(xml); }), MessageErrorKind::invalid_base64);
}

// Known gaps, reported: each test states the right behaviour and skips with
// the reason while the gap is there, so fixing it turns the test green
// instead of leaving a stale expectation behind.

// gSOAP alone let these through; libxml2 reads every message a second time
// strictly, as WCF's XmlReader does (wsdl/src/xml_check.cpp).
TEST(CodecStrict, MismatchedEndTagIsMalformed) {
  const std::string xml =
      envelope(action(uri::kActionRstWstep),
               "<RequestSecurityToken xmlns=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\">"
               "<RequestType>x</Foo></RequestSecurityToken>");
  EXPECT_EQ(error_kind([&] { read_message(xml); }), MessageErrorKind::malformed_xml);
}

TEST(CodecStrict, ContentAfterTheEnvelopeIsMalformed) {
  const std::string xml = envelope(action(uri::kActionRstWstep), kRstBody) + "<second-root/>";
  EXPECT_EQ(error_kind([&] { read_message(xml); }), MessageErrorKind::malformed_xml);
}

TEST(CodecStrict, BadBase64InAnXsdBase64BinaryIsRefused) {
  std::string xml = wire("get_policies_response.xml");
  const std::string cert = "<certificate>";
  xml.insert(xml.find(cert) + cert.size(), "*!");
  EXPECT_EQ(error_kind([&] { read_message(xml); }), MessageErrorKind::invalid_base64);
}

TEST(CodecStrict, AnUnknownHeaderThatMustBeUnderstoodIsNamed) {
  std::string xml = envelope(action(uri::kActionRstWstep), kRstBody);
  const std::string end = "</s:Header>";
  ASSERT_NE(xml.find(end), std::string::npos);
  xml.insert(xml.find(end),
             "<x:Trace s:mustUnderstand=\"1\" xmlns:x=\"urn:example:trace\">1</x:Trace>");
  try {
    read_message(xml);
    ADD_FAILURE() << "read";
  } catch (const MessageError& e) {
    EXPECT_EQ(e.kind(), MessageErrorKind::must_understand) << e.what();
    EXPECT_EQ(e.header_namespace(), "urn:example:trace");
    EXPECT_EQ(e.header_name(), "Trace");
  }
}

TEST(CodecRoundTrip, FaultReasonLanguageIsReadBack) {
  EnrollmentFault f;
  f.action = std::string(uri::kActionEnrollmentFault);
  f.code = "Receiver";
  f.reason = "Verweigert";
  f.reason_lang = "de-DE";
  const std::string xml = write_message(with_body(f, f.action));
  EXPECT_NE(xml.find("xml:lang=\"de-DE\""), std::string::npos)
      << "the writer sends the model's language";
  const SoapMessage message = read_message(xml);
  EXPECT_EQ(body_as<EnrollmentFault>(message).reason_lang, "de-DE");
}

}  // namespace

namespace ceslab::wsdl {
namespace {

// cepces sends Nonce and Created inside the UsernameToken; both are read
// back (WCF, and so the mock, then ignore them).
TEST(CodecUsernameToken, NonceAndCreatedRoundTrip) {
  core::SoapMessage m;
  m.addressing.action = std::string(core::uri::kActionRstWstep);
  m.addressing.message_id = "urn:uuid:00000000-0000-4000-8000-0000000000aa";
  core::SecurityHeader sec;
  core::UsernameToken token{"LAB\\alice", "secret"};
  token.nonce = "q83vEjRWeJCrze8SNFZ4kA==";
  token.created = std::chrono::sys_days{std::chrono::year{2026} / 11 / 26} + std::chrono::hours(1);
  sec.username_token = token;
  m.security = sec;
  m.body = core::RequestSecurityToken{};
  const std::string xml = write_message(m);
  EXPECT_NE(xml.find("q83vEjRWeJCrze8SNFZ4kA=="), std::string::npos) << xml;
  const core::SoapMessage back = read_message(xml);
  ASSERT_TRUE(back.security && back.security->username_token);
  EXPECT_EQ(back.security->username_token->nonce, token.nonce);
  EXPECT_EQ(back.security->username_token->created, token.created);
  EXPECT_EQ(back.security->username_token->password, "secret");
}

}  // namespace
}  // namespace ceslab::wsdl
