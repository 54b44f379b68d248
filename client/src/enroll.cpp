// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/enroll.hpp"

#include <unistd.h>

#include <stdexcept>

#include "ceslab/core/cmc.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/core/pem.hpp"

namespace ceslab::client {

namespace uri = core::uri;

namespace {
constexpr std::uint32_t kWsEndpointFaultReceived = 0x803d0013;
constexpr std::uint32_t kWsInvalidFormat = 0x803d0000;
// How long a UsernameToken timestamp stays valid; WCF's default.
constexpr auto kTimestampLifetime = std::chrono::minutes(5);

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// The WS-Addressing and WS-Security headers every RST carries.
core::SoapMessage rst_message(const std::string& url,
                              const std::optional<UsernameCredentials>& username) {
  core::SoapMessage m;
  m.addressing.action = std::string(uri::kActionRstWstep);
  m.addressing.message_id = new_message_id();
  m.addressing.reply_to = std::string(uri::kAnonymous);
  m.addressing.to = url;
  if (username) {
    core::SecurityHeader sec;
    sec.created = std::chrono::system_clock::now();
    sec.expires = *sec.created + kTimestampLifetime;
    core::UsernameToken token;
    token.username = username->username;
    token.password = username->password;
    sec.username_token = std::move(token);
    m.security = std::move(sec);
  }
  return m;
}

core::SoapMessage build_issue(const EnrollRequest& request, const core::Bytes& blob) {
  core::SoapMessage m = rst_message(request.url, request.username);
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

// What an RSTRC or fault in `result.call` says, into `result`.
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

}  // namespace

EnrollResult enroll(const EnrollRequest& request, const TlsSettings& tls) {
  EnrollResult result;
  result.key = core::generate_key(request.key);
  core::CsrOptions csr;
  csr.subject = request.subject;
  csr.san = request.san;
  csr.template_ref =
      request.template_info.value_or(core::TemplateRef{request.template_name, "", 0, 0});
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

  result.call = call(request.url, build_issue(request, blob), tls);
  read_reply(result);
  return result;
}

EnrollResult renew(const RenewRequest& request, const TlsSettings& tls) {
  EnrollResult result;
  result.key =
      request.new_key ? core::generate_key(*request.new_key) : core::share(request.old_key.get());
  core::CsrOptions csr;
  csr.renewal_of = request.old_certificate.get();
  if (!request.template_name.empty())
    csr.template_ref = core::TemplateRef{request.template_name, "", 0, 0};
  const core::Bytes pkcs10 = core::build_csr(result.key.get(), csr);
  core::NameValuePairs pairs;
  if (!request.template_name.empty())
    pairs.push_back({"CertificateTemplate", request.template_name});
  const core::Bytes blob =
      request.pkcs7 ? core::cms_sign(pkcs10, core::kOidData, request.old_certificate.get(),
                                     request.old_key.get())
                    : core::build_cmc_request(pkcs10, request.old_certificate.get(),
                                              request.old_key.get(), pairs);
  core::SoapMessage m = rst_message(request.url, request.username);
  core::RequestSecurityToken rst;
  rst.token =
      core::BinaryToken{std::string(uri::kValueTypePkcs7), std::string(uri::kEncodingBase64), blob};
  if (!request.template_name.empty())
    rst.context.push_back({"CertificateTemplate", request.template_name});
  rst.context.push_back({"ccm", host_name()});
  m.body = std::move(rst);
  result.call = call(request.url, m, tls);
  read_reply(result);
  return result;
}

EnrollResult retrieve(const RetrieveRequest& request, const TlsSettings& tls) {
  core::SoapMessage m = rst_message(request.url, request.username);
  core::RequestSecurityToken rst;
  rst.request_type = std::string(uri::kRequestTypeQueryTokenStatus);
  rst.request_id = request.request_id;
  m.body = std::move(rst);
  EnrollResult result;
  result.call = call(request.url, m, tls);
  read_reply(result);
  return result;
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
