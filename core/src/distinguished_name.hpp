// SPDX-License-Identifier: GPL-2.0-or-later
// parse_distinguished_name's work on a name someone else owns: the CA adds
// the subject straight into the certificate's own X509_NAME, because
// X509_set_subject_name would copy a separate one through DER (issue 17).
// Private to core/src (csr.cpp, ca.cpp).
#pragma once

#include <openssl/x509.h>

#include <string_view>

namespace ceslab::core {

// Appends the RDNs of `text` (parse_distinguished_name's syntax) to `name`.
// Throws std::invalid_argument as parse_distinguished_name does.
void add_distinguished_name(X509_NAME* name, std::string_view text);

}  // namespace ceslab::core
