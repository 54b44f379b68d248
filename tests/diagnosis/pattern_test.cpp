// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "ceslab/diagnosis/rules.hpp"

namespace ceslab::diagnosis {
namespace {

// Plain-text patterns are matched without std::regex; whichever way a pattern
// is matched, the answer must be std::regex's (ECMAScript, icase, search).
TEST(Pattern, AgreesWithStdRegexOnEveryPatternAndText) {
  const std::vector<std::string> patterns = {"Denied by Policy Module",
                                             "^InvalidSecurity$",
                                             "EncodingType|ValueType|is invalid",
                                             "^$",
                                             "",
                                             "AddressFilter mismatch",
                                             "_CES_Certificate/",
                                             "0x80094812|CERTSRV_E_SUBJECT",
                                             "^Content-Type: *text/html",
                                             "/service\\.svc/(CES|CEP)/?$",
                                             "a\\.b",
                                             "x$|^y",
                                             "Clock skew",
                                             "only accepts renewal",
                                             "\\d+",
                                             "Kerberos-Key-Distribution-Center|^KDC$"};
  const std::vector<std::string> texts = {
      "",
      "Denied by Policy Module",
      "denied BY policy module.",
      "InvalidSecurity",
      "xInvalidSecurity",
      "The EncodingType is invalid.",
      "https://ces/Lab%20CA_CES_Certificate/service.svc/CES",
      "https://ces/Lab%20CA_CES_Certificate/service.svc/ces/",
      "Content-Type: text/html",
      "content-type:text/html; charset=utf-8",
      "a.b",
      "axb",
      "yx",
      "zzx",
      "KDC",
      "Microsoft-Windows-Kerberos-Key-Distribution-Center",
      "12 apples",
      "Clock skew too great",
      "This CES instance only accepts renewal requests.",
      "... 0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)"};
  for (const auto& p : patterns) {
    const Pattern compiled = Pattern::compile(p);
    const std::regex reference(p, std::regex::ECMAScript | std::regex::icase);
    for (const auto& t : texts) {
      EXPECT_EQ(compiled.search(t), std::regex_search(t, reference))
          << "pattern '" << p << "' on '" << t << "'";
    }
  }
}

TEST(Pattern, KeepsItsTextAndRefusesWhatStdRegexRefuses) {
  const Pattern p = Pattern::compile("Access is denied", true);
  EXPECT_EQ(p.text(), "Access is denied");
  EXPECT_TRUE(p.negated());
  EXPECT_THROW(Pattern::compile("(unclosed"), std::regex_error);
  EXPECT_THROW(Pattern::compile("a{2,1}"), std::regex_error);
}

}  // namespace
}  // namespace ceslab::diagnosis
