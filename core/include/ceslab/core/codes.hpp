// SPDX-License-Identifier: GPL-2.0-or-later
// The code table: HRESULT / Win32 / WS_E codes with the names and message
// texts Windows prints for them, loaded from core/data/codes.yaml (compiled
// into the library), plus the formatting certreq/certutil use
// ("Access is denied. 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ceslab/core/data_file_error.hpp"

namespace ceslab::core {

enum class TransportErrorKind;  // https_client.hpp

// One code of the table. `value` is the HRESULT as unsigned 32-bit.
struct ErrorCode {
  std::string name;                    // symbolic name Windows prints
  std::uint32_t value = 0;             // e.g. 0x80094812
  std::string message;                 // FormatMessage text, verbatim
  std::optional<std::uint32_t> win32;  // set for Win32 errors wrapped as HRESULT (0x8007xxxx)
  std::vector<std::string> aliases;    // other names of the same value (E_INVALIDARG)
  // Set for a code that is the client's connection failing, not an answer
  // (CERT_E_UNTRUSTEDROOT: tls_untrusted).
  std::optional<TransportErrorKind> transport;
  std::int32_t signed_value() const { return static_cast<std::int32_t>(value); }
};

// A code table file is malformed. `what()` reads "<source>:<line>: <problem>";
// the problem names the entry (codes[i] and its name) when there is one.
using CodeTableError = DataFileError;

// HRESULT_FROM_WIN32 exactly as winerror.h defines it: 0 and values with the
// severity bit set pass through, anything else becomes 0x8007xxxx.
constexpr std::uint32_t hresult_from_win32(std::uint32_t code) noexcept {
  return (code == 0 || (code & 0x80000000u) != 0) ? code
                                                  : ((code & 0xFFFFu) | (7u << 16) | 0x80000000u);
}

// True for a failure HRESULT of FACILITY_WIN32 (0x8007xxxx).
constexpr bool is_win32_hresult(std::uint32_t value) noexcept {
  return (value & 0xFFFF0000u) == 0x80070000u;
}

// Immutable after construction; the only shared instance is builtin().
class CodeTable {
 public:
  // Parses and validates a table (see the schema comment in codes.yaml): required
  // keys present, unknown keys rejected, hex and decimal agree, names (and
  // aliases, case-insensitively) and values unique, win32 consistent with the
  // value, transport a TransportErrorKind name. Throws CodeTableError naming `source_name`, line
  // and entry.
  static CodeTable from_yaml(std::string_view text, std::string_view source_name);

  // The table compiled into the library, parsed once on first use.
  static const CodeTable& builtin();

  const ErrorCode* find(std::uint32_t value) const;
  // Case-insensitive; matches names and aliases.
  const ErrorCode* find_name(std::string_view name) const;
  // The code whose message is `text` (as a fault's Reason or a client's line
  // carries it without the code): case, runs of white space and a final
  // period do not count. nullptr when no message, or more than one, reads so.
  const ErrorCode* find_message(std::string_view text) const;

  // Reads one token in any form Windows prints a code in:
  //   "0x80094812" / "0X80094812"   hex, 1..8 digits, taken literally
  //   "80094812"                    bare hex: only exactly 8 hex digits whose first
  //                                 digit is 8-F (a failure HRESULT); any other
  //                                 all-digit token is read as decimal
  //   "-2146875374"                 signed 32-bit decimal
  //   "2148091922"                  unsigned decimal above 0xFFFF, taken literally
  //   "5", "WIN32: 5", "WinHttp: 12175"
  //                                 a Win32 code (0..0xFFFF): HRESULT_FROM_WIN32
  //   "CERTSRV_E_TEMPLATE_DENIED"   a name or alias of this table (any case)
  // Surrounding whitespace is ignored. Anything else yields nullopt.
  std::optional<std::uint32_t> parse_code(std::string_view token) const;

  std::size_t size() const { return entries_.size(); }
  // All entries, ordered by value.
  const std::vector<ErrorCode>& entries() const { return entries_; }

 private:
  std::vector<ErrorCode> entries_;
  std::unordered_map<std::uint32_t, std::size_t> by_value_;
  std::unordered_map<std::string, std::size_t> by_name_;  // upper-cased names and aliases
  // message_key() of each message; npos for a message two codes share
  std::unordered_map<std::string, std::size_t> by_message_;
};

// "0x80094812": lower-case hex without padding, as certreq prints (printf "0x%x").
std::string hex_code(std::uint32_t value);

// The code part of a certreq/certutil error line:
//   known code            0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)
//   Win32 wrapped code    0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)
//   WinHTTP (12000-12999) 0x80072f8f (WinHttp: 12175 ERROR_WINHTTP_SECURE_FAILURE)
//   unknown 0x8007xxxx    0x80070539 (WIN32: 1337)
//   unknown               0x8badf00d (-1951535091)
std::string format_code(std::uint32_t value, const CodeTable& table = CodeTable::builtin());

// The whole certreq line "<message> <format_code>", e.g.
// "Access is denied. 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)"; for a code the
// table does not know, just format_code().
std::string format_message_line(std::uint32_t value, const CodeTable& table = CodeTable::builtin());

}  // namespace ceslab::core
