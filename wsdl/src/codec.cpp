// SPDX-License-Identifier: GPL-2.0-or-later
// Translation between the message model and the gSOAP binding generated from
// wsdl/*.wsdl|xsd. The only file in ceslab that touches gSOAP types.
#include "ceslab/wsdl/codec.hpp"
#include "ceslab/wsdl/xml_nodes.hpp"
#include "xml_check.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <new>
#include <sstream>

#include "ceslab/core/base64.hpp"
#include "ceslab/core/clock_time.hpp"
#include "soapH.h"
#include "wsaapi.h"
#include "wsseapi-lite.h"

// The DOM parser lives in libgsoapssl++ (built WITH_DOM); our binding does not
// import dom.h, so its two entry points are declared here.
void soap_default_xsd__anyType(struct soap*, soap_dom_element*);
soap_dom_element* soap_in_xsd__anyType(struct soap*, const char*, soap_dom_element*, const char*);

namespace ceslab::wsdl {

using namespace ceslab::core;

namespace {

// One gSOAP context per call: owns every allocation the binding makes.
class SoapContext {
 public:
  SoapContext() : soap_(soap_new1(SOAP_C_UTFSTRING | SOAP_XML_NOTYPE)) {
    if (soap_ == nullptr) throw std::bad_alloc();
    soap_set_namespaces(soap_, namespaces);
    soap_register_plugin(soap_, soap_wsa);
  }
  ~SoapContext() {
    soap_destroy(soap_);
    soap_end(soap_);
    soap_free(soap_);
  }
  SoapContext(const SoapContext&) = delete;
  SoapContext& operator=(const SoapContext&) = delete;
  soap* get() const { return soap_; }

  char* dup(std::string_view text) const {
    char* p = static_cast<char*>(soap_malloc(soap_, text.size() + 1));
    std::copy(text.begin(), text.end(), p);
    p[text.size()] = '\0';
    return p;
  }
  char* dup_opt(const std::optional<std::string>& text) const {
    return text ? dup(std::string_view(*text)) : nullptr;
  }
  std::string* str(const std::optional<std::string>& text) const {
    if (!text) return nullptr;
    std::string* p = soap_new_std__string(soap_);
    *p = *text;
    return p;
  }
  template <typename T>
  T* value(const std::optional<T>& v) const {
    if (!v) return nullptr;
    T* p = static_cast<T*>(soap_malloc(soap_, sizeof(T)));
    *p = *v;
    return p;
  }
  template <typename T>
  T* value(const T& v) const {
    T* p = static_cast<T*>(soap_malloc(soap_, sizeof(T)));
    *p = v;
    return p;
  }

  // The text of the error gSOAP recorded, on one line.
  std::string error_text() const {
    const char** reason = soap_faultstring(soap_);
    const char** detail = soap_faultdetail(soap_);
    std::string text =
        (reason && *reason) ? *reason : "gSOAP error " + std::to_string(soap_->error);
    if (detail && *detail) text += std::string(" (") + *detail + ")";
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
  }

 private:
  soap* soap_;
};

template <typename T>
std::optional<T> opt(const T* p) {
  return p ? std::optional<T>(*p) : std::nullopt;
}
std::optional<std::string> opt(const std::string* p) {
  return p ? std::optional<std::string>(*p) : std::nullopt;
}
// xs:anyURI collapses white space (XML Schema part 2, 3.2.17): a pretty-printed
// <a:Action> or <RequestType> (as in the MS-XCEP 4.1.1.1 example) names the
// same URI as a compact one.
std::string uri_text(std::string_view text) {
  return std::string(xml::trim_space(text));
}
std::optional<std::string> opt_uri(const char* p) {
  return p ? std::optional<std::string>(uri_text(p)) : std::nullopt;
}
std::optional<std::string> opt_uri(const std::string* p) {
  return p ? std::optional<std::string>(uri_text(*p)) : std::nullopt;
}

// xs:dateTime with milliseconds, UTC, as WCF writes it.
std::string format_time(TimePoint t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

// xs:dateTime spans years 1 to 9999, beyond system_clock's (found by
// fuzzing, docs/fuzzing.md); core::clock_time holds such a time at a bound
// where it still compares as far future or past (the Timestamp window
// refuses it as WCF does).
TimePoint time_from_seconds(std::time_t seconds, long microseconds = 0) {
  return core::clock_time(std::chrono::sys_seconds(std::chrono::seconds(seconds))) +
         std::chrono::microseconds(microseconds);
}

std::optional<TimePoint> parse_time(SoapContext& ctx, const char* text) {
  if (text == nullptr) return std::nullopt;
  // struct timeval keeps the milliseconds WCF writes; time_t would drop them.
  timeval tv{};
  if (soap_s2xsd__dateTime(ctx.get(), text, &tv) != SOAP_OK) {
    ctx.get()->error = SOAP_OK;
    throw MessageError(MessageErrorKind::malformed_xml,
                       std::string("bad xs:dateTime '") + text + "'");
  }
  return time_from_seconds(tv.tv_sec, tv.tv_usec);
}

// ---- building the binding from the model ----------------------------------

_wsse__BinarySecurityToken* make_bst(SoapContext& ctx, const BinaryToken& token) {
  auto* bst = static_cast<_wsse__BinarySecurityToken*>(
      soap_malloc(ctx.get(), sizeof(_wsse__BinarySecurityToken)));
  soap_default__wsse__BinarySecurityToken(ctx.get(), bst);
  bst->ValueType = ctx.dup(token.value_type);
  bst->EncodingType = ctx.dup_opt(token.encoding_type);
  bst->__item = ctx.dup(encode_base64_wrapped(token.data));
  return bst;
}

BinaryToken read_bst(const _wsse__BinarySecurityToken& bst) {
  BinaryToken token;
  token.value_type = uri_text(bst.ValueType ? bst.ValueType : "");
  token.encoding_type = opt_uri(bst.EncodingType);
  token.data = decode_base64(bst.__item ? bst.__item : "");
  return token;
}

xsd__base64Binary make_base64(SoapContext& ctx, const ByteString& data) {
  xsd__base64Binary b;
  b.soap_default(ctx.get());
  b.__ptr = static_cast<unsigned char*>(soap_malloc(ctx.get(), data.size() + 1));
  std::copy(data.begin(), data.end(), b.__ptr);
  b.__size = static_cast<int>(data.size());
  return b;
}

ByteString read_base64(const xsd__base64Binary& b) {
  if (b.__ptr == nullptr || b.__size <= 0) return {};
  return ByteString(b.__ptr, b.__ptr + b.__size);
}

void write_header(SoapContext& ctx, const SoapMessage& m) {
  soap* s = ctx.get();
  const Addressing& a = m.addressing;
  if (soap_wsa_request(s, ctx.dup_opt(a.message_id), a.to ? a.to->c_str() : nullptr,
                       a.action.c_str()) != SOAP_OK) {
    throw std::runtime_error("WS-Addressing header: " + ctx.error_text());
  }
  // soap_wsa_request puts the anonymous address in To when none is given; the
  // MS-WSTEP examples omit To, so absent stays absent.
  if (!a.to) s->header->wsa5__To = nullptr;
  if (a.reply_to) soap_wsa_add_ReplyTo(s, a.reply_to->c_str());
  if (a.relates_to) soap_wsa_add_RelatesTo(s, a.relates_to->c_str());

  if (!m.security) return;
  const SecurityHeader& sec = *m.security;
  if (sec.created || sec.expires) {
    soap_wsse_add_Timestamp(s, "_0", 0);
    _wsu__Timestamp* ts = soap_wsse_Timestamp(s);
    ts->Created = sec.created ? ctx.dup(format_time(*sec.created)) : nullptr;
    ts->Expires = sec.expires ? ctx.dup(format_time(*sec.expires)) : nullptr;
  }
  if (sec.username_token) {
    const UsernameToken& ut = *sec.username_token;
    soap_wsse_add_UsernameTokenText(s, "uuid-username-token-1", ut.username.c_str(),
                                    ut.password.c_str());
    _wsse__UsernameToken* token = soap_wsse_UsernameToken(s, nullptr);
    token->Password->Type = ctx.dup(std::string_view(ut.password_type));
    if (ut.nonce) {
      token->Nonce = soap_new_wsse__EncodedString(s);
      token->Nonce->__item = ctx.dup(*ut.nonce);
      token->Nonce->EncodingType = ctx.dup(std::string_view(uri::kEncodingBase64));
    }
    if (ut.created) token->wsu__Created = ctx.dup(format_time(*ut.created));
  }
}

wst__RequestSecurityTokenType* make_rst(SoapContext& ctx, const RequestSecurityToken& r) {
  auto* rst = soap_new_wst__RequestSecurityTokenType(ctx.get());
  rst->TokenType = ctx.str(r.token_type);
  rst->RequestType = ctx.str(r.request_type);
  if (r.token) rst->wsse__BinarySecurityToken = make_bst(ctx, *r.token);
  if (!r.context.empty()) {
    rst->auth__AdditionalContext = soap_new_auth__AdditionalContextType(ctx.get());
    for (const ContextItem& item : r.context) {
      auto* ci = soap_new_auth__ContextItemType(ctx.get());
      ci->Name = item.name;
      ci->Value = ctx.str(item.value);
      rst->auth__AdditionalContext->ContextItem.push_back(ci);
    }
  }
  if (r.request_ket) rst->RequestKET = soap_new_wst__RequestKETType(ctx.get());
  rst->enr__RequestID = ctx.str(r.request_id);
  return rst;
}

wst__RequestSecurityTokenResponseCollectionType* make_rstrc(SoapContext& ctx,
                                                            const RequestSecurityTokenResponse& r) {
  auto* rstr = soap_new_wst__RequestSecurityTokenResponseType(ctx.get());
  rstr->TokenType = ctx.str(r.token_type);
  if (r.disposition_message) {
    rstr->enr__DispositionMessage = soap_new_enr__DispositionMessageType(ctx.get());
    rstr->enr__DispositionMessage->__item = *r.disposition_message;
    rstr->enr__DispositionMessage->xml__lang = ctx.str(r.disposition_lang);
  }
  if (r.cmc_response) rstr->wsse__BinarySecurityToken = make_bst(ctx, *r.cmc_response);
  if (r.issued_certificate || r.pending_reference || r.key_exchange_token) {
    auto* rt = soap_new_wst__RequestedSecurityTokenType(ctx.get());
    if (r.issued_certificate) rt->wsse__BinarySecurityToken = make_bst(ctx, *r.issued_certificate);
    if (r.pending_reference) {
      auto* str = static_cast<_wsse__SecurityTokenReference*>(
          soap_malloc(ctx.get(), sizeof(_wsse__SecurityTokenReference)));
      soap_default__wsse__SecurityTokenReference(ctx.get(), str);
      str->Reference =
          static_cast<_wsse__Reference*>(soap_malloc(ctx.get(), sizeof(_wsse__Reference)));
      soap_default__wsse__Reference(ctx.get(), str->Reference);
      str->Reference->URI = ctx.dup(*r.pending_reference);
      rt->wsse__SecurityTokenReference = str;
    }
    if (r.key_exchange_token) {
      rt->KeyExchangeToken = soap_new_wst__KeyExchangeTokenType(ctx.get());
      rt->KeyExchangeToken->wsse__BinarySecurityToken = make_bst(ctx, *r.key_exchange_token);
    }
    rstr->RequestedSecurityToken = rt;
  }
  rstr->enr__RequestID = ctx.str(r.request_id);
  auto* rstrc = soap_new_wst__RequestSecurityTokenResponseCollectionType(ctx.get());
  rstrc->RequestSecurityTokenResponse.push_back(rstr);
  return rstrc;
}

// QNames in gSOAP: "prefix:local" for namespaces in the table, or
// "\"URI\":local" for others (written with a fresh xmlns binding).
char* make_qname(SoapContext& ctx, const std::optional<std::string>& ns, const std::string& local) {
  if (!ns) return ctx.dup(local);
  if (*ns == uri::kSoap12Envelope) return ctx.dup("SOAP-ENV:" + local);
  if (*ns == uri::kAddressing) return ctx.dup("wsa5:" + local);
  return ctx.dup("\"" + *ns + "\":" + local);
}

SOAP_ENV__Fault* make_fault(SoapContext& ctx, const EnrollmentFault& f) {
  soap* s = ctx.get();
  auto* fault = soap_new_SOAP_ENV__Fault(s);
  fault->SOAP_ENV__Code = soap_new_SOAP_ENV__Code(s);
  fault->SOAP_ENV__Code->SOAP_ENV__Value =
      make_qname(ctx, std::string(uri::kSoap12Envelope), f.code.empty() ? "Receiver" : f.code);
  if (f.subcode) {
    fault->SOAP_ENV__Code->SOAP_ENV__Subcode = soap_new_SOAP_ENV__Code(s);
    fault->SOAP_ENV__Code->SOAP_ENV__Subcode->SOAP_ENV__Value =
        make_qname(ctx, f.subcode_namespace, *f.subcode);
  }
  fault->SOAP_ENV__Reason = soap_new_SOAP_ENV__Reason(s);
  fault->SOAP_ENV__Reason->SOAP_ENV__Text = ctx.dup(f.reason);
  // gSOAP writes soap->lang as the Text's xml:lang ("en" by default); Windows
  // sends the model's language (en-US).
  s->lang = f.reason_lang.empty() ? nullptr : ctx.dup(f.reason_lang);
  if (f.has_detail) {
    fault->SOAP_ENV__Detail = soap_new_SOAP_ENV__Detail(s);
    auto* d = soap_new_enr__CertificateEnrollmentWSDetailType(s);
    d->BinaryResponse = ctx.str(f.binary_response);
    d->ErrorCode = ctx.value(f.error_code);
    d->InvalidRequest = ctx.value(f.invalid_request);
    d->RequestID = ctx.str(f.request_id);
    fault->SOAP_ENV__Detail->enr__CertificateEnrollmentWSDetail = d;
  }
  return fault;
}

_xcep__GetPolicies* make_get_policies(SoapContext& ctx, const GetPoliciesRequest& r) {
  auto* gp = soap_new__xcep__GetPolicies(ctx.get());
  gp->client = soap_new_xcep__Client(ctx.get());
  if (r.last_update)
    gp->client->lastUpdate = ctx.value(std::chrono::system_clock::to_time_t(*r.last_update));
  gp->client->preferredLanguage = ctx.str(r.preferred_language);
  if (!r.filter_nil) {
    auto* filter = soap_new_xcep__RequestFilter(ctx.get());
    if (r.policy_oids) {
      filter->policyOIDs = soap_new_xcep__FilterOIDCollection(ctx.get());
      filter->policyOIDs->oid = *r.policy_oids;
    }
    filter->clientVersion = ctx.value(r.client_version);
    filter->serverVersion = ctx.value(r.server_version);
    gp->requestFilter = filter;
  }
  return gp;
}

template <typename Collection>
Collection* make_oid_refs(SoapContext& ctx, const std::optional<std::vector<int>>& refs) {
  if (!refs) return nullptr;
  auto* c = soap_new_xcep__CAReferenceCollection(ctx.get());
  c->cAReference = *refs;
  return c;
}

xcep__Extension* make_extension(SoapContext& ctx, const PolicyExtension& e) {
  auto* x = soap_new_xcep__Extension(ctx.get());
  x->oIDReference = e.oid_reference;
  x->critical = ctx.value(e.critical);
  if (e.value) {
    x->value = soap_new_xsd__base64Binary(ctx.get());
    *x->value = make_base64(ctx, *e.value);
  }
  return x;
}

xcep__Attributes* make_attributes(SoapContext& ctx, const PolicyTemplate& t) {
  soap* s = ctx.get();
  auto* a = soap_new_xcep__Attributes(s);
  a->commonName = t.common_name;
  a->policySchema = t.policy_schema;
  a->certificateValidity = soap_new_xcep__CertificateValidity(s);
  a->certificateValidity->validityPeriodSeconds = t.validity_seconds;
  a->certificateValidity->renewalPeriodSeconds = t.renewal_seconds;
  a->permission = soap_new_xcep__EnrollmentPermission(s);
  a->permission->enroll = t.enroll;
  a->permission->autoEnroll = t.auto_enroll;
  a->privateKeyAttributes = soap_new_xcep__PrivateKeyAttributes(s);
  a->privateKeyAttributes->minimalKeyLength = t.minimal_key_length;
  a->privateKeyAttributes->keySpec = ctx.value(t.key_spec);
  a->privateKeyAttributes->keyUsageProperty = ctx.value(t.key_usage_property);
  a->privateKeyAttributes->permissions = ctx.str(t.key_permissions);
  a->privateKeyAttributes->algorithmOIDReference = ctx.value(t.algorithm_oid_reference);
  if (t.crypto_providers) {
    a->privateKeyAttributes->cryptoProviders = soap_new_xcep__CryptoProviders(s);
    a->privateKeyAttributes->cryptoProviders->provider = *t.crypto_providers;
  }
  a->revision = soap_new_xcep__Revision(s);
  a->revision->majorRevision = t.major_revision;
  a->revision->minorRevision = ctx.value(t.minor_revision);
  if (t.superseded) {
    a->supersededPolicies = soap_new_xcep__SupersededPolicies(s);
    a->supersededPolicies->commonName = *t.superseded;
  }
  a->privateKeyFlags = ctx.value(t.private_key_flags);
  a->subjectNameFlags = ctx.value(t.subject_name_flags);
  a->enrollmentFlags = ctx.value(t.enrollment_flags);
  a->generalFlags = ctx.value(t.general_flags);
  a->hashAlgorithmOIDReference = ctx.value(t.hash_algorithm_oid_reference);
  if (t.extensions) {
    a->extensions = soap_new_xcep__ExtensionCollection(s);
    for (const PolicyExtension& e : *t.extensions)
      a->extensions->extension.push_back(make_extension(ctx, e));
  }
  return a;
}

xcep__CertificateEnrollmentPolicy* make_policy(SoapContext& ctx, const PolicyTemplate& t) {
  auto* p = soap_new_xcep__CertificateEnrollmentPolicy(ctx.get());
  p->policyOIDReference = t.oid_reference;
  p->cAs = make_oid_refs<xcep__CAReferenceCollection>(ctx, t.ca_references);
  p->attributes = make_attributes(ctx, t);
  return p;
}

xcep__CA* make_ca(SoapContext& ctx, const PolicyCa& ca) {
  soap* s = ctx.get();
  auto* c = soap_new_xcep__CA(s);
  c->uris = soap_new_xcep__CAURICollection(s);
  for (const CaUri& u : ca.uris) {
    auto* cu = soap_new_xcep__CAURI(s);
    cu->clientAuthentication = u.client_authentication;
    cu->uri = u.uri;
    cu->priority = ctx.value(u.priority);
    cu->renewalOnly = ctx.value(u.renewal_only);
    c->uris->cAURI.push_back(cu);
  }
  c->certificate = make_base64(ctx, ca.certificate);
  c->enrollPermission = ca.enroll_permission;
  c->cAReferenceID = ca.reference_id;
  return c;
}

xcep__OID* make_oid(SoapContext& ctx, const PolicyOid& o) {
  auto* x = soap_new_xcep__OID(ctx.get());
  x->value = o.value;
  x->group = o.group;
  x->oIDReferenceID = o.reference_id;
  x->defaultName = o.default_name;
  return x;
}

_xcep__GetPoliciesResponse* make_get_policies_response(SoapContext& ctx,
                                                       const GetPoliciesResponse& r) {
  soap* s = ctx.get();
  auto* gr = soap_new__xcep__GetPoliciesResponse(s);
  if (!r.response_nil) {
    auto* resp = soap_new_xcep__Response(s);
    resp->policyID = r.policy_id;
    resp->policyFriendlyName = ctx.str(r.policy_friendly_name);
    resp->nextUpdateHours = ctx.value(r.next_update_hours);
    resp->policiesNotChanged = ctx.value(r.policies_not_changed);
    if (r.policies) {
      resp->policies = soap_new_xcep__PolicyCollection(s);
      for (const PolicyTemplate& t : *r.policies)
        resp->policies->policy.push_back(make_policy(ctx, t));
    }
    gr->response = resp;
  }
  if (r.cas) {
    gr->cAs = soap_new_xcep__CACollection(s);
    for (const PolicyCa& ca : *r.cas) gr->cAs->cA.push_back(make_ca(ctx, ca));
  }
  if (r.oids) {
    gr->oIDs = soap_new_xcep__OIDCollection(s);
    for (const PolicyOid& o : *r.oids) gr->oIDs->oID.push_back(make_oid(ctx, o));
  }
  return gr;
}

// ---- reading the binding into the model ------------------------------------

RequestSecurityToken read_rst(const wst__RequestSecurityTokenType& rst) {
  RequestSecurityToken r;
  r.token_type = opt_uri(rst.TokenType);
  r.request_type = opt_uri(rst.RequestType);
  if (rst.wsse__BinarySecurityToken) r.token = read_bst(*rst.wsse__BinarySecurityToken);
  if (rst.auth__AdditionalContext) {
    for (const auth__ContextItemType* ci : rst.auth__AdditionalContext->ContextItem) {
      if (ci) r.context.push_back({ci->Name, opt(ci->Value)});
    }
  }
  r.request_ket = rst.RequestKET != nullptr;
  r.request_id = opt(rst.enr__RequestID);
  return r;
}

RequestSecurityTokenResponse read_rstrc(const wst__RequestSecurityTokenResponseCollectionType& c) {
  if (c.RequestSecurityTokenResponse.empty() || c.RequestSecurityTokenResponse.front() == nullptr) {
    throw MessageError(
        MessageErrorKind::malformed_xml,
        "RequestSecurityTokenResponseCollection holds no RequestSecurityTokenResponse");
  }
  const wst__RequestSecurityTokenResponseType& rstr = *c.RequestSecurityTokenResponse.front();
  RequestSecurityTokenResponse r;
  r.token_type = opt_uri(rstr.TokenType);
  r.disposition_message.reset();
  r.disposition_lang.reset();
  if (rstr.enr__DispositionMessage) {
    r.disposition_message = rstr.enr__DispositionMessage->__item;
    r.disposition_lang = opt(rstr.enr__DispositionMessage->xml__lang);
  }
  if (rstr.wsse__BinarySecurityToken) r.cmc_response = read_bst(*rstr.wsse__BinarySecurityToken);
  if (const auto* rt = rstr.RequestedSecurityToken) {
    if (rt->wsse__BinarySecurityToken)
      r.issued_certificate = read_bst(*rt->wsse__BinarySecurityToken);
    if (rt->wsse__SecurityTokenReference && rt->wsse__SecurityTokenReference->Reference) {
      r.pending_reference = opt_uri(rt->wsse__SecurityTokenReference->Reference->URI);
    }
    if (rt->KeyExchangeToken && rt->KeyExchangeToken->wsse__BinarySecurityToken) {
      r.key_exchange_token = read_bst(*rt->KeyExchangeToken->wsse__BinarySecurityToken);
    }
  }
  r.request_id = opt(rstr.enr__RequestID);
  return r;
}

// Splits a QName read by gSOAP into (namespace, local name).
std::pair<std::optional<std::string>, std::string> split_qname(soap* s, const char* qname) {
  if (qname == nullptr) return {std::nullopt, ""};
  std::string q = qname;
  if (!q.empty() && q.front() == '"') {
    const auto end = q.find("\":");
    if (end != std::string::npos) return {q.substr(1, end - 1), q.substr(end + 2)};
  }
  const auto colon = q.find(':');
  if (colon == std::string::npos) return {std::nullopt, q};
  const std::string prefix = q.substr(0, colon);
  std::optional<std::string> ns;
  for (const Namespace* n = s->namespaces; n && n->id; ++n) {
    if (prefix == n->id) {
      ns = (n->out && *n->out) ? n->out : n->ns;
      break;
    }
  }
  // SOAP 1.2 and WS-A namespaces are known under our table's prefixes.
  if (prefix == "SOAP-ENV") ns = std::string(uri::kSoap12Envelope);
  return {ns, q.substr(colon + 1)};
}

EnrollmentFault read_fault(soap* s, const SOAP_ENV__Fault& f, const std::string& action) {
  EnrollmentFault r;
  r.action = action;
  if (f.SOAP_ENV__Code) {
    r.code = split_qname(s, f.SOAP_ENV__Code->SOAP_ENV__Value).second;
    if (const auto* sub = f.SOAP_ENV__Code->SOAP_ENV__Subcode) {
      auto [ns, local] = split_qname(s, sub->SOAP_ENV__Value);
      r.subcode = local;
      r.subcode_namespace = ns;
    }
  }
  r.reason = (f.SOAP_ENV__Reason && f.SOAP_ENV__Reason->SOAP_ENV__Text)
                 ? f.SOAP_ENV__Reason->SOAP_ENV__Text
                 : "";
  const SOAP_ENV__Detail* detail = f.SOAP_ENV__Detail;
  if (detail && detail->enr__CertificateEnrollmentWSDetail) {
    const auto* d = detail->enr__CertificateEnrollmentWSDetail;
    r.has_detail = true;
    r.binary_response = opt(d->BinaryResponse);
    r.error_code = opt(d->ErrorCode);
    r.invalid_request = opt(d->InvalidRequest);
    r.request_id = opt(d->RequestID);
  }
  if (action == uri::kActionEnrollmentFault || r.has_detail) {
    r.kind = FaultKind::enrollment_detail;
  } else if (action == uri::kActionWcfFault ||
             r.subcode_namespace == std::string(uri::kWcfDispatcher)) {
    r.kind = FaultKind::wcf_dispatcher;
  } else if (action == uri::kActionAddressingFault ||
             r.subcode_namespace == std::string(uri::kAddressing)) {
    r.kind = FaultKind::ws_addressing;
  } else {
    r.kind = FaultKind::other;
  }
  return r;
}

GetPoliciesRequest read_get_policies(const _xcep__GetPolicies& gp) {
  if (gp.client == nullptr) {
    throw MessageError(MessageErrorKind::malformed_xml, "GetPolicies has no client element");
  }
  GetPoliciesRequest r;
  r.last_update = gp.client->lastUpdate
                      ? std::optional<TimePoint>(time_from_seconds(*gp.client->lastUpdate))
                      : std::nullopt;
  r.preferred_language = opt(gp.client->preferredLanguage);
  r.filter_nil = gp.requestFilter == nullptr;
  r.policy_oids.reset();
  r.client_version.reset();
  r.server_version.reset();
  if (gp.requestFilter) {
    if (gp.requestFilter->policyOIDs) r.policy_oids = gp.requestFilter->policyOIDs->oid;
    r.client_version = opt(gp.requestFilter->clientVersion);
    r.server_version = opt(gp.requestFilter->serverVersion);
  }
  return r;
}

PolicyTemplate read_template(const xcep__CertificateEnrollmentPolicy& p) {
  PolicyTemplate t;
  t.oid_reference = p.policyOIDReference;
  if (p.cAs) t.ca_references = p.cAs->cAReference;
  const xcep__Attributes* a = p.attributes;
  if (a == nullptr)
    throw MessageError(MessageErrorKind::malformed_xml, "policy without attributes");
  t.common_name = a->commonName;
  t.policy_schema = a->policySchema;
  if (a->certificateValidity) {
    t.validity_seconds = a->certificateValidity->validityPeriodSeconds;
    t.renewal_seconds = a->certificateValidity->renewalPeriodSeconds;
  }
  if (a->permission) {
    t.enroll = a->permission->enroll;
    t.auto_enroll = a->permission->autoEnroll;
  }
  if (const auto* k = a->privateKeyAttributes) {
    t.minimal_key_length = k->minimalKeyLength;
    t.key_spec = opt(k->keySpec);
    t.key_usage_property = opt(k->keyUsageProperty);
    t.key_permissions = opt(k->permissions);
    t.algorithm_oid_reference = opt(k->algorithmOIDReference);
    if (k->cryptoProviders) t.crypto_providers = k->cryptoProviders->provider;
  }
  if (a->revision) {
    t.major_revision = a->revision->majorRevision;
    t.minor_revision = opt(a->revision->minorRevision);
  }
  if (a->supersededPolicies) t.superseded = a->supersededPolicies->commonName;
  t.private_key_flags = opt(a->privateKeyFlags);
  t.subject_name_flags = opt(a->subjectNameFlags);
  t.enrollment_flags = opt(a->enrollmentFlags);
  t.general_flags = opt(a->generalFlags);
  t.hash_algorithm_oid_reference = opt(a->hashAlgorithmOIDReference);
  if (a->extensions) {
    std::vector<PolicyExtension> exts;
    for (const xcep__Extension* x : a->extensions->extension) {
      if (!x) continue;
      PolicyExtension e;
      e.oid_reference = x->oIDReference;
      e.critical = opt(x->critical);
      if (x->value) e.value = read_base64(*x->value);
      exts.push_back(std::move(e));
    }
    t.extensions = std::move(exts);
  }
  return t;
}

GetPoliciesResponse read_get_policies_response(const _xcep__GetPoliciesResponse& gr) {
  GetPoliciesResponse r;
  r.response_nil = gr.response == nullptr;
  r.next_update_hours.reset();
  r.policies_not_changed.reset();
  if (gr.response) {
    r.policy_id = gr.response->policyID;
    r.policy_friendly_name = opt(gr.response->policyFriendlyName);
    r.next_update_hours = opt(gr.response->nextUpdateHours);
    r.policies_not_changed = opt(gr.response->policiesNotChanged);
    if (gr.response->policies) {
      std::vector<PolicyTemplate> policies;
      for (const auto* p : gr.response->policies->policy) {
        if (p) policies.push_back(read_template(*p));
      }
      r.policies = std::move(policies);
    }
  }
  if (gr.cAs) {
    std::vector<PolicyCa> cas;
    for (const xcep__CA* c : gr.cAs->cA) {
      if (!c) continue;
      PolicyCa ca;
      if (c->uris) {
        for (const xcep__CAURI* u : c->uris->cAURI) {
          if (u)
            ca.uris.push_back(
                {u->clientAuthentication, uri_text(u->uri), opt(u->priority), opt(u->renewalOnly)});
        }
      }
      ca.certificate = read_base64(c->certificate);
      ca.enroll_permission = c->enrollPermission;
      ca.reference_id = c->cAReferenceID;
      cas.push_back(std::move(ca));
    }
    r.cas = std::move(cas);
  }
  if (gr.oIDs) {
    std::vector<PolicyOid> oids;
    for (const xcep__OID* o : gr.oIDs->oID) {
      if (o) oids.push_back({o->value, o->group, o->oIDReferenceID, o->defaultName});
    }
    r.oids = std::move(oids);
  }
  return r;
}

bool contains_doctype(std::string_view xml) {
  // A DTD is the only way to declare entities; SOAP forbids it (SOAP 1.2
  // part 1, 5) and we refuse it outright rather than let the parser skip it.
  static constexpr std::string_view kMarkers[] = {"<!DOCTYPE", "<!ENTITY"};
  for (std::string_view marker : kMarkers) {
    auto it = std::search(xml.begin(), xml.end(), marker.begin(), marker.end(), [](char a, char b) {
      return std::toupper(static_cast<unsigned char>(a)) == b;
    });
    if (it != xml.end()) return true;
  }
  return false;
}

void require_action(const core::Addressing& addressing,
                    std::initializer_list<std::string_view> allowed, std::string_view body) {
  const std::string& action = addressing.action;
  if (action.empty()) {
    throw MessageError(MessageErrorKind::missing_action,
                       "the message has no wsa:Action header (body " + std::string(body) + ")")
        .with_message_id(addressing.message_id);
  }
  for (std::string_view a : allowed) {
    if (action == a) return;
  }
  throw MessageError(MessageErrorKind::action_mismatch,
                     "action '" + action + "' does not belong to a " + std::string(body) + " body",
                     action)
      .with_message_id(addressing.message_id);
}

void render(const soap_dom_element* e, int depth, std::string& out) {
  const char* ns = soap_elt_get_ns(e);
  std::string tag = soap_elt_get_tag(e) ? soap_elt_get_tag(e) : "";
  if (auto colon = tag.find(':'); colon != std::string::npos) tag.erase(0, colon + 1);
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
  out += "{" + std::string(ns ? ns : "") + "}" + tag;
  std::vector<std::string> attrs;
  for (const soap_dom_attribute* a = e->atts; a; a = a->next) {
    std::string name = a->name ? a->name : "";
    if (name == "xmlns" || name.rfind("xmlns:", 0) == 0) continue;
    if (auto colon = name.find(':'); colon != std::string::npos) name.erase(0, colon + 1);
    attrs.push_back("{" + std::string(a->nstr ? a->nstr : "") + "}" + name + "=" +
                    (a->text ? a->text : ""));
  }
  std::sort(attrs.begin(), attrs.end());
  for (const auto& a : attrs) out += " @" + a;
  std::string text(xml::trim_space(e->text ? e->text : ""));
  if (tag == "Value" && ns && std::string_view(ns) == uri::kSoap12Envelope) {
    if (auto colon = text.rfind(':'); colon != std::string::npos) text.erase(0, colon + 1);
  }
  if (!text.empty()) out += " = " + text;
  out += "\n";
  for (const soap_dom_element* c = e->elts; c; c = c->next) render(c, depth + 1, out);
}

// ---- read_message, step by step ---------------------------------------------

MessageError malformed(const SoapContext& ctx, std::string_view what) {
  return MessageError(MessageErrorKind::malformed_xml, std::string(what) + ": " + ctx.error_text());
}

// What is refused before any parser sees the bytes.
void check_raw(std::string_view xml, const CodecLimits& limits) {
  if (xml.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw MessageError(MessageErrorKind::empty, "the message is empty");
  }
  if (xml.size() > limits.max_bytes) {
    throw MessageError(MessageErrorKind::too_large,
                       "the message has " + std::to_string(xml.size()) +
                           " bytes, more than the limit of " + std::to_string(limits.max_bytes));
  }
}

// A SOAP 1.2 envelope and its header blocks, read into ctx.
void read_envelope_header(SoapContext& ctx, const detail::XmlFacts& xml_facts) {
  soap* s = ctx.get();
  if (soap_begin_recv(s) || soap_envelope_begin_in(s)) throw malformed(ctx, "not a SOAP envelope");
  if (s->version == 1) {
    throw MessageError(MessageErrorKind::not_soap12,
                       "a SOAP 1.1 envelope; CES and CEP speak SOAP 1.2 only (MS-WSTEP 2.1)")
        .with_part(MessagePart::headers);
  }
  // gSOAP lets any XML root through (REST mode) and only sets the version when
  // it meets the SOAP-ENV namespace; an IIS page or a bare element is no envelope.
  if (s->version != 2) {
    throw MessageError(MessageErrorKind::malformed_xml,
                       std::string("not a SOAP envelope: the root element is <") + s->tag + ">");
  }
  if (!soap_recv_header(s)) return;
  // SOAP 1.2 Part 1, 5.4.8: a block this node must understand and does not.
  if (s->error == SOAP_MUSTUNDERSTAND) {
    const std::string tag = s->tag;
    const std::string local =
        tag.substr(tag.find(':') == std::string::npos ? 0 : tag.find(':') + 1);
    std::string ns;
    for (const auto& [block_ns, block_name] : xml_facts.must_understand_headers) {
      if (block_name == local) ns = block_ns;
    }
    // WCF has read every header when its dispatcher finds the block
    // (DispatchOperationRuntime.ValidateMustUnderstand) and addresses the
    // fault as any reply (ImmutableDispatchRuntime.PrepareAndAddressReply),
    // so it relates to the MessageID, wherever that stands in the Header.
    throw MessageError(
        MessageErrorKind::must_understand,
        "the header block '" + local + "' (" + ns + ") must be understood and is not")
        .with_header(ns, local)
        .with_message_id(xml_facts.message_id);
  }
  throw malformed(ctx, "bad SOAP header");
}

core::Addressing read_addressing(const SOAP_ENV__Header& h) {
  core::Addressing a;
  a.action = uri_text(h.wsa5__Action ? h.wsa5__Action : "");
  a.message_id = opt_uri(h.wsa5__MessageID);
  a.to = opt_uri(h.wsa5__To);
  if (h.wsa5__ReplyTo) a.reply_to = opt_uri(h.wsa5__ReplyTo->Address);
  if (h.wsa5__RelatesTo) a.relates_to = opt_uri(h.wsa5__RelatesTo->__item);
  return a;
}

SecurityHeader read_security(SoapContext& ctx, const _wsse__Security& sec) {
  SecurityHeader sh;
  if (sec.wsu__Timestamp) {
    sh.created = parse_time(ctx, sec.wsu__Timestamp->Created);
    sh.expires = parse_time(ctx, sec.wsu__Timestamp->Expires);
  }
  if (const _wsse__UsernameToken* ut = sec.UsernameToken) {
    UsernameToken token;
    token.username = ut->Username ? ut->Username : "";
    if (ut->Password) {
      token.password = ut->Password->__item ? ut->Password->__item : "";
      token.password_type = ut->Password->Type ? ut->Password->Type : "";
    } else {
      token.password_type.clear();
    }
    if (ut->Nonce && ut->Nonce->__item) token.nonce = std::string(ut->Nonce->__item);
    token.created = parse_time(ctx, ut->wsu__Created);
    sh.username_token = std::move(token);
  }
  return sh;
}

// The one body element, by its tag, with an action that belongs to it.
void read_body(SoapContext& ctx, const detail::XmlFacts& xml_facts, SoapMessage& m) {
  soap* s = ctx.get();
  if (soap_body_begin_in(s)) throw malformed(ctx, "no SOAP body");
  const std::string& action = m.addressing.action;
  if (soap_peek_element(s)) {
    throw MessageError(MessageErrorKind::empty_body, "the SOAP Body has no element", action);
  }
  const std::string tag = s->tag;

  if (!soap_match_tag(s, s->tag, "wst:RequestSecurityToken")) {
    require_action(m.addressing, {uri::kActionRstWstep, uri::kActionRstKet},
                   "RequestSecurityToken");
    wst__RequestSecurityTokenType rst;
    rst.soap_default(s);
    if (!soap_in_wst__RequestSecurityTokenType(s, "wst:RequestSecurityToken", &rst, nullptr)) {
      throw malformed(ctx, "bad RequestSecurityToken");
    }
    m.body = read_rst(rst);
  } else if (!soap_match_tag(s, s->tag, "wst:RequestSecurityTokenResponseCollection")) {
    require_action(m.addressing, {uri::kActionRstrcWstep, uri::kActionRstrKetFinal},
                   "RequestSecurityTokenResponseCollection");
    wst__RequestSecurityTokenResponseCollectionType c;
    c.soap_default(s);
    if (!soap_in_wst__RequestSecurityTokenResponseCollectionType(
            s, "wst:RequestSecurityTokenResponseCollection", &c, nullptr)) {
      throw malformed(ctx, "bad RequestSecurityTokenResponseCollection");
    }
    m.body = read_rstrc(c);
  } else if (!soap_match_tag(s, s->tag, "SOAP-ENV:Fault")) {
    SOAP_ENV__Fault f;
    soap_default_SOAP_ENV__Fault(s, &f);
    if (!soap_in_SOAP_ENV__Fault(s, "SOAP-ENV:Fault", &f, nullptr))
      throw malformed(ctx, "bad SOAP fault");
    m.body = read_fault(s, f, action);
    std::get<EnrollmentFault>(m.body).reason_lang = xml_facts.fault_reason_lang.value_or("");
  } else if (!soap_match_tag(s, s->tag, "xcep:GetPolicies")) {
    require_action(m.addressing, {uri::kActionGetPolicies}, "GetPolicies");
    _xcep__GetPolicies gp;
    gp.soap_default(s);
    if (!soap_in__xcep__GetPolicies(s, "xcep:GetPolicies", &gp, nullptr))
      throw malformed(ctx, "bad GetPolicies");
    m.body = read_get_policies(gp);
  } else if (!soap_match_tag(s, s->tag, "xcep:GetPoliciesResponse")) {
    require_action(m.addressing, {uri::kActionGetPoliciesResponse}, "GetPoliciesResponse");
    _xcep__GetPoliciesResponse gr;
    gr.soap_default(s);
    if (!soap_in__xcep__GetPoliciesResponse(s, "xcep:GetPoliciesResponse", &gr, nullptr)) {
      throw malformed(ctx, "bad GetPoliciesResponse");
    }
    m.body = read_get_policies_response(gr);
  } else {
    throw MessageError(MessageErrorKind::unknown_body,
                       "body element <" + tag + "> is not part of MS-WSTEP or MS-XCEP", action)
        .with_message_id(m.addressing.message_id);
  }
  if (soap_body_end_in(s) || soap_envelope_end_in(s) || soap_end_recv(s)) {
    throw malformed(ctx, "envelope not closed properly");
  }
}

}  // namespace

std::string structural_xml(std::string_view xml) {
  if (contains_doctype(xml)) {
    throw MessageError(MessageErrorKind::doctype_refused, "the document carries a DTD; refused");
  }
  SoapContext ctx;
  soap* s = ctx.get();
  soap_set_imode(s, SOAP_ENC_PLAIN | SOAP_DOM_TREE);
  std::istringstream in{std::string(xml)};
  s->is = &in;
  soap_dom_element root;
  soap_default_xsd__anyType(s, &root);
  if (soap_begin_recv(s) || !soap_in_xsd__anyType(s, nullptr, &root, nullptr) || soap_end_recv(s)) {
    throw MessageError(MessageErrorKind::malformed_xml, "not well-formed XML: " + ctx.error_text());
  }
  std::string out;
  render(&root, 0, out);
  return out;
}

std::string write_message(const SoapMessage& m) {
  SoapContext ctx;
  soap* s = ctx.get();
  std::ostringstream out;
  s->os = &out;
  write_header(ctx, m);

  // Each alternative knows its element name and serializer.
  auto emit = [&](auto serialize, auto put) {
    soap_serializeheader(s);
    serialize();
    if (soap_begin_send(s) || soap_envelope_begin_out(s) || soap_putheader(s) ||
        soap_body_begin_out(s) || put() || soap_body_end_out(s) || soap_envelope_end_out(s) ||
        soap_end_send(s)) {
      throw std::runtime_error("writing SOAP envelope: " + ctx.error_text());
    }
  };

  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, RequestSecurityToken>) {
          auto* p = make_rst(ctx, body);
          emit([&] { p->soap_serialize(s); },
               [&] { return p->soap_put(s, "wst:RequestSecurityToken", nullptr); });
        } else if constexpr (std::is_same_v<T, RequestSecurityTokenResponse>) {
          auto* p = make_rstrc(ctx, body);
          emit([&] { p->soap_serialize(s); },
               [&] {
                 return p->soap_put(s, "wst:RequestSecurityTokenResponseCollection", nullptr);
               });
        } else if constexpr (std::is_same_v<T, EnrollmentFault>) {
          auto* p = make_fault(ctx, body);
          emit([&] { soap_serialize_SOAP_ENV__Fault(s, p); },
               [&] { return soap_put_SOAP_ENV__Fault(s, p, "SOAP-ENV:Fault", nullptr); });
        } else if constexpr (std::is_same_v<T, GetPoliciesRequest>) {
          auto* p = make_get_policies(ctx, body);
          emit([&] { p->soap_serialize(s); },
               [&] { return p->soap_put(s, "xcep:GetPolicies", nullptr); });
        } else {
          auto* p = make_get_policies_response(ctx, body);
          emit([&] { p->soap_serialize(s); },
               [&] { return p->soap_put(s, "xcep:GetPoliciesResponse", nullptr); });
        }
      },
      m.body);
  return out.str();
}

SoapMessage read_message(std::string_view xml, const CodecLimits& limits) {
  check_raw(xml, limits);
  // gSOAP reads leniently (end-tag names, what follows </Envelope>, base64
  // garbage); WCF's XmlReader does not, so neither do we. A DTD is refused
  // there too, where it stands: "<!DOCTYPE" or "<!ENTITY" inside the document
  // is not well-formed, and inside a comment it is the comment's text.
  const detail::XmlFacts xml_facts = detail::check_xml(xml, limits.max_depth);
  // gSOAP reads UTF-8 only: a UTF-16 message is read from libxml2's UTF-8
  // rendering of it, which must pass the raw checks too.
  if (xml_facts.utf8_text) check_raw(*xml_facts.utf8_text, limits);
  const std::string_view text = xml_facts.utf8_text ? *xml_facts.utf8_text : xml;

  SoapContext ctx;
  soap* s = ctx.get();
  soap_set_imode(s, SOAP_ENC_PLAIN);
  std::istringstream in{std::string(text)};
  s->is = &in;
  read_envelope_header(ctx, xml_facts);

  SoapMessage m;
  if (s->header) {
    m.addressing = read_addressing(*s->header);
    if (s->header->wsse__Security) m.security = read_security(ctx, *s->header->wsse__Security);
  }
  // WCF has read the headers when the body fails it: its fault relates to
  // the request all the same.
  try {
    read_body(ctx, xml_facts, m);
  } catch (MessageError& e) {
    if (!e.message_id()) e.with_message_id(m.addressing.message_id);
    throw;
  }
  return m;
}

}  // namespace ceslab::wsdl
