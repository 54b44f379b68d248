// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/cms.hpp"
#include "pipeline.hpp"

namespace ceslab::mock::pipeline {

// The CA's disposition for a request it cannot process (CA event 22's
// "Additional information", protocol.md 6).
constexpr const char* kErrorParsingRequest = "Error Parsing Request";

DecodedRequest decode_request(const core::Bytes& blob, LabCa& ca) {
  DecodedRequest out;
  try {
    switch (core::sniff_request(blob)) {
      case core::RequestFormat::pkcs10:
        out.csr_der = blob;
        break;
      case core::RequestFormat::cms_pkcs10: {
        core::SignedContent signed_content = core::cms_unwrap(blob);
        if (!signed_content.signature_valid) {
          throw FaultRaised{
              enrollment_fault(kNteBadSignature, "Invalid Signature.", true,
                               ca.enter_failed(kNteBadSignature, kErrorParsingRequest))};
        }
        out.csr_der = signed_content.content;
        if (signed_content.signer)
          out.signer_certificate = core::share(signed_content.signer.get());
        break;
      }
      case core::RequestFormat::cmc: {
        core::CmcRequest cmc = core::parse_cmc_request(blob);
        if (!cmc.envelope.signature_valid && !cmc.signed_by_request_key) {
          throw FaultRaised{
              enrollment_fault(kNteBadSignature, "Invalid Signature.", true,
                               ca.enter_failed(kNteBadSignature, kErrorParsingRequest))};
        }
        out.csr_der = cmc.pkcs10;
        if (cmc.envelope.signature_valid && cmc.envelope.signer)
          out.signer_certificate = core::share(cmc.envelope.signer.get());
        out.attributes = cmc.name_value_pairs;
        break;
      }
    }
    out.csr = core::parse_csr(out.csr_der);
  } catch (const core::CryptoError&) {
    throw FaultRaised{enrollment_fault(kCryptAsn1BadTag, "ASN1 bad tag value met.", true,
                                       ca.enter_failed(kCryptAsn1BadTag, kErrorParsingRequest))};
  }
  if (!out.csr.signature_valid) {
    throw FaultRaised{enrollment_fault(kNteBadSignature, "Invalid Signature.", true,
                                       ca.enter_failed(kNteBadSignature, kErrorParsingRequest))};
  }
  return out;
}

}  // namespace ceslab::mock::pipeline
