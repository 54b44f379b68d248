// SPDX-License-Identifier: GPL-2.0-or-later
#include <csignal>
#include <iostream>

#include <cstdlib>

#include "ceslab/core/https_server.hpp"
#include "ceslab/mock/server.hpp"
#include "ceslab/runner/kerberos_lab.hpp"
#include "commands.hpp"
#include "interruptible.hpp"

namespace ceslab::app {

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Serve a mock CES on loopback with an embedded CA");
  struct Args {
    std::string listen = "127.0.0.1:0";
    std::string world;
    std::string ready_file;
    std::string state_dir;
    bool kdc = false;
    std::size_t max_connections = 0;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--listen", args->listen,
                  "ADDR:PORT to listen on (loopback; port 0 = any free port)")
      ->capture_default_str();
  cmd->add_option("--world", args->world,
                  "World file (or a scenario file's world:); default: the lab in docs/world.md")
      ->check(CLI::ExistingFile);
  cmd->add_option("--ready-file", args->ready_file,
                  "Write endpoints and CA path as JSON here once serving")
      ->type_name("FILE");
  cmd->add_option(
         "--state-dir", args->state_dir,
         "Directory for the lab's state: CA key pair, request database, event log (default: a "
         "temp dir, removed on exit); reused when it exists")
      ->type_name("DIR");
  cmd->add_option("--max-connections", args->max_connections,
                  "Connections open at once; at the cap a new client is served by closing the "
                  "connection idle longest (default 0: the open-files limit, ulimit -n, less " +
                      std::to_string(core::kFdReserve) + ", at most " +
                      std::to_string(core::kDefaultMaxConnections) + ")");
  cmd->add_flag("--kdc", args->kdc,
                "Start a throw-away MIT KDC on loopback for the realm of the world's domain "
                "(domain.dns upper-cased) with the world's accounts and services, and serve the "
                "Kerberos endpoints with real Negotiate (the ready file says "
                "where its krb5.conf is: point KRB5_CONFIG at it)");
  cmd->callback([args, &exit_code] {
    // Block the stop signals before any thread starts so only sigwait sees them.
    const sigset_t stop_signals = stop_signal_set();
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    mock::MockOptions options;
    options.listen = args->listen;
    options.state_dir = args->state_dir;
    options.max_connections = args->max_connections;
    if (!args->world.empty()) options.world = mock::load_world(args->world);
    std::unique_ptr<runner::LabRealm> realm;
    nlohmann::json extra = nlohmann::json::object();
    if (args->kdc) {
      // The realm is the world's AD domain, as a Windows DC names it; this
      // process's GSS-API calls (the CES acceptor, the CA hop) use it.
      realm = runner::LabRealm::start(options.world.kerberos_realm());
      options.kerberos = realm->admit(options.world);
      const kdc::KdcLab& kdc = realm->kdc();
      extra["kerberos"] = {{"realm", kdc.realm()},
                           {"krb5_conf", kdc.krb5_conf().string()},
                           {"kdc", "127.0.0.1:" + std::to_string(kdc.port())},
                           {"ces_spn", options.kerberos->ces_principal},
                           {"ca_spn", options.kerberos->ca_principal},
                           {"startup_ms", kdc.startup_time().count()}};
    }
    mock::MockServer server(std::move(options));
    server.start();
    std::cout << "ceslab serve: listening on " << server.base_url() << " (at most "
              << server.max_connections() << " connections)\n";
    for (const auto& e : server.endpoints()) {
      std::cout << "  " << (e.service == core::Service::ces ? "CES " : "CEP ") << std::left
                << core::iis_name(e.auth) << ": " << e.url << "\n";
    }
    if (realm) {
      const kdc::KdcLab& kdc = realm->kdc();
      std::cout << "  Kerberos realm " << kdc.realm() << " (KDC 127.0.0.1:" << kdc.port()
                << ", started in " << kdc.startup_time().count()
                << " ms): KRB5_CONFIG=" << kdc.krb5_conf().string() << "\n";
    }
    std::cout << "  CA certificate: " << server.ca_certificate_path().string() << "\n"
              << "  State directory: " << server.state_dir().string() << "\n"
              << std::flush;
    if (!args->ready_file.empty()) server.write_ready_file(args->ready_file, extra);
    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::cout << "ceslab serve: stopping (signal " << signal << ")\n";
    server.stop();
    exit_code = kOk;
  });
}

}  // namespace ceslab::app
