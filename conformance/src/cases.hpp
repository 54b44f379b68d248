// SPDX-License-Identifier: GPL-2.0-or-later
// A conformance case: its rule (CaseInfo) and the check that judges the
// replies of the probes it needs. The cases are grouped by the spec that
// sets the rule: cases_wire.cpp (HTTP, SOAP 1.2, WS-Addressing, across
// every answer), cases_wstep.cpp (MS-WSTEP), cases_xcep.cpp (MS-XCEP).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ceslab/conformance/conformance.hpp"
#include "ceslab/runner/suite.hpp"
#include "probes.hpp"

namespace ceslab::conformance {

struct Outcome {
  runner::Result result = runner::Result::pass;
  std::string said;  // PASS: what was seen; SKIP: why
  std::vector<runner::FieldDiff> diffs;
};

using Check = std::function<Outcome(Probes&)>;

struct Case {
  CaseInfo info;
  Check check;
};

// Collects what differed in one reply; PASS when nothing did.
class Expect {
 public:
  explicit Expect(const Reply& reply) : reply_(&reply) {}
  // Records a difference unless `ok`; returns `ok`.
  bool that(bool ok, std::string field, std::string expected, std::string actual);
  // The reply is a SOAP fault (of either version); records it if not.
  bool fault();
  Outcome done(std::string seen) const;
  bool failed() const { return !diffs_.empty(); }
  std::vector<runner::FieldDiff>& diffs() { return diffs_; }

 private:
  const Reply* reply_;
  std::vector<runner::FieldDiff> diffs_;
};

// The check of the rule "this request is a fault": PASS with what came
// back, or the diff.
Check fault_expected(ProbeKind kind);

// "absent", "nil" or the quoted text of `parent`'s child.
std::string shown_child(const xmlNode* parent, std::string_view ns, std::string_view local);

std::vector<Case> wire_cases();
std::vector<Case> wstep_cases();
std::vector<Case> xcep_cases();
// The wire rules judged over every answer of the run: made last.
std::vector<Case> every_answer_cases();

}  // namespace ceslab::conformance
