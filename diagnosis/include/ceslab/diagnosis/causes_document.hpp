// SPDX-License-Identifier: GPL-2.0-or-later
// docs/causes.md, written from the catalog: the causes behind
// WS_E_ENDPOINT_FAULT_RECEIVED by layer, each with what it looks like, what
// tells it apart, the fix and its sources. The catalog is the one source;
// a test keeps the document current.
#pragma once

#include <string>

#include "ceslab/diagnosis/catalog.hpp"

namespace ceslab::diagnosis {

// The whole document, Markdown, ending with a newline.
std::string causes_markdown(const Catalog& catalog);

}  // namespace ceslab::diagnosis
