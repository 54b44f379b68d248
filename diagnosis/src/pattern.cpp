// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

#include "ceslab/diagnosis/rules.hpp"

namespace ceslab::diagnosis {

namespace {

// ASCII only, as std::regex's icase does in the "C" locale.
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_at(std::string_view text, std::size_t pos, const std::string& needle) {
  for (std::size_t i = 0; i < needle.size(); ++i) {
    if (lower(text[pos + i]) != needle[i]) return false;
  }
  return true;
}

bool contains(std::string_view text, const std::string& needle) {
  if (needle.empty()) return true;
  const char first = needle.front();
  for (std::size_t pos = 0; pos + needle.size() <= text.size(); ++pos) {
    if (lower(text[pos]) == first && equal_at(text, pos, needle)) return true;
  }
  return false;
}

// The pattern as `|`-separated plain texts, each optionally anchored with a
// leading ^ or a trailing $; nullopt when it uses anything else of regex.
template <typename Literal>
std::optional<std::vector<Literal>> as_literals(std::string_view pattern) {
  std::vector<Literal> out;
  Literal current;
  bool at_branch_start = true;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '|') {
      out.push_back(std::move(current));
      current = Literal();
      at_branch_start = true;
      continue;
    }
    if (c == '^' && at_branch_start) {
      current.at_start = true;
      at_branch_start = false;
      continue;
    }
    at_branch_start = false;
    if (c == '$' && (i + 1 == pattern.size() || pattern[i + 1] == '|')) {
      current.at_end = true;
      continue;
    }
    if (c == '\\') {
      // An escaped punctuation character is itself; \d, \s, \b... are regex.
      if (i + 1 == pattern.size() || !std::ispunct(static_cast<unsigned char>(pattern[i + 1])))
        return std::nullopt;
      current.lower += pattern[++i];
      continue;
    }
    if (std::strchr(".?*+()[]{}^$", c) != nullptr) return std::nullopt;
    current.lower += lower(c);
  }
  out.push_back(std::move(current));
  return out;
}

}  // namespace

Pattern Pattern::compile(std::string text, bool negated) {
  Pattern p;
  p.text_ = std::move(text);
  p.negated_ = negated;
  // Compiled even when matched as text, so that the catalog refuses what
  // std::regex refuses whichever way it is matched.
  std::regex regex(p.text_, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
  if (auto literals = as_literals<Literal>(p.text_)) {
    p.literals_ = std::move(*literals);
  } else {
    p.regex_ = std::move(regex);
  }
  return p;
}

bool Pattern::search(std::string_view text) const {
  if (regex_) return std::regex_search(text.begin(), text.end(), *regex_);
  for (const Literal& l : literals_) {
    if (l.lower.size() > text.size()) continue;
    if (l.at_start && l.at_end) {
      if (l.lower.size() == text.size() && equal_at(text, 0, l.lower)) return true;
    } else if (l.at_start) {
      if (equal_at(text, 0, l.lower)) return true;
    } else if (l.at_end) {
      if (equal_at(text, text.size() - l.lower.size(), l.lower)) return true;
    } else if (contains(text, l.lower)) {
      return true;
    }
  }
  return false;
}

}  // namespace ceslab::diagnosis
