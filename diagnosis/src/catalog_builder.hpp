// SPDX-License-Identifier: GPL-2.0-or-later
// Inside the catalog loader: reads catalog documents one text at a time,
// then checks what only the whole catalog can tell (references between
// entries, families with one member).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ceslab/core/yaml_reader.hpp"
#include "ceslab/diagnosis/catalog.hpp"

namespace ceslab::diagnosis {

class CatalogBuilder {
 public:
  // Every YAML document of `text`; throws CatalogError naming `source`.
  void add_text(const std::string& source, const std::string& text);
  // The validated catalog; throws CatalogError for dangling references.
  Catalog finish();

  struct Where {
    std::string source;
    int line = 0;
  };
  struct Reference {
    std::string id;
    Where where;
  };

 private:
  void add_document(const core::YamlReader& r, const YAML::Node& root);
  // A declarations document, one key at a time.
  void add_layers(const core::YamlReader& r, const YAML::Node& layers);
  void add_families(const core::YamlReader& r, const YAML::Node& families);
  void add_unknown(const core::YamlReader& r, const YAML::Node& unknown);
  void add_outside(const core::YamlReader& r, const YAML::Node& outside);
  void add_succeeded(const core::YamlReader& r, const YAML::Node& succeeded);
  void add_cause(const core::YamlReader& r, const YAML::Node& root);

  Catalog catalog_;
  std::map<std::string, Where, std::less<>> causes_at_, layers_at_, families_at_;
  std::optional<Where> unknown_at_;
  // Checked in finish(), once every document is read.
  std::vector<std::pair<std::size_t, Reference>> layer_refs_, family_refs_, look_alike_refs_,
      separates_refs_;
};

}  // namespace ceslab::diagnosis
