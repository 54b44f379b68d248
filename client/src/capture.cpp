// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/capture.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/core/http_types.hpp"
#include "ceslab/wsdl/codec.hpp"

namespace ceslab::client {

using nlohmann::json;

namespace {

constexpr std::string_view kNotRecorded =
    "TLS session tickets, session keys and master secrets are never recorded.";

bool valid_label(std::string_view label) {
  if (label.empty()) return false;
  for (char c : label) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

// The number of a capture file name "NN-...", if it is one.
std::optional<int> capture_number(const std::string& name) {
  std::size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
  if (digits == 0 || digits > 6 || digits >= name.size() || name[digits] != '-')
    return std::nullopt;
  return std::stoi(name.substr(0, digits));
}

void write_file(const std::filesystem::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw CaptureError("capture: cannot create '" + path.string() + "'");
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw CaptureError("capture: cannot write '" + path.string() + "'");
}

// Framing headers are rewritten for the stored (de-chunked, redacted) body.
bool framing_header(const core::HttpHeader& h) {
  return core::header_name_equals(h.name, "Content-Length") ||
         core::header_name_equals(h.name, "Transfer-Encoding");
}

std::string header_block(const std::vector<core::HttpHeader>& headers, std::size_t body_size) {
  std::string out;
  for (const auto& h : headers) {
    if (!framing_header(h)) out += h.name + ": " + h.value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(body_size) + "\r\n\r\n";
  return out;
}

json headers_json(const std::vector<core::HttpHeader>& headers) {
  json out = json::array();
  for (const auto& h : headers) out.push_back({{"name", h.name}, {"value", h.value}});
  return out;
}

int count_redacted(const std::vector<core::HttpHeader>& headers) {
  int n = 0;
  for (const auto& h : headers) n += header_is_redacted(h) ? 1 : 0;
  return n;
}

}  // namespace

RedactedBody redact_soap_body(std::string_view body, const Secrets& secrets) {
  RedactedBody out;
  out.text = secrets.redact(body, &out.count);
  std::optional<core::SoapMessage> original;
  try {
    original = wsdl::read_message(body);
  } catch (const wsdl::MessageError&) {
    return out;  // not SOAP: the textual redaction is all there is to do
  }
  if (!original->security || !original->security->username_token) return out;
  // Any UsernameToken password is a secret, whether it was registered or
  // not; the codec tells whether the textual pass caught it.
  bool clean = false;
  try {
    const core::SoapMessage check = wsdl::read_message(out.text);
    clean = check.security && check.security->username_token &&
            check.security->username_token->password == kRedacted;
  } catch (const wsdl::MessageError&) {
    clean = false;  // the replacement broke the XML (a secret that is also markup)
  }
  if (clean) return out;
  core::SoapMessage copy = std::move(*original);
  copy.security->username_token->password = std::string(kRedacted);
  RedactedBody re;
  re.text = secrets.redact(wsdl::write_message(copy), &re.count);
  re.count.passwords += 1;
  re.reserialised = true;
  return re;
}

RedactedExchange redact_exchange(const SoapCall& call, const Secrets& secrets) {
  RedactedExchange out;
  const core::HttpRequest& request = call.request;
  const RedactedBody body = redact_soap_body(request.body, secrets);
  out.count = body.count;
  out.request_reserialised = body.reserialised;
  out.request.body = body.text;
  out.request.head = (request.method.empty() ? "POST" : request.method) + " " +
                     (request.target.empty() ? "/" : request.target) + " HTTP/1.1\r\n" +
                     header_block(redact_headers(request.headers), body.text.size());
  out.headers_redacted = count_redacted(request.headers);
  if (const auto& r = call.exchange.response) {
    RedactedMessage response;
    response.body = secrets.redact(r->body, &out.count);
    response.head = "HTTP/1.1 " + std::to_string(r->status) + " " + r->reason + "\r\n" +
                    header_block(redact_headers(r->headers), response.body.size());
    out.headers_redacted += count_redacted(r->headers);
    out.response = std::move(response);
  }
  return out;
}

CaptureWriter::CaptureWriter(std::filesystem::path dir, Secrets secrets)
    : dir_(std::move(dir)), secrets_(std::move(secrets)) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw CaptureError("capture: cannot create '" + dir_.string() + "': " + ec.message());
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (const auto n = capture_number(entry.path().filename().string()))
      next_ = std::max(next_, *n + 1);
  }
  if (ec) throw CaptureError("capture: cannot list '" + dir_.string() + "': " + ec.message());
}

std::vector<std::filesystem::path> CaptureWriter::write(const SoapCall& call,
                                                        std::string_view label) {
  if (!valid_label(label))
    throw std::invalid_argument("capture: label '" + std::string(label) +
                                "' must be letters, digits, '-' or '_'");
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%02d-", next_++);
  const std::string stem = prefix + std::string(label);
  std::vector<std::filesystem::path> written;

  const RedactedExchange redacted = redact_exchange(call, secrets_);
  const core::HttpRequest& request = call.request;
  const std::string request_file = stem + "-request.http";
  write_file(dir_ / request_file, redacted.request.text());
  written.push_back(dir_ / request_file);
  const auto request_headers = redact_headers(request.headers);

  json response = nullptr;
  if (const auto& r = call.exchange.response) {
    const std::string response_file = stem + "-response.http";
    write_file(dir_ / response_file, redacted.response->text());
    written.push_back(dir_ / response_file);
    response = {
        {"file", response_file},        {"status", r->status},
        {"reason", r->reason},          {"headers", headers_json(redact_headers(r->headers))},
        {"body_bytes", r->body.size()}, {"stored_body_bytes", redacted.response->body.size()}};
  }

  const core::Exchange& ex = call.exchange;
  json transport = nullptr;
  if (ex.error) transport = {{"kind", core::to_string(*ex.error)}, {"message", ex.error_message}};
  json meta = {
      {"schema", kCaptureSchema},
      {"label", label},
      {"url", call.url},
      {"request",
       {{"file", request_file},
        {"method", request.method},
        {"target", request.target},
        {"headers", headers_json(request_headers)},
        {"body_bytes", request.body.size()},
        {"stored_body_bytes", redacted.request.body.size()}}},
      {"response", response},
      {"transport_error", transport},
      {"tls", tls_evidence_of(ex.tls)},
      {"timings", {{"connect_ms", ex.connect_time.count()}, {"total_ms", ex.total_time.count()}}},
      {"redactions",
       {{"passwords", redacted.count.passwords},
        {"private_keys", redacted.count.private_keys},
        {"headers", redacted.headers_redacted},
        {"request_reserialised", redacted.request_reserialised}}},
      {"not_recorded", kNotRecorded}};
  secrets_.redact(meta);  // URLs and messages too, should a secret be there
  const std::string meta_file = stem + "-exchange.json";
  write_file(dir_ / meta_file, meta.dump(2) + "\n");
  written.push_back(dir_ / meta_file);
  return written;
}

}  // namespace ceslab::client
