// SPDX-License-Identifier: GPL-2.0-or-later
// The mock CA's request database. A Windows CA keeps every request it has
// seen, with a request id that is never reused; pending requests wait there
// for a certificate manager (MS-CSRA 3.1.4.1.3 ResubmitRequest, 3.1.4.1.4
// DenyRequest). This store keeps the same on SQLite in WAL mode, so request
// ids and pending requests survive a restart of `ceslab serve`, and an admin
// command in another process can approve or deny while the server runs.
//
// The store records; it does not sign. Approval is split in two so that a
// crash between the officer's decision and the signature loses nothing:
//   approve(id)        pending -> approved   (the officer's "certutil -resubmit N")
//   CA signs, then mark_issued(id, cert)     (or mark_denied / mark_failed when
//                                             the re-run policy says no)
// A request left `approved` by a crash is found with list(Disposition::approved)
// and issued at the next start.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ceslab::mock {

// The store could not do what was asked: the file is not a ceslab request
// store, is damaged, is locked longer than the busy timeout, or a transition
// was requested that the request's state does not allow. what() names the
// file ("/var/lib/ceslab/ca.db: ...").
class StoreError : public std::runtime_error {
 public:
  StoreError(std::string path, const std::string& problem);
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

// Request_Disposition of a CA database row, reduced to what the mock needs.
enum class Disposition {
  pending,   // "Taken Under Submission": waits for a certificate manager
  approved,  // an officer approved it; the CA has still to issue it (the
             // wire keeps calling it pending: Windows resubmits synchronously)
  issued,    // certificate_der holds the certificate
  denied,    // by the policy module or by an officer; status_code says why
  failed,    // the CA could not process it (error, not a decision)
};
std::string_view to_string(Disposition d);
// The inverse of to_string ("pending", ...); nullopt for anything else.
std::optional<Disposition> parse_disposition(std::string_view text);

// CERTSRV_E_ADMIN_DENIED_REQUEST 0x80094014 as the signed value the CA
// database and the wire carry (-2146877420).
inline constexpr std::int32_t kAdminDeniedRequest = static_cast<std::int32_t>(0x80094014u);

struct StoredRequest {
  std::int64_t id = 0;  // CA request id: 1, 2, 3 ... never reused, also after a restart
  Disposition disposition = Disposition::pending;
  std::string requester;  // account name as the CA saw it ("LAB\\alice")
  std::string template_name;
  std::vector<unsigned char> request_der;      // the PKCS#10 the CA evaluated
  std::vector<unsigned char> certificate_der;  // set once issued
  std::int32_t status_code = 0;                // HRESULT of a denial/failure, 0 otherwise
  std::string disposition_message;  // "Taken Under Submission", "Issued", "Denied by Policy Module"
  std::string ces_uri;              // the CES endpoint that accepted it (pending replies name it)
  std::chrono::system_clock::time_point submitted;  // stamped by the store
  std::chrono::system_clock::time_point resolved;   // epoch while pending or approved
  std::string attributes;  // request attributes, "name:value\n" lines (CertificateTemplate:User)

  friend bool operator==(const StoredRequest&, const StoredRequest&) = default;
};

struct StoreOptions {
  // How long a write waits for another connection's lock (another `ceslab`
  // process on the same file) before it fails with StoreError.
  std::chrono::milliseconds busy_timeout{5000};
  // Source of `submitted` and `resolved`; empty = system_clock::now. A fixed
  // clock makes listings reproducible.
  std::function<std::chrono::system_clock::time_point()> clock;
};

// Thread-safe: one SQLite connection guarded by a mutex, so server threads
// may share one store. Several stores (or processes) may open the same file;
// SQLite's locking keeps them consistent and ids distinct.
class RequestStore {
 public:
  // Opens or creates `file`. A new or empty file gets the schema; a file that
  // is a ceslab store of this schema version is used as it is. Anything else
  // is refused untouched with StoreError naming the file: a file that is not
  // SQLite, an SQLite database of another program (we never add our tables to
  // someone else's database), a store written by a newer ceslab, a damaged
  // store. The journal is switched to WAL.
  static RequestStore open(const std::filesystem::path& file, StoreOptions options = {});
  // A private store that lives as long as the object (tests, one-shot runs).
  static RequestStore in_memory(StoreOptions options = {});

  RequestStore(RequestStore&&) noexcept;
  RequestStore& operator=(RequestStore&&) noexcept;
  ~RequestStore();

  // Stores a request as given and returns its new id; `id`, `submitted` and
  // `resolved` are assigned by the store (resolved = submitted for a request
  // that arrives already issued, denied or failed). An issued request needs a
  // certificate (StoreError otherwise).
  std::int64_t add(StoredRequest request);

  std::optional<StoredRequest> find(std::int64_t id) const;
  // By ascending id; `only` filters on the disposition.
  std::vector<StoredRequest> list(std::optional<Disposition> only = {}) const;

  // The CA's outcome for a request that is pending or approved. Any other
  // state, or an unknown id, is a bug in the caller: StoreError.
  void mark_issued(std::int64_t id, std::vector<unsigned char> certificate_der,
                   std::string message = "Issued");
  void mark_denied(std::int64_t id, std::int32_t hresult, std::string message);
  void mark_failed(std::int64_t id, std::int32_t hresult, std::string message);

  // Officer actions (certutil -resubmit N / -deny N). Both act on a pending
  // request only and return the request as it now stands; nullopt (not an
  // exception) when the id is unknown or the request is not pending, so an
  // admin command can say so. Atomic: of two officers acting on the same
  // request, exactly one succeeds.
  // approve: -> approved, message "Resubmitted by <officer>" (model); the CA
  // then issues it (see the top of this file).
  std::optional<StoredRequest> approve(std::int64_t id, std::string_view officer = "Administrator");
  // deny: -> denied, kAdminDeniedRequest, "Denied by <officer>" (MS-CSRA
  // 3.1.4.1.4 gives this text for the Microsoft CA), resolved now.
  std::optional<StoredRequest> deny(std::int64_t id, std::string_view officer = "Administrator");

  // The file this store was opened on (":memory:" for in_memory()).
  const std::string& path() const;

 private:
  struct Impl;
  explicit RequestStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ceslab::mock
