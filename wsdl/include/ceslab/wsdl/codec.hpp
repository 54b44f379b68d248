// SPDX-License-Identifier: GPL-2.0-or-later
// The wire codec: SOAP 1.2 envelopes <-> the message model. This is the only
// door to the gSOAP binding; callers never see a gSOAP type.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ceslab/core/message_error.hpp"
#include "ceslab/core/messages.hpp"

namespace ceslab::wsdl {

// The codec throws the message model's error (ceslab/core/message_error.hpp).
using core::MessageError;
using core::MessageErrorKind;
using core::MessagePart;
using core::to_string;

struct CodecLimits {
  std::size_t max_bytes = 1024 * 1024;
  // Elements nested deeper than this are refused (quota_exceeded), counted
  // as WCF's XmlDictionaryReaderQuotas.MaxDepth counts (the root is 1);
  // 0: no limit.
  std::size_t max_depth = 0;
};

// Serialises a whole envelope. Base64 payloads are wrapped at 64 columns with
// CRLF as AD CS writes them; nil elements are written as xsi:nil="true".
std::string write_message(const core::SoapMessage& message);

// Parses an envelope. Lenient where real servers differ (prefixes, white
// space, child order, optional and nil elements, unknown children) and strict
// where it matters (well-formed XML 1.0, SOAP 1.2 and contract namespaces,
// actions that match the body). UTF-8, or UTF-16 with its byte order mark
// (WCF's text encoder takes both). Throws MessageError.
core::SoapMessage read_message(std::string_view xml, const CodecLimits& limits = {});

// A prefix-independent rendering of an XML document for comparisons (golden
// files): one line per element, `{namespace}local` with its attributes sorted
// (namespace declarations left out, xsi:nil kept) and its text. QName values
// of SOAP fault codes are reduced to their local part. Throws MessageError.
std::string structural_xml(std::string_view xml);

}  // namespace ceslab::wsdl
