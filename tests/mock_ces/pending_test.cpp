// SPDX-License-Identifier: GPL-2.0-or-later
// Manager approval end to end over real TLS: a ManualApproval request is
// taken under submission, polled with QueryTokenStatus, approved or denied
// by an officer through the request database (as `ceslab admin` does, from
// another connection), and survives a restart of the server.
#include <gtest/gtest.h>

#include "ceslab/client/enroll.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/request_store.hpp"
#include "ceslab/mock/server.hpp"
#include "lab_fixture.hpp"

namespace ceslab::mock {
namespace {

using testing::enroll_alice;
using testing::kAlice;
using testing::TempDir;
using testing::tls_for;

client::EnrollResult retrieve(const MockServer& server, const std::optional<std::string>& id,
                              const std::string& url = "") {
  client::RetrieveRequest request;
  request.url =
      url.empty() ? server.endpoint_url(core::Service::ces, core::AuthMode::username) : url;
  request.request_id = id.value_or("");
  request.credentials.username = kAlice;
  return client::retrieve(request, tls_for(server));
}

// An officer acting from another connection to the same database file.
RequestStore officer_store(const MockServer& server) {
  return RequestStore::open(server.state_dir() / LabCa::kStoreFile);
}

TEST(PendingRequest, IsTakenUnderSubmissionWithReferenceAndId) {
  MockServer server{MockOptions{}};
  server.start();
  const client::EnrollResult r = enroll_alice(server, "ManualApproval");
  ASSERT_EQ(r.status, client::EnrollStatus::pending) << testing::first_message(r);
  EXPECT_EQ(r.call.exchange.response->status, 200);
  EXPECT_EQ(r.disposition, "Taken Under Submission");
  EXPECT_EQ(r.pending_reference, server.endpoint_url(core::Service::ces, core::AuthMode::username));
  EXPECT_FALSE(r.certificate);
  ASSERT_FALSE(r.request_id.empty());

  const std::optional<StoredRequest> row = officer_store(server).find(std::stoll(r.request_id));
  ASSERT_TRUE(row);
  EXPECT_EQ(row->disposition, Disposition::pending);
  EXPECT_EQ(row->requester, "LAB\\alice");
  EXPECT_EQ(row->template_name, "ManualApproval");
  EXPECT_EQ(row->ces_uri, r.pending_reference);
  EXPECT_FALSE(row->request_der.empty());

  // Polling before a decision answers pending again, with the same id.
  const client::EnrollResult again = retrieve(server, r.request_id, r.pending_reference);
  EXPECT_EQ(again.status, client::EnrollStatus::pending);
  EXPECT_EQ(again.request_id, r.request_id);
}

TEST(PendingRequest, ApprovedRequestIsIssuedOnTheNextPoll) {
  MockServer server{MockOptions{}};
  server.start();
  client::EnrollResult pending = enroll_alice(server, "ManualApproval");
  ASSERT_EQ(pending.status, client::EnrollStatus::pending);
  ASSERT_TRUE(officer_store(server).approve(std::stoll(pending.request_id)));

  const client::EnrollResult issued = retrieve(server, pending.request_id);
  ASSERT_EQ(issued.status, client::EnrollStatus::issued) << testing::first_message(issued);
  EXPECT_EQ(issued.request_id, pending.request_id);
  EXPECT_EQ(issued.disposition, "Issued");
  // The certificate is for the key generated when the request was made.
  EXPECT_TRUE(core::certificate_matches_key(issued.certificate.get(), pending.key.get()));
  const core::ChainCheck chain = core::verify_chain(
      issued.certificate.get(), {}, core::read_certificates_pem(server.ca_certificate_path()));
  EXPECT_TRUE(chain.ok) << chain.error_text;

  const auto row = officer_store(server).find(std::stoll(pending.request_id));
  ASSERT_TRUE(row);
  EXPECT_EQ(row->disposition, Disposition::issued);

  // Polling again returns the same certificate, not a new one.
  const client::EnrollResult again = retrieve(server, pending.request_id);
  ASSERT_EQ(again.status, client::EnrollStatus::issued);
  EXPECT_EQ(X509_cmp(again.certificate.get(), issued.certificate.get()), 0);
}

TEST(PendingRequest, DeniedByOfficerFaultsWithAdminDenied) {
  MockServer server{MockOptions{}};
  server.start();
  const client::EnrollResult pending = enroll_alice(server, "ManualApproval");
  ASSERT_EQ(pending.status, client::EnrollStatus::pending);
  ASSERT_TRUE(officer_store(server).deny(std::stoll(pending.request_id)));

  const client::EnrollResult r = retrieve(server, pending.request_id);
  ASSERT_TRUE(r.fault);
  EXPECT_EQ(r.call.exchange.response->status, 500);
  EXPECT_EQ(r.fault->kind, core::FaultKind::enrollment_detail);
  EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(0x80094014u));
  EXPECT_EQ(r.fault->reason, "Denied by Administrator");
  EXPECT_EQ(r.fault->invalid_request, true);
  EXPECT_EQ(r.fault->request_id, pending.request_id);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_NE(r.messages[1].find("CERTSRV_E_ADMIN_DENIED_REQUEST"), std::string::npos)
      << r.messages[1];
}

TEST(PendingRequest, PolicyDeniedRequestKeepsItsIdAndOutcome) {
  MockOptions options;
  const_cast<Account*>(options.world.find_account("alice"))->email.reset();
  MockServer server{std::move(options)};
  server.start();
  const client::EnrollResult denied = enroll_alice(server, "User");
  ASSERT_TRUE(denied.fault);
  ASSERT_TRUE(denied.fault->request_id);
  // The CA remembers the denial; polling it gives the same code back.
  const client::EnrollResult polled = retrieve(server, denied.fault->request_id);
  ASSERT_TRUE(polled.fault);
  EXPECT_EQ(polled.fault->error_code, static_cast<std::int32_t>(0x80094812u));
  EXPECT_EQ(polled.fault->reason, "Denied by Policy Module");
  EXPECT_EQ(polled.fault->request_id, denied.fault->request_id);
  const auto row = officer_store(server).find(std::stoll(*denied.fault->request_id));
  ASSERT_TRUE(row);
  EXPECT_EQ(row->disposition, Disposition::denied);
}

TEST(QueryTokenStatus, UnknownIdIsPropertyEmpty) {
  MockServer server{MockOptions{}};
  server.start();
  const client::EnrollResult r = retrieve(server, "4711");
  ASSERT_TRUE(r.fault);
  EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(0x80094004u));
  EXPECT_EQ(r.fault->reason, "The requested property value is empty.");
  EXPECT_EQ(r.fault->invalid_request, false);
  EXPECT_FALSE(r.fault->request_id);
}

TEST(QueryTokenStatus, MissingOrMalformedIdIsInvalidArg) {
  MockServer server{MockOptions{}};
  server.start();
  for (const std::optional<std::string>& id :
       {std::optional<std::string>{}, std::optional<std::string>{"12abc"},
        std::optional<std::string>{"-3"}, std::optional<std::string>{"99999999999999999999999"}}) {
    const client::EnrollResult r = retrieve(server, id);
    ASSERT_TRUE(r.fault) << id.value_or("(nil)");
    EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(0x80070057u)) << id.value_or("(nil)");
    EXPECT_EQ(r.fault->invalid_request, false);
  }
}

TEST(QueryTokenStatus, WrongPasswordIsRejectedBeforeTheCa) {
  MockServer server{MockOptions{}};
  server.start();
  client::RetrieveRequest request;
  request.url = server.endpoint_url(core::Service::ces, core::AuthMode::username);
  request.request_id = "1";
  request.credentials.username = client::UsernameCredentials{"alice", "wrong"};
  const client::EnrollResult r = client::retrieve(request, tls_for(server));
  ASSERT_TRUE(r.fault);
  EXPECT_EQ(r.fault->subcode, "InvalidSecurity");
}

TEST(PendingRequest, SurvivesARestartOfTheServer) {
  TempDir state;
  std::string request_id;
  core::EvpPkeyPtr key;
  std::string ca_pem_before;
  {
    MockOptions options;
    options.state_dir = state.path();
    MockServer server{std::move(options)};
    server.start();
    client::EnrollResult pending = enroll_alice(server, "ManualApproval");
    ASSERT_EQ(pending.status, client::EnrollStatus::pending);
    request_id = pending.request_id;
    key = std::move(pending.key);
    ca_pem_before = core::certificate_to_pem(
        core::read_certificates_pem(server.ca_certificate_path()).front().get());
  }
  // The officer approves while the server is down.
  ASSERT_TRUE(RequestStore::open(state.path() / LabCa::kStoreFile).approve(std::stoll(request_id)));

  MockOptions options;
  options.state_dir = state.path();
  MockServer server{std::move(options)};
  server.start();
  // Same CA (key and certificate reloaded, not recreated).
  EXPECT_EQ(core::certificate_to_pem(
                core::read_certificates_pem(server.ca_certificate_path()).front().get()),
            ca_pem_before);
  const client::EnrollResult issued = retrieve(server, request_id);
  ASSERT_EQ(issued.status, client::EnrollStatus::issued) << testing::first_message(issued);
  EXPECT_TRUE(core::certificate_matches_key(issued.certificate.get(), key.get()));
  EXPECT_TRUE(core::verify_chain(issued.certificate.get(), {},
                                 core::read_certificates_pem(server.ca_certificate_path()))
                  .ok);
  // Ids continue after the restart; none is reused.
  const client::EnrollResult next = enroll_alice(server, "User");
  ASSERT_EQ(next.status, client::EnrollStatus::issued);
  EXPECT_GT(std::stoll(next.request_id), std::stoll(request_id));
}

TEST(LabCaState, HalfAStateDirectoryIsRefusedByName) {
  TempDir state;
  { LabCa::open(state.path(), CaSettings{}); }
  std::filesystem::remove(state.path() / LabCa::kKeyFile);
  try {
    LabCa::open(state.path(), CaSettings{});
    FAIL() << "a CA certificate without its key was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(LabCa::kKeyFile), std::string::npos) << e.what();
  }
  // The certificate was left alone.
  EXPECT_TRUE(std::filesystem::exists(state.path() / LabCa::kCertificateFile));
}

// A CA never reuses a request id: a state directory that kept its CA but
// lost its request database (deleted, or truncated to nothing) would start
// the ids again at 1, so it is refused and nothing in it is touched.
TEST(LabCaState, ACaWithoutItsRequestStoreIsRefused) {
  for (const bool truncated : {false, true}) {
    TempDir state;
    const std::filesystem::path store = state.path() / LabCa::kStoreFile;
    {
      LabCa ca = LabCa::open(state.path(), CaSettings{});
      ca.enter_failed(0x80094012, "Denied by Policy Module");
    }
    std::filesystem::remove(state.path() / (std::string(LabCa::kStoreFile) + "-wal"));
    std::filesystem::remove(state.path() / (std::string(LabCa::kStoreFile) + "-shm"));
    if (truncated) {
      std::filesystem::resize_file(store, 0);
    } else {
      std::filesystem::remove(store);
    }
    try {
      LabCa::open(state.path(), CaSettings{});
      FAIL() << "a CA whose request store is " << (truncated ? "empty" : "missing")
             << " was accepted";
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(LabCa::kStoreFile), std::string::npos) << what;
      EXPECT_NE(what.find(truncated ? "empty" : "missing"), std::string::npos) << what;
      EXPECT_NE(what.find("never reuses"), std::string::npos) << what;
    }
    EXPECT_EQ(std::filesystem::exists(store), truncated);
    EXPECT_TRUE(std::filesystem::exists(state.path() / LabCa::kCertificateFile));
  }
}

// The store a new CA starts with is kept when the CA is moved away: the new
// CA takes it and its ids go on.
TEST(LabCaState, ANewCaKeepsTheStoreItFinds) {
  TempDir state;
  std::string first;
  {
    LabCa ca = LabCa::open(state.path(), CaSettings{});
    first = ca.enter_failed(0x80094012, "Denied by Policy Module");
  }
  std::filesystem::remove(state.path() / LabCa::kCertificateFile);
  std::filesystem::remove(state.path() / LabCa::kKeyFile);
  LabCa ca = LabCa::open(state.path(), CaSettings{});
  EXPECT_GT(std::stoll(ca.enter_failed(0x80094012, "Denied by Policy Module")), std::stoll(first));
}

}  // namespace
}  // namespace ceslab::mock
