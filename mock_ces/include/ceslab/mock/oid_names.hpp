// SPDX-License-Identifier: GPL-2.0-or-later
// The friendly names the mock's CEP gives OIDs (MS-XCEP 3.1.4.1.3.16
// <defaultName>), read from mock_ces/data/oid_names.yaml (compiled in).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ceslab/core/data_file_error.hpp"

namespace ceslab::mock {

// An OID name file was not accepted; what() reads "<source>:<line>: <problem>".
using OidNamesError = core::DataFileError;

// Immutable after construction; the only shared instance is builtin().
class OidNames {
 public:
  // Parses and validates a name file (schema: the comment at the top of
  // oid_names.yaml): every entry has exactly oid, name and source, the OID is
  // dotted decimal and listed once, name and source are not empty. Throws
  // OidNamesError.
  static OidNames from_yaml(std::string_view text, std::string_view source_name);

  // The file compiled into the library, parsed once on first use.
  static const OidNames& builtin();

  std::optional<std::string> find(std::string_view oid) const;
  std::size_t size() const { return names_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> names_;
};

}  // namespace ceslab::mock
