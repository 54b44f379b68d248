// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/evidence.hpp"

#include <array>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "ceslab/core/cmc.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/wsdl/codec.hpp"

namespace ceslab::core {

using nlohmann::json;

namespace {

template <typename Enum, std::size_t N>
using Names = std::array<std::pair<Enum, std::string_view>, N>;

constexpr Names<Operation, 5> kOperations{{{Operation::enroll, "enroll"},
                                           {Operation::renew, "renew"},
                                           {Operation::retrieve, "retrieve"},
                                           {Operation::policy, "policy"},
                                           {Operation::unknown, "unknown"}}};
// The names of the CLI's --auth option.
constexpr Names<AuthMethod, 5> kAuthMethods{{{AuthMethod::anonymous, "anonymous"},
                                             {AuthMethod::kerberos, "kerberos"},
                                             {AuthMethod::username, "username"},
                                             {AuthMethod::certificate, "cert"},
                                             {AuthMethod::unknown, "unknown"}}};
constexpr Names<Outcome, 4> kOutcomes{{{Outcome::issued, "issued"},
                                       {Outcome::pending, "pending"},
                                       {Outcome::failed, "failed"},
                                       {Outcome::answered, "answered"}}};
constexpr Names<FaultKind, 4> kFaultKinds{{{FaultKind::enrollment_detail, "enrollment_detail"},
                                           {FaultKind::wcf_dispatcher, "wcf_dispatcher"},
                                           {FaultKind::ws_addressing, "ws_addressing"},
                                           {FaultKind::other, "other"}}};
// RFC 5272 section 6.1.4 CMCStatus, in snake case.
constexpr Names<CmcStatus, 7> kCmcStatuses{{{CmcStatus::success, "success"},
                                            {CmcStatus::failed, "failed"},
                                            {CmcStatus::pending, "pending"},
                                            {CmcStatus::no_support, "no_support"},
                                            {CmcStatus::confirm_required, "confirm_required"},
                                            {CmcStatus::pop_required, "pop_required"},
                                            {CmcStatus::partial, "partial"}}};

template <typename Enum, std::size_t N>
std::string_view name_of(const Names<Enum, N>& names, Enum value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const Names<Enum, N>& names, std::string_view name) {
  for (const auto& [v, n] : names) {
    if (n == name) return v;
  }
  return std::nullopt;
}

CmcEvidence cmc_evidence(const Bytes& der) {
  const CmcResponse cmc = parse_cmc_response(der);
  return {std::string(name_of(kCmcStatuses, cmc.status)), cmc.status_string, cmc.fail_info};
}

// ---- JSON writing --------------------------------------------------------

template <typename T>
json or_null(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json cmc_json(const std::optional<CmcEvidence>& cmc) {
  if (!cmc) return nullptr;
  return {{"status", cmc->status},
          {"status_string", cmc->status_string},
          {"fail_info", or_null(cmc->fail_info)}};
}

json fault_json(const FaultEvidence& evidence) {
  const EnrollmentFault& f = evidence.fault;
  json out = {{"kind", name_of(kFaultKinds, f.kind)},
              {"action", f.action},
              {"code", f.code},
              {"subcode", or_null(f.subcode)},
              {"subcode_namespace", or_null(f.subcode_namespace)},
              {"reason", f.reason},
              {"reason_lang", f.reason_lang},
              {"has_detail", f.has_detail},
              {"error_code", or_null(f.error_code)},
              {"error_code_hex", nullptr},
              {"error_code_name", nullptr},
              {"invalid_request", or_null(f.invalid_request)},
              {"request_id", or_null(f.request_id)},
              {"binary_response", or_null(f.binary_response)},
              {"binary_response_cmc", cmc_json(evidence.binary_response_cmc)},
              {"binary_response_error", evidence.binary_response_error}};
  if (f.error_code) {
    // Derived for readers (hex as certreq prints it, the winerror.h name);
    // from_json reads error_code only.
    const auto value = static_cast<std::uint32_t>(*f.error_code);
    out["error_code_hex"] = hex_code(value);
    if (const ErrorCode* code = CodeTable::builtin().find(value))
      out["error_code_name"] = code->name;
  }
  return out;
}

json headers_json(const std::vector<HttpHeader>& headers) {
  json out = json::array();
  for (const auto& h : headers) out.push_back({{"name", h.name}, {"value", h.value}});
  return out;
}

// ---- JSON reading --------------------------------------------------------

// Reads members of one JSON object, naming "path.member" in every error.
class Reader {
 public:
  Reader(const json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) fail(path_, "is not an object");
  }

  [[noreturn]] static void fail(const std::string& path, const std::string& problem) {
    throw EvidenceError("evidence JSON: " + path + " " + problem);
  }

  std::string where(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  // The member, or nullptr when it is missing or null.
  const json* find(std::string_view key) const {
    const auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }

  template <typename T>
  std::optional<T> optional(std::string_view key) const {
    const json* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!fits<T>(*value)) fail(where(key), "has the wrong type (" + value->dump() + ")");
    return value->get<T>();
  }

  template <typename T>
  T value(std::string_view key, T fallback = T()) const {
    return optional<T>(key).value_or(std::move(fallback));
  }

  template <typename T>
  T required(std::string_view key) const {
    auto v = optional<T>(key);
    if (!v) fail(where(key), "is missing");
    return *v;
  }

  template <typename Enum, std::size_t N>
  Enum required_name(std::string_view key, const Names<Enum, N>& names) const {
    const auto text = required<std::string>(key);
    const auto v = value_of(names, text);
    if (!v) fail(where(key), "has an unknown value '" + text + "'");
    return *v;
  }

  std::optional<Reader> object(std::string_view key) const {
    const json* value = find(key);
    if (value == nullptr) return std::nullopt;
    return Reader(*value, where(key));
  }

  const json* array(std::string_view key) const {
    const json* value = find(key);
    if (value != nullptr && !value->is_array()) fail(where(key), "is not an array");
    return value;
  }

 private:
  template <typename T>
  static bool fits(const json& v) {
    if constexpr (std::is_same_v<T, bool>) {
      return v.is_boolean();
    } else if constexpr (std::is_same_v<T, std::string>) {
      return v.is_string();
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
      return v.is_number_unsigned() ||
             (v.is_number_integer() && v.get<std::int64_t>() >= 0 &&
              static_cast<std::uint64_t>(v.get<std::int64_t>()) <= std::numeric_limits<T>::max());
    } else if constexpr (std::is_integral_v<T>) {
      if (!v.is_number_integer()) return false;
      if (v.is_number_unsigned())
        return v.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
      const auto n = v.get<std::int64_t>();
      return n >= std::numeric_limits<T>::min() && n <= std::numeric_limits<T>::max();
    } else {
      static_assert(sizeof(T) == 0, "unsupported member type");
    }
  }

  const json& object_;
  std::string path_;
};

std::optional<CmcEvidence> read_cmc(const Reader& parent, std::string_view key) {
  const auto r = parent.object(key);
  if (!r) return std::nullopt;
  return CmcEvidence{r->required<std::string>("status"), r->value<std::string>("status_string"),
                     r->optional<int>("fail_info")};
}

}  // namespace

FaultEvidence fault_evidence(const EnrollmentFault& fault) {
  FaultEvidence out;
  out.fault = fault;
  if (fault.binary_response && !fault.binary_response->empty()) {
    try {
      out.binary_response_cmc = cmc_evidence(wsdl::decode_base64(*fault.binary_response));
    } catch (const wsdl::MessageError& e) {
      out.binary_response_error = std::string("not base64: ") + e.what();
    } catch (const CryptoError& e) {
      out.binary_response_error = std::string("not a CMC response: ") + e.what();
    }
  }
  return out;
}

ResponseEvidence response_evidence(const RequestSecurityTokenResponse& rstr) {
  ResponseEvidence out;
  out.disposition = rstr.disposition_message.value_or("");
  out.request_id = rstr.request_id.value_or("");
  out.pending_reference = rstr.pending_reference.value_or("");
  out.certificate = rstr.issued_certificate.has_value();
  if (rstr.cmc_response) {
    try {
      out.cmc = cmc_evidence(rstr.cmc_response->data);
    } catch (const CryptoError& e) {
      out.cmc_error = std::string("not a CMC response: ") + e.what();
    }
  }
  return out;
}

PolicyEvidence policy_evidence(const GetPoliciesResponse& policy) {
  PolicyEvidence out;
  out.templates = policy.policies ? policy.policies->size() : 0;
  out.cas = policy.cas ? policy.cas->size() : 0;
  out.not_changed = policy.policies_not_changed.value_or(false);
  if (policy.cas) {
    for (const PolicyCa& ca : *policy.cas) {
      for (const CaUri& u : ca.uris) out.ces_uris.push_back(u.uri);
    }
  }
  return out;
}

TlsEvidence tls_evidence_of(const TlsFacts& facts) {
  TlsEvidence out;
  out.handshake_done = facts.handshake_done;
  out.version = facts.version;
  out.cipher = facts.cipher;
  out.insecure = facts.insecure;
  // TlsFacts: an empty verify_text means no certificate was seen.
  if (!facts.verify_text.empty()) out.verify_result = facts.verify_result;
  out.verify_text = facts.verify_text;
  out.peer_subject = facts.peer_subject;
  out.peer_issuer = facts.peer_issuer;
  out.peer_not_after = facts.peer_not_after;
  out.chain_length = facts.peer_chain_der.size();
  return out;
}

std::string_view to_string(Operation operation) {
  return name_of(kOperations, operation);
}
std::string_view to_string(AuthMethod auth) {
  return name_of(kAuthMethods, auth);
}
std::string_view to_string(Outcome outcome) {
  return name_of(kOutcomes, outcome);
}

void to_json(json& out, const TlsEvidence& tls) {
  out = {{"handshake_done", tls.handshake_done},
         {"version", tls.version},
         {"cipher", tls.cipher},
         {"insecure", tls.insecure},
         {"verify_result", or_null(tls.verify_result)},
         {"verify_text", tls.verify_text},
         {"peer_subject", tls.peer_subject},
         {"peer_issuer", tls.peer_issuer},
         {"peer_not_after", tls.peer_not_after},
         {"chain_length", tls.chain_length}};
}

void to_json(json& out, const Evidence& e) {
  json transport = nullptr;
  if (e.transport) {
    transport = {{"kind", to_string(e.transport->kind)}, {"message", e.transport->message}};
  }
  json http = nullptr;
  if (e.http) {
    http = {{"status", e.http->status},
            {"reason", e.http->reason},
            {"headers", headers_json(e.http->headers)},
            {"body_bytes", e.http->body_bytes}};
    if (!e.http->page.empty()) http["page"] = e.http->page;
  }
  json response = nullptr;
  if (e.response) {
    response = {{"disposition", e.response->disposition},
                {"request_id", e.response->request_id},
                {"pending_reference", e.response->pending_reference},
                {"certificate", e.response->certificate},
                {"cmc", cmc_json(e.response->cmc)},
                {"cmc_error", e.response->cmc_error}};
  }
  json policy = nullptr;
  if (e.policy) {
    policy = {{"templates", e.policy->templates},
              {"cas", e.policy->cas},
              {"not_changed", e.policy->not_changed},
              {"ces_uris", e.policy->ces_uris}};
  }
  const KerberosEvidence& k = e.kerberos;
  json events = json::array();
  for (const ServerEvent& ev : e.server_events) {
    events.push_back({{"log", ev.log},
                      {"source", ev.source},
                      {"id", ev.id},
                      {"level", ev.level},
                      {"host", ev.host},
                      {"time", ev.time},
                      {"message", ev.message}});
  }
  json prior = json::array();
  for (const Evidence& p : e.prior_exchanges) prior.push_back(p);
  out = {{"schema", kEvidenceSchema},
         {"operation", to_string(e.operation)},
         {"endpoint", e.endpoint},
         {"auth", to_string(e.auth)},
         {"outcome", to_string(e.outcome)},
         {"transport", transport},
         {"tls", e.tls},
         {"http", http},
         {"soap_error", e.soap_error},
         {"fault", e.fault ? fault_json(*e.fault) : json(nullptr)},
         {"response", response},
         {"policy", policy},
         {"timings",
          {{"connect_ms", e.timings.connect.count()}, {"total_ms", e.timings.total.count()}}},
         {"messages", e.messages},
         {"kerberos",
          {{"gss_major", or_null(k.gss_major)},
           {"gss_minor", or_null(k.gss_minor)},
           {"gss_text", or_null(k.gss_text)},
           {"forwardable", or_null(k.forwardable)},
           {"ok_as_delegate", or_null(k.ok_as_delegate)},
           {"delegated", or_null(k.delegated)},
           {"channel_binding", or_null(k.channel_binding)}}},
         {"server_events", events},
         {"prior_exchanges", prior}};
}

namespace {

// One record at `path` ("" for the document, "prior_exchanges[0]" for an
// earlier exchange inside it), so that an error names where it is.
Evidence read_evidence(const json& in, const std::string& path) {
  const Reader root(in, path);
  const auto schema = root.required<std::string>("schema");
  if (schema != kEvidenceSchema) {
    Reader::fail(root.where("schema"), "is '" + schema + "', this reader understands '" +
                                           std::string(kEvidenceSchema) + "'");
  }
  Evidence out;
  out.operation = root.required_name("operation", kOperations);
  out.auth = root.required_name("auth", kAuthMethods);
  out.outcome = root.required_name("outcome", kOutcomes);
  out.endpoint = root.value<std::string>("endpoint");

  if (const auto t = root.object("transport")) {
    const auto name = t->required<std::string>("kind");
    const auto kind = transport_error_kind(name);
    if (!kind) Reader::fail(t->where("kind"), "has an unknown value '" + name + "'");
    out.transport = TransportEvidence{*kind, t->value<std::string>("message")};
  }
  if (const auto t = root.object("tls")) {
    TlsEvidence& tls = out.tls;
    tls.handshake_done = t->value<bool>("handshake_done");
    tls.version = t->value<std::string>("version");
    tls.cipher = t->value<std::string>("cipher");
    tls.insecure = t->value<bool>("insecure");
    tls.verify_result = t->optional<long>("verify_result");
    tls.verify_text = t->value<std::string>("verify_text");
    tls.peer_subject = t->value<std::string>("peer_subject");
    tls.peer_issuer = t->value<std::string>("peer_issuer");
    tls.peer_not_after = t->value<std::string>("peer_not_after");
    tls.chain_length = t->value<std::size_t>("chain_length");
  }
  if (const auto h = root.object("http")) {
    HttpEvidence http;
    http.status = h->required<int>("status");
    http.reason = h->value<std::string>("reason");
    if (const json* headers = h->array("headers")) {
      for (std::size_t i = 0; i < headers->size(); ++i) {
        const Reader header((*headers)[i], h->where("headers") + "[" + std::to_string(i) + "]");
        http.headers.push_back(
            {header.required<std::string>("name"), header.value<std::string>("value")});
      }
    }
    http.body_bytes = h->value<std::size_t>("body_bytes");
    http.page = h->value<std::string>("page");
    out.http = std::move(http);
  }
  out.soap_error = root.value<std::string>("soap_error");
  if (const auto f = root.object("fault")) {
    FaultEvidence fault;
    EnrollmentFault& ef = fault.fault;
    ef.kind = f->required_name("kind", kFaultKinds);
    ef.action = f->value<std::string>("action");
    ef.code = f->value<std::string>("code");
    ef.subcode = f->optional<std::string>("subcode");
    ef.subcode_namespace = f->optional<std::string>("subcode_namespace");
    ef.reason = f->value<std::string>("reason");
    ef.reason_lang = f->value<std::string>("reason_lang");
    ef.has_detail = f->value<bool>("has_detail");
    ef.error_code = f->optional<std::int32_t>("error_code");
    ef.invalid_request = f->optional<bool>("invalid_request");
    ef.request_id = f->optional<std::string>("request_id");
    ef.binary_response = f->optional<std::string>("binary_response");
    fault.binary_response_cmc = read_cmc(*f, "binary_response_cmc");
    fault.binary_response_error = f->value<std::string>("binary_response_error");
    out.fault = std::move(fault);
  }
  if (const auto r = root.object("response")) {
    ResponseEvidence response;
    response.disposition = r->value<std::string>("disposition");
    response.request_id = r->value<std::string>("request_id");
    response.pending_reference = r->value<std::string>("pending_reference");
    response.certificate = r->value<bool>("certificate");
    response.cmc = read_cmc(*r, "cmc");
    response.cmc_error = r->value<std::string>("cmc_error");
    out.response = std::move(response);
  }
  if (const auto p = root.object("policy")) {
    PolicyEvidence policy;
    policy.templates = p->value<std::size_t>("templates");
    policy.cas = p->value<std::size_t>("cas");
    policy.not_changed = p->value<bool>("not_changed");
    if (const json* uris = p->array("ces_uris")) {
      for (std::size_t i = 0; i < uris->size(); ++i) {
        if (!(*uris)[i].is_string())
          Reader::fail(p->where("ces_uris") + "[" + std::to_string(i) + "]", "is not a string");
        policy.ces_uris.push_back((*uris)[i].get<std::string>());
      }
    }
    out.policy = std::move(policy);
  }
  if (const auto t = root.object("timings")) {
    out.timings.connect = std::chrono::milliseconds(t->value<std::int64_t>("connect_ms"));
    out.timings.total = std::chrono::milliseconds(t->value<std::int64_t>("total_ms"));
  }
  if (const json* messages = root.array("messages")) {
    for (std::size_t i = 0; i < messages->size(); ++i) {
      if (!(*messages)[i].is_string())
        Reader::fail(root.where("messages") + "[" + std::to_string(i) + "]", "is not a string");
      out.messages.push_back((*messages)[i].get<std::string>());
    }
  }
  if (const auto k = root.object("kerberos")) {
    KerberosEvidence& kerberos = out.kerberos;
    kerberos.gss_major = k->optional<std::uint32_t>("gss_major");
    kerberos.gss_minor = k->optional<std::uint32_t>("gss_minor");
    kerberos.gss_text = k->optional<std::string>("gss_text");
    kerberos.forwardable = k->optional<bool>("forwardable");
    kerberos.ok_as_delegate = k->optional<bool>("ok_as_delegate");
    kerberos.delegated = k->optional<bool>("delegated");
    kerberos.channel_binding = k->optional<bool>("channel_binding");
  }
  if (const json* events = root.array("server_events")) {
    for (std::size_t i = 0; i < events->size(); ++i) {
      const Reader ev((*events)[i], root.where("server_events") + "[" + std::to_string(i) + "]");
      out.server_events.push_back({ev.value<std::string>("log"), ev.value<std::string>("source"),
                                   ev.required<int>("id"), ev.value<std::string>("level"),
                                   ev.value<std::string>("host"), ev.value<std::string>("time"),
                                   ev.value<std::string>("message")});
    }
  }
  if (const json* prior = root.array("prior_exchanges")) {
    for (std::size_t i = 0; i < prior->size(); ++i) {
      out.prior_exchanges.push_back(read_evidence(
          (*prior)[i], root.where("prior_exchanges") + "[" + std::to_string(i) + "]"));
    }
  }
  return out;
}

}  // namespace

void from_json(const json& in, Evidence& e) {
  e = read_evidence(in, "");
}

}  // namespace ceslab::core
