// SPDX-License-Identifier: GPL-2.0-or-later
// Base64 as AD CS writes it (64 columns, CRLF, no trailing newline) and as
// peers send it (any white space), with garbage refused.
#include "ceslab/core/base64.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>

#include "ceslab/core/message_error.hpp"
#include "ceslab/core/messages.hpp"

namespace {

using ceslab::core::ByteString;
using ceslab::core::decode_base64;
using ceslab::core::encode_base64_wrapped;
using ceslab::core::MessageError;
using ceslab::core::MessageErrorKind;

ByteString bytes(std::string_view s) {
  return ByteString(s.begin(), s.end());
}

ByteString pseudo_random(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);  // fixed seed: the same bytes on every run
  std::uniform_int_distribution<int> dist(0, 255);
  ByteString out(n);
  for (auto& b : out) b = static_cast<unsigned char>(dist(gen));
  return out;
}

bool is_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

MessageErrorKind decode_error(std::string_view text) {
  try {
    decode_base64(text);
  } catch (const MessageError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "'" << text << "' decoded without error";
  return MessageErrorKind::empty;
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(encode_base64_wrapped(bytes("")), "");
  EXPECT_EQ(encode_base64_wrapped(bytes("f")), "Zg==");
  EXPECT_EQ(encode_base64_wrapped(bytes("fo")), "Zm8=");
  EXPECT_EQ(encode_base64_wrapped(bytes("foo")), "Zm9v");
  EXPECT_EQ(encode_base64_wrapped(bytes("foob")), "Zm9vYg==");
  EXPECT_EQ(encode_base64_wrapped(bytes("fooba")), "Zm9vYmE=");
  EXPECT_EQ(encode_base64_wrapped(bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(decode_base64(""), ByteString{});
  EXPECT_EQ(decode_base64("Zg=="), bytes("f"));
  EXPECT_EQ(decode_base64("Zm8="), bytes("fo"));
  EXPECT_EQ(decode_base64("Zm9vYmFy"), bytes("foobar"));
}

TEST(Base64, WrapsAtExactly64ColumnsWithCrlf) {
  // 48 bytes are exactly one 64-character line: no line break at all.
  const std::string one = encode_base64_wrapped(pseudo_random(48, 1));
  EXPECT_EQ(one.size(), 64u);
  EXPECT_EQ(one.find_first_of("\r\n"), std::string::npos);
  // One byte more starts a second line.
  const std::string two = encode_base64_wrapped(pseudo_random(49, 2));
  ASSERT_EQ(two.size(), 64u + 2u + 4u);
  EXPECT_EQ(two.substr(64, 2), "\r\n");
  // 96 bytes: two full lines, one CRLF between them and none after.
  const std::string full = encode_base64_wrapped(pseudo_random(96, 3));
  EXPECT_EQ(full.size(), 64u + 2u + 64u);
  EXPECT_EQ(full.substr(64, 2), "\r\n");
}

TEST(Base64, EveryLineIsFullButTheLastAndThereIsNoTrailingNewline) {
  for (std::size_t n : {1u, 47u, 100u, 400u, 1000u, 1668u}) {
    SCOPED_TRACE(n);
    const std::string text = encode_base64_wrapped(pseudo_random(n, static_cast<unsigned>(n)));
    ASSERT_FALSE(text.empty());
    EXPECT_NE(text.back(), '\n');
    EXPECT_NE(text.back(), '\r');
    std::size_t chars = 0;
    std::size_t pos = 0;
    while (true) {
      const auto eol = text.find("\r\n", pos);
      const std::string line =
          text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
      for (char c : line) EXPECT_TRUE(is_alphabet(c)) << "character " << static_cast<int>(c);
      chars += line.size();
      if (eol == std::string::npos) {
        EXPECT_GE(line.size(), 1u);
        EXPECT_LE(line.size(), 64u);
        break;
      }
      EXPECT_EQ(line.size(), 64u);
      pos = eol + 2;
    }
    EXPECT_EQ(chars, (n + 2) / 3 * 4);
    // Lone CR or LF never appear: only the CRLF pairs counted above.
    EXPECT_EQ(std::count(text.begin(), text.end(), '\r'),
              std::count(text.begin(), text.end(), '\n'));
  }
}

TEST(Base64, RoundTripsEveryLengthUpTo200) {
  for (std::size_t n = 0; n <= 200; ++n) {
    const ByteString data = pseudo_random(n, 1000 + static_cast<unsigned>(n));
    ASSERT_EQ(decode_base64(encode_base64_wrapped(data)), data) << "length " << n;
  }
}

TEST(Base64, RoundTripsTheFixtureDer) {
  std::ifstream in(std::string(CESLAB_FIXTURES_DIR) + "/wire/der/cms_cmc_response.der",
                   std::ios::binary);
  ASSERT_TRUE(in);
  const ByteString der{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_GT(der.size(), 1000u);
  EXPECT_EQ(decode_base64(encode_base64_wrapped(der)), der);
}

TEST(Base64, DecodesWithWhiteSpaceAnywhere) {
  const ByteString data = bytes("foobar-and-more");
  const std::string flat = "Zm9vYmFyLWFuZC1tb3Jl";
  ASSERT_EQ(decode_base64(flat), data);
  EXPECT_EQ(decode_base64("Zm9vYmFy\r\nLWFuZC1t\r\nb3Jl"), data) << "CRLF (AD CS)";
  EXPECT_EQ(decode_base64("Zm9vYmFy\nLWFuZC1t\nb3Jl\n"), data) << "LF only (PEM, cepces)";
  EXPECT_EQ(decode_base64("\r\n  Zm9v YmFy\tLWFu ZC1t b3Jl \r\n"), data)
      << "spaces, tabs, leading and trailing";
  EXPECT_EQ(decode_base64("Zg=\n="), bytes("f")) << "white space inside the padding";
  EXPECT_EQ(decode_base64(" \r\n\t "), ByteString{}) << "only white space";
}

TEST(Base64, RejectsGarbage) {
  for (std::string_view bad : {
           std::string_view("Zm9v!"),         // not in the alphabet
           std::string_view("Zm-_"),          // base64url is not base64
           std::string_view("Zm9v\xc3\xa9"),  // non-ASCII
           std::string_view("Zm9v\v"),        // vertical tab is not white space here
           std::string_view("Zm9\0v", 5),     // NUL
           std::string_view("Zm9vY"),         // length not a multiple of 4
           std::string_view("Zg="),           // short padding
           std::string_view("===="),          // padding only
           std::string_view("Z==="),          // three padding characters
           std::string_view("Zg==Zg=="),      // padding in the middle
           std::string_view("Zg=a"),          // data after padding
           std::string_view("=Zm9"),          // padding first
           std::string_view("Zm9v===="),      // a whole quantum of padding
       }) {
    SCOPED_TRACE(::testing::PrintToString(std::string(bad)));
    EXPECT_EQ(decode_error(bad), MessageErrorKind::invalid_base64);
  }
}

TEST(Base64, ErrorNamesTheKind) {
  try {
    decode_base64("Zm9v!");
    FAIL() << "no error";
  } catch (const MessageError& e) {
    EXPECT_EQ(e.kind(), MessageErrorKind::invalid_base64);
    EXPECT_EQ(std::string(e.what()).rfind("invalid_base64: ", 0), 0u) << e.what();
  }
}

}  // namespace
