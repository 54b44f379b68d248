// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/diagnosis/catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace ceslab::diagnosis {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = CESLAB_FIXTURES_DIR;
const fs::path kCatalogDir = kFixtures.parent_path().parent_path() / "diagnosis" / "catalog";

// docs/causes.md's ids in its order (seed section A first), kept as data beside
// the fixtures: a new cause is added there and in the catalog, not in C++.
std::vector<std::string> causes_md_ids() {
  std::ifstream in(kFixtures / "diagnose" / "causes_md_ids.txt");
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#') ids.push_back(line);
  }
  return ids;
}

// A small valid catalog to break in one place per test.
const std::string kDeclarations = R"(layers:
  - { id: hop, title: "The hop" }
families:
  - { id: same_shape, title: "Same shape", explanation: "They look alike." }
)";

std::string cause(const std::string& id, const std::string& extra = "",
                  const std::string& requires_rule = "code: ERROR_ACCESS_DENIED") {
  return "id: " + id + R"(
title: "A cause"
layer: hop
explanation: "Why it happens."
evidence:
  requires:
    - )" +
         requires_rule +
         R"(
next_checks:
  - "Look somewhere."
remediation: ["Fix it."]
references: ["causes.md"]
)" + extra;
}

// The CatalogError from loading `texts`, which must fail.
CatalogError error_of(const std::vector<std::pair<std::string, std::string>>& texts) {
  try {
    Catalog::from_texts(texts);
  } catch (const CatalogError& e) {
    return e;
  }
  ADD_FAILURE() << "the catalog loaded";
  return CatalogError("", 0, "");
}

CatalogError error_of(const std::string& text) {
  return error_of({{"decl.yaml", kDeclarations}, {"cause.yaml", text}});
}

TEST(Catalog, BuiltinHasEveryCauseOfCausesMdInItsOrderSeedFirst) {
  const Catalog& catalog = Catalog::builtin();
  const std::vector<std::string> expected = causes_md_ids();
  ASSERT_EQ(expected.size(), 43u);  // 9 seed causes, 34 beyond the seed
  std::vector<std::string> ids;
  for (const auto& c : catalog.causes()) ids.push_back(c.id);
  EXPECT_EQ(ids, expected);
}

TEST(Catalog, BuiltinEqualsTheSourceDirectory) {
  const Catalog from_dir = Catalog::from_directory(kCatalogDir);
  const Catalog& builtin = Catalog::builtin();
  ASSERT_EQ(from_dir.causes().size(), builtin.causes().size());
  for (std::size_t i = 0; i < builtin.causes().size(); ++i) {
    EXPECT_EQ(from_dir.causes()[i].id, builtin.causes()[i].id);
    EXPECT_EQ(from_dir.causes()[i].next_checks.size(), builtin.causes()[i].next_checks.size());
  }
  EXPECT_EQ(from_dir.families().size(), builtin.families().size());
}

TEST(Catalog, EveryBuiltinEntryIsComplete) {
  const Catalog& catalog = Catalog::builtin();
  for (const CauseEntry& c : catalog.causes()) {
    SCOPED_TRACE(c.id);
    EXPECT_FALSE(c.title.empty());
    EXPECT_FALSE(c.explanation.empty());
    EXPECT_NE(catalog.find_layer(c.layer), nullptr);
    EXPECT_FALSE(c.evidence.requires_all.empty());
    EXPECT_FALSE(c.next_checks.empty());
    EXPECT_FALSE(c.remediation.empty());
    EXPECT_FALSE(c.references.empty());
    EXPECT_EQ(catalog.find(c.id), &c);
  }
  EXPECT_FALSE(catalog.unknown().next_checks.empty());
}

TEST(Catalog, FamiliesHaveTwoOrMoreMembersAndTheAccessDeniedFamilyIsTheSeeds) {
  const Catalog& catalog = Catalog::builtin();
  ASSERT_FALSE(catalog.families().empty());
  for (const Family& f : catalog.families()) EXPECT_GE(f.members.size(), 2u) << f.id;
  // docs/causes.md: these four answer `Access is denied.` 0x80070005 alike.
  const Family* denied = catalog.find_family("access_denied_on_ca_hop");
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(denied->members,
            (std::vector<std::string>{"user_not_delegable", "ces_not_trusted_for_delegation",
                                      "credential_guard_blocks_unconstrained_delegation",
                                      "kbr_app_pool_cannot_read_ca"}));
}

TEST(Catalog, FieldTableListsTheEnumeratorsInOrder) {
  for (std::size_t i = 0; i < field_info().size(); ++i) {
    const FieldInfo& f = field_info()[i];
    EXPECT_EQ(static_cast<std::size_t>(f.field), i) << f.name;
    EXPECT_EQ(find_field(f.name), &f);
    EXPECT_EQ(&info_of(f.field), &f);
  }
  EXPECT_EQ(find_field("fault.errorcode"), nullptr);
  EXPECT_LE(field_info().size(), 64u);  // the engine keeps sets of fields as 64-bit masks
}

TEST(Catalog, TestsListEveryFieldTheRulesUseOnce) {
  const CauseEntry* c = Catalog::builtin().find("user_not_delegable");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(std::is_sorted(c->tests.begin(), c->tests.end()));
  EXPECT_TRUE(std::adjacent_find(c->tests.begin(), c->tests.end()) == c->tests.end());
  const auto has = [&](Field f, const std::string& written) {
    return std::find(c->tests.begin(), c->tests.end(), std::make_pair(f, written)) !=
           c->tests.end();
  };
  EXPECT_TRUE(has(Field::code, "code: ERROR_ACCESS_DENIED"));
  EXPECT_TRUE(has(Field::kerberos_forwardable, "kerberos.forwardable: false"));
  EXPECT_TRUE(has(Field::kerberos_forwardable, "kerberos.forwardable: true"));
}

// Every event pattern in the rules, wherever a condition holds it.
void collect_events(const Condition& c, std::vector<const EventPattern*>& out) {
  for (const FieldTest& t : c.tests) {
    if (t.event) out.push_back(&*t.event);
  }
  for (const Condition& any : c.any) collect_events(any, out);
}

// A server event's rendered text is localized, and the texts of the CES and
// CEP events are the lab's models (mock_ces/data/events.yaml): a rule keys on
// the provider and the event id, and a message pattern may only look for what
// no translation changes — codes (0x80094812, CERTSRV_E_...), status values
// and service principal prefixes (HTTP/).
TEST(Catalog, NoEventRuleKeysOnTheWordingOfAMessage) {
  const std::regex token(R"(^(0x[0-9a-fA-F]{1,8}|[A-Z][A-Z0-9]*(_[A-Z0-9]+)+|HTTP/)$)");
  const std::regex glue(R"(\|\[\\s\\S\]\*|\[\\s\\S\]\*|\|)");
  for (const CauseEntry& c : Catalog::builtin().causes()) {
    std::vector<const EventPattern*> events;
    for (const auto* list :
         {&c.evidence.requires_all, &c.evidence.supports, &c.evidence.rules_out}) {
      for (const Condition& cond : *list) collect_events(cond, events);
    }
    for (const EventPattern* e : events) {
      EXPECT_TRUE(e->source.has_value()) << c.id << ": an event rule without a provider";
      if (!e->message) continue;
      const std::string& text = e->message->text();
      for (std::sregex_token_iterator it(text.begin(), text.end(), glue, -1), end; it != end;
           ++it) {
        EXPECT_TRUE(std::regex_match(it->str(), token))
            << c.id << ": event message pattern '" << text << "' keys on the words '" << it->str()
            << "'";
      }
    }
  }
}

// Each fact the readers put in the record is tested by some rule: a fact
// nothing uses is evidence the engine throws away (a GetPolicies answer with
// nil policies once named nothing).
TEST(Catalog, EveryFieldIsTestedBySomeCause) {
  std::set<Field> used;
  for (const CauseEntry& c : Catalog::builtin().causes()) {
    for (const auto& [field, written] : c.tests) used.insert(field);
  }
  for (const FieldInfo& f : field_info()) EXPECT_TRUE(used.count(f.field)) << f.name;
}

TEST(Catalog, ASmallCatalogLoadsWithItsRules) {
  const Catalog c = Catalog::from_texts(
      {{"decl.yaml", kDeclarations},
       {"a.yaml", cause("alpha", "family: same_shape\n")},
       {"b.yaml", cause("beta", "family: same_shape\nlook_alikes: [alpha]\n",
                        "{ code: [0x80070005, -2147024891], fault.reason: 'denied', weight: 2.5, "
                        "note: n }")}});
  ASSERT_EQ(c.causes().size(), 2u);
  const CauseEntry* beta = c.find("beta");
  ASSERT_NE(beta, nullptr);
  const Condition& rule = beta->evidence.requires_all.front();
  EXPECT_DOUBLE_EQ(rule.weight, 2.5);
  EXPECT_EQ(rule.note, "n");
  ASSERT_EQ(rule.tests.size(), 2u);
  EXPECT_EQ(rule.tests[0].numbers, (std::vector<std::int64_t>{0x80070005, 0x80070005}));
  EXPECT_EQ(rule.tests[0].written, "code: [0x80070005, -2147024891]");
  EXPECT_EQ(c.find_family("same_shape")->members, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(c.index_of("beta"), 1u);
  EXPECT_EQ(c.index_of("gamma"), 2u);
}

TEST(Catalog, MultiDocumentTextIsOneCatalog) {
  const Catalog c = Catalog::from_yaml(
      "layers:\n  - { id: hop, title: The hop }\n---\n" + cause("alpha") + "---\n" + cause("beta"),
      "all.yaml");
  ASSERT_EQ(c.causes().size(), 2u);
  EXPECT_EQ(c.causes()[0].source, "all.yaml");
  EXPECT_EQ(c.causes()[0].line, 4);
  EXPECT_EQ(c.causes()[1].line, 16);
}

struct BadCatalog {
  std::string name;
  std::string text;  // the cause file, after kDeclarations in decl.yaml
  int line;          // expected line in cause.yaml
  std::string says;  // expected in the problem
};

class CatalogErrors : public ::testing::TestWithParam<BadCatalog> {};

TEST_P(CatalogErrors, NameFileLineAndProblem) {
  const BadCatalog& bad = GetParam();
  const CatalogError e = error_of(bad.text);
  EXPECT_EQ(e.source(), "cause.yaml") << e.what();
  EXPECT_EQ(e.line(), bad.line) << e.what();
  EXPECT_NE(e.problem().find(bad.says), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).rfind("cause.yaml:" + std::to_string(bad.line) + ": ", 0), 0u)
      << e.what();
}

INSTANTIATE_TEST_SUITE_P(
    Validation, CatalogErrors,
    ::testing::Values(
        BadCatalog{"syntax", "id: alpha\ntitle: [unclosed\n", 3, "YAML syntax error"},
        BadCatalog{"unknown_key", cause("alpha", "colour: blue\n"), 12, "unknown key 'colour'"},
        BadCatalog{"wrong_type", "id: alpha\ntitle: [a, b]\n", 2,
                   "'title' in cause 'alpha' must be a string"},
        BadCatalog{"unknown_field", cause("alpha", "", "fault.errorcode: 5"), 7,
                   "unknown field 'fault.errorcode'"},
        BadCatalog{"bad_regex", cause("alpha", "", "fault.reason: '(unclosed'"), 7,
                   "bad regular expression '(unclosed'"},
        BadCatalog{"unknown_code", cause("alpha", "", "code: CERTSRV_E_NO_SUCH_THING"), 7,
                   "'CERTSRV_E_NO_SUCH_THING' is not a code"},
        BadCatalog{"unknown_choice", cause("alpha", "", "operation: enrol"), 7,
                   "'enrol' is not a value of operation"},
        BadCatalog{"flag_not_bool", cause("alpha", "", "kerberos.forwardable: yes"), 7,
                   "kerberos.forwardable must be true or false"},
        BadCatalog{"not_an_integer", cause("alpha", "", "http.status: four-oh-one"), 7,
                   "'four-oh-one' is not an integer"},
        BadCatalog{"event_key", cause("alpha", "", "event: { provider: CA }"), 7,
                   "unknown key 'provider'"},
        BadCatalog{"reserved_id", cause("unknown"), 1, "not a cause id"},
        BadCatalog{"not_snake", cause("Alpha"), 1, "must be snake_case"},
        BadCatalog{"missing_requires",
                   "id: alpha\ntitle: t\nlayer: hop\nexplanation: e\n"
                   "evidence:\n  supports:\n    - code: 5\n",
                   6, "evidence needs 'requires'"},
        BadCatalog{"dangling_look_alike", cause("alpha", "look_alikes: [beta]\n"), 12,
                   "look_alikes names 'beta', which is no cause of the catalog"},
        BadCatalog{"self_look_alike", cause("alpha", "look_alikes: [alpha]\n"), 12,
                   "names the cause itself"},
        BadCatalog{"reveals_unknown_field",
                   "id: alpha\ntitle: t\nlayer: hop\nexplanation: e\nevidence:\n  requires:\n"
                   "    - code: 5\nnext_checks:\n  - { check: c, reveals: [kerberos.tgt] }\n",
                   9, "reveals: unknown field 'kerberos.tgt'"},
        BadCatalog{"empty_condition", cause("alpha", "", "{ note: only a note }"), 7,
                   "a condition needs at least one field"}),
    [](const auto& info) { return info.param.name; });

// `text` with `from` replaced by `to` (once).
std::string edited(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(Catalog, UndeclaredLayerIsAnErrorAtTheLayerLine) {
  const CatalogError e = error_of(edited(cause("alpha"), "layer: hop", "layer: nowhere"));
  EXPECT_EQ(e.source(), "cause.yaml");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(e.problem().find("layer 'nowhere' is not declared"), std::string::npos) << e.what();
}

TEST(Catalog, WeightInRulesOutIsRefused) {
  const CatalogError e = error_of(
      edited(cause("alpha"),
             "next_checks:", "  rules_out:\n    - { auth: username, weight: 2 }\nnext_checks:"));
  EXPECT_EQ(e.line(), 9);
  EXPECT_NE(e.problem().find("weight has no meaning in rules_out"), std::string::npos) << e.what();
}

TEST(Catalog, DuplicateIdNamesBothPlaces) {
  const CatalogError e = error_of({{"decl.yaml", kDeclarations},
                                   {"one.yaml", cause("alpha")},
                                   {"two.yaml", "# comment\n" + cause("alpha")}});
  EXPECT_EQ(e.source(), "two.yaml");
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(e.problem().find("duplicate cause id 'alpha' (first at one.yaml:1)"), std::string::npos)
      << e.what();
}

TEST(Catalog, FamilyWithOneMemberIsAnErrorAtItsDeclaration) {
  const CatalogError e = error_of(cause("alpha", "family: same_shape\n"));
  EXPECT_EQ(e.source(), "decl.yaml");
  EXPECT_EQ(e.line(), 4);
  EXPECT_NE(e.problem().find("family 'same_shape' has 1 member"), std::string::npos) << e.what();
}

TEST(Catalog, UndeclaredFamilyIsAnError) {
  const CatalogError e = error_of(cause("alpha", "family: other_shape\n"));
  EXPECT_EQ(e.line(), 12);
  EXPECT_NE(e.problem().find("family 'other_shape' is not declared"), std::string::npos)
      << e.what();
}

TEST(Catalog, EmptyCatalogAndMissingDirectoryAreErrors) {
  EXPECT_THROW(Catalog::from_texts({{"decl.yaml", kDeclarations}}), CatalogError);
  EXPECT_THROW(Catalog::from_directory(kFixtures / "no-such-catalog"), CatalogError);
  const CatalogError e = error_of({{"empty.yaml", "# nothing\n"}});
  EXPECT_EQ(e.source(), "empty.yaml");
  EXPECT_NE(e.problem().find("empty file"), std::string::npos);
}

}  // namespace
}  // namespace ceslab::diagnosis
