// SPDX-License-Identifier: GPL-2.0-or-later
// Comparing what a step showed with what its scenario expects, field by
// field, so a failure says exactly what diverged.
#pragma once

#include <string>
#include <vector>

#include "ceslab/core/evidence.hpp"
#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"

namespace ceslab::runner {

// Appends a FieldDiff to `diffs` for every member of `expected` that the
// step's evidence, exit code or events do not match.
void compare_step(const std::string& step, const StepExpectation& expected,
                  const core::Evidence& evidence, int exit_code,
                  const std::vector<mock::Event>& events, std::vector<FieldDiff>& diffs);

// The verdict, the tied candidates that must be listed, the causes that
// must be neither verdict nor tied.
void compare_diagnosis(const std::string& label, const DiagnosisExpectation& expected,
                       const diagnosis::Diagnosis& actual, std::vector<FieldDiff>& diffs);

}  // namespace ceslab::runner
