// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/auth.hpp"

#include <stdexcept>

#include "ceslab/core/x509.hpp"

namespace ceslab::client {

std::string_view to_string(AuthMode mode) {
  switch (mode) {
    case AuthMode::anonymous:
      return "Anonymous";
    case AuthMode::kerberos:
      return "Kerberos";
    case AuthMode::username:
      return "UsernamePassword";
    case AuthMode::certificate:
      return "Certificate";
  }
  return "unknown";
}

std::string_view cli_name(AuthMode mode) {
  switch (mode) {
    case AuthMode::anonymous:
      return "anonymous";
    case AuthMode::kerberos:
      return "kerberos";
    case AuthMode::username:
      return "username";
    case AuthMode::certificate:
      return "cert";
  }
  return "unknown";
}

std::optional<AuthMode> auth_mode_from_cli_name(std::string_view name) {
  for (const AuthMode mode : {AuthMode::username, AuthMode::kerberos, AuthMode::certificate}) {
    if (name == cli_name(mode)) return mode;
  }
  return std::nullopt;
}

core::AuthMethod evidence_method(AuthMode mode) {
  switch (mode) {
    case AuthMode::anonymous:
      return core::AuthMethod::anonymous;
    case AuthMode::kerberos:
      return core::AuthMethod::kerberos;
    case AuthMode::username:
      return core::AuthMethod::username;
    case AuthMode::certificate:
      return core::AuthMethod::certificate;
  }
  return core::AuthMethod::unknown;
}

std::optional<AuthMode> auth_mode_from_flag(unsigned client_authentication) {
  switch (client_authentication) {
    case 1:
      return AuthMode::anonymous;
    case 2:
      return AuthMode::kerberos;
    case 4:
      return AuthMode::username;
    case 8:
      return AuthMode::certificate;
    default:
      return std::nullopt;
  }
}

UsernameAuthenticator::UsernameAuthenticator(UsernameCredentials credentials)
    : credentials_(std::move(credentials)) {
  if (credentials_.username.empty()) {
    throw std::invalid_argument("UsernamePassword authentication needs a user name");
  }
}

void UsernameAuthenticator::apply(const std::string& /*url*/, CallCredentials& credentials) const {
  credentials.username = credentials_;
}

CertificateAuthenticator::CertificateAuthenticator(core::X509Ptr certificate, core::EvpPkeyPtr key)
    : certificate_(std::move(certificate)), key_(std::move(key)) {
  if (!certificate_ || !key_) {
    throw std::invalid_argument("certificate authentication needs a certificate and its key");
  }
  // The TLS handshake would fail with an opaque OpenSSL error otherwise.
  if (!core::certificate_matches_key(certificate_.get(), key_.get())) {
    throw std::invalid_argument("the client key is not the key of the client certificate (" +
                                core::describe(certificate_.get()).subject + ")");
  }
}

void CertificateAuthenticator::apply(const std::string& /*url*/,
                                     CallCredentials& credentials) const {
  credentials.tls.client_certificate = core::share(certificate_.get());
  credentials.tls.client_key = core::share(key_.get());
}

CallCredentials credentials_for(const Authenticator& auth, const std::string& url,
                                TlsSettings tls) {
  CallCredentials credentials;
  credentials.tls = std::move(tls);
  auth.apply(url, credentials);
  return credentials;
}

}  // namespace ceslab::client
