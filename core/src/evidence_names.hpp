// SPDX-License-Identifier: GPL-2.0-or-later
// The names the evidence JSON gives its enums (docs/evidence.md), shared by
// to_string, the JSON writer and the JSON reader. Private to core/src.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "ceslab/core/cmc.hpp"
#include "ceslab/core/evidence.hpp"

namespace ceslab::core::evidence_names {

template <typename Enum, std::size_t N>
using Names = std::array<std::pair<Enum, std::string_view>, N>;

inline constexpr Names<Operation, 5> kOperations{{{Operation::enroll, "enroll"},
                                                  {Operation::renew, "renew"},
                                                  {Operation::retrieve, "retrieve"},
                                                  {Operation::policy, "policy"},
                                                  {Operation::unknown, "unknown"}}};
// The names of the CLI's --auth option.
inline constexpr Names<AuthMethod, 5> kAuthMethods{{{AuthMethod::anonymous, "anonymous"},
                                                    {AuthMethod::kerberos, "kerberos"},
                                                    {AuthMethod::username, "username"},
                                                    {AuthMethod::certificate, "cert"},
                                                    {AuthMethod::unknown, "unknown"}}};
inline constexpr Names<Outcome, 4> kOutcomes{{{Outcome::issued, "issued"},
                                              {Outcome::pending, "pending"},
                                              {Outcome::failed, "failed"},
                                              {Outcome::answered, "answered"}}};
inline constexpr Names<FaultKind, 4> kFaultKinds{
    {{FaultKind::enrollment_detail, "enrollment_detail"},
     {FaultKind::wcf_dispatcher, "wcf_dispatcher"},
     {FaultKind::ws_addressing, "ws_addressing"},
     {FaultKind::other, "other"}}};
// RFC 5272 section 6.1.4 CMCStatus, in snake case.
inline constexpr Names<CmcStatus, 7> kCmcStatuses{
    {{CmcStatus::success, "success"},
     {CmcStatus::failed, "failed"},
     {CmcStatus::pending, "pending"},
     {CmcStatus::no_support, "no_support"},
     {CmcStatus::confirm_required, "confirm_required"},
     {CmcStatus::pop_required, "pop_required"},
     {CmcStatus::partial, "partial"}}};

template <typename Enum, std::size_t N>
std::string_view name_of(const Names<Enum, N>& names, Enum value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const Names<Enum, N>& names, std::string_view name) {
  for (const auto& [v, n] : names) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace ceslab::core::evidence_names
