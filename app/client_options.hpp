// SPDX-License-Identifier: GPL-2.0-or-later
// The options every client subcommand (enroll, renew, retrieve, policy)
// shares — authentication, TLS trust, timeouts — registered in one place and
// turned into the client library's settings here.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/enroll.hpp"
#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/client/soap_call.hpp"

namespace ceslab::app {

struct OutputOptions;

struct ClientOptions {
  std::string auth = "username";  // username | cert | kerberos
  std::string username;
  std::string password_file;
  std::string keytab;  // --auth kerberos: a client keytab instead of a password
  std::string ccache;  // --auth kerberos: tickets already obtained (kinit)
  std::string spn;     // --auth kerberos: the service principal, default HTTP/<URL host>
  bool credential_guard = false;
  int clock_skew_minutes = 0;  // --auth kerberos: the client's clock vs the KDC's
  bool no_channel_binding = false;
  std::string client_cert;  // PEM files for --auth cert
  std::string client_key;
  std::vector<std::string> ca_files;
  bool insecure = false;
  double connect_timeout_s = 10;
  double timeout_s = 60;
};

// Registers --auth, --username, --password-file, --keytab, --ccache, --spn,
// --credential-guard, --clock-skew, --no-channel-binding, --client-cert, --client-key,
// --ca-file, --insecure, --connect-timeout, --timeout.
void add_client_options(CLI::App& cmd, ClientOptions& options);

// Option checks that turn a bad value into a usage error naming the option:
// a key type ("rsa2048", "ecdsa-p256", ...), a subject DN.
CLI::Validator key_type_check();
CLI::Validator subject_check();

// TLS trust and timeouts; with --insecure prints the warning on stderr.
client::TlsSettings tls_settings(const ClientOptions& options);

// A TLS client identity to fall back on for --auth cert when --client-cert
// is not given (renew: the certificate being renewed, as Windows does for
// key-based renewal).
struct DefaultClientIdentity {
  std::string certificate_file;
  std::string key_file;
};

// The authenticator --auth names. For `username` the password comes from
// --password-file, else CESLAB_PASSWORD, else a prompt on the terminal with
// echo off; it is never printed. Throws CLI::ValidationError naming the
// missing option (exit 2).
std::unique_ptr<client::Authenticator> make_authenticator(
    const ClientOptions& options, const std::optional<DefaultClientIdentity>& fallback = {});

// The certificates of every --ca-file (to check an issued certificate).
std::vector<core::X509Ptr> trusted_roots(const ClientOptions& options);

// The evidence's name for --auth.
core::AuthMode auth_method(const ClientOptions& options);

// An exchange of the run before the one whose result is reported.
struct PriorExchange {
  client::Operation operation;
  const client::SoapCall* call;  // must outlive report_enrollment
};

// What report_enrollment needs besides the result; all optional.
struct ReportContext {
  EVP_PKEY* paired_key = nullptr;         // retrieve --key
  const OutputOptions* output = nullptr;  // --json, --evidence, --capture
  client::Operation operation = client::Operation::enroll;
  // The exchanges before the result's (enroll --policy-url: GetPolicies and
  // the CES URIs that could not be reached), in order: they go into the
  // capture before the result's.
  std::vector<PriorExchange> prior;
  // The run's evidence when it is more than the result's exchange (enroll
  // --policy-url: client::evidence_of(PolicyEnrollResult), with the prior
  // exchanges); unset: the result's own.
  std::optional<client::Evidence> evidence;
  nlohmann::json result_members = nlohmann::json::object();  // OperationReport::result_members
};

// What the enrollment commands print and write for a result, and the exit
// code (docs/cli.md): issued (0, or 1 when a check fails), pending (3),
// failed (1). Writes what the result holds (key.pem 0600, cert.pem,
// chain.pem) into `out_dir`; checks the certificate against the result's
// key, else `context.paired_key` (retrieve --key), and with --ca-file its
// chain. With `context.output`, also --json (the summary then goes to
// stderr), --evidence and --capture for the exchanges, with the password and
// keys kept out.
int report_enrollment(const client::EnrollResult& result, const std::filesystem::path& out_dir,
                      const ClientOptions& options, const ReportContext& context = {});

}  // namespace ceslab::app
