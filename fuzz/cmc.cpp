// SPDX-License-Identifier: GPL-2.0-or-later
// CMC Full PKI Request (what the mock's CA reads) and Full PKI Response
// (what the client reads), core/cmc.hpp.
#include "ceslab/core/cmc.hpp"
#include "bytes.hpp"
#include "targets.hpp"

namespace ceslab::fuzz {

int cmc(const std::uint8_t* data, std::size_t size) {
  const core::Bytes der = as_bytes(data, size);
  try {
    const core::CmcRequest request = core::parse_cmc_request(der);
    (void)request;
  } catch (const core::CryptoError&) {
  }
  try {
    const core::CmcResponse response = core::parse_cmc_response(der);
    (void)response;
  } catch (const core::CryptoError&) {
  }
  return 0;
}

}  // namespace ceslab::fuzz
