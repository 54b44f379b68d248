// SPDX-License-Identifier: GPL-2.0-or-later
// The one reader of ceslab's YAML data files (code table, event catalog, OID
// names, worlds, scenarios, the cause catalog): it parses with the file's
// name, checks the shape of mappings and scalars with one wording, and
// raises one error type. Each domain reader keeps only its own rules.
#pragma once

#include <yaml-cpp/yaml.h>

#include <climits>
#include <cstddef>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ceslab/core/data_file_error.hpp"

namespace ceslab::core {

// The whole text of a data file; DataFileError "<path>: cannot be read".
std::string read_data_file(const std::filesystem::path& path);

// 1-based line of a node, 0 when it has none (a missing key, a built node).
int line_of(const YAML::Node& node);

// The keys a mapping may hold, from a braced list or a constant array.
class KeyNames {
 public:
  KeyNames(std::initializer_list<std::string_view> keys) : keys_(keys.begin(), keys.size()) {}
  template <std::size_t N>
  KeyNames(const std::string_view (&keys)[N]) : keys_(keys) {}
  bool contains(std::string_view key) const;
  std::string joined() const;  // "a, b, c"

 private:
  std::span<const std::string_view> keys_;
};

// One named option of a choice: its name in the file and its value.
template <typename Value>
using Choice = std::pair<std::string_view, Value>;

// Reads one source. Every failure is a DataFileError naming the source and
// the line of the node at fault; within() adds the entry being read
// ("codes[3] (NAME): ...").
class YamlReader {
 public:
  explicit YamlReader(std::string source) : source_(std::move(source)) {}

  const std::string& source() const { return source_; }
  // A reader of the same source whose problems start with "<context>: ".
  YamlReader within(const std::string& context) const;

  [[noreturn]] void fail(int line, const std::string& problem) const;
  [[noreturn]] void fail(const YAML::Node& at, const std::string& problem) const;

  // One document; a syntax error fails at its line. An empty text is null.
  YAML::Node parse(std::string_view text) const;
  // Every document of a stream.
  std::vector<YAML::Node> parse_all(std::string_view text) const;
  // The non-empty list under the document's one top-level key `key`.
  YAML::Node single_list(std::string_view text, std::string_view key) const;

  // Runs `read`; a yaml-cpp exception it lets escape (a check nobody
  // anticipated) still fails as a DataFileError at its line.
  template <typename Read>
  auto guarded(Read&& read) const -> decltype(read()) {
    try {
      return read();
    } catch (const YAML::Exception& e) {
      fail(e.mark.line >= 0 ? e.mark.line + 1 : 0, "YAML error: " + e.msg);
    }
  }

  // `node` must be a mapping ("<what> must be a mapping") of known keys.
  void expect_map(const YAML::Node& node, std::string_view what, KeyNames keys) const;
  // A mapping's keys: each known ("unknown key 'x' in <what> (known: ...)")
  // and each once ("duplicate key 'x' in <what>"); " in <what>" is left out
  // when `what` is empty.
  void check_keys(const YAML::Node& map, std::string_view what, KeyNames keys) const;

  // map[key], or a failure "<what> needs '<key>'" when missing or null.
  YAML::Node required(const YAML::Node& map, std::string_view key, std::string_view what) const;
  // A scalar ("'<key>' in <what> must be a string"); required / optional.
  std::string text(const YAML::Node& map, std::string_view key, std::string_view what) const;
  std::optional<std::string> optional_text(const YAML::Node& map, std::string_view key,
                                           std::string_view what) const;
  // A list of scalars ("'<key>' in <what> must be a list"); missing or null
  // is an empty list.
  std::vector<std::string> list(const YAML::Node& map, std::string_view key,
                                std::string_view what) const;
  // A YAML boolean ("'<key>' must be true or false"); nullopt when missing.
  std::optional<bool> flag(const YAML::Node& map, std::string_view key) const;
  // A whole number in [min, max] ("'<key>' must be a whole number", "...
  // must be at least <min>" or "... must be from <min> to <max>"); nullopt
  // when missing.
  std::optional<int> integer(const YAML::Node& map, std::string_view key, int min = INT_MIN,
                             int max = INT_MAX) const;
  // One of the named options ("'<key>' must be one of a, b, not 'x'");
  // nullopt when missing.
  template <typename Value>
  std::optional<Value> choice(const YAML::Node& map, std::string_view key,
                              std::initializer_list<Choice<Value>> options) const {
    const YAML::Node v = map[std::string(key)];
    if (!v) return std::nullopt;
    const std::string value = v.IsScalar() ? v.Scalar() : "";
    std::vector<std::string_view> names;
    for (const auto& [name, option] : options) {
      if (value == name) return option;
      names.push_back(name);
    }
    fail_choice(v, key, value, names);
  }

 private:
  std::string scalar(const YAML::Node& value, std::string_view key, std::string_view what) const;
  [[noreturn]] void fail_choice(const YAML::Node& at, std::string_view key,
                                const std::string& value,
                                const std::vector<std::string_view>& names) const;

  std::string source_;
  std::string context_;  // "" or "<entry>: "
};

}  // namespace ceslab::core
