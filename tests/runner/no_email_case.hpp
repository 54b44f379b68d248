// SPDX-License-Identifier: GPL-2.0-or-later
// The case the runner and `ceslab run` tests use most: alice has no e-mail
// and enrolls for User, which requires one (MS-CRTD 2.28,
// CT_FLAG_SUBJECT_REQUIRE_EMAIL; scenarios/causes/ca_subject_email_required.yaml).
#pragma once

#include <string>

namespace ceslab::test_support {

// The lines under a world's `world:` that take alice's e-mail away.
inline const std::string kAliceWithoutEmail = "  accounts:\n    - { name: alice, email: null }\n";

// A scenario file of the case: `header` (its name, summary and source
// lines), the world and the step, then `expect` (the lines under `expect:`
// after the outcome, which is `failed`).
inline std::string no_email_scenario(const std::string& header, const std::string& expect) {
  return header + "world:\n" + kAliceWithoutEmail +
         "steps:\n  - enroll: { template: User }\nexpect:\n  outcome: failed\n" + expect;
}

}  // namespace ceslab::test_support
