// SPDX-License-Identifier: GPL-2.0-or-later
// The request decoding stage (private to mock_ces): what the CA reads out of
// a request blob, whatever its wrapping (docs/protocol.md 1.3, 1.4, 5.6).
#pragma once

#include <string>

#include "ceslab/core/cmc.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/ossl.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock::pipeline {

// What the CA reads out of the request blob, whatever its wrapping.
struct DecodedRequest {
  core::CsrInfo csr;
  core::Bytes csr_der;
  // `csr_der` decoded, once: the CA issues from it (core/decoded_request.hpp).
  core::X509ReqPtr pkcs10;
  core::NameValuePairs attributes;  // CMC name/value pairs
  // The certificate whose key signed the CMS/CMC wrapper, whenever the
  // signature verifies: the old certificate of a renewal, an enrollment
  // agent's certificate, or anything else a client signed with.
  core::X509Ptr signer_certificate;
  // The same certificate when this CA issued it and it is valid now: the only
  // signer the policy module trusts as an enrollment agent.
  core::X509Ptr signer;

  // A renewal (docs/protocol.md 1.4): signed by a certificate and carrying
  // szOID_RENEWAL_CERTIFICATE. An enroll-on-behalf request is signed by the
  // agent's certificate but carries no renewal attribute.
  bool is_renewal() const {
    return signer_certificate != nullptr && csr.renewal_certificate.has_value();
  }
};

// Stage: request decoding. A robust server sniffs the DER rather than trust
// ValueType (docs/protocol.md 1.3, 5.6). Undecodable requests, bad signatures and
// over-long subject RDNs reach the CA, which assigns an id and fails them
// ("Error Parsing Request", CA event 22, logged here).
// `requester` ("LAB\alice") names whom the CA logs a failure for.
DecodedRequest decode_request(const core::Bytes& blob, LabCa& ca, EventLog& events,
                              const World& world, const std::string& requester);

}  // namespace ceslab::mock::pipeline
