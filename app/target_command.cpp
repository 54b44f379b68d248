// SPDX-License-Identifier: GPL-2.0-or-later
#include "target_command.hpp"

#include <array>
#include <chrono>
#include <iostream>

#include "ceslab/runner/reports.hpp"
#include "ceslab/runner/target.hpp"
#include "commands.hpp"
#include "result_report.hpp"

namespace ceslab::app {
namespace {

// What only runs scenarios, and what only a target check takes.
constexpr std::array kScenarioOnly = {"PATTERN", "--scenario", "--list", "--lint", "--shard"};
constexpr std::array kTargetOnly = {"--template",
                                    "--key",
                                    "--auth",
                                    "--username",
                                    "--password-file",
                                    "--keytab",
                                    "--ccache",
                                    "--spn",
                                    "--credential-guard",
                                    "--clock-skew",
                                    "--no-channel-binding",
                                    "--client-cert",
                                    "--client-key",
                                    "--ca-file",
                                    "--insecure",
                                    "--connect-timeout",
                                    "--timeout"};

}  // namespace

void add_target_options(CLI::App& run, TargetArgs& args) {
  run.add_option("--target", args.url,
                 "Check a real CES or CEP endpoint instead of running scenarios: TLS, the "
                 "authentication it offers and accepts, KET (CES) or GetPolicies (CEP); only "
                 "this URL's host is contacted")
      ->type_name("URL");
  run.add_option("--template", args.template_name,
                 "With --target: also enroll once for this template (a real certificate is "
                 "issued; without it nothing that issues one is sent)");
  run.add_option("--key", args.key, "With --target --template: the new key (default rsa2048)")
      ->check(key_type_check());
  add_client_options(run, args.client);
}

bool target_requested(const CLI::App& run) {
  const bool target = run.count("--target") > 0;
  if (target) {
    for (const char* name : kScenarioOnly) {
      if (run.count(name) > 0) {
        throw CLI::ValidationError(name, "runs scenarios; --target checks an endpoint instead");
      }
    }
  } else {
    for (const char* name : kTargetOnly) {
      if (run.count(name) > 0) throw CLI::ValidationError(name, "only goes with --target URL");
    }
  }
  return target;
}

int run_target(const TargetArgs& args, const std::string& json, const std::string& junit,
               const std::string& html, const std::string& out) {
  runner::TargetOptions options;
  options.url = args.url;
  try {
    runner::parse_target(args.url);
  } catch (const runner::TargetError& bad) {
    throw CLI::ValidationError("--target", bad.what());
  }
  // Before any thread starts: this may prompt for the password.
  const std::unique_ptr<client::Authenticator> auth = make_authenticator(args.client);
  options.auth = auth.get();
  options.tls = tls_settings(args.client);
  if (!args.template_name.empty()) options.template_name = args.template_name;
  options.key = core::KeySpec::parse(args.key);
  options.out_dir = out;

  runner::TargetProgress progress;
  progress.check_finished = [](const runner::ScenarioResult& r) {
    const std::string& said = r.result == runner::Result::fail ? r.error : r.reason;
    std::cout << runner::to_string(r.result) << " " << r.id << ": " << said << "\n" << std::flush;
  };
  std::cout << "Checking " << args.url << (options.template_name ? "" : " (no enrollment)") << "\n";
  const ReportedRun r = run_and_report(
      [&](std::stop_token stop) { return runner::run_target_checks(options, progress, stop); },
      json, junit, html);
  if (r.interrupted) {
    std::cout << "; interrupted\n";
    return 128 + *r.interrupted;
  }
  std::cout << "\n";
  if (!out.empty() && !r.summary.ok()) {
    std::cout << "Evidence and diagnosis of each check: " << out
              << " (ceslab diagnose <check>.evidence.json)\n";
  }
  // A skipped check was not made: only a run where every check passed is 0.
  return r.summary.ok() && r.summary.skipped == 0 ? kOk : kFailed;
}

}  // namespace ceslab::app
