// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/cmc.hpp"

#include "ceslab/core/decoded_request.hpp"
#include "cms_key_holder.hpp"

#include <openssl/asn1t.h>
#include <openssl/crmf.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

// RFC 5272 structures as OpenSSL ASN.1 templates. The RFC's module is
// "DEFINITIONS IMPLICIT TAGS", so TaggedRequest's [0]/[1]/[2] are IMPLICIT
// (CertEnroll's own dump shows tcr as "a0 82 ..", a constructed [0] replacing the
// SEQUENCE tag). Names mirror the RFC; the MS-only ones say so.
namespace ceslab::core::cmc_asn1 {

// TaggedAttribute ::= SEQUENCE { bodyPartID BodyPartID, attrType OID, attrValues SET OF ANY }
struct CMC_TAGGED_ATTRIBUTE {
  ASN1_INTEGER* bodyPartID;
  ASN1_OBJECT* attrType;
  STACK_OF(ASN1_TYPE) * attrValues;
};
DEFINE_STACK_OF(CMC_TAGGED_ATTRIBUTE)
ASN1_SEQUENCE(CMC_TAGGED_ATTRIBUTE) =
    {
        ASN1_SIMPLE(CMC_TAGGED_ATTRIBUTE, bodyPartID, ASN1_INTEGER),
        ASN1_SIMPLE(CMC_TAGGED_ATTRIBUTE, attrType, ASN1_OBJECT),
        ASN1_SET_OF(CMC_TAGGED_ATTRIBUTE, attrValues, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_TAGGED_ATTRIBUTE) IMPLEMENT_ASN1_FUNCTIONS(CMC_TAGGED_ATTRIBUTE)

    // TaggedCertificationRequest ::= SEQUENCE { bodyPartID, certificationRequest }
    // The PKCS#10 is kept as its DER (an ANY holding the SEQUENCE): decoding it
    // as an X509_REQ here would run OpenSSL 3.0's key decoders, which
    // decode_csr avoids where it can (issue 17).
    struct CMC_TAGGED_CERT_REQUEST {
  ASN1_INTEGER* bodyPartID;
  ASN1_TYPE* certificationRequest;
};
ASN1_SEQUENCE(CMC_TAGGED_CERT_REQUEST) =
    {
        ASN1_SIMPLE(CMC_TAGGED_CERT_REQUEST, bodyPartID, ASN1_INTEGER),
        ASN1_SIMPLE(CMC_TAGGED_CERT_REQUEST, certificationRequest, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_TAGGED_CERT_REQUEST) IMPLEMENT_ASN1_FUNCTIONS(CMC_TAGGED_CERT_REQUEST)

    // orm: SEQUENCE { bodyPartID, requestMessageType OID, requestMessageValue ANY }
    struct CMC_OTHER_REQ_MSG {
  ASN1_INTEGER* bodyPartID;
  ASN1_OBJECT* requestMessageType;
  ASN1_TYPE* requestMessageValue;
};
ASN1_SEQUENCE(CMC_OTHER_REQ_MSG) =
    {
        ASN1_SIMPLE(CMC_OTHER_REQ_MSG, bodyPartID, ASN1_INTEGER),
        ASN1_SIMPLE(CMC_OTHER_REQ_MSG, requestMessageType, ASN1_OBJECT),
        ASN1_SIMPLE(CMC_OTHER_REQ_MSG, requestMessageValue, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_OTHER_REQ_MSG)

    // TaggedRequest ::= CHOICE { tcr [0] TaggedCertificationRequest,
    //                            crm [1] CertReqMsg, orm [2] SEQUENCE {...} }
    constexpr int kTcr = 0;
constexpr int kCrm = 1;
constexpr int kOrm = 2;
struct CMC_TAGGED_REQUEST {
  int type;
  union {
    CMC_TAGGED_CERT_REQUEST* tcr;
    OSSL_CRMF_MSG* crm;  // RFC 4211 CertReqMsg, decoded by OpenSSL's own CRMF template
    CMC_OTHER_REQ_MSG* orm;
  } d;
};
DEFINE_STACK_OF(CMC_TAGGED_REQUEST)
ASN1_CHOICE(CMC_TAGGED_REQUEST) =
    {
        ASN1_IMP(CMC_TAGGED_REQUEST, d.tcr, CMC_TAGGED_CERT_REQUEST, kTcr),
        ASN1_IMP(CMC_TAGGED_REQUEST, d.crm, OSSL_CRMF_MSG, kCrm),
        ASN1_IMP(CMC_TAGGED_REQUEST, d.orm, CMC_OTHER_REQ_MSG, kOrm),
} ASN1_CHOICE_END(CMC_TAGGED_REQUEST) IMPLEMENT_ASN1_FUNCTIONS(CMC_TAGGED_REQUEST)

    // TaggedContentInfo ::= SEQUENCE { bodyPartID, contentInfo ContentInfo }
    // The nested ContentInfo is kept opaque: ceslab neither builds nor follows nesting.
    struct CMC_TAGGED_CONTENT_INFO {
  ASN1_INTEGER* bodyPartID;
  ASN1_TYPE* contentInfo;
};
DEFINE_STACK_OF(CMC_TAGGED_CONTENT_INFO)
ASN1_SEQUENCE(CMC_TAGGED_CONTENT_INFO) =
    {
        ASN1_SIMPLE(CMC_TAGGED_CONTENT_INFO, bodyPartID, ASN1_INTEGER),
        ASN1_SIMPLE(CMC_TAGGED_CONTENT_INFO, contentInfo, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_TAGGED_CONTENT_INFO)

    // OtherMsg ::= SEQUENCE { bodyPartID, otherMsgType OID, otherMsgValue ANY }
    struct CMC_OTHER_MSG {
  ASN1_INTEGER* bodyPartID;
  ASN1_OBJECT* otherMsgType;
  ASN1_TYPE* otherMsgValue;
};
DEFINE_STACK_OF(CMC_OTHER_MSG)
ASN1_SEQUENCE(CMC_OTHER_MSG) =
    {
        ASN1_SIMPLE(CMC_OTHER_MSG, bodyPartID, ASN1_INTEGER),
        ASN1_SIMPLE(CMC_OTHER_MSG, otherMsgType, ASN1_OBJECT),
        ASN1_SIMPLE(CMC_OTHER_MSG, otherMsgValue, ASN1_ANY),
} ASN1_SEQUENCE_END(CMC_OTHER_MSG)

    // PKIData ::= SEQUENCE { controlSequence, reqSequence, cmsSequence, otherMsgSequence }
    struct CMC_PKI_DATA {
  STACK_OF(CMC_TAGGED_ATTRIBUTE) * controlSequence;
  STACK_OF(CMC_TAGGED_REQUEST) * reqSequence;
  STACK_OF(CMC_TAGGED_CONTENT_INFO) * cmsSequence;
  STACK_OF(CMC_OTHER_MSG) * otherMsgSequence;
};
ASN1_SEQUENCE(CMC_PKI_DATA) =
    {
        ASN1_SEQUENCE_OF(CMC_PKI_DATA, controlSequence, CMC_TAGGED_ATTRIBUTE),
        ASN1_SEQUENCE_OF(CMC_PKI_DATA, reqSequence, CMC_TAGGED_REQUEST),
        ASN1_SEQUENCE_OF(CMC_PKI_DATA, cmsSequence, CMC_TAGGED_CONTENT_INFO),
        ASN1_SEQUENCE_OF(CMC_PKI_DATA, otherMsgSequence, CMC_OTHER_MSG),
} ASN1_SEQUENCE_END(CMC_PKI_DATA) IMPLEMENT_ASN1_FUNCTIONS(CMC_PKI_DATA)

    // PKIResponse ::= SEQUENCE { controlSequence, cmsSequence, otherMsgSequence }
    struct CMC_PKI_RESPONSE {
  STACK_OF(CMC_TAGGED_ATTRIBUTE) * controlSequence;
  STACK_OF(CMC_TAGGED_CONTENT_INFO) * cmsSequence;
  STACK_OF(CMC_OTHER_MSG) * otherMsgSequence;
};
ASN1_SEQUENCE(CMC_PKI_RESPONSE) =
    {
        ASN1_SEQUENCE_OF(CMC_PKI_RESPONSE, controlSequence, CMC_TAGGED_ATTRIBUTE),
        ASN1_SEQUENCE_OF(CMC_PKI_RESPONSE, cmsSequence, CMC_TAGGED_CONTENT_INFO),
        ASN1_SEQUENCE_OF(CMC_PKI_RESPONSE, otherMsgSequence, CMC_OTHER_MSG),
} ASN1_SEQUENCE_END(CMC_PKI_RESPONSE) IMPLEMENT_ASN1_FUNCTIONS(CMC_PKI_RESPONSE)

    // PendInfo ::= SEQUENCE { pendToken OCTET STRING, pendTime GeneralizedTime }
    struct CMC_PEND_INFO {
  ASN1_OCTET_STRING* pendToken;
  ASN1_GENERALIZEDTIME* pendTime;
};
ASN1_SEQUENCE(CMC_PEND_INFO) =
    {
        ASN1_SIMPLE(CMC_PEND_INFO, pendToken, ASN1_OCTET_STRING),
        ASN1_SIMPLE(CMC_PEND_INFO, pendTime, ASN1_GENERALIZEDTIME),
} ASN1_SEQUENCE_END(CMC_PEND_INFO)

    // otherInfo CHOICE { failInfo CMCFailInfo (INTEGER), pendInfo PendInfo }
    constexpr int kFailInfo = 0;
struct CMC_OTHER_INFO {
  int type;
  union {
    ASN1_INTEGER* failInfo;
    CMC_PEND_INFO* pendInfo;
  } d;
};
ASN1_CHOICE(CMC_OTHER_INFO) =
    {
        ASN1_SIMPLE(CMC_OTHER_INFO, d.failInfo, ASN1_INTEGER),
        ASN1_SIMPLE(CMC_OTHER_INFO, d.pendInfo, CMC_PEND_INFO),
} ASN1_CHOICE_END(CMC_OTHER_INFO) IMPLEMENT_ASN1_FUNCTIONS(CMC_OTHER_INFO)

    // CMCStatusInfo ::= SEQUENCE { cMCStatus CMCStatus (INTEGER), bodyList SEQUENCE OF
    //   BodyPartID, statusString UTF8String OPTIONAL, otherInfo CHOICE {...} OPTIONAL }
    struct CMC_STATUS_INFO {
  ASN1_INTEGER* cMCStatus;
  STACK_OF(ASN1_INTEGER) * bodyList;
  ASN1_UTF8STRING* statusString;
  CMC_OTHER_INFO* otherInfo;
};
ASN1_SEQUENCE(CMC_STATUS_INFO) =
    {
        ASN1_SIMPLE(CMC_STATUS_INFO, cMCStatus, ASN1_INTEGER),
        ASN1_SEQUENCE_OF(CMC_STATUS_INFO, bodyList, ASN1_INTEGER),
        ASN1_OPT(CMC_STATUS_INFO, statusString, ASN1_UTF8STRING),
        ASN1_OPT(CMC_STATUS_INFO, otherInfo, CMC_OTHER_INFO),
} ASN1_SEQUENCE_END(CMC_STATUS_INFO) IMPLEMENT_ASN1_FUNCTIONS(CMC_STATUS_INFO)

    // MS: CmcAddAttributes ::= SEQUENCE { pkiDataReference BodyPartID,
    //   certReferences SEQUENCE OF BodyPartID, attributes SET OF Attribute }
    // (value of 1.3.6.1.4.1.311.10.10.1, "CMC Attributes"; SecCertEnroll "CMC Attributes").
    struct MS_CMC_ADD_ATTRIBUTES {
  ASN1_INTEGER* pkiDataReference;
  STACK_OF(ASN1_INTEGER) * certReferences;
  STACK_OF(X509_ATTRIBUTE) * attributes;
};
ASN1_SEQUENCE(MS_CMC_ADD_ATTRIBUTES) =
    {
        ASN1_SIMPLE(MS_CMC_ADD_ATTRIBUTES, pkiDataReference, ASN1_INTEGER),
        ASN1_SEQUENCE_OF(MS_CMC_ADD_ATTRIBUTES, certReferences, ASN1_INTEGER),
        ASN1_SET_OF(MS_CMC_ADD_ATTRIBUTES, attributes, X509_ATTRIBUTE),
} ASN1_SEQUENCE_END(MS_CMC_ADD_ATTRIBUTES) IMPLEMENT_ASN1_FUNCTIONS(MS_CMC_ADD_ATTRIBUTES)

    // MS-WCCE 2.2.2.7.10: EnrollmentNameValuePair ::= SEQUENCE { name BMPString, value BMPString }
    struct MS_NAME_VALUE_PAIR {
  ASN1_BMPSTRING* name;
  ASN1_BMPSTRING* value;
};
DEFINE_STACK_OF(MS_NAME_VALUE_PAIR)
ASN1_SEQUENCE(MS_NAME_VALUE_PAIR) =
    {
        ASN1_SIMPLE(MS_NAME_VALUE_PAIR, name, ASN1_BMPSTRING),
        ASN1_SIMPLE(MS_NAME_VALUE_PAIR, value, ASN1_BMPSTRING),
} ASN1_SEQUENCE_END(MS_NAME_VALUE_PAIR) IMPLEMENT_ASN1_FUNCTIONS(MS_NAME_VALUE_PAIR)

    // EnrollmentNameValuePairs ::= SEQUENCE OF EnrollmentNameValuePair (the spec's literal
    // form; certreq itself puts one pair per attribute value).
    using MS_NAME_VALUE_PAIRS = STACK_OF(MS_NAME_VALUE_PAIR);
ASN1_ITEM_TEMPLATE(MS_NAME_VALUE_PAIRS) = ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0,
                                                                MS_NAME_VALUE_PAIRS,
                                                                MS_NAME_VALUE_PAIR)
    ASN1_ITEM_TEMPLATE_END(MS_NAME_VALUE_PAIRS)

        void free_name_value_pairs(MS_NAME_VALUE_PAIRS * pairs) {
  sk_MS_NAME_VALUE_PAIR_pop_free(pairs, MS_NAME_VALUE_PAIR_free);
}

}  // namespace ceslab::core::cmc_asn1

namespace ceslab::core {

namespace cmc_detail {

using namespace cmc_asn1;

template <typename T, void (*F)(T*)>
using Own = std::unique_ptr<T, detail::Deleter<T, F>>;

using Asn1ObjectPtr = Own<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1TypePtr = Own<ASN1_TYPE, ASN1_TYPE_free>;
using Asn1IntegerPtr = Own<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1StringPtr = Own<ASN1_STRING, ASN1_STRING_free>;
using X509AttributePtr = Own<X509_ATTRIBUTE, X509_ATTRIBUTE_free>;
using TaggedAttributePtr = Own<CMC_TAGGED_ATTRIBUTE, CMC_TAGGED_ATTRIBUTE_free>;
using TaggedCertRequestPtr = Own<CMC_TAGGED_CERT_REQUEST, CMC_TAGGED_CERT_REQUEST_free>;
using TaggedRequestPtr = Own<CMC_TAGGED_REQUEST, CMC_TAGGED_REQUEST_free>;
using PkiDataPtr = Own<CMC_PKI_DATA, CMC_PKI_DATA_free>;
using PkiResponsePtr = Own<CMC_PKI_RESPONSE, CMC_PKI_RESPONSE_free>;
using StatusInfoPtr = Own<CMC_STATUS_INFO, CMC_STATUS_INFO_free>;
using OtherInfoPtr = Own<CMC_OTHER_INFO, CMC_OTHER_INFO_free>;
using AddAttributesPtr = Own<MS_CMC_ADD_ATTRIBUTES, MS_CMC_ADD_ATTRIBUTES_free>;
using NameValuePairPtr = Own<MS_NAME_VALUE_PAIR, MS_NAME_VALUE_PAIR_free>;
using NameValuePairsPtr = Own<MS_NAME_VALUE_PAIRS, free_name_value_pairs>;

constexpr std::string_view kOidStatusInfo = "1.3.6.1.5.5.7.7.1";  // id-cmc-statusInfo
constexpr std::string_view kOidRegInfo = "1.3.6.1.5.5.7.7.18";    // id-cmc-regInfo
constexpr std::string_view kOidMsCmcAttributes = "1.3.6.1.4.1.311.10.10.1";
constexpr std::string_view kOidMsNameValuePair = "1.3.6.1.4.1.311.13.2.1";
constexpr std::string_view kOidMsIssuedCertHash = "1.3.6.1.4.1.311.21.17";

// Body part numbering as CertEnroll and AD CS use it: the request is 1, the
// controls that follow it count on from 2.
constexpr long kRequestBodyPart = 1;
constexpr long kFirstControlBodyPart = 2;

Asn1ObjectPtr make_oid(std::string_view dotted) {
  Asn1ObjectPtr obj(OBJ_txt2obj(std::string(dotted).c_str(), 1));
  if (!obj) throw CryptoError("OID " + std::string(dotted));
  return obj;
}

Bytes encode(const ASN1_ITEM* item, const void* value, const std::string& what) {
  unsigned char* out = nullptr;
  const int len = ASN1_item_i2d(static_cast<const ASN1_VALUE*>(value), &out, item);
  if (len <= 0) throw CryptoError("encoding " + what);
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

// Decodes exactly `len` bytes as `item`; trailing bytes are malformed input.
template <typename T>
T* decode(const ASN1_ITEM* item, const unsigned char* data, std::size_t len, const std::string& op,
          const std::string& what) {
  const unsigned char* p = data;
  auto* value = reinterpret_cast<T*>(ASN1_item_d2i(nullptr, &p, static_cast<long>(len), item));
  if (value == nullptr) throw CryptoError(op + " (" + what + " is not valid DER)");
  if (p != data + len) {
    ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(value), item);
    throw CryptoError(op, what + " is followed by trailing bytes");
  }
  return value;
}

// Wraps a structure as one ANY value (a DER SEQUENCE) of an attribute.
Asn1TypePtr pack(const ASN1_ITEM* item, void* value, const std::string& what) {
  Asn1TypePtr type(ASN1_TYPE_pack_sequence(item, value, nullptr));
  if (!type) throw CryptoError("encoding " + what);
  return type;
}

template <typename T>
T* unpack(const ASN1_ITEM* item, const ASN1_TYPE* value, const std::string& op,
          const std::string& what) {
  if (value == nullptr || ASN1_TYPE_get(value) != V_ASN1_SEQUENCE)
    throw CryptoError(op, what + " is not a SEQUENCE");
  const ASN1_STRING* seq = value->value.sequence;
  return decode<T>(item, ASN1_STRING_get0_data(seq),
                   static_cast<std::size_t>(ASN1_STRING_length(seq)), op, what);
}

void set_integer(ASN1_INTEGER* target, long value) {
  if (ASN1_INTEGER_set(target, value) != 1) throw CryptoError("setting an INTEGER");
}

std::int64_t get_integer(const ASN1_INTEGER* value, const std::string& op,
                         const std::string& what) {
  std::int64_t out = 0;
  if (value == nullptr || ASN1_INTEGER_get_int64(&out, value) != 1)
    throw CryptoError(op + " (" + what + " is not a 64-bit INTEGER)");
  return out;
}

void push_integer(STACK_OF(ASN1_INTEGER) * stack, long value) {
  Asn1IntegerPtr i(ASN1_INTEGER_new());
  if (!i) throw CryptoError("allocating an INTEGER");
  set_integer(i.get(), value);
  if (sk_ASN1_INTEGER_push(stack, i.get()) <= 0) throw CryptoError("building a SEQUENCE OF");
  i.release();
}

TaggedAttributePtr make_tagged_attribute(long body_part, std::string_view oid,
                                         std::vector<Asn1TypePtr> values) {
  TaggedAttributePtr attr(CMC_TAGGED_ATTRIBUTE_new());
  if (!attr) throw CryptoError("allocating a TaggedAttribute");
  set_integer(attr->bodyPartID, body_part);
  ASN1_OBJECT_free(attr->attrType);
  attr->attrType = make_oid(oid).release();
  for (Asn1TypePtr& v : values) {
    if (sk_ASN1_TYPE_push(attr->attrValues, v.get()) <= 0)
      throw CryptoError("building a TaggedAttribute");
    v.release();
  }
  return attr;
}

// MS CMC attributes for the request body part: CmcAddAttributes { 0, {1}, {attribute} }.
Asn1TypePtr make_add_attributes(X509AttributePtr attribute) {
  AddAttributesPtr add(MS_CMC_ADD_ATTRIBUTES_new());
  if (!add) throw CryptoError("allocating CMC attributes");
  set_integer(add->pkiDataReference, 0);
  push_integer(add->certReferences, kRequestBodyPart);
  if (sk_X509_ATTRIBUTE_push(add->attributes, attribute.get()) <= 0)
    throw CryptoError("building CMC attributes");
  attribute.release();
  return pack(ASN1_ITEM_rptr(MS_CMC_ADD_ATTRIBUTES), add.get(), "CMC attributes");
}

std::string to_utf8(const ASN1_STRING* str, const std::string& op) {
  unsigned char* out = nullptr;
  const int len = ASN1_STRING_to_UTF8(&out, str);
  if (len < 0) throw CryptoError(op + " (string not convertible to UTF-8)");
  std::string text(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return text;
}

Asn1StringPtr to_bmp(const std::string& utf8) {
  ASN1_STRING* out = nullptr;
  if (ASN1_mbstring_copy(&out, reinterpret_cast<const unsigned char*>(utf8.data()),
                         static_cast<int>(utf8.size()), MBSTRING_UTF8, B_ASN1_BMPSTRING) < 0)
    throw CryptoError("encoding \"" + utf8 + "\" as BMPString");
  return Asn1StringPtr(out);
}

// regInfo text (IX509NameValuePair docs): "name=value&" per pair, UTF-8, with the
// separators and '\' %XX-escaped so any value survives the CA's parser.
std::string reg_info_escape(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (c == '%' || c == '&' || c == '=' || c == '\\' || c < 0x20 || c == 0x7F) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Lenient: a '%' not followed by two hex digits is kept as is.
std::string reg_info_unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

void parse_reg_info(std::string_view text, NameValuePairs& out) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('&', start), text.size());
    const std::string_view item = text.substr(start, end - start);
    if (!item.empty()) {
      const std::size_t eq = item.find('=');
      if (eq == std::string_view::npos)
        out.emplace_back(reg_info_unescape(item), std::string());
      else
        out.emplace_back(reg_info_unescape(item.substr(0, eq)),
                         reg_info_unescape(item.substr(eq + 1)));
    }
    start = end + 1;
  }
}

// One value of szOID_ENROLLMENT_NAME_VALUE_PAIR: a single pair (what certreq
// writes) or a SEQUENCE OF pairs (MS-WCCE 2.2.2.7.10's literal ASN.1).
void parse_ms_pair_value(const ASN1_TYPE* value, const std::string& op, NameValuePairs& out) {
  if (value == nullptr || ASN1_TYPE_get(value) != V_ASN1_SEQUENCE)
    throw CryptoError(op, "1.3.6.1.4.1.311.13.2.1 value is not a SEQUENCE");
  const ASN1_STRING* seq = value->value.sequence;
  const unsigned char* data = ASN1_STRING_get0_data(seq);
  const auto len = static_cast<long>(ASN1_STRING_length(seq));

  ERR_set_mark();
  const unsigned char* p = data;
  NameValuePairPtr pair(d2i_MS_NAME_VALUE_PAIR(nullptr, &p, len));
  ERR_pop_to_mark();
  if (pair && p == data + len) {
    out.emplace_back(to_utf8(pair->name, op), to_utf8(pair->value, op));
    return;
  }
  NameValuePairsPtr pairs(decode<MS_NAME_VALUE_PAIRS>(
      ASN1_ITEM_rptr(MS_NAME_VALUE_PAIRS), data, static_cast<std::size_t>(len), op,
      "1.3.6.1.4.1.311.13.2.1 value (neither a name/value pair nor a SEQUENCE OF them)"));
  for (int i = 0; i < sk_MS_NAME_VALUE_PAIR_num(pairs.get()); ++i) {
    const MS_NAME_VALUE_PAIR* p2 = sk_MS_NAME_VALUE_PAIR_value(pairs.get(), i);
    out.emplace_back(to_utf8(p2->name, op), to_utf8(p2->value, op));
  }
}

// Walks every value of an MS "CMC attributes" control and hands each contained
// attribute to `visit(oid, attribute)`.
template <typename Visit>
void for_each_ms_attribute(const CMC_TAGGED_ATTRIBUTE* control, const std::string& op,
                           Visit visit) {
  for (int i = 0; i < sk_ASN1_TYPE_num(control->attrValues); ++i) {
    AddAttributesPtr add(unpack<MS_CMC_ADD_ATTRIBUTES>(ASN1_ITEM_rptr(MS_CMC_ADD_ATTRIBUTES),
                                                       sk_ASN1_TYPE_value(control->attrValues, i),
                                                       op, "1.3.6.1.4.1.311.10.10.1 value"));
    for (int j = 0; j < sk_X509_ATTRIBUTE_num(add->attributes); ++j) {
      X509_ATTRIBUTE* attr = sk_X509_ATTRIBUTE_value(add->attributes, j);
      visit(oid_for_message(X509_ATTRIBUTE_get0_object(attr)), attr);
    }
  }
}

void collect_name_value_pairs(const STACK_OF(CMC_TAGGED_ATTRIBUTE) * controls,
                              const std::string& op, NameValuePairs& out) {
  for (int i = 0; i < sk_CMC_TAGGED_ATTRIBUTE_num(controls); ++i) {
    const CMC_TAGGED_ATTRIBUTE* control = sk_CMC_TAGGED_ATTRIBUTE_value(controls, i);
    const std::string type = oid_for_message(control->attrType);
    if (type == kOidRegInfo) {
      for (int j = 0; j < sk_ASN1_TYPE_num(control->attrValues); ++j) {
        const ASN1_TYPE* v = sk_ASN1_TYPE_value(control->attrValues, j);
        const int t = ASN1_TYPE_get(v);
        if (t != V_ASN1_OCTET_STRING && t != V_ASN1_UTF8STRING)
          throw CryptoError(op, "id-cmc-regInfo value is not an OCTET STRING");
        const ASN1_STRING* s = v->value.asn1_string;
        parse_reg_info(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                        static_cast<std::size_t>(ASN1_STRING_length(s))),
                       out);
      }
    } else if (type == kOidMsNameValuePair) {
      for (int j = 0; j < sk_ASN1_TYPE_num(control->attrValues); ++j)
        parse_ms_pair_value(sk_ASN1_TYPE_value(control->attrValues, j), op, out);
    } else if (type == kOidMsCmcAttributes) {
      for_each_ms_attribute(control, op, [&](const std::string& oid, X509_ATTRIBUTE* attr) {
        if (oid != kOidMsNameValuePair) return;
        for (int k = 0; k < X509_ATTRIBUTE_count(attr); ++k)
          parse_ms_pair_value(X509_ATTRIBUTE_get0_type(attr, k), op, out);
      });
    }
    // Other controls (transactionId, nonces, ...) carry nothing ceslab uses.
  }
}

TaggedAttributePtr name_value_control(const NameValuePairs& pairs, NameValueForm form) {
  if (form == NameValueForm::reg_info) {
    std::string text;
    for (const auto& [name, value] : pairs)
      text += reg_info_escape(name) + "=" + reg_info_escape(value) + "&";
    Asn1TypePtr v(ASN1_TYPE_new());
    Asn1StringPtr os(ASN1_OCTET_STRING_new());
    if (!v || !os ||
        ASN1_OCTET_STRING_set(os.get(), reinterpret_cast<const unsigned char*>(text.data()),
                              static_cast<int>(text.size())) != 1)
      throw CryptoError("encoding id-cmc-regInfo");
    ASN1_TYPE_set(v.get(), V_ASN1_OCTET_STRING, os.release());
    std::vector<Asn1TypePtr> values;
    values.push_back(std::move(v));
    return make_tagged_attribute(kFirstControlBodyPart, kOidRegInfo, std::move(values));
  }

  Asn1ObjectPtr oid = make_oid(kOidMsNameValuePair);
  X509AttributePtr attr;
  for (const auto& [name, value] : pairs) {
    NameValuePairPtr pair(MS_NAME_VALUE_PAIR_new());
    if (!pair) throw CryptoError("allocating a name/value pair");
    ASN1_STRING_free(pair->name);
    pair->name = to_bmp(name).release();
    ASN1_STRING_free(pair->value);
    pair->value = to_bmp(value).release();
    const Bytes der = encode(ASN1_ITEM_rptr(MS_NAME_VALUE_PAIR), pair.get(), "name/value pair");
    const bool ok =
        attr ? X509_ATTRIBUTE_set1_data(attr.get(), V_ASN1_SEQUENCE, der.data(),
                                        static_cast<int>(der.size())) == 1
             : (attr.reset(X509_ATTRIBUTE_create_by_OBJ(nullptr, oid.get(), V_ASN1_SEQUENCE,
                                                        der.data(), static_cast<int>(der.size()))),
                attr != nullptr);
    if (!ok) throw CryptoError("building the 1.3.6.1.4.1.311.13.2.1 attribute");
  }
  std::vector<Asn1TypePtr> values;
  values.push_back(make_add_attributes(std::move(attr)));
  return make_tagged_attribute(kFirstControlBodyPart, kOidMsCmcAttributes, std::move(values));
}

// RFC 5280 method 1: SHA-1 over the subjectPublicKey BIT STRING contents.
Bytes key_identifier(X509_PUBKEY* pub) {
  const unsigned char* bits = nullptr;
  int len = 0;
  if (X509_PUBKEY_get0_param(nullptr, &bits, &len, nullptr, pub) != 1)
    throw CryptoError("reading the public key for its identifier");
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (EVP_Digest(bits, static_cast<std::size_t>(len), md.data(), &md_len, EVP_sha1(), nullptr) != 1)
    throw CryptoError("hashing the public key");
  return Bytes(md.data(), md.data() + md_len);
}

// The identifier CertEnroll puts in the SignerInfo: the request's own SKI extension
// when the signing key is the request's key, else the RFC 5280 hash of the key.
Bytes signer_key_identifier(X509_REQ* req, EVP_PKEY* key) {
  EVP_PKEY* req_key = X509_REQ_get0_pubkey(req);
  if (req_key != nullptr && EVP_PKEY_eq(req_key, key) == 1) {
    using ExtStackPtr =
        std::unique_ptr<STACK_OF(X509_EXTENSION), void (*)(STACK_OF(X509_EXTENSION)*)>;
    ExtStackPtr exts(X509_REQ_get_extensions(req), [](STACK_OF(X509_EXTENSION) * s) {
      sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
    });
    ERR_set_mark();
    Asn1StringPtr ski(static_cast<ASN1_OCTET_STRING*>(
        X509V3_get_d2i(exts.get(), NID_subject_key_identifier, nullptr, nullptr)));
    ERR_pop_to_mark();
    if (ski && ASN1_STRING_length(ski.get()) > 0) {
      const unsigned char* d = ASN1_STRING_get0_data(ski.get());
      return Bytes(d, d + ASN1_STRING_length(ski.get()));
    }
    return key_identifier(X509_REQ_get_X509_PUBKEY(req));
  }
  X509_PUBKEY* raw = nullptr;
  if (X509_PUBKEY_set(&raw, key) != 1) throw CryptoError("encoding the signer's public key");
  Own<X509_PUBKEY, X509_PUBKEY_free> pub(raw);
  return key_identifier(pub.get());
}

CmcStatus status_from_wire(std::int64_t value, const std::string& op) {
  switch (value) {
    case 0:
      return CmcStatus::success;
    case 2:
      return CmcStatus::failed;
    case 3:
      return CmcStatus::pending;
    case 4:
      return CmcStatus::no_support;
    case 5:
      return CmcStatus::confirm_required;
    case 6:
      return CmcStatus::pop_required;
    case 7:
      return CmcStatus::partial;
    default:
      throw CryptoError(op, "unknown CMCStatus " + std::to_string(value));
  }
}

}  // namespace cmc_detail

namespace md = cmc_detail;

Bytes build_cmc_request(const Bytes& pkcs10_der, X509* signer_cert, EVP_PKEY* signer_key,
                        const NameValuePairs& name_value_pairs, NameValueForm form) {
  const std::string op = "CMC request building";
  if (signer_key == nullptr) throw CryptoError(op, "a signer key is required");
  if (pkcs10_der.empty()) throw CryptoError(op, "empty PKCS#10");
  // Read as the mock reads a request: an RSA one without OpenSSL 3.0's
  // provider key decoders, the same bytes packed (decode_csr).
  X509ReqPtr req;
  try {
    req = decode_csr(pkcs10_der);
  } catch (const CryptoError& e) {
    throw CryptoError(op, std::string("the PKCS#10: ") + e.what());
  }
  md::Asn1TypePtr certification_request(
      md::pack(ASN1_ITEM_rptr(X509_REQ), req.get(), "the PKCS#10"));

  md::PkiDataPtr data(cmc_asn1::CMC_PKI_DATA_new());
  md::TaggedCertRequestPtr tcr(cmc_asn1::CMC_TAGGED_CERT_REQUEST_new());
  md::TaggedRequestPtr tagged(cmc_asn1::CMC_TAGGED_REQUEST_new());
  if (!data || !tcr || !tagged) throw CryptoError(op);
  md::set_integer(tcr->bodyPartID, md::kRequestBodyPart);
  ASN1_TYPE_free(tcr->certificationRequest);
  tcr->certificationRequest = certification_request.release();
  tagged->type = cmc_asn1::kTcr;
  tagged->d.tcr = tcr.release();
  if (cmc_asn1::sk_CMC_TAGGED_REQUEST_push(data->reqSequence, tagged.get()) <= 0)
    throw CryptoError(op);
  tagged.release();

  if (!name_value_pairs.empty()) {
    md::TaggedAttributePtr control = md::name_value_control(name_value_pairs, form);
    if (cmc_asn1::sk_CMC_TAGGED_ATTRIBUTE_push(data->controlSequence, control.get()) <= 0)
      throw CryptoError(op);
    control.release();
  }

  const Bytes content = md::encode(ASN1_ITEM_rptr(cmc_asn1::CMC_PKI_DATA), data.get(), "PKIData");
  if (signer_cert != nullptr) return cms_sign(content, kOidCctPkiData, signer_cert, signer_key);
  return cms_sign_with_key_id(content, kOidCctPkiData, signer_key,
                              md::signer_key_identifier(req.get(), signer_key));
}

CmcRequest parse_cmc_request(const Bytes& der) {
  return parse_cmc_request_decoded(der).cmc;
}

DecodedCmcRequest parse_cmc_request_decoded(const Bytes& der, CmsPtr decoded_cms) {
  const std::string op = "CMC request parsing";
  DecodedCmcRequest decoded;
  CmcRequest& out = decoded.cmc;
  // Opened once: without a signer certificate the signature is checked
  // against the PKCS#10's own key, known only once the content is read.
  cms_detail::OpenedSignedData opened = cms_detail::open_signed_data(der, std::move(decoded_cms));
  const SignedContent& envelope = opened.content;
  if (envelope.signer) cms_detail::check_signature(opened, nullptr, nullptr);
  if (envelope.econtent_type_oid != kOidCctPkiData)
    throw CryptoError(op, "eContentType is " + envelope.econtent_type_oid +
                              ", not id-cct-PKIData (" + std::string(kOidCctPkiData) + ")");
  const Bytes& content = envelope.content;
  md::PkiDataPtr data(md::decode<cmc_asn1::CMC_PKI_DATA>(
      ASN1_ITEM_rptr(cmc_asn1::CMC_PKI_DATA), content.data(), content.size(), op, "PKIData"));

  const int count = cmc_asn1::sk_CMC_TAGGED_REQUEST_num(data->reqSequence);
  if (count != 1)
    throw CryptoError(op, "reqSequence holds " + std::to_string(count) +
                              " requests; exactly one is expected (MS-WCCE 3.1.1.4.3.1.3)");
  cmc_asn1::CMC_TAGGED_REQUEST* tagged =
      cmc_asn1::sk_CMC_TAGGED_REQUEST_value(data->reqSequence, 0);
  if (tagged->type == cmc_asn1::kCrm)
    throw CryptoError(op,
                      "TaggedRequest is crm (CRMF CertReqMsg); only tcr (PKCS#10) is supported");
  if (tagged->type == cmc_asn1::kOrm)
    throw CryptoError(op,
                      "TaggedRequest is orm (other request message); only tcr (PKCS#10) is "
                      "supported");
  const ASN1_TYPE* certification_request = tagged->d.tcr->certificationRequest;
  if (ASN1_TYPE_get(certification_request) != V_ASN1_SEQUENCE)
    throw CryptoError(op, "certificationRequest is not a SEQUENCE");
  const ASN1_STRING* request_der = certification_request->value.sequence;
  const unsigned char* request_bytes = ASN1_STRING_get0_data(request_der);
  out.pkcs10.assign(request_bytes, request_bytes + ASN1_STRING_length(request_der));
  try {
    decoded.pkcs10 = decode_csr(out.pkcs10);
  } catch (const CryptoError&) {
    throw CryptoError(op + " (the PKCS#10 is not valid DER)");
  }
  X509_REQ* req = decoded.pkcs10.get();

  md::collect_name_value_pairs(data->controlSequence, op, out.name_value_pairs);

  // CertEnroll's new-enrollment form carries no certificate: the signature is a
  // proof of possession of the request's own key, so check it against that key.
  if (EVP_PKEY* request_key = X509_REQ_get0_pubkey(req); !envelope.signer && request_key) {
    // decode_csr's legacy RSA key is shared with the check, so the Montgomery
    // set-up RSA caches in it serves both signature checks (issue 17); a
    // provider key would be encoded anew for the check, so its
    // SubjectPublicKeyInfo is taken instead.
    if (EVP_PKEY_get0_provider(request_key) == nullptr)
      cms_detail::check_signature(opened, request_key, nullptr);
    else
      cms_detail::check_signature(opened, nullptr, X509_REQ_get_X509_PUBKEY(req));
    if (!envelope.signature_valid)
      opened.content.verify_error = "no signer certificate carried and " + envelope.verify_error +
                                    " against the PKCS#10's own key";
    out.signed_by_request_key = envelope.signature_valid;
  }
  out.envelope = std::move(opened.content);
  return decoded;
}

Bytes build_cmc_response(CmcStatus status, std::string_view status_string, X509* ca_cert,
                         EVP_PKEY* ca_key, const std::vector<X509*>& certificates,
                         const X509* issued, std::optional<int> fail_info) {
  const std::string op = "CMC response building";
  if (ca_cert == nullptr || ca_key == nullptr)
    throw CryptoError(op, "the CA certificate and key are required");

  md::StatusInfoPtr info(cmc_asn1::CMC_STATUS_INFO_new());
  if (!info) throw CryptoError(op);
  md::set_integer(info->cMCStatus, static_cast<long>(status));
  md::push_integer(info->bodyList, md::kRequestBodyPart);
  if (!status_string.empty()) {
    info->statusString = ASN1_UTF8STRING_new();
    if (info->statusString == nullptr ||
        ASN1_STRING_set(info->statusString, status_string.data(),
                        static_cast<int>(status_string.size())) != 1)
      throw CryptoError(op + " (statusString)");
  }
  if (fail_info) {
    md::OtherInfoPtr other(cmc_asn1::CMC_OTHER_INFO_new());
    if (!other) throw CryptoError(op);
    other->type = cmc_asn1::kFailInfo;
    other->d.failInfo = ASN1_INTEGER_new();
    if (other->d.failInfo == nullptr) throw CryptoError(op);
    md::set_integer(other->d.failInfo, *fail_info);
    info->otherInfo = other.release();
  }

  md::PkiResponsePtr response(cmc_asn1::CMC_PKI_RESPONSE_new());
  if (!response) throw CryptoError(op);
  std::vector<md::TaggedAttributePtr> controls;
  {
    std::vector<md::Asn1TypePtr> values;
    values.push_back(
        md::pack(ASN1_ITEM_rptr(cmc_asn1::CMC_STATUS_INFO), info.get(), "CMCStatusInfo"));
    controls.push_back(md::make_tagged_attribute(1, md::kOidStatusInfo, std::move(values)));
  }
  if (issued != nullptr) {
    // Carried in the response, the certificate gets its extension cache
    // (SHA-1 included) from the duplicate check of CMS_add1_cert anyway:
    // filled first, X509_digest takes its SHA-1 from there instead of
    // encoding and hashing the certificate once more (issue 17). The cache
    // is filled under the certificate's own lock.
    if (std::find(certificates.begin(), certificates.end(), issued) != certificates.end())
      (void)X509_check_purpose(const_cast<X509*>(issued), -1, 0);
    std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
    unsigned int hash_len = 0;
    if (X509_digest(issued, EVP_sha1(), hash.data(), &hash_len) != 1)
      throw CryptoError(op + " (issued certificate hash)");
    md::Asn1ObjectPtr oid = md::make_oid(md::kOidMsIssuedCertHash);
    md::X509AttributePtr attr(X509_ATTRIBUTE_create_by_OBJ(
        nullptr, oid.get(), V_ASN1_OCTET_STRING, hash.data(), static_cast<int>(hash_len)));
    if (!attr) throw CryptoError(op + " (issued certificate hash attribute)");
    std::vector<md::Asn1TypePtr> values;
    values.push_back(md::make_add_attributes(std::move(attr)));
    controls.push_back(md::make_tagged_attribute(md::kFirstControlBodyPart, md::kOidMsCmcAttributes,
                                                 std::move(values)));
  }
  for (md::TaggedAttributePtr& c : controls) {
    if (cmc_asn1::sk_CMC_TAGGED_ATTRIBUTE_push(response->controlSequence, c.get()) <= 0)
      throw CryptoError(op);
    c.release();
  }

  const Bytes content =
      md::encode(ASN1_ITEM_rptr(cmc_asn1::CMC_PKI_RESPONSE), response.get(), "PKIResponse");
  return cms_sign(content, kOidCctPkiResponse, ca_cert, ca_key, certificates);
}

CmcResponse parse_cmc_response(const Bytes& der) {
  const std::string op = "CMC response parsing";
  SignedContent envelope = cms_unwrap(der);
  if (envelope.econtent_type_oid != kOidCctPkiResponse)
    throw CryptoError(op, "eContentType is " + envelope.econtent_type_oid +
                              ", not id-cct-PKIResponse (" + std::string(kOidCctPkiResponse) + ")");
  md::PkiResponsePtr response(md::decode<cmc_asn1::CMC_PKI_RESPONSE>(
      ASN1_ITEM_rptr(cmc_asn1::CMC_PKI_RESPONSE), envelope.content.data(), envelope.content.size(),
      op, "PKIResponse"));

  CmcResponse out;
  bool have_status = false;
  const auto* controls = response->controlSequence;
  for (int i = 0; i < cmc_asn1::sk_CMC_TAGGED_ATTRIBUTE_num(controls); ++i) {
    const cmc_asn1::CMC_TAGGED_ATTRIBUTE* control =
        cmc_asn1::sk_CMC_TAGGED_ATTRIBUTE_value(controls, i);
    const std::string type = oid_for_message(control->attrType);
    if (type == md::kOidStatusInfo && !have_status) {
      // One statusInfo answers our single body part; AD CS sends exactly one.
      if (sk_ASN1_TYPE_num(control->attrValues) < 1)
        throw CryptoError(op, "id-cmc-statusInfo has no value");
      md::StatusInfoPtr info(md::unpack<cmc_asn1::CMC_STATUS_INFO>(
          ASN1_ITEM_rptr(cmc_asn1::CMC_STATUS_INFO), sk_ASN1_TYPE_value(control->attrValues, 0), op,
          "CMCStatusInfo"));
      out.status = md::status_from_wire(md::get_integer(info->cMCStatus, op, "cMCStatus"), op);
      if (info->statusString != nullptr)
        out.status_string.assign(
            reinterpret_cast<const char*>(ASN1_STRING_get0_data(info->statusString)),
            static_cast<std::size_t>(ASN1_STRING_length(info->statusString)));
      if (info->otherInfo != nullptr && info->otherInfo->type == cmc_asn1::kFailInfo)
        out.fail_info =
            static_cast<int>(md::get_integer(info->otherInfo->d.failInfo, op, "failInfo"));
      have_status = true;
    } else if (type == md::kOidMsCmcAttributes) {
      md::for_each_ms_attribute(control, op, [&](const std::string& oid, X509_ATTRIBUTE* attr) {
        if (oid != md::kOidMsIssuedCertHash || X509_ATTRIBUTE_count(attr) < 1) return;
        const ASN1_TYPE* v = X509_ATTRIBUTE_get0_type(attr, 0);
        if (ASN1_TYPE_get(v) != V_ASN1_OCTET_STRING)
          throw CryptoError(op, "1.3.6.1.4.1.311.21.17 value is not an OCTET STRING");
        const unsigned char* d = ASN1_STRING_get0_data(v->value.octet_string);
        out.issued_cert_hash.assign(d, d + ASN1_STRING_length(v->value.octet_string));
      });
    }
  }
  if (!have_status) throw CryptoError(op, "PKIResponse has no id-cmc-statusInfo control");

  out.certificates = std::move(envelope.certificates);
  out.signature_valid = envelope.signature_valid;
  out.verify_error = std::move(envelope.verify_error);
  return out;
}

}  // namespace ceslab::core
