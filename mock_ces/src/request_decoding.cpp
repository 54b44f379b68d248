// SPDX-License-Identifier: GPL-2.0-or-later
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <map>
#include <memory>

#include "ca_failure.hpp"
#include "ceslab/core/cms.hpp"
#include "ceslab/core/decoded_request.hpp"
#include "ceslab/core/x509.hpp"
#include "request_decoding.hpp"

namespace ceslab::mock::pipeline {

namespace {

// Longest value, in characters, the CA accepts for these subject RDNs while
// CA\EnforceX500NameLengths is on (gradenegger.eu, "Allowed Relative
// Distinguished Names (RDNs) in the Subject of Issued Certificates"; KB
// Q276339: the CA checks each RDN, and the check can be turned off).
const std::map<int, std::size_t>& rdn_length_limits() {
  static const std::map<int, std::size_t> limits = {
      {NID_commonName, 64},
      {NID_organizationName, 64},
      {NID_organizationalUnitName, 64},
      {NID_title, 64},
      {NID_pkcs9_emailAddress, 128},
      {NID_localityName, 128},
      {NID_stateOrProvinceName, 128},
      {NID_domainComponent, 128},
      {NID_countryName, 2},
  };
  return limits;
}

std::size_t utf8_characters(const unsigned char* text, int bytes) {
  std::size_t count = 0;
  for (int i = 0; i < bytes; ++i) {
    if ((text[i] & 0xC0) != 0x80) ++count;  // not a continuation byte
  }
  return count;
}

// Whether every subject RDN of the PKCS#10 is within the CA's limits.
bool subject_within_limits(const X509_REQ* req) {
  const X509_NAME* name = X509_REQ_get_subject_name(req);
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const auto limit = rdn_length_limits().find(OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)));
    if (limit == rdn_length_limits().end()) continue;
    unsigned char* raw = nullptr;
    const int bytes = ASN1_STRING_to_UTF8(&raw, X509_NAME_ENTRY_get_data(entry));
    if (bytes < 0) throw core::CryptoError("decode a subject RDN");
    const std::unique_ptr<unsigned char, void (*)(unsigned char*)> utf8(
        raw, [](unsigned char* q) { OPENSSL_free(q); });
    if (utf8_characters(utf8.get(), bytes) > limit->second) return false;
  }
  return true;
}

// The certificate that signed the request, kept only when this CA issued it
// and it is valid now: the only signer the policy module trusts.
core::X509Ptr signer_of_this_ca(core::X509Ptr signer, const LabCa& ca) {
  if (!signer) return nullptr;
  std::vector<core::X509Ptr> roots;
  roots.push_back(core::share(ca.authority().certificate()));
  if (!core::verify_chain(signer.get(), {}, roots).ok) return nullptr;
  return signer;
}

}  // namespace

DecodedRequest decode_request(const core::Bytes& blob, LabCa& ca, EventLog& events,
                              const World& world, const std::string& requester) {
  // The CA assigns an id, fails the request and logs event 22; "The request
  // was for" names the request's subject when it has one (gradenegger.eu
  // event 22 examples: "The request was for CN=WEB01.intra.adcslabor.de").
  auto parse_error = [&](std::string_view code, const std::string& subject) {
    FaultRaised raised =
        ca_failure(code, CaDisposition::error_parsing_request,
                   ca.enter_failed(table_code(code).value, "Error Parsing Request"),
                   subject.empty() ? std::nullopt : std::optional<std::string>(subject));
    log_ca_failure(events, world, requester, raised);
    return raised;
  };
  DecodedRequest out;
  try {
    // What sniffing decoded is handed on: OpenSSL 3.0 runs its key decoders
    // on every decoding of a request (docs/performance.md).
    core::SniffedRequest sniffed = core::sniff_and_keep_request(blob);
    switch (sniffed.format) {
      case core::RequestFormat::pkcs10:
        out.csr_der = blob;
        out.pkcs10 = std::move(sniffed.pkcs10);
        break;
      case core::RequestFormat::cms_pkcs10: {
        core::SignedContent signed_content = core::cms_unwrap(blob);
        if (!signed_content.signature_valid) throw parse_error("NTE_BAD_SIGNATURE", "");
        out.csr_der = signed_content.content;
        if (signed_content.signer)
          out.signer_certificate = core::share(signed_content.signer.get());
        out.signer = signer_of_this_ca(std::move(signed_content.signer), ca);
        break;
      }
      case core::RequestFormat::cmc: {
        core::DecodedCmcRequest decoded =
            core::parse_cmc_request_decoded(blob, std::move(sniffed.cms));
        core::CmcRequest& cmc = decoded.cmc;
        out.pkcs10 = std::move(decoded.pkcs10);
        if (!cmc.envelope.signature_valid && !cmc.signed_by_request_key) {
          throw parse_error("NTE_BAD_SIGNATURE", "");
        }
        out.csr_der = cmc.pkcs10;
        if (cmc.envelope.signature_valid && cmc.envelope.signer)
          out.signer_certificate = core::share(cmc.envelope.signer.get());
        out.attributes = cmc.name_value_pairs;
        if (cmc.envelope.signature_valid) {
          out.signer = signer_of_this_ca(std::move(cmc.envelope.signer), ca);
        }
        break;
      }
    }
    // Decoded once (a CMC request's PKCS#10 already was): OpenSSL 3.0 runs
    // its key decoders on every decoding.
    if (!out.pkcs10) out.pkcs10 = core::decode_csr(out.csr_der);
    out.csr = core::describe_csr(out.pkcs10.get());
    if (!out.csr.signature_valid) throw parse_error("NTE_BAD_SIGNATURE", out.csr.subject);
    if (world.ca.enforce_x500_name_lengths && !subject_within_limits(out.pkcs10.get())) {
      throw parse_error("CERTSRV_E_BAD_REQUESTSUBJECT", out.csr.subject);
    }
  } catch (const core::CryptoError&) {
    throw parse_error("CRYPT_E_ASN1_BADTAG", "");
  }
  return out;
}

}  // namespace ceslab::mock::pipeline
