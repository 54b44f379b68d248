// SPDX-License-Identifier: GPL-2.0-or-later
// The cause catalog (docs/diagnosis.md): one entry per cause of docs/causes.md
// with its evidence rules, next checks, remediation and references, read
// from YAML and validated as a whole (unknown keys, types, field names,
// regular expressions, duplicate ids, dangling references), with file:line
// in every error. No cause id lives in C++: a new cause is a new YAML file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ceslab/core/data_file_error.hpp"
#include "ceslab/diagnosis/rules.hpp"

namespace ceslab::diagnosis {

// The verdict when no cause is confident enough; reserved, never a cause id.
inline constexpr std::string_view kUnknown = "unknown";
// The verdict when the evidence shows no failure (declarations' `succeeded`).
inline constexpr std::string_view kSucceeded = "succeeded";

// A catalog file (or set of files) is malformed. what() reads
// "<source>:<line>: <problem>".
using CatalogError = core::DataFileError;

// Something to look at that the evidence did not show, and what it reveals.
struct NextCheck {
  std::string text;
  std::vector<Field> reveals;          // Evidence fields the check would fill
  std::vector<std::string> separates;  // cause ids it tells this cause apart from
};

struct CauseEntry {
  std::string id;  // docs/causes.md id, snake_case
  std::string title;
  std::string layer;   // a declared layer id
  std::string family;  // a declared family id: causes sharing one wire shape; "" for none
  std::vector<std::string> look_alikes;  // similar but separable causes
  std::string explanation;
  EvidenceRules evidence;
  // Every test the rules make, as (field, the test as written), sorted and
  // without repeats; filled by the loader. Two causes whose tests on a field
  // differ are told apart by that field.
  std::vector<std::pair<Field, std::string>> tests;
  std::vector<NextCheck> next_checks;
  std::vector<std::string> remediation;
  std::vector<std::string> references;
  std::string source;  // file that defined it
  int line = 0;
};

struct Layer {
  std::string id;
  std::string title;
};

struct Family {
  std::string id;
  std::string title;
  std::string explanation;
  std::vector<std::string> members;  // cause ids, catalog order (filled by the loader)
};

// What the report says when no cause is the verdict, and the checks that
// would give the engine more to go on.
struct UnknownEntry {
  std::string title;
  std::string explanation;
  std::vector<NextCheck> next_checks;
};

// Evidence of an answer the catalog's causes do not describe because
// something other than CES/CEP sent it (Web Enrollment's pages, NDES) or a
// failure outside CES's own (IIS without a .svc handler). When `when` holds
// the verdict is unknown whatever the causes score: no CES cause is named
// for another product's answer.
struct OutsideEntry {
  std::string id;
  std::string title;
  std::string explanation;
  Condition when;
  std::vector<NextCheck> next_checks;
  std::string source;
  int line = 0;
};

// What the report says when the record shows no failure (a certificate was
// issued, a policy came back): when one of `when` holds and no cause is
// named, the verdict is kSucceeded; when one of `always` holds (a
// certificate came back), it is kSucceeded whatever scored, since events of
// other requests in an exported log name causes of their own.
struct SucceededEntry {
  std::string title;
  std::string explanation;
  std::vector<Condition> when;
  std::vector<Condition> always;
};

// Immutable once loaded; copies are independent.
class Catalog {
 public:
  // The catalog compiled into the library (every diagnosis/catalog/*.yaml),
  // loaded once on first use.
  static const Catalog& builtin();
  // Every *.yaml in `dir`, in file-name order.
  static Catalog from_directory(const std::filesystem::path& dir);
  // One YAML text (one or more documents separated by ---), named
  // `source_name` in errors.
  static Catalog from_yaml(std::string_view text, std::string_view source_name);
  // Several texts, each {source name, text}, validated as one catalog.
  static Catalog from_texts(const std::vector<std::pair<std::string, std::string>>& texts);

  // In catalog order: file-name order, then document order.
  const std::vector<CauseEntry>& causes() const { return causes_; }
  const CauseEntry* find(std::string_view id) const;
  // Position of a cause in causes(); the engine's tie-break.
  std::size_t index_of(std::string_view id) const;
  const std::vector<Layer>& layers() const { return layers_; }
  const Layer* find_layer(std::string_view id) const;
  const std::vector<Family>& families() const { return families_; }
  const Family* find_family(std::string_view id) const;
  const UnknownEntry& unknown() const { return unknown_; }
  const std::vector<OutsideEntry>& outside() const { return outside_; }
  const SucceededEntry& succeeded() const { return succeeded_; }

 private:
  friend class CatalogBuilder;
  std::vector<CauseEntry> causes_;
  std::vector<Layer> layers_;
  std::vector<Family> families_;
  UnknownEntry unknown_;
  std::vector<OutsideEntry> outside_;
  SucceededEntry succeeded_;
};

}  // namespace ceslab::diagnosis
