// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/https_client.hpp"

#include "core/https_server_test_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <thread>

namespace ceslab::core {
namespace {

using namespace std::chrono_literals;
using testing::pki;
using testing::post;
using testing::server_options;
using testing::trusting_client;
using testing::url_of;

Handler echo_handler() {
  return [](const HttpRequest& req, const ConnectionInfo& info) {
    HttpResponse r;
    r.headers = {{"X-Sni", info.server_name}};
    r.body = req.method + " " + req.target + " " + req.body;
    return r;
  };
}

struct Fixture : ::testing::Test {
  void serve(const testing::KeyCert& identity) {
    server = std::make_unique<HttpsServer>(server_options(identity), echo_handler());
    server->start();
  }
  std::unique_ptr<HttpsServer> server;
};

using HttpsClientTest = Fixture;

TEST_F(HttpsClientTest, VerifiesServerWithCaFileAndReportsTlsFacts) {
  serve(pki().server);
  const Exchange ex = HttpsClient(trusting_client()).send(url_of(*server, "/CES"), post("hi"));
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_FALSE(ex.error);
  EXPECT_EQ(ex.response->body, "POST /CES hi");
  const TlsFacts& tls = ex.tls;
  EXPECT_TRUE(tls.handshake_done);
  EXPECT_FALSE(tls.insecure);
  EXPECT_EQ(tls.version, "TLSv1.3");
  EXPECT_FALSE(tls.cipher.empty());
  EXPECT_EQ(tls.verify_result, X509_V_OK);
  EXPECT_EQ(tls.verify_text, "ok");
  EXPECT_EQ(tls.peer_subject, "CN=127.0.0.1");
  EXPECT_EQ(tls.peer_issuer, "CN=ceslab test CA");
  ASSERT_EQ(tls.peer_not_after.size(), 20u) << tls.peer_not_after;
  EXPECT_EQ(tls.peer_not_after.back(), 'Z');
  ASSERT_EQ(tls.peer_chain_der.size(), 1u);
  const unsigned char* p = tls.peer_chain_der[0].data();
  X509Ptr leaf(d2i_X509(nullptr, &p, static_cast<long>(tls.peer_chain_der[0].size())));
  ASSERT_TRUE(leaf);
  EXPECT_EQ(X509_cmp(leaf.get(), pki().server.cert.get()), 0);
  EXPECT_EQ(tls.tls_server_end_point.size(), 32u);
  EXPECT_LE(ex.connect_time, ex.total_time);
}

TEST_F(HttpsClientTest, HostNameIsVerifiedAndSentAsSni) {
  serve(pki().server);
  const Url url = parse_url("https://localhost:" + std::to_string(server->port()) + "/x");
  const Exchange ex = HttpsClient(trusting_client()).send(url, post(""));
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_EQ(ex.response->header("X-Sni"), "localhost");
}

TEST_F(HttpsClientTest, InMemoryTrustAnchorsWork) {
  serve(pki().server);
  ClientOptions o;
  o.ca_certs.push_back(share(pki().ca.cert.get()));
  const Exchange ex = HttpsClient(std::move(o)).send(url_of(*server), post(""));
  ASSERT_TRUE(ex.response) << ex.error_message;
}

TEST_F(HttpsClientTest, UntrustedServerCertificate) {
  serve(pki().server);
  ClientOptions o;  // system trust store only: our test CA is not in it
  o.io_timeout = 2s;
  const Exchange ex = HttpsClient(std::move(o)).send(url_of(*server), post(""));
  EXPECT_FALSE(ex.response);
  ASSERT_EQ(ex.error, TransportErrorKind::tls_untrusted) << ex.error_message;
  EXPECT_EQ(ex.tls.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_EQ(ex.tls.verify_text, "unable to get local issuer certificate");
  EXPECT_EQ(ex.error_message,
            "TLS: server certificate is not trusted (unable to get local issuer certificate) for "
            "127.0.0.1:" +
                std::to_string(server->port()));
  EXPECT_FALSE(ex.tls.handshake_done);
  // The certificate that failed is still reported.
  EXPECT_EQ(ex.tls.peer_subject, "CN=127.0.0.1");
  EXPECT_EQ(ex.tls.peer_chain_der.size(), 1u);
}

TEST_F(HttpsClientTest, SelfSignedServerIsUntrusted) {
  serve(pki().stranger);
  const Exchange ex = HttpsClient(trusting_client()).send(url_of(*server), post(""));
  ASSERT_EQ(ex.error, TransportErrorKind::tls_untrusted) << ex.error_message;
  EXPECT_EQ(ex.tls.verify_result, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
}

TEST_F(HttpsClientTest, NameMismatch) {
  serve(pki().other);  // certificate for other.test only
  const Exchange ex = HttpsClient(trusting_client()).send(url_of(*server), post(""));
  ASSERT_EQ(ex.error, TransportErrorKind::tls_name_mismatch) << ex.error_message;
  EXPECT_EQ(ex.tls.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH);
  EXPECT_NE(ex.error_message.find("CN=other.test"), std::string::npos) << ex.error_message;

  const Url by_name = parse_url("https://localhost:" + std::to_string(server->port()) + "/");
  const Exchange ex2 = HttpsClient(trusting_client()).send(by_name, post(""));
  ASSERT_EQ(ex2.error, TransportErrorKind::tls_name_mismatch) << ex2.error_message;
  EXPECT_EQ(ex2.tls.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_F(HttpsClientTest, ExpiredCertificate) {
  serve(pki().expired);
  const Exchange ex = HttpsClient(trusting_client()).send(url_of(*server), post(""));
  ASSERT_EQ(ex.error, TransportErrorKind::tls_expired) << ex.error_message;
  EXPECT_EQ(ex.tls.verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_NE(ex.error_message.find("notAfter " + ex.tls.peer_not_after), std::string::npos)
      << ex.error_message;
}

TEST_F(HttpsClientTest, InsecureSucceedsButRecordsTheVerdict) {
  serve(pki().expired);
  ClientOptions o = trusting_client();
  o.insecure = true;
  const Exchange ex = HttpsClient(std::move(o)).send(url_of(*server), post("x"));
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_FALSE(ex.error);
  EXPECT_TRUE(ex.tls.insecure);
  EXPECT_TRUE(ex.tls.handshake_done);
  EXPECT_EQ(ex.tls.verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(ex.response->body, "POST / x");

  // Untrusted and mismatched names pass too.
  server.reset();
  serve(pki().other);
  ClientOptions bare;
  bare.ca_certs.push_back(share(pki().client_ca.cert.get()));  // unrelated to the server
  bare.insecure = true;
  const Exchange ex2 = HttpsClient(std::move(bare)).send(url_of(*server), post("y"));
  ASSERT_TRUE(ex2.response) << ex2.error_message;
  EXPECT_EQ(ex2.tls.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST(HttpsClient, ConnectionRefused) {
  std::uint16_t port = 0;
  {
    // Bind and close to get a port nobody listens on.
    testing::SilentListener probe;
    port = probe.port();
  }
  const Exchange ex =
      HttpsClient(trusting_client())
          .send(parse_url("https://127.0.0.1:" + std::to_string(port) + "/"), post(""));
  EXPECT_FALSE(ex.response);
  ASSERT_EQ(ex.error, TransportErrorKind::connect_refused) << ex.error_message;
  EXPECT_NE(ex.error_message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
  EXPECT_NE(ex.error_message.find("refused"), std::string::npos) << ex.error_message;
}

TEST(HttpsClient, SilentServerTimesOutWithinIoTimeout) {
  testing::SilentListener silent;
  ClientOptions o = trusting_client();
  o.io_timeout = 300ms;
  const Exchange ex =
      HttpsClient(std::move(o))
          .send(parse_url("https://127.0.0.1:" + std::to_string(silent.port())), post(""));
  ASSERT_EQ(ex.error, TransportErrorKind::timeout) << ex.error_message;
  EXPECT_GE(ex.total_time, 280ms);
  EXPECT_LT(ex.total_time, 1500ms);
  EXPECT_NE(ex.error_message.find("300 ms"), std::string::npos) << ex.error_message;
}

TEST(HttpsClient, PlainHttpIsRefusedAsInvalidUrl) {
  const Exchange ex =
      HttpsClient(trusting_client()).send(parse_url("http://127.0.0.1:1/"), post(""));
  ASSERT_EQ(ex.error, TransportErrorKind::invalid_url) << ex.error_message;
  EXPECT_NE(ex.error_message.find("https"), std::string::npos);
}

TEST(HttpsClient, UnresolvableHostIsDns) {
  ClientOptions o = trusting_client();
  o.connect_timeout = 1500ms;
  const Exchange ex = HttpsClient(std::move(o)).send(parse_url("https://host.invalid/"), post(""));
  ASSERT_EQ(ex.error, TransportErrorKind::dns) << ex.error_message;
  EXPECT_NE(ex.error_message.find("host.invalid"), std::string::npos);
  EXPECT_LT(ex.total_time, 2500ms);
}

TEST_F(HttpsClientTest, ResponseOverLimitIsTooLarge) {
  serve(pki().server);
  ClientOptions o = trusting_client();
  o.response_limit = 100;
  const Exchange ex = HttpsClient(std::move(o)).send(url_of(*server), post(std::string(500, 'x')));
  ASSERT_EQ(ex.error, TransportErrorKind::too_large)
      << ex.error_message << (ex.response ? ex.response->body : "");
  EXPECT_NE(ex.error_message.find("100 bytes"), std::string::npos);
}

TEST_F(HttpsClientTest, CallerHostAndUserAgentWin) {
  server = std::make_unique<HttpsServer>(
      server_options(pki().server), [](const HttpRequest& req, const ConnectionInfo&) {
        HttpResponse r;
        r.body = req.header("Host").value_or("-") + "|" + req.header("User-Agent").value_or("-") +
                 "|" + req.header("Content-Length").value_or("-") + "|" + req.target;
        return r;
      });
  server->start();
  HttpRequest req;
  req.method = "GET";
  req.headers = {{"Host", "ces.contoso.test"}, {"User-Agent", "certreq"}, {"Content-Length", "99"}};
  const Exchange ex = HttpsClient(trusting_client()).send(url_of(*server, "/a?b=c"), req);
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_EQ(ex.response->body, "ces.contoso.test|certreq|-|/a?b=c");
}

TEST(HttpsClient, InvalidRequestsAndOptionsThrow) {
  HttpsClient client(trusting_client());
  const Url url = parse_url("https://127.0.0.1:1/");
  HttpRequest bad_header = post("");
  bad_header.headers = {{"X-A", "1\r\nX-B: 2"}};
  EXPECT_THROW(client.send(url, bad_header), std::invalid_argument);
  HttpRequest bad_method = post("");
  bad_method.method = "PO ST";
  EXPECT_THROW(client.send(url, bad_method), std::invalid_argument);

  ClientOptions missing;
  missing.ca_files = {"/nonexistent/ceslab-ca.pem"};
  try {
    HttpsClient c(std::move(missing));
    FAIL() << "missing CA file accepted";
  } catch (const CryptoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ceslab-ca.pem"), std::string::npos);
  }

  ClientOptions mismatched = trusting_client();
  mismatched.client_certificate = share(pki().client.cert.get());
  mismatched.client_key = share(pki().stranger.key.get());
  EXPECT_THROW(HttpsClient{std::move(mismatched)}, CryptoError);

  ClientOptions half = trusting_client();
  half.client_certificate = share(pki().client.cert.get());
  EXPECT_THROW(HttpsClient{std::move(half)}, std::invalid_argument);
}

TEST(HttpsClient, KindNamesAreStable) {
  EXPECT_STREQ(to_string(TransportErrorKind::tls_untrusted), "tls_untrusted");
  EXPECT_STREQ(to_string(TransportErrorKind::connect_timeout), "connect_timeout");
  EXPECT_STREQ(to_string(TransportErrorKind::too_large), "too_large");
}

// A one-shot TLS server that answers with raw bytes, for responses our own
// server would never produce.
class RawTlsServer {
 public:
  explicit RawTlsServer(std::string answer)
      : ctx_(boost::asio::ssl::context::tls_server),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    SSL_CTX_use_certificate(ctx_.native_handle(), pki().server.cert.get());
    SSL_CTX_use_PrivateKey(ctx_.native_handle(), pki().server.key.get());
    thread_ = std::thread([this, answer = std::move(answer)] {
      boost::system::error_code ec;
      boost::asio::ssl::stream<boost::asio::ip::tcp::socket> s(ioc_, ctx_);
      acceptor_.accept(s.lowest_layer(), ec);
      if (ec) return;
      s.handshake(boost::asio::ssl::stream_base::server, ec);
      if (ec) return;
      char buf[4096];
      s.read_some(boost::asio::buffer(buf), ec);  // the request head
      boost::asio::write(s, boost::asio::buffer(answer), ec);
      s.lowest_layer().close(ec);  // no close_notify: abrupt end
    });
  }
  ~RawTlsServer() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ssl::context ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(HttpsClient, MalformedResponseIsProtocol) {
  RawTlsServer raw("HTTP/1.1 two hundred OK\r\n\r\n");
  const Exchange ex =
      HttpsClient(trusting_client())
          .send(parse_url("https://127.0.0.1:" + std::to_string(raw.port())), post(""));
  ASSERT_EQ(ex.error, TransportErrorKind::protocol) << ex.error_message;
  EXPECT_TRUE(ex.tls.handshake_done);
}

TEST(HttpsClient, TruncatedResponseIsClosed) {
  RawTlsServer raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a bit");
  const Exchange ex =
      HttpsClient(trusting_client())
          .send(parse_url("https://127.0.0.1:" + std::to_string(raw.port())), post(""));
  ASSERT_EQ(ex.error, TransportErrorKind::closed) << ex.error_message;
}

TEST(HttpsClient, NoResponseAtAllIsClosed) {
  RawTlsServer raw("");
  const Exchange ex =
      HttpsClient(trusting_client())
          .send(parse_url("https://127.0.0.1:" + std::to_string(raw.port())), post(""));
  ASSERT_EQ(ex.error, TransportErrorKind::closed) << ex.error_message;
}

TEST(HttpsClient, ServerThatStopsReadingEarly) {
  // Like IIS refusing an oversize request: answer after the head, then close
  // with our body unread, so the kernel resets the connection. Whether the
  // answer survives the reset is up to timing; either way it is no timeout
  // and no protocol error.
  RawTlsServer raw("HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 0\r\n\r\n");
  const Exchange ex = HttpsClient(trusting_client())
                          .send(parse_url("https://127.0.0.1:" + std::to_string(raw.port())),
                                post(std::string(4 << 20, 'x')));
  if (ex.response) {
    EXPECT_EQ(ex.response->status, 413);
  } else {
    EXPECT_EQ(ex.error, TransportErrorKind::closed) << ex.error_message;
    EXPECT_NE(ex.error_message.find("while we sent the request"), std::string::npos)
        << ex.error_message;
  }
}

}  // namespace
}  // namespace ceslab::core
