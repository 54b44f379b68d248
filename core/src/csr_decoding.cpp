// SPDX-License-Identifier: GPL-2.0-or-later
// decode_csr: one DER PKCS#10 (RFC 2986) as an X509_REQ, without OpenSSL
// 3.0's provider key decoders when that changes nothing (issue 17).
//
// d2i_X509_REQ decodes the request's SubjectPublicKeyInfo through
// OSSL_DECODER_CTX_new_for_pkey, which walks every key manager and decoder
// under read locks on each call (OpenSSL 3.1 caches it: openssl/openssl#21426,
// docs/performance.md). In the mock's issuance profile that set-up was 9% of
// the CPU per request. An RSA request is read here through a mirror of the
// PKCS#10 structure whose key stays bits, the key is read with the RSA
// method (d2i_PublicKey, a legacy key: no decoders), and the X509_REQ is
// rebuilt from the parts. It is used only when it encodes to exactly the
// bytes received, so its signature is checked over the same
// CertificationRequestInfo and every reader sees the same request; anything
// else (other key types, BER, a missing attributes field) is decoded by
// d2i_X509_REQ as before.
#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <cstring>

#include "ceslab/core/decoded_request.hpp"
#include "der.hpp"
#include "public_key_info.hpp"

namespace ceslab::core::csr_mirror {

// SubjectPublicKeyInfo with the key left as bits.
struct SPKI_BITS {
  X509_ALGOR* algorithm;
  ASN1_BIT_STRING* subject_public_key;
};
ASN1_SEQUENCE(SPKI_BITS) =
    {
        ASN1_SIMPLE(SPKI_BITS, algorithm, X509_ALGOR),
        ASN1_SIMPLE(SPKI_BITS, subject_public_key, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(SPKI_BITS)

    // CertificationRequestInfo; attributes as in OpenSSL's own template
    // (optional there "to get round invalid encodings").
    struct REQ_INFO_BITS {
  ASN1_INTEGER* version;
  X509_NAME* subject;
  SPKI_BITS* subject_pk_info;
  STACK_OF(X509_ATTRIBUTE) * attributes;
};
ASN1_SEQUENCE(REQ_INFO_BITS) =
    {
        ASN1_SIMPLE(REQ_INFO_BITS, version, ASN1_INTEGER),
        ASN1_SIMPLE(REQ_INFO_BITS, subject, X509_NAME),
        ASN1_SIMPLE(REQ_INFO_BITS, subject_pk_info, SPKI_BITS),
        ASN1_IMP_SET_OF_OPT(REQ_INFO_BITS, attributes, X509_ATTRIBUTE, 0),
} ASN1_SEQUENCE_END(REQ_INFO_BITS)

    // CertificationRequest
    struct REQ_BITS {
  REQ_INFO_BITS* info;
  X509_ALGOR* signature_algorithm;
  ASN1_BIT_STRING* signature;
};
ASN1_SEQUENCE(REQ_BITS) = {
    ASN1_SIMPLE(REQ_BITS, info, REQ_INFO_BITS),
    ASN1_SIMPLE(REQ_BITS, signature_algorithm, X509_ALGOR),
    ASN1_SIMPLE(REQ_BITS, signature, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(REQ_BITS)

}  // namespace ceslab::core::csr_mirror

namespace ceslab::core {

namespace {

namespace mirror = csr_mirror;

struct ReqBitsFree {
  void operator()(mirror::REQ_BITS* r) const noexcept {
    ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(r), ASN1_ITEM_rptr(mirror::REQ_BITS));
  }
};
using ReqBitsPtr = std::unique_ptr<mirror::REQ_BITS, ReqBitsFree>;

// The request rebuilt from its mirror around a legacy RSA key, or null when
// it cannot be or would not encode to `der` byte for byte.
X509ReqPtr rebuilt_rsa_request(const Bytes& der) {
  const unsigned char* p = der.data();
  ReqBitsPtr bits(reinterpret_cast<mirror::REQ_BITS*>(
      ASN1_item_d2i(nullptr, &p, static_cast<long>(der.size()), ASN1_ITEM_rptr(mirror::REQ_BITS))));
  if (!bits || p != der.data() + der.size() || bits->info->attributes == nullptr) return nullptr;
  const mirror::SPKI_BITS& spki = *bits->info->subject_pk_info;
  const EvpPkeyPtr key =
      legacy_rsa_key(spki.algorithm->algorithm, ASN1_STRING_get0_data(spki.subject_public_key),
                     ASN1_STRING_length(spki.subject_public_key));
  if (!key) return nullptr;

  X509ReqPtr req(X509_REQ_new());
  const long version = ASN1_INTEGER_get(bits->info->version);
  if (!req || version < 0 || X509_REQ_set_version(req.get(), version) != 1 ||
      X509_REQ_set_subject_name(req.get(), bits->info->subject) != 1 ||
      X509_REQ_set_pubkey(req.get(), key.get()) != 1 ||
      X509_REQ_set1_signature_algo(req.get(), bits->signature_algorithm) != 1)
    return nullptr;
  for (int i = 0; i < sk_X509_ATTRIBUTE_num(bits->info->attributes); ++i) {
    if (X509_REQ_add1_attr(req.get(), sk_X509_ATTRIBUTE_value(bits->info->attributes, i)) != 1)
      return nullptr;
  }
  X509_REQ_set0_signature(req.get(), bits->signature);
  bits->signature = nullptr;  // now the request's

  unsigned char* out = nullptr;
  const int len = i2d_X509_REQ(req.get(), &out);
  const bool same = len > 0 && static_cast<std::size_t>(len) == der.size() &&
                    std::memcmp(out, der.data(), der.size()) == 0;
  OPENSSL_free(out);
  return same ? std::move(req) : nullptr;
}

}  // namespace

X509ReqPtr decode_csr(const Bytes& der) {
  if (!der.empty()) {
    ERR_set_mark();
    X509ReqPtr rebuilt = rebuilt_rsa_request(der);
    ERR_pop_to_mark();
    if (rebuilt) return rebuilt;
  }
  return decode_der_exactly<X509ReqPtr>(d2i_X509_REQ, der, "parse PKCS#10 request", "request");
}

}  // namespace ceslab::core
