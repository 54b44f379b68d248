// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/ossl.hpp"

#include "der.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <cctype>

namespace ceslab::core {

std::string drain_openssl_errors() {
  std::string text;
  unsigned long code = 0;
  const char* file = nullptr;
  const char* func = nullptr;
  const char* data = nullptr;
  int line = 0;
  int flags = 0;
  while ((code = ERR_get_error_all(&file, &line, &func, &data, &flags)) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
      text += " (";
      text += data;
      text += ")";
    }
  }
  return text;
}

Bytes take_der(unsigned char* der, int len, const std::string& what) {
  if (len <= 0 || der == nullptr) throw CryptoError("encode " + what);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

CryptoError::CryptoError(const std::string& operation)
    : std::runtime_error([&] {
        std::string queue = drain_openssl_errors();
        return queue.empty() ? operation + " failed" : operation + " failed: " + queue;
      }()) {}

CryptoError::CryptoError(const std::string& operation, const std::string& detail)
    : std::runtime_error(operation + " failed: " + detail) {
  ERR_clear_error();
}

std::string oid_for_message(const ASN1_OBJECT* oid) {
  if (oid == nullptr) return "(none)";
  const int n = OBJ_obj2txt(nullptr, 0, oid, 1);
  if (n <= 0) return "(unprintable OID)";
  std::string text(static_cast<std::size_t>(n) + 1, '\0');
  OBJ_obj2txt(text.data(), n + 1, oid, 1);
  text.resize(static_cast<std::size_t>(n));
  return text;
}

std::string hex_lower(const unsigned char* data, std::size_t length) {
  if (length == 0) return "";
  std::string out(length * 2 + 1, '\0');
  std::size_t written = 0;
  if (OPENSSL_buf2hexstr_ex(out.data(), out.size(), &written, data, length, '\0') != 1) {
    throw CryptoError("hex encoding");
  }
  out.resize(written > 0 ? written - 1 : 0);  // `written` counts the terminating NUL
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

X509Ptr share(X509* cert) {
  if (cert != nullptr) X509_up_ref(cert);
  return X509Ptr(cert);
}

EvpPkeyPtr share(EVP_PKEY* key) {
  if (key != nullptr) EVP_PKEY_up_ref(key);
  return EvpPkeyPtr(key);
}

}  // namespace ceslab::core
