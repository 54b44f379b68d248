// SPDX-License-Identifier: GPL-2.0-or-later
// The texts Windows puts on the wire that the mock repeats word for word
// (WCF fault reasons, IIS error pages), each with where it was seen: data in
// mock_ces/data/windows_texts.yaml, compiled into the library.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace ceslab::mock {

class WindowsTexts {
 public:
  // Parses and validates a text file: keys unique, every entry with a
  // non-empty text and source, no unknown keys. Throws core::DataFileError
  // "<source>:<line>: <problem>".
  static WindowsTexts from_yaml(std::string_view text, std::string_view source_name);

  // The texts compiled into the library, parsed once on first use.
  static const WindowsTexts& builtin();

  // Text `key` with each {name} replaced by values[name]. An unknown key or a
  // placeholder without a value is the mock's own mistake: std::logic_error.
  std::string text(std::string_view key,
                   const std::map<std::string, std::string>& values = {}) const;

 private:
  std::map<std::string, std::string, std::less<>> texts_;
};

}  // namespace ceslab::mock
