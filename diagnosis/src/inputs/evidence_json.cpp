// SPDX-License-Identifier: GPL-2.0-or-later
// The Evidence JSON `ceslab enroll --evidence` writes (docs/evidence.md), or
// the `--json` result that carries one, read with core::from_json.
#include <nlohmann/json.hpp>

#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

Reading read_evidence_json(std::string_view name, std::string_view text) {
  const std::string who(name);
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // parse_error, or out_of_range for a number beyond a double (1e999).
    throw InputError(who, std::string("is not valid JSON: ") + e.what());
  }
  Reading r;
  if (document.is_object() && document.value("schema", "") == "ceslab.result/1") {
    if (!document.contains("evidence") || !document["evidence"].is_object())
      throw InputError(who, "is a ceslab.result/1 document without an evidence object");
    document = document["evidence"];
    r.facts.push_back("the evidence inside a ceslab.result/1 document");
  }
  core::Evidence e;
  try {
    core::from_json(document, e);
  } catch (const core::EvidenceError& error) {
    throw InputError(who, error.what());
  } catch (const nlohmann::json::exception& error) {
    throw InputError(who, std::string("evidence JSON: ") + error.what());
  }
  r.facts.push_back("evidence: operation " + std::string(core::to_string(e.operation)) + ", auth " +
                    std::string(core::to_string(e.auth)) + ", outcome " +
                    std::string(core::to_string(e.outcome)) +
                    (e.endpoint.empty() ? "" : ", endpoint " + e.endpoint));
  if (e.transport)
    r.facts.push_back("transport " + std::string(core::to_string(e.transport->kind)) + ": " +
                      e.transport->message);
  if (e.http) r.facts.push_back("HTTP " + std::to_string(e.http->status) + " " + e.http->reason);
  if (e.fault) fault_facts(e.fault->fault, r.facts);
  if (e.kerberos.forwardable)
    r.facts.push_back(std::string("TGT forwardable: ") + (*e.kerberos.forwardable ? "yes" : "no"));
  if (e.kerberos.ok_as_delegate)
    r.facts.push_back(std::string("service ticket ok_as_delegate: ") +
                      (*e.kerberos.ok_as_delegate ? "yes" : "no"));
  for (const core::ServerEvent& ev : e.server_events)
    r.facts.push_back("event " + ev.source + " " + std::to_string(ev.id) +
                      (ev.host.empty() ? "" : " on " + ev.host));
  r.facts.push_back(std::to_string(e.messages.size()) + " client message lines");
  r.evidence = std::move(e);
  return r;
}

}  // namespace ceslab::diagnosis::inputs
