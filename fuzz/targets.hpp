// SPDX-License-Identifier: GPL-2.0-or-later
// The fuzz targets (docs/fuzzing.md): each takes one input of untrusted
// bytes and drives one reader of ceslab with it. A reader may refuse the
// input with the typed error it documents (the target catches exactly
// that); anything else — a crash, a sanitizer report, another exception
// type, a hang — is a finding. The bodies are plain functions so that the
// libFuzzer programs (libfuzzer_main.cpp) and the test suite's replay of the
// corpora (tests/fuzz/replay_test.cpp) run the same code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ceslab::fuzz {

using TargetFunction = int (*)(const std::uint8_t* data, std::size_t size);

struct Target {
  std::string_view name;  // "mock_request": the program is ceslab_fuzz_<name>
  TargetFunction run;
};

// Every target, in the order docs/fuzzing.md lists them.
const std::vector<Target>& all_targets();

// The mock's request path: raw HTTP request bytes -> Beast's request parser
// -> MockServer::handle (SOAP, authentication, PKCS#10 / CMS / CMC, CA).
int mock_request(const std::uint8_t* data, std::size_t size);
// core's decoders of what a client submits.
int pkcs10(const std::uint8_t* data, std::size_t size);
int cms(const std::uint8_t* data, std::size_t size);
int cmc(const std::uint8_t* data, std::size_t size);
// The client's reading of a CES/CEP answer: the SOAP body of an HTTP 200 or
// 500 -> wsdl codec -> RSTR (certificate, CMC response) / fault /
// GetPoliciesResponse -> evidence.
int client_response(const std::uint8_t* data, std::size_t size);
// World and scenario YAML, from memory.
int world_yaml(const std::uint8_t* data, std::size_t size);
int scenario_yaml(const std::uint8_t* data, std::size_t size);
// `ceslab diagnose`: type detection, then one target per reader (the input
// read as that type, as `--type` forces it).
int diagnose_detect(const std::uint8_t* data, std::size_t size);
int diagnose_soap_fault(const std::uint8_t* data, std::size_t size);
int diagnose_http_response(const std::uint8_t* data, std::size_t size);
int diagnose_client_text(const std::uint8_t* data, std::size_t size);
int diagnose_event_xml(const std::uint8_t* data, std::size_t size);
int diagnose_event_text(const std::uint8_t* data, std::size_t size);
int diagnose_klist(const std::uint8_t* data, std::size_t size);
int diagnose_cepces_log(const std::uint8_t* data, std::size_t size);
int diagnose_evidence_json(const std::uint8_t* data, std::size_t size);
int diagnose_event_jsonl(const std::uint8_t* data, std::size_t size);
int diagnose_getcert_list(const std::uint8_t* data, std::size_t size);
// core's Evidence JSON reader (from_json).
int evidence_json(const std::uint8_t* data, std::size_t size);

}  // namespace ceslab::fuzz
