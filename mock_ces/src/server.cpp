// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/server.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <stdexcept>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/mock/cep_service.hpp"
#include "ceslab/mock/ces_service.hpp"

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

// IIS answers an unknown path with its own HTML 404 page; a Windows client
// reports that as WS_E_INVALID_FORMAT (protocol.md 6).
core::HttpResponse iis_not_found() {
  core::HttpResponse r;
  r.status = 404;
  r.reason = "Not Found";
  r.headers.push_back({"Content-Type", "text/html"});
  r.headers.push_back({"Server", "Microsoft-IIS/10.0"});
  r.body =
      "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
      "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\r\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<head>\r\n"
      "<title>404 - File or directory not found.</title>\r\n</head>\r\n<body>\r\n"
      "<div id=\"header\"><h1>Server Error</h1></div>\r\n<div id=\"content\">\r\n"
      "<h2>404 - File or directory not found.</h2>\r\n"
      "<h3>The resource you are looking for might have been removed, had its name changed, or is "
      "temporarily unavailable.</h3>\r\n</div>\r\n</body>\r\n</html>\r\n";
  return r;
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

}  // namespace

class MockServer::Impl {
 public:
  explicit Impl(MockOptions options)
      : options_(std::move(options)),
        listen_(parse_listen(options_.listen)),
        owns_state_dir_(options_.state_dir.empty()),
        state_dir_(owns_state_dir_ ? make_temp_dir() : make_dir(options_.state_dir)),
        ca_(make_ca(options_.world)),
        events_(state_dir_ / "events.jsonl"),
        ces_(options_.world, ca_, events_),
        cep_(options_.world, ca_.authority(), events_) {
    core::write_certificates_pem(ca_path(), {ca_.authority().certificate()});

    core::ServerOptions server;
    server.address = listen_.host;
    server.port = listen_.port;
    server.allow_non_loopback = options_.allow_non_loopback;
    core::EvpPkeyPtr tls_key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
    server.identity.certificate =
        ca_.authority().issue_tls_server(tls_key.get(), {"localhost"}, {"127.0.0.1", "::1"});
    server.identity.key = std::move(tls_key);
    server.identity.chain.push_back(core::share(ca_.authority().certificate()));
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

  static LabCa make_ca(const World& world) {
    core::CaOptions ca;
    ca.subject = world.ca.subject;
    return LabCa(core::CertificateAuthority::create(ca));
  }

  core::HttpResponse route(const core::HttpRequest& req, const core::ConnectionInfo& conn) {
    const std::string& ca_name = options_.world.ca.name;
    if (const auto ces = match_endpoint(req.target, ca_name, served());
        ces && ces->service == Service::ces) {
      return ces_.handle(req, conn, *ces, https_->base_url() + ces->path);
    }
    if (const auto cep = match_endpoint(req.target, ca_name, options_.world.cep.endpoints);
        cep && cep->service == Service::cep) {
      return cep_.handle(req, conn, *cep, https_->base_url() + cep->path, https_->base_url());
    }
    return iis_not_found();
  }

  static std::vector<AuthMode> served() { return {AuthMode::username_password}; }

  std::filesystem::path ca_path() const { return state_dir_ / "ca.pem"; }

  MockOptions options_;
  ListenAddress listen_;
  bool owns_state_dir_;
  std::filesystem::path state_dir_;
  LabCa ca_;
  EventLog events_;
  CesService ces_;
  CepService cep_;
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
std::string MockServer::base_url() const {
  return impl_->https_->base_url();
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

std::string MockServer::endpoint_url(Service service, AuthMode auth) const {
  return base_url() + endpoint_path(service, auth, impl_->options_.world.ca.name);
}

std::vector<EndpointUrl> MockServer::endpoints() const {
  std::vector<EndpointUrl> out;
  for (AuthMode auth : Impl::served())
    out.push_back({Service::ces, auth, endpoint_url(Service::ces, auth)});
  for (AuthMode auth : world().cep.endpoints)
    out.push_back({Service::cep, auth, endpoint_url(Service::cep, auth)});
  return out;
}

void MockServer::write_ready_file(const std::filesystem::path& path) const {
  nlohmann::json j;
  j["base_url"] = base_url();
  j["ca_certificate"] = ca_certificate_path().string();
  j["ca_name"] = world().ca.name;
  j["event_log"] = events().file() ? events().file()->string() : "";
  for (const EndpointUrl& e : endpoints()) {
    j[e.service == Service::ces ? "ces" : "cep"][std::string(to_string(e.auth))] = e.url;
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
