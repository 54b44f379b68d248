// SPDX-License-Identifier: GPL-2.0-or-later
// The fuzz targets' corpora in the normal test suite (docs/fuzzing.md): every
// regression input kept under tests/fixtures/fuzz/<target>/ (each a finding
// that was fixed) and every seed of the target's seed list runs through the
// same function libFuzzer calls. A crash, a sanitizer report (in the
// sanitize preset) or an exception the target does not expect fails here,
// with any compiler.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "targets.hpp"

namespace ceslab::fuzz {
// The target's name in test listings (instead of its bytes).
void PrintTo(const Target& target, std::ostream* out) {
  *out << target.name;
}
}  // namespace ceslab::fuzz

namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A seed list as fuzz/seeds.cmake writes it: paths separated by commas.
std::vector<fs::path> seed_list(const std::string& target) {
  const fs::path list = fs::path(CESLAB_FUZZ_SEEDS_DIR) / (target + ".list");
  std::vector<fs::path> out;
  std::stringstream text(read_bytes(list));
  for (std::string path; std::getline(text, path, ',');) {
    if (!path.empty()) out.emplace_back(path);
  }
  return out;
}

std::vector<fs::path> regression_inputs(const std::string& target) {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(CESLAB_FIXTURES_DIR) / "fuzz" / target;
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != "README.md") {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void replay(const ceslab::fuzz::Target& target, const fs::path& input) {
  SCOPED_TRACE(input.string());
  const std::string bytes = read_bytes(input);
  EXPECT_EQ(target.run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
}

class FuzzCorpus : public testing::TestWithParam<ceslab::fuzz::Target> {};

TEST_P(FuzzCorpus, RegressionInputsRunClean) {
  for (const fs::path& input : regression_inputs(std::string(GetParam().name))) {
    replay(GetParam(), input);
  }
}

TEST_P(FuzzCorpus, SeedsRunClean) {
  const std::vector<fs::path> seeds = seed_list(std::string(GetParam().name));
  ASSERT_FALSE(seeds.empty()) << "no seeds for " << GetParam().name;
  for (const fs::path& input : seeds) {
    ASSERT_TRUE(fs::is_regular_file(input)) << input;
    replay(GetParam(), input);
  }
}

// Every folder under tests/fixtures/fuzz/ names a target (a renamed target
// would otherwise leave its regression inputs unreplayed).
TEST(FuzzCorpus, EveryRegressionFolderNamesATarget) {
  const fs::path root = fs::path(CESLAB_FIXTURES_DIR) / "fuzz";
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    bool known = false;
    for (const auto& t : ceslab::fuzz::all_targets()) known = known || t.name == name;
    EXPECT_TRUE(known) << entry.path();
  }
}

std::string target_name(const testing::TestParamInfo<ceslab::fuzz::Target>& info) {
  return std::string(info.param.name);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzCorpus, testing::ValuesIn(ceslab::fuzz::all_targets()),
                         target_name);

}  // namespace
