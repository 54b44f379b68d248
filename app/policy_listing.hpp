// SPDX-License-Identifier: GPL-2.0-or-later
// An enrollment policy (a GetPolicies answer) as `ceslab policy` shows it:
// the human listing, and the "policy" member of its --json result
// (docs/evidence.md, "Result"). Both list each CA's CES URIs the same way:
// by authentication mode, then by priority.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "ceslab/core/messages.hpp"

namespace ceslab::app {

void print_policy(const core::GetPoliciesResponse& policy, std::ostream& out);

nlohmann::json policy_json(const core::GetPoliciesResponse& policy);

}  // namespace ceslab::app
