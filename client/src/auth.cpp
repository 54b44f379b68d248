// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/auth.hpp"

#include <stdexcept>

#include "ceslab/core/x509.hpp"

namespace ceslab::client {

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
