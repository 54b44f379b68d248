// SPDX-License-Identifier: GPL-2.0-or-later
// PEM files and strings for keys and certificates. Private keys are written
// as unencrypted PKCS#8 with mode 0600 from the first byte on.
//
// Errors: operating-system failures (missing, unreadable, unwritable file)
// throw std::filesystem::filesystem_error carrying the path and errno;
// content failures (not PEM, wrong block type, undecodable data, encrypted
// key) throw CryptoError whose text names the file. Both are
// std::runtime_error.
#pragma once

#include "ceslab/core/ossl.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ceslab::core {

// Creates or truncates `path` with mode 0600 and tightens an existing looser
// file to 0600 before writing (PKCS#8 "PRIVATE KEY", unencrypted).
void write_private_key_pem(const std::filesystem::path& path, EVP_PKEY* key);
// Reads the first private key in the file (PKCS#8 or traditional RSA/EC).
EvpPkeyPtr read_private_key_pem(const std::filesystem::path& path);

// Writes the certificates in order; mode 0644 (set explicitly, so the umask
// does not decide). Throws std::invalid_argument for an empty list.
void write_certificates_pem(const std::filesystem::path& path,
                            const std::vector<const X509*>& certs);
// All CERTIFICATE blocks of the file, in order (other blocks are skipped);
// error if there is none.
std::vector<X509Ptr> read_certificates_pem(const std::filesystem::path& path);

std::string certificate_to_pem(const X509* cert);
std::vector<X509Ptr> certificates_from_pem(std::string_view pem);
std::string private_key_to_pem(EVP_PKEY* key);
EvpPkeyPtr private_key_from_pem(std::string_view pem);

}  // namespace ceslab::core
