// SPDX-License-Identifier: GPL-2.0-or-later
// The requests a UsernamePassword client sends, built as message-model values
// for the tests and benchmarks that send or encode them: an Issue
// (MS-WSTEP 4.1.1.1) and the WS-Security header that goes with it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "ceslab/core/messages.hpp"

namespace ceslab::test_support {

// A wsu:Timestamp valid for five minutes from now and `user`'s UsernameToken.
inline core::SecurityHeader username_security(core::UsernameToken user) {
  core::SecurityHeader sec;
  sec.created = std::chrono::system_clock::now();
  sec.expires = *sec.created + std::chrono::minutes(5);
  sec.username_token = std::move(user);
  return sec;
}

// An Issue to `to` carrying `request` (DER, sent as base64 with `value_type`)
// for `template_name`; without a Security header, which the caller adds.
inline core::SoapMessage issue_request(std::string to, std::string message_id,
                                       core::ByteString request, std::string template_name,
                                       std::string_view value_type = core::uri::kValueTypePkcs7) {
  core::SoapMessage m;
  m.addressing.action = std::string(core::uri::kActionRstWstep);
  m.addressing.message_id = std::move(message_id);
  m.addressing.to = std::move(to);
  core::RequestSecurityToken rst;
  rst.token = core::BinaryToken{std::string(value_type), std::string(core::uri::kEncodingBase64),
                                std::move(request)};
  rst.context.push_back({"CertificateTemplate", std::move(template_name)});
  m.body = rst;
  return m;
}

}  // namespace ceslab::test_support
