// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/request_store.hpp"

#include <sqlite3.h>

#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <system_error>
#include <utility>

namespace ceslab::mock {

StoreError::StoreError(std::string path, const std::string& problem)
    : std::runtime_error(path + ": " + problem), path_(std::move(path)) {}

namespace {

// PRAGMA application_id of a ceslab request store ("CESL"): marks the file as
// ours in the SQLite header, so a foreign database is recognised before we
// write anything into it.
constexpr std::int64_t kApplicationId = 0x4345534C;
// PRAGMA user_version: the schema version this build reads and writes.
constexpr std::int64_t kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE requests (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: ids are never reused
  disposition         TEXT    NOT NULL
                      CHECK (disposition IN ('pending','approved','issued','denied','failed')),
  requester           TEXT    NOT NULL,
  template_name       TEXT    NOT NULL,
  request_der         BLOB    NOT NULL,
  certificate_der     BLOB    NOT NULL,  -- empty until issued
  status_code         INTEGER NOT NULL,  -- signed HRESULT
  disposition_message TEXT    NOT NULL,
  ces_uri             TEXT    NOT NULL,
  submitted_ns        INTEGER NOT NULL,  -- nanoseconds since the Unix epoch
  resolved_ns         INTEGER NOT NULL,  -- 0 while pending or approved
  attributes          TEXT    NOT NULL
);
CREATE INDEX requests_by_disposition ON requests (disposition);
)sql";

constexpr const char* kColumns =
    "id, disposition, requester, template_name, request_der, certificate_der, status_code, "
    "disposition_message, ces_uri, submitted_ns, resolved_ns, attributes";

using Clock = std::chrono::system_clock;

std::int64_t to_ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Clock::time_point from_ns(std::int64_t ns) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
}

struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

// One SQLite connection plus the file name every error is reported against.
class Connection {
 public:
  Connection(std::string path, int flags, std::chrono::milliseconds busy_timeout)
      : path_(std::move(path)), busy_timeout_(busy_timeout) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
    db_.reset(raw);  // also on failure: SQLite hands back a handle to close
    if (rc != SQLITE_OK) {
      fail("cannot open", rc);
    }
    sqlite3_extended_result_codes(raw, 1);
    // Wait for another connection's lock instead of failing at once.
    sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout_.count()));
  }

  sqlite3* get() const { return db_.get(); }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& doing, int rc) const {
    const std::string sqlite_says = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
    std::string problem;
    switch (rc & 0xff) {
      case SQLITE_NOTADB:
        // Whatever we were doing, the answer is about the file itself.
        problem = "not a ceslab request store: not an SQLite database (" + sqlite_says + ")";
        break;
      case SQLITE_BUSY:
        problem = doing + ": " + sqlite_says +
                  " (another connection held the lock for longer than the busy timeout of " +
                  std::to_string(busy_timeout_.count()) + " ms)";
        break;
      case SQLITE_CANTOPEN: {
        problem = doing + ": " + sqlite_says;
        const int err = db_ ? sqlite3_system_errno(db_.get()) : 0;
        if (err != 0) problem += " (" + std::generic_category().message(err) + ")";
        break;
      }
      default:
        problem = doing + ": " + sqlite_says;
    }
    throw StoreError(path_, problem);
  }

  void exec(const char* sql, const char* doing) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
    // sqlite3_errmsg already holds the same text; free SQLite's copy.
    sqlite3_free(message);
    if (rc != SQLITE_OK) fail(doing, rc);
  }

 private:
  std::unique_ptr<sqlite3, ConnectionCloser> db_;
  std::string path_;
  std::chrono::milliseconds busy_timeout_;
};

struct StatementFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using PreparedStatement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// `sql` compiled for `conn`; `flags` as sqlite3_prepare_v3 takes them.
PreparedStatement prepare_statement(const Connection& conn, std::string_view sql,
                                    unsigned int flags) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(conn.get(), sql.data(), static_cast<int>(sql.size()), flags,
                                    &raw, nullptr);
  PreparedStatement stmt(raw);
  if (rc != SQLITE_OK) conn.fail("cannot prepare \"" + std::string(sql) + "\"", rc);
  return stmt;
}

// One use of a prepared statement: one compiled for this use is finalized on
// scope exit, a borrowed one (prepared once, RequestStore::Impl::prepared) is
// reset and its bindings cleared, so that it holds no transaction open.
class Statement {
 public:
  Statement(const Connection& conn, std::string_view sql)
      : conn_(conn), owned_(prepare_statement(conn, sql, 0)), stmt_(owned_.get()) {}
  Statement(const Connection& conn, sqlite3_stmt* borrowed) : conn_(conn), stmt_(borrowed) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() {
    if (owned_) return;
    // Their results were checked where the statement ran: reset returns
    // the last step's error again, and clearing bindings cannot fail.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Statement& bind(int index, std::int64_t value) {
    check_bind(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Statement& bind(int index, std::string_view value) {
    check_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8));
    return *this;
  }
  Statement& bind(int index, const std::vector<unsigned char>& value) {
    // A null data pointer would bind SQL NULL; an empty blob is zeroblob(0).
    check_bind(value.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                             : sqlite3_bind_blob64(stmt_, index, value.data(), value.size(),
                                                   SQLITE_TRANSIENT));
    return *this;
  }

  // True while a row is available, false once the statement is done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    conn_.fail("cannot run \"" + std::string(sqlite3_sql(stmt_)) + "\"", rc);
  }
  void run() {
    while (step()) {
    }
  }

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
             : std::string();
  }
  std::vector<unsigned char> blob(int col) const {
    const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, col));
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::vector<unsigned char>(p, p + n) : std::vector<unsigned char>();
  }

 private:
  void check_bind(int rc) {
    if (rc != SQLITE_OK) conn_.fail("cannot bind a parameter", rc);
  }

  const Connection& conn_;
  PreparedStatement owned_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when left without commit().
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {
    // IMMEDIATE takes the write lock up front, so a concurrent writer waits
    // (busy timeout) here instead of deadlocking on a lock upgrade later.
    conn_.exec("BEGIN IMMEDIATE", "cannot start a transaction");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    // Left without commit(): an exception is unwinding (it is the error to
    // report) or there was nothing to write. The result is not checked: a
    // destructor cannot throw, and with every statement of the transaction
    // finalized by now ROLLBACK has nothing to fail on.
    if (!done_) sqlite3_exec(conn_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    conn_.exec("COMMIT", "cannot commit");
    done_ = true;
  }

 private:
  Connection& conn_;
  bool done_ = false;
};

std::int64_t pragma_int(const Connection& conn, const char* name) {
  Statement s(conn, std::string("PRAGMA ") + name);
  if (!s.step()) conn.fail(std::string("PRAGMA ") + name + " returned nothing", SQLITE_ERROR);
  return s.int64(0);
}

std::string pragma_text(const Connection& conn, const std::string& pragma) {
  Statement s(conn, "PRAGMA " + pragma);
  if (!s.step()) conn.fail("PRAGMA " + pragma + " returned nothing", SQLITE_ERROR);
  return s.text(0);
}

// Names of the tables, indexes, views and triggers a database holds.
std::vector<std::string> schema_objects(const Connection& conn) {
  Statement s(conn, "SELECT name FROM sqlite_schema ORDER BY name");
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.text(0));
  return names;
}

std::string hex32(std::int64_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08llX",
                static_cast<unsigned long long>(static_cast<std::uint32_t>(v)));
  return buf;
}

[[noreturn]] void refuse_foreign(const Connection& conn, std::int64_t app_id,
                                 const std::vector<std::string>& objects) {
  std::string problem = "not a ceslab request store but an SQLite database of another program (";
  if (app_id != 0) problem += "application_id " + hex32(app_id) + (objects.empty() ? "" : "; ");
  if (!objects.empty()) {
    problem += "holds";
    for (std::size_t i = 0; i < objects.size() && i < 5; ++i) {
      problem += (i ? ", " : " ") + objects[i];
    }
    if (objects.size() > 5) problem += ", ...";
  }
  problem += "); refusing to change it";
  throw StoreError(conn.path(), problem);
}

// Creates the schema in an empty database, or accepts one that another
// process initialised meanwhile.
void initialise(Connection& conn) {
  Transaction tx(conn);
  // Checked again under the write lock: two processes may race to create.
  const std::int64_t app_id = pragma_int(conn, "application_id");
  if (app_id == kApplicationId) return;  // someone else was first; tx rolls back
  const auto objects = schema_objects(conn);
  if (app_id != 0 || !objects.empty()) refuse_foreign(conn, app_id, objects);
  conn.exec(kSchema, "cannot create the schema");
  conn.exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str(),
            "cannot mark the file as a ceslab store");
  conn.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str(),
            "cannot record the schema version");
  tx.commit();
}

// Accepts or refuses the file, creates the schema if it is new, and sets the
// connection up. Nothing is written before the file is known to be ours.
void prepare(Connection& conn, bool in_memory) {
  if (sqlite3_db_readonly(conn.get(), "main") == 1) {
    throw StoreError(conn.path(), "is read-only; the request store must be writable");
  }
  const std::int64_t app_id = pragma_int(conn, "application_id");
  if (app_id != kApplicationId) {
    const auto objects = schema_objects(conn);
    if (app_id != 0 || !objects.empty()) refuse_foreign(conn, app_id, objects);
    initialise(conn);
  }
  const std::int64_t version = pragma_int(conn, "user_version");
  if (version > kSchemaVersion) {
    throw StoreError(conn.path(), "was written by a newer ceslab (schema version " +
                                      std::to_string(version) + ", this build reads " +
                                      std::to_string(kSchemaVersion) + ")");
  }
  if (version < kSchemaVersion) {
    throw StoreError(conn.path(), "is damaged: a ceslab store without a schema version (" +
                                      std::to_string(version) + ")");
  }
  // A damaged store is reported at open, not half-way through serving.
  const std::string check = pragma_text(conn, "quick_check");
  if (check != "ok") throw StoreError(conn.path(), "is damaged: " + check);

  if (!in_memory) {
    // WAL: readers and the writer do not block each other, and a commit is
    // one append to the log. The mode is stored in the file.
    const std::string mode = pragma_text(conn, "journal_mode = WAL");
    if (mode != "wal") {
      throw StoreError(conn.path(), "cannot switch to WAL journal mode (still '" + mode +
                                        "'; the file system may not support it)");
    }
  }
  // NORMAL in WAL mode: a commit survives a crash of the process (what a
  // restart of `ceslab serve` is); only an OS crash may lose the last ones
  // ("Transactions are durable across application crashes regardless of the
  // synchronous setting or journal mode", https://www.sqlite.org/pragma.html#pragma_synchronous).
  conn.exec("PRAGMA synchronous = NORMAL", "cannot set synchronous mode");
}

StoredRequest read_row(const Connection& conn, const Statement& s) {
  StoredRequest r;
  r.id = s.int64(0);
  const std::string disposition = s.text(1);
  const auto d = parse_disposition(disposition);
  if (!d) {
    throw StoreError(conn.path(), "request " + std::to_string(r.id) +
                                      " has an unknown disposition '" + disposition + "'");
  }
  r.disposition = *d;
  r.requester = s.text(2);
  r.template_name = s.text(3);
  r.request_der = s.blob(4);
  r.certificate_der = s.blob(5);
  const std::int64_t status = s.int64(6);
  if (status < std::numeric_limits<std::int32_t>::min() ||
      status > std::numeric_limits<std::int32_t>::max()) {
    throw StoreError(conn.path(), "request " + std::to_string(r.id) + " has a status code (" +
                                      std::to_string(status) + ") that is no HRESULT");
  }
  r.status_code = static_cast<std::int32_t>(status);
  r.disposition_message = s.text(7);
  r.ces_uri = s.text(8);
  r.submitted = from_ns(s.int64(9));
  r.resolved = from_ns(s.int64(10));
  r.attributes = s.text(11);
  return r;
}

bool is_resolved(Disposition d) {
  return d == Disposition::issued || d == Disposition::denied || d == Disposition::failed;
}

}  // namespace

std::string_view to_string(Disposition d) {
  switch (d) {
    case Disposition::pending:
      return "pending";
    case Disposition::approved:
      return "approved";
    case Disposition::issued:
      return "issued";
    case Disposition::denied:
      return "denied";
    case Disposition::failed:
      return "failed";
  }
  return "unknown";
}

std::optional<Disposition> parse_disposition(std::string_view text) {
  for (auto d : {Disposition::pending, Disposition::approved, Disposition::issued,
                 Disposition::denied, Disposition::failed}) {
    if (to_string(d) == text) return d;
  }
  return std::nullopt;
}

struct RequestStore::Impl {
  Impl(std::string path, int flags, StoreOptions opts)
      : conn(std::move(path), flags, opts.busy_timeout), options(std::move(opts)) {}

  Clock::time_point now() const { return options.clock ? options.clock() : Clock::now(); }

  // The statements every request runs, compiled once per connection rather
  // than per call (sqlite3_prepare was 4-5% of the mock's issuance profile).
  // `sql` is one of the constants below; callers hold `mutex`.
  sqlite3_stmt* prepared(std::string_view sql) const {
    auto it = statements.find(sql);
    if (it == statements.end()) {
      it = statements
               .emplace(std::string(sql), prepare_statement(conn, sql, SQLITE_PREPARE_PERSISTENT))
               .first;
    }
    return it->second.get();
  }

  std::optional<StoredRequest> find_locked(std::int64_t id) const {
    Statement s(conn, prepared(kFindSql));
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_row(conn, s);
  }

  // Moves a pending or approved request to its outcome; anything else is a
  // caller bug, reported with the state the request is really in.
  void resolve(std::int64_t id, Disposition to, std::int32_t status,
               const std::vector<unsigned char>& certificate, const std::string& message) {
    std::lock_guard lock(mutex);
    Statement s(conn, prepared(kResolveSql));
    s.bind(1, to_string(to)).bind(2, std::int64_t{status}).bind(3, certificate);
    s.bind(4, message).bind(5, to_ns(now())).bind(6, id);
    s.run();
    if (sqlite3_changes(conn.get()) == 1) return;
    const auto current = find_locked(id);
    throw StoreError(conn.path(),
                     "cannot mark request " + std::to_string(id) + " " +
                         std::string(to_string(to)) + ": " +
                         (current ? "it is " + std::string(to_string(current->disposition)) +
                                        ", not pending or approved"
                                  : std::string("no such request")));
  }

  // An officer's action: one atomic UPDATE of a pending row, so that of two
  // concurrent officers (or processes) exactly one gets the request.
  std::optional<StoredRequest> officer_action(std::int64_t id, Disposition to, std::int32_t status,
                                              const std::string& message,
                                              std::int64_t resolved_ns) {
    std::lock_guard lock(mutex);
    Statement s(conn, std::string("UPDATE requests SET disposition = ?, status_code = ?, "
                                  "disposition_message = ?, resolved_ns = ? "
                                  "WHERE id = ? AND disposition = 'pending' RETURNING ") +
                          kColumns);
    s.bind(1, to_string(to)).bind(2, std::int64_t{status}).bind(3, message);
    s.bind(4, resolved_ns).bind(5, id);
    std::optional<StoredRequest> result;
    if (s.step()) result = read_row(conn, s);
    s.run();  // the change is committed once the statement is done
    return result;
  }

  static inline const std::string kFindSql =
      std::string("SELECT ") + kColumns + " FROM requests WHERE id = ?";
  static constexpr const char* kResolveSql =
      "UPDATE requests SET disposition = ?, status_code = ?, certificate_der = ?, "
      "disposition_message = ?, resolved_ns = ? "
      "WHERE id = ? AND disposition IN ('pending', 'approved')";
  static constexpr const char* kAddSql =
      "INSERT INTO requests (disposition, requester, template_name, request_der, "
      "certificate_der, status_code, disposition_message, ces_uri, submitted_ns, "
      "resolved_ns, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  Connection conn;
  StoreOptions options;
  mutable std::mutex mutex;  // one statement at a time on the one connection
  // Declared after `conn`: finalized before it closes.
  mutable std::map<std::string, PreparedStatement, std::less<>> statements;
};

RequestStore::RequestStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RequestStore::RequestStore(RequestStore&&) noexcept = default;
RequestStore& RequestStore::operator=(RequestStore&&) noexcept = default;
RequestStore::~RequestStore() = default;

RequestStore RequestStore::open(const std::filesystem::path& file, StoreOptions options) {
  auto impl = std::make_unique<Impl>(
      file.string(),
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,  // Impl::mutex serialises
      std::move(options));
  prepare(impl->conn, false);
  return RequestStore(std::move(impl));
}

RequestStore RequestStore::in_memory(StoreOptions options) {
  auto impl = std::make_unique<Impl>(
      ":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      std::move(options));
  prepare(impl->conn, true);
  return RequestStore(std::move(impl));
}

std::int64_t RequestStore::add(StoredRequest request) {
  if (request.disposition == Disposition::issued && request.certificate_der.empty()) {
    throw StoreError(impl_->conn.path(), "cannot add an issued request without its certificate");
  }
  std::lock_guard lock(impl_->mutex);
  const auto submitted = impl_->now();
  Statement s(impl_->conn, impl_->prepared(Impl::kAddSql));
  s.bind(1, to_string(request.disposition)).bind(2, request.requester);
  s.bind(3, request.template_name).bind(4, request.request_der).bind(5, request.certificate_der);
  s.bind(6, std::int64_t{request.status_code}).bind(7, request.disposition_message);
  s.bind(8, request.ces_uri).bind(9, to_ns(submitted));
  s.bind(10, is_resolved(request.disposition) ? to_ns(submitted) : std::int64_t{0});
  s.bind(11, request.attributes);
  s.run();
  // Per connection, and the mutex keeps other threads' inserts out of the way.
  return sqlite3_last_insert_rowid(impl_->conn.get());
}

std::optional<StoredRequest> RequestStore::find(std::int64_t id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->find_locked(id);
}

std::vector<StoredRequest> RequestStore::list(std::optional<Disposition> only) const {
  std::lock_guard lock(impl_->mutex);
  std::string sql = std::string("SELECT ") + kColumns + " FROM requests";
  if (only) sql += " WHERE disposition = ?";
  sql += " ORDER BY id";
  Statement s(impl_->conn, sql);
  if (only) s.bind(1, to_string(*only));
  std::vector<StoredRequest> rows;
  while (s.step()) rows.push_back(read_row(impl_->conn, s));
  return rows;
}

void RequestStore::mark_issued(std::int64_t id, std::vector<unsigned char> certificate_der,
                               std::string message) {
  if (certificate_der.empty()) {
    throw StoreError(impl_->conn.path(),
                     "cannot mark request " + std::to_string(id) + " issued without a certificate");
  }
  impl_->resolve(id, Disposition::issued, 0, certificate_der, message);
}

void RequestStore::mark_denied(std::int64_t id, std::int32_t hresult, std::string message) {
  impl_->resolve(id, Disposition::denied, hresult, {}, message);
}

void RequestStore::mark_failed(std::int64_t id, std::int32_t hresult, std::string message) {
  impl_->resolve(id, Disposition::failed, hresult, {}, message);
}

std::optional<StoredRequest> RequestStore::approve(std::int64_t id, std::string_view officer) {
  return impl_->officer_action(id, Disposition::approved, 0,
                               "Resubmitted by " + std::string(officer), 0);
}

std::optional<StoredRequest> RequestStore::deny(std::int64_t id, std::string_view officer) {
  return impl_->officer_action(id, Disposition::denied, kAdminDeniedRequest,
                               "Denied by " + std::string(officer), to_ns(impl_->now()));
}

const std::string& RequestStore::path() const {
  return impl_->conn.path();
}

}  // namespace ceslab::mock
