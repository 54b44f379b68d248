// SPDX-License-Identifier: GPL-2.0-or-later
// The names the evidence JSON gives its enums (docs/evidence.md), shared by
// to_string, the JSON writer and the JSON reader (core/enum_names.hpp reads
// them both ways; the auth names are core::cli_name). Private to core/src.
#pragma once

#include "ceslab/core/cmc.hpp"
#include "ceslab/core/enum_names.hpp"
#include "ceslab/core/evidence.hpp"

namespace ceslab::core::evidence_names {

inline constexpr EnumNames<Operation, 5> kOperations{{{Operation::enroll, "enroll"},
                                                      {Operation::renew, "renew"},
                                                      {Operation::retrieve, "retrieve"},
                                                      {Operation::policy, "policy"},
                                                      {Operation::unknown, "unknown"}}};
inline constexpr EnumNames<Outcome, 4> kOutcomes{{{Outcome::issued, "issued"},
                                                  {Outcome::pending, "pending"},
                                                  {Outcome::failed, "failed"},
                                                  {Outcome::answered, "answered"}}};
inline constexpr EnumNames<FaultKind, 4> kFaultKinds{
    {{FaultKind::enrollment_detail, "enrollment_detail"},
     {FaultKind::wcf_dispatcher, "wcf_dispatcher"},
     {FaultKind::ws_addressing, "ws_addressing"},
     {FaultKind::other, "other"}}};
// RFC 5272 section 6.1.4 CMCStatus, in snake case.
inline constexpr EnumNames<CmcStatus, 7> kCmcStatuses{
    {{CmcStatus::success, "success"},
     {CmcStatus::failed, "failed"},
     {CmcStatus::pending, "pending"},
     {CmcStatus::no_support, "no_support"},
     {CmcStatus::confirm_required, "confirm_required"},
     {CmcStatus::pop_required, "pop_required"},
     {CmcStatus::partial, "partial"}}};

}  // namespace ceslab::core::evidence_names
