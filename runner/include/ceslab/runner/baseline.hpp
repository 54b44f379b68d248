// SPDX-License-Identifier: GPL-2.0-or-later
// The sanity baseline every suite starts with (style.md, tlsfuzzer): the
// embedded mock with the default lab, a real enrollment over loopback TLS,
// and the checks a user would make on the result. The scenario runner builds
// on this.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace ceslab::runner {

struct CaseResult {
  std::string name;
  bool passed = false;
  std::string detail;  // what was observed; why it failed
  std::chrono::milliseconds duration{};
};

// Runs the baseline: starts the default lab on 127.0.0.1:0, enrolls `alice`
// for `User` through the UsernamePassword endpoint, verifies the certificate.
// `out_dir` (optional) receives key.pem / cert.pem / chain.pem.
std::vector<CaseResult> run_baseline(const std::filesystem::path& out_dir = {});

}  // namespace ceslab::runner
