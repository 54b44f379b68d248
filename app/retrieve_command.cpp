// SPDX-License-Identifier: GPL-2.0-or-later
#include <charconv>

#include "ceslab/client/enroll.hpp"
#include "ceslab/core/pem.hpp"
#include "client_options.hpp"
#include "commands.hpp"
#include "output_options.hpp"

namespace ceslab::app {

void add_retrieve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "retrieve", "Ask a CES for a pending request's certificate (QueryTokenStatus)");
  struct Args {
    ClientOptions client;
    std::string url, request_id, key, out = ".";
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--url", a->url, "CES URI the pending answer named (`poll:`)")->required();
  cmd->add_option("--request-id", a->request_id, "The CA's request id")
      ->required()
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            long long id = 0;
            const auto [end, error] =
                std::from_chars(value.data(), value.data() + value.size(), id);
            if (error != std::errc() || end != value.data() + value.size() || id < 1)
              return "'" + value + "' is not a request id (a positive number)";
            return {};
          },
          "ID", "request id"));
  cmd->add_option("--key", a->key,
                  "PEM private key kept from the pending enrollment: checks that the certificate "
                  "is for it")
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", a->out, "Directory for cert.pem and chain.pem")
      ->type_name("DIR")
      ->capture_default_str();
  add_client_options(*cmd, a->client);
  auto output = std::make_shared<OutputOptions>();
  add_output_options(*cmd, *output);
  cmd->callback([a, output, &exit_code] {
    core::EvpPkeyPtr key;
    if (!a->key.empty()) key = core::read_private_key_pem(a->key);
    client::RetrieveRequest request;
    request.url = a->url;
    request.request_id = a->request_id;
    const std::unique_ptr<client::Authenticator> auth = make_authenticator(a->client);
    client::CallCredentials credentials =
        client::credentials_for(*auth, a->url, tls_settings(a->client));
    request.credentials = credentials;
    ReportContext context;
    context.paired_key = key.get();
    context.output = output.get();
    context.operation = client::Operation::retrieve;
    exit_code =
        report_enrollment(client::retrieve(request, credentials.tls), a->out, a->client, context);
  });
}

}  // namespace ceslab::app
