// SPDX-License-Identifier: GPL-2.0-or-later
#include "client_options.hpp"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <system_error>

#include "ceslab/core/csr.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"
#include "commands.hpp"
#include "output_options.hpp"

namespace ceslab::app {
namespace {

// Restores the terminal mode however the prompt ends.
class EchoOff {
 public:
  EchoOff() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) {
      throw std::system_error(errno, std::generic_category(), "reading the terminal mode");
    }
    termios quiet = saved_;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &quiet) != 0) {
      throw std::system_error(errno, std::generic_category(), "turning terminal echo off");
    }
  }
  ~EchoOff() { tcsetattr(STDIN_FILENO, TCSANOW, &saved_); }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
};

// --password-file (its first line), else CESLAB_PASSWORD, else a prompt on
// the terminal with echo off. The password is never printed or logged.
std::string read_password(const ClientOptions& options) {
  if (!options.password_file.empty()) {
    std::ifstream in(options.password_file);
    if (!in) {
      throw std::filesystem::filesystem_error("--password-file: cannot read", options.password_file,
                                              std::error_code(errno, std::generic_category()));
    }
    std::string password;
    std::getline(in, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
  }
  if (const char* env = std::getenv("CESLAB_PASSWORD")) return env;
  if (!isatty(STDIN_FILENO)) {
    throw CLI::ValidationError("--password-file",
                               "no password: give --password-file, set CESLAB_PASSWORD or run on "
                               "a terminal to be asked");
  }
  std::cerr << "Password for " << options.username << ": " << std::flush;
  std::string password;
  {
    const EchoOff quiet;
    std::getline(std::cin, password);
  }
  std::cerr << "\n";
  return password;
}

std::chrono::milliseconds seconds(double s) {
  return std::chrono::milliseconds(static_cast<long long>(s * 1000.0));
}

}  // namespace

CLI::Validator key_type_check() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        try {
          core::KeySpec::parse(value);
          return {};
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
      },
      "KEY", "key type");
}

CLI::Validator subject_check() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        try {
          core::parse_distinguished_name(value);
          return {};
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
      },
      "DN", "subject DN");
}

void add_client_options(CLI::App& cmd, ClientOptions& o) {
  cmd.add_option("--auth", o.auth,
                 "Authentication: username (WS-Security UsernameToken), cert (TLS client "
                 "certificate), kerberos (HTTP Negotiate)")
      ->check(CLI::IsMember({"username", "cert", "kerberos"}))
      ->capture_default_str();
  cmd.add_option("--username", o.username,
                 "Account for --auth username (alice, LAB\\alice, alice@lab.test); the password "
                 "comes from --password-file, CESLAB_PASSWORD or a prompt with echo off");
  cmd.add_option("--password-file", o.password_file,
                 "File whose first line is the password for --auth username")
      ->type_name("FILE");
  cmd.add_option("--keytab", o.keytab,
                 "--auth kerberos: client keytab for --username (instead of a password)")
      ->type_name("FILE");
  cmd.add_option("--ccache", o.ccache,
                 "--auth kerberos: use the tickets in this credential cache (as after kinit); "
                 "the default without --username is the default ccache (KRB5CCNAME)");
  cmd.add_option("--spn", o.spn,
                 "--auth kerberos: the CES/CEP service principal (default HTTP/<URL host>, as "
                 "Windows asks for it)");
  cmd.add_flag("--credential-guard", o.credential_guard,
               "--auth kerberos: behave like a Credential Guard client: never forward the TGT");
  cmd.add_option("--clock-skew", o.clock_skew_minutes,
                 "--auth kerberos: run the client's clock this many MINUTES from the KDC's "
                 "(negative: behind); Kerberos allows 5 (KRB_AP_ERR_SKEW beyond)")
      ->type_name("MINUTES")
      ->check(CLI::Range(-525600, 525600));
  cmd.add_flag("--no-channel-binding", o.no_channel_binding,
               "--auth kerberos: send no tls-server-end-point channel binding (older clients)");
  cmd.add_option("--client-cert", o.client_cert, "PEM client certificate for --auth cert")
      ->type_name("FILE");
  cmd.add_option("--client-key", o.client_key, "PEM private key of --client-cert")
      ->type_name("FILE");
  cmd.add_option("--ca-file", o.ca_files,
                 "PEM file with a CA that signed the server's TLS certificate (repeatable); "
                 "default: the system trust store. Also checks the issued certificate's chain")
      ->type_name("FILE");
  cmd.add_flag("--insecure", o.insecure,
               "Do NOT verify the server's TLS certificate (says so loudly on every run)");
  cmd.add_option("--connect-timeout", o.connect_timeout_s, "Seconds for DNS and the TCP connection")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  cmd.add_option("--timeout", o.timeout_s,
                 "Seconds for each later stage (TLS handshake, request, response)")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
}

client::TlsSettings tls_settings(const ClientOptions& options) {
  client::TlsSettings tls;
  tls.ca_files = options.ca_files;
  tls.insecure = options.insecure;
  tls.connect_timeout = seconds(options.connect_timeout_s);
  tls.io_timeout = seconds(options.timeout_s);
  if (tls.insecure) {
    std::cerr << "WARNING: --insecure: the server's TLS certificate is NOT verified; anyone on the "
                 "path can read the credentials and the request.\n";
  }
  return tls;
}

std::unique_ptr<client::Authenticator> make_authenticator(
    const ClientOptions& options, const std::optional<DefaultClientIdentity>& fallback) {
  if (options.auth == "username") {
    if (options.username.empty())
      throw CLI::ValidationError("--username", "is required with --auth username");
    return std::make_unique<client::UsernameAuthenticator>(
        client::UsernameCredentials{options.username, read_password(options)});
  }
  if (options.auth == "cert") {
    if (options.client_cert.empty() != options.client_key.empty()) {
      throw CLI::ValidationError(options.client_cert.empty() ? "--client-cert" : "--client-key",
                                 "--client-cert and --client-key go together");
    }
    std::string cert_file = options.client_cert;
    std::string key_file = options.client_key;
    if (cert_file.empty() && fallback) {
      cert_file = fallback->certificate_file;
      key_file = fallback->key_file;
    }
    if (cert_file.empty()) {
      throw CLI::ValidationError("--client-cert",
                                 "is required with --auth cert (and --client-key)");
    }
    std::vector<core::X509Ptr> certs = core::read_certificates_pem(cert_file);
    return std::make_unique<client::CertificateAuthenticator>(std::move(certs.front()),
                                                              core::read_private_key_pem(key_file));
  }
  // Kerberos: the environment's krb5.conf (KRB5_CONFIG) names the realm and
  // KDC, as for kinit.
  client::KerberosSettings kerberos;
  kerberos.principal = options.username;
  if (!options.keytab.empty()) {
    if (options.username.empty())
      throw CLI::ValidationError("--keytab", "needs --username (the principal in the keytab)");
    kerberos.keytab = options.keytab;
  } else if (!options.ccache.empty()) {
    kerberos.ccache = options.ccache;
  } else if (!options.username.empty()) {
    kerberos.password = read_password(options);
  }
  if (!options.spn.empty()) kerberos.service = options.spn;
  kerberos.credential_guard = options.credential_guard;
  kerberos.clock_offset = std::chrono::minutes(options.clock_skew_minutes);
  kerberos.channel_binding = !options.no_channel_binding;
  return std::make_unique<client::KerberosAuthenticator>(std::move(kerberos));
}

std::vector<core::X509Ptr> trusted_roots(const ClientOptions& options) {
  std::vector<core::X509Ptr> roots;
  for (const auto& f : options.ca_files) {
    for (auto& c : core::read_certificates_pem(f)) roots.push_back(std::move(c));
  }
  return roots;
}

core::AuthMode auth_method(const ClientOptions& options) {
  // --auth is checked against these names (add_client_options).
  return core::auth_mode_from_cli_name(options.auth).value_or(core::AuthMode::username);
}

namespace {

int summarize(const client::EnrollResult& result, const std::filesystem::path& out_dir,
              const ClientOptions& options, EVP_PKEY* paired_key, std::ostream& human,
              std::vector<std::filesystem::path>& files) {
  switch (result.status) {
    case client::EnrollStatus::issued: {
      files = client::write_enrollment(result, out_dir);
      const core::CertificateInfo info = core::describe(result.certificate.get());
      human << "Issued: request " << result.request_id << "\n"
            << "  subject: " << info.subject << "\n"
            << "  serial:  " << info.serial_hex << "\n";
      if (result.key) human << "  key:   " << (out_dir / "key.pem").string() << "\n";
      human << "  cert:  " << (out_dir / "cert.pem").string() << "\n";
      if (!result.chain.empty()) human << "  chain: " << (out_dir / "chain.pem").string() << "\n";
      bool ok = true;
      if (EVP_PKEY* key = result.key ? result.key.get() : paired_key) {
        const bool matches = core::certificate_matches_key(result.certificate.get(), key);
        human << "  certificate matches key: " << (matches ? "yes" : "NO") << "\n";
        ok = ok && matches;
      }
      if (!options.ca_files.empty()) {
        const core::ChainCheck check =
            core::verify_chain(result.certificate.get(), result.chain, trusted_roots(options));
        human << "  chains to the CA: " << (check.ok ? "yes" : "NO (" + check.error_text + ")")
              << "\n";
        ok = ok && check.ok;
      }
      return ok ? kOk : kFailed;
    }
    case client::EnrollStatus::pending:
      // Keep the key: the certificate issued later is for it.
      files = client::write_enrollment(result, out_dir);
      human << "Pending: request " << result.request_id << " (" << result.disposition << ")\n";
      if (result.key) human << "  key:  " << (out_dir / "key.pem").string() << "\n";
      human << "  poll: " << result.pending_reference << "\n";
      return kPending;
    case client::EnrollStatus::failed:
      for (const auto& line : result.messages) std::cerr << line << "\n";
      return kFailed;
  }
  return kFailed;
}

}  // namespace

int report_enrollment(const client::EnrollResult& result, const std::filesystem::path& out_dir,
                      const ClientOptions& options, const ReportContext& context) {
  const OutputOptions* output = context.output;
  std::ostream& human = output != nullptr ? summary_stream(*output) : std::cout;
  std::vector<std::filesystem::path> files;
  const int code = summarize(result, out_dir, options, context.paired_key, human, files);
  if (output == nullptr) return code;

  const core::AuthMode auth = auth_method(options);
  OperationReport report;
  report.files = files;
  report.result_members = context.result_members;
  for (const PriorExchange& p : context.prior) {
    add_exchange(report, std::string(core::to_string(p.operation)), *p.call);
  }
  if (!result.call.url.empty()) {
    add_exchange(report, std::string(core::to_string(context.operation)), result.call);
  }
  report.evidence =
      context.evidence ? *context.evidence : client::evidence_of(result, context.operation, auth);
  if (result.key) report.secrets.add_private_key(result.key.get());
  write_outputs(*output, report, std::cout);
  return code;
}

}  // namespace ceslab::app
