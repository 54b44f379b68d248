// SPDX-License-Identifier: GPL-2.0-or-later
// Windows error codes in console and log text, in every form Windows prints
// them, read with the code table (core/codes.hpp) and written back in the
// one form certreq uses.
#include <algorithm>
#include <cctype>
#include <utility>

#include "ceslab/core/codes.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}
bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

std::size_t span_while(std::string_view s, std::size_t i, bool (*pred)(char)) {
  while (i < s.size() && pred(s[i])) ++i;
  return i;
}

// The parenthesised part certreq puts after the hex code:
// "(-2146875374 NAME)", "(WIN32: 5 NAME)", "(WinHttp: 12175 NAME)", "(-1951535091)".
bool is_code_annotation(std::string_view inner) {
  std::size_t i = 0;
  for (const std::string_view tag : {"WIN32: ", "WinHttp: "}) {
    if (inner.substr(0, tag.size()) == tag) {
      i = tag.size();
      break;
    }
  }
  if (i == 0 && !inner.empty() && inner[0] == '-') i = 1;
  const std::size_t digits_end = span_while(inner, i, is_digit);
  if (digits_end == i) return false;
  if (digits_end == inner.size()) return true;
  if (inner[digits_end] != ' ') return false;
  const std::string_view name = inner.substr(digits_end + 1);
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Removes the spans (sorted, not overlapping) from `line` and tidies the
// white space and punctuation they leave behind.
std::string without_spans(std::string_view line,
                          std::vector<std::pair<std::size_t, std::size_t>> spans) {
  std::sort(spans.begin(), spans.end());
  std::string out;
  std::size_t at = 0;
  for (const auto& [b, e] : spans) {
    if (b < at) continue;
    out.append(line.substr(at, b - at));
    at = e;
  }
  out.append(line.substr(std::min(at, line.size())));
  // "failed (0x800706ba) The RPC server..." leaves "()" behind.
  for (std::size_t p = out.find("()"); p != std::string::npos; p = out.find("()")) out.erase(p, 2);
  std::string tidy;
  for (const char c : out) {
    if (c == ' ' && (tidy.empty() || tidy.back() == ' ')) continue;
    if ((c == ',' || c == '.' || c == ':' || c == ';') && !tidy.empty() && tidy.back() == ' ')
      tidy.pop_back();
    tidy += c;
  }
  std::string_view t = trim(tidy);
  while (!t.empty() && (t.back() == ',' || t.back() == ';' || t.back() == '(')) {
    t.remove_suffix(1);
    t = trim(t);
  }
  return std::string(t);
}

}  // namespace

std::vector<FoundCode> find_codes(std::string_view line) {
  const core::CodeTable& table = core::CodeTable::builtin();
  std::vector<FoundCode> found;
  std::size_t i = 0;
  while (i < line.size()) {
    const bool at_boundary = i == 0 || !is_word(line[i - 1]);
    if (!at_boundary) {
      ++i;
      continue;
    }
    // 0x80094812, maybe followed by certreq's "(-2146875374 NAME)".
    if (line[i] == '0' && i + 2 < line.size() && (line[i + 1] == 'x' || line[i + 1] == 'X') &&
        is_hex(line[i + 2])) {
      const std::size_t end = span_while(line, i + 2, is_hex);
      if (end - (i + 2) <= 8 && (end == line.size() || !is_word(line[end]))) {
        const auto value = table.parse_code(line.substr(i, end - i));
        if (value && line.substr(end, 2) == " (") {
          const std::size_t close = line.find(')', end + 2);
          if (close != std::string_view::npos &&
              is_code_annotation(line.substr(end + 2, close - end - 2))) {
            found.push_back({*value, i, close + 1});
            i = close + 1;
            continue;
          }
        }
        if (value && table.find(*value) != nullptr) found.push_back({*value, i, end});
      }
      i = end;
      continue;
    }
    // -2146875374
    if (line[i] == '-' && i + 1 < line.size() && is_digit(line[i + 1])) {
      const std::size_t end = span_while(line, i + 1, is_digit);
      if (end - i >= 10 && (end == line.size() || !is_word(line[end]))) {
        const auto value = table.parse_code(line.substr(i, end - i));
        if (value && table.find(*value) != nullptr) found.push_back({*value, i, end});
      }
      i = end;
      continue;
    }
    if (is_word(line[i])) {
      const std::size_t end = span_while(line, i, is_word);
      const std::string_view word = line.substr(i, end - i);
      // 80094812 (bare hex) or CERTSRV_E_SUBJECT_EMAIL_REQUIRED (a name).
      // A bare hex code is a failure HRESULT: eight digits, the first 8-F
      // (an all-decimal date or counter must not read as one).
      const bool bare_hex =
          word.size() == 8 && std::all_of(word.begin(), word.end(), is_hex) &&
          std::string_view("89abcdefABCDEF").find(word[0]) != std::string_view::npos;
      const bool name = word.size() >= 4 && word.find('_') != std::string_view::npos &&
                        std::isupper(static_cast<unsigned char>(word[0])) != 0;
      if (bare_hex || name) {
        const auto value = table.parse_code(word);
        if (value && table.find(*value) != nullptr) found.push_back({*value, i, end});
      }
      i = end;
      continue;
    }
    ++i;
  }
  return found;
}

std::vector<std::uint32_t> distinct_values(const std::vector<FoundCode>& codes) {
  std::vector<std::uint32_t> values;
  for (const FoundCode& c : codes) {
    if (std::find(values.begin(), values.end(), c.value) == values.end()) values.push_back(c.value);
  }
  return values;
}

std::string normalised_message(std::string_view line, const std::vector<FoundCode>& codes) {
  const std::string_view trimmed = trim(line);
  if (codes.empty()) return std::string(trimmed);
  const std::vector<std::uint32_t> values = distinct_values(codes);
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const FoundCode& c : codes) spans.emplace_back(c.begin, c.end);
  const std::string rest = without_spans(line, spans);
  if (rest.empty()) {
    // Only codes: say them as certreq would, message first.
    std::string out = core::format_message_line(values.front());
    for (std::size_t k = 1; k < values.size(); ++k) out += " " + core::format_code(values[k]);
    return out;
  }
  const bool canonical = std::all_of(values.begin(), values.end(), [&](std::uint32_t v) {
    return trimmed.find(core::format_code(v)) != std::string_view::npos;
  });
  if (canonical) return std::string(trimmed);
  std::string out = rest;
  for (const std::uint32_t v : values) out += " " + core::format_code(v);
  return out;
}

std::string describe_code(std::uint32_t value) {
  const core::ErrorCode* code = core::CodeTable::builtin().find(value);
  const std::string decimal = std::to_string(static_cast<std::int32_t>(value));
  if (code != nullptr) return decimal + " " + code->name;
  return decimal + " (" + core::hex_code(value) + ")";
}

std::optional<core::TransportErrorKind> transport_kind_of(std::uint32_t value) {
  const core::ErrorCode* code = core::CodeTable::builtin().find(value);
  return code != nullptr ? code->transport : std::nullopt;
}

std::optional<int> http_status_of(std::uint32_t value) {
  if ((value & 0xFFFF0000u) != 0x80190000u) return std::nullopt;
  const int status = static_cast<int>(value & 0xFFFFu);
  if (status < 100 || status > 599) return std::nullopt;
  return status;
}

}  // namespace ceslab::diagnosis::inputs
