// SPDX-License-Identifier: GPL-2.0-or-later
// What the codec refuses as WCF's XmlReader refuses it, and where in the
// message it met the error (the mock answers the envelope and headers, read
// when the message arrives, differently from the body, read by the
// operation): characters XML 1.0 forbids, the MaxDepth reader quota, and the
// UTF-16 that WCF's text encoder takes.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ceslab/wsdl/codec.hpp"

namespace {

using namespace ceslab::core;
using ceslab::wsdl::CodecLimits;
using ceslab::wsdl::MessageError;
using ceslab::wsdl::MessageErrorKind;
using ceslab::wsdl::MessagePart;
using ceslab::wsdl::read_message;

// An Issue with a UsernameToken whose password is `password` (as written,
// entities and all) and whose body carries `extra` inside the RST.
std::string issue(std::string_view password, std::string_view extra = "") {
  return "<s:Envelope xmlns:s=\"" + std::string(uri::kSoap12Envelope) + "\" xmlns:a=\"" +
         std::string(uri::kAddressing) + "\"><s:Header><a:Action s:mustUnderstand=\"1\">" +
         std::string(uri::kActionRstWstep) + "</a:Action><o:Security xmlns:o=\"" +
         std::string(uri::kWsseNs) +
         "\"><o:UsernameToken><o:Username>alice</o:Username><o:Password>" + std::string(password) +
         "</o:Password></o:UsernameToken></o:Security></s:Header><s:Body>"
         "<RequestSecurityToken xmlns=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\">"
         "<RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</RequestType>" +
         std::string(extra) + "</RequestSecurityToken></s:Body></s:Envelope>";
}

MessageError error_of(const std::string& xml, const CodecLimits& limits = {}) {
  try {
    read_message(xml, limits);
  } catch (const MessageError& e) {
    return e;
  }
  throw std::logic_error("read_message took the message");
}

TEST(CodecWcfReader, SanityTheBaselineReadsThePassword) {
  const SoapMessage m = read_message(issue("alice-password"));
  ASSERT_TRUE(m.security && m.security->username_token);
  EXPECT_EQ(m.security->username_token->password, "alice-password");
}

// XML 1.0, 2.2 (Char) and 4.1 (Legal Character): &#0; is no character.
TEST(CodecWcfReader, NulReferenceInAHeaderIsMalformedInTheHeaders) {
  const MessageError e = error_of(issue("alice-password&#0;junk"));
  EXPECT_EQ(e.kind(), MessageErrorKind::malformed_xml) << e.what();
  EXPECT_EQ(e.part(), MessagePart::headers) << e.what();
}

// C0 80, the overlong form of NUL, is not UTF-8 (RFC 3629, 3).
TEST(CodecWcfReader, OverlongUtf8IsMalformedWhereItIs) {
  EXPECT_EQ(error_of(issue("alice-password\xC0\x80junk")).part(), MessagePart::headers);
  const MessageError e = error_of(issue("alice-password", "<x>\xC0\x80</x>"));
  EXPECT_EQ(e.kind(), MessageErrorKind::malformed_xml) << e.what();
  EXPECT_EQ(e.part(), MessagePart::body) << e.what();
}

std::string nested(int levels) {
  std::string s;
  for (int i = 0; i < levels; ++i) s += "<n>";
  for (int i = 0; i < levels; ++i) s += "</n>";
  return s;
}

// Envelope 1, Body 2, RST 3: `levels` more inside the RST reach 3 + levels.
TEST(CodecWcfReader, DepthIsCountedAsWcfsMaxDepthCountsIt) {
  CodecLimits limits;
  limits.max_depth = 32;
  EXPECT_NO_THROW(read_message(issue("p", nested(29)), limits));
  const MessageError e = error_of(issue("p", nested(30)), limits);
  EXPECT_EQ(e.kind(), MessageErrorKind::quota_exceeded) << e.what();
  EXPECT_EQ(e.part(), MessagePart::body);
  // No quota: as deep as libxml2 itself reads.
  EXPECT_NO_THROW(read_message(issue("p", nested(100))));
}

TEST(CodecWcfReader, Utf16WithItsByteOrderMarkIsRead) {
  const std::string utf8 = issue("alice-p\xC3\xA4ssword");  // a non-ASCII letter, ä
  std::string utf16 = "\xFF\xFE";
  // ASCII and U+00E4 only: each UTF-16LE unit is the code point and a zero byte.
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    if (static_cast<unsigned char>(utf8[i]) == 0xC3) {
      utf16 += static_cast<char>(0xC0 + (static_cast<unsigned char>(utf8[++i]) & 0x3F));
    } else {
      utf16 += utf8[i];
    }
    utf16 += '\0';
  }
  const SoapMessage m = read_message(utf16);
  ASSERT_TRUE(m.security && m.security->username_token);
  EXPECT_EQ(m.security->username_token->password, "alice-p\xC3\xA4ssword");
}

}  // namespace
