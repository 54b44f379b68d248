// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/kdc/kdc_lab.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <random>
#include <thread>

#include "ceslab/core/ossl.hpp"
#include "process.hpp"

namespace ceslab::kdc {
namespace {

// The MIT tools, as Debian's krb5-kdc / krb5-admin-server install them.
constexpr const char* kKdb5Util = "/usr/sbin/kdb5_util";
constexpr const char* kKadminLocal = "/usr/sbin/kadmin.local";
constexpr const char* kKrb5kdc = "/usr/sbin/krb5kdc";

std::filesystem::path make_temp_dir(std::filesystem::path parent) {
  if (parent.empty()) parent = std::filesystem::temp_directory_path();
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    const auto dir = parent / ("ceslab-kdc-" + std::to_string(rd()));
    if (std::filesystem::create_directory(dir)) {
      std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
      return dir;
    }
  }
  throw KdcError("could not create a realm directory under " + parent.string());
}

// A port free for both TCP and UDP on 127.0.0.1 right now. The KDC binds it
// a moment later; start() retries with another port if it lost the race.
std::uint16_t free_port() {
  for (int attempt = 0; attempt < 32; ++attempt) {
    const int tcp = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (tcp < 0 || bind(tcp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(tcp, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      if (tcp >= 0) close(tcp);
      continue;
    }
    const int udp = socket(AF_INET, SOCK_DGRAM, 0);
    const bool udp_free =
        udp >= 0 && bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (udp >= 0) close(udp);
    close(tcp);
    if (udp_free) return ntohs(addr.sin_port);
  }
  throw KdcError("no free loopback port for the KDC");
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  if (!out || !(out << text)) throw KdcError("cannot write " + path.string());
}

std::string random_secret() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw KdcError("RAND_bytes for the master key");
  return core::hex_lower(bytes, sizeof bytes);
}

// Loopback only, TCP and UDP on the same port; no DNS, no reverse lookups.
// (MIT 1.20 takes no "tcp/" prefix here: udp_preference_limit = 1 makes the
// client use TCP.)
std::string krb5_conf_text(const std::string& realm, std::uint16_t port) {
  std::string domain = realm;
  for (char& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "[libdefaults]\n"
         " default_realm = " +
         realm +
         "\n"
         " dns_lookup_kdc = false\n dns_lookup_realm = false\n rdns = false\n"
         " dns_canonicalize_hostname = false\n"
         " udp_preference_limit = 1\n"
         " forwardable = true\n"
         // A Windows client does not adopt the KDC's clock: a skewed one
         // fails (KRB_AP_ERR_SKEW) instead of adapting.
         " kdc_timesync = 0\n"
         "[realms]\n " +
         realm + " = {\n  kdc = 127.0.0.1:" + std::to_string(port) +
         "\n }\n"
         // The realm's DNS domain maps to it, as AD's does.
         "[domain_realm]\n ." +
         domain + " = " + realm + "\n " + domain + " = " + realm + "\n";
}

// The KDC's listening lines (UDP and TCP on one loopback port), indented as
// the section they go in.
std::string listen_lines(const std::string& indent, std::uint16_t port) {
  const std::string address = "127.0.0.1:" + std::to_string(port);
  return indent + "kdc_listen = " + address + "\n" + indent + "kdc_tcp_listen = " + address + "\n";
}

std::string kdc_conf_text(const std::string& realm, std::uint16_t port, const std::string& dir) {
  return "[kdcdefaults]\n" + listen_lines(" ", port) + "[realms]\n " + realm +
         " = {\n"
         "  database_name = " +
         dir +
         "/principal\n"
         "  key_stash_file = " +
         dir +
         "/stash\n"
         "  acl_file = " +
         dir + "/kadm5.acl\n" + listen_lines("  ", port) +
         "  max_life = 10h 0m 0s\n  max_renewable_life = 7d 0h 0m 0s\n"
         "  supported_enctypes = aes256-cts-hmac-sha1-96:normal "
         "aes128-cts-hmac-sha1-96:normal\n"
         " }\n"
         "[logging]\n kdc = FILE:" +
         dir + "/kdc.log\n";
}

std::string tail(const std::filesystem::path& file, std::size_t max = 2000) {
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > max ? text.substr(text.size() - max) : text;
}

}  // namespace

bool loopback_accepts_tcp(std::uint16_t port) {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(s);
  return ok;
}

std::unique_ptr<KdcLab> KdcLab::start(KdcOptions options) {
  const auto began = std::chrono::steady_clock::now();
  std::unique_ptr<KdcLab> lab(new KdcLab());
  lab->realm_ = options.realm;
  lab->dir_ = make_temp_dir(options.parent_dir);
  for (int attempt = 0;; ++attempt) {
    lab->port_ = free_port();
    lab->write_configuration();
    if (attempt == 0) lab->create_database(options.principals);
    // Another process may have taken the port between our check and the
    // KDC's bind: try again on a new one before giving up.
    if (lab->start_kdc(options.start_timeout, attempt >= 2)) break;
  }
  lab->startup_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - began);
  return lab;
}

void KdcLab::write_configuration() const {
  write_file(dir_ / "krb5.conf", krb5_conf_text(realm_, port_));
  write_file(dir_ / "kdc.conf", kdc_conf_text(realm_, port_, dir_.string()));
  write_file(dir_ / "kadm5.acl", "");
}

void KdcLab::create_database(const std::vector<Principal>& principals) {
  const ToolResult created =
      run_tool({kKdb5Util, "-r", realm_, "create", "-s", "-P", random_secret()}, environment());
  if (created.exit_code != 0) throw KdcError("kdb5_util create " + realm_ + ": " + created.output);
  for (const Principal& p : principals) add_principal(p);
}

bool KdcLab::start_kdc(std::chrono::milliseconds timeout, bool last_attempt) {
  kdc_pid_ =
      start_daemon({kKrb5kdc, "-n", "-r", realm_}, environment(), (dir_ / "krb5kdc.out").string());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline && daemon_running(kdc_pid_) &&
         !loopback_accepts_tcp(port_)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (daemon_running(kdc_pid_) && loopback_accepts_tcp(port_)) return true;
  const bool exited = !daemon_running(kdc_pid_);
  stop_daemon(kdc_pid_);
  kdc_pid_ = -1;
  // Only a KDC that exited (lost the port) is worth another port.
  if (!exited || last_attempt) {
    throw KdcError(std::string("krb5kdc did not ") + (exited ? "stay up" : "accept connections") +
                   " on 127.0.0.1:" + std::to_string(port_) + ": " + tail(dir_ / "krb5kdc.out") +
                   tail(dir_ / "kdc.log"));
  }
  return false;
}

KdcLab::~KdcLab() {
  stop();
  std::error_code ignored;  // best effort: a temp dir left behind is harmless
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

void KdcLab::stop() {
  stop_daemon(kdc_pid_);
  kdc_pid_ = -1;
}

std::vector<std::string> KdcLab::environment() const {
  return {"KRB5_CONFIG=" + krb5_conf().string(),
          "KRB5_KDC_PROFILE=" + (dir_ / "kdc.conf").string()};
}

void KdcLab::kadmin(const std::string& query, const std::string& what,
                    const std::string& success_text) {
  const ToolResult r = run_tool({kKadminLocal, "-r", realm_, "-q", query}, environment());
  // kadmin.local exits 0 even when the query failed, so success is read from
  // the line it prints when it did the work.
  if (r.exit_code != 0 || r.output.find(success_text) == std::string::npos) {
    throw KdcError("kadmin.local " + what + ": " + r.output);
  }
}

std::string KdcLab::qualified(const std::string& name) const {
  return name.find('@') == std::string::npos ? name + "@" + realm_ : name;
}

void KdcLab::add_principal(const Principal& principal) {
  std::string query = "addprinc";
  for (const std::string& a : principal.attributes) query += " " + a;
  query += principal.password ? " -pw " + *principal.password : " -randkey";
  kadmin(query + " " + principal.name, "addprinc " + principal.name,
         "Principal \"" + qualified(principal.name) + "\" created.");
  known_[principal.name] = {principal.attributes, principal.password, std::nullopt};
}

bool KdcLab::has_principal(const std::string& name) const {
  return known_.count(name) != 0;
}

std::vector<std::string> KdcLab::principals() const {
  std::vector<std::string> names;
  for (const auto& [name, known] : known_) names.push_back(name);
  return names;
}

void KdcLab::delete_principal(const std::string& name) {
  kadmin("delprinc -force " + name, "delprinc " + name,
         "Principal \"" + qualified(name) + "\" deleted.");
  known_.erase(name);
}

void KdcLab::modify_principal(const std::string& name, const std::vector<std::string>& attributes) {
  const auto known = known_.find(name);
  if (known != known_.end() && known->second.attributes == attributes) return;
  std::string query = "modprinc";
  for (const std::string& a : attributes) query += " " + a;
  kadmin(query + " " + name, "modprinc " + name, "Principal \"" + qualified(name) + "\" modified.");
  if (known != known_.end()) known->second.attributes = attributes;
}

void KdcLab::set_password(const std::string& name, const std::string& password) {
  const auto known = known_.find(name);
  if (known != known_.end() && known->second.password == password) return;
  kadmin("cpw -pw " + password + " " + name, "cpw " + name,
         "Password for \"" + qualified(name) + "\" changed.");
  if (known != known_.end()) {
    known->second.password = password;
    known->second.keytab.reset();  // new keys
  }
}

std::filesystem::path KdcLab::export_keytab(const std::string& name) {
  const auto known = known_.find(name);
  if (known != known_.end() && known->second.keytab) return *known->second.keytab;
  std::string file = name;
  for (char& c : file)
    if (c == '/' || c == '@') c = '_';
  const std::filesystem::path path = dir_ / (file + ".keytab");
  // ktadd appends: a principal deleted and made again (new keys, kvno 1
  // again) would leave its old keys first in the file.
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  kadmin("ktadd -k " + path.string() + " -norandkey " + name, "ktadd " + name, "added to keytab");
  if (known != known_.end()) known->second.keytab = path;
  return path;
}

}  // namespace ceslab::kdc
