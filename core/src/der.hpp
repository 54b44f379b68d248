// SPDX-License-Identifier: GPL-2.0-or-later
// DER in and out of OpenSSL's i2d_* / d2i_* functions, for the helpers in
// core/src (keys, X.509, PKCS#10). Private to core/src.
#pragma once

#include <string>

#include "ceslab/core/ossl.hpp"

namespace ceslab::core {

// The DER an i2d_* function wrote (`len` bytes at `der`, len <= 0 on
// failure), copied out and freed. Throws CryptoError("encode <what>").
Bytes take_der(unsigned char* der, int len, const std::string& what);

// `der` decoded by a d2i_* function, exactly: empty input and bytes after
// the object ("... trailing bytes after the <what>") are errors too.
template <typename Ptr, typename T>
Ptr decode_der_exactly(T* (*d2i)(T**, const unsigned char**, long), const Bytes& der,
                       const char* op, const char* what) {
  if (der.empty()) throw CryptoError(op, "empty input");
  const unsigned char* p = der.data();
  Ptr object(d2i(nullptr, &p, static_cast<long>(der.size())));
  if (!object) throw CryptoError(op);
  if (p != der.data() + der.size()) {
    throw CryptoError(
        op, std::to_string(der.data() + der.size() - p) + " trailing bytes after the " + what);
  }
  return object;
}

}  // namespace ceslab::core
