// SPDX-License-Identifier: GPL-2.0-or-later
// From bytes to UTF-8 text, refusing what is not text.
#include <iconv.h>

#include <optional>

#include <cctype>
#include <cerrno>
#include <string>

#include "ceslab/core/text.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

// U+FFFD REPLACEMENT CHARACTER, for the few bytes of a mis-encoded text.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// `bytes` in `encoding` as UTF-8, by iconv. On a byte sequence iconv
// refuses: no text, with errno's value and the offset of that sequence.
struct Converted {
  std::optional<std::string> text;
  bool opened = true;  // iconv knows the encoding
  int error = 0;
  std::size_t failed_at = 0;
};

Converted to_utf8(std::string_view bytes, const char* encoding) {
  Converted c;
  iconv_t cd = iconv_open("UTF-8", encoding);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    c.opened = false;
    return c;
  }
  std::string out(bytes.size() * 3 + 16, '\0');  // a UTF-8 character per input byte or unit
  char* in_ptr = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  c.error = errno;
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) {
    c.failed_at = bytes.size() - in_left;
    return c;
  }
  out.resize(out.size() - out_left);
  c.text = std::move(out);
  return c;
}

// Windows-1252, the ANSI code page Event Viewer's "Save as text" and Notepad
// use on Western European systems: every byte but five is a character, so a
// French or German export converts whole; nullopt when a byte is undefined.
std::optional<std::string> from_windows_1252(std::string_view bytes) {
  return to_utf8(bytes, "CP1252").text;
}

std::string utf16_to_utf8(std::string_view name, std::string_view bytes, const char* encoding) {
  if (bytes.size() % 2 != 0)
    throw InputError(std::string(name), "is truncated UTF-16 (odd length)");
  Converted c = to_utf8(bytes, encoding);
  if (c.text) return std::move(*c.text);
  if (!c.opened)
    throw InputError(std::string(name), std::string("cannot convert from ") + encoding);
  throw InputError(std::string(name),
                   std::string("is not valid ") + encoding + " (" +
                       (c.error == EILSEQ ? "an unpaired surrogate" : "a truncated character") +
                       " at byte " + std::to_string(c.failed_at) + ")");
}

// Little-endian UTF-16 without a BOM, as some tools write it: ASCII text
// then shows as "<\0E\0v\0...".
bool looks_utf16le(std::string_view b) {
  return b.size() >= 4 && b[0] != '\0' && b[1] == '\0' && b[2] != '\0' && b[3] == '\0';
}

// Length of the valid UTF-8 sequence at `i`, 0 when it is not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) -> unsigned {
    return k < s.size() ? static_cast<unsigned char>(s[k]) : 0x100;
  };
  const unsigned c = byte(i);
  const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0) == 0x80 && byte(k) < 0x100; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned c1 = byte(i + 1);
    if (c == 0xE0 && (c1 < 0xA0 || c1 > 0xBF)) return 0;
    if (c == 0xED && (c1 < 0x80 || c1 > 0x9F)) return 0;  // no surrogates
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned c1 = byte(i + 1);
    if (c == 0xF0 && (c1 < 0x90 || c1 > 0xBF)) return 0;
    if (c == 0xF4 && (c1 < 0x80 || c1 > 0x8F)) return 0;
    return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

// Control bytes no text export carries (TAB, LF, VT, FF, CR and ESC — ANSI
// colours in a terminal log — are text).
bool is_stray_control(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' && c != 0x1B) ||
         c == 0x7F;
}

// An XML declaration naming UTF-16 is false once the text is UTF-8; XML
// parsers would believe it, so it goes (the rest of the document stays).
void drop_utf16_declaration(std::string& text) {
  if (text.rfind("<?xml", 0) != 0) return;
  const std::size_t end = text.find("?>");
  if (end == std::string::npos) return;
  if (contains_icase(std::string_view(text).substr(0, end), "utf-16")) text.erase(0, end + 2);
}

}  // namespace

std::string decode_text(std::string_view name, std::string_view bytes) {
  const std::string who(name);
  if (bytes.size() > kMaxInputBytes) {
    throw InputError(who, "is " + std::to_string(bytes.size()) +
                              " bytes, over the input limit of " + std::to_string(kMaxInputBytes) +
                              " bytes (8 MiB)");
  }
  if (bytes.empty()) throw InputError(who, "is empty");

  std::string text;
  bool from_utf16 = false;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    text = bytes.substr(3);
  } else if (bytes.substr(0, 2) == "\xFF\xFE") {
    text = utf16_to_utf8(name, bytes.substr(2), "UTF-16LE");
    from_utf16 = true;
  } else if (bytes.substr(0, 2) == "\xFE\xFF") {
    text = utf16_to_utf8(name, bytes.substr(2), "UTF-16BE");
    from_utf16 = true;
  } else if (looks_utf16le(bytes)) {
    text = utf16_to_utf8(name, bytes, "UTF-16LE");
    from_utf16 = true;
  } else {
    text = bytes;
  }

  if (text.find('\0') != std::string::npos)
    throw InputError(who, "is binary (it holds NUL bytes), not a text export");

  // Count what is not text; replace the few invalid bytes a console text
  // saved in a Windows code page has ("für" in CP-1252), refuse more.
  std::string clean;
  clean.reserve(text.size());
  std::size_t bad = 0;
  std::size_t not_utf8 = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence(text, i);
    if (n == 0) {
      ++bad;
      ++not_utf8;
      clean += kReplacement;
      ++i;
      continue;
    }
    if (n == 1 && is_stray_control(static_cast<unsigned char>(text[i]))) ++bad;
    clean.append(text, i, n);
    i += n;
  }
  // Not UTF-8 but no control character either: text in the ANSI code page.
  if (!from_utf16 && not_utf8 > 0 && bad == not_utf8) {
    if (auto converted = from_windows_1252(text)) {
      clean = std::move(*converted);
      bad = 0;
    }
  }
  if (bad > 8 && bad * 50 > text.size()) {
    throw InputError(who, "is binary: " + std::to_string(bad) + " of " +
                              std::to_string(text.size()) +
                              " bytes are neither UTF-8 nor text characters");
  }
  if (trim(clean).empty()) throw InputError(who, "holds only white space");
  if (from_utf16) drop_utf16_declaration(clean);
  return clean;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (end < text.size() || !line.empty()) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && core::iequals(text.substr(0, prefix.size()), prefix);
}

}  // namespace ceslab::diagnosis::inputs
