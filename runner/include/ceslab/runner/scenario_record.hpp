// SPDX-License-Identifier: GPL-2.0-or-later
// What a scenario did, kept in memory for the reports that show it
// (`ceslab run --html`): its exchanges with secrets redacted as --capture
// redacts them, the hosts' events an admin would export, the client's
// evidence, and the engine's two diagnoses. Only gathered when asked
// (SuiteOptions::record): the table, JSON and JUnit need none of it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ceslab/client/capture.hpp"
#include "ceslab/core/evidence.hpp"
#include "ceslab/diagnosis/engine.hpp"

namespace ceslab::runner {

struct RecordedExchange {
  std::string step;   // "step 1 (enroll)"
  std::string label;  // the capture label: "enroll", "policy", "renew", "retrieve"
  std::string url;
  client::RedactedExchange exchange;
  std::string transport_error;  // empty when an answer came
  std::chrono::milliseconds total{};
};

struct ScenarioRecord {
  std::vector<RecordedExchange> exchanges;  // in the order they happened
  // The hosts' events the diagnosis with server events saw (the window of
  // the last step), as an admin exports them.
  std::vector<core::ServerEvent> server_events;
  // The last step's evidence, client side only; none when the scenario
  // ended before its last step.
  std::optional<core::Evidence> evidence;
  std::optional<diagnosis::Diagnosis> client_only;
  std::optional<diagnosis::Diagnosis> with_server_events;
};

}  // namespace ceslab::runner
