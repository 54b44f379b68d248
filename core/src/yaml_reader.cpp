// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace ceslab::core {

namespace {

std::string located(const std::string& source, int line, const std::string& problem) {
  return source + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + problem;
}

std::string key_text(const YAML::Node& key) {
  return key.IsScalar() ? key.Scalar() : std::string("<non-scalar>");
}

std::string in_what(std::string_view what) {
  return what.empty() ? std::string() : " in " + std::string(what);
}

std::string joined(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace

DataFileError::DataFileError(std::string source, int line, std::string problem)
    : std::runtime_error(located(source, line, problem)),
      source_(std::move(source)),
      line_(line),
      problem_(std::move(problem)) {}

std::string read_data_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataFileError(path.string(), 0, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

bool KeyNames::contains(std::string_view key) const {
  return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

std::string KeyNames::joined() const {
  return core::joined({keys_.begin(), keys_.end()});
}

YamlReader YamlReader::within(const std::string& context) const {
  YamlReader inner(source_);
  inner.context_ = context_ + context + ": ";
  return inner;
}

void YamlReader::fail(int line, const std::string& problem) const {
  throw DataFileError(source_, line, context_ + problem);
}

void YamlReader::fail(const YAML::Node& at, const std::string& problem) const {
  fail(line_of(at), problem);
}

YAML::Node YamlReader::parse(std::string_view text) const {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    fail(e.mark.line >= 0 ? e.mark.line + 1 : 0, "YAML syntax error: " + e.msg);
  }
}

std::vector<YAML::Node> YamlReader::parse_all(std::string_view text) const {
  try {
    return YAML::LoadAll(std::string(text));
  } catch (const YAML::ParserException& e) {
    fail(e.mark.line >= 0 ? e.mark.line + 1 : 0, "YAML syntax error: " + e.msg);
  }
}

YAML::Node YamlReader::single_list(std::string_view text, std::string_view key) const {
  const std::string name(key);
  const std::string article =
      std::string_view("aeiou").find(name.front()) != std::string_view::npos ? "an" : "a";
  const YAML::Node root = parse(text);
  if (!root.IsDefined() || root.IsNull()) {
    fail(1, "empty document; expected a mapping with " + article + " '" + name + "' list");
  }
  if (!root.IsMap()) {
    fail(root, "top level must be a mapping with " + article + " '" + name + "' list");
  }
  std::optional<YAML::Node> found;
  for (const auto& kv : root) {
    const std::string k = key_text(kv.first);
    if (k != name) fail(kv.first, "unknown top-level key '" + k + "'");
    if (found) fail(kv.first, "duplicate top-level key '" + name + "'");
    found.emplace(kv.second);
  }
  if (!found || found->IsNull()) fail(root, "missing '" + name + "' list");
  if (!found->IsSequence()) fail(*found, "'" + name + "' must be a list");
  if (found->size() == 0) fail(*found, "'" + name + "' is empty");
  return *found;
}

void YamlReader::expect_map(const YAML::Node& node, std::string_view what, KeyNames keys) const {
  if (!node.IsMap()) fail(node, std::string(what) + " must be a mapping");
  check_keys(node, what, keys);
}

void YamlReader::check_keys(const YAML::Node& map, std::string_view what, KeyNames keys) const {
  std::set<std::string> seen;
  for (const auto& kv : map) {
    const std::string key = key_text(kv.first);
    if (!keys.contains(key)) {
      fail(kv.first,
           "unknown key '" + key + "'" + in_what(what) + " (known: " + keys.joined() + ")");
    }
    if (!seen.insert(key).second) fail(kv.first, "duplicate key '" + key + "'" + in_what(what));
  }
}

YAML::Node YamlReader::required(const YAML::Node& map, std::string_view key,
                                std::string_view what) const {
  const YAML::Node v = map[std::string(key)];
  if (!v || v.IsNull()) fail(map, std::string(what) + " needs '" + std::string(key) + "'");
  return v;
}

std::string YamlReader::text(const YAML::Node& map, std::string_view key,
                             std::string_view what) const {
  return scalar(required(map, key, what), key, what);
}

std::optional<std::string> YamlReader::optional_text(const YAML::Node& map, std::string_view key,
                                                     std::string_view what) const {
  const YAML::Node v = map[std::string(key)];
  if (!v || v.IsNull()) return std::nullopt;
  return scalar(v, key, what);
}

std::vector<std::string> YamlReader::list(const YAML::Node& map, std::string_view key,
                                          std::string_view what) const {
  const YAML::Node v = map[std::string(key)];
  if (!v || v.IsNull()) return {};
  if (!v.IsSequence()) fail(v, "'" + std::string(key) + "'" + in_what(what) + " must be a list");
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.IsScalar()) {
      fail(item, "items of '" + std::string(key) + "'" + in_what(what) + " must be strings");
    }
    out.push_back(item.Scalar());
  }
  return out;
}

std::optional<bool> YamlReader::flag(const YAML::Node& map, std::string_view key) const {
  const YAML::Node v = map[std::string(key)];
  if (!v) return std::nullopt;
  bool value = false;
  if (!YAML::convert<bool>::decode(v, value)) {
    fail(v, "'" + std::string(key) + "' must be true or false");
  }
  return value;
}

std::optional<int> YamlReader::integer(const YAML::Node& map, std::string_view key, int min,
                                       int max) const {
  const YAML::Node v = map[std::string(key)];
  if (!v) return std::nullopt;
  int value = 0;
  if (!YAML::convert<int>::decode(v, value)) {
    fail(v, "'" + std::string(key) + "' must be a whole number");
  }
  if (value < min || value > max) {
    fail(v, "'" + std::string(key) + "' must be " +
                (max == INT_MAX ? "at least " + std::to_string(min)
                                : "from " + std::to_string(min) + " to " + std::to_string(max)));
  }
  return value;
}

std::string YamlReader::scalar(const YAML::Node& value, std::string_view key,
                               std::string_view what) const {
  if (!value.IsScalar()) {
    fail(value, "'" + std::string(key) + "'" + in_what(what) + " must be a string");
  }
  return value.Scalar();
}

void YamlReader::fail_choice(const YAML::Node& at, std::string_view key, const std::string& value,
                             const std::vector<std::string_view>& names) const {
  fail(at, "'" + std::string(key) + "' must be one of " + joined(names) + ", not '" + value + "'");
}

}  // namespace ceslab::core
