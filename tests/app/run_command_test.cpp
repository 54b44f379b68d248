// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab run` as a user and a CI job run it: the baseline with its
// Kerberos cases passes and leaves no realm behind, and a ^C ends the run
// early, cleans up, and says so in the exit code.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>

extern char** environ;

namespace {

namespace fs = std::filesystem;

// `ceslab run ARGS` with its stdout and stderr on a pipe we read.
class RunProcess {
 public:
  explicit RunProcess(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    std::vector<const char*> argv = {CESLAB_BINARY, "run"};
    for (const std::string& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn(&pid_, CESLAB_BINARY, &actions, nullptr, const_cast<char**>(argv.data()), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }
  ~RunProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) fclose(out_);
  }
  // The next line it printed; false at the end of its output.
  bool next_line(std::string& line) {
    line.clear();
    if (out_ == nullptr) return false;
    for (int c = fgetc(out_); c != EOF; c = fgetc(out_)) {
      if (c == '\n') return true;
      line += static_cast<char>(c);
    }
    return !line.empty();
  }
  void signal(int sig) { kill(pid_, sig); }
  // Reads the rest of its output, reaps it; its exit code (-1 if killed).
  int finish(std::string& rest) {
    std::string line;
    while (next_line(line)) rest += line + "\n";
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

// "Kerberos realm in DIR (KDC started in N ms; ...)" -> DIR
fs::path realm_of(const std::string& line) {
  static const std::regex kRealm(R"(^Kerberos realm in (\S+) \(KDC started in \d+ ms)");
  std::smatch m;
  return std::regex_search(line, m, kRealm) ? fs::path(m[1].str()) : fs::path();
}

TEST(RunCommand, PassesTheBaselineWithKerberosAndRemovesTheRealm) {
  RunProcess run({});
  std::string line;
  ASSERT_TRUE(run.next_line(line));
  const fs::path realm = realm_of(line);
  ASSERT_FALSE(realm.empty()) << line;
  std::string rest;
  const int code = run.finish(rest);
  EXPECT_EQ(code, 0) << rest;
  EXPECT_NE(rest.find("PASS baseline/issue-user-kerberos "), std::string::npos) << rest;
  EXPECT_NE(rest.find("PASS baseline/issue-user-kerberos-unconstrained "), std::string::npos)
      << rest;
  EXPECT_NE(rest.find("4 passed, 0 failed"), std::string::npos) << rest;
  EXPECT_FALSE(fs::exists(realm)) << realm;
}

TEST(RunCommand, NoKerberosRunsTheUsernamePasswordCasesOnly) {
  RunProcess run({"--no-kerberos"});
  std::string all;
  EXPECT_EQ(run.finish(all), 0) << all;
  EXPECT_EQ(all.find("Kerberos realm"), std::string::npos) << all;
  EXPECT_NE(all.find("2 passed, 0 failed"), std::string::npos) << all;
}

TEST(RunCommand, AnInterruptEndsTheRunCleansUpAndExits130) {
  RunProcess run({});
  std::string line;
  ASSERT_TRUE(run.next_line(line));
  const fs::path realm = realm_of(line);
  ASSERT_FALSE(realm.empty()) << line;
  // ^C as soon as the realm is up, while the first of four cases runs.
  run.signal(SIGINT);
  std::string rest;
  const int code = run.finish(rest);
  EXPECT_EQ(code, 128 + SIGINT) << rest;
  EXPECT_NE(rest.find("interrupted (signal 2)"), std::string::npos) << rest;
  EXPECT_NE(rest.find("interrupted, the rest not run"), std::string::npos) << rest;
  EXPECT_EQ(rest.find("issue-user-kerberos-unconstrained"), std::string::npos) << rest;
  EXPECT_FALSE(fs::exists(realm)) << "the realm outlived an interrupted run: " << realm;
}

}  // namespace
