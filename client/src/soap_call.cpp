// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/soap_call.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "ceslab/core/ossl.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/wsdl/codec.hpp"

namespace ceslab::client {

namespace {
// How long a UsernameToken timestamp stays valid; WCF's default.
constexpr auto kTimestampLifetime = std::chrono::minutes(5);
}  // namespace

std::string new_message_id() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw core::CryptoError("RAND_bytes for a message id");
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char out[64];
  std::snprintf(out, sizeof out,
                "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                b[13], b[14], b[15]);
  return out;
}

TlsSettings copy_tls_settings(const TlsSettings& tls) {
  TlsSettings out;
  out.ca_files = tls.ca_files;
  out.insecure = tls.insecure;
  if (tls.client_certificate) out.client_certificate = core::share(tls.client_certificate.get());
  if (tls.client_key) out.client_key = core::share(tls.client_key.get());
  out.connect_timeout = tls.connect_timeout;
  out.io_timeout = tls.io_timeout;
  out.kept = tls.kept;
  return out;
}

namespace {

core::ClientOptions client_options(const TlsSettings& tls) {
  core::ClientOptions options;
  options.ca_files = tls.ca_files;
  options.insecure = tls.insecure;
  options.connect_timeout = tls.connect_timeout;
  options.io_timeout = tls.io_timeout;
  if (tls.client_certificate) {
    options.client_certificate = core::share(tls.client_certificate.get());
    options.client_key = core::share(tls.client_key.get());
  }
  return options;
}

}  // namespace

// The HTTPS client (its SSL_CTX: trust anchors, client identity) made from
// one TlsSettings, and those settings, to tell whether a call's are still
// the same. It holds references to the identity's certificate and key, so
// that their addresses cannot be taken by other objects while it lives.
class KeptTlsContext {
 public:
  explicit KeptTlsContext(const TlsSettings& tls)
      : made_from_(copy_tls_settings(tls)), client_(client_options(tls)) {
    made_from_.kept.reset();
  }

  // The kept client when `tls` holds the values it was made from, else null.
  const core::HttpsClient* client_for(const TlsSettings& tls) const {
    const bool same = tls.ca_files == made_from_.ca_files && tls.insecure == made_from_.insecure &&
                      tls.client_certificate.get() == made_from_.client_certificate.get() &&
                      tls.client_key.get() == made_from_.client_key.get() &&
                      tls.connect_timeout == made_from_.connect_timeout &&
                      tls.io_timeout == made_from_.io_timeout;
    return same ? &client_ : nullptr;
  }

 private:
  TlsSettings made_from_;
  core::HttpsClient client_;
};

void keep_tls_context(TlsSettings& tls) {
  tls.kept = std::make_shared<const KeptTlsContext>(tls);
}

core::SoapMessage request_message(std::string_view action, const std::string& url,
                                  const std::optional<UsernameCredentials>& username) {
  core::SoapMessage m;
  m.addressing.action = std::string(action);
  m.addressing.message_id = new_message_id();
  m.addressing.reply_to = std::string(core::uri::kAnonymous);
  m.addressing.to = url;
  if (username) {
    core::SecurityHeader sec;
    sec.created = std::chrono::system_clock::now();
    sec.expires = *sec.created + kTimestampLifetime;
    core::UsernameToken token;
    token.username = username->username;
    token.password = username->password;
    sec.username_token = std::move(token);
    m.security = std::move(sec);
  }
  return m;
}

SoapCall call(const std::string& url, const core::SoapMessage& message, const TlsSettings& tls,
              const std::vector<core::HttpHeader>& headers, HttpChallenge* challenge) {
  return call_raw(url, "application/soap+xml; charset=utf-8", wsdl::write_message(message), tls,
                  headers, challenge);
}

SoapCall call_raw(const std::string& url, std::string content_type, std::string body,
                  const TlsSettings& tls, const std::vector<core::HttpHeader>& headers,
                  HttpChallenge* challenge) {
  std::optional<core::HttpsClient> own;
  const core::HttpsClient* kept = tls.kept ? tls.kept->client_for(tls) : nullptr;
  if (kept == nullptr) own.emplace(client_options(tls));
  const core::HttpsClient& client = kept ? *kept : *own;

  core::HttpRequest request;
  request.method = "POST";
  request.headers.push_back({"Content-Type", std::move(content_type)});
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  request.body = std::move(body);

  SoapCall result;
  result.url = url;
  core::Url parsed;
  try {
    parsed = core::parse_url(url);
  } catch (const std::invalid_argument& e) {
    result.request = std::move(request);
    result.exchange.error = core::TransportErrorKind::invalid_url;
    result.exchange.error_message = e.what();
    return result;
  }
  request.target = parsed.target;
  result.request = request;
  result.exchange = client.send(parsed, request);
  if (challenge != nullptr && result.exchange.response && result.exchange.response->status == 401) {
    const auto authorization = challenge->answer(*result.exchange.response, result.exchange.tls);
    if (authorization) {
      request.headers.push_back({"Authorization", *authorization});
      result.request = request;
      result.challenge = std::move(result.exchange);
      result.exchange = client.send(parsed, std::move(request));
      if (result.exchange.response) challenge->finish(*result.exchange.response);
    }
    result.kerberos = challenge->facts();
  }
  read_answer(result);
  return result;
}

void read_answer(SoapCall& call) {
  if (!call.exchange.response) return;
  const core::HttpResponse& response = *call.exchange.response;
  const std::string type = response.header("Content-Type").value_or("");
  if (type.rfind("application/soap+xml", 0) != 0) {
    call.parse_error = "the answer is not SOAP (HTTP " + std::to_string(response.status) +
                       ", Content-Type '" + type + "')";
    return;
  }
  try {
    call.reply = wsdl::read_message(response.body);
  } catch (const wsdl::MessageError& e) {
    call.parse_error = e.what();
  }
}

}  // namespace ceslab::client
