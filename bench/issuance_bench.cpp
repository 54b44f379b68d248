// SPDX-License-Identifier: GPL-2.0-or-later
// Issuance against the CA's signing limit, measured in one run (issue 17):
//  (a) the limit: private-key signatures/s with the mock CA's own key, on as
//      many threads as the mock has I/O threads (Google Benchmark; what
//      `openssl speed -multi N rsa2048` calls "sign/s");
//  (b) issuance/s: an in-process mock (`MockServer`, the default world) on
//      loopback TLS, driven by N keep-alive connections that send pre-built
//      RST Issue requests for alice (UsernamePassword endpoint, User
//      template) and check that each answer is an issued certificate;
//  (c) the ratio issuance/s / (signatures/s / signatures per issuance);
//  (d) the floor: the libraries' own cost of the other steps every issuance
//      takes (reading, checking, building, writing, storing), each alone,
//      and the bound on the ratio by CPU that follows from it.
// The driver runs in this process and shares the CPUs with the server, so
// the CPU it used is measured and reported beside the server's.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ca_signature.hpp"
#include "ceslab/core/cmc.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/decoded_request.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/request_store.hpp"
#include "ceslab/mock/server.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "soap_requests.hpp"

namespace {

using namespace ceslab;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// What one issuance signs with the CA key, counted in the code
// (mock_ces/src/ca_submission.cpp issue_now -> issued_rstr): the certificate
// (X509_sign in core/src/ca.cpp) and the CMC Full PKI Response's SignerInfo
// (CMS_sign in core/src/cms.cpp via build_cmc_response). Nothing else on the
// issuance path uses a private key: the TLS session is set up once per
// keep-alive connection, and the request's own signatures are only verified.
constexpr int kSignaturesPerIssuance = 2;

struct Options {
  int connections = 8;
  double seconds = 10;
  double warmup = 2;
  int distinct_requests = 32;
  bool cmc = true;  // what CertEnroll and ceslab's client send; else a bare PKCS#10
  double sign_seconds = 3;
  double floor_seconds = 0.5;  // CPU per step of (d)
  std::string state_dir;       // empty: a fresh one under the temp directory
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr
      << "issuance_bench: " << problem << "\n"
      << "usage: ceslab_bench_issuance [--connections N] [--seconds S] [--warmup S]\n"
         "         [--requests M] [--request cmc|pkcs10] [--sign-seconds S] [--floor-seconds S]\n"
         "         [--state-dir DIR]\n"
         "         [--benchmark_* flags for the signing part]\n";
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(flag + " needs a value");
      return argv[++i];
    };
    auto number = [&](double min, double max) {
      const std::string text = value();
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || v < min || v > max)
        usage(flag + " '" + text + "' is not a number from " + std::to_string(min) + " to " +
              std::to_string(max));
      return v;
    };
    if (flag == "--connections") {
      o.connections = static_cast<int>(number(1, 1000));
    } else if (flag == "--seconds") {
      // The requests carry a wsu:Timestamp good for five minutes.
      o.seconds = number(0.5, 240);
    } else if (flag == "--warmup") {
      o.warmup = number(0, 30);
    } else if (flag == "--requests") {
      o.distinct_requests = static_cast<int>(number(1, 10000));
    } else if (flag == "--request") {
      const std::string form = value();
      if (form != "cmc" && form != "pkcs10") usage("--request '" + form + "' is not cmc or pkcs10");
      o.cmc = form == "cmc";
    } else if (flag == "--sign-seconds") {
      o.sign_seconds = number(0.1, 60);
    } else if (flag == "--floor-seconds") {
      o.floor_seconds = number(0.05, 60);
    } else if (flag == "--state-dir") {
      o.state_dir = value();
    } else {
      usage("unknown option '" + flag + "'");
    }
  }
  return o;
}

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) throw std::runtime_error("clock_gettime failed");
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// ---- (a) the signing limit ------------------------------------------------

// One raw private-key signature over a SHA-256-sized digest per iteration,
// with a context made once per thread: what `openssl speed` times.
void sign_loop(benchmark::State& state, EVP_PKEY* key) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
       EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1)) {
    state.SkipWithError("cannot set up signing with the CA key");
    return;
  }
  const unsigned char digest[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  std::vector<unsigned char> sig(static_cast<std::size_t>(EVP_PKEY_get_size(key)));
  for (auto _ : state) {
    std::size_t len = sig.size();
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest, sizeof digest) != 1) {
      state.SkipWithError("EVP_PKEY_sign failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Prints as the console reporter does and keeps the signing rate.
class KeepingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rate = it->second.value;
      // Summed over the threads: CPU per signature, whatever else runs.
      if (run.iterations > 0) cpu_per_signature = run.cpu_accumulated_time / run.iterations;
    }
  }
  double rate = 0;               // signatures/s, all threads together
  double cpu_per_signature = 0;  // seconds
};

struct SigningLimit {
  double per_second = 0;
  double cpu_per_signature = 0;
};

SigningLimit signing_limit(EVP_PKEY* key, int threads, double seconds) {
  benchmark::RegisterBenchmark("BM_CaKeySign", sign_loop, key)
      ->Threads(threads)
      ->UseRealTime()
      ->MinTime(seconds);
  KeepingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  return {reporter.rate, reporter.cpu_per_signature};
}

// ---- (b) issuance over keep-alive TLS -----------------------------------

struct Tally {
  std::atomic<std::uint64_t> issued{0};
  std::atomic<std::uint64_t> failed{0};
  std::mutex mutex;
  std::string first_failure;
  std::string first_issued;  // an answer read in full, for (d)

  void fail(const std::string& what) {
    failed.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mutex);
    if (first_failure.empty()) first_failure = what;
  }
};

// The RST Issue requests, built once: a key, a PKCS#10 (in a CMC request as
// CertEnroll sends it, unless --request pkcs10) and the HTTP request around
// the envelope, so that no client-side crypto or XML writing is timed.
struct BuiltRequests {
  std::vector<http::request<http::string_body>> http;
  std::vector<core::Bytes> pkcs10;  // the request inside each, for (d)
};

BuiltRequests build_requests(const std::string& url, int count, bool cmc) {
  const core::Url parsed = core::parse_url(url);
  BuiltRequests out;
  for (int i = 0; i < count; ++i) {
    core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("rsa2048"));
    core::CsrOptions csr;
    csr.template_ref = core::TemplateRef{"User", "", 0, 0};
    core::Bytes blob = core::build_csr(key.get(), csr);
    out.pkcs10.push_back(blob);
    if (cmc)
      blob = core::build_cmc_request(blob, nullptr, key.get(), {{"CertificateTemplate", "User"}});
    char id[64];
    std::snprintf(id, sizeof id, "urn:uuid:6f1d1a52-5b2e-4a43-9b7c-%012d", i);
    core::SoapMessage m = test_support::issue_request(url, id, blob, "User");
    m.security = test_support::username_security({"alice", "alice-password"});
    http::request<http::string_body> req{http::verb::post, parsed.target, 11};
    req.set(http::field::host, parsed.authority());
    req.set(http::field::content_type, "application/soap+xml; charset=utf-8");
    req.set(http::field::user_agent, "ceslab-issuance-bench");
    req.keep_alive(true);
    req.body() = wsdl::write_message(m);
    req.prepare_payload();
    out.http.push_back(std::move(req));
  }
  return out;
}

// Whether an answer is an issued certificate. The first answer on each
// connection is read in full through the codec; after that a plain search
// for the disposition keeps the driver's CPU share small.
bool issued(const http::response<http::string_body>& res, bool read_fully, std::string& why) {
  if (res.result_int() != 200) {
    why = "HTTP " + std::to_string(res.result_int()) + ": " + res.body().substr(0, 300);
    return false;
  }
  if (!read_fully) {
    if (res.body().find(">Issued<") != std::string::npos) return true;
    why = "200 without an Issued disposition: " + res.body().substr(0, 300);
    return false;
  }
  const core::SoapMessage m = wsdl::read_message(res.body());
  const auto* rstr = std::get_if<core::RequestSecurityTokenResponse>(&m.body);
  if (rstr == nullptr || !rstr->is_issued() || rstr->disposition_message != "Issued") {
    why = "not an issued RSTR: " + res.body().substr(0, 300);
    return false;
  }
  core::parse_certificate_der(rstr->issued_certificate->data);  // throws if it is no certificate
  return true;
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(net::io_context& ioc, ssl::context& tls, tcp::endpoint server,
             const std::vector<http::request<http::string_body>>& requests, std::size_t first,
             Tally& tally, const std::atomic<bool>& stopping)
      : stream_(ioc, tls),
        server_(server),
        requests_(requests),
        next_(first),
        tally_(tally),
        stopping_(stopping) {}

  void start() {
    stream_.next_layer().async_connect(
        server_, [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
  }

 private:
  void on_connect(beast::error_code ec) {
    if (ec) return give_up("connect", ec);
    stream_.async_handshake(ssl::stream_base::client,
                            [self = shared_from_this()](beast::error_code e) {
                              if (e) return self->give_up("TLS handshake", e);
                              self->send();
                            });
  }

  void send() {
    if (stopping_.load(std::memory_order_relaxed)) return close();
    const auto& req = requests_[next_++ % requests_.size()];
    http::async_write(stream_, req, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->give_up("write", ec);
      self->receive();
    });
  }

  void receive() {
    response_ = {};
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->give_up("read", ec);
                       self->check();
                     });
  }

  void check() {
    std::string why;
    bool ok = false;
    try {
      ok = issued(response_, !checked_fully_, why);
    } catch (const std::exception& e) {
      why = std::string("unreadable answer: ") + e.what();
    }
    if (ok && !checked_fully_) {
      std::lock_guard lock(tally_.mutex);
      if (tally_.first_issued.empty()) tally_.first_issued = response_.body();
    }
    checked_fully_ = true;
    if (ok) {
      tally_.issued.fetch_add(1, std::memory_order_relaxed);
    } else {
      tally_.fail(why);
    }
    if (!response_.keep_alive()) return give_up("keep-alive", beast::error_code{});
    send();
  }

  void give_up(const char* stage, beast::error_code ec) {
    if (stopping_.load()) return;
    tally_.fail(std::string(stage) + (ec ? ": " + ec.message() : ": the server closed"));
  }

  void close() {
    beast::error_code ignored;
    stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.next_layer().close(ignored);
  }

  beast::ssl_stream<tcp::socket> stream_;
  tcp::endpoint server_;
  const std::vector<http::request<http::string_body>>& requests_;
  std::size_t next_;
  Tally& tally_;
  const std::atomic<bool>& stopping_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  bool checked_fully_ = false;
};

struct IssuanceResult {
  double per_second = 0;
  std::uint64_t issued = 0;
  std::uint64_t failed = 0;
  double window = 0;
  double process_cpu = 0;
  double client_cpu = 0;
  std::string first_failure;
  std::string first_issued;
};

IssuanceResult measure_issuance(const mock::MockServer& server, const Options& o,
                                const std::vector<http::request<http::string_body>>& requests) {
  const std::string url = server.endpoint_url(core::Service::ces, core::AuthMode::username);

  ssl::context tls(ssl::context::tls_client);
  tls.load_verify_file(server.ca_certificate_path().string());
  tls.set_verify_mode(ssl::verify_peer);
  const core::Url parsed = core::parse_url(url);
  const tcp::endpoint endpoint(net::ip::make_address(parsed.host), parsed.port);

  net::io_context ioc(1);
  Tally tally;
  std::atomic<bool> stopping{false};
  for (int i = 0; i < o.connections; ++i) {
    std::make_shared<Connection>(ioc, tls, endpoint, requests, static_cast<std::size_t>(i), tally,
                                 stopping)
        ->start();
  }
  // One driver thread for all connections: the least CPU taken from the server.
  std::thread driver([&] {
    pthread_setname_np(pthread_self(), "bench-driver");
    ioc.run();
  });
  clockid_t driver_clock{};
  pthread_getcpuclockid(driver.native_handle(), &driver_clock);

  std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
  const std::uint64_t issued0 = tally.issued.load();
  const std::uint64_t failed0 = tally.failed.load();
  const double process0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  const double client0 = cpu_seconds(driver_clock);
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  IssuanceResult r;
  r.issued = tally.issued.load() - issued0;
  r.failed = tally.failed.load() - failed0;
  r.process_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process0;
  r.client_cpu = cpu_seconds(driver_clock) - client0;
  r.window = std::chrono::duration<double>(Clock::now() - t0).count();
  r.per_second = static_cast<double>(r.issued) / r.window;

  stopping = true;
  driver.join();  // each connection closes after its answer in flight
  {
    std::lock_guard lock(tally.mutex);
    r.first_failure = tally.first_failure;
    r.first_issued = tally.first_issued;
  }
  return r;
}

// ---- (d) the floor: the libraries' own cost of the other steps ------------

// This thread's CPU per call of `step` (called with 0, 1, 2, ...), over at
// least `seconds` of CPU.
template <class Step>
double cpu_us_per_call(double seconds, Step&& step) {
  const double start = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  std::uint64_t calls = 0;
  double used = 0;
  do {
    for (int i = 0; i < 8; ++i) step(calls++);
    used = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - start;
  } while (used < seconds);
  return 1e6 * used / static_cast<double>(calls);
}

// The certificate and the CMC Full PKI Response built as the mock builds
// them (mock_ces/src/ca_submission.cpp issue_now and issued_rstr) with the
// mock's CA, for the requests of (b) and the extensions the mock gave the
// certificate (b) received, less two signatures with the CA's key made the
// way X509_sign and CMS make theirs (bench::sign_as_an_issuance_does, so
// that only the building is left, not the signing API's own cost). Both are timed on this thread in
// alternating rounds, so that the machine's drift between them cancels out.
double building_besides_signatures(const std::filesystem::path& state_dir,
                                   const std::vector<core::X509ReqPtr>& requests,
                                   const core::X509Ptr& issued, double seconds) {
  std::vector<core::X509Ptr> ca_certs =
      core::read_certificates_pem(state_dir / mock::LabCa::kCertificateFile);
  if (ca_certs.empty()) throw std::runtime_error("(d): the mock's CA certificate is missing");
  // A key object of its own, read from the mock's file again: with the one
  // (a)'s threads signed with, this difference swung between runs (66 and
  // 130 us), most likely through RSA's per-key blinding state, which the
  // thread that made it uses directly and other threads share.
  const core::CertificateAuthority ca(
      std::move(ca_certs.front()), core::read_private_key_pem(state_dir / mock::LabCa::kKeyFile));
  const core::CertificateInfo info = core::describe(issued.get());
  core::IssueOptions options;
  options.subject = info.subject;
  options.san = info.san;
  options.ekus = info.ekus;
  options.policy_oids = info.policy_oids;
  options.template_ref = info.template_ref;

  X509* ca_cert = ca.certificate();
  const std::size_t n = requests.size();
  double building = 0, signing = 0;
  std::uint64_t calls = 0;
  while (building < seconds) {
    double start = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < 8; ++i) {
      const core::X509Ptr cert =
          core::issue_for_request(ca, requests[(calls + i) % n].get(), options);
      benchmark::DoNotOptimize(core::certificate_der(cert.get()));
      benchmark::DoNotOptimize(core::build_cmc_response(core::CmcStatus::success, "Issued", ca_cert,
                                                        ca.key(), {ca_cert, cert.get()},
                                                        cert.get()));
    }
    building += cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - start;
    start = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < 8 * kSignaturesPerIssuance; ++i) {
      if (!bench::sign_as_an_issuance_does(ca.key()))
        throw std::runtime_error("(d): cannot sign with the CA key");
    }
    signing += cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - start;
    calls += 8;
  }
  return 1e6 * (building - signing) / static_cast<double>(calls);
}

struct FloorStep {
  std::string what;
  double us = 0;
};

// Steps every issuance takes besides its two signatures whose cost is the
// libraries' (gSOAP, libxml2, OpenSSL, SQLite), each timed alone on one
// thread with warm caches and no server, network or TLS around it: a lower
// bound on what they cost inside the server. Whatever else the server does
// (HTTP, TLS, decoding the request, the policy decisions, allocation) comes
// on top, so two signatures over two signatures plus this sum bounds the
// ratio by CPU from above.
std::vector<FloorStep> measure_floor(const BuiltRequests& requests, bool cmc,
                                     const std::string& issued_answer,
                                     const std::filesystem::path& dir, double seconds) {
  std::vector<FloorStep> steps;
  const std::size_t n = requests.http.size();
  steps.push_back(
      {"reading the RST Issue (wsdl::read_message: gSOAP and the strict libxml2 reading)",
       cpu_us_per_call(seconds, [&](std::uint64_t i) {
         benchmark::DoNotOptimize(wsdl::read_message(requests.http[i % n].body()));
       })});

  // The signature checks with the request and its key already decoded: the
  // PKCS#10's, and for a CMC request the SignerInfo's, made with the same key
  // over a few hundred bytes, so timed as a second check of the same kind.
  std::vector<core::X509ReqPtr> decoded;
  for (const core::Bytes& der : requests.pkcs10) decoded.push_back(core::decode_csr(der));
  const int checks = cmc ? 2 : 1;
  steps.push_back({"the request's " + std::to_string(checks) +
                       " signature check(s) (X509_REQ_verify, request and key already decoded)",
                   checks * cpu_us_per_call(seconds, [&](std::uint64_t i) {
                     X509_REQ* req = decoded[i % n].get();
                     if (X509_REQ_verify(req, X509_REQ_get0_pubkey(req)) != 1)
                       throw std::runtime_error("a benchmark request's signature did not verify");
                   })});

  const core::SoapMessage answer = wsdl::read_message(issued_answer);
  const auto* rstr = std::get_if<core::RequestSecurityTokenResponse>(&answer.body);
  if (rstr == nullptr || !rstr->is_issued())
    throw std::runtime_error("(d) needs an issued answer from (b)");
  steps.push_back(
      {"building the certificate and the CMC response besides their 2 signatures "
       "(OpenSSL: X509 and CMS objects, DER; timed with them, "
       "less 2 signatures alone)",
       building_besides_signatures(
           dir, decoded, core::parse_certificate_der(rstr->issued_certificate->data), seconds)});
  steps.push_back({"writing the issued answer (wsdl::write_message: gSOAP)",
                   cpu_us_per_call(seconds, [&](std::uint64_t) {
                     benchmark::DoNotOptimize(wsdl::write_message(answer));
                   })});

  // As the mock stores an issuance (mock_ces/src/ca_submission.cpp): the
  // request entered pending, then marked issued with its certificate; two
  // commits in WAL mode, on the file system of the mock's own store.
  const std::filesystem::path db = dir / "floor-requests.db";
  {
    mock::RequestStore store = mock::RequestStore::open(db);
    const std::vector<unsigned char> certificate = rstr->issued_certificate->data;
    steps.push_back({"storing it (RequestStore add + mark_issued: two SQLite commits, WAL)",
                     cpu_us_per_call(seconds, [&](std::uint64_t i) {
                       mock::StoredRequest row;
                       row.requester = "LAB\\alice";
                       row.template_name = "User";
                       row.request_der = requests.pkcs10[i % n];
                       row.disposition_message = "Taken Under Submission";
                       row.attributes = "CertificateTemplate:User\n";
                       const std::int64_t id = store.add(std::move(row));
                       store.mark_issued(id, certificate);
                     })});
  }
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(db.string() + suffix, ignored);
  return steps;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const Options o = parse_options(argc, argv);
  try {
    mock::MockOptions mock_options;
    mock_options.state_dir = o.state_dir;
    mock::MockServer server(std::move(mock_options));
    server.start();
    const int server_threads = static_cast<int>(core::ServerOptions{}.threads);
    const core::EvpPkeyPtr ca_key =
        core::read_private_key_pem(server.state_dir() / mock::LabCa::kKeyFile);
    const std::string key_text = core::key_description(ca_key.get());
    std::cout << "ceslab issuance benchmark (issue 17): the mock CA's key is " << key_text
              << "; the mock has " << server_threads << " I/O threads; "
              << std::thread::hardware_concurrency() << " CPUs online\n\n"
              << "(a) signing limit: " << server_threads << " threads signing with the CA key\n";
    const SigningLimit signing = signing_limit(ca_key.get(), server_threads, o.sign_seconds);
    const double sign_rate = signing.per_second;
    if (sign_rate <= 0) throw std::runtime_error("the signing benchmark did not run");
    std::cout << "    " << fixed(sign_rate, 0)
              << " signatures/s; compare (RSA keys): openssl speed -multi " << server_threads
              << " -seconds 10 rsa" << core::key_bits(ca_key.get()) << "\n\n";

    std::cout << "(b) issuance: " << o.connections << " keep-alive TLS connections to "
              << server.endpoint_url(core::Service::ces, core::AuthMode::username)
              << " (alice, template User), " << fixed(o.warmup, 1) << " s warm-up, "
              << fixed(o.seconds, 1) << " s measured\n";
    const std::string url = server.endpoint_url(core::Service::ces, core::AuthMode::username);
    std::cout << "building " << o.distinct_requests << " " << (o.cmc ? "CMC" : "PKCS#10")
              << " Issue requests (RSA-2048 client keys, made before any timing)...\n"
              << std::flush;
    const BuiltRequests requests = build_requests(url, o.distinct_requests, o.cmc);
    // From here on only the server and the driver run (a mark for `perf record -p`).
    std::cout << "    requests built; driving\n" << std::flush;
    const IssuanceResult r = measure_issuance(server, o, requests.http);
    std::cout << "    " << fixed(r.per_second, 0) << " issuances/s (" << r.issued << " issued, "
              << r.failed << " failed, over " << fixed(r.window, 2) << " s)\n";
    if (!r.first_failure.empty()) std::cout << "    first failure: " << r.first_failure << "\n";

    const double limit = sign_rate / kSignaturesPerIssuance;
    const double ratio = r.per_second / limit;
    std::cout << "\n(c) signatures per issuance: " << kSignaturesPerIssuance
              << " (the certificate; the CMC response's SignerInfo)\n"
              << "    ratio: " << fixed(r.per_second, 0) << " / (" << fixed(sign_rate, 0) << " / "
              << kSignaturesPerIssuance << ") = " << fixed(ratio, 2)
              << " of the CA's signing limit (" << fixed(limit, 0) << " issuances/s)\n\n";

    // The driver runs in this process on the same CPUs: what it used is not
    // available to the server, so the server's own cost is reported too.
    const double server_cpu = r.process_cpu - r.client_cpu;
    const double cpus = std::thread::hardware_concurrency();
    const double sign_cpu_us = 1e6 * signing.cpu_per_signature;
    const double server_us = r.issued ? 1e6 * server_cpu / static_cast<double>(r.issued) : 0;
    std::cout << "CPU over the window: server " << fixed(server_cpu / r.window, 2)
              << " CPUs, client driver (same machine, same process) "
              << fixed(r.client_cpu / r.window, 2) << " CPUs, of " << cpus << "\n"
              << "    server CPU per issuance: " << fixed(server_us, 0) << " us; "
              << kSignaturesPerIssuance << " signatures: " << kSignaturesPerIssuance << " x "
              << fixed(sign_cpu_us, 0) << " = " << fixed(kSignaturesPerIssuance * sign_cpu_us, 0)
              << " us (CPU per signature as measured in (a))\n";
    if (server_us > 0) {
      // By CPU rather than by wall time, so that neither the driver nor other
      // programs on the machine count: the share of the server's CPU that
      // went into signatures, i.e. the ratio with the CPUs to itself.
      const double cpu_ratio = kSignaturesPerIssuance * sign_cpu_us / server_us;
      std::cout << "    ratio by CPU: " << fixed(cpu_ratio, 2) << " (server alone on " << cpus
                << " CPUs: " << fixed(cpus * 1e6 / server_us, 0) << " issuances/s against "
                << fixed(cpus * 1e6 / (kSignaturesPerIssuance * sign_cpu_us), 0) << ")\n";
    }

    if (!r.first_issued.empty()) {
      std::cout << "\n(d) the floor: what the libraries alone take for the other steps of an "
                   "issuance, each timed on one thread without server, network or TLS\n";
      const std::vector<FloorStep> steps =
          measure_floor(requests, o.cmc, r.first_issued, server.state_dir(), o.floor_seconds);
      double floor_us = 0;
      for (const FloorStep& step : steps) {
        std::cout << "    " << fixed(step.us, 1) << " us  " << step.what << "\n";
        floor_us += step.us;
      }
      const double signing_us = kSignaturesPerIssuance * sign_cpu_us;
      std::cout << "    " << fixed(floor_us, 1) << " us  together; with the "
                << kSignaturesPerIssuance << " signatures (" << fixed(signing_us, 0)
                << " us) the ratio by CPU is at most " << fixed(signing_us, 0) << " / ("
                << fixed(signing_us, 0) << " + " << fixed(floor_us, 0)
                << ") = " << fixed(signing_us / (signing_us + floor_us), 2)
                << ", even if nothing else cost anything\n";
    }
    benchmark::Shutdown();
    return r.failed == 0 && r.issued > 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "issuance_bench: " << e.what() << "\n";
    return 1;
  }
}
