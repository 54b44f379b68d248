// SPDX-License-Identifier: GPL-2.0-or-later
// The ceslab executable as a user runs it: help, serve + enroll in two
// processes over loopback TLS, exit codes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

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
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.text.append(buf, n);
  const int status = pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() /
              ("ceslab-cli-test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// `ceslab serve` in the background, stopped with SIGTERM like a user's ^C.
class ServeProcess {
 public:
  explicit ServeProcess(const fs::path& dir) : ready_(dir / "ready.json") {
    const std::string ready = ready_.string();
    const std::string state = (dir / "state").string();
    const char* argv[] = {CESLAB_BINARY, "serve",       "--ready-file", ready.c_str(),
                          "--state-dir", state.c_str(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (dir / "serve.log").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn(&pid_, CESLAB_BINARY, &actions, nullptr, const_cast<char**>(argv), environ);
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
  bool ready_file_exists() const { return fs::exists(ready_); }
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

TEST(Cli, HelpListsTheSubcommands) {
  const Output out = run(std::string(CESLAB_BINARY) + " --help");
  EXPECT_EQ(out.exit_code, 0);
  for (const char* sub : {"run", "serve", "enroll", "admin"}) {
    EXPECT_NE(out.text.find(sub), std::string::npos) << sub << " missing from:\n" << out.text;
  }
}

TEST(Cli, UnknownOptionIsAUsageError) {
  EXPECT_EQ(run(std::string(CESLAB_BINARY) + " enroll --no-such-option").exit_code, 2);
}

TEST(Cli, ServeThenEnrollLikeAUser) {
  TempDir dir;
  ServeProcess serve(dir.path());
  ASSERT_TRUE(serve.ready_file_exists()) << "serve did not write its ready file";
  const nlohmann::json ready = serve.ready();
  const std::string url = ready["ces"]["UsernamePassword"];
  const std::string ca = ready["ca_certificate"];
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
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.text.find("0x803d0013 (-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)"),
            std::string::npos)
      << wrong.text;

  EXPECT_EQ(serve.stop(), 0);
}

TEST(Cli, PendingRequestApprovedByTheAdminCommand) {
  TempDir dir;
  ServeProcess serve(dir.path());
  ASSERT_TRUE(serve.ready_file_exists()) << "serve did not write its ready file";
  const nlohmann::json ready = serve.ready();
  const std::string url = ready["ces"]["UsernamePassword"];
  const std::string ca = ready["ca_certificate"];
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
  EXPECT_EQ(serve.stop(), 0);
}

TEST(Cli, RunPassesTheBaseline) {
  const Output out = run(std::string(CESLAB_BINARY) + " run");
  EXPECT_EQ(out.exit_code, 0) << out.text;
  EXPECT_NE(out.text.find("2 passed, 0 failed"), std::string::npos) << out.text;
}

}  // namespace
