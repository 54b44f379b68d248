// SPDX-License-Identifier: GPL-2.0-or-later
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "ceslab/client/enroll.hpp"
#include "ceslab/core/pem.hpp"
#include "commands.hpp"
#include "output_options.hpp"

namespace ceslab::app {
namespace {

// CESLAB_PASSWORD, else a prompt on the terminal with echo off. The password
// is never printed or logged.
std::string read_password(const std::string& username) {
  if (const char* env = std::getenv("CESLAB_PASSWORD")) return env;
  if (!isatty(STDIN_FILENO)) {
    throw std::runtime_error("no password: set CESLAB_PASSWORD or run on a terminal to be asked");
  }
  std::cerr << "Password for " << username << ": " << std::flush;
  termios old_mode{};
  tcgetattr(STDIN_FILENO, &old_mode);
  termios quiet = old_mode;
  quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string password;
  std::getline(std::cin, password);
  tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
  std::cerr << "\n";
  return password;
}

}  // namespace

void add_enroll_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("enroll", "Enroll for a certificate through a CES endpoint");
  struct Args {
    std::string url, template_name, username, out = ".", subject, key = "rsa2048",
                                              auth = "username";
    std::vector<std::string> ca_files;
    bool insecure = false;
    bool pkcs10 = false;
  };
  auto a = std::make_shared<Args>();
  auto output = std::make_shared<OutputOptions>();
  cmd->add_option("--url", a->url,
                  "CES endpoint URL (https://host/<CA>_CES_UsernamePassword/service.svc/CES)")
      ->required();
  cmd->add_option("--template", a->template_name, "Certificate template name")->required();
  cmd->add_option("--auth", a->auth, "Authentication (username)")
      ->check(CLI::IsMember({"username"}))
      ->capture_default_str();
  cmd->add_option("--username", a->username,
                  "Account name (alice, LAB\\alice, alice@lab.test); password from CESLAB_PASSWORD "
                  "or a prompt");
  cmd->add_option("--out", a->out, "Directory for key.pem (0600), cert.pem, chain.pem")
      ->capture_default_str();
  cmd->add_option("--key", a->key, "Key type: rsa2048, rsa3072, ecdsa-p256, ecdsa-p384")
      ->capture_default_str();
  cmd->add_option("--subject", a->subject,
                  "Subject DN to request (templates that take it from the request)");
  cmd->add_option("--ca-file", a->ca_files,
                  "PEM file with the CA that signed the server's TLS certificate");
  cmd->add_flag("--insecure", a->insecure, "Do NOT verify the server's TLS certificate");
  cmd->add_flag("--pkcs10", a->pkcs10, "Send a bare PKCS#10 (as cepces does) instead of CMC");
  add_output_options(*cmd, *output);
  cmd->callback([a, output, &exit_code] {
    if (a->username.empty())
      throw CLI::ValidationError("--username", "is required with --auth username");
    client::EnrollRequest request;
    request.url = a->url;
    request.template_name = a->template_name;
    request.key = core::KeySpec::parse(a->key);
    request.subject = a->subject;
    request.wrapping = a->pkcs10 ? client::RequestWrapping::pkcs10 : client::RequestWrapping::cmc;
    request.username = client::UsernameCredentials{a->username, read_password(a->username)};
    client::TlsSettings tls;
    tls.ca_files = a->ca_files;
    tls.insecure = a->insecure;
    if (tls.insecure) {
      std::cerr
          << "WARNING: --insecure: the server's TLS certificate is NOT verified; anyone on the "
             "path can read the password and the request.\n";
    }
    const client::EnrollResult result = client::enroll(request, tls);
    // A pending request keeps its key: the certificate issued later is for it.
    std::vector<std::filesystem::path> files;
    if (result.status != client::EnrollStatus::failed)
      files = client::write_enrollment(result, a->out);
    OperationReport report{
        client::evidence_of(result, client::Operation::enroll, client::AuthMethod::username),
        {{"enroll", &result.call}},
        {},
        files};
    report.secrets.add_password(request.username->password);
    if (result.key) report.secrets.add_private_key(result.key.get());
    write_outputs(*output, report, std::cout);
    std::ostream& human = output->json ? std::cerr : std::cout;
    switch (result.status) {
      case client::EnrollStatus::issued: {
        human << "Issued: request " << result.request_id << "\n"
              << "  key:   " << (std::filesystem::path(a->out) / "key.pem").string() << "\n"
              << "  cert:  " << (std::filesystem::path(a->out) / "cert.pem").string() << "\n"
              << "  chain: " << (std::filesystem::path(a->out) / "chain.pem").string() << "\n";
        if (!a->ca_files.empty()) {
          std::vector<core::X509Ptr> roots;
          for (const auto& f : a->ca_files) {
            for (auto& c : core::read_certificates_pem(f)) roots.push_back(std::move(c));
          }
          const auto check = client::check_enrollment(result, roots);
          human << "  certificate matches key: " << (check.key_matches ? "yes" : "NO") << "\n"
                << "  chains to the CA: "
                << (check.chain.ok ? "yes" : "NO (" + check.chain.error_text + ")") << "\n";
          exit_code = check.ok() ? kOk : kFailed;
          return;
        }
        exit_code = kOk;
        return;
      }
      case client::EnrollStatus::pending:
        human << "Pending: request " << result.request_id << " (" << result.disposition << ")\n"
              << "  key:  " << (std::filesystem::path(a->out) / "key.pem").string() << "\n"
              << "  poll: " << result.pending_reference << "\n";
        exit_code = kPending;
        return;
      case client::EnrollStatus::failed:
        for (const auto& line : result.messages) std::cerr << line << "\n";
        exit_code = kFailed;
        return;
    }
  });
}

}  // namespace ceslab::app
