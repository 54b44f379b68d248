// SPDX-License-Identifier: GPL-2.0-or-later
// A test double of IIS's Negotiate for the mock's pipeline tests that run
// without a KDC (the real thing: docs/kerberos.md, tests/client/kerberos_test.cpp):
// the request names the account Kerberos would have authenticated in a
// header, and the tls-server-end-point channel binding (RFC 5929) the client
// computed in another, where real Negotiate carries them in the ticket and
// the GSS checksum. Plugged in through MockOptions::kerberos_acceptor; the
// product has no such headers.
#pragma once

#include <string>

#include "ceslab/core/text.hpp"
#include "ceslab/mock/server.hpp"

namespace ceslab::mock::testing {

inline constexpr const char* kFakeKerberosUserHeader = "X-Test-Kerberos-User";
inline constexpr const char* kFakeChannelBindingHeader = "X-Test-Channel-Binding";

// Lower-case hex, as the binding header carries it.
inline std::string binding_hex(const core::Bytes& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

inline const Account* fake_negotiate(const core::HttpRequest& request,
                                     const core::ConnectionInfo& connection, const World& world) {
  const auto user = request.header(kFakeKerberosUserHeader);
  if (!user) return nullptr;
  const Account* account = world.find_account(*user);
  // No ticket history here: an expired password means no TGT, as at the KDC.
  if (account == nullptr || account->password_expired) return nullptr;
  // Extended Protection: the authentication must be bound to this TLS
  // channel, else IIS answers 401 (RFC 5929; docs/world.md, `ces.channel_binding`).
  if (world.ces.channel_binding_required) {
    const auto binding = request.header(kFakeChannelBindingHeader);
    if (!binding || !core::iequals(*binding, binding_hex(connection.tls_server_end_point))) {
      return nullptr;
    }
  }
  return account;
}

}  // namespace ceslab::mock::testing
