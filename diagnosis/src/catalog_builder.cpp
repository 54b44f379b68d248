// SPDX-License-Identifier: GPL-2.0-or-later
// The catalog schema (docs/diagnosis.md, "Catalog") and its checks.
#include "catalog_builder.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "ceslab/core/codes.hpp"
#include "ceslab/core/yaml_reader.hpp"

namespace ceslab::diagnosis {

namespace {

using core::line_of;

constexpr std::string_view kCauseKeys[] = {"id",          "title",       "layer",    "family",
                                           "look_alikes", "explanation", "evidence", "next_checks",
                                           "remediation", "references"};
constexpr std::string_view kDeclarationKeys[] = {"layers", "families", "unknown", "outside",
                                                 "succeeded"};
constexpr std::string_view kOutsideKeys[] = {"id", "title", "explanation", "when", "next_checks"};
constexpr std::string_view kSucceededKeys[] = {"title", "explanation", "when", "always"};
constexpr std::string_view kEvidenceKeys[] = {"requires", "supports", "rules_out"};
constexpr std::string_view kNextCheckKeys[] = {"check", "reveals", "separates"};
constexpr std::string_view kLayerKeys[] = {"id", "title"};
constexpr std::string_view kFamilyKeys[] = {"id", "title", "explanation"};
constexpr std::string_view kUnknownKeys[] = {"title", "explanation", "next_checks"};
constexpr std::string_view kEventKeys[] = {"log", "source", "level", "host", "message", "id"};

bool is_snake_id(std::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

using Reader = core::YamlReader;

// A non-empty string, trimmed: "<what> must be a string" / "... must not be empty".
std::string trimmed_text(const Reader& r, const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) r.fail(node, std::string(what) + " must be a string");
  std::string value = node.Scalar();
  const auto first = value.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) r.fail(node, std::string(what) + " must not be empty");
  value.erase(0, first);
  value.erase(value.find_last_not_of(" \t\r\n") + 1);
  return value;
}

std::string required_text(const Reader& r, const YAML::Node& map, std::string_view key,
                          std::string_view what) {
  return trimmed_text(r, r.required(map, key, what),
                      "'" + std::string(key) + "' in " + std::string(what));
}

// One string or a non-empty list of them.
std::vector<std::string> text_list(const Reader& r, const YAML::Node& node, std::string_view what) {
  if (node.IsScalar()) return {trimmed_text(r, node, what)};
  if (!node.IsSequence()) r.fail(node, std::string(what) + " must be a list of strings");
  if (node.size() == 0) r.fail(node, std::string(what) + " must not be empty");
  std::vector<std::string> out;
  for (const auto& item : node)
    out.push_back(trimmed_text(r, item, std::string(what) + " entries"));
  return out;
}

std::vector<std::string> required_list(const Reader& r, const YAML::Node& map, std::string_view key,
                                       std::string_view what) {
  return text_list(r, r.required(map, key, what),
                   "'" + std::string(key) + "' in " + std::string(what));
}

// "field: value" as written, in YAML flow style, for reports.
std::string written(std::string_view name, const YAML::Node& value) {
  YAML::Emitter out;
  out << YAML::Flow << value;
  return std::string(name) + ": " + out.c_str();
}

std::vector<YAML::Node> items(const YAML::Node& node) {
  if (node.IsSequence()) return {node.begin(), node.end()};
  return {node};
}

Pattern compile(const Reader& r, const YAML::Node& node, std::string_view field, bool negated) {
  if (!node.IsScalar()) r.fail(node, std::string(field) + ": a pattern must be a string");
  try {
    return Pattern::compile(node.Scalar(), negated);
  } catch (const std::regex_error& e) {
    r.fail(node,
           std::string(field) + ": bad regular expression '" + node.Scalar() + "': " + e.what());
  }
}

std::int64_t integer(const Reader& r, const YAML::Node& node, std::string_view field) {
  if (!node.IsScalar()) r.fail(node, std::string(field) + ": expected an integer");
  std::string_view s = node.Scalar();
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value > 0xFFFFFFFFLL) {
    r.fail(node, std::string(field) + ": '" + node.Scalar() + "' is not an integer");
  }
  return negative ? -value : value;
}

std::vector<std::int64_t> integers(const Reader& r, const YAML::Node& node,
                                   std::string_view field) {
  std::vector<std::int64_t> out;
  for (const auto& item : items(node)) out.push_back(integer(r, item, field));
  if (out.empty()) r.fail(node, std::string(field) + ": empty list");
  return out;
}

EventPattern event_pattern(const Reader& r, const YAML::Node& node, std::string_view field) {
  r.expect_map(node, std::string(field), kEventKeys);
  if (node.size() == 0)
    r.fail(node,
           std::string(field) + " needs at least one of " + core::KeyNames(kEventKeys).joined());
  EventPattern p;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string where = std::string(field) + "." + key;
    if (key == "id") {
      p.ids = integers(r, kv.second, where);
      continue;
    }
    Pattern pattern = compile(r, kv.second, where, false);
    if (key == "log") p.log = std::move(pattern);
    if (key == "source") p.source = std::move(pattern);
    if (key == "level") p.level = std::move(pattern);
    if (key == "host") p.host = std::move(pattern);
    if (key == "message") p.message = std::move(pattern);
  }
  return p;
}

FieldTest field_test(const Reader& r, const FieldInfo& info, const YAML::Node& value) {
  const std::string name(info.name);
  if (!value || value.IsNull()) r.fail(value, name + " needs a value");
  FieldTest test;
  test.field = info.field;
  test.written = written(name, value);
  switch (info.type) {
    case FieldType::choice:
      for (const auto& item : items(value)) {
        const std::string v = trimmed_text(r, item, name);
        if (std::find(info.choices.begin(), info.choices.end(), v) == info.choices.end()) {
          std::string known;
          for (auto c : info.choices) known += (known.empty() ? "" : ", ") + std::string(c);
          r.fail(item, "'" + v + "' is not a value of " + name + " (known: " + known + ")");
        }
        test.choices.push_back(v);
      }
      break;
    case FieldType::text:
      if (value.IsMap()) {
        if (value.size() != 1 || !value["not"])
          r.fail(value, name + ": a mapping must be {not: pattern}");
        test.patterns.push_back(compile(r, value["not"], name, true));
      } else {
        for (const auto& item : items(value))
          test.patterns.push_back(compile(r, item, name, false));
      }
      break;
    case FieldType::number: {
      const bool gss =
          info.field == Field::kerberos_gss_major || info.field == Field::kerberos_gss_minor;
      for (std::int64_t v : integers(r, value, name)) {
        // GSS-API statuses are OM_uint32; krb5 writes its codes signed.
        test.numbers.push_back(gss ? static_cast<std::int64_t>(static_cast<std::uint32_t>(v)) : v);
      }
      break;
    }
    case FieldType::code:
      for (const auto& item : items(value)) {
        if (!item.IsScalar()) r.fail(item, name + ": a code must be a string or number");
        const auto code = core::CodeTable::builtin().parse_code(item.Scalar());
        if (!code) {
          r.fail(item, name + ": '" + item.Scalar() +
                           "' is not a code (a name of core/data/codes.yaml, 0x hex or signed "
                           "decimal)");
        }
        test.numbers.push_back(*code);
      }
      break;
    case FieldType::flag:
    case FieldType::presence:
      if (!value.IsScalar() || (value.Scalar() != "true" && value.Scalar() != "false"))
        r.fail(value, name + " must be true or false");
      test.flag = value.Scalar() == "true";
      break;
    case FieldType::event:
      test.event = event_pattern(r, value, name);
      break;
  }
  return test;
}

enum class RuleList { requires_all, supports, rules_out, alternative };

void collect_tests(const Condition& c, std::vector<std::pair<Field, std::string>>& out) {
  for (const FieldTest& t : c.tests) out.emplace_back(t.field, t.written);
  for (const Condition& alternative : c.any) collect_tests(alternative, out);
}

std::vector<std::pair<Field, std::string>> tests_of(const EvidenceRules& rules) {
  std::vector<std::pair<Field, std::string>> out;
  for (const auto& list : {&rules.requires_all, &rules.supports, &rules.rules_out}) {
    for (const Condition& c : *list) collect_tests(c, out);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Condition condition(const Reader& r, const YAML::Node& node, RuleList list) {
  if (!node.IsMap()) {
    r.fail(node, "a condition must be a mapping of field names to values (and weight, note, any)");
  }
  Condition c;
  c.line = line_of(node);
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "<non-scalar>";
    if (!seen.insert(key).second) r.fail(kv.first, "duplicate key '" + key + "' in a condition");
    if (key == "weight") {
      if (list == RuleList::rules_out || list == RuleList::alternative) {
        r.fail(kv.first, list == RuleList::rules_out
                             ? "weight has no meaning in rules_out"
                             : "weight belongs to the condition holding 'any'");
      }
      double w = 0;
      const std::string& s = kv.second.IsScalar() ? kv.second.Scalar() : "";
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), w);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !(w > 0) || w > 100)
        r.fail(kv.second, "weight must be a number above 0 and at most 100");
      c.weight = w;
    } else if (key == "note") {
      c.note = trimmed_text(r, kv.second, "note");
    } else if (key == "any") {
      if (!kv.second.IsSequence() || kv.second.size() < 2)
        r.fail(kv.second, "any must be a list of at least two conditions");
      for (const auto& alternative : kv.second)
        c.any.push_back(condition(r, alternative, RuleList::alternative));
    } else {
      const FieldInfo* info = find_field(key);
      if (info == nullptr) {
        std::string known;
        for (const auto& f : field_info())
          known += (known.empty() ? "" : ", ") + std::string(f.name);
        r.fail(kv.first,
               "unknown field '" + key + "' (known: " + known + "; and weight, note, any)");
      }
      c.tests.push_back(field_test(r, *info, kv.second));
    }
  }
  if (c.tests.empty() && c.any.empty()) r.fail(node, "a condition needs at least one field");
  return c;
}

std::vector<Condition> conditions(const Reader& r, const YAML::Node& evidence, std::string_view key,
                                  RuleList list, bool required) {
  const YAML::Node node = evidence[std::string(key)];
  if (!node || node.IsNull()) {
    if (required) r.fail(evidence, "evidence needs '" + std::string(key) + "'");
    return {};
  }
  if (!node.IsSequence())
    r.fail(node, "evidence." + std::string(key) + " must be a list of conditions");
  if (required && node.size() == 0)
    r.fail(node, "evidence." + std::string(key) + " must not be empty");
  std::vector<Condition> out;
  for (const auto& item : node) out.push_back(condition(r, item, list));
  return out;
}

std::vector<NextCheck> next_checks(const Reader& r, const YAML::Node& node, std::string_view what,
                                   std::vector<std::pair<std::string, int>>* separates) {
  if (!node.IsSequence() || node.size() == 0)
    r.fail(node, std::string(what) + ": next_checks must be a non-empty list");
  std::vector<NextCheck> out;
  for (const auto& item : node) {
    NextCheck check;
    if (item.IsScalar()) {
      check.text = trimmed_text(r, item, "a next check");
      out.push_back(std::move(check));
      continue;
    }
    r.expect_map(item, "a next check", kNextCheckKeys);
    check.text = required_text(r, item, "check", "a next check");
    if (const YAML::Node reveals = item["reveals"]) {
      for (const std::string& name : text_list(r, reveals, "reveals")) {
        const FieldInfo* info = find_field(name);
        if (info == nullptr) r.fail(reveals, "reveals: unknown field '" + name + "'");
        check.reveals.push_back(info->field);
      }
    }
    if (const YAML::Node sep = item["separates"]) {
      check.separates = text_list(r, sep, "separates");
      if (separates == nullptr) r.fail(sep, "separates belongs to a cause's next checks");
      for (const auto& id : check.separates) separates->emplace_back(id, line_of(sep));
    }
    out.push_back(std::move(check));
  }
  return out;
}

}  // namespace

void CatalogBuilder::add_text(const std::string& source, const std::string& text) {
  const Reader r(source);
  bool any = false;
  for (const YAML::Node& doc : r.parse_all(text)) {
    if (!doc.IsDefined() || doc.IsNull()) continue;
    add_document(r, doc);
    any = true;
  }
  if (!any) r.fail(1, "empty file: expected a cause or declarations");
}

void CatalogBuilder::add_document(const Reader& r, const YAML::Node& root) {
  if (!root.IsMap())
    r.fail(root, "a catalog document must be a mapping (a cause, or declarations)");
  if (root["id"]) {
    add_cause(r, root);
    return;
  }
  r.expect_map(root, "declarations (a cause needs 'id')", kDeclarationKeys);
  if (const YAML::Node layers = root["layers"]) add_layers(r, layers);
  if (const YAML::Node families = root["families"]) add_families(r, families);
  if (const YAML::Node unknown = root["unknown"]) add_unknown(r, unknown);
  if (const YAML::Node outside = root["outside"]) add_outside(r, outside);
  if (const YAML::Node succeeded = root["succeeded"]) add_succeeded(r, succeeded);
}

void CatalogBuilder::add_layers(const Reader& r, const YAML::Node& layers) {
  if (!layers.IsSequence()) r.fail(layers, "layers must be a list");
  for (const auto& item : layers) {
    r.expect_map(item, "a layer", kLayerKeys);
    Layer layer{required_text(r, item, "id", "a layer"),
                required_text(r, item, "title", "a layer")};
    if (!is_snake_id(layer.id))
      r.fail(item["id"], "layer id '" + layer.id + "' must be snake_case");
    if (const auto it = layers_at_.find(layer.id); it != layers_at_.end()) {
      r.fail(item["id"], "duplicate layer '" + layer.id + "' (first at " + it->second.source + ":" +
                             std::to_string(it->second.line) + ")");
    }
    layers_at_[layer.id] = {r.source(), line_of(item["id"])};
    catalog_.layers_.push_back(std::move(layer));
  }
}

void CatalogBuilder::add_families(const Reader& r, const YAML::Node& families) {
  if (!families.IsSequence()) r.fail(families, "families must be a list");
  for (const auto& item : families) {
    r.expect_map(item, "a family", kFamilyKeys);
    Family family{required_text(r, item, "id", "a family"),
                  required_text(r, item, "title", "a family"),
                  required_text(r, item, "explanation", "a family"),
                  {}};
    if (!is_snake_id(family.id))
      r.fail(item["id"], "family id '" + family.id + "' must be snake_case");
    if (const auto it = families_at_.find(family.id); it != families_at_.end()) {
      r.fail(item["id"], "duplicate family '" + family.id + "' (first at " + it->second.source +
                             ":" + std::to_string(it->second.line) + ")");
    }
    families_at_[family.id] = {r.source(), line_of(item["id"])};
    catalog_.families_.push_back(std::move(family));
  }
}

void CatalogBuilder::add_unknown(const Reader& r, const YAML::Node& unknown) {
  if (unknown_at_) {
    r.fail(unknown, "'unknown' is declared twice (first at " + unknown_at_->source + ":" +
                        std::to_string(unknown_at_->line) + ")");
  }
  r.expect_map(unknown, "unknown", kUnknownKeys);
  unknown_at_ = Where{r.source(), line_of(unknown)};
  catalog_.unknown_.title = required_text(r, unknown, "title", "unknown");
  catalog_.unknown_.explanation = required_text(r, unknown, "explanation", "unknown");
  if (const YAML::Node checks = unknown["next_checks"])
    catalog_.unknown_.next_checks = next_checks(r, checks, "unknown", nullptr);
}

void CatalogBuilder::add_outside(const Reader& r, const YAML::Node& outside) {
  if (!outside.IsSequence()) r.fail(outside, "outside must be a list");
  for (const auto& item : outside) {
    r.expect_map(item, "an outside entry", kOutsideKeys);
    OutsideEntry entry;
    entry.id = required_text(r, item, "id", "an outside entry");
    if (!is_snake_id(entry.id))
      r.fail(item["id"], "outside id '" + entry.id + "' must be snake_case");
    for (const OutsideEntry& other : catalog_.outside_) {
      if (other.id == entry.id)
        r.fail(item["id"], "duplicate outside entry '" + entry.id + "' (first at " + other.source +
                               ":" + std::to_string(other.line) + ")");
    }
    entry.title = required_text(r, item, "title", "an outside entry");
    entry.explanation = required_text(r, item, "explanation", "an outside entry");
    if (!item["when"]) r.fail(item, "an outside entry needs 'when'");
    entry.when = condition(r, item["when"], RuleList::rules_out);
    if (const YAML::Node checks = item["next_checks"])
      entry.next_checks = next_checks(r, checks, "outside", nullptr);
    entry.source = r.source();
    entry.line = line_of(item);
    catalog_.outside_.push_back(std::move(entry));
  }
}

void CatalogBuilder::add_succeeded(const Reader& r, const YAML::Node& succeeded) {
  r.expect_map(succeeded, "succeeded", kSucceededKeys);
  catalog_.succeeded_.title = required_text(r, succeeded, "title", "succeeded");
  catalog_.succeeded_.explanation = required_text(r, succeeded, "explanation", "succeeded");
  const YAML::Node when = succeeded["when"];
  if (!when || !when.IsSequence() || when.size() == 0)
    r.fail(when ? when : succeeded, "succeeded.when must be a non-empty list of conditions");
  for (const auto& item : when)
    catalog_.succeeded_.when.push_back(condition(r, item, RuleList::rules_out));
  if (const YAML::Node always = succeeded["always"]) {
    if (!always.IsSequence()) r.fail(always, "succeeded.always must be a list of conditions");
    for (const auto& item : always)
      catalog_.succeeded_.always.push_back(condition(r, item, RuleList::rules_out));
  }
}

void CatalogBuilder::add_cause(const Reader& r, const YAML::Node& root) {
  const std::string id = trimmed_text(r, root["id"], "id");
  const std::string what = "cause '" + id + "'";
  r.expect_map(root, what, kCauseKeys);
  if (!is_snake_id(id))
    r.fail(root["id"], "cause id '" + id + "' must be snake_case ([a-z][a-z0-9_]*)");
  if (id == kUnknown)
    r.fail(root["id"], "'unknown' is the verdict when no cause fits; it is not a cause id");
  if (const auto it = causes_at_.find(id); it != causes_at_.end()) {
    r.fail(root["id"], "duplicate cause id '" + id + "' (first at " + it->second.source + ":" +
                           std::to_string(it->second.line) + ")");
  }
  const std::size_t index = catalog_.causes_.size();
  const std::string& source = r.source();
  causes_at_[id] = {source, line_of(root["id"])};

  CauseEntry cause;
  cause.id = id;
  cause.source = source;
  cause.line = line_of(root["id"]);
  cause.title = required_text(r, root, "title", what);
  cause.layer = required_text(r, root, "layer", what);
  layer_refs_.push_back({index, {cause.layer, {source, line_of(root["layer"])}}});
  if (const YAML::Node family = root["family"]) {
    cause.family = trimmed_text(r, family, "family");
    family_refs_.push_back({index, {cause.family, {source, line_of(family)}}});
  }
  if (const YAML::Node look = root["look_alikes"]) {
    cause.look_alikes = text_list(r, look, "look_alikes");
    for (const auto& other : cause.look_alikes)
      look_alike_refs_.push_back({index, {other, {source, line_of(look)}}});
  }
  cause.explanation = required_text(r, root, "explanation", what);

  const YAML::Node evidence = r.required(root, "evidence", what);
  r.expect_map(evidence, "evidence of " + what, kEvidenceKeys);
  cause.evidence.requires_all = conditions(r, evidence, "requires", RuleList::requires_all, true);
  cause.evidence.supports = conditions(r, evidence, "supports", RuleList::supports, false);
  cause.evidence.rules_out = conditions(r, evidence, "rules_out", RuleList::rules_out, false);
  cause.tests = tests_of(cause.evidence);

  std::vector<std::pair<std::string, int>> separates;
  cause.next_checks = next_checks(r, r.required(root, "next_checks", what), what, &separates);
  for (auto& [other, line] : separates) separates_refs_.push_back({index, {other, {source, line}}});
  cause.remediation = required_list(r, root, "remediation", what);
  cause.references = required_list(r, root, "references", what);
  catalog_.causes_.push_back(std::move(cause));
}

Catalog CatalogBuilder::finish() {
  if (catalog_.causes_.empty()) throw CatalogError("<catalog>", 0, "the catalog has no causes");
  const auto fail = [](const Reference& ref, const std::string& problem) {
    throw CatalogError(ref.where.source, ref.where.line, problem);
  };
  for (const auto& [index, ref] : layer_refs_) {
    if (!layers_at_.count(ref.id))
      fail(ref, "layer '" + ref.id + "' is not declared under 'layers'");
  }
  for (const auto& [index, ref] : family_refs_) {
    if (!families_at_.count(ref.id))
      fail(ref, "family '" + ref.id + "' is not declared under 'families'");
  }
  const auto check_cause_ref = [&](std::size_t index, const Reference& ref, std::string_view what) {
    if (!causes_at_.count(ref.id))
      fail(ref, std::string(what) + " names '" + ref.id + "', which is no cause of the catalog");
    if (catalog_.causes_[index].id == ref.id)
      fail(ref, std::string(what) + " names the cause itself ('" + ref.id + "')");
  };
  for (const auto& [index, ref] : look_alike_refs_) check_cause_ref(index, ref, "look_alikes");
  for (const auto& [index, ref] : separates_refs_) check_cause_ref(index, ref, "separates");

  for (Family& family : catalog_.families_) {
    for (const CauseEntry& cause : catalog_.causes_) {
      if (cause.family == family.id) family.members.push_back(cause.id);
    }
    if (family.members.size() < 2) {
      const Where& at = families_at_.at(family.id);
      throw CatalogError(at.source, at.line,
                         "family '" + family.id + "' has " + std::to_string(family.members.size()) +
                             " member(s); a family is two or more causes sharing one wire shape");
    }
  }
  return std::move(catalog_);
}

}  // namespace ceslab::diagnosis
