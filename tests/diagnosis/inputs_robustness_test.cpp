// SPDX-License-Identifier: GPL-2.0-or-later
// Whatever a customer sends, a reader either reads it or throws InputError:
// every fixture cut short at many points and with bytes overwritten, read
// as every type (run under ASan/UBSan too).
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include <exception>
#include <filesystem>

#include "inputs_test_support.hpp"

namespace ceslab::diagnosis {
namespace {

namespace fs = std::filesystem;

// Reads `content`; fails the test on anything but success or InputError.
void read_or_refuse(const std::string& name, const std::string& content,
                    std::optional<InputType> type) {
  core::Evidence e = empty_evidence();
  try {
    read_input(name, content, type, e);
  } catch (const InputError&) {
  } catch (const std::exception& other) {
    ADD_FAILURE() << name << " as " << (type ? to_string(*type) : "detected")
                  << ": not an InputError: " << other.what();
  }
}

TEST(InputRobustness, CutAndDamagedFixturesAreReadOrRefused) {
  int inputs = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(CESLAB_FIXTURES_DIR) / "diagnose-inputs")) {
    if (!entry.is_regular_file() || entry.path().extension() == ".md") continue;
    const std::string bytes = testing::fixture_bytes(
        fs::relative(entry.path(), fs::path(CESLAB_FIXTURES_DIR) / "diagnose-inputs").string());
    const std::string name = entry.path().filename().string();
    for (int cut = 1; cut <= 12; ++cut) {
      const std::string part = bytes.substr(0, bytes.size() * cut / 13);
      read_or_refuse(name, part, std::nullopt);
      std::string damaged = bytes;
      for (std::size_t i = cut; i < damaged.size(); i += 97)
        damaged[i] = static_cast<char>(0xC3 + cut);
      read_or_refuse(name, damaged, std::nullopt);
      inputs += 2;
    }
    for (const InputType t : all_input_types()) read_or_refuse(name, bytes, t);
  }
  EXPECT_GT(inputs, 500);
}

// nlohmann's parser reports a number beyond a double (1e999) as out_of_range,
// not parse_error (found by fuzzing evidence_json, docs/fuzzing.md): it is
// still a file that is not readable JSON, and must be refused as one, naming
// the file, not end `ceslab diagnose` with a bare library message.
TEST(InputRobustness, ANumberBeyondADoubleIsAnInputErrorNamingTheFile) {
  for (const InputType t : {InputType::evidence_json, InputType::event_jsonl}) {
    core::Evidence e = empty_evidence();
    try {
      read_input("overflow.json", "{\"schema\": 1e999}\n", t, e);
      ADD_FAILURE() << to_string(t) << ": read without an error";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("overflow.json"), std::string::npos) << error.what();
    } catch (const std::exception& other) {
      ADD_FAILURE() << to_string(t) << ": not an InputError: " << other.what();
    }
  }
}

}  // namespace
}  // namespace ceslab::diagnosis
