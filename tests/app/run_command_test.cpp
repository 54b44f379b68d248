// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab run` as a user and a CI job run it: the baseline scenarios with
// their Kerberos cases pass and leave no realm behind, a ^C ends the run
// early, cleans up and says so in the exit code, a user's own scenario runs
// with JSON and JUnit reports, a broken one fails with its diff, --lint and
// --list and --shard do what they say.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "cli_support.hpp"
#include "runner/no_email_case.hpp"

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

using ceslab::app::testing::read_file;

TEST(RunCommand, PassesTheBaselineScenariosWithKerberosAndRemovesTheRealm) {
  RunProcess run({"baseline", "--jobs", "2"});
  std::string line;
  ASSERT_TRUE(run.next_line(line));
  const fs::path realm = realm_of(line);
  ASSERT_FALSE(realm.empty()) << line;
  std::string rest;
  const int code = run.finish(rest);
  EXPECT_EQ(code, 0) << rest;
  // The table: scenario, expected, both verdicts, result.
  EXPECT_NE(rest.find("verdict (with server events)"), std::string::npos) << rest;
  EXPECT_TRUE(std::regex_search(
      rest, std::regex(R"(baseline/issue-user-kerberos +succeeded +succeeded +succeeded +PASS)")))
      << rest;
  EXPECT_NE(rest.find("\n11 passed, 0 failed\n"), std::string::npos) << rest;
  EXPECT_FALSE(fs::exists(realm)) << realm;
}

TEST(RunCommand, NoKerberosSkipsTheKerberosScenarios) {
  RunProcess run({"baseline", "--no-kerberos"});
  std::string all;
  EXPECT_EQ(run.finish(all), 0) << all;
  EXPECT_EQ(all.find("Kerberos realm"), std::string::npos) << all;
  EXPECT_NE(all.find("8 passed, 0 failed, 3 skipped"), std::string::npos) << all;
}

TEST(RunCommand, AnInterruptEndsTheRunCleansUpAndExits130) {
  RunProcess run({"--jobs", "1"});
  std::string line;
  ASSERT_TRUE(run.next_line(line));
  const fs::path realm = realm_of(line);
  ASSERT_FALSE(realm.empty()) << line;
  // ^C as soon as the realm is up, while the first scenario runs.
  run.signal(SIGINT);
  std::string rest;
  const int code = run.finish(rest);
  EXPECT_EQ(code, 128 + SIGINT) << rest;
  EXPECT_NE(rest.find("interrupted (signal 2)"), std::string::npos) << rest;
  EXPECT_TRUE(std::regex_search(rest, std::regex(R"(; interrupted, \d+ not run)"))) << rest;
  EXPECT_FALSE(fs::exists(realm)) << "the realm outlived an interrupted run: " << realm;
}

class RunFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ceslab-run-test-" + std::to_string(getpid()));
    fs::create_directories(dir_ / "mine");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    const fs::path file = dir_ / "mine" / (name + ".yaml");
    std::ofstream(file) << text;
    return file;
  }
  fs::path dir_;
};

// A customer's case reproduced in the lab: alice has no e-mail.
const std::string kOwnScenario = ceslab::test_support::no_email_scenario(
    R"(name: no-email
summary: alice lost her e-mail address
source: ticket 4711
)",
    R"(  fault: { error_code: CERTSRV_E_SUBJECT_EMAIL_REQUIRED }
  diagnosis:
    client_only: ca_subject_email_required
    with_server_events: ca_subject_email_required
)");

TEST_F(RunFiles, RunsAUsersOwnScenarioAndWritesJsonAndJunit) {
  const fs::path file = write("no-email", kOwnScenario);
  RunProcess run({"--scenario", file.string(), "--json", (dir_ / "r.json").string(), "--junit",
                  (dir_ / "r.xml").string()});
  std::string all;
  EXPECT_EQ(run.finish(all), 0) << all;
  EXPECT_NE(all.find("1 passed, 0 failed"), std::string::npos) << all;
  const std::string json = read_file(dir_ / "r.json");
  EXPECT_NE(json.find("\"name\": \"mine/no-email\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"result\": \"PASS\""), std::string::npos) << json;
  const std::string xml = read_file(dir_ / "r.xml");
  EXPECT_NE(xml.find("<testcase classname=\"mine\" name=\"no-email\""), std::string::npos) << xml;
}

TEST_F(RunFiles, TheHtmlReportShowsTheScenarioItsExchangeAndNoPassword) {
  const fs::path file = write("no-email", kOwnScenario);
  RunProcess run({"--scenario", file.string(), "--html", (dir_ / "r.html").string()});
  std::string all;
  EXPECT_EQ(run.finish(all), 0) << all;
  const std::string html = read_file(dir_ / "r.html");
  EXPECT_NE(html.find("data-result=\"PASS\""), std::string::npos);
  EXPECT_EQ(html.find("data-result=", html.find("data-result=") + 1), std::string::npos)
      << "one row";
  EXPECT_NE(html.find("mine/no-email"), std::string::npos);
  EXPECT_NE(html.find("CERTSRV_E_SUBJECT_EMAIL_REQUIRED"), std::string::npos);
  EXPECT_NE(html.find("[redacted]"), std::string::npos);
  EXPECT_EQ(html.find("alice-password"), std::string::npos);
}

TEST_F(RunFiles, ABrokenScenarioFailsWithItsDiffAndExit1) {
  std::string text = kOwnScenario;
  text.replace(text.find("CERTSRV_E_SUBJECT_EMAIL_REQUIRED"), 32, "CERTSRV_E_TEMPLATE_DENIED");
  const fs::path file = write("no-email", text);
  RunProcess run({"--scenario", file.string(), "--out", (dir_ / "out").string()});
  std::string all;
  EXPECT_EQ(run.finish(all), 1) << all;
  EXPECT_NE(all.find("FAIL mine/no-email\n  step 1 (enroll): fault.error_code\n"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("CERTSRV_E_TEMPLATE_DENIED"), std::string::npos) << all;
  EXPECT_NE(all.find((dir_ / "out" / "mine_no-email").string()), std::string::npos) << all;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "mine_no-email" / "diff.txt"));
  EXPECT_NE(all.find("0 passed, 1 failed"), std::string::npos) << all;
}

TEST_F(RunFiles, LintNamesTheFileAndLineAndRunsNothing) {
  std::string text = kOwnScenario;
  text.replace(text.find("template: User"), 14, "template: Usr");
  const fs::path bad = write("no-email", text);
  RunProcess run({"--lint", bad.string()});
  std::string all;
  EXPECT_EQ(run.finish(all), 1) << all;
  EXPECT_NE(all.find(bad.string() + ":8: the world has no template 'Usr'"), std::string::npos)
      << all;
  EXPECT_NE(all.find("0 scenario file(s) valid, 1 with errors"), std::string::npos) << all;

  RunProcess bundled({"--lint"});
  std::string lint;
  EXPECT_EQ(bundled.finish(lint), 0) << lint;
  EXPECT_NE(lint.find("0 with errors"), std::string::npos) << lint;
}

TEST(RunCommand, ListsAndShardsTheBundledScenarios) {
  RunProcess list({"--list"});
  std::string all;
  EXPECT_EQ(list.finish(all), 0) << all;
  EXPECT_NE(all.find("causes/ca_subject_email_required  "), std::string::npos) << all;
  EXPECT_NE(all.find("baseline/pending-approve-retrieve  "), std::string::npos) << all;

  // Two shards of the username/password baselines run each exactly once.
  std::string first, second;
  RunProcess one({"baseline/issue-user-username*", "--shard", "1/2"});
  EXPECT_EQ(one.finish(first), 0) << first;
  RunProcess two({"baseline/issue-user-username*", "--shard", "2/2"});
  EXPECT_EQ(two.finish(second), 0) << second;
  EXPECT_NE(first.find("1 passed, 0 failed"), std::string::npos) << first;
  EXPECT_NE(second.find("1 passed, 0 failed"), std::string::npos) << second;
  const bool pkcs10_first = first.find("issue-user-username-pkcs10") != std::string::npos;
  const bool pkcs10_second = second.find("issue-user-username-pkcs10") != std::string::npos;
  EXPECT_NE(pkcs10_first, pkcs10_second);

  RunProcess bad({"--shard", "3/2"});
  std::string usage;
  EXPECT_EQ(bad.finish(usage), 2) << usage;
  EXPECT_NE(usage.find("--shard"), std::string::npos) << usage;
}

}  // namespace
