// SPDX-License-Identifier: GPL-2.0-or-later
// Why an incoming message was refused: the error of the message model,
// thrown by the wire codec (ceslab/wsdl/codec.hpp) and by base64 decoding
// (ceslab/core/base64.hpp).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace ceslab::core {

// The mock maps each kind to the fault a Windows CES would send; the client
// reports it as evidence.
enum class MessageErrorKind {
  empty,            // no bytes
  too_large,        // over CodecLimits::max_bytes (checked before parsing)
  doctype_refused,  // DTDs / entities are refused, never resolved (XXE, billion laughs)
  malformed_xml,    // not well-formed, or not a SOAP envelope
  not_soap12,       // a SOAP 1.1 envelope: CES/CEP speak SOAP 1.2 only
  unknown_body,     // a body element this contract does not define
  empty_body,       // a SOAP Body with no element in it
  missing_action,   // no wsa:Action header
  action_mismatch,  // the action does not belong to the body element
  invalid_base64,   // a base64 field that does not decode
  must_understand,  // a header block marked mustUnderstand that this contract does not know
  quota_exceeded,   // over a reader quota of CodecLimits (nesting depth), as WCF's XmlReader counts
};

// Where in the message a reader error was met. WCF's text encoder reads the
// envelope and its headers when the message arrives and the body only when the
// operation reads its request, and it answers the two differently
// (docs/wire-acceptance.md, "XML").
enum class MessagePart {
  unknown,
  headers,  // the envelope, the header blocks or the Body's own start tag
  body,     // inside the SOAP Body
};

std::string_view to_string(MessageErrorKind kind);

class MessageError : public std::runtime_error {
 public:
  MessageError(MessageErrorKind kind, const std::string& detail, std::string action = {});
  MessageErrorKind kind() const { return kind_; }
  // The wsa:Action that came with the message, if one was read (reported
  // with missing_action, action_mismatch, unknown_body and empty_body).
  const std::string& action() const { return action_; }
  // must_understand: the header block not understood, as namespace and local name.
  const std::string& header_namespace() const { return header_namespace_; }
  const std::string& header_name() const { return header_name_; }
  // The request's wsa:MessageID, when the header was read before the error:
  // WCF relates its fault to the request even when it cannot dispatch it.
  const std::optional<std::string>& message_id() const { return message_id_; }
  MessageError& with_message_id(std::optional<std::string> id) {
    message_id_ = std::move(id);
    return *this;
  }
  MessagePart part() const { return part_; }
  MessageError& with_part(MessagePart part) {
    part_ = part;
    return *this;
  }
  MessageError& with_header(std::string ns, std::string name) {
    header_namespace_ = std::move(ns);
    header_name_ = std::move(name);
    return *this;
  }

 private:
  MessageErrorKind kind_;
  std::string action_;
  std::string header_namespace_;
  std::string header_name_;
  std::optional<std::string> message_id_;
  MessagePart part_ = MessagePart::unknown;
};

}  // namespace ceslab::core
