// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/cms.hpp"

#include "ceslab/core/decoded_request.hpp"
#include "cms_key_holder.hpp"
#include "public_key_info.hpp"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <array>

namespace ceslab::core {

namespace cms_detail {

struct CertStackFree {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_pop_free(s, X509_free); }
};
using CertStackPtr = std::unique_ptr<STACK_OF(X509), CertStackFree>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, detail::Deleter<ASN1_OBJECT, ASN1_OBJECT_free>>;

// Decodes a whole DER ContentInfo; nullptr if it is not one (OpenSSL queue left clean).
CmsPtr try_decode_content_info(const Bytes& der) {
  if (der.empty()) return nullptr;
  ERR_set_mark();
  const unsigned char* p = der.data();
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  ERR_pop_to_mark();
  if (cms && p != der.data() + der.size()) return nullptr;  // trailing bytes
  return cms;
}

// Checks the SignerInfo against the public key in `key_holder`: the signature over
// the signed attributes (when present) and the content digest. This is what
// CMS_verify does per signer, minus the chain check and the need for a full cert.
bool verify_signer(CMS_ContentInfo* cms, CMS_SignerInfo* si, X509* key_holder, std::string& error) {
  CMS_SignerInfo_set1_signer_cert(si, key_holder);
  ERR_clear_error();
  if (CMS_signed_get_attr_count(si) >= 0 && CMS_SignerInfo_verify(si) <= 0) {
    const std::string queue = drain_openssl_errors();
    error = "signature over the signed attributes does not verify" +
            (queue.empty() ? std::string() : ": " + queue);
    return false;
  }
  BioPtr chain(CMS_dataInit(cms, nullptr));
  if (!chain) {
    error = "cannot read the encapsulated content: " + drain_openssl_errors();
    return false;
  }
  // Reading the content through the chain feeds the digest BIOs.
  std::array<unsigned char, 4096> sink{};
  while (BIO_read(chain.get(), sink.data(), static_cast<int>(sink.size())) > 0) {
  }
  if (CMS_SignerInfo_verify_content(si, chain.get()) <= 0) {
    const std::string queue = drain_openssl_errors();
    error = "content digest or signature does not verify" +
            (queue.empty() ? std::string() : ": " + queue);
    return false;
  }
  return true;
}

}  // namespace cms_detail

namespace cd = cms_detail;

RequestFormat sniff_request(const Bytes& der) {
  return sniff_and_keep_request(der).format;
}

namespace {

// Whether the first element inside `der`'s outer SEQUENCE is an OBJECT
// IDENTIFIER, as a ContentInfo's contentType is; a PKCS#10 cannot start so
// (its first element is the CertificationRequestInfo SEQUENCE). Read with
// OpenSSL's DER header reader; false whenever it cannot tell.
bool starts_like_content_info(const Bytes& der) {
  ERR_set_mark();
  const unsigned char* p = der.data();
  long length = 0;
  int tag = 0;
  int xclass = 0;
  bool content_info = false;
  const int outer = ASN1_get_object(&p, &length, &tag, &xclass, static_cast<long>(der.size()));
  if ((outer & 0x80) == 0 && (outer & V_ASN1_CONSTRUCTED) != 0 && tag == V_ASN1_SEQUENCE &&
      xclass == V_ASN1_UNIVERSAL) {
    const long rest = static_cast<long>(der.data() + der.size() - p);
    const int inner = ASN1_get_object(&p, &length, &tag, &xclass, rest);
    content_info = (inner & 0x80) == 0 && tag == V_ASN1_OBJECT && xclass == V_ASN1_UNIVERSAL;
  }
  ERR_pop_to_mark();
  return content_info;
}

}  // namespace

SniffedRequest sniff_and_keep_request(const Bytes& der) {
  const std::string op = "request sniffing";
  if (der.empty()) throw CryptoError(op, "empty input");
  SniffedRequest out;

  // Read as the CA reads a PKCS#10 (decode_csr: exactly one request, without
  // OpenSSL 3.0's provider key decoders when it can); only when that fails is
  // d2i_X509_REQ asked, to tell a PKCS#10 with trailing bytes from the rest.
  // A ContentInfo skips both: its failed readings as a PKCS#10 cost more than
  // reading it (issue 17's profile).
  if (!starts_like_content_info(der)) {
    try {
      out.pkcs10 = decode_csr(der);
      out.format = RequestFormat::pkcs10;
      return out;
    } catch (const CryptoError&) {
      ERR_set_mark();
      const unsigned char* p = der.data();
      X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
      ERR_pop_to_mark();
      if (req)
        throw CryptoError(op, "PKCS#10 followed by " + std::to_string(der.data() + der.size() - p) +
                                  " trailing bytes");
    }
  }

  out.cms = cd::try_decode_content_info(der);
  if (!out.cms)
    throw CryptoError(op, "input (" + std::to_string(der.size()) +
                              " bytes) is neither a DER PKCS#10 nor a DER CMS ContentInfo");
  const ASN1_OBJECT* type = CMS_get0_type(out.cms.get());
  if (OBJ_obj2nid(type) != NID_pkcs7_signed)
    throw CryptoError(op, "ContentInfo is " + oid_for_message(type) + ", not signedData");
  const std::string econtent = oid_for_message(CMS_get0_eContentType(out.cms.get()));
  if (econtent == kOidData) {
    out.format = RequestFormat::cms_pkcs10;
    return out;
  }
  if (econtent == kOidCctPkiData) {
    out.format = RequestFormat::cmc;
    return out;
  }
  throw CryptoError(
      op, "signedData with eContentType " + econtent + " (expected id-data or id-cct-PKIData)");
}

namespace cms_detail {

// Shared by both signing forms; `signer_flags` picks the SignerInfo identifier and
// whether the signer certificate is carried.
Bytes sign(const Bytes& content, std::string_view econtent_type_oid, X509* signer_cert,
           EVP_PKEY* signer_key, const std::vector<X509*>& extra_certs, unsigned int signer_flags) {
  const std::string op = "CMS signing";
  Asn1ObjectPtr type(OBJ_txt2obj(std::string(econtent_type_oid).c_str(), 1));
  if (!type) throw CryptoError(op + " (eContentType " + std::string(econtent_type_oid) + ")");

  // PARTIAL: set the eContentType and signer before the content is digested.
  // BINARY: the content is DER, no MIME canonicalisation.
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, CMS_PARTIAL | CMS_BINARY));
  if (!cms) throw CryptoError(op);
  if (CMS_set1_eContentType(cms.get(), type.get()) != 1) throw CryptoError(op + " (eContentType)");
  // NOSMIMECAP: Windows' SignerInfos carry only contentType/messageDigest (+signingTime).
  if (CMS_add1_signer(cms.get(), signer_cert, signer_key, EVP_sha256(),
                      signer_flags | CMS_BINARY | CMS_NOSMIMECAP) == nullptr)
    throw CryptoError(op + " (add signer)");
  std::vector<X509*> added;
  if ((signer_flags & CMS_NOCERTS) == 0) added.push_back(signer_cert);
  for (X509* cert : extra_certs) {
    if (cert == nullptr) continue;
    bool duplicate = false;
    for (X509* have : added) duplicate = duplicate || X509_cmp(have, cert) == 0;
    if (duplicate) continue;
    if (CMS_add1_cert(cms.get(), cert) != 1) throw CryptoError(op + " (add certificate)");
    added.push_back(cert);
  }

  // BIO_new_mem_buf rejects a null pointer, which an empty vector may hand out.
  static constexpr unsigned char kNothing = 0;
  BioPtr in(BIO_new_mem_buf(content.empty() ? &kNothing : content.data(),
                            static_cast<int>(content.size())));
  if (!in) throw CryptoError(op);
  if (CMS_final(cms.get(), in.get(), nullptr, CMS_BINARY) != 1) throw CryptoError(op + " (final)");

  unsigned char* out = nullptr;
  const int len = i2d_CMS_ContentInfo(cms.get(), &out);
  if (len <= 0) throw CryptoError(op + " (encode)");
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

// Every field i2d needs of a certificate that is never signed: the two
// signature algorithm fields, set through the getters' pointers (OpenSSL 3.0
// has no setters for them; the objects are the certificate's own, only
// returned as const). Their value does not matter: nothing verifies it.
void set_unsigned_algorithms(X509* cert, const std::string& op) {
  auto* tbs_algorithm = const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(cert));
  const X509_ALGOR* outer = nullptr;
  X509_get0_signature(nullptr, &outer, cert);
  auto* outer_algorithm = const_cast<X509_ALGOR*>(outer);
  if (X509_ALGOR_set0(tbs_algorithm, OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL,
                      nullptr) != 1 ||
      X509_ALGOR_set0(outer_algorithm, OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL,
                      nullptr) != 1)
    throw CryptoError(op);
}

// A certificate that exists only so CMS_add1_signer accepts `key` and takes
// `key_id` as the SignerInfo's subjectKeyIdentifier. CMS reads its key and
// its SKI extension, never its signature, and CMS_NOCERTS keeps it out of
// the message: so it is not signed (a signature with the requester's key
// per request for nothing), and an RSA key goes in as its legacy twin
// (legacy_rsa_public_key), without OpenSSL 3.0's provider encoder and decoder.
X509Ptr throwaway_signer_cert(EVP_PKEY* key, const Bytes& key_id) {
  const std::string op = "CMS signing (throwaway signer certificate)";
  X509Ptr cert(X509_new());
  X509NamePtr name(X509_NAME_new());
  using OctetPtr = std::unique_ptr<ASN1_OCTET_STRING,
                                   detail::Deleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
  OctetPtr ski(ASN1_OCTET_STRING_new());
  if (!cert || !name || !ski) throw CryptoError(op);
  const EvpPkeyPtr legacy_public = legacy_rsa_public_key(key);
  const auto* cn = reinterpret_cast<const unsigned char*>("ceslab key-id signer");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) != 1 ||
      X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC, cn, -1, -1, 0) != 1 ||
      X509_set_subject_name(cert.get(), name.get()) != 1 ||
      X509_set_issuer_name(cert.get(), name.get()) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600) == nullptr ||
      X509_set_pubkey(cert.get(), legacy_public ? legacy_public.get() : key) != 1 ||
      ASN1_OCTET_STRING_set(ski.get(), key_id.data(), static_cast<int>(key_id.size())) != 1 ||
      X509_add1_ext_i2d(cert.get(), NID_subject_key_identifier, ski.get(), 0, X509V3_ADD_DEFAULT) !=
          1)
    throw CryptoError(op);
  set_unsigned_algorithms(cert.get(), op);
  return cert;
}

}  // namespace cms_detail

Bytes cms_sign(const Bytes& content, std::string_view econtent_type_oid, X509* signer_cert,
               EVP_PKEY* signer_key, const std::vector<X509*>& extra_certs) {
  if (signer_cert == nullptr || signer_key == nullptr)
    throw CryptoError("CMS signing", "signer certificate and key are required");
  return cd::sign(content, econtent_type_oid, signer_cert, signer_key, extra_certs, 0);
}

Bytes cms_sign_with_key_id(const Bytes& content, std::string_view econtent_type_oid,
                           EVP_PKEY* signer_key, const Bytes& subject_key_id) {
  if (signer_key == nullptr) throw CryptoError("CMS signing", "signer key is required");
  if (subject_key_id.empty())
    throw CryptoError("CMS signing", "an empty subjectKeyIdentifier cannot name the signer");
  X509Ptr holder = cd::throwaway_signer_cert(signer_key, subject_key_id);
  return cd::sign(content, econtent_type_oid, holder.get(), signer_key, {},
                  CMS_USE_KEYID | CMS_NOCERTS);
}

namespace cms_detail {

// The key of `spki` as legacy_rsa_key reads it; null for other key types.
EvpPkeyPtr legacy_rsa_key_of(X509_PUBKEY* spki) {
  ASN1_OBJECT* oid = nullptr;
  const unsigned char* bits = nullptr;
  int len = 0;
  if (X509_PUBKEY_get0_param(&oid, &bits, &len, nullptr, spki) != 1) return nullptr;
  return legacy_rsa_key(oid, bits, len);
}

// An unsigned certificate whose only use is to carry the key of `spki` into
// CMS_SignerInfo_set1_signer_cert. For an RSA key it holds the key read by
// legacy_rsa_key_of and is never encoded. Otherwise it is read back from DER,
// so it gets every field i2d needs (set_unsigned_algorithms); their values
// do not matter.
X509Ptr key_holder_for(X509_PUBKEY* spki) {
  const std::string op = "CMS unwrap (key holder)";
  if (EvpPkeyPtr rsa = legacy_rsa_key_of(spki)) {
    X509Ptr holder(X509_new());
    if (!holder || X509_set_pubkey(holder.get(), rsa.get()) != 1) throw CryptoError(op);
    return holder;
  }
  X509Ptr draft(X509_new());
  if (!draft) throw CryptoError(op);
  copy_public_key(draft.get(), spki);
  if (ASN1_INTEGER_set(X509_get_serialNumber(draft.get()), 1) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(draft.get()), 0) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(draft.get()), 0) == nullptr)
    throw CryptoError(op);
  set_unsigned_algorithms(draft.get(), op);
  unsigned char* der = nullptr;
  const int len = i2d_X509(draft.get(), &der);
  if (len <= 0) throw CryptoError(op + " (encode)");
  const unsigned char* p = der;
  X509Ptr holder(d2i_X509(nullptr, &p, len));
  OPENSSL_free(der);
  if (!holder) throw CryptoError(op + " (decode)");
  return holder;
}

// A SignedData read, its signature not yet checked.
OpenedSignedData open_signed_data(const Bytes& der, CmsPtr decoded) {
  const std::string op = "CMS unwrap";
  OpenedSignedData opened;
  opened.cms = decoded ? std::move(decoded) : try_decode_content_info(der);
  CMS_ContentInfo* cms = opened.cms.get();
  if (!cms)
    throw CryptoError(
        op, "input (" + std::to_string(der.size()) + " bytes) is not a DER CMS ContentInfo");
  const ASN1_OBJECT* type = CMS_get0_type(cms);
  if (OBJ_obj2nid(type) != NID_pkcs7_signed)
    throw CryptoError(op, "ContentInfo is " + oid_for_message(type) + ", not signedData");

  SignedContent& out = opened.content;
  out.econtent_type_oid = oid_for_message(CMS_get0_eContentType(cms));
  ASN1_OCTET_STRING** pcontent = CMS_get0_content(cms);
  if (pcontent == nullptr || *pcontent == nullptr)
    throw CryptoError(op, "signedData has no encapsulated content (detached signature)");
  const unsigned char* data = ASN1_STRING_get0_data(*pcontent);
  out.content.assign(data, data + ASN1_STRING_length(*pcontent));

  CertStackPtr certs(CMS_get1_certs(cms));
  for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i)
    out.certificates.push_back(share(sk_X509_value(certs.get(), i)));

  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (infos == nullptr || sk_CMS_SignerInfo_num(infos) == 0) {
    out.verify_error = "signedData has no SignerInfo";
    return opened;
  }
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
  opened.signer_info = si;

  ASN1_OCTET_STRING* keyid = nullptr;
  X509_NAME* issuer = nullptr;
  ASN1_INTEGER* serial = nullptr;
  if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) == 1 && keyid != nullptr) {
    const unsigned char* k = ASN1_STRING_get0_data(keyid);
    out.signer_key_id.assign(k, k + ASN1_STRING_length(keyid));
  }

  for (const X509Ptr& cert : out.certificates) {
    if (CMS_SignerInfo_cert_cmp(si, cert.get()) == 0) {
      out.signer = share(cert.get());
      break;
    }
  }
  if (!out.signer) out.verify_error = "the signer's certificate is not carried";
  ERR_clear_error();
  return opened;
}

void check_signature(OpenedSignedData& opened, EVP_PKEY* key_if_no_cert,
                     X509_PUBKEY* spki_if_no_cert) {
  SignedContent& out = opened.content;
  if (opened.signer_info == nullptr) return;  // "signedData has no SignerInfo"
  X509Ptr key_holder;
  if (out.signer) {
    key_holder = share(out.signer.get());
  } else if (spki_if_no_cert != nullptr) {
    key_holder = key_holder_for(spki_if_no_cert);
  } else if (key_if_no_cert != nullptr) {
    // CMS only takes a signer key via a certificate; an unsigned in-memory X509
    // that merely holds the public key is enough for that.
    key_holder.reset(X509_new());
    if (!key_holder || X509_set_pubkey(key_holder.get(), key_if_no_cert) != 1)
      throw CryptoError("CMS unwrap (key holder)");
  } else {
    return;  // "the signer's certificate is not carried"
  }
  out.verify_error.clear();
  out.signature_valid =
      verify_signer(opened.cms.get(), opened.signer_info, key_holder.get(), out.verify_error);
  ERR_clear_error();
}

// cms_unwrap's body; without a signer certificate the signature is checked
// against `key_if_no_cert`, or else the key of `spki_if_no_cert`.
SignedContent unwrap(const Bytes& der, EVP_PKEY* key_if_no_cert, X509_PUBKEY* spki_if_no_cert) {
  OpenedSignedData opened = open_signed_data(der);
  check_signature(opened, key_if_no_cert, spki_if_no_cert);
  return std::move(opened.content);
}

}  // namespace cms_detail

SignedContent cms_unwrap(const Bytes& der, EVP_PKEY* key_if_no_cert) {
  return cd::unwrap(der, key_if_no_cert, nullptr);
}

}  // namespace ceslab::core
