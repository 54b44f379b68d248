// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/csr.hpp"

#include "ceslab/core/decoded_request.hpp"

#include "ceslab/core/keys.hpp"
#include "der.hpp"
#include "distinguished_name.hpp"
#include "public_key_info.hpp"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace ceslab::core {

namespace {

using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, detail::Deleter<ASN1_OBJECT, ASN1_OBJECT_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, detail::Deleter<ASN1_STRING, ASN1_STRING_free>>;
using Asn1TypePtr = std::unique_ptr<ASN1_TYPE, detail::Deleter<ASN1_TYPE, ASN1_TYPE_free>>;
using Asn1OctetPtr =
    std::unique_ptr<ASN1_OCTET_STRING, detail::Deleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES, detail::Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using GeneralNamePtr =
    std::unique_ptr<GENERAL_NAME, detail::Deleter<GENERAL_NAME, GENERAL_NAME_free>>;
using EkuPtr = std::unique_ptr<EXTENDED_KEY_USAGE,
                               detail::Deleter<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>>;
using PoliciesPtr = std::unique_ptr<CERTIFICATEPOLICIES,
                                    detail::Deleter<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>>;
using PolicyInfoPtr = std::unique_ptr<POLICYINFO, detail::Deleter<POLICYINFO, POLICYINFO_free>>;

struct ExtensionStackFree {
  void operator()(STACK_OF(X509_EXTENSION) * s) const noexcept {
    sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free);
  }
};
using ExtensionStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtensionStackFree>;

struct TypeStackFree {
  void operator()(ASN1_SEQUENCE_ANY* s) const noexcept { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
};
using TypeStackPtr = std::unique_ptr<ASN1_SEQUENCE_ANY, TypeStackFree>;

// OIDs must be dotted text: names ("serverAuth") would make CEP data and
// scenario files ambiguous.
Asn1ObjectPtr parse_oid(const std::string& text, const std::string& what) {
  const bool dotted = !text.empty() && text.find_first_not_of("0123456789.") == std::string::npos;
  Asn1ObjectPtr obj(dotted ? OBJ_txt2obj(text.c_str(), 1) : nullptr);
  if (!obj) {
    ERR_clear_error();
    throw std::invalid_argument("bad OID '" + text + "' in " + what);
  }
  return obj;
}

Asn1ObjectPtr known_oid(const char* text) {
  Asn1ObjectPtr obj(OBJ_txt2obj(text, 1));
  if (!obj) throw CryptoError(std::string("create OID ") + text);
  return obj;
}

X509ExtensionPtr extension_from_der(const char* oid, bool critical, const Bytes& der) {
  Asn1ObjectPtr obj = known_oid(oid);
  Asn1OctetPtr octets(ASN1_OCTET_STRING_new());
  if (!octets || ASN1_OCTET_STRING_set(octets.get(), der.data(), static_cast<int>(der.size())) != 1)
    throw CryptoError(std::string("build extension ") + oid);
  X509ExtensionPtr ext(
      X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), critical ? 1 : 0, octets.get()));
  if (!ext) throw CryptoError(std::string("build extension ") + oid);
  return ext;
}

X509ExtensionPtr extension_from_struct(int nid, bool critical, void* value, const char* what) {
  X509ExtensionPtr ext(X509V3_EXT_i2d(nid, critical ? 1 : 0, value));
  if (!ext) throw CryptoError(std::string("build ") + what + " extension");
  return ext;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

void push_name(GENERAL_NAMES* names, GeneralNamePtr name) {
  if (sk_GENERAL_NAME_push(names, name.get()) <= 0) throw CryptoError("add subjectAltName entry");
  name.release();  // the stack owns it now
}

GeneralNamePtr ia5_name(int type, const std::string& value, const char* what) {
  if (value.empty())
    throw std::invalid_argument(std::string("empty ") + what + " in subjectAltName");
  // IA5String: internationalised names must arrive as punycode / ASCII.
  if (!is_ascii(value))
    throw std::invalid_argument(std::string(what) + " '" + value + "' is not ASCII");
  Asn1StringPtr str(ASN1_IA5STRING_new());
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!str || !name ||
      ASN1_STRING_set(str.get(), value.data(), static_cast<int>(value.size())) != 1)
    throw CryptoError(std::string("build ") + what + " name");
  GENERAL_NAME_set0_value(name.get(), type, str.release());
  return name;
}

GeneralNamePtr upn_name(const std::string& upn) {
  if (upn.empty()) throw std::invalid_argument("empty UPN in subjectAltName");
  Asn1ObjectPtr oid = known_oid(kOidUpn);
  Asn1StringPtr str(ASN1_UTF8STRING_new());
  Asn1TypePtr value(ASN1_TYPE_new());
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!str || !value || !name ||
      ASN1_STRING_set(str.get(), upn.data(), static_cast<int>(upn.size())) != 1)
    throw CryptoError("build UPN name");
  ASN1_TYPE_set(value.get(), V_ASN1_UTF8STRING, str.release());
  if (GENERAL_NAME_set0_othername(name.get(), oid.get(), value.get()) != 1)
    throw CryptoError("build UPN name");
  oid.release();
  value.release();
  return name;
}

GeneralNamePtr ip_name(const std::string& ip) {
  Asn1OctetPtr octets(a2i_IPADDRESS(ip.c_str()));
  if (!octets) {
    ERR_clear_error();
    throw std::invalid_argument("bad IP address '" + ip + "' in subjectAltName");
  }
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) throw CryptoError("build IP address name");
  GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets.release());
  return name;
}

std::string asn1_string_text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

// Any ASN.1 character string as UTF-8 (BMPString included).
std::string string_to_utf8(const ASN1_STRING* s, const std::string& what) {
  unsigned char* out = nullptr;
  const int len = ASN1_STRING_to_UTF8(&out, s);
  if (len < 0) throw CryptoError("decode " + what);
  std::string text(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return text;
}

bool is_character_string(int type) {
  switch (type) {
    case V_ASN1_UTF8STRING:
    case V_ASN1_BMPSTRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_IA5STRING:
    case V_ASN1_T61STRING:
    case V_ASN1_UNIVERSALSTRING:
    case V_ASN1_VISIBLESTRING:
      return true;
    default:
      return false;
  }
}

// Decodes a standard extension; nullptr if absent, CryptoError if broken.
template <typename T>
T* decode_standard(const STACK_OF(X509_EXTENSION) * exts, int nid, const char* what) {
  if (exts == nullptr) return nullptr;
  int crit = 0;
  void* value = X509V3_get_d2i(exts, nid, &crit, nullptr);
  if (value != nullptr) return static_cast<T*>(value);
  if (crit == -1) {
    ERR_clear_error();
    return nullptr;
  }
  if (crit == -2) throw CryptoError(std::string("read ") + what, "extension occurs more than once");
  throw CryptoError(std::string("decode ") + what + " extension");
}

const X509_EXTENSION* find_extension(const STACK_OF(X509_EXTENSION) * exts, const char* oid,
                                     const char* what) {
  if (exts == nullptr) return nullptr;
  Asn1ObjectPtr obj = known_oid(oid);
  const int idx = X509v3_get_ext_by_OBJ(exts, obj.get(), -1);
  if (idx < 0) return nullptr;
  if (X509v3_get_ext_by_OBJ(exts, obj.get(), idx) >= 0)
    throw CryptoError(std::string("read ") + what, "extension occurs more than once");
  return X509v3_get_ext(exts, idx);
}

int template_version(const ASN1_TYPE* t, const char* which) {
  if (t->type != V_ASN1_INTEGER)
    throw CryptoError("decode certificate template extension",
                      std::string(which) + " version is not an INTEGER");
  int64_t v = 0;
  if (ASN1_INTEGER_get_int64(&v, t->value.integer) != 1 || v < 0 || v > INT32_MAX)
    throw CryptoError("decode certificate template extension",
                      std::string(which) + " version out of range");
  return static_cast<int>(v);
}

// ---- distinguished names ----

struct Ava {
  std::string raw;  // as written, escapes intact, for error messages
  std::string type;
  std::string value;
};
using Rdn = std::vector<Ava>;

[[noreturn]] void bad_part(std::string_view part, const std::string& why) {
  throw std::invalid_argument("bad distinguished name part '" + std::string(part) + "': " + why);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits `text` into RDNs at unescaped `separator` and AVAs at unescaped '+',
// keeping escapes and quotes in the pieces (they are resolved per value).
std::vector<std::vector<std::string>> split_rdns(std::string_view text, char separator) {
  std::vector<std::vector<std::string>> rdns(1);
  std::string current;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size()) bad_part(text, "ends with a lone backslash");
      current += c;
      current += text[++i];
    } else if (c == '"') {
      quoted = !quoted;
      current += c;
    } else if (!quoted && c == separator) {
      rdns.back().push_back(std::move(current));
      current.clear();
      rdns.emplace_back();
    } else if (!quoted && c == '+') {
      rdns.back().push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (quoted) bad_part(text, "unterminated quote");
  rdns.back().push_back(std::move(current));
  return rdns;
}

Ava parse_ava(const std::string& raw) {
  // The type never contains escapes, so the first '=' splits.
  const size_t eq = raw.find('=');
  if (eq == std::string::npos) bad_part(raw, "no '='");
  Ava ava;
  ava.raw = raw;
  std::string_view type(raw.data(), eq);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (type.empty()) bad_part(raw, "empty attribute type");
  ava.type = std::string(type);

  // Resolve escapes and quotes, remembering which characters were literal
  // so that only unescaped, unquoted spaces at either end are trimmed.
  std::string value;
  std::vector<bool> keep;
  bool quoted = false;
  for (size_t i = eq + 1; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\\') {
      const char n = raw[++i];  // split_rdns guarantees a following char
      if (i + 1 < raw.size() && hex_value(n) >= 0 && hex_value(raw[i + 1]) >= 0) {
        value += static_cast<char>(hex_value(n) * 16 + hex_value(raw[i + 1]));
        ++i;
      } else {
        value += n;
      }
      keep.push_back(true);
    } else if (c == '"') {
      quoted = !quoted;
    } else {
      value += c;
      keep.push_back(quoted || c != ' ');
    }
  }
  size_t b = 0;
  size_t e = value.size();
  while (b < e && !keep[b]) ++b;
  while (e > b && !keep[e - 1]) --e;
  ava.value = value.substr(b, e - b);
  return ava;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

Asn1ObjectPtr attribute_type(const Ava& ava) {
  const std::string u = upper(ava.type);
  int nid = NID_undef;
  if (u == "E" || u == "EMAIL" || u == "EMAILADDRESS") {
    nid = NID_pkcs9_emailAddress;
  } else if (u == "S") {  // Windows writes the state as S=
    nid = NID_stateOrProvinceName;
  } else if (ava.type.find_first_not_of("0123456789.") == std::string::npos) {
    Asn1ObjectPtr obj(OBJ_txt2obj(ava.type.c_str(), 1));
    if (!obj) {
      ERR_clear_error();
      bad_part(ava.raw, "bad OID '" + ava.type + "'");
    }
    return obj;
  } else {
    nid = OBJ_txt2nid(ava.type.c_str());
    if (nid == NID_undef) nid = OBJ_txt2nid(u.c_str());
    // Long names are mixed case ("serialNumber"); accept any case of them.
    static constexpr const char* kMixed[] = {"serialNumber", "givenName", "surname",
                                             "title",        "street",    "postalCode",
                                             "initials",     "pseudonym", "dnQualifier"};
    for (const char* m : kMixed)
      if (nid == NID_undef && upper(m) == u) nid = OBJ_txt2nid(m);
  }
  if (nid == NID_undef) {
    ERR_clear_error();
    bad_part(ava.raw, "unknown attribute type '" + ava.type + "'");
  }
  Asn1ObjectPtr obj(OBJ_dup(OBJ_nid2obj(nid)));
  if (!obj) throw CryptoError("copy OID");
  return obj;
}

// The value as OpenSSL encodes it for the attribute type (string type from
// its table, e.g. PrintableString for C), but without the X.520 upper bounds
// of names (CN <= 64, ...): Windows clients send longer values and leave
// refusing them to the CA (CERTSRV_E_BAD_REQUESTSUBJECT). Fixed-size codes
// (C: two letters) keep their size.
Asn1StringPtr attribute_value(const ASN1_OBJECT* type, const Ava& ava) {
  const unsigned long global_mask = ASN1_STRING_get_default_mask();
  unsigned long mask = DIRSTRING_TYPE & global_mask;
  long min_size = 0;
  long max_size = 0;  // none
  if (const ASN1_STRING_TABLE* table = ASN1_STRING_TABLE_get(OBJ_obj2nid(type))) {
    mask = (table->flags & STABLE_NO_MASK) ? table->mask : table->mask & global_mask;
    min_size = table->minsize;
    if (table->minsize == table->maxsize) max_size = table->maxsize;
  }
  ASN1_STRING* out = nullptr;
  if (ASN1_mbstring_ncopy(&out, reinterpret_cast<const unsigned char*>(ava.value.data()),
                          static_cast<int>(ava.value.size()), MBSTRING_UTF8, mask, min_size,
                          max_size) < 0)
    bad_part(ava.raw, "rejected by OpenSSL: " + drain_openssl_errors());
  return Asn1StringPtr(out);
}

void add_rdn(X509_NAME* name, const std::vector<std::string>& pieces) {
  bool first = true;
  for (const std::string& piece : pieces) {
    const Ava ava = parse_ava(piece);
    Asn1ObjectPtr type = attribute_type(ava);
    const Asn1StringPtr value = attribute_value(type.get(), ava);
    // set 0 starts a new RDN; -1 adds to the RDN just appended.
    if (X509_NAME_add_entry_by_OBJ(name, type.get(), ASN1_STRING_type(value.get()),
                                   ASN1_STRING_get0_data(value.get()),
                                   ASN1_STRING_length(value.get()), -1, first ? 0 : -1) != 1)
      bad_part(ava.raw, "rejected by OpenSSL: " + drain_openssl_errors());
    first = false;
  }
}

}  // namespace

std::string oid_text(const ASN1_OBJECT* oid) {
  if (oid == nullptr) return {};
  char buf[128];
  const int len = OBJ_obj2txt(buf, sizeof buf, oid, 1);
  if (len < 0) throw CryptoError("format OID");
  if (static_cast<size_t>(len) < sizeof buf) return std::string(buf, static_cast<size_t>(len));
  std::string big(static_cast<size_t>(len) + 1, '\0');
  OBJ_obj2txt(big.data(), len + 1, oid, 1);
  big.resize(static_cast<size_t>(len));
  return big;
}

X509NamePtr parse_distinguished_name(std::string_view text) {
  X509NamePtr name(X509_NAME_new());
  if (!name) throw CryptoError("allocate X509_NAME");
  add_distinguished_name(name.get(), text);
  return name;
}

void add_distinguished_name(X509_NAME* name, std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  // Trailing blanks are trimmed per value, where an escaped "\ " survives.
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return;

  const bool slash_form = text.front() == '/';
  if (slash_form) text.remove_prefix(1);
  auto rdns = split_rdns(text, slash_form ? '/' : ',');
  for (const auto& rdn : rdns)
    for (const auto& piece : rdn)
      if (piece.find_first_not_of(' ') == std::string::npos)
        bad_part(text, "empty RDN (stray separator)");
  // RFC 4514 text lists the most specific RDN first; DER wants it last.
  if (!slash_form) std::reverse(rdns.begin(), rdns.end());
  for (const auto& rdn : rdns) add_rdn(name, rdn);
}

std::string format_distinguished_name(const X509_NAME* name) {
  if (name == nullptr) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw CryptoError("allocate BIO");
  // RFC 2253 without ESC_MSB so that "Jürgen" stays readable UTF-8.
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    throw CryptoError("format distinguished name");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

X509ExtensionPtr make_subject_alt_name_extension(const SubjectAltNames& san, bool critical) {
  if (san.empty()) throw std::invalid_argument("subjectAltName without entries");
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) throw CryptoError("allocate GENERAL_NAMES");
  for (const auto& d : san.dns) push_name(names.get(), ia5_name(GEN_DNS, d, "DNS name"));
  for (const auto& e : san.email) push_name(names.get(), ia5_name(GEN_EMAIL, e, "e-mail address"));
  for (const auto& u : san.upn) push_name(names.get(), upn_name(u));
  for (const auto& i : san.ip) push_name(names.get(), ip_name(i));
  return extension_from_struct(NID_subject_alt_name, critical, names.get(), "subjectAltName");
}

X509ExtensionPtr make_eku_extension(const std::vector<std::string>& oids) {
  if (oids.empty()) throw std::invalid_argument("extendedKeyUsage without OIDs");
  EkuPtr eku(EXTENDED_KEY_USAGE_new());
  if (!eku) throw CryptoError("allocate EXTENDED_KEY_USAGE");
  for (const auto& text : oids) {
    Asn1ObjectPtr obj = parse_oid(text, "extendedKeyUsage");
    if (sk_ASN1_OBJECT_push(eku.get(), obj.get()) <= 0) throw CryptoError("add EKU");
    obj.release();
  }
  return extension_from_struct(NID_ext_key_usage, false, eku.get(), "extendedKeyUsage");
}

X509ExtensionPtr make_certificate_policies_extension(const std::vector<std::string>& oids) {
  if (oids.empty()) throw std::invalid_argument("certificatePolicies without OIDs");
  PoliciesPtr policies(CERTIFICATEPOLICIES_new());
  if (!policies) throw CryptoError("allocate CERTIFICATEPOLICIES");
  for (const auto& text : oids) {
    Asn1ObjectPtr obj = parse_oid(text, "certificatePolicies");
    PolicyInfoPtr info(POLICYINFO_new());
    if (!info) throw CryptoError("allocate POLICYINFO");
    ASN1_OBJECT_free(info->policyid);
    info->policyid = obj.release();
    if (sk_POLICYINFO_push(policies.get(), info.get()) <= 0) throw CryptoError("add policy");
    info.release();
  }
  return extension_from_struct(NID_certificate_policies, false, policies.get(),
                               "certificatePolicies");
}

X509ExtensionPtr make_template_name_extension(std::string_view name) {
  if (name.empty()) throw std::invalid_argument("empty certificate template name");
  ASN1_STRING* bmp = nullptr;
  if (ASN1_mbstring_copy(&bmp, reinterpret_cast<const unsigned char*>(name.data()),
                         static_cast<int>(name.size()), MBSTRING_UTF8, B_ASN1_BMPSTRING) < 0) {
    ERR_clear_error();
    throw std::invalid_argument("certificate template name '" + std::string(name) +
                                "' is not representable as a BMPString");
  }
  Asn1StringPtr owner(bmp);
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_BMPSTRING(bmp, &der);
  return extension_from_der(kOidTemplateName, false, take_der(der, len, "template name BMPString"));
}

X509ExtensionPtr make_template_info_extension(const TemplateRef& ref) {
  if (ref.oid.empty()) throw std::invalid_argument("certificate template reference without OID");
  if (ref.major < 0 || ref.minor < 0)
    throw std::invalid_argument("negative version in certificate template reference " + ref.oid);
  Asn1ObjectPtr oid = parse_oid(ref.oid, "certificate template reference");
  TypeStackPtr seq(sk_ASN1_TYPE_new_null());
  if (!seq) throw CryptoError("allocate template SEQUENCE");
  auto push = [&](int type, void* value) {
    Asn1TypePtr t(ASN1_TYPE_new());
    if (!t) throw CryptoError("allocate ASN1_TYPE");
    ASN1_TYPE_set(t.get(), type, value);
    if (sk_ASN1_TYPE_push(seq.get(), t.get()) <= 0) throw CryptoError("build template SEQUENCE");
    t.release();
  };
  push(V_ASN1_OBJECT, oid.release());
  for (int version : {ref.major, ref.minor}) {
    ASN1_INTEGER* i = ASN1_INTEGER_new();
    if (i == nullptr || ASN1_INTEGER_set_int64(i, version) != 1) {
      ASN1_INTEGER_free(i);
      throw CryptoError("encode template version");
    }
    push(V_ASN1_INTEGER, i);
  }
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_SEQUENCE_ANY(seq.get(), &der);
  return extension_from_der(kOidTemplateInfo, false, take_der(der, len, "template SEQUENCE"));
}

std::vector<X509ExtensionPtr> make_template_extensions(const TemplateRef& ref) {
  if (ref.name.empty() && ref.oid.empty())
    throw std::invalid_argument("certificate template reference needs a name or an OID");
  std::vector<X509ExtensionPtr> out;
  if (!ref.name.empty()) out.push_back(make_template_name_extension(ref.name));
  if (!ref.oid.empty()) out.push_back(make_template_info_extension(ref));
  return out;
}

SubjectAltNames read_subject_alt_names(const STACK_OF(X509_EXTENSION) * exts) {
  SubjectAltNames san;
  GeneralNamesPtr names(
      decode_standard<GENERAL_NAMES>(exts, NID_subject_alt_name, "subjectAltName"));
  if (!names) return san;
  Asn1ObjectPtr upn = known_oid(kOidUpn);
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
    switch (g->type) {
      case GEN_DNS:
        san.dns.push_back(asn1_string_text(g->d.dNSName));
        break;
      case GEN_EMAIL:
        san.email.push_back(asn1_string_text(g->d.rfc822Name));
        break;
      case GEN_OTHERNAME: {
        const OTHERNAME* other = g->d.otherName;
        if (OBJ_cmp(other->type_id, upn.get()) != 0) break;  // not a UPN: not modelled
        if (other->value == nullptr || other->value->type != V_ASN1_UTF8STRING)
          throw CryptoError("read subjectAltName", "UPN otherName is not a UTF8String");
        san.upn.push_back(asn1_string_text(other->value->value.utf8string));
        break;
      }
      case GEN_IPADD: {
        const ASN1_OCTET_STRING* ip = g->d.iPAddress;
        char text[INET6_ADDRSTRLEN] = {};
        const int len = ASN1_STRING_length(ip);
        if ((len != 4 && len != 16) ||
            inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), text,
                      sizeof text) == nullptr)
          throw CryptoError("read subjectAltName",
                            "iPAddress of " + std::to_string(len) + " bytes");
        san.ip.emplace_back(text);
        break;
      }
      default:
        break;  // URI, directoryName, ...: not modelled by SubjectAltNames
    }
  }
  return san;
}

std::vector<std::string> read_ekus(const STACK_OF(X509_EXTENSION) * exts) {
  std::vector<std::string> out;
  EkuPtr eku(decode_standard<EXTENDED_KEY_USAGE>(exts, NID_ext_key_usage, "extendedKeyUsage"));
  if (!eku) return out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i)
    out.push_back(oid_text(sk_ASN1_OBJECT_value(eku.get(), i)));
  return out;
}

std::vector<std::string> read_policy_oids(const STACK_OF(X509_EXTENSION) * exts) {
  std::vector<std::string> out;
  PoliciesPtr policies(
      decode_standard<CERTIFICATEPOLICIES>(exts, NID_certificate_policies, "certificatePolicies"));
  if (!policies) return out;
  for (int i = 0; i < sk_POLICYINFO_num(policies.get()); ++i)
    out.push_back(oid_text(sk_POLICYINFO_value(policies.get(), i)->policyid));
  return out;
}

std::optional<TemplateRef> read_template_ref(const STACK_OF(X509_EXTENSION) * exts) {
  const X509_EXTENSION* v1 = find_extension(exts, kOidTemplateName, "template name");
  const X509_EXTENSION* v2 = find_extension(exts, kOidTemplateInfo, "template information");
  if (v1 == nullptr && v2 == nullptr) return std::nullopt;
  TemplateRef ref;
  if (v1 != nullptr) {
    const Bytes der = extension_value_der(v1);
    const unsigned char* p = der.data();
    Asn1TypePtr value(d2i_ASN1_TYPE(nullptr, &p, static_cast<long>(der.size())));
    if (!value) throw CryptoError("decode certificate template name extension");
    if (p != der.data() + der.size())
      throw CryptoError("decode certificate template name extension", "trailing bytes");
    // Windows writes a BMPString; accept any character string.
    if (!is_character_string(value->type))
      throw CryptoError("decode certificate template name extension",
                        "value is not a character string");
    ref.name = string_to_utf8(value->value.asn1_string, "certificate template name");
  }
  if (v2 != nullptr) {
    const Bytes der = extension_value_der(v2);
    const unsigned char* p = der.data();
    TypeStackPtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(der.size())));
    if (!seq) throw CryptoError("decode certificate template extension");
    if (p != der.data() + der.size())
      throw CryptoError("decode certificate template extension", "trailing bytes");
    const int n = sk_ASN1_TYPE_num(seq.get());
    if (n < 1 || n > 3 || sk_ASN1_TYPE_value(seq.get(), 0)->type != V_ASN1_OBJECT)
      throw CryptoError("decode certificate template extension",
                        "expected SEQUENCE { OID, INTEGER, INTEGER }");
    ref.oid = oid_text(sk_ASN1_TYPE_value(seq.get(), 0)->value.object);
    // MS-WCCE makes both versions optional; absent reads as 0.
    if (n >= 2) ref.major = template_version(sk_ASN1_TYPE_value(seq.get(), 1), "major");
    if (n >= 3) ref.minor = template_version(sk_ASN1_TYPE_value(seq.get(), 2), "minor");
  }
  return ref;
}

Bytes extension_value_der(const X509_EXTENSION* ext) {
  if (ext == nullptr) throw std::invalid_argument("extension_value_der: null extension");
  // X509_EXTENSION_get_data only reads, but OpenSSL 3.0 declares it non-const.
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(const_cast<X509_EXTENSION*>(ext));
  const unsigned char* p = ASN1_STRING_get0_data(data);
  return Bytes(p, p + ASN1_STRING_length(data));
}

Bytes build_csr(EVP_PKEY* key, const CsrOptions& options) {
  if (key == nullptr) throw std::invalid_argument("build_csr: null key");
  X509ReqPtr req(X509_REQ_new());
  if (!req) throw CryptoError("allocate X509_REQ");
  X509NamePtr subject = parse_distinguished_name(options.subject);
  // An RSA key's public half goes in through its legacy twin: the same
  // SubjectPublicKeyInfo, without OpenSSL 3.0's provider encoder and decoder.
  const EvpPkeyPtr legacy_public = legacy_rsa_public_key(key);
  if (X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(req.get(), subject.get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), legacy_public ? legacy_public.get() : key) != 1)
    throw CryptoError("fill PKCS#10 request");

  ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
  if (!exts) throw CryptoError("allocate extension list");
  auto add = [&](X509ExtensionPtr ext) {
    if (sk_X509_EXTENSION_push(exts.get(), ext.get()) <= 0) throw CryptoError("add extension");
    ext.release();
  };
  if (!options.san.empty()) add(make_subject_alt_name_extension(options.san));
  if (options.template_ref)
    for (auto& ext : make_template_extensions(*options.template_ref)) add(std::move(ext));
  if (!options.ekus.empty()) add(make_eku_extension(options.ekus));
  if (sk_X509_EXTENSION_num(exts.get()) > 0 && X509_REQ_add_extensions(req.get(), exts.get()) != 1)
    throw CryptoError("add extensionRequest attribute");

  if (options.renewal_of != nullptr) {
    unsigned char* der = nullptr;
    const int len = i2d_X509(options.renewal_of, &der);
    const Bytes cert = take_der(der, len, "renewal certificate");
    Asn1ObjectPtr oid = known_oid(kOidRenewalCertificate);
    // V_ASN1_SEQUENCE: OpenSSL takes the bytes as the complete encoding.
    if (X509_REQ_add1_attr_by_OBJ(req.get(), oid.get(), V_ASN1_SEQUENCE, cert.data(),
                                  static_cast<int>(cert.size())) != 1)
      throw CryptoError("add renewal certificate attribute");
  }

  if (X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) throw CryptoError("sign PKCS#10 request");
  unsigned char* der = nullptr;
  const int len = i2d_X509_REQ(req.get(), &der);
  return take_der(der, len, "PKCS#10 request");
}

CsrInfo parse_csr(const Bytes& der) {
  return describe_csr(decode_csr(der).get());
}

CsrInfo describe_csr(X509_REQ* req) {
  CsrInfo info;
  info.subject = format_distinguished_name(X509_REQ_get_subject_name(req));

  info.public_key.reset(X509_REQ_get_pubkey(req));
  if (info.public_key) {
    info.key_description = key_description(info.public_key.get());
    info.signature_valid = X509_REQ_verify(req, info.public_key.get()) == 1;
  } else {
    // A key OpenSSL cannot load is a property of the request, not a parse error.
    ASN1_OBJECT* alg = nullptr;
    X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, X509_REQ_get_X509_PUBKEY(req));
    info.key_description = "unsupported key (" + oid_text(alg) + ")";
    info.signature_valid = false;
  }
  ERR_clear_error();  // a failed verification leaves queue entries behind

  ExtensionStackPtr exts(X509_REQ_get_extensions(req));
  if (!exts && (X509_REQ_get_attr_by_NID(req, NID_ext_req, -1) >= 0 ||
                X509_REQ_get_attr_by_NID(req, NID_ms_ext_req, -1) >= 0))
    throw CryptoError("decode extensionRequest attribute");
  ERR_clear_error();
  info.san = read_subject_alt_names(exts.get());
  info.template_ref = read_template_ref(exts.get());
  info.ekus = read_ekus(exts.get());

  Asn1ObjectPtr renewal = known_oid(kOidRenewalCertificate);
  const int idx = X509_REQ_get_attr_by_OBJ(req, renewal.get(), -1);
  if (idx >= 0) {
    X509_ATTRIBUTE* attr = X509_REQ_get_attr(req, idx);
    const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
    if (value == nullptr || value->type != V_ASN1_SEQUENCE)
      throw CryptoError("read renewal certificate attribute", "value is not a certificate");
    const unsigned char* v = ASN1_STRING_get0_data(value->value.sequence);
    info.renewal_certificate = Bytes(v, v + ASN1_STRING_length(value->value.sequence));
  }
  return info;
}

}  // namespace ceslab::core
