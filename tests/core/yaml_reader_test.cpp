// SPDX-License-Identifier: GPL-2.0-or-later
// The shared reader of the YAML data files: one error type, one wording.
#include "ceslab/core/yaml_reader.hpp"

#include <gtest/gtest.h>

namespace ceslab::core {
namespace {

const YamlReader kReader("data.yaml");

// The DataFileError `read` raises; fails the test when it raises none.
template <typename Read>
DataFileError error_of(Read&& read) {
  try {
    read();
  } catch (const DataFileError& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return DataFileError("", 0, "");
}

TEST(DataFileError, NamesSourceLineAndProblem) {
  const DataFileError e("w.yaml", 3, "bad");
  EXPECT_STREQ(e.what(), "w.yaml:3: bad");
  EXPECT_EQ(e.source(), "w.yaml");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.problem(), "bad");
  EXPECT_STREQ(DataFileError("w.yaml", 0, "cannot be read").what(), "w.yaml: cannot be read");
}

TEST(YamlReader, SyntaxErrorsCarryTheirLine) {
  const DataFileError e = error_of([] { kReader.parse("a: 1\nb: [unclosed\n"); });
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.problem().rfind("YAML syntax error: ", 0), 0u) << e.what();
  EXPECT_TRUE(kReader.parse("").IsNull());
  EXPECT_EQ(kReader.parse_all("a: 1\n---\nb: 2\n").size(), 2u);
}

TEST(YamlReader, SingleListRefusesAnyOtherShape) {
  EXPECT_EQ(kReader.single_list("items: [a, b]\n", "items").size(), 2u);
  EXPECT_STREQ(error_of([] { kReader.single_list("", "items"); }).what(),
               "data.yaml:1: empty document; expected a mapping with an 'items' list");
  EXPECT_STREQ(error_of([] { kReader.single_list("items: []\nother: 1\n", "items"); }).what(),
               "data.yaml:2: unknown top-level key 'other'");
  EXPECT_STREQ(error_of([] { kReader.single_list("items: [a]\nitems: [b]\n", "items"); }).what(),
               "data.yaml:2: duplicate top-level key 'items'");
  EXPECT_STREQ(error_of([] { kReader.single_list("items: {}\n", "items"); }).what(),
               "data.yaml:1: 'items' must be a list");
  EXPECT_STREQ(error_of([] { kReader.single_list("items: []\n", "items"); }).what(),
               "data.yaml:1: 'items' is empty");
}

TEST(YamlReader, MappingsHoldKnownKeysOnce) {
  const YAML::Node map = kReader.parse("a: 1\nb: 2\n");
  kReader.expect_map(map, "thing", {"a", "b", "c"});
  EXPECT_STREQ(error_of([&] { kReader.expect_map(map, "thing", {"a"}); }).what(),
               "data.yaml:2: unknown key 'b' in thing (known: a)");
  EXPECT_STREQ(error_of([] { kReader.expect_map(kReader.parse("[1]"), "thing", {"a"}); }).what(),
               "data.yaml:1: thing must be a mapping");
  const YAML::Node twice = kReader.parse("a: 1\na: 2\n");
  EXPECT_STREQ(error_of([&] { kReader.check_keys(twice, "thing", {"a"}); }).what(),
               "data.yaml:2: duplicate key 'a' in thing");
  EXPECT_STREQ(error_of([&] { kReader.within("items[0]").check_keys(twice, "", {"a"}); }).what(),
               "data.yaml:2: items[0]: duplicate key 'a'");
}

TEST(YamlReader, ReadsTypedScalars) {
  const YAML::Node map = kReader.parse(
      "name: x\nnone: null\nlist: [a, b]\nyes: true\nn: 7\nmode: fast\nnested: {k: v}\n");
  EXPECT_EQ(kReader.text(map, "name", "thing"), "x");
  EXPECT_EQ(kReader.optional_text(map, "none", "thing"), std::nullopt);
  EXPECT_EQ(kReader.list(map, "list", "thing"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(kReader.list(map, "missing", "thing").empty());
  EXPECT_EQ(kReader.flag(map, "yes"), true);
  EXPECT_EQ(kReader.flag(map, "missing"), std::nullopt);
  EXPECT_EQ(kReader.integer(map, "n", 0, 10), 7);
  EXPECT_EQ(kReader.choice<int>(map, "mode", {{"slow", 1}, {"fast", 2}}), 2);
  EXPECT_EQ(kReader.choice<int>(map, "missing", {{"slow", 1}}), std::nullopt);
  EXPECT_EQ(line_of(map["n"]), 5);
  EXPECT_EQ(line_of(map["missing"]), 0);

  EXPECT_STREQ(error_of([&] { kReader.text(map, "none", "thing"); }).what(),
               "data.yaml:1: thing needs 'none'");
  EXPECT_STREQ(error_of([&] { kReader.text(map, "nested", "thing"); }).what(),
               "data.yaml:7: 'nested' in thing must be a string");
  EXPECT_STREQ(error_of([&] { kReader.list(map, "name", "thing"); }).what(),
               "data.yaml:1: 'name' in thing must be a list");
  EXPECT_STREQ(error_of([&] { kReader.flag(map, "name"); }).what(),
               "data.yaml:1: 'name' must be true or false");
  EXPECT_STREQ(error_of([&] { kReader.integer(map, "name"); }).what(),
               "data.yaml:1: 'name' must be a whole number");
  EXPECT_STREQ(error_of([&] { kReader.integer(map, "n", 8); }).what(),
               "data.yaml:5: 'n' must be at least 8");
  EXPECT_STREQ(error_of([&] { kReader.integer(map, "n", 0, 5); }).what(),
               "data.yaml:5: 'n' must be from 0 to 5");
  EXPECT_STREQ(error_of([&] {
                 kReader.choice<int>(map, "mode", {{"slow", 1}, {"off", 0}});
               }).what(),
               "data.yaml:6: 'mode' must be one of slow, off, not 'fast'");
}

TEST(YamlReader, GuardedTurnsStrayYamlExceptionsIntoDataFileErrors) {
  const YAML::Node map = kReader.parse("n: [1]\n");
  const DataFileError e = error_of([&] { kReader.guarded([&] { return map["n"].as<int>(); }); });
  EXPECT_EQ(e.line(), 1);
  EXPECT_EQ(e.problem().rfind("YAML error: ", 0), 0u) << e.what();
}

}  // namespace
}  // namespace ceslab::core
