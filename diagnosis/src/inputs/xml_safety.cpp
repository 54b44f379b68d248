// SPDX-License-Identifier: GPL-2.0-or-later
// XML from a customer is refused when it declares a document type: a DTD
// is the only way to declare entities, so refusing it before parsing rules
// out external entities (XXE) and entity expansion (billion laughs) whatever
// the parser would do. Windows never writes one into an event export or a
// SOAP message (SOAP 1.2 part 1, 5: a message must not contain a DTD).
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

void refuse_doctype(std::string_view name, std::string_view xml) {
  for (const std::string_view marker : {"<!DOCTYPE", "<!ENTITY"}) {
    if (contains_icase(xml, marker)) {
      throw InputError(std::string(name),
                       "carries a document type declaration (" + std::string(marker) +
                           "); refused, not resolved (external entities and entity "
                           "expansion are never processed)");
    }
  }
}

}  // namespace ceslab::diagnosis::inputs
