// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/soap_call.hpp"

#include <openssl/rand.h>

#include <cstdio>

#include "ceslab/core/ossl.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/wsdl/codec.hpp"

namespace ceslab::client {

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

SoapCall call(const std::string& url, const core::SoapMessage& message, const TlsSettings& tls,
              const std::vector<core::HttpHeader>& headers) {
  core::ClientOptions options;
  options.ca_files = tls.ca_files;
  options.insecure = tls.insecure;
  options.connect_timeout = tls.connect_timeout;
  options.io_timeout = tls.io_timeout;
  if (tls.client_certificate) {
    options.client_certificate = core::share(tls.client_certificate.get());
    options.client_key = core::share(tls.client_key.get());
  }
  const core::HttpsClient client(std::move(options));

  core::HttpRequest request;
  request.method = "POST";
  request.headers.push_back({"Content-Type", "application/soap+xml; charset=utf-8"});
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  request.body = wsdl::write_message(message);

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
  result.exchange = client.send(parsed, std::move(request));
  if (!result.exchange.response) return result;
  const core::HttpResponse& response = *result.exchange.response;
  const std::string type = response.header("Content-Type").value_or("");
  if (type.rfind("application/soap+xml", 0) != 0) {
    result.parse_error = "the answer is not SOAP (HTTP " + std::to_string(response.status) +
                         ", Content-Type '" + type + "')";
    return result;
  }
  try {
    result.reply = wsdl::read_message(response.body);
  } catch (const wsdl::MessageError& e) {
    result.parse_error = e.what();
  }
  return result;
}

}  // namespace ceslab::client
