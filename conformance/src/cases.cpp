// SPDX-License-Identifier: GPL-2.0-or-later
#include "cases.hpp"

namespace ceslab::conformance {

bool Expect::that(bool ok, std::string field, std::string expected, std::string actual) {
  if (!ok)
    diffs_.push_back({reply_->request, std::move(field), std::move(expected), std::move(actual)});
  return ok;
}

bool Expect::fault() {
  return that(reply_->fault() != nullptr, "answer", "a SOAP fault", reply_->summary());
}

Outcome Expect::done(std::string seen) const {
  if (diffs_.empty()) return {runner::Result::pass, std::move(seen), {}};
  return {runner::Result::fail, "", diffs_};
}

Check fault_expected(ProbeKind kind) {
  return [kind](Probes& probes) {
    const Reply& r = probes.get(kind);
    Expect e(r);
    e.fault();
    return e.done(r.summary());
  };
}

std::string shown_child(const xmlNode* parent, std::string_view ns, std::string_view local) {
  const xmlNode* c = child(parent, ns, local);
  if (c == nullptr) return "absent";
  if (is_nil(c)) return "nil";
  return "'" + text(c) + "'";
}

}  // namespace ceslab::conformance
