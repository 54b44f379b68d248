// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/enroll.hpp"
#include "ceslab/core/pem.hpp"
#include "client_options.hpp"
#include "commands.hpp"
#include "output_options.hpp"

namespace ceslab::app {

void add_renew_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "renew",
      "Renew a certificate: a request signed with the old certificate and key (with "
      "--auth cert, key-based renewal on a renewal-only Certificate endpoint)");
  struct Args {
    ClientOptions client;
    std::string url, cert, key, new_key, template_name, out = ".";
    bool pkcs7 = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--url", a->url, "CES endpoint URL")->required();
  cmd->add_option("--cert", a->cert, "PEM file with the certificate to renew")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--key", a->key, "PEM file with its private key")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--new-key", a->new_key,
                  "Make a new key of this type (rsa2048, ecdsa-p256, ...); default: keep the old "
                  "key")
      ->check(key_type_check());
  cmd->add_flag("--pkcs7", a->pkcs7,
                "Wrap the request in PKCS#7 (MS-WSTEP 4.1.5.1) instead of CMC (CertEnroll's form)");
  cmd->add_option("--template", a->template_name,
                  "Template name or OID; default: the CA takes the old certificate's");
  cmd->add_option("--out", a->out, "Directory for key.pem (0600), cert.pem, chain.pem")
      ->type_name("DIR")
      ->capture_default_str();
  add_client_options(*cmd, a->client);
  auto output = std::make_shared<OutputOptions>();
  add_output_options(*cmd, *output);
  cmd->callback([a, output, &exit_code] {
    client::RenewRequest request;
    request.url = a->url;
    request.old_certificate = std::move(core::read_certificates_pem(a->cert).front());
    request.old_key = core::read_private_key_pem(a->key);
    if (!a->new_key.empty()) request.new_key = core::KeySpec::parse(a->new_key);
    request.pkcs7 = a->pkcs7;
    request.template_name = a->template_name;
    // Key-based renewal authenticates with the certificate being renewed.
    const std::unique_ptr<client::Authenticator> auth =
        make_authenticator(a->client, DefaultClientIdentity{a->cert, a->key});
    client::CallCredentials credentials =
        client::credentials_for(*auth, a->url, tls_settings(a->client));
    request.credentials = credentials;
    ReportContext context;
    context.output = output.get();
    context.operation = client::Operation::renew;
    exit_code =
        report_enrollment(client::renew(request, credentials.tls), a->out, a->client, context);
  });
}

}  // namespace ceslab::app
