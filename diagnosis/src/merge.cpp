// SPDX-License-Identifier: GPL-2.0-or-later
// The public face of the one merge `ceslab diagnose` uses for its inputs
// (inputs/merge.cpp), so there is a single rule for what survives.
#include "ceslab/diagnosis/merge.hpp"

#include "inputs/readers.hpp"

namespace ceslab::diagnosis {

void merge_into(core::Evidence& into, const core::Evidence& from) {
  inputs::Facts notes;  // what was not taken; merge_into's callers do not report it
  inputs::merge(from, into, notes);
}

}  // namespace ceslab::diagnosis
