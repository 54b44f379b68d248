// SPDX-License-Identifier: GPL-2.0-or-later
// A CES fault as the client records it, for the diagnosis tests and the
// diagnosis benchmark.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "ceslab/core/codes.hpp"
#include "ceslab/core/evidence.hpp"

namespace ceslab::test_support {

// Records in `e` a fault with a CertificateEnrollmentWSDetail and the lines
// certreq prints for it (docs/protocol.md 6).
inline void record_detail_fault(core::Evidence& e, std::uint32_t code, std::string reason,
                                bool invalid_request, std::optional<std::string> request_id) {
  core::FaultEvidence f;
  f.fault.kind = core::FaultKind::enrollment_detail;
  f.fault.code = "Receiver";
  f.fault.reason = std::move(reason);
  f.fault.has_detail = true;
  f.fault.error_code = static_cast<std::int32_t>(code);
  f.fault.invalid_request = invalid_request;
  f.fault.request_id = std::move(request_id);
  e.fault = f;
  e.messages = {"A message containing a fault was received from the remote endpoint. " +
                    core::format_code(0x803d0013),
                core::format_message_line(code)};
}

}  // namespace ceslab::test_support
