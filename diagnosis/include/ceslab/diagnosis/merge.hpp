// SPDX-License-Identifier: GPL-2.0-or-later
// Several artefacts of one failure make one Evidence record (`ceslab
// diagnose` given a client error and the CES host's event export).
#pragma once

#include "ceslab/core/evidence.hpp"

namespace ceslab::diagnosis {

// Adds what `from` shows to `into`, as `ceslab diagnose` merges its inputs
// (docs/diagnose-inputs.md, "Several files, one record"): messages (without
// repeats) and server events are appended; every part or value `into` does
// not have yet (transport, TLS, HTTP, fault, RSTR, policy, earlier
// exchanges, each Kerberos fact, a known operation/auth, the endpoint,
// timings) is taken from `from`. What `into` already has wins, so the first
// artefact given is the main one.
void merge_into(core::Evidence& into, const core::Evidence& from);

}  // namespace ceslab::diagnosis
