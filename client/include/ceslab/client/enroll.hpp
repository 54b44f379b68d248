// SPDX-License-Identifier: GPL-2.0-or-later
// Enrollment against a CES (MS-WSTEP): new key, request, RST Issue, RSTRC.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/core/x509.hpp"

namespace ceslab::client {

// How the PKCS#10 travels: CMC as CertEnroll sends it (the Windows default),
// or bare as cepces sends it.
enum class RequestWrapping { cmc, pkcs10 };

// Enrollment on behalf of another account (MS-WCCE 3.2.2.6.2.1.2.1): the CMC
// carries a RequesterName pair and is signed with an enrollment agent's
// certificate and key instead of the new key (CertEnroll's
// IX509CertificateRequestCmc::RequesterName and SignerCertificate).
struct OnBehalfOf {
  std::string requester;              // "LAB\bob"
  X509* agent_certificate = nullptr;  // not owned; must outlive enroll()
  EVP_PKEY* agent_key = nullptr;      // not owned
};

struct EnrollRequest {
  std::string url;  // the CES endpoint
  // The template's name or OID: the CertificateTemplate context item.
  std::string template_name;
  // The V2 template extension (1.3.6.1.4.1.311.21.7: template OID and
  // major/minor version, as CEP lists them) that Windows clients put in
  // requests for schema 2+ templates instead of the V1 name extension.
  // Unset: the V1 name extension with `template_name`, or the V2 extension
  // with version 0.0 when `template_name` is an OID (see is_oid).
  std::optional<core::TemplateRef> template_info;
  // A PKCS#10 made elsewhere (DER, e.g. read_certificate_request): sent as
  // given, bare, as `certreq -submit` sends a request file; no key is
  // generated and key/subject/san/template_info/wrapping do not apply.
  std::optional<core::Bytes> csr;
  core::KeySpec key{core::KeyAlgorithm::rsa, 2048, ""};
  // Not owned: the key pair to request for instead of generating one of
  // `key` (a harness that keeps a pool of keys; the result holds a
  // reference). Must outlive enroll().
  EVP_PKEY* key_pair = nullptr;
  std::string subject;  // empty: the CA builds it from the directory
  core::SubjectAltNames san;
  RequestWrapping wrapping = RequestWrapping::cmc;
  std::optional<OnBehalfOf> on_behalf_of;  // needs RequestWrapping::cmc
  RequestCredentials credentials;
};

enum class EnrollStatus { issued, pending, failed };
std::string_view to_string(EnrollStatus status);

struct EnrollResult {
  EnrollStatus status = EnrollStatus::failed;
  core::EvpPkeyPtr key;
  core::X509Ptr certificate;
  std::vector<core::X509Ptr> chain;  // CA certificates the CMC response carried
  std::string request_id;
  std::string disposition;
  std::string pending_reference;  // the CES URI to poll, when pending
  std::optional<core::EnrollmentFault> fault;
  SoapCall call;                      // the raw exchange
  std::vector<std::string> messages;  // what went wrong, as certreq would print it
};

EnrollResult enroll(const EnrollRequest& request, const TlsSettings& tls);

// Renewal (docs/protocol.md 1.4): RequestType Issue with a new PKCS#10 that
// carries szOID_RENEWAL_CERTIFICATE (the old certificate), signed with the
// old certificate's key — as CMC (CertEnroll's form) or as PKCS#7 over the
// PKCS#10 (MS-WSTEP 4.1.5.1). On a key-based-renewal endpoint pass the old
// certificate and key as the TLS client certificate too.
struct RenewRequest {
  std::string url;
  core::X509Ptr old_certificate;
  core::EvpPkeyPtr old_key;
  std::optional<core::KeySpec> new_key;  // nullopt: keep the old key
  EVP_PKEY* new_key_pair = nullptr;      // not owned: this new key instead of one of new_key
  bool pkcs7 = false;                    // PKCS#7 (id-data) instead of CMC
  std::string template_name;             // empty: the CA takes the old certificate's
  RequestCredentials credentials;
};
EnrollResult renew(const RenewRequest& request, const TlsSettings& tls);

// QueryTokenStatus for a pending request (MS-WSTEP 3.1.4.1.3.3): sent to the
// CES URI the pending reply named; the result is issued, still pending, or
// failed as for enroll() (no key: the caller kept the one it generated).
struct RetrieveRequest {
  std::string url;
  std::string request_id;
  RequestCredentials credentials;
};
EnrollResult retrieve(const RetrieveRequest& request, const TlsSettings& tls);

// A PKCS#10 request file, PEM ("CERTIFICATE REQUEST" / "NEW CERTIFICATE
// REQUEST") or DER, as DER. Throws core::CryptoError naming the file when it
// is neither or does not parse, std::filesystem::filesystem_error when it
// cannot be read.
core::Bytes read_certificate_request(const std::filesystem::path& path);

// Dotted-decimal object identifier text ("1.3.6.1.4.1.311.21.8.1.2"): how
// a template given by OID is told from one given by name.
bool is_oid(std::string_view text);

// key.pem (0600), cert.pem and chain.pem (issuing chain) in `dir`, each
// when the result has it; returns the files written.
std::vector<std::filesystem::path> write_enrollment(const EnrollResult& result,
                                                    const std::filesystem::path& dir);

// The certificate matches the key and chains to one of `trusted_roots`.
struct EnrollmentCheck {
  bool key_matches = false;
  core::ChainCheck chain;
  bool ok() const { return key_matches && chain.ok; }
};
EnrollmentCheck check_enrollment(const EnrollResult& result,
                                 const std::vector<core::X509Ptr>& trusted_roots);

// What the RSTR or fault in `result.call.reply` says, into `result`: the
// issued certificate and the CMC response's chain, the request id and
// disposition, a pending reference, or the fault and certreq's lines. What
// enroll(), renew() and retrieve() do after the exchange. Throws
// core::CryptoError when the issued certificate or the CMC response does not
// parse.
void read_reply(EnrollResult& result);

// The lines certreq prints for a failed exchange (docs/protocol.md 6).
std::vector<std::string> failure_messages(const SoapCall& call);

}  // namespace ceslab::client
