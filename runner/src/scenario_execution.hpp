// SPDX-License-Identifier: GPL-2.0-or-later
// One scenario against one running mock: the steps, the observations, the
// comparison with what the scenario expects.
#pragma once

#include <filesystem>
#include <optional>

#include "ceslab/mock/ces_service.hpp"
#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"

namespace ceslab::runner {

class SharedLab;

struct ExecutionContext {
  // The run's shared CA files and client keys.
  SharedLab& lab;
  // Real Negotiate on the Kerberos endpoints (the run's KDC holds this
  // world's principals); unset for a scenario without Kerberos.
  std::optional<mock::KerberosService> kerberos;
  std::filesystem::path artefacts;  // empty: keep nothing
  bool record = false;              // fill ScenarioResult::record
};

// Runs `scenario` in a world of its own and judges it (PASS or FAIL; the
// known-gaps manifest is applied by the caller). Never throws: an error that
// stops the scenario is a FAIL with `error` set.
ScenarioResult execute_scenario(const Scenario& scenario, const ExecutionContext& context);

}  // namespace ceslab::runner
