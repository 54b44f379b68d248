// SPDX-License-Identifier: GPL-2.0-or-later
// The mock names the codes it answers with as Windows prints them and takes
// their values and messages from the code table (core/data/codes.yaml).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>

#include "ceslab/mock/faults.hpp"

namespace ceslab::mock {
namespace {

// Every quoted code name in the mock's sources ("CERTSRV_E_...", "E_INVALIDARG",
// "NTE_FAIL", ...): whatever path uses it, the table must know it.
std::set<std::string> code_names_in_mock_sources() {
  const std::filesystem::path src =
      std::filesystem::path(CESLAB_FIXTURES_DIR) / ".." / ".." / "mock_ces" / "src";
  const std::regex name(R"re("((?:E|ERROR|RPC_S|NTE|CRYPT_E|CERT_E|CERTSRV_E)_[A-Z0-9_]+)")re");
  std::set<std::string> names;
  for (const auto& file : std::filesystem::directory_iterator(src)) {
    std::ifstream in(file.path());
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it)
      names.insert((*it)[1].str());
  }
  return names;
}

TEST(TableCodes, EveryNameTheMockUsesIsInTheTable) {
  const std::set<std::string> names = code_names_in_mock_sources();
  EXPECT_GE(names.size(), 27u);  // the scan found the mock's codes
  for (const std::string& n : names) {
    EXPECT_NE(core::CodeTable::builtin().find_name(n), nullptr) << n;
    EXPECT_NO_THROW((void)table_code(n)) << n;
  }
}

TEST(TableCodes, AMissingNameFailsLoudly) {
  try {
    (void)table_code("CERTSRV_E_NO_SUCH_THING");
    ADD_FAILURE() << "no throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("CERTSRV_E_NO_SUCH_THING"), std::string::npos);
  }
}

TEST(TableCodes, AFaultTakesTheTablesMessage) {
  const WireFault f = code_fault("E_INVALIDARG");
  EXPECT_EQ(f.fault.error_code, static_cast<std::int32_t>(0x80070057u));
  EXPECT_EQ(f.fault.reason, "The parameter is incorrect.");
  EXPECT_EQ(f.fault.invalid_request, false);
  EXPECT_EQ(code_fault("E_INVALIDARG", "The EncodingType is invalid.").fault.reason,
            "The EncodingType is invalid.");
}

}  // namespace
}  // namespace ceslab::mock
