// SPDX-License-Identifier: GPL-2.0-or-later
// Evidence read back from JSON (docs/evidence.md): every member checked for
// its type, every error naming the path of the member.
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "ceslab/core/evidence.hpp"
#include "evidence_names.hpp"

namespace ceslab::core {

using namespace evidence_names;
using nlohmann::json;

namespace {

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
  Enum required_name(std::string_view key, const EnumNames<Enum, N>& names) const {
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

  // "key[i]": the path of an array element.
  std::string where(std::string_view key, std::size_t i) const {
    return where(key) + "[" + std::to_string(i) + "]";
  }

  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    if (const json* items = array(key)) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        if (!(*items)[i].is_string()) fail(where(key, i), "is not a string");
        out.push_back((*items)[i].get<std::string>());
      }
    }
    return out;
  }

  // One Reader for each object of an array member, in order.
  template <typename Fn>
  void each(std::string_view key, Fn&& read_one) const {
    if (const json* items = array(key)) {
      for (std::size_t i = 0; i < items->size(); ++i) read_one((*items)[i], where(key, i));
    }
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

TransportEvidence read_transport(const Reader& t) {
  const auto name = t.required<std::string>("kind");
  const auto kind = transport_error_kind(name);
  if (!kind) Reader::fail(t.where("kind"), "has an unknown value '" + name + "'");
  return TransportEvidence{*kind, t.value<std::string>("message")};
}

TlsEvidence read_tls(const Reader& t) {
  TlsEvidence tls;
  tls.handshake_done = t.value<bool>("handshake_done");
  tls.version = t.value<std::string>("version");
  tls.cipher = t.value<std::string>("cipher");
  tls.insecure = t.value<bool>("insecure");
  tls.verify_result = t.optional<long>("verify_result");
  tls.verify_text = t.value<std::string>("verify_text");
  tls.peer_subject = t.value<std::string>("peer_subject");
  tls.peer_issuer = t.value<std::string>("peer_issuer");
  tls.peer_not_after = t.value<std::string>("peer_not_after");
  tls.chain_length = t.value<std::size_t>("chain_length");
  return tls;
}

HttpEvidence read_http(const Reader& h) {
  HttpEvidence http;
  http.status = h.required<int>("status");
  http.reason = h.value<std::string>("reason");
  h.each("headers", [&](const json& item, const std::string& path) {
    const Reader header(item, path);
    http.headers.push_back(
        {header.required<std::string>("name"), header.value<std::string>("value")});
  });
  http.body_bytes = h.value<std::size_t>("body_bytes");
  http.page = h.value<std::string>("page");
  return http;
}

FaultEvidence read_fault(const Reader& f) {
  FaultEvidence fault;
  EnrollmentFault& ef = fault.fault;
  ef.kind = f.required_name("kind", kFaultKinds);
  ef.action = f.value<std::string>("action");
  ef.code = f.value<std::string>("code");
  ef.subcode = f.optional<std::string>("subcode");
  ef.subcode_namespace = f.optional<std::string>("subcode_namespace");
  ef.reason = f.value<std::string>("reason");
  ef.reason_lang = f.value<std::string>("reason_lang");
  ef.has_detail = f.value<bool>("has_detail");
  ef.error_code = f.optional<std::int32_t>("error_code");
  ef.invalid_request = f.optional<bool>("invalid_request");
  ef.request_id = f.optional<std::string>("request_id");
  ef.binary_response = f.optional<std::string>("binary_response");
  fault.binary_response_cmc = read_cmc(f, "binary_response_cmc");
  fault.binary_response_error = f.value<std::string>("binary_response_error");
  return fault;
}

ResponseEvidence read_response(const Reader& r) {
  ResponseEvidence response;
  response.disposition = r.value<std::string>("disposition");
  response.request_id = r.value<std::string>("request_id");
  response.pending_reference = r.value<std::string>("pending_reference");
  response.certificate = r.value<bool>("certificate");
  response.cmc = read_cmc(r, "cmc");
  response.cmc_error = r.value<std::string>("cmc_error");
  return response;
}

PolicyEvidence read_policy(const Reader& p) {
  PolicyEvidence policy;
  policy.templates = p.value<std::size_t>("templates");
  policy.cas = p.value<std::size_t>("cas");
  policy.not_changed = p.value<bool>("not_changed");
  policy.ces_uris = p.strings("ces_uris");
  return policy;
}

KerberosEvidence read_kerberos(const Reader& k) {
  KerberosEvidence kerberos;
  kerberos.gss_major = k.optional<std::uint32_t>("gss_major");
  kerberos.gss_minor = k.optional<std::uint32_t>("gss_minor");
  kerberos.gss_text = k.optional<std::string>("gss_text");
  kerberos.forwardable = k.optional<bool>("forwardable");
  kerberos.ok_as_delegate = k.optional<bool>("ok_as_delegate");
  kerberos.delegated = k.optional<bool>("delegated");
  kerberos.channel_binding = k.optional<bool>("channel_binding");
  return kerberos;
}

ServerEvent read_server_event(const Reader& ev) {
  return {ev.value<std::string>("log"),    ev.value<std::string>("source"),
          ev.required<int>("id"),          ev.value<std::string>("level"),
          ev.value<std::string>("host"),   ev.value<std::string>("time"),
          ev.value<std::string>("message")};
}

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
  if (const auto auth = root.required<std::string>("auth"); auth == "unknown") {
    out.auth = std::nullopt;
  } else if (!(out.auth = auth_mode_from_cli_name(auth))) {
    Reader::fail(root.where("auth"), "has an unknown value '" + auth + "'");
  }
  out.outcome = root.required_name("outcome", kOutcomes);
  out.endpoint = root.value<std::string>("endpoint");
  if (const auto t = root.object("transport")) out.transport = read_transport(*t);
  if (const auto t = root.object("tls")) out.tls = read_tls(*t);
  if (const auto h = root.object("http")) out.http = read_http(*h);
  out.soap_error = root.value<std::string>("soap_error");
  if (const auto f = root.object("fault")) out.fault = read_fault(*f);
  if (const auto r = root.object("response")) out.response = read_response(*r);
  if (const auto p = root.object("policy")) out.policy = read_policy(*p);
  if (const auto t = root.object("timings")) {
    out.timings.connect = std::chrono::milliseconds(t->value<std::int64_t>("connect_ms"));
    out.timings.total = std::chrono::milliseconds(t->value<std::int64_t>("total_ms"));
  }
  out.messages = root.strings("messages");
  if (const auto k = root.object("kerberos")) out.kerberos = read_kerberos(*k);
  root.each("server_events", [&](const json& item, const std::string& where) {
    out.server_events.push_back(read_server_event(Reader(item, where)));
  });
  root.each("prior_exchanges", [&](const json& item, const std::string& where) {
    out.prior_exchanges.push_back(read_evidence(item, where));
  });
  return out;
}

}  // namespace

void from_json(const json& in, Evidence& e) {
  e = read_evidence(in, "");
}

}  // namespace ceslab::core
