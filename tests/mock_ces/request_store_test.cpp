// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/request_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "ceslab/core/codes.hpp"

namespace ceslab::mock {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;
using Bytes = std::vector<unsigned char>;

const Clock::time_point kSubmitted = Clock::time_point(std::chrono::seconds(1'700'000'000));

StoreOptions fixed_clock() {
  StoreOptions o;
  o.clock = [] { return kSubmitted; };
  return o;
}

StoredRequest pending_request(std::string requester = "LAB\\alice") {
  StoredRequest r;
  r.disposition = Disposition::pending;
  r.requester = std::move(requester);
  r.template_name = "LabUserApproval";
  r.request_der = {0x30, 0x82, 0x00, 0x00, 0x01};
  r.disposition_message = "Taken Under Submission";
  r.ces_uri = "https://ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES";
  r.attributes = "CertificateTemplate:LabUserApproval\n";
  return r;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

// A plain SQLite connection, as another program (or sqlite3 CLI) would open
// the file.
class RawDb {
 public:
  explicit RawDb(const fs::path& p) {
    if (sqlite3_open(p.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
  }
  ~RawDb() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (err ? err : "?");
    }
    sqlite3_free(err);
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      if (const auto* t = sqlite3_column_text(s, 0)) out = reinterpret_cast<const char*>(t);
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

// Each test gets its own directory, removed afterwards; the test fails if the
// store left something it should have cleaned up (checked where it matters).
class RequestStoreFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ceslab-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    file_ = dir_ / "ca.db";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    EXPECT_FALSE(fs::exists(dir_));
  }
  std::set<std::string> dir_entries() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.insert(e.path().filename().string());
    return names;
  }

  fs::path dir_;
  fs::path file_;
};

TEST(RequestStore, DispositionNamesRoundTrip) {
  for (auto d : {Disposition::pending, Disposition::approved, Disposition::issued,
                 Disposition::denied, Disposition::failed}) {
    EXPECT_EQ(parse_disposition(to_string(d)), d);
  }
  EXPECT_EQ(to_string(Disposition::pending), "pending");
  EXPECT_FALSE(parse_disposition("Pending"));
  EXPECT_FALSE(parse_disposition(""));
}

TEST(RequestStore, AdminDeniedCodeMatchesTheCodeTable) {
  const auto* code = core::CodeTable::builtin().find_name("CERTSRV_E_ADMIN_DENIED_REQUEST");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(kAdminDeniedRequest, code->signed_value());
  EXPECT_EQ(kAdminDeniedRequest, -2146877420);
}

TEST(RequestStore, AddAssignsSequentialIdsAndKeepsEveryField) {
  auto store = RequestStore::in_memory(fixed_clock());
  auto given = pending_request();
  given.id = 77;                  // ignored
  given.resolved = Clock::now();  // ignored: pending is unresolved
  EXPECT_EQ(store.add(given), 1);
  EXPECT_EQ(store.add(pending_request("LAB\\bob")), 2);

  StoredRequest issued = pending_request("LAB\\carol");
  issued.disposition = Disposition::issued;
  issued.certificate_der = {0x30, 0x03, 0x02, 0x01, 0x05};
  issued.disposition_message = "Issued";
  EXPECT_EQ(store.add(issued), 3);

  auto first = store.find(1);
  ASSERT_TRUE(first);
  StoredRequest expected = given;
  expected.id = 1;
  expected.submitted = kSubmitted;
  expected.resolved = Clock::time_point{};
  EXPECT_EQ(*first, expected);

  auto third = store.find(3);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->disposition, Disposition::issued);
  EXPECT_EQ(third->certificate_der, issued.certificate_der);
  EXPECT_EQ(third->resolved, kSubmitted);  // arrived resolved
  EXPECT_FALSE(store.find(4));
  EXPECT_FALSE(store.find(0));
  EXPECT_FALSE(store.find(-1));
}

TEST(RequestStore, KeepsBinaryAndOddTextExactly) {
  auto store = RequestStore::in_memory();
  auto r = pending_request(std::string("LAB\\\xC3\xA9mile\0x", 11));  // UTF-8 and a NUL
  r.request_der = {0x00, 0xFF, 0x00, 0x80};
  r.request_der.resize(70000, 0xAB);
  r.attributes = "";
  r.status_code = -1;
  const auto id = store.add(r);
  auto back = store.find(id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->requester, r.requester);
  EXPECT_EQ(back->request_der, r.request_der);
  EXPECT_EQ(back->attributes, "");
  EXPECT_EQ(back->status_code, -1);
  EXPECT_TRUE(back->certificate_der.empty());
}

TEST(RequestStore, AddRefusesAnIssuedRequestWithoutCertificate) {
  auto store = RequestStore::in_memory();
  auto r = pending_request();
  r.disposition = Disposition::issued;
  EXPECT_THROW(store.add(r), StoreError);
  EXPECT_TRUE(store.list().empty());
}

TEST(RequestStore, ApproveThenIssue) {
  auto store = RequestStore::in_memory(fixed_clock());
  const auto id = store.add(pending_request());

  auto approved = store.approve(id, "LAB\\officer");
  ASSERT_TRUE(approved);
  EXPECT_EQ(approved->id, id);
  EXPECT_EQ(approved->disposition, Disposition::approved);
  EXPECT_EQ(approved->disposition_message, "Resubmitted by LAB\\officer");
  EXPECT_EQ(approved->request_der, pending_request().request_der);  // what the CA signs from
  EXPECT_EQ(approved->resolved, Clock::time_point{});
  EXPECT_EQ(store.find(id), approved);

  // Only once, and an approved request is no longer the officer's to deny.
  EXPECT_FALSE(store.approve(id));
  EXPECT_FALSE(store.deny(id));
  ASSERT_EQ(store.list(Disposition::approved).size(), 1u);

  const Bytes cert = {0x30, 0x82, 0x01, 0x0A};
  store.mark_issued(id, cert, "Resubmitted by LAB\\officer");
  auto issued = store.find(id);
  ASSERT_TRUE(issued);
  EXPECT_EQ(issued->disposition, Disposition::issued);
  EXPECT_EQ(issued->certificate_der, cert);
  EXPECT_EQ(issued->status_code, 0);
  EXPECT_EQ(issued->disposition_message, "Resubmitted by LAB\\officer");
  EXPECT_EQ(issued->resolved, kSubmitted);
  EXPECT_TRUE(store.list(Disposition::approved).empty());

  // Issuing twice is a CA bug, reported with the state the request is in.
  try {
    store.mark_issued(id, cert);
    FAIL() << "second mark_issued accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("it is issued"), std::string::npos) << e.what();
  }
  EXPECT_THROW(store.mark_denied(id, kAdminDeniedRequest, "x"), StoreError);
  EXPECT_THROW(store.mark_issued(id, {}), StoreError);  // no certificate
}

TEST(RequestStore, PendingCanBeIssuedDirectlyOrDeniedByPolicyOrFail) {
  auto store = RequestStore::in_memory();
  const auto a = store.add(pending_request());
  const auto b = store.add(pending_request());
  const auto c = store.add(pending_request());
  store.mark_issued(a, {0x01});
  const std::int32_t bad_template = static_cast<std::int32_t>(0x80094807u);
  store.mark_denied(b, bad_template, "Denied by Policy Module");
  const std::int32_t rpc_unavailable = static_cast<std::int32_t>(0x800706BAu);
  store.mark_failed(c, rpc_unavailable, "The RPC server is unavailable.");

  EXPECT_EQ(store.find(a)->disposition_message, "Issued");
  EXPECT_EQ(store.find(b)->disposition, Disposition::denied);
  EXPECT_EQ(store.find(b)->status_code, -2146875385);
  EXPECT_EQ(store.find(b)->disposition_message, "Denied by Policy Module");
  EXPECT_EQ(store.find(c)->disposition, Disposition::failed);
  EXPECT_EQ(store.find(c)->status_code, -2147023174);
  EXPECT_NE(store.find(c)->resolved, Clock::time_point{});
}

TEST(RequestStore, OfficerDenial) {
  auto store = RequestStore::in_memory(fixed_clock());
  const auto id = store.add(pending_request());
  auto denied = store.deny(id, "LAB\\officer");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->disposition, Disposition::denied);
  EXPECT_EQ(denied->status_code, -2146877420);  // 0x80094014, signed
  EXPECT_EQ(denied->disposition_message, "Denied by LAB\\officer");
  EXPECT_EQ(denied->resolved, kSubmitted);
  EXPECT_TRUE(denied->certificate_der.empty());
  EXPECT_EQ(store.find(id), denied);
  EXPECT_FALSE(store.deny(id));
  EXPECT_FALSE(store.approve(id));
}

TEST(RequestStore, UnknownIdsAndWrongStatesAreAnswersNotErrors) {
  auto store = RequestStore::in_memory();
  EXPECT_FALSE(store.approve(1));
  EXPECT_FALSE(store.deny(1));
  EXPECT_FALSE(store.approve(-5));
  StoredRequest issued = pending_request();
  issued.disposition = Disposition::issued;
  issued.certificate_der = {0x01};
  const auto id = store.add(issued);
  EXPECT_FALSE(store.approve(id));
  EXPECT_FALSE(store.deny(id));
  EXPECT_EQ(store.find(id)->disposition, Disposition::issued);  // untouched

  // The CA's own calls on an unknown id are bugs: an exception that says so.
  try {
    store.mark_failed(42, -1, "x");
    FAIL() << "mark_failed on unknown id accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("no such request"), std::string::npos) << e.what();
    EXPECT_EQ(e.path(), ":memory:");
  }
}

TEST(RequestStore, ListFiltersByDispositionInIdOrder) {
  auto store = RequestStore::in_memory();
  for (int i = 0; i < 6; ++i) store.add(pending_request("LAB\\u" + std::to_string(i)));
  store.approve(2);
  store.deny(4);
  store.mark_issued(5, {0x01});

  std::vector<std::int64_t> pending;
  for (const auto& r : store.list(Disposition::pending)) pending.push_back(r.id);
  EXPECT_EQ(pending, (std::vector<std::int64_t>{1, 3, 6}));
  ASSERT_EQ(store.list(Disposition::denied).size(), 1u);
  EXPECT_EQ(store.list(Disposition::denied)[0].requester, "LAB\\u3");
  EXPECT_EQ(store.list(Disposition::issued).size(), 1u);
  EXPECT_TRUE(store.list(Disposition::failed).empty());
  const auto all = store.list();
  ASSERT_EQ(all.size(), 6u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, std::int64_t(i + 1));
}

TEST(RequestStore, InMemoryStoresAreSeparate) {
  auto a = RequestStore::in_memory();
  auto b = RequestStore::in_memory();
  a.add(pending_request());
  EXPECT_EQ(b.add(pending_request()), 1);
  EXPECT_EQ(a.list().size(), 1u);
}

TEST_F(RequestStoreFile, EverythingSurvivesReopenAndIdsContinue) {
  std::vector<StoredRequest> before;
  {
    auto store = RequestStore::open(file_, fixed_clock());
    EXPECT_EQ(store.path(), file_.string());
    store.add(pending_request("LAB\\alice"));
    store.add(pending_request("LAB\\bob"));
    store.add(pending_request("LAB\\carol"));
    store.approve(2);
    store.deny(3, "LAB\\officer");
    before = store.list();
  }
  // A clean close checkpoints the log and removes it.
  EXPECT_EQ(dir_entries(), (std::set<std::string>{"ca.db"}));

  auto store = RequestStore::open(file_);
  EXPECT_EQ(store.list(), before);
  ASSERT_EQ(store.list(Disposition::pending).size(), 1u);
  EXPECT_EQ(store.list(Disposition::approved).size(), 1u);  // the CA finishes it at start-up
  EXPECT_EQ(store.add(pending_request()), 4);
}

TEST_F(RequestStoreFile, IdsAreNeverReusedEvenAfterTheHighestRowIsGone) {
  {
    auto store = RequestStore::open(file_);
    for (int i = 0; i < 3; ++i) store.add(pending_request());
  }
  RawDb(file_).exec("DELETE FROM requests WHERE id = 3");
  auto store = RequestStore::open(file_);
  EXPECT_EQ(store.add(pending_request()), 4);
}

TEST_F(RequestStoreFile, WalModeIsOn) {
  auto store = RequestStore::open(file_);
  store.add(pending_request());
  EXPECT_EQ(RawDb(file_).text("PRAGMA journal_mode"), "wal");
  EXPECT_TRUE(fs::exists(dir_ / "ca.db-wal"));
}

TEST_F(RequestStoreFile, ConcurrentAddsGetDistinctIds) {
  auto store = RequestStore::open(file_);
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::vector<std::vector<std::int64_t>> ids(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          ids[t].push_back(store.add(pending_request("LAB\\t" + std::to_string(t))));
        }
      });
    }
  }
  std::set<std::int64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  ASSERT_EQ(all.size(), std::size_t{kThreads * kEach});
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kEach);
  // Each id came back with the row its thread wrote.
  for (int t = 0; t < kThreads; ++t) {
    for (auto id : ids[t]) ASSERT_EQ(store.find(id)->requester, "LAB\\t" + std::to_string(t));
  }
}

TEST_F(RequestStoreFile, TwoStoresOnOneFileActLikeServerAndAdminCommand) {
  auto server = RequestStore::open(file_);
  auto admin = RequestStore::open(file_);
  const auto id = server.add(pending_request());
  ASSERT_EQ(admin.list(Disposition::pending).size(), 1u);

  // Both race to approve; exactly one wins. Meanwhile both keep adding.
  std::atomic<int> wins{0};
  std::vector<std::int64_t> a_ids, b_ids;
  {
    std::jthread a([&] {
      if (server.approve(id)) ++wins;
      for (int i = 0; i < 30; ++i) a_ids.push_back(server.add(pending_request()));
    });
    std::jthread b([&] {
      if (admin.approve(id)) ++wins;
      for (int i = 0; i < 30; ++i) b_ids.push_back(admin.add(pending_request()));
    });
  }
  EXPECT_EQ(wins.load(), 1);
  std::set<std::int64_t> all(a_ids.begin(), a_ids.end());
  all.insert(b_ids.begin(), b_ids.end());
  EXPECT_EQ(all.size(), 60u);
  EXPECT_EQ(server.find(id)->disposition, Disposition::approved);
}

TEST_F(RequestStoreFile, ALockedDatabaseIsWaitedFor) {
  { RequestStore::open(file_); }
  RawDb other(file_);
  other.exec("BEGIN IMMEDIATE");  // another process is writing

  StoreOptions quick;
  quick.busy_timeout = std::chrono::milliseconds(50);
  auto impatient = RequestStore::open(file_, quick);
  try {
    impatient.add(pending_request());
    FAIL() << "add went through a held write lock";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("busy timeout of 50 ms"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(file_.string()), std::string::npos);
  }

  auto patient = RequestStore::open(file_);  // default timeout: seconds
  const auto start = std::chrono::steady_clock::now();
  std::jthread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    other.exec("COMMIT");
  });
  EXPECT_EQ(patient.add(pending_request()), 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST_F(RequestStoreFile, AForeignFileIsRefusedAndLeftAlone) {
  write_file(file_, "not a database");
  try {
    RequestStore::open(file_);
    FAIL() << "a text file was accepted";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.path(), file_.string());
    EXPECT_NE(std::string(e.what()).find(file_.string()), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not an SQLite database"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(file_), "not a database");
  EXPECT_EQ(dir_entries(), (std::set<std::string>{"ca.db"}));
}

TEST_F(RequestStoreFile, AnotherProgramsSqliteDatabaseIsRefusedAndLeftAlone) {
  // Decision: refuse, never add our tables to someone else's database.
  RawDb(file_).exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  const std::string before = read_file(file_);
  try {
    RequestStore::open(file_);
    FAIL() << "a foreign database was accepted";
  } catch (const StoreError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file_.string()), std::string::npos) << what;
    EXPECT_NE(what.find("another program"), std::string::npos) << what;
    EXPECT_NE(what.find("customers"), std::string::npos) << what;
  }
  EXPECT_EQ(read_file(file_), before);
  EXPECT_EQ(RawDb(file_).text("PRAGMA journal_mode"), "delete");
}

TEST_F(RequestStoreFile, AStoreOfANewerSchemaIsRefused) {
  { RequestStore::open(file_); }
  RawDb(file_).exec("PRAGMA user_version = 2");
  try {
    RequestStore::open(file_);
    FAIL() << "schema version 2 accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer ceslab"), std::string::npos) << e.what();
  }
}

TEST_F(RequestStoreFile, ADamagedHeaderIsAnErrorNotACrash) {
  {
    auto store = RequestStore::open(file_);
    store.add(pending_request());
  }
  std::string bytes = read_file(file_);
  ASSERT_GT(bytes.size(), 100u);
  bytes.replace(0, 16, "garbage garbage!");  // the "SQLite format 3" magic
  write_file(file_, bytes);
  EXPECT_THROW(RequestStore::open(file_), StoreError);
}

TEST_F(RequestStoreFile, AnEmptyFileBecomesAStore) {
  write_file(file_, "");
  auto store = RequestStore::open(file_);
  EXPECT_EQ(store.add(pending_request()), 1);
}

TEST_F(RequestStoreFile, AMissingDirectoryIsNamed) {
  const auto missing = dir_ / "no-such-dir" / "ca.db";
  try {
    RequestStore::open(missing);
    FAIL() << "opened a file in a missing directory";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "no-such-dir"));
}

// The store keeps its statements prepared between calls (issue 17); a
// statement left unreset would hold a read snapshot open and keep the log
// from being checkpointed.
TEST_F(RequestStoreFile, KeptStatementsHoldNoSnapshotBetweenCalls) {
  auto store = RequestStore::open(file_);
  for (int i = 0; i < 3; ++i) store.add(pending_request());
  ASSERT_TRUE(store.find(2).has_value());  // steps once and leaves a row unread
  store.mark_issued(1, {0x30, 0x00});
  RawDb other(file_);
  // busy|log frames|checkpointed: busy 0 means no reader held a snapshot.
  EXPECT_EQ(other.text("PRAGMA wal_checkpoint(TRUNCATE)"), "0");
  EXPECT_EQ(store.find(1)->disposition, Disposition::issued);
}

// WAL with synchronous=NORMAL survives a crash of the process (SQLite,
// https://www.sqlite.org/pragma.html#pragma_synchronous): every request the
// store accepted is there after kill -9, and ids go on.
TEST_F(RequestStoreFile, AcceptedRequestsSurviveKill9) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = RequestStore::open(file_);
    for (int i = 0; i < 20; ++i) store.add(pending_request());
    store.mark_issued(7, {0x30, 0x00});
    store.find(3);
    raise(SIGKILL);  // no destructor, no checkpoint, no close
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  auto store = RequestStore::open(file_);
  EXPECT_EQ(store.list().size(), 20u);
  EXPECT_EQ(store.find(7)->disposition, Disposition::issued);
  EXPECT_EQ(store.add(pending_request()), 21);
}

}  // namespace
}  // namespace ceslab::mock
