// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets.hpp"

namespace ceslab::fuzz {

const std::vector<Target>& all_targets() {
  static const std::vector<Target> targets = {
      {"mock_request", mock_request},
      {"pkcs10", pkcs10},
      {"cms", cms},
      {"cmc", cmc},
      {"client_response", client_response},
      {"world_yaml", world_yaml},
      {"scenario_yaml", scenario_yaml},
      {"diagnose_detect", diagnose_detect},
      {"diagnose_soap_fault", diagnose_soap_fault},
      {"diagnose_http_response", diagnose_http_response},
      {"diagnose_client_text", diagnose_client_text},
      {"diagnose_event_xml", diagnose_event_xml},
      {"diagnose_event_text", diagnose_event_text},
      {"diagnose_klist", diagnose_klist},
      {"diagnose_cepces_log", diagnose_cepces_log},
      {"diagnose_evidence_json", diagnose_evidence_json},
      {"diagnose_event_jsonl", diagnose_event_jsonl},
      {"diagnose_getcert_list", diagnose_getcert_list},
      {"evidence_json", evidence_json},
  };
  return targets;
}

}  // namespace ceslab::fuzz
