// SPDX-License-Identifier: GPL-2.0-or-later
// Several inputs, one record: what an input shows is added where the record
// says nothing yet; a second, different value is reported, not taken.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "ceslab/core/text.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

// A part of the record that holds one thing (one HTTP response, one fault).
template <typename T>
void take(const std::optional<T>& from, std::optional<T>& into, std::string_view what,
          Facts& facts) {
  if (!from) return;
  if (!into) {
    into = from;
    return;
  }
  facts.push_back("a second " + std::string(what) + " was ignored: the record keeps the first");
}

// A single value: the same value again is no news.
template <typename T>
void take_value(const std::optional<T>& from, std::optional<T>& into, std::string_view what,
                Facts& facts) {
  if (from && into && *from == *into) return;
  take(from, into, what, facts);
}

// Anything at all of the TLS part: a record rebuilt from a log may hold only
// the verify text, or only the fact that verification was off.
bool has_tls(const core::TlsEvidence& t) {
  return t.handshake_done || !t.version.empty() || !t.cipher.empty() || t.insecure ||
         t.verify_result || !t.verify_text.empty() || !t.peer_subject.empty() ||
         !t.peer_issuer.empty() || !t.peer_not_after.empty() || t.chain_length != 0;
}

// The earlier exchanges of one run, compared by their JSON form (the record
// has no operator==): the same evidence file read twice is no conflict.
bool same_exchanges(const std::vector<core::Evidence>& a, const std::vector<core::Evidence>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    nlohmann::json ja;
    nlohmann::json jb;
    core::to_json(ja, a[i]);
    core::to_json(jb, b[i]);
    if (ja != jb) return false;
  }
  return true;
}

// What makes two exported events the same one, as one string for a set.
std::string event_key(const core::ServerEvent& e) {
  std::string key = std::to_string(e.id);
  for (const std::string* part : {&e.source, &e.time, &e.host, &e.message}) {
    key += '\x1f';
    key += *part;
  }
  return key;
}

}  // namespace

void merge(const core::Evidence& part, core::Evidence& into, Facts& facts) {
  if (part.operation != core::Operation::unknown) {
    if (into.operation == core::Operation::unknown) {
      into.operation = part.operation;
    } else if (into.operation != part.operation) {
      facts.push_back("operation " + std::string(core::to_string(part.operation)) +
                      " conflicts with " + std::string(core::to_string(into.operation)) +
                      " from an earlier input; kept " +
                      std::string(core::to_string(into.operation)));
    }
  }
  if (part.auth.has_value()) {
    if (!into.auth) {
      into.auth = part.auth;
    } else if (into.auth != part.auth) {
      facts.push_back("auth " + std::string(core::to_string(part.auth)) + " conflicts with " +
                      std::string(core::to_string(into.auth)) + " from an earlier input; kept " +
                      std::string(core::to_string(into.auth)));
    }
  }
  if (!part.endpoint.empty()) {
    if (into.endpoint.empty()) {
      into.endpoint = part.endpoint;
    } else if (!core::iequals(into.endpoint, part.endpoint)) {
      facts.push_back("endpoint " + part.endpoint + " differs from " + into.endpoint +
                      " from an earlier input; kept the first");
    }
  }
  // An answer (RSTR, policy response) says the outcome; a failure is the default.
  if (part.outcome != core::Outcome::failed && !into.fault && !into.response)
    into.outcome = part.outcome;
  if (part.fault) into.outcome = core::Outcome::failed;

  take(part.transport, into.transport, "transport error", facts);
  take(part.http, into.http, "HTTP response", facts);
  take(part.fault, into.fault, "SOAP fault", facts);
  take(part.response, into.response, "RSTR", facts);
  take(part.policy, into.policy, "CEP policy answer", facts);
  if (into.soap_error.empty()) into.soap_error = part.soap_error;

  if (has_tls(part.tls) && !has_tls(into.tls)) into.tls = part.tls;
  if (into.timings.connect.count() == 0) into.timings.connect = part.timings.connect;
  if (into.timings.total.count() == 0) into.timings.total = part.timings.total;

  // Sets beside the lists: merging a long log must not cost a pass per line.
  std::unordered_set<std::string> known_messages(into.messages.begin(), into.messages.end());
  for (const std::string& m : part.messages) {
    if (known_messages.insert(m).second) into.messages.push_back(m);
  }
  take_value(part.kerberos.gss_major, into.kerberos.gss_major, "GSS major status", facts);
  take_value(part.kerberos.gss_minor, into.kerberos.gss_minor, "GSS minor status", facts);
  take_value(part.kerberos.gss_text, into.kerberos.gss_text, "GSS text", facts);
  take_value(part.kerberos.forwardable, into.kerberos.forwardable, "TGT forwardable flag", facts);
  take_value(part.kerberos.ok_as_delegate, into.kerberos.ok_as_delegate, "ok_as_delegate flag",
             facts);
  take_value(part.kerberos.delegated, into.kerberos.delegated, "delegation fact", facts);
  take_value(part.kerberos.channel_binding, into.kerberos.channel_binding, "channel binding fact",
             facts);
  std::unordered_set<std::string> known_events;
  for (const core::ServerEvent& e : into.server_events) known_events.insert(event_key(e));
  for (const core::ServerEvent& ev : part.server_events) {
    if (known_events.insert(event_key(ev)).second) into.server_events.push_back(ev);
  }
  // The exchanges before the deciding one belong to one run: the first input
  // that has them says the whole history.
  if (!part.prior_exchanges.empty()) {
    if (into.prior_exchanges.empty()) {
      into.prior_exchanges = part.prior_exchanges;
    } else if (!same_exchanges(part.prior_exchanges, into.prior_exchanges)) {
      facts.push_back("a second list of earlier exchanges was ignored: the record keeps the first");
    }
  }
}

}  // namespace ceslab::diagnosis::inputs
