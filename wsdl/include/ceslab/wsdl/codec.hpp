// SPDX-License-Identifier: GPL-2.0-or-later
// The wire codec: SOAP 1.2 envelopes <-> the message model. This is the only
// door to the gSOAP binding; callers never see a gSOAP type.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ceslab/core/messages.hpp"

namespace ceslab::wsdl {

// Why an incoming message was refused. The mock maps each kind to the fault a
// Windows CES would send; the client reports it as evidence.
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
};

struct CodecLimits {
  std::size_t max_bytes = 1024 * 1024;
};

// Serialises a whole envelope. Base64 payloads are wrapped at 64 columns with
// CRLF as AD CS writes them; nil elements are written as xsi:nil="true".
std::string write_message(const core::SoapMessage& message);

// Parses an envelope. Lenient where real servers differ (prefixes, white
// space, child order, optional and nil elements, unknown children) and strict
// where it matters (SOAP 1.2 and contract namespaces, actions that match the
// body). Throws MessageError.
core::SoapMessage read_message(std::string_view xml, const CodecLimits& limits = {});

// A prefix-independent rendering of an XML document for comparisons (golden
// files): one line per element, `{namespace}local` with its attributes sorted
// (namespace declarations left out, xsi:nil kept) and its text. QName values
// of SOAP fault codes are reduced to their local part. Throws MessageError.
std::string structural_xml(std::string_view xml);

// Base64 as AD CS writes it: 64 columns, CRLF line ends, no trailing newline.
std::string encode_base64_wrapped(const core::ByteString& data);
// Decodes base64 ignoring white space (CR, LF, space, tab). Throws
// MessageError(invalid_base64) on anything else.
core::ByteString decode_base64(std::string_view text);

}  // namespace ceslab::wsdl
