// SPDX-License-Identifier: GPL-2.0-or-later
// Arrows go one way (docs/architecture.md): every `#include "ceslab/<part>/..."`
// in a library's sources points at its own folder or one below it, never up
// or sideways. app/ and bench/ sit on top and may include anything.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::weakly_canonical(fs::path(CESLAB_FIXTURES_DIR) / ".." / "..");

// Folder -> the include directories (ceslab/<name>/) its sources may use.
const std::map<std::string, std::set<std::string>> kMayInclude = {
    {"core", {"core"}},
    {"wsdl", {"core", "wsdl"}},
    {"client", {"core", "wsdl", "client"}},
    {"mock_ces", {"core", "wsdl", "mock"}},
    {"diagnosis", {"core", "wsdl", "diagnosis"}},
    {"kdc", {"core", "wsdl", "kdc"}},
    {"load", {"core", "wsdl", "client", "diagnosis", "load"}},
    {"runner", {"core", "wsdl", "client", "mock", "diagnosis", "kdc", "runner"}},
    {"conformance",
     {"core", "wsdl", "client", "mock", "diagnosis", "kdc", "runner", "conformance"}},
    {"report", {"core", "wsdl", "client", "mock", "diagnosis", "kdc", "runner", "load", "report"}},
};

bool is_cpp(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".cpp" || ext == ".hpp" || ext == ".h";
}

TEST(Layering, EveryIncludePointsDownTheArrows) {
  const std::regex include(R"(^\s*#\s*include\s*"ceslab/([A-Za-z0-9_]+)/)");
  std::size_t checked = 0;
  for (const auto& [folder, may_include] : kMayInclude) {
    ASSERT_TRUE(fs::is_directory(kRoot / folder)) << kRoot / folder;
    for (const auto& entry : fs::recursive_directory_iterator(kRoot / folder)) {
      if (!entry.is_regular_file() || !is_cpp(entry.path())) continue;
      std::ifstream in(entry.path());
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        std::smatch m;
        if (!std::regex_search(line, m, include)) continue;
        ++checked;
        EXPECT_TRUE(may_include.count(m[1].str()) > 0)
            << fs::relative(entry.path(), kRoot).string() << ":" << number << " includes "
            << "ceslab/" << m[1].str() << "/, against the arrows of " << folder << "/";
      }
    }
  }
  EXPECT_GT(checked, 300u) << "the scan found almost nothing: is the root right? " << kRoot;
}

}  // namespace
