// SPDX-License-Identifier: GPL-2.0-or-later
// An owned krb5_context for the krb5 library calls GSS-API does not cover
// (ccaches, the AS exchange, ticket flags). Its errors become GssError with
// the krb5_error_code as minor status and the library's own message.
#pragma once

#include <krb5/krb5.h>

#include <string>
#include <string_view>

#include "ceslab/core/gss.hpp"

namespace ceslab::core {

class Krb5Context {
 public:
  // Throws GssError when the configuration (krb5.conf) cannot be read.
  Krb5Context() {
    if (const krb5_error_code rc = krb5_init_context(&context))
      throw GssError("krb5_init_context", GSS_S_FAILURE, static_cast<OM_uint32>(rc),
                     "cannot initialise Kerberos (krb5.conf?)");
  }
  ~Krb5Context() { krb5_free_context(context); }
  Krb5Context(const Krb5Context&) = delete;
  Krb5Context& operator=(const Krb5Context&) = delete;

  // The library's text for `rc`, with what this context knows about it.
  std::string message(krb5_error_code rc) const {
    const char* text = krb5_get_error_message(context, rc);
    std::string out = text != nullptr ? text : "unknown krb5 error";
    krb5_free_error_message(context, text);
    return out;
  }

  [[noreturn]] void fail(std::string_view call, krb5_error_code rc) const {
    throw GssError(call, GSS_S_FAILURE, static_cast<OM_uint32>(rc), message(rc));
  }

  krb5_context context = nullptr;
};

}  // namespace ceslab::core
