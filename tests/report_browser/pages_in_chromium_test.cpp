// SPDX-License-Identifier: GPL-2.0-or-later
// The HTML pages opened in a real browser: headless Chromium (Debian
// `chromium`, installed by scripts/setup) loads each page from a file, runs
// its script and dumps the DOM. A page passes when its script ran to its end
// (body data-ready="1"), it counted the rows the page was written with, and
// the browser logged no console message at all: no script error, and no
// Content-Security-Policy refusal of something fetched from elsewhere.
// ctest label `browser` (the sanitize preset leaves it out).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ceslab/report/html_pages.hpp"
#include "ceslab/runner/scenario_record.hpp"
#include "report/page_fixtures.hpp"
#include "temp_dir.hpp"

extern char** environ;

namespace ceslab::report {
namespace {

namespace fs = std::filesystem;
using test_support::TempDir;

constexpr const char* kChromium = "/usr/bin/chromium";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

struct Loaded {
  int status = -1;  // the browser's exit status
  std::string dom;  // --dump-dom, after the page's script ran
  std::string log;  // stderr: console messages are logged as "...:CONSOLE..."
  // The log lines that are the page's console messages or script errors.
  std::string console() const {
    std::istringstream lines(log);
    std::string line, out;
    while (std::getline(lines, line)) {
      if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos)
        out += line + "\n";
    }
    return out;
  }
};

// `page` opened by headless Chromium with a profile of its own, no network
// services, and the page's console on stderr.
Loaded open_in_chromium(const fs::path& page, const std::string& fragment = "") {
  TempDir scratch;
  const fs::path profile = scratch.path() / "profile";
  const fs::path out = scratch.path() / "dom.html", err = scratch.path() / "stderr.txt";
  std::vector<std::string> args = {kChromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--user-data-dir=" + profile.string(),
                                   "--enable-logging=stderr",
                                   "--v=0",
                                   "--dump-dom",
                                   "file://" + fs::absolute(page).string() + fragment};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, kChromium, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  Loaded loaded;
  if (spawned != 0) {
    loaded.log = std::string("posix_spawn: ") + std::strerror(spawned);
    return loaded;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  loaded.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  loaded.dom = read_file(out);
  loaded.log = read_file(err);
  return loaded;
}

class PagesInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kChromium, X_OK) != 0) {
      GTEST_SKIP() << kChromium << " is not installed (scripts/setup installs Debian chromium)";
    }
  }

  fs::path write(const std::string& name, const std::string& html) {
    const fs::path file = dir_.path() / name;
    write_page(file, html);
    return file;
  }

  // The page loaded cleanly and its script counted `rows` rows.
  static void expect_clean(const Loaded& l, std::size_t rows) {
    EXPECT_EQ(l.status, 0) << l.log;
    EXPECT_EQ(l.console(), "") << "console messages of the page";
    EXPECT_NE(l.dom.find("data-ready=\"1\""), std::string::npos) << "the script did not finish";
    EXPECT_NE(l.dom.find("data-rows=\"" + std::to_string(rows) + "\""), std::string::npos)
        << l.dom.substr(0, 2000);
    EXPECT_EQ(occurrences(l.dom, "data-row=\"\""), rows);
  }

  TempDir dir_;
};

TEST_F(PagesInChromium, TheRunPageLoadsCleanlyAndFiltersByResult) {
  std::vector<runner::ScenarioResult> results = testing::real_results();
  results.push_back(testing::hostile_result(runner::Result::skip));
  const fs::path file =
      write("run.html", run_page(results, runner::summarize(results, std::chrono::seconds(2))));

  const Loaded all = open_in_chromium(file);
  expect_clean(all, 3);
  EXPECT_EQ(occurrences(all.dom, "data-result="), 3u);
  EXPECT_NE(all.dom.find("data-visible=\"3\""), std::string::npos);
  // The hostile name is text, not a script that ran.
  EXPECT_NE(all.dom.find("&lt;script&gt;alert('id')&lt;/script&gt;"), std::string::npos);

  // "#result=FAIL" leaves only the failed scenario shown.
  const Loaded failed = open_in_chromium(file, "#result=FAIL");
  expect_clean(failed, 3);
  EXPECT_NE(failed.dom.find("data-visible=\"1\""), std::string::npos);
}

TEST_F(PagesInChromium, TheDiagnosisPageLoadsCleanly) {
  const std::vector<runner::ScenarioResult> results = testing::real_results();
  ASSERT_TRUE(results[1].record && results[1].record->with_server_events);
  const diagnosis::Diagnosis& d = *results[1].record->with_server_events;
  const fs::path file =
      write("diagnose.html", diagnosis_page(d, {{"fault.xml", "soap_fault", {}}}));
  expect_clean(open_in_chromium(file), d.candidates.size());
}

TEST_F(PagesInChromium, TheBenchPageLoadsCleanly) {
  const load::LoadReport r = testing::bench_report();
  const fs::path file = write("bench.html", bench_page(r, {"https://ces/CES", "User", "username"}));
  const Loaded l = open_in_chromium(file);
  expect_clean(l, r.per_second.size());
  EXPECT_EQ(occurrences(l.dom, "<svg"), 2u);
}

}  // namespace
}  // namespace ceslab::report
