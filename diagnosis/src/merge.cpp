// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/diagnosis/merge.hpp"

#include <algorithm>

namespace ceslab::diagnosis {

namespace {

template <typename T>
void fill(std::optional<T>& into, const std::optional<T>& from) {
  if (!into && from) into = from;
}

}  // namespace

void merge_into(core::Evidence& into, const core::Evidence& from) {
  if (into.operation == core::Operation::unknown) into.operation = from.operation;
  if (into.auth == core::AuthMethod::unknown) into.auth = from.auth;
  if (into.endpoint.empty()) into.endpoint = from.endpoint;
  // A record without any exchange says "failed" by default; a later
  // artefact that knows better (pending, issued) wins.
  if (into.outcome == core::Outcome::failed && !into.http && !into.transport && !into.response)
    into.outcome = from.outcome;
  fill(into.transport, from.transport);
  if (!into.tls.verify_result && from.tls.verify_result) into.tls = from.tls;
  fill(into.http, from.http);
  if (into.soap_error.empty()) into.soap_error = from.soap_error;
  fill(into.fault, from.fault);
  fill(into.response, from.response);
  fill(into.policy, from.policy);
  if (into.timings.total.count() == 0) into.timings = from.timings;
  for (const auto& m : from.messages) {
    if (std::find(into.messages.begin(), into.messages.end(), m) == into.messages.end())
      into.messages.push_back(m);
  }
  core::KerberosEvidence& k = into.kerberos;
  fill(k.gss_major, from.kerberos.gss_major);
  fill(k.gss_minor, from.kerberos.gss_minor);
  fill(k.gss_text, from.kerberos.gss_text);
  fill(k.forwardable, from.kerberos.forwardable);
  fill(k.ok_as_delegate, from.kerberos.ok_as_delegate);
  fill(k.delegated, from.kerberos.delegated);
  fill(k.channel_binding, from.kerberos.channel_binding);
  into.server_events.insert(into.server_events.end(), from.server_events.begin(),
                            from.server_events.end());
}

}  // namespace ceslab::diagnosis
