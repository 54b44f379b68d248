// SPDX-License-Identifier: GPL-2.0-or-later
// The sanity baseline every suite starts with (style.md, tlsfuzzer): the
// embedded mock with the default lab, real enrollments over loopback TLS —
// with a username and password, and with Kerberos from a throw-away KDC the
// run starts once and shares — and the checks a user would make on the
// result. The scenario runner builds on this.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace ceslab::runner {

struct CaseResult {
  std::string name;
  bool passed = false;
  std::string detail;  // what was observed; why it failed
  std::chrono::milliseconds duration{};
};

struct BaselineOptions {
  // Receives the first case's key.pem / cert.pem / chain.pem (optional).
  std::filesystem::path out_dir;
  // Run the Kerberos cases (needs krb5kdc and kadmin.local from krb5-kdc
  // and krb5-admin-server; scripts/setup installs them).
  bool kerberos = true;
};

// What a run reports while it goes, so a console sees progress and knows
// what to clean up. Either may be empty.
struct RunProgress {
  // The lab realm is up: its directory (removed when the run ends) and how
  // long the KDC took to start.
  std::function<void(const std::filesystem::path& realm_dir, std::chrono::milliseconds startup)>
      kdc_started;
  std::function<void(const CaseResult&)> case_finished;
};

// Runs the baseline: the default lab on 127.0.0.1:0, `alice` enrolls for
// `User` through the UsernamePassword endpoint (CMC and bare PKCS#10) and
// through the Kerberos endpoint (constrained delegation, the lab's default,
// and unconstrained, a real double hop), and each certificate is checked.
// A stop request ends the run after the case in progress; the KDC and the
// lab's temporary state are removed either way. Returns the cases run.
std::vector<CaseResult> run_baseline(const BaselineOptions& options,
                                     const RunProgress& progress = {}, std::stop_token stop = {});

}  // namespace ceslab::runner
