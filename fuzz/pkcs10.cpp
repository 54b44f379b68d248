// SPDX-License-Identifier: GPL-2.0-or-later
// A PKCS#10 as the mock's CA reads one (core::parse_csr).
#include "bytes.hpp"
#include "ceslab/core/csr.hpp"
#include "targets.hpp"

namespace ceslab::fuzz {

int pkcs10(const std::uint8_t* data, std::size_t size) {
  try {
    const core::CsrInfo info = core::parse_csr(as_bytes(data, size));
    (void)info;
  } catch (const core::CryptoError&) {
  }
  return 0;
}

}  // namespace ceslab::fuzz
