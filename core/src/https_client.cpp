// SPDX-License-Identifier: GPL-2.0-or-later
// One private io_context per send(): every stage runs asynchronously under
// its own deadline (beast::tcp_stream::expires_after), and the calling
// thread drives the io_context until the stage completes. The model is
// Beast's http_client_async_ssl example.
#include "ceslab/core/https_client.hpp"

#include "ceslab/core/enum_names.hpp"

#include <boost/asio/io_context.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <condition_variable>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "beast_names.hpp"

namespace ceslab::core {

namespace {

using namespace beast_names;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kHeaderLimit = 64 * 1024;
// Waiting for the server's close_notify is a courtesy, not part of the
// exchange: the response is already complete.
constexpr std::chrono::milliseconds kShutdownLimit{1000};
constexpr const char* kUserAgent = "ceslab/0.1";

std::chrono::milliseconds since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
}

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

struct Resolution {
  beast::error_code error;
  std::vector<tcp::endpoint> endpoints;
};

// getaddrinfo cannot be cancelled, and Asio's async resolver joins its
// thread on destruction, so a stuck DNS server would hold send() past any
// deadline. The lookup runs on a detached thread instead; on timeout we
// walk away and the thread finishes on its own. nullopt means timeout.
std::optional<Resolution> resolve_within(const std::string& host, std::uint16_t port,
                                         Clock::time_point deadline) {
  struct State {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    Resolution result;
  };
  auto state = std::make_shared<State>();
  std::thread([state, host, port] {
    Resolution r;
    net::io_context io;
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(host, std::to_string(port), r.error);
    for (const auto& e : results) r.endpoints.push_back(e.endpoint());
    std::lock_guard lock(state->mutex);
    state->result = std::move(r);
    state->done = true;
    state->cv.notify_all();
  }).detach();
  std::unique_lock lock(state->mutex);
  if (!state->cv.wait_until(lock, deadline, [&] { return state->done; })) return std::nullopt;
  return std::move(state->result);
}

// Runs one operation that carries its own tcp_stream deadline to completion.
void run_all(net::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

std::string time_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  char buf[32];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

// Everything the TLS layer revealed, whether or not the handshake worked:
// an untrusted or expired server certificate is evidence in itself.
void collect_tls_facts(SSL* ssl, TlsFacts& facts) {
  if (facts.handshake_done) {
    facts.version = SSL_get_version(ssl);
    facts.cipher = SSL_get_cipher_name(ssl);
  }
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);  // client side: leaf first
  if (chain == nullptr || sk_X509_num(chain) == 0) return;
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    const int len = i2d_X509(cert, nullptr);
    if (len <= 0) continue;
    Bytes der(static_cast<std::size_t>(len));
    unsigned char* p = der.data();
    i2d_X509(cert, &p);
    facts.peer_chain_der.push_back(std::move(der));
  }
  X509* leaf = sk_X509_value(chain, 0);
  facts.peer_subject = name_text(X509_get_subject_name(leaf));
  facts.peer_issuer = name_text(X509_get_issuer_name(leaf));
  facts.peer_not_after = time_text(X509_get0_notAfter(leaf));
  try {
    facts.tls_server_end_point = tls_server_end_point(leaf);
  } catch (const CryptoError&) {
    // Left empty: a certificate we cannot hash has no channel binding.
  }
  // Only meaningful once a certificate was seen; before that OpenSSL
  // reports X509_V_OK, which would read as "verified".
  facts.verify_result = SSL_get_verify_result(ssl);
  facts.verify_text = X509_verify_cert_error_string(facts.verify_result);
}

TransportErrorKind verify_kind(long result) {
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return TransportErrorKind::tls_expired;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return TransportErrorKind::tls_name_mismatch;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
      return TransportErrorKind::tls_untrusted;
    default:
      return TransportErrorKind::tls_other_verify;
  }
}

std::string verify_message(const TlsFacts& tls, TransportErrorKind kind, const Url& url) {
  const std::string what = "(" + tls.verify_text + ")";
  switch (kind) {
    case TransportErrorKind::tls_untrusted:
      return "TLS: server certificate is not trusted " + what + " for " + url.authority();
    case TransportErrorKind::tls_name_mismatch:
      return "TLS: server certificate does not match '" + url.host + "' " + what +
             (tls.peer_subject.empty() ? "" : "; it is for " + tls.peer_subject) + " for " +
             url.authority();
    case TransportErrorKind::tls_expired:
      return "TLS: server certificate has expired " + what +
             (tls.peer_not_after.empty() ? "" : "; notAfter " + tls.peer_not_after) + " for " +
             url.authority();
    default:
      return "TLS: server certificate verification failed " + what + " for " + url.authority();
  }
}

bool is_ssl_error(const beast::error_code& ec) {
  return ec.category() == net::error::get_ssl_category();
}

// The peer went away: resets, EOF, TLS records cut short.
bool is_closed_error(const beast::error_code& ec) {
  return ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::connection_aborted ||
         ec == ssl::error::stream_truncated || ec == http::error::end_of_stream ||
         ec == http::error::partial_message;
}

bool valid_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ':' || c == '(' || c == ')' || c == ',' || c == ';' ||
        c == '"' || c == '/' || c == '[' || c == ']' || c == '?' || c == '=' || c == '{' ||
        c == '}' || c == '<' || c == '>' || c == '@' || c == '\\')
      return false;
  }
  return true;
}

bool valid_field_value(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// Caller mistakes, not network trouble: refused before connecting. Returns
// the request target.
std::string checked_target(const Url& url, HttpRequest& request) {
  if (request.method.empty()) request.method = "GET";
  if (!valid_token(request.method))
    throw std::invalid_argument("HTTPS client: invalid method '" + request.method + "'");
  for (const auto& h : request.headers) {
    if (!valid_token(h.name) || !valid_field_value(h.value))
      throw std::invalid_argument("HTTPS client: invalid header '" + h.name + "'");
  }
  const std::string target = request.target.empty() ? url.target : request.target;
  if (target.empty() || !valid_field_value(target) || target.find(' ') != std::string::npos)
    throw std::invalid_argument("HTTPS client: invalid request target '" + target + "'");
  return target;
}

// The caller's headers, with Host and User-Agent added unless given.
http::request<http::string_body> beast_request(const Url& url, const std::string& target,
                                               HttpRequest request) {
  http::request<http::string_body> req;
  req.version(11);
  req.method_string(request.method);
  req.target(target);
  bool has_host = false;
  bool has_agent = false;
  for (const auto& h : request.headers) {
    // Framing and connection handling are ours.
    if (header_name_equals(h.name, "Content-Length") ||
        header_name_equals(h.name, "Transfer-Encoding") || header_name_equals(h.name, "Connection"))
      continue;
    has_host = has_host || header_name_equals(h.name, "Host");
    has_agent = has_agent || header_name_equals(h.name, "User-Agent");
    req.insert(h.name, h.value);
  }
  if (!has_host) {
    const bool v6 = url.host.find(':') != std::string::npos;
    std::string host = v6 ? "[" + url.host + "]" : url.host;
    if (url.port != 443) host += ":" + std::to_string(url.port);
    req.set(http::field::host, host);
  }
  if (!has_agent) req.set(http::field::user_agent, kUserAgent);
  req.body() = std::move(request.body);
  req.prepare_payload();
  req.keep_alive(false);
  return req;
}

HttpResponse response_of(http::response<http::string_body>& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.reason = std::string(res.reason());
  for (const auto& field : res) {
    out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  out.body = std::move(res.body());
  return out;
}

// One send(), one member function per I/O step as in Beast's
// http_client_async_ssl example. A step that fails records the transport
// error in the exchange and returns false; run() stops there.
class Exchanger {
 public:
  Exchanger(const ClientOptions& options, ssl::context& ctx, const Url& url, Clock::time_point t0)
      : options_(options), url_(url), where_(url.authority()), t0_(t0), stream_(ioc_, ctx) {
    ex_.tls.insecure = options_.insecure;
  }

  Exchange run(const std::string& target, HttpRequest request) {
    if (check_url() && resolve() && connect() && handshake()) {
      auto req = beast_request(url_, target, std::move(request));
      const bool head = req.method() == http::verb::head;
      beast::error_code write_error;
      http::response_parser<http::string_body> parser;
      if (write(req, write_error) && read(parser, head, write_error)) {
        ex_.response = response_of(parser.get());
        shutdown();
      }
    }
    ex_.total_time = since(t0_);
    return std::move(ex_);
  }

 private:
  bool fail(TransportErrorKind kind, std::string message) {
    ex_.error = kind;
    ex_.error_message = std::move(message);
    return false;
  }

  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }

  bool check_url() {
    if (url_.scheme != "https") {
      return fail(TransportErrorKind::invalid_url,
                  "URL: only https is supported, not '" + url_.scheme + "': " + url_.to_string());
    }
    if (url_.host.empty() || url_.port == 0)
      return fail(TransportErrorKind::invalid_url, "URL: no host or port in " + url_.to_string());
    return true;
  }

  // DNS. IP literals skip the resolver.
  bool resolve() {
    if (url_.host_is_ip()) {
      endpoints_.emplace_back(net::ip::make_address(url_.host), url_.port);
      return true;
    }
    auto result = resolve_within(url_.host, url_.port, connect_deadline());
    if (!result) {
      return fail(TransportErrorKind::dns,
                  "DNS: no answer for '" + url_.host + "' within " + ms(options_.connect_timeout));
    }
    if (result->error || result->endpoints.empty()) {
      return fail(TransportErrorKind::dns,
                  "DNS: cannot resolve '" + url_.host + "' (" +
                      (result->error ? result->error.message() : "no addresses") + ")");
    }
    endpoints_ = std::move(result->endpoints);
    return true;
  }

  bool connect() {
    beast::error_code cec;
    tcp_layer().expires_at(connect_deadline());
    tcp_layer().async_connect(endpoints_,
                              [&](beast::error_code ec, const tcp::endpoint&) { cec = ec; });
    run_all(ioc_);
    ex_.connect_time = since(t0_);
    if (cec == beast::error::timeout) {
      return fail(TransportErrorKind::connect_timeout,
                  "TCP: no connection to " + where_ + " within " + ms(options_.connect_timeout));
    }
    if (cec) {
      // Refused, or unreachable: either way nothing answers on that port.
      return fail(TransportErrorKind::connect_refused,
                  "TCP: cannot connect to " + where_ + " (" + cec.message() + ")");
    }
    return true;
  }

  // The name the server certificate must carry, and SNI.
  void expect_peer_name() {
    SSL* ssl_handle = stream_.native_handle();
    if (url_.host_is_ip()) {
      // No SNI for IP literals (RFC 6066 §3); match the iPAddress SAN instead.
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), url_.host.c_str()) != 1)
        throw CryptoError("HTTPS client: setting the expected IP address " + url_.host);
    } else {
      if (SSL_set_tlsext_host_name(ssl_handle, url_.host.c_str()) != 1)
        throw CryptoError("HTTPS client: setting SNI to " + url_.host);
      if (SSL_set1_host(ssl_handle, url_.host.c_str()) != 1)
        throw CryptoError("HTTPS client: setting the expected host name " + url_.host);
      SSL_set_hostflags(ssl_handle, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    }
  }

  bool handshake() {
    expect_peer_name();
    beast::error_code hec;
    tcp_layer().expires_after(options_.io_timeout);
    stream_.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) { hec = ec; });
    run_all(ioc_);
    ex_.tls.handshake_done = !hec;
    collect_tls_facts(stream_.native_handle(), ex_.tls);
    if (hec == beast::error::timeout) {
      return fail(TransportErrorKind::timeout,
                  "TLS: no handshake answer from " + where_ + " within " + ms(options_.io_timeout));
    }
    if (!hec) return true;
    if (!options_.insecure && !ex_.tls.peer_chain_der.empty() &&
        ex_.tls.verify_result != X509_V_OK) {
      const auto kind = verify_kind(ex_.tls.verify_result);
      return fail(kind, verify_message(ex_.tls, kind, url_));
    }
    if (is_closed_error(hec)) {
      return fail(TransportErrorKind::tls_handshake, "TLS: " + where_ +
                                                         " closed the connection during the "
                                                         "handshake (" +
                                                         hec.message() + ")");
    }
    return fail(TransportErrorKind::tls_handshake,
                "TLS: handshake with " + where_ + " failed (" + hec.message() + ")");
  }

  // A TLS 1.3 server rejects our certificate (or its absence) only after
  // the handshake, with an alert that surfaces on write or read.
  bool tls_alert(const beast::error_code& ec) {
    return fail(TransportErrorKind::tls_handshake,
                "TLS: " + where_ + " ended the session (" + ec.message() + ")");
  }

  // A server may answer before it has read the whole request (413, 401)
  // and close; our write then fails, but its answer or its TLS alert may
  // be waiting to be read, and is the better evidence: the write error is
  // kept for read().
  bool write(http::request<http::string_body>& req, beast::error_code& write_error) {
    beast::error_code wec;
    tcp_layer().expires_after(options_.io_timeout);
    http::async_write(stream_, req, [&](beast::error_code ec, std::size_t) { wec = ec; });
    run_all(ioc_);
    if (wec == beast::error::timeout) {
      return fail(TransportErrorKind::timeout, "HTTP: sending the request to " + where_ +
                                                   " took longer than " + ms(options_.io_timeout));
    }
    if (wec && is_ssl_error(wec)) return tls_alert(wec);
    write_error = wec;
    return true;
  }

  bool read(http::response_parser<http::string_body>& parser, bool head,
            const beast::error_code& write_error) {
    parser.body_limit(options_.response_limit);
    parser.header_limit(kHeaderLimit);
    if (head) parser.skip(true);
    beast::flat_buffer buffer;
    beast::error_code rec;
    tcp_layer().expires_after(options_.io_timeout);
    // Header first: Beast 1.74's eager parser drops the body_limit error
    // when the header and body arrive in one buffer, so the limit is
    // checked on the header alone before the body is read.
    http::async_read_header(stream_, buffer, parser,
                            [&](beast::error_code ec, std::size_t) { rec = ec; });
    run_all(ioc_);
    if (!rec && parser.content_length() && *parser.content_length() > options_.response_limit)
      rec = http::error::body_limit;
    if (!rec && !parser.is_done()) {
      http::async_read(stream_, buffer, parser,
                       [&](beast::error_code ec, std::size_t) { rec = ec; });
      run_all(ioc_);
    }
    return !rec || read_failed(rec, write_error);
  }

  bool read_failed(const beast::error_code& rec, const beast::error_code& write_error) {
    if (write_error && !is_ssl_error(rec)) {
      return fail(TransportErrorKind::closed,
                  "HTTP: " + where_ + " closed the connection while we sent the request (" +
                      write_error.message() + ")");
    }
    if (rec == beast::error::timeout) {
      return fail(TransportErrorKind::timeout, "HTTP: no complete response from " + where_ +
                                                   " within " + ms(options_.io_timeout));
    }
    if (rec == http::error::body_limit) {
      return fail(TransportErrorKind::too_large,
                  "HTTP: response from " + where_ + " exceeds the limit of " +
                      std::to_string(options_.response_limit) + " bytes");
    }
    if (is_closed_error(rec)) {
      return fail(TransportErrorKind::closed,
                  "HTTP: " + where_ + " closed the connection before a complete response (" +
                      rec.message() + ")");
    }
    if (is_ssl_error(rec)) return tls_alert(rec);
    return fail(TransportErrorKind::protocol,
                "HTTP: malformed response from " + where_ + " (" + rec.message() + ")");
  }

  // Polite close; its outcome does not change the exchange.
  void shutdown() {
    beast::error_code ignored;
    tcp_layer().expires_after(std::min(options_.io_timeout, kShutdownLimit));
    stream_.async_shutdown([&](beast::error_code ec) { ignored = ec; });
    run_all(ioc_);
  }

  Clock::time_point connect_deadline() const { return t0_ + options_.connect_timeout; }

  const ClientOptions& options_;
  const Url& url_;
  const std::string where_;
  const Clock::time_point t0_;
  net::io_context ioc_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  std::vector<tcp::endpoint> endpoints_;
  Exchange ex_;
};

}  // namespace

// Each name once, read both ways (core/enum_names.hpp); literals, so a name
// is also a C string.
constexpr EnumNames<TransportErrorKind, 13> kTransportErrorKinds{
    {{TransportErrorKind::invalid_url, "invalid_url"},
     {TransportErrorKind::dns, "dns"},
     {TransportErrorKind::connect_refused, "connect_refused"},
     {TransportErrorKind::connect_timeout, "connect_timeout"},
     {TransportErrorKind::timeout, "timeout"},
     {TransportErrorKind::tls_handshake, "tls_handshake"},
     {TransportErrorKind::tls_untrusted, "tls_untrusted"},
     {TransportErrorKind::tls_name_mismatch, "tls_name_mismatch"},
     {TransportErrorKind::tls_expired, "tls_expired"},
     {TransportErrorKind::tls_other_verify, "tls_other_verify"},
     {TransportErrorKind::closed, "closed"},
     {TransportErrorKind::protocol, "protocol"},
     {TransportErrorKind::too_large, "too_large"}}};

const char* to_string(TransportErrorKind kind) noexcept {
  return name_of(kTransportErrorKinds, kind).data();
}

std::optional<TransportErrorKind> transport_error_kind(std::string_view name) {
  return value_of(kTransportErrorKinds, name);
}

class HttpsClient::Impl {
 public:
  explicit Impl(ClientOptions options) : options_(std::move(options)) {
    if (options_.connect_timeout <= std::chrono::milliseconds::zero() ||
        options_.io_timeout <= std::chrono::milliseconds::zero())
      throw std::invalid_argument("HTTPS client: timeouts must be positive");
    SSL_CTX* ctx = ctx_.native_handle();
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
      throw CryptoError("HTTPS client: setting TLS 1.2 as minimum version");

    if (options_.ca_files.empty() && options_.ca_certs.empty()) {
      if (SSL_CTX_set_default_verify_paths(ctx) != 1)
        throw CryptoError("HTTPS client: loading the system trust store");
    }
    for (const auto& file : options_.ca_files) {
      if (SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) != 1)
        throw CryptoError("HTTPS client: loading trust anchors from '" + file + "'");
    }
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    for (const auto& ca : options_.ca_certs) {
      if (!ca) throw std::invalid_argument("HTTPS client: null certificate in ca_certs");
      if (X509_STORE_add_cert(store, ca.get()) != 1)
        throw CryptoError("HTTPS client: adding a trust anchor");
    }

    if (static_cast<bool>(options_.client_certificate) != static_cast<bool>(options_.client_key))
      throw std::invalid_argument("HTTPS client: client_certificate and client_key go together");
    if (options_.client_certificate) {
      if (SSL_CTX_use_certificate(ctx, options_.client_certificate.get()) != 1)
        throw CryptoError("HTTPS client: loading the client certificate");
      if (SSL_CTX_use_PrivateKey(ctx, options_.client_key.get()) != 1)
        throw CryptoError("HTTPS client: loading the client key");
      for (const auto& c : options_.client_chain) {
        if (!c) throw std::invalid_argument("HTTPS client: null certificate in client_chain");
        if (SSL_CTX_add1_chain_cert(ctx, c.get()) != 1)
          throw CryptoError("HTTPS client: adding a client chain certificate");
      }
      if (SSL_CTX_check_private_key(ctx) != 1)
        throw CryptoError("HTTPS client: the client key does not match the client certificate");
    }
    // With `insecure` OpenSSL still verifies and records the result; it
    // just does not abort the handshake.
    SSL_CTX_set_verify(ctx, options_.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, nullptr);
  }

  Exchange send(const Url& url, HttpRequest request) const;

 private:
  ClientOptions options_;
  // SSL_new needs a non-const SSL_CTX; sharing one across threads is safe.
  mutable ssl::context ctx_{ssl::context::tls_client};
};

Exchange HttpsClient::Impl::send(const Url& url, HttpRequest request) const {
  const auto t0 = Clock::now();
  const std::string target = checked_target(url, request);
  return Exchanger(options_, ctx_, url, t0).run(target, std::move(request));
}

HttpsClient::HttpsClient(ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpsClient::~HttpsClient() = default;
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&&) noexcept = default;

Exchange HttpsClient::send(const Url& url, HttpRequest request) const {
  return impl_->send(url, std::move(request));
}

}  // namespace ceslab::core
