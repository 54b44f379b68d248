// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/message_error.hpp"

namespace ceslab::core {

std::string_view to_string(MessageErrorKind kind) {
  switch (kind) {
    case MessageErrorKind::empty:
      return "empty";
    case MessageErrorKind::too_large:
      return "too_large";
    case MessageErrorKind::doctype_refused:
      return "doctype_refused";
    case MessageErrorKind::malformed_xml:
      return "malformed_xml";
    case MessageErrorKind::not_soap12:
      return "not_soap12";
    case MessageErrorKind::unknown_body:
      return "unknown_body";
    case MessageErrorKind::empty_body:
      return "empty_body";
    case MessageErrorKind::missing_action:
      return "missing_action";
    case MessageErrorKind::action_mismatch:
      return "action_mismatch";
    case MessageErrorKind::invalid_base64:
      return "invalid_base64";
    case MessageErrorKind::must_understand:
      return "must_understand";
    case MessageErrorKind::quota_exceeded:
      return "quota_exceeded";
  }
  return "unknown";
}

MessageError::MessageError(MessageErrorKind kind, const std::string& detail, std::string action)
    : std::runtime_error(std::string(to_string(kind)) + ": " + detail),
      kind_(kind),
      action_(std::move(action)) {}

}  // namespace ceslab::core
