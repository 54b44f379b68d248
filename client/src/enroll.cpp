// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/enroll.hpp"

#include <unistd.h>

#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "ceslab/core/cmc.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/core/pem.hpp"

namespace ceslab::client {

namespace uri = core::uri;

namespace {
constexpr std::uint32_t kWsEndpointFaultReceived = 0x803d0013;
constexpr std::uint32_t kWsInvalidFormat = 0x803d0000;

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// The WS-Addressing and WS-Security headers every RST carries.
core::SoapMessage rst_message(const std::string& url,
                              const std::optional<UsernameCredentials>& username) {
  return request_message(uri::kActionRstWstep, url, username);
}

core::SoapMessage build_issue(const EnrollRequest& request, const core::Bytes& blob) {
  core::SoapMessage m = rst_message(request.url, request.credentials.username);
  core::RequestSecurityToken rst;
  // Windows labels every request blob #PKCS7, even a bare PKCS#10 (MS-WSTEP 4.1.1.1).
  rst.token =
      core::BinaryToken{std::string(uri::kValueTypePkcs7), std::string(uri::kEncodingBase64), blob};
  rst.context.push_back({"CertificateTemplate", request.template_name});
  rst.context.push_back({"ccm", host_name()});
  m.body = std::move(rst);
  return m;
}

}  // namespace

std::string_view to_string(EnrollStatus status) {
  switch (status) {
    case EnrollStatus::issued:
      return "issued";
    case EnrollStatus::pending:
      return "pending";
    case EnrollStatus::failed:
      return "failed";
  }
  return "failed";
}

std::vector<std::string> failure_messages(const SoapCall& call) {
  if (call.exchange.error) return {call.exchange.error_message};
  if (call.reply) {
    if (const auto* fault = std::get_if<core::EnrollmentFault>(&call.reply->body)) {
      std::vector<std::string> lines{
          "A message containing a fault was received from the remote endpoint. " +
          core::format_code(kWsEndpointFaultReceived)};
      if (fault->error_code) {
        lines.push_back(core::format_message_line(static_cast<std::uint32_t>(*fault->error_code)));
      } else if (!fault->reason.empty()) {
        lines.push_back(fault->reason);
      }
      return lines;
    }
    return {"The server answered with an unexpected message (action " +
            call.reply->addressing.action + ")"};
  }
  return {core::format_message_line(kWsInvalidFormat), call.parse_error};
}

namespace {

// The template extension a new request carries: what the caller set, else
// for a template given by OID the V2 extension with version 0.0 (MS-WCCE
// 2.2.2.7.7.2; the CA refuses only a version newer than its copy), else the
// V1 name extension (MS-WCCE 2.2.2.7.7.1).
core::TemplateRef template_extension(const std::string& template_name,
                                     const std::optional<core::TemplateRef>& info) {
  if (info) return *info;
  if (is_oid(template_name)) return core::TemplateRef{"", template_name, 0, 0};
  return core::TemplateRef{template_name, "", 0, 0};
}

}  // namespace

EnrollResult enroll(const EnrollRequest& request, const TlsSettings& tls) {
  EnrollResult result;
  if (request.csr) {
    if (request.on_behalf_of) {
      throw std::invalid_argument(
          "enrolling on behalf of another account needs a CMC request signed here, not a given "
          "PKCS#10");
    }
    result.call = call(request.url, build_issue(request, *request.csr), tls,
                       request.credentials.http_headers, request.credentials.http_challenge.get());
    read_reply(result);
    return result;
  }
  result.key =
      request.key_pair != nullptr ? core::share(request.key_pair) : core::generate_key(request.key);
  core::CsrOptions csr;
  csr.subject = request.subject;
  csr.san = request.san;
  csr.template_ref = template_extension(request.template_name, request.template_info);
  const core::Bytes pkcs10 = core::build_csr(result.key.get(), csr);
  core::Bytes blob = pkcs10;
  if (request.wrapping == RequestWrapping::cmc) {
    core::NameValuePairs pairs = {{"CertificateTemplate", request.template_name}};
    X509* signer_cert = nullptr;
    EVP_PKEY* signer_key = result.key.get();
    if (const auto& eobo = request.on_behalf_of) {
      if (eobo->agent_certificate == nullptr || eobo->agent_key == nullptr) {
        throw std::invalid_argument("enrolling on behalf of " + eobo->requester +
                                    " needs the agent's certificate and key");
      }
      pairs.emplace_back("RequesterName", eobo->requester);
      signer_cert = eobo->agent_certificate;
      signer_key = eobo->agent_key;
    }
    blob = core::build_cmc_request(pkcs10, signer_cert, signer_key, pairs);
  } else if (request.on_behalf_of) {
    throw std::invalid_argument("enrolling on behalf of another account needs a CMC request");
  }

  result.call = call(request.url, build_issue(request, blob), tls, request.credentials.http_headers,
                     request.credentials.http_challenge.get());
  read_reply(result);
  return result;
}

EnrollResult renew(const RenewRequest& request, const TlsSettings& tls) {
  EnrollResult result;
  if (request.new_key_pair != nullptr) {
    result.key = core::share(request.new_key_pair);
  } else {
    result.key =
        request.new_key ? core::generate_key(*request.new_key) : core::share(request.old_key.get());
  }
  core::CsrOptions csr;
  csr.renewal_of = request.old_certificate.get();
  if (!request.template_name.empty())
    csr.template_ref = template_extension(request.template_name, std::nullopt);
  const core::Bytes pkcs10 = core::build_csr(result.key.get(), csr);
  core::NameValuePairs pairs;
  if (!request.template_name.empty())
    pairs.push_back({"CertificateTemplate", request.template_name});
  const core::Bytes blob =
      request.pkcs7 ? core::cms_sign(pkcs10, core::kOidData, request.old_certificate.get(),
                                     request.old_key.get())
                    : core::build_cmc_request(pkcs10, request.old_certificate.get(),
                                              request.old_key.get(), pairs);
  core::SoapMessage m = rst_message(request.url, request.credentials.username);
  core::RequestSecurityToken rst;
  rst.token =
      core::BinaryToken{std::string(uri::kValueTypePkcs7), std::string(uri::kEncodingBase64), blob};
  if (!request.template_name.empty())
    rst.context.push_back({"CertificateTemplate", request.template_name});
  rst.context.push_back({"ccm", host_name()});
  m.body = std::move(rst);
  result.call = call(request.url, m, tls, request.credentials.http_headers,
                     request.credentials.http_challenge.get());
  read_reply(result);
  return result;
}

EnrollResult retrieve(const RetrieveRequest& request, const TlsSettings& tls) {
  core::SoapMessage m = rst_message(request.url, request.credentials.username);
  core::RequestSecurityToken rst;
  rst.request_type = std::string(uri::kRequestTypeQueryTokenStatus);
  rst.request_id = request.request_id;
  m.body = std::move(rst);
  EnrollResult result;
  result.call = call(request.url, m, tls, request.credentials.http_headers,
                     request.credentials.http_challenge.get());
  read_reply(result);
  return result;
}

core::Bytes read_certificate_request(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::filesystem::filesystem_error("cannot read the certificate request", path,
                                            std::error_code(errno, std::generic_category()));
  }
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  core::BioPtr bio(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  if (!bio) throw core::CryptoError("BIO_new_mem_buf for " + path.string());
  core::X509ReqPtr req(content.find("-----BEGIN") != std::string::npos
                           ? PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr)
                           : d2i_X509_REQ_bio(bio.get(), nullptr));
  if (!req) {
    throw core::CryptoError(path.string() +
                            ": not a PKCS#10 certificate request (PEM CERTIFICATE REQUEST or DER)");
  }
  unsigned char* der = nullptr;
  const int length = i2d_X509_REQ(req.get(), &der);
  if (length <= 0) throw core::CryptoError(path.string() + ": cannot re-encode the request");
  core::Bytes out(der, der + length);
  OPENSSL_free(der);
  const core::CsrInfo info = core::parse_csr(out);
  if (!info.signature_valid) {
    throw core::CryptoError(path.string() +
                            ": the request's signature does not verify with its own key");
  }
  return out;
}

void read_reply(EnrollResult& result) {
  const auto& reply = result.call.reply;
  if (!reply) {
    result.messages = failure_messages(result.call);
    return;
  }
  if (const auto* fault = std::get_if<core::EnrollmentFault>(&reply->body)) {
    result.fault = *fault;
    if (fault->request_id) result.request_id = *fault->request_id;
    result.messages = failure_messages(result.call);
    return;
  }
  const auto* rstr = std::get_if<core::RequestSecurityTokenResponse>(&reply->body);
  if (rstr == nullptr) {
    result.messages = failure_messages(result.call);
    return;
  }
  result.request_id = rstr->request_id.value_or("");
  result.disposition = rstr->disposition_message.value_or("");
  result.pending_reference = rstr->pending_reference.value_or("");
  if (rstr->is_pending()) {
    result.status = EnrollStatus::pending;
    return;
  }
  if (!rstr->issued_certificate) {
    result.messages = {"The response carries neither a certificate nor a pending reference."};
    return;
  }
  result.certificate = core::parse_certificate_der(rstr->issued_certificate->data);
  if (rstr->cmc_response) {
    const core::CmcResponse cmc = core::parse_cmc_response(rstr->cmc_response->data);
    for (const core::X509Ptr& c : cmc.certificates) {
      if (X509_cmp(c.get(), result.certificate.get()) != 0)
        result.chain.push_back(core::share(c.get()));
    }
  }
  result.status = EnrollStatus::issued;
}

bool is_oid(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos ||
      text.front() == '.' || text.back() == '.' || text.find("..") != std::string_view::npos)
    return false;  // OpenSSL takes an empty arc as 0
  // OpenSSL decides what a well-formed dotted OID is (no_name = 1: numbers only).
  const std::unique_ptr<ASN1_OBJECT, decltype(&ASN1_OBJECT_free)> obj(
      OBJ_txt2obj(std::string(text).c_str(), 1), &ASN1_OBJECT_free);
  return obj != nullptr;
}

std::vector<std::filesystem::path> write_enrollment(const EnrollResult& result,
                                                    const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::filesystem::path> written;
  if (result.key) {
    core::write_private_key_pem(dir / "key.pem", result.key.get());
    written.push_back(dir / "key.pem");
  }
  if (result.certificate) {
    core::write_certificates_pem(dir / "cert.pem", {result.certificate.get()});
    written.push_back(dir / "cert.pem");
  }
  std::vector<const X509*> chain;
  for (const auto& c : result.chain) chain.push_back(c.get());
  if (!chain.empty()) {
    core::write_certificates_pem(dir / "chain.pem", chain);
    written.push_back(dir / "chain.pem");
  }
  return written;
}

EnrollmentCheck check_enrollment(const EnrollResult& result,
                                 const std::vector<core::X509Ptr>& trusted_roots) {
  EnrollmentCheck check;
  if (!result.certificate || !result.key) {
    check.chain.error_text = "no certificate";
    return check;
  }
  check.key_matches = core::certificate_matches_key(result.certificate.get(), result.key.get());
  std::vector<core::X509Ptr> intermediates;
  for (const auto& c : result.chain) intermediates.push_back(core::share(c.get()));
  check.chain = core::verify_chain(result.certificate.get(), intermediates, trusted_roots);
  return check;
}

}  // namespace ceslab::client
