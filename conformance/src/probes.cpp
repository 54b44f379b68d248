// SPDX-License-Identifier: GPL-2.0-or-later
#include "probes.hpp"

#include <libxml/tree.h>

#include <chrono>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/policy.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/wsdl/codec.hpp"

namespace ceslab::conformance {

namespace {

namespace uri = core::uri;

// A template name no CA publishes: the CA's policy module denies the
// request and records it as failed (a Windows CA: CERTSRV_E_UNSUPPORTED_CERT_TYPE).
constexpr const char* kNoSuchTemplate = "ceslab-conformance-no-such-template";

const xmlChar* x(std::string_view s) {
  return reinterpret_cast<const xmlChar*>(s.data());
}

// The SOAP 1.2 envelope's namespace replaced by SOAP 1.1's: the same request
// as a SOAP 1.1 sender would put it.
std::string as_soap11(std::string xml) {
  XmlDoc doc = XmlDoc::parse(xml);
  xmlNode* root = doc.root();
  for (xmlNs* n = root->nsDef; n != nullptr; n = n->next) {
    if (n->href != nullptr &&
        std::string_view(reinterpret_cast<const char*>(n->href)) == ns::kSoap12) {
      xmlFree(const_cast<xmlChar*>(n->href));
      n->href = xmlStrdup(x(std::string(ns::kSoap11).c_str()));
    }
  }
  return doc.serialize();
}

// <client> emptied and marked xsi:nil (MS-XCEP 3.1.4.1.2.1).
std::string with_nil_client(std::string xml) {
  XmlDoc doc = XmlDoc::parse(xml);
  xmlNode* body = child(doc.root(), ns::kSoap12, "Body");
  xmlNode* client = child(child(body, ns::kPolicy, "GetPolicies"), ns::kPolicy, "client");
  if (client == nullptr) throw std::logic_error("GetPolicies without <client>");
  while (client->children != nullptr) {
    xmlNode* c = client->children;
    xmlUnlinkNode(c);
    xmlFreeNode(c);
  }
  xmlNs* xsi = xmlNewNs(client, x(std::string(ns::kXsi).c_str()), x("xsi"));
  xmlSetNsProp(client, xsi, x("nil"), x("true"));
  return doc.serialize();
}

// The authentication layer turned the request away: IIS's 401 or 403, or
// WCF's security fault.
bool refused_by_authentication(const Reply& r) {
  if (r.status() == 401 || r.status() == 403) return true;
  const std::string code = r.fault_code();
  return code.ends_with("/InvalidSecurity") || code.ends_with("/FailedAuthentication");
}

// A KET request's body (MS-WSTEP 3.1.4.2).
core::RequestSecurityToken ket_request() {
  core::RequestSecurityToken rst;
  rst.request_type = std::string(uri::kRequestTypeKet);
  rst.request_ket = true;
  return rst;
}

}  // namespace

Probes::Probes(const ConformanceOptions& options, runner::TargetEndpoint endpoint)
    : options_{options.url, options.auth, client::copy_tls_settings(options.tls),
               options.issue_template, options.pending_template},
      endpoint_(std::move(endpoint)),
      key_(core::generate_key(core::KeySpec::parse("rsa2048"))) {
  // Transport credentials come from the authenticator alone.
  options_.tls.client_certificate.reset();
  options_.tls.client_key.reset();
}

const Reply& Probes::get(ProbeKind kind) {
  auto found = replies_.find(kind);
  if (found == replies_.end()) {
    Reply reply = send(kind);
    order_.push_back(kind);
    found = replies_.emplace(kind, std::move(reply)).first;
  }
  if (found->second.credentials_refused) throw NotSent{refusal_};
  return found->second;
}

client::CallCredentials Probes::credentials_for_call(client::TlsSettings tls) {
  if (!refusal_.empty()) throw NotSent{refusal_};
  try {
    return client::credentials_for(*options_.auth, options_.url, std::move(tls));
  } catch (const client::AuthenticationUnavailable& e) {
    // No ticket, no keytab entry, an unreadable key: nothing is sent.
    refusal_ = std::string("the credentials cannot be used: ") + e.what();
    unusable_ = true;
    throw NotSent{refusal_};
  }
}

const Reply* Probes::refused() const {
  for (const auto& [kind, reply] : replies_) {
    if (reply.credentials_refused) return &reply;
  }
  return nullptr;
}

std::vector<const Reply*> Probes::sent() const {
  std::vector<const Reply*> out;
  for (const ProbeKind k : order_) out.push_back(&replies_.at(k));
  return out;
}

core::SoapMessage Probes::message(std::string_view action, bool credentials) {
  std::optional<client::UsernameCredentials> username;
  if (credentials && options_.auth->mode() == core::AuthMode::username) {
    // Only the UsernameToken goes into the message; transport credentials
    // are added when it is sent.
    client::CallCredentials c = credentials_for_call(client::TlsSettings{});
    username = c.username;
  }
  return client::request_message(action, options_.url, username);
}

core::SoapMessage Probes::issue(const std::string& template_name, bool with_token,
                                bool with_encoding_type) {
  core::SoapMessage m = message(uri::kActionRstWstep, true);
  core::RequestSecurityToken rst;
  if (with_token) {
    core::CsrOptions csr;
    csr.template_ref = core::TemplateRef{template_name, "", 0, 0};
    core::BinaryToken token;
    token.value_type = std::string(uri::kValueTypePkcs10);
    if (!with_encoding_type) token.encoding_type.reset();
    token.data = core::build_csr(key_.get(), csr);
    rst.token = std::move(token);
  }
  rst.context.push_back({"CertificateTemplate", template_name});
  m.body = std::move(rst);
  return m;
}

// What the service is for: KET from CES (it issues nothing), GetPolicies
// from CEP.
core::SoapMessage Probes::service_request(bool credentials) {
  if (endpoint_.service == core::Service::cep) {
    core::SoapMessage m = message(uri::kActionGetPolicies, credentials);
    m.body = core::GetPoliciesRequest{};
    return m;
  }
  core::SoapMessage m = message(uri::kActionRstKet, credentials);
  m.body = ket_request();
  return m;
}

Reply Probes::send_message(const std::string& request, core::SoapMessage m, bool credentials,
                           const std::function<std::string(std::string)>& edit,
                           std::string content_type) {
  if (credentials && !refusal_.empty()) throw NotSent{refusal_};
  client::CallCredentials c;
  c.tls = client::copy_tls_settings(options_.tls);
  if (credentials) c = credentials_for_call(std::move(c.tls));
  std::string body = wsdl::write_message(m);
  if (edit) body = edit(std::move(body));
  Reply reply;
  reply.request = request;
  reply.message_id = m.addressing.message_id.value_or("");
  if (m.addressing.action == uri::kActionRstKet) {
    reply.answer_action = uri::kActionRstrKetFinal;
  } else if (m.addressing.action == uri::kActionGetPolicies) {
    reply.answer_action = uri::kActionGetPoliciesResponse;
  } else if (m.addressing.action == uri::kActionRstWstep) {
    reply.answer_action = uri::kActionRstrcWstep;
  }
  reply.call = client::call_raw(options_.url, std::move(content_type), std::move(body), c.tls,
                                c.http_headers, c.http_challenge.get());
  if (reply.call.exchange.response && !reply.call.exchange.response->body.empty()) {
    try {
      reply.xml = XmlDoc::parse(reply.call.exchange.response->body);
    } catch (const std::runtime_error& e) {
      reply.xml_error = e.what();
    }
  }
  if (credentials && refused_by_authentication(reply)) {
    reply.credentials_refused = true;
    refusal_ = "the credentials were refused (" + reply.request + ": " + reply.summary() + ")";
  }
  return reply;
}

Reply Probes::send(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::soap11:
    case ProbeKind::no_credentials:
      return send_without_credentials(kind);
    case ProbeKind::ket:
    case ProbeKind::unknown_action:
      return send_to_either_service(kind);
    case ProbeKind::issue_unknown_template:
    case ProbeKind::issue_no_encoding_type:
    case ProbeKind::issue_no_token:
    case ProbeKind::query_nil_request_id:
    case ProbeKind::ket_type_on_wstep:
    case ProbeKind::issue:
    case ProbeKind::issue_pending:
    case ProbeKind::query_pending:
      return send_wstep(kind);
    case ProbeKind::get_policies:
    case ProbeKind::get_policies_version_3:
    case ProbeKind::get_policies_one_oid:
    case ProbeKind::get_policies_up_to_date:
    case ProbeKind::get_policies_nil_client:
      return send_xcep(kind);
  }
  throw std::logic_error("unknown probe");
}

void Probes::require_credentials() const {
  if (!has_credentials()) {
    throw NotSent{"needs credentials (--auth and its options for this endpoint)"};
  }
}

Reply Probes::send_without_credentials(ProbeKind kind) {
  if (kind == ProbeKind::soap11) {
    return send_message("the service's request in a SOAP 1.1 envelope (text/xml)",
                        service_request(false), false, as_soap11, "text/xml; charset=utf-8");
  }
  const bool ces = endpoint_.service == core::Service::ces;
  return send_message(std::string(ces ? "KET" : "GetPolicies") + " without credentials",
                      service_request(false), false);
}

Reply Probes::send_to_either_service(ProbeKind kind) {
  require_credentials();
  if (kind == ProbeKind::ket) return send_message("KET", service_request(true), true);
  const bool ces = endpoint_.service == core::Service::ces;
  core::SoapMessage m = service_request(true);
  m.addressing.action = ces ? std::string(uri::kActionRstWstep) + "/ceslab-unknown"
                            : std::string(uri::kActionGetPolicies) + "/ceslab-unknown";
  return send_message("an action the contract does not have", std::move(m), true);
}

Reply Probes::send_issue(const std::string& template_name) {
  return send_message("Issue for template '" + template_name + "'", issue(template_name), true);
}

core::SoapMessage Probes::query_token_status(std::optional<std::string> request_id) {
  core::SoapMessage m = message(uri::kActionRstWstep, true);
  core::RequestSecurityToken rst;
  rst.request_type = std::string(uri::kRequestTypeQueryTokenStatus);
  rst.request_id = std::move(request_id);  // unset: written xsi:nil
  m.body = std::move(rst);
  return m;
}

Reply Probes::send_wstep(ProbeKind kind) {
  // The pending query needs the pending Issue's answer, which checks for itself.
  if (kind == ProbeKind::query_pending) return send_query_pending();
  require_credentials();
  switch (kind) {
    case ProbeKind::issue_unknown_template:
      return send_issue(kNoSuchTemplate);
    case ProbeKind::issue_no_encoding_type:
      return send_message("Issue whose BinarySecurityToken has no EncodingType",
                          issue(kNoSuchTemplate, true, false), true);
    case ProbeKind::issue_no_token:
      return send_message("Issue without a BinarySecurityToken", issue(kNoSuchTemplate, false),
                          true);
    case ProbeKind::query_nil_request_id:
      return send_message("QueryTokenStatus with RequestID xsi:nil",
                          query_token_status(std::nullopt), true);
    case ProbeKind::ket_type_on_wstep: {
      core::SoapMessage m = message(uri::kActionRstWstep, true);
      m.body = ket_request();
      return send_message("RequestType KET under the RST/wstep action", std::move(m), true);
    }
    case ProbeKind::issue:
      if (!options_.issue_template) throw NotSent{"needs --template T (a certificate is issued)"};
      return send_issue(*options_.issue_template);
    case ProbeKind::issue_pending:
      if (!options_.pending_template) {
        throw NotSent{"needs --pending-template T (a template whose requests wait for a manager)"};
      }
      return send_issue(*options_.pending_template);
    default:
      throw std::logic_error("not an MS-WSTEP probe");
  }
}

Reply Probes::send_query_pending() {
  const Reply& pending = get(ProbeKind::issue_pending);
  const xmlNode* rstr = child(pending.body_element(), ns::kTrust, "RequestSecurityTokenResponse");
  const auto id = child_text(rstr, ns::kEnrollment, "RequestID");
  if (!id || id->empty()) throw NotSent{"the pending answer named no RequestID"};
  return send_message("QueryTokenStatus for RequestID " + *id, query_token_status(*id), true);
}

Reply Probes::send_xcep(ProbeKind kind) {
  // The one-OID request filters on what the plain GetPolicies listed, which
  // checks for itself.
  if (kind == ProbeKind::get_policies_one_oid) return send_get_policies_one_oid();
  require_credentials();
  core::SoapMessage m = service_request(true);
  switch (kind) {
    case ProbeKind::get_policies:
      return send_message("GetPolicies (lastUpdate nil, versions 0/0)", std::move(m), true);
    case ProbeKind::get_policies_version_3: {
      auto& request = std::get<core::GetPoliciesRequest>(m.body);
      request.client_version = 3;
      request.server_version = 3;
      return send_message("GetPolicies with clientVersion 3, serverVersion 3", std::move(m), true);
    }
    case ProbeKind::get_policies_up_to_date:
      std::get<core::GetPoliciesRequest>(m.body).last_update =
          std::chrono::system_clock::now() + std::chrono::hours(24);
      return send_message("GetPolicies with lastUpdate a day ahead", std::move(m), true);
    case ProbeKind::get_policies_nil_client:
      return send_message("GetPolicies with <client xsi:nil=\"true\"/>", std::move(m), true,
                          with_nil_client);
    default:
      throw std::logic_error("not an MS-XCEP probe");
  }
}

Reply Probes::send_get_policies_one_oid() {
  const Reply& all = get(ProbeKind::get_policies);
  const auto* policy =
      all.call.reply ? std::get_if<core::GetPoliciesResponse>(&all.call.reply->body) : nullptr;
  if (policy == nullptr || !policy->policies || policy->policies->empty()) {
    throw NotSent{"GetPolicies listed no template to filter on"};
  }
  const core::PolicyOid* oid = client::find_oid(*policy, policy->policies->front().oid_reference);
  if (oid == nullptr) throw NotSent{"the first template's policyOIDReference names no oID"};
  core::SoapMessage m = service_request(true);
  std::get<core::GetPoliciesRequest>(m.body).policy_oids = std::vector<std::string>{oid->value};
  return send_message("GetPolicies with policyOIDs " + oid->value, std::move(m), true);
}

}  // namespace ceslab::conformance
