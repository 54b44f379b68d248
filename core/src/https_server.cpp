// SPDX-License-Identifier: GPL-2.0-or-later
// Modelled on Beast's advanced_server_flex / http_server_async_ssl examples:
// one strand per connection, tcp_stream deadlines on every operation, and a
// request_parser with a body limit so oversize bodies are refused from their
// headers. Held like a production server (issue 17): a cap on open
// connections that sheds the connection idle longest, a pause instead of a
// spin when accept() runs out of descriptors, no TLS state before a
// connection's first byte, and freed memory handed back to the OS.
#include "ceslab/core/https_server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <boost/asio/steady_timer.hpp>

#include <openssl/ssl.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "beast_names.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace ceslab::core {

namespace {

using namespace beast_names;

// Kerberos Negotiate headers with a large PAC reach 16 KiB and more; IIS
// accepts up to 64 KiB of request headers by default.
constexpr std::size_t kHeaderLimit = 64 * 1024;
// A peer that never answers our close_notify must not hold a connection.
constexpr std::chrono::milliseconds kShutdownLimit{2000};
// How long a refused client may keep sending before we close for good.
constexpr std::chrono::milliseconds kLingerLimit{2000};
// How long stop() lets connections wind down before it stops the io_context.
constexpr std::chrono::milliseconds kStopGrace{3000};
// accept() out of descriptors (EMFILE, ENFILE) fails at once, every time, as
// long as the pending connection waits: retrying at once spins every I/O
// thread. After shedding an idle connection a short pause lets its close run;
// with nothing to shed, a longer one.
constexpr std::chrono::milliseconds kShedPause{5};
constexpr std::chrono::milliseconds kNoDescriptorPause{100};
// At the connection cap with every connection busy, new clients wait in the
// listen backlog; how often we look again.
constexpr std::chrono::milliseconds kFullPause{50};
// Closed connections are counted for this long before their freed memory is
// handed back in one go (see release_free_memory).
constexpr std::chrono::milliseconds kTrimDelay{200};
// A read buffer grown by a large body is not kept for the next request.
constexpr std::size_t kKeptReadBuffer = 16 * 1024;

// Steady-clock ticks, for "idle since"; kBusy marks a connection in a request.
using Ticks = std::int64_t;
constexpr Ticks kBusy = std::numeric_limits<Ticks>::max();
Ticks now_ticks() {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

// glibc keeps memory freed by other threads in their arenas and hands back
// only the top of each heap by itself, so after a burst of closed
// connections (tens of KB of TLS buffers each) the RSS stays at its peak
// although nothing leaks. malloc_trim(0) returns the free pages of every
// arena (madvise), so the process falls back near its idle size.
void release_free_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

std::size_t derived_max_connections() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return kDefaultMaxConnections;
  const auto soft = static_cast<std::size_t>(limit.rlim_cur);
  // A tiny limit still leaves half of it to connections.
  const std::size_t usable = soft > 2 * kFdReserve ? soft - kFdReserve : soft / 2;
  return std::clamp<std::size_t>(usable, 1, kDefaultMaxConnections);
}

class Session;

// What the listener and every session share; sessions keep it alive, so
// the SSL context outlives every stream that uses it.
struct Shared : std::enable_shared_from_this<Shared> {
  Shared(ServerOptions o, Handler h, net::io_context& ioc)
      : options(std::move(o)),
        handler(std::move(h)),
        max_connections(options.max_connections ? options.max_connections
                                                : derived_max_connections()),
        trim_strand(net::make_strand(ioc)),
        trim_timer(trim_strand) {}

  // After a connection closed: schedule one release of freed memory for all
  // the connections that close within kTrimDelay.
  void connection_closed() {
    net::post(trim_strand, [self = shared_from_this()] {
      if (self->trim_pending) return;
      self->trim_pending = true;
      self->trim_timer.expires_after(kTrimDelay);
      self->trim_timer.async_wait([self](beast::error_code ec) {
        self->trim_pending = false;
        if (!ec) release_free_memory();
      });
    });
  }

  void cancel_trim() {
    net::post(trim_strand, [self = shared_from_this()] { self->trim_timer.cancel(); });
  }

  ServerOptions options;
  Handler handler;
  const std::size_t max_connections;
  ssl::context ctx{ssl::context::tls_server};
  Bytes end_point;

  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> accept_failures{0};
  std::atomic<std::uint64_t> shed{0};

  std::mutex mutex;
  bool stopping = false;                                          // guarded by mutex
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mutex

 private:
  net::strand<net::io_context::executor_type> trim_strand;
  net::steady_timer trim_timer;  // on trim_strand
  bool trim_pending = false;     // on trim_strand
};

// With ClientCertMode::request a bad client certificate must not end the
// handshake: IIS lets the request through and answers 403 itself.
int accept_any_client_cert(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) {
  return 1;
}

void configure_tls(Shared& shared) {
  SSL_CTX* ctx = shared.ctx.native_handle();
  const ServerOptions& o = shared.options;
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    throw CryptoError("HTTPS server: setting TLS 1.2 as minimum version");
  if (SSL_CTX_use_certificate(ctx, o.identity.certificate.get()) != 1)
    throw CryptoError("HTTPS server: loading the server certificate");
  if (SSL_CTX_use_PrivateKey(ctx, o.identity.key.get()) != 1)
    throw CryptoError("HTTPS server: loading the server key");
  for (const auto& c : o.identity.chain) {
    if (!c) throw std::invalid_argument("HTTPS server: null certificate in identity.chain");
    if (SSL_CTX_add1_chain_cert(ctx, c.get()) != 1)
      throw CryptoError("HTTPS server: adding a chain certificate");
  }
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw CryptoError("HTTPS server: the private key does not match the certificate");

  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const auto& ca : o.client_ca) {
    if (!ca) throw std::invalid_argument("HTTPS server: null certificate in client_ca");
    if (X509_STORE_add_cert(store, ca.get()) != 1)
      throw CryptoError("HTTPS server: adding a client CA to the trust store");
    if (SSL_CTX_add_client_CA(ctx, ca.get()) != 1)
      throw CryptoError("HTTPS server: adding a client CA to the acceptable CA list");
  }
  switch (o.client_certs) {
    case ClientCertMode::none:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientCertMode::request:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_client_cert);
      break;
    case ClientCertMode::require:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  // Session resumption with client verification needs an id context, or
  // OpenSSL fails resumed handshakes.
  static constexpr unsigned char kSidCtx[] = "ceslab";
  if (SSL_CTX_set_session_id_context(ctx, kSidCtx, sizeof kSidCtx - 1) != 1)
    throw CryptoError("HTTPS server: setting the session id context");
  // An idle keep-alive connection need not hold OpenSSL's record buffers
  // (about 34 KB); they come back with the next record.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
}

HttpResponse plain_response(int status, std::string text) {
  HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  r.body = std::move(text) + "\n";
  return r;
}

bool valid_header_part(std::string_view s, bool is_name) {
  if (is_name && s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    // CR/LF would let a handler split the response; names are RFC 9110 tokens.
    if (u == '\r' || u == '\n' || u == 0) return false;
    if (is_name && (u <= 0x20 || u >= 0x7f || c == ':')) return false;
  }
  return true;
}

using Response = http::response<http::string_body>;

// Builds the wire response; throws std::invalid_argument on a response no
// client could parse, so the caller can turn it into a 500.
void build_response(Response& res, const HttpResponse& in, unsigned version, bool head) {
  if (in.status < 200 || in.status > 999)
    throw std::invalid_argument("handler returned status " + std::to_string(in.status));
  if (!valid_header_part(in.reason, false))
    throw std::invalid_argument("handler returned a reason phrase with CR/LF");
  res = Response{};
  res.version(version);
  res.result(static_cast<unsigned>(in.status));
  if (!in.reason.empty()) res.reason(in.reason);
  for (const auto& h : in.headers) {
    if (!valid_header_part(h.name, true) || !valid_header_part(h.value, false))
      throw std::invalid_argument("handler returned an invalid header '" + h.name + "'");
    // The framing is ours: the body is sent whole with a Content-Length.
    if (header_name_equals(h.name, "Content-Length") ||
        header_name_equals(h.name, "Transfer-Encoding"))
      continue;
    res.insert(h.name, h.value);
  }
  res.body() = in.body;
  res.prepare_payload();
  if (head) res.body().clear();  // Content-Length still describes the GET body
}

// A connection holds only its socket until its first byte arrives: the TLS
// stream (the SSL object and Asio's two 17 KB record buffers) is built then,
// so connections that never send a ClientHello cost a few hundred bytes.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<Shared> shared)
      : shared_(std::move(shared)),
        executor_(socket.get_executor()),
        socket_(std::move(socket)),
        first_byte_timer_(executor_) {}

  ~Session() {
    bool stopping = false;
    {
      std::lock_guard lock(shared_->mutex);
      shared_->sessions.erase(this);
      stopping = shared_->stopping;
    }
    if (!stopping) shared_->connection_closed();
  }

  // Since when the connection waits on its client (before its first byte,
  // in the handshake, between requests), or kBusy. Read by the listener
  // under shared->mutex to pick the connection to shed.
  Ticks idle_since() const { return idle_since_.load(std::memory_order_relaxed); }
  bool closing() const { return closing_.load(std::memory_order_relaxed); }

  // Called by the listener to make room: close this idle connection.
  void shed() {
    closing_ = true;
    close_async();
  }

  void run() {
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->stopping) return;  // dropping the last reference closes the socket
      shared_->sessions.emplace(this, weak_from_this());
    }
    net::dispatch(executor_, beast::bind_front_handler(&Session::on_run, shared_from_this()));
  }

  // Called from stop(): hop onto the connection's strand and close it.
  void close_async() {
    net::post(executor_, [self = shared_from_this()] { self->close(); });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(*stream_); }
  const ServerOptions& options() const { return shared_->options; }
  void set_idle() { idle_since_.store(now_ticks(), std::memory_order_relaxed); }
  void set_busy() { idle_since_.store(kBusy, std::memory_order_relaxed); }

  void close() {
    closing_ = true;
    beast::error_code ec;
    if (!stream_) {
      first_byte_timer_.cancel();
      socket_.shutdown(tcp::socket::shutdown_both, ec);
      socket_.close(ec);
      return;
    }
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  void on_run() {
    beast::error_code ec;
    const auto peer = socket_.remote_endpoint(ec);
    if (!ec) {
      info_.peer_address = peer.address().to_string();
      info_.peer_port = peer.port();
    }
    // The handshake's deadline (read_timeout) runs from the accept.
    first_byte_timer_.expires_after(options().read_timeout);
    first_byte_timer_.async_wait([self = shared_from_this()](beast::error_code wec) {
      if (!wec && !self->stream_) self->close();  // silent too long
    });
    socket_.async_wait(tcp::socket::wait_read,
                       beast::bind_front_handler(&Session::on_first_byte, shared_from_this()));
  }

  void on_first_byte(beast::error_code ec) {
    if (ec || closing_) return close();  // the deadline, stop(), shed
    const auto left = first_byte_timer_.expiry() - net::steady_timer::clock_type::now();
    first_byte_timer_.cancel();
    stream_.emplace(std::move(socket_), shared_->ctx);
    lowest().expires_after(std::max<net::steady_timer::duration>(
        std::chrono::duration_cast<net::steady_timer::duration>(left),
        std::chrono::milliseconds(1)));
    stream_->async_handshake(ssl::stream_base::server,
                             beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    // A failed handshake (no client certificate with `require`, a client
    // that distrusts us, a timeout) has no HTTP answer: the alert is it.
    if (ec) return close();
    SSL* ssl = stream_->native_handle();
    info_.tls_version = SSL_get_version(ssl);
    info_.cipher = SSL_get_cipher_name(ssl);
    if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) {
      info_.server_name = sni;
    }
    info_.client_certificate.reset(SSL_get1_peer_certificate(ssl));
    info_.client_verify_result = info_.client_certificate ? SSL_get_verify_result(ssl) : X509_V_OK;
    info_.tls_server_end_point = shared_->end_point;
    do_read();
  }

  void do_read() {
    set_idle();
    if (buffer_.size() == 0 && buffer_.capacity() > kKeptReadBuffer) buffer_.shrink_to_fit();
    parser_.emplace();
    parser_->body_limit(options().body_limit);
    parser_->header_limit(kHeaderLimit);
    // One deadline for the whole request, header and body.
    lowest().expires_after(options().read_timeout);
    // Header first, and the Content-Length checked by us: Beast 1.74's eager
    // parser can lose the body_limit error when header and body arrive in
    // one buffer (it does for responses), and no body byte is read for a 413.
    http::async_read_header(*stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t bytes) {
    set_busy();
    if (!ec && parser_->content_length() && *parser_->content_length() > options().body_limit)
      ec = http::error::body_limit;
    if (ec || parser_->is_done()) return on_read(ec, bytes);
    // Clients that ask (.NET and curl do for larger POSTs) otherwise wait a
    // second before they send the body.
    const auto expect = parser_->get()[http::field::expect];  // boost::string_view
    if (header_name_equals(std::string_view(expect.data(), expect.size()), "100-continue")) {
      continue_ = {http::status::continue_, parser_->get().version()};
      return http::async_write(*stream_, continue_,
                               [self = shared_from_this()](beast::error_code wec, std::size_t n) {
                                 if (wec) return self->close();
                                 self->read_body(n);
                               });
    }
    read_body(bytes);
  }

  void read_body(std::size_t /*bytes*/) {
    http::async_read(*stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::end_of_stream) return do_shutdown();
    if (ec == http::error::body_limit) {
      return send(plain_response(413, "request body exceeds the limit of " +
                                          std::to_string(options().body_limit) + " bytes"),
                  After::linger);
    }
    if (ec == http::error::header_limit) {
      return send(plain_response(431, "request headers exceed the limit of " +
                                          std::to_string(kHeaderLimit) + " bytes"),
                  After::linger);
    }
    if (ec && ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::partial_message) {
      return send(plain_response(400, "malformed request: " + ec.message()), After::linger);
    }
    // Timeout (the socket is already closed), reset, truncation, stop().
    if (ec) return close();

    auto& req = parser_->get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.version = req.version();
    for (const auto& field : req) {
      request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    request.body = std::move(req.body());

    HttpResponse response;
    try {
      response = shared_->handler(request, info_);
    } catch (const std::exception& e) {
      response = plain_response(500, std::string("handler failed: ") + e.what());
    } catch (...) {
      response = plain_response(500, "handler failed: unknown exception");
    }
    send(std::move(response), req.keep_alive() ? After::read_next : After::shutdown,
         req.method() == http::verb::head);
  }

  // What follows a response: the next request, a TLS close, or (when the
  // client may still be sending input we refused) a lingering close.
  enum class After { read_next, shutdown, linger };

  void send(HttpResponse response, After after, bool head = false) {
    const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    try {
      build_response(response_, response, version, head);
    } catch (const std::exception& e) {
      build_response(response_, plain_response(500, std::string("bad response: ") + e.what()),
                     version, head);
    }
    // The handler may ask to close ("Connection: close"); we never promise
    // more than the client asked for.
    if (after == After::read_next && !response_.keep_alive()) after = After::shutdown;
    response_.keep_alive(after == After::read_next);
    lowest().expires_after(options().read_timeout);
    http::async_write(*stream_, response_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this(), after));
  }

  void on_write(After after, beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return close();
    switch (after) {
      case After::read_next:
        return do_read();
      case After::shutdown:
        return do_shutdown();
      case After::linger:
        return do_linger();
    }
  }

  // The client may still be sending the body we refused. Closing now would
  // make the kernel answer with a reset that can destroy our response in
  // the client's receive buffer, so we half-close and discard input for a
  // bounded time (the "lingering close" of Apache and nginx). No TLS
  // close_notify: the response carries its length, and TLS would try to
  // decrypt the unwanted input.
  void do_linger() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    lowest().expires_after(
        std::min<std::chrono::milliseconds>(options().read_timeout, kLingerLimit));
    discard_buffer_.resize(16 * 1024);
    discard_input();
  }

  void discard_input() {
    lowest().async_read_some(net::buffer(discard_buffer_),
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->close();  // EOF, reset, deadline, stop()
                               self->discard_input();
                             });
  }

  void do_shutdown() {
    lowest().expires_after(
        std::min<std::chrono::milliseconds>(options().read_timeout, kShutdownLimit));
    stream_->async_shutdown(beast::bind_front_handler(&Session::on_shutdown, shared_from_this()));
  }

  void on_shutdown(beast::error_code /*ec*/) {
    // Whatever the peer did with our close_notify, the connection is over.
    close();
  }

  std::shared_ptr<Shared> shared_;
  net::any_io_executor executor_;  // the connection's strand
  tcp::socket socket_;             // until the first byte; then inside stream_
  net::steady_timer first_byte_timer_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  std::atomic<Ticks> idle_since_{now_ticks()};
  std::atomic<bool> closing_{false};
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  http::response<http::empty_body> continue_;
  std::vector<char> discard_buffer_;
  ConnectionInfo info_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, std::shared_ptr<Shared> shared)
      : ioc_(ioc),
        acceptor_(net::make_strand(ioc)),
        pause_(acceptor_.get_executor()),
        shared_(std::move(shared)) {}

  // Throws std::system_error naming the endpoint and the step that failed.
  void listen(const tcp::endpoint& endpoint) {
    const auto where = [&] {
      const auto a = endpoint.address();
      return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" +
             std::to_string(endpoint.port());
    };
    beast::error_code ec;
    auto check = [&](const char* step) {
      if (ec)
        throw std::system_error(ec, "HTTPS server: cannot " + std::string(step) + " " + where());
    };
    acceptor_.open(endpoint.protocol(), ec);
    check("open a socket for");
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    check("set SO_REUSEADDR for");
    acceptor_.bind(endpoint, ec);
    check("bind");
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    check("listen on");
  }

  std::uint16_t port() const {
    beast::error_code ec;
    const auto ep = acceptor_.local_endpoint(ec);
    return ec ? 0 : ep.port();
  }

  void run() { do_accept(); }

  void close_async() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
      self->pause_.cancel();
    });
  }

 private:
  // Below the cap: accept. At the cap: wait until a client is waiting in the
  // backlog, then make room for it by shedding the connection idle longest.
  void do_accept() {
    if (!acceptor_.is_open()) return;
    if (open_connections() < shared_->max_connections) return accept_one();
    acceptor_.async_wait(
        tcp::acceptor::wait_read, [self = shared_from_this()](beast::error_code ec) {
          if (ec || !self->acceptor_.is_open()) return;
          if (self->open_connections() < self->shared_->max_connections || self->shed_oldest_idle())
            return self->accept_one();
          self->pause_then_accept(kFullPause);  // all busy: the client waits in the backlog
        });
  }

  void accept_one() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      ++shared_->accept_failures;
      if (ec == net::error::no_descriptors || ec == boost::system::errc::too_many_files_open ||
          ec == boost::system::errc::too_many_files_open_in_system ||
          ec == net::error::no_buffer_space || ec == net::error::no_memory) {
        // Out of descriptors or memory: free some and pause, or this spins.
        return pause_then_accept(shed_oldest_idle() ? kShedPause : kNoDescriptorPause);
      }
      // Other errors (a peer that reset before accept) concern one connection.
      return do_accept();
    }
    ++shared_->accepted;
    std::make_shared<Session>(std::move(socket), shared_)->run();
    do_accept();
  }

  void pause_then_accept(std::chrono::milliseconds pause) {
    pause_.expires_after(pause);
    pause_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_accept();
    });
  }

  // Connections that count against the cap: open and not being closed.
  std::size_t open_connections() {
    std::lock_guard lock(shared_->mutex);
    std::size_t n = 0;
    for (const auto& entry : shared_->sessions) n += entry.first->closing() ? 0 : 1;
    return n;
  }

  // Closes the connection idle longest; false when every one is busy.
  bool shed_oldest_idle() {
    std::shared_ptr<Session> victim;
    {
      std::lock_guard lock(shared_->mutex);
      // A session in this map is alive or blocked in its destructor on this
      // mutex, so reading its atomics is safe; lock() tells which.
      Session* oldest = nullptr;
      for (const auto& [session, weak] : shared_->sessions) {
        if (session->closing() || session->idle_since() == kBusy) continue;
        if (!oldest || session->idle_since() < oldest->idle_since()) oldest = session;
      }
      if (!oldest) return false;
      victim = shared_->sessions.at(oldest).lock();
    }
    // Released outside the mutex: the last reference runs the destructor,
    // which takes the mutex.
    if (victim) {
      ++shared_->shed;
      victim->shed();
    }
    return true;
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer pause_;  // on the acceptor's strand
  std::shared_ptr<Shared> shared_;
};

net::ip::address parse_listen_address(const ServerOptions& o) {
  const std::string text = o.address == "localhost" ? "127.0.0.1" : o.address;
  beast::error_code ec;
  const auto address = net::ip::make_address(text, ec);
  if (ec) {
    throw std::invalid_argument("HTTPS server: listen address '" + o.address +
                                "' is not an IP address");
  }
  if (!address.is_loopback() && !o.allow_non_loopback) {
    throw std::invalid_argument("HTTPS server: refusing to listen on non-loopback address '" +
                                o.address + "' (set allow_non_loopback to allow it)");
  }
  return address;
}

}  // namespace

class HttpsServer::Impl {
 public:
  Impl(ServerOptions options, Handler handler) {
    if (!handler) throw std::invalid_argument("HTTPS server: no request handler");
    if (!options.identity.certificate || !options.identity.key)
      throw std::invalid_argument("HTTPS server: identity needs a certificate and a key");
    if (options.threads == 0) throw std::invalid_argument("HTTPS server: threads must be >= 1");
    if (options.read_timeout <= std::chrono::milliseconds::zero())
      throw std::invalid_argument("HTTPS server: read_timeout must be positive");
    address_ = parse_listen_address(options);
    shared_ = std::make_shared<Shared>(std::move(options), std::move(handler), ioc_);
    configure_tls(*shared_);
    shared_->end_point = tls_server_end_point(shared_->options.identity.certificate.get());
  }

  ~Impl() { stop(); }

  void start() {
    std::lock_guard control(control_);
    if (started_ || stopped_) throw std::logic_error("HTTPS server: start() called twice");
    listener_ = std::make_shared<Listener>(ioc_, shared_);
    listener_->listen(tcp::endpoint(address_, shared_->options.port));
    port_ = listener_->port();
    listener_->run();
    started_ = true;
    running_ = shared_->options.threads;
    for (std::size_t i = 0; i < shared_->options.threads; ++i) {
      threads_.emplace_back([this] {
        ioc_.run();
        std::lock_guard lock(done_mutex_);
        --running_;
        done_.notify_all();
      });
    }
  }

  std::uint16_t port() const { return port_; }
  std::size_t max_connections() const { return shared_->max_connections; }

  ServerStats stats() const {
    ServerStats s;
    s.accepted = shared_->accepted;
    s.accept_failures = shared_->accept_failures;
    s.shed = shared_->shed;
    std::lock_guard lock(shared_->mutex);
    s.open = shared_->sessions.size();
    return s;
  }

  std::string base_url() const {
    net::ip::address a = address_;
    // An unspecified address is for listening; clients connect to loopback.
    if (a.is_unspecified()) {
      a = a.is_v6() ? net::ip::address(net::ip::address_v6::loopback())
                    : net::ip::address(net::ip::address_v4::loopback());
    }
    const std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    return "https://" + host + ":" + std::to_string(port_);
  }

  void stop() {
    std::lock_guard control(control_);
    if (stopped_) return;
    stopped_ = true;
    if (!started_) return;

    listener_->close_async();
    shared_->cancel_trim();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(shared_->mutex);
      shared_->stopping = true;
      for (auto& [ptr, weak] : shared_->sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->close_async();
    live.clear();

    // With the listener and all sockets closed the io_context runs out of
    // work by itself; the grace period only guards against a leak of ours.
    {
      std::unique_lock lock(done_mutex_);
      if (!done_.wait_for(lock, kStopGrace, [this] { return running_ == 0; })) ioc_.stop();
    }
    for (auto& t : threads_) t.join();
    threads_.clear();
    listener_.reset();
  }

 private:
  // Before shared_: the trim timer in Shared belongs to this io_context.
  net::io_context ioc_;
  net::ip::address address_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<Listener> listener_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;

  std::mutex control_;  // serialises start/stop
  bool started_ = false;
  bool stopped_ = false;

  std::mutex done_mutex_;
  std::condition_variable done_;
  std::size_t running_ = 0;  // guarded by done_mutex_
};

HttpsServer::HttpsServer(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpsServer::~HttpsServer() = default;

void HttpsServer::start() {
  impl_->start();
}
std::uint16_t HttpsServer::port() const {
  return impl_->port();
}
std::string HttpsServer::base_url() const {
  return impl_->base_url();
}
std::size_t HttpsServer::max_connections() const {
  return impl_->max_connections();
}
ServerStats HttpsServer::stats() const {
  return impl_->stats();
}
void HttpsServer::stop() {
  impl_->stop();
}

}  // namespace ceslab::core
