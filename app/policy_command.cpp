// SPDX-License-Identifier: GPL-2.0-or-later
#include <iostream>

#include "ceslab/client/policy.hpp"
#include "client_options.hpp"
#include "commands.hpp"
#include "output_options.hpp"
#include "policy_listing.hpp"

namespace ceslab::app {

void add_policy_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "policy",
      "Ask a CEP endpoint for the enrollment policy (GetPolicies): templates, CAs and "
      "their CES URIs by authentication mode and priority");
  struct Args {
    ClientOptions client;
    std::string url;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--url", a->url,
                  "CEP endpoint URL (https://host/ADPolicyProvider_CEP_UsernamePassword/"
                  "service.svc/CEP)")
      ->required();
  add_client_options(*cmd, a->client);
  auto output = std::make_shared<OutputOptions>();
  add_output_options(*cmd, *output);
  cmd->callback([a, output, &exit_code] {
    const std::unique_ptr<client::Authenticator> auth = make_authenticator(a->client);
    client::CallCredentials credentials =
        client::credentials_for(*auth, a->url, tls_settings(a->client));
    client::PolicyRequest request;
    request.url = a->url;
    request.credentials = credentials;
    const client::PolicyResult result = client::get_policies(request, credentials.tls);
    if (result.ok()) {
      print_policy(*result.response, summary_stream(*output));
      exit_code = kOk;
    } else {
      for (const auto& line : result.messages) std::cerr << line << "\n";
      exit_code = kFailed;
    }
    OperationReport report;
    report.evidence =
        client::evidence_of(result.call, client::Operation::policy, auth_method(a->client));
    add_exchange(report, "policy", result.call);
    report.result_members["policy"] =
        result.ok() ? policy_json(*result.response) : nlohmann::json(nullptr);
    write_outputs(*output, report, std::cout);
  });
}

}  // namespace ceslab::app
