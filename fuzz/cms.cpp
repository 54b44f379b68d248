// SPDX-License-Identifier: GPL-2.0-or-later
// A submitted request's outer form (core::sniff_request) and a CMS
// SignedData's content and signer (core::cms_unwrap), as the mock reads a
// PKCS#7 renewal or a CMC request.
#include "ceslab/core/cms.hpp"
#include "bytes.hpp"
#include "targets.hpp"

namespace ceslab::fuzz {

int cms(const std::uint8_t* data, std::size_t size) {
  const core::Bytes der = as_bytes(data, size);
  try {
    (void)core::sniff_request(der);
    const core::SignedContent content = core::cms_unwrap(der);
    (void)content;
  } catch (const core::CryptoError&) {
  }
  return 0;
}

}  // namespace ceslab::fuzz
