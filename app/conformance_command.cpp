// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab conformance --url URL` (docs/conformance.md): each rule MS-WSTEP and
// MS-XCEP set for a server, checked against one CES or CEP endpoint, with
// the same table, JSON and JUnit as `ceslab run`.
#include <chrono>
#include <iostream>

#include "ceslab/conformance/conformance.hpp"
#include "ceslab/runner/reports.hpp"
#include "ceslab/runner/target.hpp"
#include "client_options.hpp"
#include "commands.hpp"
#include "result_report.hpp"

namespace ceslab::app {
namespace {

struct ConformanceArgs {
  std::string url, json, junit, issue_template, pending_template;
  bool list = false;
  ClientOptions client;
};

// Credentials are asked for only when the command line names some: without
// them the cases that need them are SKIP, and nothing prompts.
bool credentials_given(const CLI::App& cmd, const ClientOptions& client) {
  for (const char* option :
       {"--username", "--password-file", "--keytab", "--ccache", "--client-cert", "--client-key"}) {
    if (cmd.count(option) > 0) return true;
  }
  return cmd.count("--auth") > 0 && client.auth == "kerberos";
}

void list_cases() {
  for (const auto& c : conformance::all_cases()) {
    std::string services;
    for (const auto s : c.services) {
      if (!services.empty()) services += ",";
      services += core::service_name(s);
    }
    std::cout << c.id << "  [" << c.section << "] (" << services
              << (c.needs_credentials ? ", credentials" : "")
              << (c.needs_option.empty() ? "" : ", " + c.needs_option) << ")\n    " << c.rule
              << "\n";
  }
}

int run(const CLI::App& cmd, const ConformanceArgs& args) {
  if (args.list) {
    list_cases();
    return kOk;
  }
  if (args.url.empty()) throw CLI::RequiredError("--url");
  try {
    runner::parse_target(args.url);
  } catch (const runner::TargetError& bad) {
    throw CLI::ValidationError("--url", bad.what());
  }
  conformance::ConformanceOptions options;
  options.url = args.url;
  // Before any request: this may prompt for the password.
  std::unique_ptr<client::Authenticator> auth;
  if (credentials_given(cmd, args.client)) auth = make_authenticator(args.client);
  options.auth = auth.get();
  options.tls = tls_settings(args.client);
  if (!args.issue_template.empty()) options.issue_template = args.issue_template;
  if (!args.pending_template.empty()) options.pending_template = args.pending_template;

  conformance::ConformanceProgress progress;
  progress.case_finished = [](const runner::ScenarioResult& r) {
    const std::string& said = r.result == runner::Result::fail ? r.error : r.reason;
    std::cout << runner::to_string(r.result) << " " << r.id << " [" << r.expected << "]: " << said
              << "\n"
              << std::flush;
  };
  std::cout << "Conformance of " << args.url
            << (auth ? "" : " (no credentials: the cases that need them are skipped)") << "\n";
  const ReportedRun r = run_and_report(
      [&](std::stop_token stop) { return conformance::run_conformance(options, progress, stop); },
      args.json, args.junit);
  if (r.interrupted) {
    std::cout << "; interrupted\n";
    return 128 + *r.interrupted;
  }
  std::cout << "\n";
  return r.summary.ok() ? kOk : kFailed;
}

}  // namespace

void add_conformance_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConformanceArgs>();
  CLI::App* cmd = app.add_subcommand(
      "conformance",
      "Check a CES or CEP endpoint against the rules of MS-WSTEP and MS-XCEP, case by case; "
      "only this URL is contacted");
  cmd->add_option("--url", args->url,
                  "The endpoint: https://HOST/<CA>_CES_<mode>/service.svc/CES or "
                  "https://HOST/ADPolicyProvider_CEP_<mode>/service.svc/CEP")
      ->type_name("URL");
  cmd->add_option("--template", args->issue_template,
                  "CES: a template the CA issues at once; wstep/issue enrolls once with it (a "
                  "certificate is issued)");
  cmd->add_option("--pending-template", args->pending_template,
                  "CES: a template whose requests wait for a CA manager; wstep/pending-and-query "
                  "leaves one pending request");
  cmd->add_option("--json", args->json, "Write the results as JSON (ceslab.run/1)")
      ->type_name("FILE");
  cmd->add_option("--junit", args->junit, "Write the results as JUnit XML")->type_name("FILE");
  cmd->add_flag("--list", args->list, "List the cases with their spec sections and exit");
  add_client_options(*cmd, args->client);
  cmd->callback([cmd, args, &exit_code] { exit_code = run(*cmd, *args); });
}

}  // namespace ceslab::app
