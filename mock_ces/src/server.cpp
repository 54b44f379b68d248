// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/server.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/mock/cep_service.hpp"
#include "ceslab/mock/ces_service.hpp"
#include "ceslab/mock/iis_pages.hpp"
#include "transport_auth.hpp"
#include "wire_deviations.hpp"

namespace ceslab::mock {
namespace {

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

ListenAddress parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw std::invalid_argument("--listen '" + text + "' is not ADDR:PORT (e.g. 127.0.0.1:8443)");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port_text = text.substr(colon + 1);
  if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5 ||
      std::stoul(port_text) > 65535) {
    throw std::invalid_argument("--listen '" + text + "': port '" + port_text + "' is not 0-65535");
  }
  return {host, static_cast<std::uint16_t>(std::stoul(port_text))};
}

std::filesystem::path make_dir(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  return dir;
}

std::filesystem::path make_temp_dir() {
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("ceslab-mock-" + std::to_string(rd()));
    if (std::filesystem::create_directory(dir)) return dir;
  }
  throw std::runtime_error("could not create a state directory under " +
                           std::filesystem::temp_directory_path().string());
}

// The certificate of the site's https binding (ces.tls_certificate,
// docs/world.md): what a client checks in the TLS handshake.
core::X509Ptr binding_certificate(const core::CertificateAuthority& ca, EVP_PKEY* key,
                                  const CesSettings& ces) {
  const std::vector<std::string> names = {"localhost"};
  const std::vector<std::string> addresses = {"127.0.0.1", "::1"};
  switch (ces.tls_certificate) {
    case TlsCertificate::expired: {
      // A year's certificate whose notAfter was a day ago (RFC 5280 4.1.2.5).
      constexpr std::chrono::hours kYear{24 * 365};
      const auto not_before = std::chrono::system_clock::now() - kYear - std::chrono::hours{24};
      return ca.issue_tls_server(key, names, addresses, not_before, kYear);
    }
    case TlsCertificate::wrong_name:
      return ca.issue_tls_server(key, {ces.host}, {});
    case TlsCertificate::valid:
      break;
  }
  return ca.issue_tls_server(key, names, addresses);
}

}  // namespace

class MockServer::Impl {
 public:
  explicit Impl(MockOptions options)
      : options_(std::move(options)),
        listen_(parse_listen(options_.listen)),
        owns_state_dir_(options_.state_dir.empty()),
        state_dir_(owns_state_dir_ ? make_temp_dir() : make_dir(options_.state_dir)),
        ca_(LabCa::open(state_dir_, options_.world.ca)),
        events_(state_dir_ / "events.jsonl"),
        ces_(options_.world, ca_, events_,
             CesServiceOptions{options_.kerberos, options_.kerberos_acceptor}),
        cep_(options_.world, ca_.authority(), events_),
        replays_(load_replays(options_.world)) {
    log_instances_that_fail_to_start();
    core::ServerOptions server;
    server.address = listen_.host;
    server.port = listen_.port;
    server.allow_non_loopback = options_.allow_non_loopback;
    server.max_connections = options_.max_connections;
    core::EvpPkeyPtr tls_key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
    server.identity.certificate =
        binding_certificate(ca_.authority(), tls_key.get(), options_.world.ces);
    server.identity.key = std::move(tls_key);
    server.identity.chain.push_back(core::share(ca_.authority().certificate()));
    if (serves(core::AuthMode::certificate) || cep_serves(core::AuthMode::certificate)) {
      // IIS "accept/require client certificates" on the Certificate
      // instance; the refusal (403) is the endpoint's own decision.
      server.client_certs = core::ClientCertMode::request;
      server.client_ca.push_back(core::share(ca_.authority().certificate()));
    }
    https_ = std::make_unique<core::HttpsServer>(
        std::move(server), [this](const core::HttpRequest& req, const core::ConnectionInfo& conn) {
          return route(req, conn);
        });
  }

  ~Impl() {
    https_->stop();
    if (owns_state_dir_) {
      std::error_code ignored;  // best effort: a temp dir left behind is harmless
      std::filesystem::remove_all(state_dir_, ignored);
    }
  }

  core::HttpResponse route(const core::HttpRequest& req, const core::ConnectionInfo& conn) {
    // HTTP.sys answers this before IIS, a recorded reply or a deviation.
    if (lacks_required_host(req)) return httpsys_invalid_hostname();
    if (const core::HttpResponse* recorded = replay_for(req.target)) return *recorded;
    return deviate(answer(req, conn), options_.world.wire_deviations);
  }

  core::HttpResponse answer(const core::HttpRequest& req, const core::ConnectionInfo& conn) {
    const std::string& ca_name = options_.world.ca.name;
    if (const auto ces = match_endpoint(req.target, ca_name, served());
        ces && ces->service == core::Service::ces) {
      return ces_.handle(req, conn, *ces, https_->base_url() + ces->path);
    }
    if (const auto cep = match_endpoint(req.target, ca_name, options_.world.cep.endpoints);
        cep && cep->service == core::Service::cep) {
      return answer_cep(req, conn, *cep);
    }
    return iis_not_found();
  }

  // CEP's Kerberos and Certificate endpoints authenticate in the transport
  // like CES's (IIS 401/403), then answer for the account found.
  core::HttpResponse answer_cep(const core::HttpRequest& req, const core::ConnectionInfo& conn,
                                const Endpoint& cep) {
    const std::string url = https_->base_url() + cep.path;
    if (cep.auth == core::AuthMode::username) {
      return cep_.handle(req, conn, cep, url, https_->base_url());
    }
    try {
      const pipeline::TransportIdentity who = pipeline::authenticate_transport(
          req, conn, cep, CesEndpoint{cep.auth, false, false}, options_.world,
          CesServiceOptions{options_.kerberos, options_.kerberos_acceptor}, &events_);
      core::HttpResponse response =
          cep_.handle_authenticated(req, *who.account, url, https_->base_url());
      if (who.kerberos && !who.kerberos->output_token.empty()) {
        response.headers.push_back({"WWW-Authenticate", "Negotiate " + who.kerberos->output_token});
      }
      return response;
    } catch (const pipeline::TransportRefusal& refused) {
      return refused.response;
    }
  }

  // The CES instances the world installs, by auth mode.
  std::vector<core::AuthMode> served() const {
    std::vector<core::AuthMode> out;
    for (const CesEndpoint& e : options_.world.ces.endpoints) out.push_back(e.auth);
    return out;
  }
  bool cep_serves(core::AuthMode auth) const {
    const auto& modes = options_.world.cep.endpoints;
    return std::find(modes.begin(), modes.end(), auth) != modes.end();
  }
  bool serves(core::AuthMode auth) const {
    const auto modes = served();
    return std::find(modes.begin(), modes.end(), auth) != modes.end();
  }

  // CES event 10 for each instance whose configuration keeps it from
  // starting (docs/causes.md kbr_incompatible_config); it then answers every
  // call with WCF's generic fault.
  void log_instances_that_fail_to_start() {
    for (const CesEndpoint& e : options_.world.ces.endpoints) {
      if (!CesService::instance_fails_to_start(e)) continue;
      events_.append(EventCatalog::builtin().make(
          "ces_kbr_incompatible_config", options_.world.ces.host,
          {{"uri", "https://" + options_.world.ces.host +
                       core::endpoint_path(core::Service::ces, e.auth, options_.world.ca.name)},
           {"auth", std::string(core::iis_name(e.auth))}}));
    }
  }

  // Recorded responses (world `replay:`), read and checked once at start so
  // a bad capture is reported by file name before anything is served.
  struct LoadedReplay {
    std::string path;
    core::HttpResponse response;
  };
  static std::vector<LoadedReplay> load_replays(const World& world) {
    std::vector<LoadedReplay> out;
    for (const Replay& r : world.replays) {
      std::ifstream in(r.response, std::ios::binary);
      if (!in) throw std::runtime_error("replay " + r.response.string() + ": cannot be read");
      const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      try {
        out.push_back({r.path, core::parse_http_response(raw)});
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error("replay " + r.response.string() + ": " + e.what());
      }
    }
    return out;
  }
  const core::HttpResponse* replay_for(const std::string& target) const {
    const std::string path = target.substr(0, target.find('?'));
    for (const LoadedReplay& r : replays_) {
      if (r.path == "*" || core::iequals(r.path, path) ||
          core::iequals(r.path, percent_decode_spaces(path))) {
        return &r.response;
      }
    }
    return nullptr;
  }
  static std::string percent_decode_spaces(std::string path) {
    for (std::size_t at; (at = path.find("%20")) != std::string::npos;) path.replace(at, 3, " ");
    return path;
  }

  std::filesystem::path ca_path() const { return ca_.certificate_path(); }

  MockOptions options_;
  ListenAddress listen_;
  bool owns_state_dir_;
  std::filesystem::path state_dir_;
  LabCa ca_;
  EventLog events_;
  CesService ces_;
  CepService cep_;
  std::vector<LoadedReplay> replays_;
  std::unique_ptr<core::HttpsServer> https_;
};

MockServer::MockServer(MockOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
MockServer::~MockServer() = default;

void MockServer::start() {
  impl_->https_->start();
}
void MockServer::stop() {
  impl_->https_->stop();
}
core::HttpResponse MockServer::handle(const core::HttpRequest& request,
                                      const core::ConnectionInfo& connection) {
  return impl_->route(request, connection);
}
std::string MockServer::base_url() const {
  return impl_->https_->base_url();
}

std::size_t MockServer::max_connections() const {
  return impl_->https_->max_connections();
}
std::filesystem::path MockServer::ca_certificate_path() const {
  return impl_->ca_path();
}
const World& MockServer::world() const {
  return impl_->options_.world;
}
const EventLog& MockServer::events() const {
  return impl_->events_;
}
const std::filesystem::path& MockServer::state_dir() const {
  return impl_->state_dir_;
}

std::string MockServer::endpoint_url(core::Service service, core::AuthMode auth) const {
  return base_url() + core::endpoint_path(service, auth, impl_->options_.world.ca.name);
}

std::vector<EndpointUrl> MockServer::endpoints() const {
  std::vector<EndpointUrl> out;
  for (core::AuthMode auth : impl_->served())
    out.push_back({core::Service::ces, auth, endpoint_url(core::Service::ces, auth)});
  for (core::AuthMode auth : world().cep.endpoints)
    out.push_back({core::Service::cep, auth, endpoint_url(core::Service::cep, auth)});
  return out;
}

void MockServer::write_ready_file(const std::filesystem::path& path,
                                  const nlohmann::json& extra) const {
  nlohmann::json j;
  if (extra.is_object()) j.update(extra);
  j["base_url"] = base_url();
  j["ca_certificate"] = ca_certificate_path().string();
  j["ca_name"] = world().ca.name;
  j["event_log"] = events().file() ? events().file()->string() : "";
  j["state_dir"] = state_dir().string();
  j["request_store"] = impl_->ca_.store().path();
  for (const EndpointUrl& e : endpoints()) {
    j[e.service == core::Service::ces ? "ces" : "cep"][std::string(core::iis_name(e.auth))] = e.url;
  }
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write ready file " + tmp);
    out << j.dump(2) << "\n";
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace ceslab::mock
