// SPDX-License-Identifier: GPL-2.0-or-later
// Every artefact of the diagnosis corpus (tests/fixtures/diagnose/<case>/)
// reads without an InputError into a record that holds something to judge,
// and every case says what the verdict must be. (Whether the engine reaches
// that verdict is the engine's test.)
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ceslab::diagnosis {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> case_directories() {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(fs::path(CESLAB_FIXTURES_DIR) / "diagnose")) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

bool holds_something(const core::Evidence& e) {
  return e.fault || e.http || e.transport || e.response || !e.messages.empty() ||
         !e.server_events.empty() || e.kerberos.forwardable || e.kerberos.ok_as_delegate ||
         e.kerberos.gss_major;
}

TEST(InputCorpus, EveryCaseReadsAndSaysItsVerdict) {
  const std::vector<fs::path> dirs = case_directories();
  ASSERT_GE(dirs.size(), 82u);  // 41 causes, a positive and a look-alike each at least
  for (const fs::path& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    std::ifstream expect(dir / "expect.yaml");
    ASSERT_TRUE(expect) << "no expect.yaml";
    std::string line;
    bool verdict = false;
    while (std::getline(expect, line))
      verdict = verdict || line.rfind("verdict: ", 0) == 0 || line.rfind("{verdict: ", 0) == 0;
    EXPECT_TRUE(verdict) << "expect.yaml has no verdict";

    core::Evidence e = empty_evidence();
    int inputs = 0;
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(dir)) {
      if (f.path().filename() != "expect.yaml") files.push_back(f.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      try {
        const ParsedInput p = read_input_file(f, {}, e);
        EXPECT_FALSE(p.facts.empty()) << f.filename();
        ++inputs;
      } catch (const InputError& error) {
        ADD_FAILURE() << error.what();
      }
    }
    EXPECT_GE(inputs, 1);
    EXPECT_TRUE(holds_something(e)) << "the record holds nothing to judge";
  }
}

}  // namespace
}  // namespace ceslab::diagnosis
