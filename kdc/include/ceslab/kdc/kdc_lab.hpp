// SPDX-License-Identifier: GPL-2.0-or-later
// A throw-away MIT Kerberos realm for one run: a temp directory with the
// realm's krb5.conf / kdc.conf and database (kdb5_util, kadmin.local), and
// krb5kdc listening on an ephemeral loopback port as an unprivileged child
// process. Principal attributes carry the lab's Kerberos facts the way MIT
// expresses them: a user that "cannot be delegated" gets -allow_forwardable,
// a service "trusted for delegation" +ok_as_delegate, a disabled account
// -allow_tix. Stopped and removed when the object goes away; the KDC also
// dies with the process that started it (PR_SET_PDEATHSIG), so an
// interrupted run leaves no daemon behind.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ceslab::kdc {

// Something the lab could not do; what() names the step and carries the
// tool's own output ("kadmin.local addprinc alice: ...").
class KdcError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Principal {
  std::string name;                     // "alice", "HTTP/ces.lab.test" (realm added)
  std::optional<std::string> password;  // nullopt: random key (services)
  // kadmin attribute switches, e.g. "-allow_forwardable", "+ok_as_delegate",
  // "-allow_tix", "+ok_to_auth_as_delegate", "+requires_preauth".
  std::vector<std::string> attributes;
};

struct KdcOptions {
  std::string realm = "LAB.TEST";
  std::vector<Principal> principals;
  // Where the realm's directory is made; empty = the system temp dir. A
  // harness that starts many worlds puts it on a RAM disk: the KDC database
  // is written on every principal change.
  std::filesystem::path parent_dir;
  // How long start() waits for krb5kdc to accept connections.
  std::chrono::milliseconds start_timeout{15000};
};

// Whether something accepts TCP connections on 127.0.0.1:`port` now (a
// lab's KDC does once it is up, and no longer once it is stopped).
bool loopback_accepts_tcp(std::uint16_t port);

class KdcLab {
 public:
  // Creates the realm and its principals and starts the KDC. Throws KdcError.
  static std::unique_ptr<KdcLab> start(KdcOptions options);
  ~KdcLab();  // stops krb5kdc and removes the directory
  KdcLab(const KdcLab&) = delete;
  KdcLab& operator=(const KdcLab&) = delete;

  const std::string& realm() const { return realm_; }
  std::uint16_t port() const { return port_; }
  // The krb5.conf clients and services of this realm use (KRB5_CONFIG).
  std::filesystem::path krb5_conf() const { return dir_ / "krb5.conf"; }
  const std::filesystem::path& directory() const { return dir_; }
  // How long start() took: database, principals, and the KDC accepting.
  std::chrono::milliseconds startup_time() const { return startup_time_; }
  // KRB5_CONFIG / KRB5_KDC_PROFILE entries for processes of this realm.
  std::vector<std::string> environment() const;

  void add_principal(const Principal& principal);
  // Whether a principal was added (by start() or add_principal) and not deleted.
  bool has_principal(const std::string& name) const;
  // The principals added by start() or add_principal and not deleted, by
  // the names they were added under; never the realm's own (krbtgt/...,
  // kadmin/..., K/M), which kdb5_util made.
  std::vector<std::string> principals() const;
  void delete_principal(const std::string& name);
  // Changes attributes of an existing principal ("-allow_forwardable").
  // Attributes already set by this object are not sent again.
  void modify_principal(const std::string& name, const std::vector<std::string>& attributes);
  // Gives an existing principal this password (new keys), unless this object
  // last set that very password.
  void set_password(const std::string& name, const std::string& password);
  // Writes the principal's current keys to a keytab file (for a service) and
  // returns it; the file written before is returned as it is while the
  // principal's keys have not changed since.
  std::filesystem::path export_keytab(const std::string& name);

 private:
  KdcLab() = default;
  // The steps of start(): the realm's krb5.conf, kdc.conf and ACL for port_;
  // the database with its principals; krb5kdc, up and accepting (true), or
  // exited on a port it lost (false: try another). Throws KdcError when the
  // KDC neither came up nor can try again.
  void write_configuration() const;
  void create_database(const std::vector<Principal>& principals);
  bool start_kdc(std::chrono::milliseconds timeout, bool last_attempt);
  void kadmin(const std::string& query, const std::string& what, const std::string& success_text);
  std::string qualified(const std::string& name) const;  // "alice" -> "alice@LAB.TEST"
  void stop();

  std::string realm_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  int kdc_pid_ = -1;
  std::chrono::milliseconds startup_time_{};
  // What this object has made of each principal it added: only this
  // object changes its realm, so it knows what is already there (and each
  // world admitted in turn costs only what differs: a kadmin.local process
  // each).
  struct Known {
    std::vector<std::string> attributes;
    std::optional<std::string> password;
    std::optional<std::filesystem::path> keytab;  // exported with the current keys
  };
  std::map<std::string, Known> known_;
};

}  // namespace ceslab::kdc
