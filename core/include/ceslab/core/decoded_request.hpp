// SPDX-License-Identifier: GPL-2.0-or-later
// A PKCS#10 decoded once on the CA's way from request to certificate (issue 17).
// With OpenSSL 3.0 every d2i of a PKCS#10 runs the provider decoders for its
// public key (OSSL_DECODER_CTX_new_for_pkey walks every key manager and decoder
// under read locks), and X509_set_pubkey encodes a provider key and decodes it
// again. The mock decoded each request's key five times; in its issuance
// profile that was a third of the server's CPU (docs/performance.md). The
// functions here hand the decoded request on instead of its DER.
#pragma once

#include "ceslab/core/ca.hpp"
#include "ceslab/core/cmc.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/ossl.hpp"

namespace ceslab::core {

// Exactly one DER PKCS#10: empty input, garbage and trailing bytes throw
// CryptoError, as parse_csr does.
X509ReqPtr decode_csr(const Bytes& der);

// What parse_csr reports, read from a decoded request:
// parse_csr(der) is describe_csr(decode_csr(der).get()).
CsrInfo describe_csr(X509_REQ* request);

// parse_cmc_request, also handing out the PKCS#10 it decoded from the PKIData
// (the same request `cmc.pkcs10` holds as DER).
struct DecodedCmcRequest {
  CmcRequest cmc;
  X509ReqPtr pkcs10;
};
// `decoded`, when given, is `der` as sniff_and_keep_request decoded it.
DecodedCmcRequest parse_cmc_request_decoded(const Bytes& der, CmsPtr decoded = nullptr);

// ca.issue(<the request's public key>, options), with the request's
// SubjectPublicKeyInfo copied into the certificate as the request carries it
// rather than re-encoded from a key object. The certificate is the same DER;
// only the returned object differs: like any X509 built rather than read, it
// holds no decoded key, so X509_get0_pubkey() on it is null (parse its DER
// for that). Throws std::invalid_argument when OpenSSL cannot load the
// request's key, like issue() with a null key.
X509Ptr issue_for_request(const CertificateAuthority& ca, X509_REQ* request,
                          const IssueOptions& options);

}  // namespace ceslab::core
