// SPDX-License-Identifier: GPL-2.0-or-later
// How the client proves who it is to a CES or CEP endpoint. Each mode puts
// its credentials in a different layer (docs/protocol.md 2.5): a WS-Security
// UsernameToken in the SOAP header, a TLS client certificate, or HTTP
// Negotiate. An Authenticator fills the one layer its mode uses; the calls
// (enroll, renew, retrieve, get_policies) send whatever it filled.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/endpoint_names.hpp"
#include "ceslab/core/evidence.hpp"
#include "ceslab/core/http_types.hpp"
#include "ceslab/core/ossl.hpp"

namespace ceslab::client {

// What one call carries to authenticate, in the layer its mode uses.
// Its RequestCredentials part goes in the request (`request.credentials =
// credentials`), `tls` to the call.
struct CallCredentials : RequestCredentials {
  TlsSettings tls;  // TLS: client certificate and key
};

// An authentication mode that cannot be used (yet); what() says why.
class AuthenticationUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual core::AuthMode mode() const = 0;
  // Adds this mode's credentials for one call to `url`. Throws
  // AuthenticationUnavailable when the mode cannot authenticate; never sends
  // anything without credentials instead.
  virtual void apply(const std::string& url, CallCredentials& credentials) const = 0;
};

// UsernamePassword endpoints (clientAuthentication 4).
class UsernameAuthenticator final : public Authenticator {
 public:
  explicit UsernameAuthenticator(UsernameCredentials credentials);
  core::AuthMode mode() const override { return core::AuthMode::username; }
  void apply(const std::string& url, CallCredentials& credentials) const override;

 private:
  UsernameCredentials credentials_;
};

// Certificate endpoints and key-based renewal (clientAuthentication 8): the
// certificate and its key become the TLS client identity. Throws
// std::invalid_argument when the key is not the certificate's.
class CertificateAuthenticator final : public Authenticator {
 public:
  CertificateAuthenticator(core::X509Ptr certificate, core::EvpPkeyPtr key);
  core::AuthMode mode() const override { return core::AuthMode::certificate; }
  void apply(const std::string& url, CallCredentials& credentials) const override;

 private:
  core::X509Ptr certificate_;
  core::EvpPkeyPtr key_;
};

// How the client gets and uses Kerberos credentials.
struct KerberosSettings {
  // "alice" or "alice@LAB.TEST". Empty with a ccache: its default principal.
  std::string principal;
  // Where the TGT comes from, in this order: a password (AS exchange), a
  // client keytab, or the tickets already in `ccache` (default: the default
  // ccache, KRB5CCNAME), as after kinit or a Windows logon.
  std::optional<std::string> password;  // never logged, never in evidence
  std::optional<std::filesystem::path> keytab;
  std::optional<std::string> ccache;
  // The service principal; default "HTTP/<URL host>", the SPN Windows asks
  // for. Name it when the URL host is not the service's name (a loopback lab).
  std::optional<std::string> service;
  // Windows asks for delegation and delegates the TGT only when the service
  // ticket says ok-as-delegate (GSS_C_DELEG_POLICY_FLAG). Credential Guard
  // never forwards the TGT (it forbids unconstrained delegation).
  bool credential_guard = false;
  // Bind the authentication to the TLS channel (RFC 5929
  // tls-server-end-point), as Windows does and Extended Protection requires.
  bool channel_binding = true;
  // Lab only: this client's clock runs this far from the real time (the
  // KDC's), to reproduce KRB_AP_ERR_SKEW with a real KDC.
  std::chrono::seconds clock_offset{0};
};

class KerberosLogon;  // the TGT, shared by the calls of one authenticator

// Kerberos endpoints (clientAuthentication 2): HTTP Negotiate (SPNEGO over
// GSS-API) answering IIS's 401, with delegation as Windows asks for it, a
// tls-server-end-point channel binding and mutual authentication. The KDC
// is reached only when a server challenges; a failure (no TGT, no service
// ticket) leaves the 401 standing and is recorded in the call's evidence.
class KerberosAuthenticator final : public Authenticator {
 public:
  explicit KerberosAuthenticator(KerberosSettings settings);
  ~KerberosAuthenticator() override;
  core::AuthMode mode() const override { return core::AuthMode::kerberos; }
  void apply(const std::string& url, CallCredentials& credentials) const override;

 private:
  std::shared_ptr<const KerberosSettings> settings_;
  std::shared_ptr<KerberosLogon> logon_;
};

// The credentials `auth` gives a call to `url`, on top of `tls`.
CallCredentials credentials_for(const Authenticator& auth, const std::string& url, TlsSettings tls);

}  // namespace ceslab::client
