// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the input reader tests: fixtures from tests/fixtures/diagnose-inputs.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ceslab/diagnosis/inputs.hpp"

namespace ceslab::diagnosis::testing {

inline std::filesystem::path input_fixture(const std::string& relative) {
  return std::filesystem::path(CESLAB_FIXTURES_DIR) / "diagnose-inputs" / relative;
}

inline std::string fixture_bytes(const std::string& relative) {
  std::ifstream in(input_fixture(relative), std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << relative;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// One fixture read into a fresh record.
struct Read {
  ParsedInput parsed;
  core::Evidence evidence = empty_evidence();
};

inline Read read_fixture(const std::string& relative, std::optional<InputType> forced = {}) {
  Read r;
  r.parsed = read_input_file(input_fixture(relative), forced, r.evidence);
  return r;
}

inline bool has_fact(const std::vector<std::string>& facts, const std::string& part) {
  return std::any_of(facts.begin(), facts.end(),
                     [&](const std::string& f) { return f.find(part) != std::string::npos; });
}

// Prints the facts when an expectation on them fails.
inline std::string all_facts(const std::vector<std::string>& facts) {
  std::string out;
  for (const std::string& f : facts) out += "  " + f + "\n";
  return out;
}

}  // namespace ceslab::diagnosis::testing
