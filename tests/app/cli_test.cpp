// SPDX-License-Identifier: GPL-2.0-or-later
// The ceslab executable as a user runs it: help, serve + enroll in two
// processes over loopback TLS, exit codes.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "ceslab/core/csr.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"
#include "mock_ces/lab_fixture.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Output {
  int exit_code = -1;
  std::string text;  // stdout and stderr together
};

// Runs a shell command line (our own binary with fixed arguments) and
// captures what it printed.
Output run(const std::string& command) {
  Output out;
  FILE* pipe = popen((command + " 2>&1 </dev/null").c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.text.append(buf, n);
  const int status = pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// A wrong password: the endpoint answers with a fault, which the CLI reports
// by its Windows code, exiting 1.
void expect_wrong_password(const Output& out) {
  EXPECT_EQ(out.exit_code, 1) << out.text;
  EXPECT_NE(out.text.find("0x803d0013 (-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)"),
            std::string::npos)
      << out.text;
}

using ceslab::mock::testing::TempDir;

// `ceslab serve` in the background, stopped with SIGTERM like a user's ^C.
class ServeProcess {
 public:
  // `world`: a world file for --world; empty = the default lab.
  explicit ServeProcess(const fs::path& dir, const std::string& world = "",
                        const std::vector<std::string>& extra = {})
      : ready_(dir / "ready.json") {
    const std::string ready = ready_.string();
    const std::string state = (dir / "state").string();
    std::vector<const char*> argv = {CESLAB_BINARY, "serve",       "--ready-file",
                                     ready.c_str(), "--state-dir", state.c_str()};
    if (!world.empty()) {
      argv.push_back("--world");
      argv.push_back(world.c_str());
    }
    for (const std::string& arg : extra) argv.push_back(arg.c_str());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (dir / "serve.log").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn(&pid_, CESLAB_BINARY, &actions, nullptr, const_cast<char**>(argv.data()), environ);
    posix_spawn_file_actions_destroy(&actions);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    // Stop waiting as soon as serve is ready or has exited (then it is reaped
    // here and not signalled later).
    while (!fs::exists(ready_) && std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  nlohmann::json ready() const {
    std::ifstream in(ready_);
    return nlohmann::json::parse(in);
  }
  // For ASSERT_TRUE: serve wrote its ready file, so it is serving.
  ::testing::AssertionResult started() const {
    if (fs::exists(ready_)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "serve did not write its ready file";
  }
  int stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  fs::path ready_;
  pid_t pid_ = -1;
};

// Every CLI test runs in a scratch directory of its own; most of them
// against `ceslab serve` started there.
class Cli : public ::testing::Test {
 protected:
  // Starts serve (`world`: a world file, empty for the default lab; `extra`:
  // more options) and reads its ready file; fails the test unless it started.
  void start_serve(const std::string& world = "", const std::vector<std::string>& extra = {}) {
    serve.emplace(dir.path(), world, extra);
    ASSERT_TRUE(serve->started()) << (world.empty() ? "" : "with " + world);
    ready = serve->ready();
  }
  // From the ready file: the CES UsernamePassword URL, the CA's PEM file.
  std::string ces_url() const { return ready["ces"]["UsernamePassword"]; }
  std::string ca_file() const { return ready["ca_certificate"]; }

  TempDir dir;
  std::optional<ServeProcess> serve;
  nlohmann::json ready;  // what serve's ready file says
};

TEST_F(Cli, HelpListsTheSubcommands) {
  const Output out = run(std::string(CESLAB_BINARY) + " --help");
  EXPECT_EQ(out.exit_code, 0);
  for (const char* sub : {"run", "serve", "enroll", "admin", "renew", "retrieve", "policy"}) {
    EXPECT_NE(out.text.find(sub), std::string::npos) << sub << " missing from:\n" << out.text;
  }
}

TEST_F(Cli, UnknownOptionIsAUsageError) {
  EXPECT_EQ(run(std::string(CESLAB_BINARY) + " enroll --no-such-option").exit_code, 2);
}

// `ceslab conformance` against `ceslab serve` in another process: every case
// of both services passes, none is skipped; `serve --world` with a planted
// wire deviation fails its case with exit 1 (docs/conformance.md).
TEST_F(Cli, ServePassesEveryConformanceCase) {
  ASSERT_NO_FATAL_FAILURE(start_serve());
  const std::string ca = ca_file();
  for (const char* service : {"ces", "cep"}) {
    const std::string url = ready[service]["UsernamePassword"];
    const Output out = run("CESLAB_PASSWORD=alice-password " + std::string(CESLAB_BINARY) +
                           " conformance --url '" + url + "' --ca-file '" + ca +
                           "' --username alice --template User --pending-template ManualApproval");
    EXPECT_EQ(out.exit_code, 0) << out.text;
    EXPECT_NE(out.text.find(" passed, 0 failed\n"), std::string::npos) << out.text;
    EXPECT_EQ(out.text.find("SKIP "), std::string::npos) << out.text;
  }
}

TEST_F(Cli, ServeWithAPlantedDeviationFailsItsConformanceCase) {
  const fs::path world = dir.path() / "deviant.yaml";
  // The default lab with one deviation laid over it (docs/scenarios.md, "The world").
  std::ofstream(world) << "world:\n  wire_deviations: [request_id_without_ca]\n";
  ASSERT_NO_FATAL_FAILURE(start_serve(world.string()));
  const Output out =
      run("CESLAB_PASSWORD=alice-password " + std::string(CESLAB_BINARY) + " conformance --url '" +
          std::string(ready["ces"]["UsernamePassword"]) + "' --ca-file '" +
          std::string(ready["ca_certificate"]) + "' --username alice");
  EXPECT_EQ(out.exit_code, 1) << out.text;
  EXPECT_NE(out.text.find("FAIL wstep/no-request-id-without-ca"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("1 failed"), std::string::npos) << out.text;
}

TEST_F(Cli, ServeThenEnrollLikeAUser) {
  ASSERT_NO_FATAL_FAILURE(start_serve());
  const std::string url = ces_url();
  const std::string ca = ca_file();
  EXPECT_NE(url.find("/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES"),
            std::string::npos);

  const fs::path out_dir = dir.path() / "alice";
  const Output enroll =
      run("CESLAB_PASSWORD=alice-password " + std::string(CESLAB_BINARY) + " enroll --url '" + url +
          "' --template User --username alice --key ecdsa-p256 --out '" + out_dir.string() +
          "' --ca-file '" + ca + "'");
  EXPECT_EQ(enroll.exit_code, 0) << enroll.text;
  EXPECT_NE(enroll.text.find("certificate matches key: yes"), std::string::npos) << enroll.text;
  EXPECT_NE(enroll.text.find("chains to the CA: yes"), std::string::npos) << enroll.text;
  EXPECT_EQ(enroll.text.find("alice-password"), std::string::npos) << "the password was printed";
  struct stat st {};
  ASSERT_EQ(stat((out_dir / "key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_TRUE(fs::exists(out_dir / "cert.pem"));
  EXPECT_TRUE(fs::exists(out_dir / "chain.pem"));

  const Output wrong = run("CESLAB_PASSWORD=nope " + std::string(CESLAB_BINARY) +
                           " enroll --url '" + url + "' --template User --username alice --out '" +
                           (dir.path() / "x").string() + "' --ca-file '" + ca + "'");
  expect_wrong_password(wrong);

  EXPECT_EQ(serve->stop(), 0);
}

// A plain TCP connection to `port` that sends nothing.
class SilentConnection {
 public:
  explicit SilentConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~SilentConnection() { ::close(fd_); }
  SilentConnection(const SilentConnection&) = delete;
  SilentConnection& operator=(const SilentConnection&) = delete;
  bool connected() const { return connected_; }

 private:
  int fd_;
  bool connected_ = false;
};

// With --max-connections N and N connections that send nothing, an
// enrollment still succeeds: the connections idle longest make room
// (issue 17: at the descriptor limit a new enrollment used to wait ~28 s).
TEST_F(Cli, ServeAtItsConnectionCapStillEnrolls) {
  ASSERT_NO_FATAL_FAILURE(start_serve("", {"--max-connections", "4"}));
  const std::string base = ready["base_url"];
  const auto port = static_cast<std::uint16_t>(std::stoi(base.substr(base.rfind(':') + 1)));
  std::vector<std::unique_ptr<SilentConnection>> silent;
  for (int i = 0; i < 4; ++i) {
    silent.push_back(std::make_unique<SilentConnection>(port));
    ASSERT_TRUE(silent.back()->connected());
  }
  const Output enroll =
      run("CESLAB_PASSWORD=alice-password " + std::string(CESLAB_BINARY) + " enroll --url '" +
          ces_url() + "' --template User --username alice --out '" +
          (dir.path() / "alice").string() + "' --ca-file '" + ca_file() + "'");
  EXPECT_EQ(enroll.exit_code, 0) << enroll.text;
  EXPECT_EQ(serve->stop(), 0);
  const std::string log = ceslab::mock::testing::read_file(dir.path() / "serve.log");
  EXPECT_NE(log.find("(at most 4 connections)"), std::string::npos) << log;
}

// The Kerberos lab from the command line: serve --kdc starts a KDC for the
// default lab, the client enrolls with Negotiate using its krb5.conf, and
// stopping serve removes the realm.
TEST_F(Cli, ServeWithKdcThenEnrollWithKerberos) {
  ASSERT_NO_FATAL_FAILURE(start_serve("", {"--kdc"}));
  ASSERT_TRUE(ready.contains("kerberos")) << ready.dump(2);
  const std::string krb5_conf = ready["kerberos"]["krb5_conf"];
  const std::string spn = ready["kerberos"]["ces_spn"];
  EXPECT_EQ(spn, "HTTP/ces.lab.test");
  const fs::path evidence = dir.path() / "evidence.json";
  const Output enroll =
      run("KRB5_CONFIG='" + krb5_conf + "' CESLAB_PASSWORD=alice-password " +
          std::string(CESLAB_BINARY) + " enroll --auth kerberos --username alice --spn " + spn +
          " --url '" + std::string(ready["ces"]["Kerberos"]) + "' --template User --out '" +
          (dir.path() / "alice").string() + "' --ca-file '" + std::string(ready["ca_certificate"]) +
          "' --evidence '" + evidence.string() + "'");
  EXPECT_EQ(enroll.exit_code, 0) << enroll.text;
  EXPECT_EQ(enroll.text.find("alice-password"), std::string::npos) << "the password was printed";
  std::ifstream in(evidence);
  const nlohmann::json e = nlohmann::json::parse(in);
  EXPECT_EQ(e["auth"], "kerberos");
  EXPECT_EQ(e["kerberos"]["forwardable"], true);
  EXPECT_EQ(e["kerberos"]["channel_binding"], true);
  EXPECT_EQ(e["kerberos"]["delegated"], false);  // the default lab delegates by S4U
  EXPECT_EQ(serve->stop(), 0);
  EXPECT_FALSE(fs::exists(fs::path(krb5_conf).parent_path())) << "the realm was left behind";
}

// `ceslab conformance` through real Negotiate: serve --kdc's Kerberos CES and
// CEP pass every case with the lab's SPN; without it the KDC knows no
// HTTP/127.0.0.1, auth/accepts-credentials fails with the Kerberos library's
// message and the cases that need credentials are skipped, none failed.
TEST_F(Cli, ServeWithKdcPassesEveryConformanceCaseThroughKerberos) {
  ASSERT_NO_FATAL_FAILURE(start_serve("", {"--kdc"}));
  const std::string krb5_conf = ready["kerberos"]["krb5_conf"];
  const std::string spn = ready["kerberos"]["ces_spn"];
  auto conformance = [&](const std::string& url, const std::string& extra) {
    return run("KRB5_CONFIG='" + krb5_conf + "' CESLAB_PASSWORD=alice-password " +
               std::string(CESLAB_BINARY) +
               " conformance --auth kerberos --username alice --url '" + url + "' --ca-file '" +
               std::string(ready["ca_certificate"]) + "' " + extra);
  };
  for (const char* service : {"ces", "cep"}) {
    const Output out =
        conformance(ready[service]["Kerberos"],
                    "--spn " + spn + " --template User --pending-template ManualApproval");
    EXPECT_EQ(out.exit_code, 0) << out.text;
    EXPECT_NE(out.text.find("PASS auth/refused-without-credentials"), std::string::npos)
        << out.text;
    EXPECT_EQ(out.text.find("SKIP "), std::string::npos) << out.text;
  }
  const Output wrong_spn = conformance(ready["cep"]["Kerberos"], "");
  EXPECT_EQ(wrong_spn.exit_code, 1) << wrong_spn.text;
  EXPECT_NE(wrong_spn.text.find("FAIL auth/accepts-credentials"), std::string::npos)
      << wrong_spn.text;
  EXPECT_NE(wrong_spn.text.find("not found in Kerberos database"), std::string::npos)
      << wrong_spn.text;
  EXPECT_NE(wrong_spn.text.find("1 failed"), std::string::npos) << wrong_spn.text;
  EXPECT_EQ(serve->stop(), 0);
}

// --clock-skew: the client's clock runs 10 minutes from the KDC's, and the
// KDC refuses its AS-REQ (KRB_AP_ERR_SKEW) before any ticket exists.
TEST_F(Cli, KerberosClockSkewIsRefusedByTheKdc) {
  ASSERT_NO_FATAL_FAILURE(start_serve("", {"--kdc"}));
  const std::string krb5_conf = ready["kerberos"]["krb5_conf"];
  auto enroll = [&](const std::string& skew, const std::string& name) {
    const fs::path evidence = dir.path() / (name + ".json");
    const Output out =
        run("KRB5_CONFIG='" + krb5_conf + "' CESLAB_PASSWORD=alice-password " +
            std::string(CESLAB_BINARY) + " enroll --auth kerberos --username alice --spn " +
            std::string(ready["kerberos"]["ces_spn"]) + " --clock-skew " + skew + " --url '" +
            std::string(ready["ces"]["Kerberos"]) + "' --template User --out '" +
            (dir.path() / name).string() + "' --ca-file '" + std::string(ready["ca_certificate"]) +
            "' --evidence '" + evidence.string() + "'");
    std::ifstream in(evidence);
    return std::make_pair(out, nlohmann::json::parse(in));
  };
  const auto [skewed, e] = enroll("10", "skewed");
  EXPECT_EQ(skewed.exit_code, 1) << skewed.text;
  ASSERT_TRUE(e["kerberos"].contains("gss_text")) << e.dump(2);
  EXPECT_NE(std::string(e["kerberos"]["gss_text"]).find("Clock skew too great"), std::string::npos)
      << e.dump(2);
  // Within Kerberos's five minutes the same client is served.
  const Output near = enroll("-3", "near").first;
  EXPECT_EQ(near.exit_code, 0) << near.text;
  EXPECT_EQ(serve->stop(), 0);
}

// serve --kdc names its realm after the world's domain.
TEST_F(Cli, ServeWithKdcUsesTheWorldsDomainAsRealm) {
  const fs::path world = dir.path() / "corp.yaml";
  std::ofstream(world)
      << "ca: { name: Corp CA, host: ca.corp.example }\n"
      << "domain: { netbios: CORP, dns: corp.example }\n"
      << "accounts:\n"
      << "  - { name: pat, password: pat-password, email: pat@corp.example,\n"
      << "      upn: pat@corp.example }\n"
      << "templates:\n"
      << "  - name: User\n"
      << "    oid: 1.3.6.1.4.1.311.21.8.1.1\n"
      << "    name_flags: [SUBJECT_REQUIRE_DIRECTORY_PATH, SUBJECT_ALT_REQUIRE_UPN]\n"
      << "    acl: [{ principal: 'CORP\\Domain Users', allow: [read, enroll] }]\n"
      << "ces:\n  host: ces.corp.example\n";
  ASSERT_NO_FATAL_FAILURE(start_serve(world.string(), {"--kdc"}));
  EXPECT_EQ(ready["kerberos"]["realm"], "CORP.EXAMPLE");
  const std::string krb5_conf = ready["kerberos"]["krb5_conf"];
  const Output enroll = run(
      "KRB5_CONFIG='" + krb5_conf + "' CESLAB_PASSWORD=pat-password " + std::string(CESLAB_BINARY) +
      " enroll --auth kerberos --username pat --spn " + std::string(ready["kerberos"]["ces_spn"]) +
      " --url '" + std::string(ready["ces"]["Kerberos"]) + "' --template User --out '" +
      (dir.path() / "pat").string() + "' --ca-file '" + std::string(ready["ca_certificate"]) + "'");
  EXPECT_EQ(enroll.exit_code, 0) << enroll.text;
  EXPECT_EQ(serve->stop(), 0);
}

TEST_F(Cli, PendingRequestApprovedByTheAdminCommand) {
  ASSERT_NO_FATAL_FAILURE(start_serve());
  const std::string url = ces_url();
  const std::string ca = ca_file();
  const std::string state = ready["state_dir"];
  const std::string bin = CESLAB_BINARY;

  const Output enroll =
      run("CESLAB_PASSWORD=alice-password " + bin + " enroll --url '" + url +
          "' --template ManualApproval --username alice --key ecdsa-p256 --out '" +
          (dir.path() / "alice").string() + "' --ca-file '" + ca + "'");
  ASSERT_EQ(enroll.exit_code, 3) << enroll.text;
  const auto at = enroll.text.find("Pending: request ");
  ASSERT_NE(at, std::string::npos) << enroll.text;
  const std::string id = std::to_string(std::stoll(enroll.text.substr(at + 17)));
  EXPECT_TRUE(fs::exists(dir.path() / "alice" / "key.pem")) << "the pending request's key was lost";
  EXPECT_NE(enroll.text.find("poll: " + url), std::string::npos) << enroll.text;

  const Output listed = run(bin + " admin --state-dir '" + state + "' list --disposition pending");
  EXPECT_EQ(listed.exit_code, 0) << listed.text;
  EXPECT_NE(listed.text.find("LAB\\alice"), std::string::npos) << listed.text;
  EXPECT_NE(listed.text.find("ManualApproval"), std::string::npos) << listed.text;
  EXPECT_NE(listed.text.find("Taken Under Submission"), std::string::npos) << listed.text;

  const Output approved = run(bin + " admin --state-dir '" + state + "' approve " + id);
  EXPECT_EQ(approved.exit_code, 0) << approved.text;
  const Output twice = run(bin + " admin --state-dir '" + state + "' approve " + id);
  EXPECT_EQ(twice.exit_code, 1) << twice.text;
  EXPECT_NE(twice.text.find("is approved, not pending"), std::string::npos) << twice.text;
  const Output unknown = run(bin + " admin --state-dir '" + state + "' deny 9999");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.text.find("request 9999 does not exist"), std::string::npos) << unknown.text;
  const Output nowhere =
      run(bin + " admin --state-dir '" + (dir.path() / "typo").string() + "' list");
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_NE(nowhere.text.find("requests.db: no request database here"), std::string::npos)
      << nowhere.text;
  EXPECT_FALSE(fs::exists(dir.path() / "typo" / "requests.db"));
  EXPECT_EQ(serve->stop(), 0);
}

// ---- enroll / renew / retrieve / policy (issue 5) ---------------------------

const std::string kBin = CESLAB_BINARY;
const std::string kAlicePassword = "CESLAB_PASSWORD=alice-password ";

using ceslab::mock::testing::refused_url;

// A small complete world (docs/world.md): alice, a User template, and the
// `ces:` / `cep:` sections given.
fs::path write_world(const fs::path& dir, const std::string& ces, const std::string& cep,
                     const std::string& edit_flags = "[EDITF_ENABLEDEFAULTSMIME]") {
  const fs::path file = dir / "world.yaml";
  std::ofstream(file)
      << "# SPDX-License-Identifier: GPL-2.0-or-later\n"
      << "ca:\n"
      << "  name: Lab Issuing CA\n"
      << "  edit_flags: " << edit_flags << "\n"
      << "  acl: [{ principal: Authenticated Users, allow: [read, request] }]\n"
      << "accounts:\n"
      << "  - { name: alice, password: alice-password, email: alice@lab.test,\n"
      << "      upn: alice@lab.test }\n"
      << "templates:\n"
      << "  - name: User\n"
      << "    oid: 1.3.6.1.4.1.311.21.8.1.1\n"
      << "    name_flags: [SUBJECT_REQUIRE_DIRECTORY_PATH, SUBJECT_ALT_REQUIRE_UPN]\n"
      << "    ekus: [1.3.6.1.5.5.7.3.2]\n"
      << "    key_based_renewal: true\n"
      << "    acl: [{ principal: Domain Users, allow: [read, enroll] }]\n"
      << ces << cep;
  return file;
}

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

// alice enrolls through `url` into `out`; the command's output.
Output enroll_alice(const std::string& url, const std::string& ca, const fs::path& out,
                    const std::string& tmpl = "User") {
  return run(kAlicePassword + kBin + " enroll --url '" + url + "' --template " + tmpl +
             " --username alice --key ecdsa-p256 --out " + quoted(out) + " --ca-file '" + ca + "'");
}

bool files_pair(const fs::path& cert, const fs::path& key) {
  const auto certs = ceslab::core::read_certificates_pem(cert);
  const auto k = ceslab::core::read_private_key_pem(key);
  return ceslab::core::certificate_matches_key(certs.front().get(), k.get());
}

TEST_F(Cli, PendingThenApprovedThenRetrievedForTheSavedKey) {
  ASSERT_NO_FATAL_FAILURE(start_serve());
  const std::string url = ces_url();
  const std::string ca = ca_file();
  const fs::path out = dir.path() / "alice";

  const Output pending = enroll_alice(url, ca, out, "ManualApproval");
  ASSERT_EQ(pending.exit_code, 3) << pending.text;
  const auto at = pending.text.find("Pending: request ");
  ASSERT_NE(at, std::string::npos) << pending.text;
  const std::string id = std::to_string(std::stoll(pending.text.substr(at + 17)));
  const std::string retrieve = kAlicePassword + kBin + " retrieve --url '" + url +
                               "' --request-id " + id + " --username alice --key " +
                               quoted(out / "key.pem") + " --out " + quoted(out) + " --ca-file '" +
                               ca + "'";

  const Output still = run(retrieve);
  EXPECT_EQ(still.exit_code, 3) << still.text;
  EXPECT_NE(still.text.find("Pending: request " + id), std::string::npos) << still.text;
  EXPECT_FALSE(fs::exists(out / "cert.pem"));

  ASSERT_EQ(run(kBin + " admin --state-dir '" + std::string(ready["state_dir"]) + "' approve " + id)
                .exit_code,
            0);
  const Output issued = run(retrieve + " --evidence " + quoted(dir.path() / "retrieve.json"));
  EXPECT_EQ(issued.exit_code, 0) << issued.text;
  {
    // The evidence names the operation and the outcome, and holds no password.
    std::ifstream in(dir.path() / "retrieve.json");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const nlohmann::json evidence = nlohmann::json::parse(text);
    EXPECT_EQ(evidence["operation"], "retrieve") << text;
    EXPECT_EQ(evidence["outcome"], "issued") << text;
    EXPECT_EQ(text.find("alice-password"), std::string::npos);
  }
  EXPECT_NE(issued.text.find("Issued: request " + id), std::string::npos) << issued.text;
  EXPECT_NE(issued.text.find("certificate matches key: yes"), std::string::npos) << issued.text;
  EXPECT_NE(issued.text.find("chains to the CA: yes"), std::string::npos) << issued.text;
  ASSERT_TRUE(fs::exists(out / "cert.pem"));
  EXPECT_TRUE(files_pair(out / "cert.pem", out / "key.pem"));

  // Paired with another key, the same certificate is refused.
  const Output other_key = enroll_alice(url, ca, dir.path() / "other");
  ASSERT_EQ(other_key.exit_code, 0) << other_key.text;
  const Output mismatch =
      run(kAlicePassword + kBin + " retrieve --url '" + url + "' --request-id " + id +
          " --username alice --key " + quoted(dir.path() / "other" / "key.pem") + " --out " +
          quoted(dir.path() / "mismatch") + " --ca-file '" + ca + "'");
  EXPECT_EQ(mismatch.exit_code, 1) << mismatch.text;
  EXPECT_NE(mismatch.text.find("certificate matches key: NO"), std::string::npos) << mismatch.text;
  EXPECT_EQ(serve->stop(), 0);
}

TEST_F(Cli, RenewWithUsernamePasswordNewKeyOrKept) {
  ASSERT_NO_FATAL_FAILURE(start_serve());
  const std::string url = ces_url();
  const std::string ca = ca_file();
  const fs::path old = dir.path() / "old";
  ASSERT_EQ(enroll_alice(url, ca, old).exit_code, 0);
  const std::string renew = kAlicePassword + kBin + " renew --url '" + url + "' --cert " +
                            quoted(old / "cert.pem") + " --key " + quoted(old / "key.pem") +
                            " --username alice --ca-file '" + ca + "'";

  const Output new_key = run(renew + " --new-key rsa2048 --out " + quoted(dir.path() / "new"));
  EXPECT_EQ(new_key.exit_code, 0) << new_key.text;
  EXPECT_NE(new_key.text.find("chains to the CA: yes"), std::string::npos) << new_key.text;
  EXPECT_TRUE(files_pair(dir.path() / "new" / "cert.pem", dir.path() / "new" / "key.pem"));
  EXPECT_FALSE(files_pair(dir.path() / "new" / "cert.pem", old / "key.pem"));

  const Output kept = run(renew + " --pkcs7 --out " + quoted(dir.path() / "kept"));
  EXPECT_EQ(kept.exit_code, 0) << kept.text;
  EXPECT_TRUE(files_pair(dir.path() / "kept" / "cert.pem", old / "key.pem"));
  const auto before =
      ceslab::core::describe(ceslab::core::read_certificates_pem(old / "cert.pem").front().get());
  const auto after = ceslab::core::describe(
      ceslab::core::read_certificates_pem(dir.path() / "kept" / "cert.pem").front().get());
  EXPECT_EQ(after.subject, before.subject);
  EXPECT_NE(after.serial_hex, before.serial_hex);
  EXPECT_EQ(kept.text.find("alice-password"), std::string::npos);
  EXPECT_EQ(serve->stop(), 0);
}

TEST_F(Cli, KeyBasedRenewalWithTheOldCertificateAsTlsClientCertificate) {
  // tests/mock_ces/renewal_test.cpp kbr_world(), as a world file.
  const fs::path world = write_world(dir.path(),
                                     "ces:\n"
                                     "  endpoints:\n"
                                     "    - { auth: username_password }\n"
                                     "    - { auth: certificate, renewal_only: true,\n"
                                     "        key_based_renewal: true }\n",
                                     "", "[EDITF_ENABLEDEFAULTSMIME, EDITF_ENABLERENEWONBEHALFOF]");
  ASSERT_NO_FATAL_FAILURE(start_serve(world.string()));
  const std::string ca = ca_file();
  const fs::path old = dir.path() / "old";
  const Output first = enroll_alice(ready["ces"]["UsernamePassword"], ca, old);
  ASSERT_EQ(first.exit_code, 0) << first.text;

  const std::string kbr_url = ready["ces"]["Certificate"];
  // No password anywhere: the old certificate authenticates the renewal.
  const Output renewed = run("env -u CESLAB_PASSWORD " + kBin + " renew --url '" + kbr_url +
                             "' --cert " + quoted(old / "cert.pem") + " --key " +
                             quoted(old / "key.pem") + " --auth cert --new-key ecdsa-p256 --out " +
                             quoted(dir.path() / "new") + " --ca-file '" + ca + "'");
  EXPECT_EQ(renewed.exit_code, 0) << renewed.text;
  EXPECT_NE(renewed.text.find("certificate matches key: yes"), std::string::npos) << renewed.text;
  const auto before =
      ceslab::core::describe(ceslab::core::read_certificates_pem(old / "cert.pem").front().get());
  const auto after = ceslab::core::describe(
      ceslab::core::read_certificates_pem(dir.path() / "new" / "cert.pem").front().get());
  EXPECT_EQ(after.subject, before.subject);
  EXPECT_EQ(after.san.upn, before.san.upn);

  // A new request on the renewal-only instance is refused (docs/causes.md
  // ces_renewal_only_new_request), and the CLI says what certreq would.
  const Output refused =
      run(kBin + " enroll --url '" + kbr_url + "' --template User --auth cert --client-cert " +
          quoted(old / "cert.pem") + " --client-key " + quoted(old / "key.pem") + " --out " +
          quoted(dir.path() / "x") + " --ca-file '" + ca + "'");
  EXPECT_EQ(refused.exit_code, 1) << refused.text;
  EXPECT_NE(refused.text.find("WS_E_ENDPOINT_FAULT_RECEIVED"), std::string::npos) << refused.text;
  EXPECT_EQ(serve->stop(), 0);
}

TEST_F(Cli, PolicyPrintsTemplatesCasAndUrisByAuthAndPriority) {
  ASSERT_NO_FATAL_FAILURE(start_serve());
  const fs::path password = dir.path() / "password";
  std::ofstream(password) << "alice-password\n";
  const Output policy =
      run("env -u CESLAB_PASSWORD " + kBin + " policy --url '" +
          std::string(ready["cep"]["UsernamePassword"]) + "' --username alice --password-file " +
          quoted(password) + " --ca-file '" + std::string(ready["ca_certificate"]) + "'");
  EXPECT_EQ(policy.exit_code, 0) << policy.text;
  EXPECT_NE(policy.text.find("\"Lab Enrollment Policy\""), std::string::npos) << policy.text;
  for (const char* tmpl : {"User", "WebServer", "ManualApproval"}) {
    EXPECT_NE(policy.text.find("\n  " + std::string(tmpl) + " "), std::string::npos) << tmpl;
  }
  EXPECT_NE(policy.text.find("manager approval"), std::string::npos) << policy.text;
  EXPECT_NE(policy.text.find("[0] CN=Lab Issuing CA,DC=lab,DC=test  (may request: yes)"),
            std::string::npos)
      << policy.text;
  // Kerberos (2) before UsernamePassword (4), each with its priority.
  const auto kerberos = policy.text.find("Kerberos          1         no            " +
                                         std::string(ready["ces"]["Kerberos"]));
  const auto username = policy.text.find("UsernamePassword  1         no            " +
                                         std::string(ready["ces"]["UsernamePassword"]));
  EXPECT_NE(kerberos, std::string::npos) << policy.text;
  EXPECT_NE(username, std::string::npos) << policy.text;
  EXPECT_LT(kerberos, username);
  EXPECT_EQ(policy.text.find("alice-password"), std::string::npos) << "the password was printed";

  // Without --ca-file the system store decides: it does not know the lab CA.
  const std::string no_ca = kAlicePassword + kBin + " policy --url '" +
                            std::string(ready["cep"]["UsernamePassword"]) + "' --username alice";
  const Output untrusted = run(no_ca);
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.text;
  EXPECT_NE(untrusted.text.find("not trusted"), std::string::npos) << untrusted.text;
  const Output insecure = run(no_ca + " --insecure");
  EXPECT_EQ(insecure.exit_code, 0) << insecure.text;
  EXPECT_NE(insecure.text.find("WARNING: --insecure"), std::string::npos) << insecure.text;

  const Output wrong =
      run("CESLAB_PASSWORD=nope " + kBin + " policy --url '" +
          std::string(ready["cep"]["UsernamePassword"]) + "' --username alice --ca-file '" +
          std::string(ready["ca_certificate"]) + "'");
  expect_wrong_password(wrong);
  EXPECT_EQ(serve->stop(), 0);
}

TEST_F(Cli, EnrollThroughThePolicyTakesPriorityOrderAndFallsBackPastADeadUri) {
  const std::string dead = refused_url();
  // Listed out of order: the dead URI has the lower priority value, so it
  // is tried first; the renewal-only one is never tried for a new request.
  const fs::path world = write_world(
      dir.path(), "",
      "cep:\n"
      "  ces_uris:\n"
      "    - { uri: /Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES,\n"
      "        auth: username_password, priority: 2 }\n"
      "    - { uri: \"" +
          dead +
          "\", auth: username_password, priority: 1 }\n"
          "    - { uri: \"https://127.0.0.1:9/R_CES_UsernamePassword/service.svc/CES\",\n"
          "        auth: username_password, priority: 0, renewal_only: true }\n");
  ASSERT_NO_FATAL_FAILURE(start_serve(world.string()));
  const std::string good = ready["ces"]["UsernamePassword"];
  const Output out = run(kAlicePassword + kBin + " enroll --policy-url '" +
                         std::string(ready["cep"]["UsernamePassword"]) +
                         "' --template 1.3.6.1.4.1.311.21.8.1.1 --username alice --out " +
                         quoted(dir.path() / "alice") + " --ca-file '" +
                         std::string(ready["ca_certificate"]) + "'");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  EXPECT_NE(out.text.find("template User (1.3.6.1.4.1.311.21.8.1.1), 3 UsernamePassword"),
            std::string::npos)
      << out.text;
  const auto not_reachable = out.text.find("not reachable: " + dead + ": ");
  const auto sent = out.text.find("sent to " + good);
  ASSERT_NE(not_reachable, std::string::npos) << out.text;
  ASSERT_NE(sent, std::string::npos) << out.text;
  EXPECT_LT(not_reachable, sent);
  EXPECT_EQ(out.text.find("R_CES_UsernamePassword"), std::string::npos) << out.text;
  EXPECT_NE(out.text.find("chains to the CA: yes"), std::string::npos) << out.text;
  EXPECT_TRUE(files_pair(dir.path() / "alice" / "cert.pem", dir.path() / "alice" / "key.pem"));
  EXPECT_EQ(serve->stop(), 0);
}

TEST_F(Cli, EnrollSendsAGivenCsrWithSubjectAndSans) {
  ASSERT_NO_FATAL_FAILURE(start_serve());
  const std::string url = ces_url();
  const std::string ca = ca_file();

  // Options: a subject and SANs for the request the CLI builds.
  const Output built = run(kAlicePassword + kBin + " enroll --url '" + url +
                           "' --template WebServer --username alice --key rsa3072 "
                           "--subject CN=www.lab.test --san-dns www.lab.test --san-dns "
                           "lab.test --san-email web@lab.test --pkcs10 --out " +
                           quoted(dir.path() / "web") + " --ca-file '" + ca + "'");
  EXPECT_EQ(built.exit_code, 0) << built.text;
  const auto info = ceslab::core::describe(
      ceslab::core::read_certificates_pem(dir.path() / "web" / "cert.pem").front().get());
  EXPECT_EQ(info.subject, "CN=www.lab.test");
  EXPECT_EQ(info.san.dns, (std::vector<std::string>{"www.lab.test", "lab.test"}));
  EXPECT_EQ(info.san.email, std::vector<std::string>{"web@lab.test"});
  EXPECT_EQ(info.key_description, "RSA 3072");

  // --csr: a request made elsewhere, sent as it is; no key is written.
  auto key = ceslab::core::generate_key(ceslab::core::KeySpec::parse("ecdsa-p256"));
  ceslab::core::CsrOptions csr;
  csr.subject = "CN=mail.lab.test";
  csr.san.dns = {"mail.lab.test"};
  const ceslab::core::Bytes der = ceslab::core::build_csr(key.get(), csr);
  const fs::path csr_file = dir.path() / "mail.req";
  std::ofstream(csr_file, std::ios::binary)
      .write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  const Output given = run(kAlicePassword + kBin + " enroll --url '" + url +
                           "' --template WebServer --username alice --csr " + quoted(csr_file) +
                           " --out " + quoted(dir.path() / "mail") + " --ca-file '" + ca + "'");
  EXPECT_EQ(given.exit_code, 0) << given.text;
  EXPECT_FALSE(fs::exists(dir.path() / "mail" / "key.pem"));
  const auto mail = ceslab::core::read_certificates_pem(dir.path() / "mail" / "cert.pem");
  EXPECT_TRUE(ceslab::core::certificate_matches_key(mail.front().get(), key.get()));
  EXPECT_EQ(ceslab::core::describe(mail.front().get()).subject, "CN=mail.lab.test");
  EXPECT_EQ(serve->stop(), 0);
}

TEST_F(Cli, UsageErrorsExit2NamingTheOption) {
  const std::string enroll = kBin + " enroll --url https://127.0.0.1:9/x --template User";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {kBin + " enroll --template User --username alice", "--url or --policy-url"},
      {kBin + " enroll --url https://a/x --policy-url https://a/y --template User", "--url"},
      {enroll, "--username"},
      {enroll + " --username alice --key rsa12", "--key"},
      {enroll + " --username alice --subject 'CN=a,=b'", "--subject"},
      {enroll + " --auth ntlm", "--auth"},
      {enroll + " --auth cert", "--client-cert"},
      {enroll + " --auth cert --client-cert /etc/hostname", "--client-key"},
      {enroll + " --username alice --csr /etc/hostname --key rsa2048", "--csr"},
      {enroll + " --username alice --timeout 0", "--timeout"},
      {kBin + " renew --url https://a/x --key /etc/hostname", "--cert"},
      {kBin + " retrieve --url https://a/x --request-id abc", "--request-id"},
      {kBin + " policy --username alice", "--url"},
  };
  for (const auto& [command, option] : cases) {
    const Output out = run("env -u CESLAB_PASSWORD " + command);
    EXPECT_EQ(out.exit_code, 2) << command << "\n" << out.text;
    EXPECT_NE(out.text.find(option), std::string::npos) << command << "\n" << out.text;
  }
}

TEST_F(Cli, KerberosKeytabNeedsAPrincipal) {
  for (const std::string sub :
       {" enroll --template User --url ", " retrieve --request-id 1 --url ", " policy --url "}) {
    const Output out =
        run(kBin + sub + "'" + refused_url() + "' --auth kerberos --keytab /etc/hostname");
    EXPECT_EQ(out.exit_code, 2) << sub << out.text;
    EXPECT_NE(out.text.find("--keytab"), std::string::npos) << sub << out.text;
    EXPECT_EQ(out.text.find("refused"), std::string::npos) << sub << out.text;
  }
}

}  // namespace
