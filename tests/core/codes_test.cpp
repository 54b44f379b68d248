// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/codes.hpp"
#include "ceslab/core/https_client.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace ceslab::core {
namespace {

// ---------------------------------------------------------------------------
// The built-in table

TEST(CodeTableBuiltin, LoadsOnceAndIsShared) {
  const CodeTable& a = CodeTable::builtin();
  const CodeTable& b = CodeTable::builtin();
  EXPECT_EQ(&a, &b);
  EXPECT_GT(a.size(), 150u);
  EXPECT_EQ(a.size(), a.entries().size());
}

TEST(CodeTableBuiltin, ConcurrentFirstUseSeesOneTable) {
  std::vector<const CodeTable*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i)
    threads.emplace_back([&seen, i] { seen[i] = &CodeTable::builtin(); });
  for (auto& t : threads) t.join();
  for (const auto* p : seen) EXPECT_EQ(p, &CodeTable::builtin());
}

struct Named {
  const char* name;
  std::uint32_t value;
};

// Every code named in docs/causes.md and docs/protocol.md (KDC_ERR_* excepted:
// Kerberos protocol numbers, not HRESULTs), with the value the docs give.
const std::vector<Named> kDocumentedCodes = {
    {"WS_E_ENDPOINT_FAULT_RECEIVED", 0x803d0013},
    {"ERROR_ACCESS_DENIED", 0x80070005},
    {"CERTSRV_E_ENROLL_DENIED", 0x80094011},
    {"ERROR_BAD_IMPERSONATION_LEVEL", 0x80070542},
    {"CERTSRV_E_BAD_RENEWAL_SUBJECT", 0x80094806},
    {"CERTSRV_E_SUBJECT_EMAIL_REQUIRED", 0x80094812},
    {"CERT_E_INVALID_POLICY", 0x800b0113},
    {"CERTSRV_E_UNSUPPORTED_CERT_TYPE", 0x80094800},
    {"CERTSRV_E_NO_CERT_TYPE", 0x80094801},
    {"CERTSRV_E_TEMPLATE_DENIED", 0x80094012},
    {"CERTSRV_E_SUBJECT_DNS_REQUIRED", 0x8009480F},
    {"CERTSRV_E_SUBJECT_UPN_REQUIRED", 0x8009480D},
    {"CERTSRV_E_KEY_LENGTH", 0x80094811},
    {"CERTSRV_E_BAD_TEMPLATE_VERSION", 0x80094807},
    {"CERTSRV_E_RESTRICTEDOFFICER", 0x80094009},
    {"CERTSRV_E_BAD_REQUESTSUBJECT", 0x80094001},
    {"CERTSRV_E_ARCHIVED_KEY_REQUIRED", 0x80094804},
    {"CERTSRV_E_NO_VALID_KRA", 0x8009400B},
    {"CERTSRV_E_ADMIN_DENIED_REQUEST", 0x80094014},
    {"CERT_E_EXPIRED", 0x800B0101},
    {"CERT_E_REVOKED", 0x800B010C},
    {"CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE", 0x8009400E},
    {"CERTSRV_E_RENEWAL_BAD_PUBLIC_KEY", 0x80094816},
    {"NTE_FAIL", 0x80090020},
    {"RPC_S_SERVER_UNAVAILABLE", 0x800706BA},
    {"E_INVALIDARG", 0x80070057},
    {"WS_E_INVALID_FORMAT", 0x803d0000},
    {"HTTP_E_STATUS_DENIED", 0x80190191},
    {"WS_E_ENDPOINT_ACCESS_DENIED", 0x803d0005},
    {"CERT_E_UNTRUSTEDROOT", 0x800B0109},
    {"ERROR_WINHTTP_SECURE_FAILURE", 0x80072F8F},
    {"CERT_E_CN_NO_MATCH", 0x800B010F},
    {"CRYPT_E_REVOCATION_OFFLINE", 0x80092013},
};

TEST(CodeTableBuiltin, CoversEveryDocumentedCode) {
  const CodeTable& t = CodeTable::builtin();
  for (const auto& [name, value] : kDocumentedCodes) {
    SCOPED_TRACE(name);
    const ErrorCode* by_name = t.find_name(name);
    ASSERT_NE(by_name, nullptr);
    EXPECT_EQ(by_name->value, value);
    EXPECT_EQ(t.find(value), by_name);
    EXPECT_FALSE(by_name->message.empty());
  }
}

// Read from the documents themselves (docs/causes.md, docs/protocol.md): every
// failure HRESULT (0x80ffcccc) and every symbolic code name they print is in
// the table, so a code a document names can always be looked up.
TEST(CodeTableBuiltin, KnowsEveryCodeTheDocsPrint) {
  const CodeTable& t = CodeTable::builtin();
  const std::filesystem::path docs =
      std::filesystem::path(CESLAB_FIXTURES_DIR) / ".." / ".." / "docs";
  const std::regex value(R"(\b0x(80[0-9A-Fa-f]{6})\b)");
  const std::regex name(
      R"(\b((?:WS_E|CERTSRV_E|CERT_E|CRYPT_E|NTE|RPC_S|SEC_E|E)_[A-Z0-9_]+|ERROR_[A-Z0-9_]+)\b)");
  std::size_t values = 0;
  for (const char* file : {"causes.md", "protocol.md"}) {
    std::ifstream in(docs / file, std::ios::binary);
    ASSERT_TRUE(in) << (docs / file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (std::sregex_iterator m(text.begin(), text.end(), value), end; m != end; ++m) {
      const auto v = static_cast<std::uint32_t>(std::stoul((*m)[1].str(), nullptr, 16));
      // The high bit alone is a flag (subjectNameFlags), not a code.
      if (v == 0x80000000u) continue;
      ++values;
      EXPECT_NE(t.find(v), nullptr) << file << " prints " << (*m)[0].str();
    }
    for (std::sregex_iterator m(text.begin(), text.end(), name), end; m != end; ++m) {
      EXPECT_NE(t.find_name((*m)[1].str()), nullptr) << file << " names " << (*m)[1].str();
    }
  }
  EXPECT_GT(values, 20u);
}

// The signed decimals the docs print next to the hex (an independent check of
// the YAML's hex/decimal pairs).
TEST(CodeTableBuiltin, DecimalsMatchTheDocs) {
  const std::vector<std::pair<std::uint32_t, std::int32_t>> pairs = {
      {0x80070005, -2147024891}, {0x80094011, -2146877423}, {0x80070542, -2147023550},
      {0x80094806, -2146875386}, {0x80094812, -2146875374}, {0x800b0113, -2146762477},
      {0x80094800, -2146875392}, {0x80094012, -2146877422}, {0x8009480F, -2146875377},
      {0x8009480D, -2146875379}, {0x80094811, -2146875375}, {0x80094807, -2146875385},
      {0x80094009, -2146877431}, {0x80094001, -2146877439}, {0x80094014, -2146877420},
      {0x800706BA, -2147023174}, {0x80070057, -2147024809}, {0x803d0013, -2143485933},
      {0x803d0000, -2143485952},
  };
  for (const auto& [value, decimal] : pairs) {
    const ErrorCode* c = CodeTable::builtin().find(value);
    ASSERT_NE(c, nullptr) << hex_code(value);
    EXPECT_EQ(c->signed_value(), decimal) << c->name;
    EXPECT_EQ(CodeTable::builtin().parse_code(std::to_string(decimal)), value);
  }
}

TEST(CodeTableBuiltin, Win32EntriesCarryTheirWin32Code) {
  for (const auto& c : CodeTable::builtin().entries()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.win32.has_value(), is_win32_hresult(c.value));
    if (c.win32) {
      EXPECT_EQ(hresult_from_win32(*c.win32), c.value);
    }
  }
}

TEST(CodeTableBuiltin, EveryEntryParsesBackFromEveryForm) {
  const CodeTable& t = CodeTable::builtin();
  for (const auto& c : t.entries()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(t.parse_code(hex_code(c.value)), c.value);
    EXPECT_EQ(t.parse_code(std::to_string(c.signed_value())), c.value);
    EXPECT_EQ(t.parse_code(std::to_string(c.value)), c.value);
    EXPECT_EQ(t.parse_code(c.name), c.value);
    for (const auto& a : c.aliases) EXPECT_EQ(t.parse_code(a), c.value);
    if (c.win32) {
      EXPECT_EQ(t.parse_code("WIN32: " + std::to_string(*c.win32)), c.value);
    }
  }
}

// ---------------------------------------------------------------------------
// Lookups

TEST(CodeTableLookup, ByValueNameAndDecimal) {
  const CodeTable& t = CodeTable::builtin();

  const ErrorCode* email = t.find(0x80094812);
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->name, "CERTSRV_E_SUBJECT_EMAIL_REQUIRED");
  EXPECT_EQ(email->message,
            "The EMail name is unavailable and cannot be added to the Subject or Subject Alternate "
            "name.");
  EXPECT_FALSE(email->win32.has_value());
  EXPECT_EQ(t.find_name("certsrv_e_subject_email_required"), email);
  EXPECT_EQ(t.parse_code("-2146875374"), 0x80094812u);

  const ErrorCode* denied = t.find_name("ERROR_ACCESS_DENIED");
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(denied->value, 0x80070005u);
  EXPECT_EQ(denied->win32, 5u);
  EXPECT_EQ(denied->message, "Access is denied.");
  EXPECT_EQ(t.find(0x80070005), denied);
  EXPECT_EQ(t.parse_code("-2147024891"), 0x80070005u);

  const ErrorCode* fault = t.find(0x803d0013);
  ASSERT_NE(fault, nullptr);
  EXPECT_EQ(fault->name, "WS_E_ENDPOINT_FAULT_RECEIVED");
  EXPECT_EQ(t.find_name("Ws_E_Endpoint_Fault_Received"), fault);
  EXPECT_EQ(t.parse_code("-2143485933"), 0x803d0013u);

  const ErrorCode* policy = t.find_name("CERT_E_INVALID_POLICY");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->message, "The certificate has invalid policy.");
  EXPECT_EQ(policy->signed_value(), -2146762477);
}

TEST(CodeTableLookup, AliasesFindTheSameEntry) {
  const CodeTable& t = CodeTable::builtin();
  const ErrorCode* invalidarg = t.find_name("E_INVALIDARG");
  ASSERT_NE(invalidarg, nullptr);
  EXPECT_EQ(invalidarg->name, "ERROR_INVALID_PARAMETER");
  EXPECT_EQ(invalidarg->win32, 87u);
  EXPECT_EQ(invalidarg, t.find_name("error_invalid_parameter"));
  EXPECT_EQ(invalidarg, t.find(0x80070057));
  EXPECT_EQ(t.find_name("e_accessdenied"), t.find(0x80070005));
}

TEST(CodeTableLookup, UnknownGivesNull) {
  const CodeTable& t = CodeTable::builtin();
  EXPECT_EQ(t.find(0x8badf00d), nullptr);
  EXPECT_EQ(t.find_name("CERTSRV_E_NO_SUCH_THING"), nullptr);
  EXPECT_EQ(t.find_name(""), nullptr);
  // Kerberos protocol numbers are deliberately not in an HRESULT table.
  EXPECT_EQ(t.find_name("KDC_ERR_PRINCIPAL_NOT_UNIQUE"), nullptr);
}

// ---------------------------------------------------------------------------
// Formatting, exactly as certreq / certutil print

TEST(CodeTableFormat, HexCodeIsLowerCaseUnpadded) {
  EXPECT_EQ(hex_code(0x80094812), "0x80094812");
  EXPECT_EQ(hex_code(0x800B0113), "0x800b0113");
  EXPECT_EQ(hex_code(5), "0x5");
  EXPECT_EQ(hex_code(0), "0x0");
  EXPECT_EQ(hex_code(0xFFFFFFFF), "0xffffffff");
}

TEST(CodeTableFormat, KnownCodes) {
  EXPECT_EQ(format_code(0x80094812), "0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)");
  EXPECT_EQ(format_code(0x80070005), "0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)");
  EXPECT_EQ(format_code(0x80070057), "0x80070057 (WIN32: 87 ERROR_INVALID_PARAMETER)");
  EXPECT_EQ(format_code(0x80070542), "0x80070542 (WIN32: 1346 ERROR_BAD_IMPERSONATION_LEVEL)");
  EXPECT_EQ(format_code(0x803d0013), "0x803d0013 (-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)");
  EXPECT_EQ(format_code(0x800B0113), "0x800b0113 (-2146762477 CERT_E_INVALID_POLICY)");
  // As certutil -URLCache prints a 404.
  EXPECT_EQ(format_code(0x80190194), "0x80190194 (-2145844844 HTTP_E_STATUS_NOT_FOUND)");
}

TEST(CodeTableFormat, WinHttpRangeHasItsOwnLabel) {
  EXPECT_EQ(format_code(0x80072F8F), "0x80072f8f (WinHttp: 12175 ERROR_WINHTTP_SECURE_FAILURE)");
  // Verbatim certreq output for an unreachable -config URL.
  EXPECT_EQ(format_message_line(0x80072EE2),
            "The operation timed out 0x80072ee2 (WinHttp: 12002 ERROR_WINHTTP_TIMEOUT)");
}

TEST(CodeTableFormat, UnknownCodes) {
  EXPECT_EQ(format_code(0x8badf00d), "0x8badf00d (-1951535091)");
  EXPECT_EQ(format_message_line(0x8badf00d), "0x8badf00d (-1951535091)");
  // An unknown Win32 error still says WIN32, only without a name.
  EXPECT_EQ(format_code(0x80070539), "0x80070539 (WIN32: 1337)");
  EXPECT_EQ(format_code(0), "0x0 (0)");
}

TEST(CodeTableFormat, MessageLinesAsInTheCatalog) {
  EXPECT_EQ(format_message_line(0x80070005),
            "Access is denied. 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)");
  EXPECT_EQ(format_message_line(0x80094812),
            "The EMail name is unavailable and cannot be added to the Subject or Subject "
            "Alternate name. 0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)");
  EXPECT_EQ(format_message_line(0x80094011),
            "The permissions on this certification authority do not allow the current user to "
            "enroll for certificates. 0x80094011 (-2146877423 CERTSRV_E_ENROLL_DENIED)");
  EXPECT_EQ(format_message_line(0x800b0113),
            "The certificate has invalid policy. 0x800b0113 (-2146762477 CERT_E_INVALID_POLICY)");
  EXPECT_EQ(format_message_line(0x80070542),
            "Either a required impersonation level was not provided, or the provided "
            "impersonation level is invalid. 0x80070542 (WIN32: 1346 "
            "ERROR_BAD_IMPERSONATION_LEVEL)");
  EXPECT_EQ(format_message_line(0x803d0013),
            "A message containing a fault was received from the remote endpoint. 0x803d0013 "
            "(-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)");
  EXPECT_EQ(format_message_line(0x803d0000),
            "The input data was not in the expected format or did not have the expected value. "
            "0x803d0000 (-2143485952 WS_E_INVALID_FORMAT)");
  EXPECT_EQ(format_message_line(0x80070057),
            "The parameter is incorrect. 0x80070057 (WIN32: 87 ERROR_INVALID_PARAMETER)");
}

TEST(CodeTableFormat, UsesTheTableItIsGiven) {
  const CodeTable t = CodeTable::from_yaml(R"(
codes:
  - name: CERTSRV_E_SUBJECT_EMAIL_REQUIRED
    hex: "0x80094812"
    decimal: -2146875374
    message: "Custom text."
)",
                                           "custom.yaml");
  EXPECT_EQ(format_message_line(0x80094812, t),
            "Custom text. 0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)");
  EXPECT_EQ(format_message_line(0x80070005, t), "0x80070005 (WIN32: 5)");
}

// ---------------------------------------------------------------------------
// parse_code

TEST(CodeTableParse, EveryFormWindowsPrints) {
  const CodeTable& t = CodeTable::builtin();
  EXPECT_EQ(t.parse_code("0x80094812"), 0x80094812u);
  EXPECT_EQ(t.parse_code("0X80094812"), 0x80094812u);
  EXPECT_EQ(t.parse_code("0x800b0113"), 0x800B0113u);
  EXPECT_EQ(t.parse_code("80094812"), 0x80094812u);  // bare 8 hex digits
  EXPECT_EQ(t.parse_code("800B0113"), 0x800B0113u);
  EXPECT_EQ(t.parse_code("-2146875374"), 0x80094812u);
  EXPECT_EQ(t.parse_code("2148091922"), 0x80094812u);  // unsigned decimal
  EXPECT_EQ(t.parse_code("CERTSRV_E_SUBJECT_EMAIL_REQUIRED"), 0x80094812u);
  EXPECT_EQ(t.parse_code("certsrv_e_subject_email_required"), 0x80094812u);
  EXPECT_EQ(t.parse_code("E_INVALIDARG"), 0x80070057u);
  EXPECT_EQ(t.parse_code("WIN32: 5"), 0x80070005u);
  EXPECT_EQ(t.parse_code("WIN32:5"), 0x80070005u);
  EXPECT_EQ(t.parse_code("win32: 1346"), 0x80070542u);
  EXPECT_EQ(t.parse_code("WinHttp: 12175"), 0x80072F8Fu);
  EXPECT_EQ(t.parse_code("5"), 0x80070005u);  // small number = Win32 code
  EXPECT_EQ(t.parse_code("1722"), 0x800706BAu);
  EXPECT_EQ(t.parse_code("  0x80070005\t"), 0x80070005u);
}

TEST(CodeTableParse, LiteralFormsAreNotWrapped) {
  const CodeTable& t = CodeTable::builtin();
  EXPECT_EQ(t.parse_code("0x5"), 5u);  // hex is taken as written
  EXPECT_EQ(t.parse_code("0"), 0u);    // S_OK
  EXPECT_EQ(t.parse_code("-1"), 0xFFFFFFFFu);
  EXPECT_EQ(t.parse_code("-2147483648"), 0x80000000u);
  EXPECT_EQ(t.parse_code("4294967295"), 0xFFFFFFFFu);
  EXPECT_EQ(t.parse_code("65536"), 0x10000u);  // above the Win32 range: literal
  // Eight decimal digits not starting 8-9 are decimal, not hex.
  EXPECT_EQ(t.parse_code("12345678"), 12345678u);
  // An unknown but well-formed code parses: the table is only needed for names.
  EXPECT_EQ(t.parse_code("0x8badf00d"), 0x8badf00du);
  EXPECT_EQ(t.parse_code("8BADF00D"), 0x8badf00du);
}

TEST(CodeTableParse, GarbageGivesNothing) {
  const CodeTable& t = CodeTable::builtin();
  for (const char* bad : {"",
                          "   ",
                          "0x",
                          "0x123456789",
                          "0xZZ",
                          "0x8009481G",
                          "-",
                          "-0x5",
                          "--5",
                          "-2147483649",
                          "4294967296",
                          "99999999999999999999",
                          "WIN32:",
                          "WIN32: x",
                          "WIN32: 70000",
                          "WIN32: -5",
                          "NOT_A_CODE",
                          "KDC_ERR_PRINCIPAL_NOT_UNIQUE",
                          "80094812x",
                          "0x80094812 junk",
                          "1e5",
                          "+5",
                          "5.0",
                          "0x80094812)",
                          "(-2146875374"}) {
    EXPECT_EQ(t.parse_code(bad), std::nullopt) << "'" << bad << "'";
  }
}

// ---------------------------------------------------------------------------
// Loader validation

const char* kValid = R"(# comment
codes:
  - name: ERROR_ACCESS_DENIED
    hex: "0x80070005"
    decimal: -2147024891
    win32: 5
    aliases: [E_ACCESSDENIED]
    message: "Access is denied."
  - name: CERTSRV_E_TEMPLATE_DENIED
    hex: "0x80094012"
    decimal: -2146877422
    message: The permissions on the certificate template do not allow the current user to enroll for this type of certificate.
)";

TEST(CodeTableLoader, AcceptsAValidTable) {
  const CodeTable t = CodeTable::from_yaml(kValid, "test.yaml");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.entries()[0].value, 0x80070005u);  // ordered by value
  EXPECT_EQ(t.entries()[1].value, 0x80094012u);
  EXPECT_EQ(t.find_name("E_ACCESSDENIED"), t.find(0x80070005));
  EXPECT_EQ(t.find(0x80094012)->message,
            "The permissions on the certificate template do not allow the current user to enroll "
            "for this type of certificate.");
}

// Loads `text`, expects a CodeTableError from source test.yaml at `line`
// whose text contains every fragment.
void expect_rejected(const std::string& text, int line, std::vector<std::string> fragments) {
  try {
    (void)CodeTable::from_yaml(text, "test.yaml");
    ADD_FAILURE() << "accepted:\n" << text;
  } catch (const CodeTableError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.source(), "test.yaml");
    EXPECT_EQ(e.line(), line) << what;
    EXPECT_EQ(what.rfind("test.yaml:" + std::to_string(line) + ": ", 0), 0u) << what;
    for (const auto& f : fragments) EXPECT_NE(what.find(f), std::string::npos) << what;
  }
}

std::string one_entry(const std::string& body) {
  return "codes:\n  - name: CERTSRV_E_X\n" + body;
}

TEST(CodeTableLoader, RejectsHexDecimalMismatch) {
  expect_rejected(
      one_entry("    hex: \"0x80094812\"\n    decimal: -2146875375\n"
                "    message: \"m\"\n"),
      4, {"codes[0] (CERTSRV_E_X)", "0x80094812", "-2146875375", "disagree", "-2146875374"});
}

TEST(CodeTableLoader, RejectsDuplicateName) {
  expect_rejected(R"(codes:
  - name: NTE_FAIL
    hex: "0x80090020"
    decimal: -2146893792
    message: "An internal error occurred."
  - name: NTE_FAIL
    hex: "0x80090021"
    decimal: -2146893791
    message: "A base error occurred."
)",
                  6, {"codes[1] (NTE_FAIL)", "duplicate name 'NTE_FAIL'", "line 2"});
}

TEST(CodeTableLoader, RejectsAliasCollidingWithAName) {
  expect_rejected(std::string(kValid) + R"(  - name: E_FAIL
    hex: "0x80004005"
    decimal: -2147467259
    aliases: [E_ACCESSDENIED]
    message: "Unspecified error"
)",
                  13,
                  {"codes[2] (E_FAIL)", "duplicate name 'E_ACCESSDENIED'", "ERROR_ACCESS_DENIED"});
}

TEST(CodeTableLoader, RejectsDuplicateValue) {
  expect_rejected(std::string(kValid) + R"(  - name: E_ACCESS_DENIED_AGAIN
    hex: "0x80070005"
    decimal: -2147024891
    win32: 5
    message: "Access is denied."
)",
                  13, {"value 0x80070005 already defined by ERROR_ACCESS_DENIED (line 3)"});
}

TEST(CodeTableLoader, RejectsUnknownKey) {
  expect_rejected(one_entry("    hex: \"0x80094812\"\n    decimal: -2146875374\n"
                            "    message: \"m\"\n    descr: \"extra\"\n"),
                  6, {"codes[0] (CERTSRV_E_X)", "unknown key 'descr'"});
  expect_rejected("codes: []\nversion: 2\n", 2, {"unknown top-level key 'version'"});
}

TEST(CodeTableLoader, RejectsMissingRequiredKey) {
  expect_rejected(one_entry("    hex: \"0x80094812\"\n    decimal: -2146875374\n"), 2,
                  {"codes[0] (CERTSRV_E_X)", "missing required key 'message'"});
}

TEST(CodeTableLoader, RejectsWrongTypes) {
  // A quoted decimal is a string.
  expect_rejected(one_entry("    hex: \"0x80094812\"\n    decimal: \"-2146875374\"\n"
                            "    message: \"m\"\n"),
                  4, {"decimal must be an unquoted integer"});
  expect_rejected(one_entry("    hex: \"0x80094812\"\n    decimal: minus-one\n"
                            "    message: \"m\"\n"),
                  4, {"decimal 'minus-one' is not an integer"});
  expect_rejected(one_entry("    hex: \"0x80094812\"\n    decimal: -2146875374\n"
                            "    message: [a, b]\n"),
                  5, {"message must be a string, not a list"});
  expect_rejected(one_entry("    hex: \"0x80094812\"\n    decimal: -2146875374\n"
                            "    message: m\n    aliases: E_OTHER\n"),
                  6, {"aliases must be a list"});
  expect_rejected(one_entry("    hex: 80094812\n    decimal: -2146875374\n    message: m\n"), 3,
                  {"hex '80094812' must be \"0x\" followed by exactly 8 hex digits"});
  expect_rejected(
      "codes:\n  - name: lower_case\n    hex: \"0x80094812\"\n"
      "    decimal: -2146875374\n    message: m\n",
      2, {"name 'lower_case' is not an upper-case symbol"});
  expect_rejected("codes:\n  - just a string\n", 2, {"codes[0]: entry must be a mapping"});
  expect_rejected("codes: {a: b}\n", 1, {"'codes' must be a list"});
  expect_rejected("- a\n- b\n", 1, {"top level must be a mapping"});
}

TEST(CodeTableLoader, RejectsInconsistentWin32) {
  expect_rejected(R"(codes:
  - name: ERROR_ACCESS_DENIED
    hex: "0x80070005"
    decimal: -2147024891
    message: "Access is denied."
)",
                  2, {"Win32 error wrapped as HRESULT", "win32: 5"});
  expect_rejected(R"(codes:
  - name: ERROR_ACCESS_DENIED
    hex: "0x80070005"
    decimal: -2147024891
    win32: 6
    message: "Access is denied."
)",
                  5, {"win32 6 wraps to 0x80070006, not 0x80070005"});
}

TEST(CodeTableLoader, ReadsTheTransportKind) {
  const CodeTable t =
      CodeTable::from_yaml(one_entry("    hex: \"0x800B0109\"\n    decimal: -2146762487\n"
                                     "    message: \"m\"\n    transport: tls_untrusted\n"),
                           "test.yaml");
  EXPECT_EQ(t.find(0x800B0109)->transport, TransportErrorKind::tls_untrusted);
  EXPECT_EQ(CodeTable::from_yaml(kValid, "test.yaml").find(0x80070005)->transport, std::nullopt);
}

TEST(CodeTableLoader, RejectsAnUnknownTransportKind) {
  expect_rejected(one_entry("    hex: \"0x800B0109\"\n    decimal: -2146762487\n"
                            "    message: \"m\"\n    transport: tls_unknown\n"),
                  6, {"codes[0] (CERTSRV_E_X)", "transport 'tls_unknown'"});
}

TEST(CodeTableBuiltin, TransportCodesCarryTheirKind) {
  const CodeTable& t = CodeTable::builtin();
  EXPECT_EQ(t.find(0x800B0109)->transport, TransportErrorKind::tls_untrusted);
  EXPECT_EQ(t.find(0x80072F06)->transport, TransportErrorKind::tls_name_mismatch);
  EXPECT_EQ(t.find(0x80072EE2)->transport, TransportErrorKind::timeout);
  EXPECT_EQ(t.find(0x80094812)->transport, std::nullopt);  // an answer from the CA
}

TEST(CodeTableLoader, RejectsBrokenYaml) {
  expect_rejected("codes:\n  - name: [unclosed\n", 3, {"YAML syntax error"});
  expect_rejected("", 1, {"empty document"});
  expect_rejected("# only a comment\n", 1, {"empty document"});
}

TEST(CodeTableLoader, RejectsEmptyOrMissingList) {
  expect_rejected("codes: []\n", 1, {"'codes' is empty"});
  expect_rejected("codes:\n", 1, {"missing 'codes' list"});
}

}  // namespace
}  // namespace ceslab::core
