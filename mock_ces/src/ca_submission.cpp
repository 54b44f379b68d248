// SPDX-License-Identifier: GPL-2.0-or-later
// The CA's side of a request once it reached the CA: the request enters the
// database with a new id, the policy module decides, and the CA issues,
// leaves it pending for a certificate manager, or denies it. Also the status
// inspection behind QueryTokenStatus (MS-WCCE 3.2.1.4.3.1.2), which issues a
// request an officer has approved in the meantime.
#include <charconv>

#include "ca_failure.hpp"
#include "ca_policy.hpp"
#include "ca_submission.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/core/decoded_request.hpp"
#include "ceslab/core/x509.hpp"
#include "renewal.hpp"
#include "request_decoding.hpp"

namespace ceslab::mock::pipeline {

namespace uri = core::uri;

namespace {

// The CA's disposition text for a request left for a certificate manager
// (docs/causes.md request_pending; MS-WSTEP fixes no string, real CAs send this).
constexpr const char* kTakenUnderSubmission = "Taken Under Submission";

std::string requester_name(const World& world, const Account& account) {
  return world.netbios_domain + "\\" + account.name;
}

// `cert_der`: `cert` encoded, once for the database and the answer (a
// freshly signed certificate is encoded anew each time it is written).
core::RequestSecurityTokenResponse issued_rstr(const LabCa& ca, const X509* cert,
                                               core::Bytes cert_der, std::int64_t request_id) {
  const core::CertificateAuthority& authority = ca.authority();
  core::RequestSecurityTokenResponse rstr;
  rstr.disposition_message = "Issued";
  rstr.cmc_response = core::BinaryToken{
      std::string(uri::kValueTypePkcs7), std::string(uri::kEncodingBase64),
      core::build_cmc_response(core::CmcStatus::success, "Issued", authority.certificate(),
                               authority.key(), {authority.certificate(), const_cast<X509*>(cert)},
                               cert)};
  rstr.issued_certificate = core::BinaryToken{
      std::string(uri::kValueTypeX509v3), std::string(uri::kEncodingBase64), std::move(cert_der)};
  rstr.request_id = std::to_string(request_id);
  return rstr;
}

// Pending (docs/protocol.md 1.7, MS-WSTEP 3.1.4.1.3.2): no certificate, the CES
// URI to poll in RequestedSecurityToken's Reference, the CA's id, and a CMC
// response with status pending.
core::RequestSecurityTokenResponse pending_rstr(const LabCa& ca, const StoredRequest& row) {
  const core::CertificateAuthority& authority = ca.authority();
  core::RequestSecurityTokenResponse rstr;
  rstr.disposition_message = row.disposition_message;
  rstr.cmc_response =
      core::BinaryToken{std::string(uri::kValueTypePkcs7), std::string(uri::kEncodingBase64),
                        core::build_cmc_response(core::CmcStatus::pending, row.disposition_message,
                                                 authority.certificate(), authority.key(),
                                                 {authority.certificate()}, nullptr)};
  rstr.pending_reference = row.ces_uri;
  rstr.request_id = std::to_string(row.id);
  return rstr;
}

// A denial or failure recorded in the database, as the CES reports it: the
// CA's code and disposition text, InvalidRequest true, the CA's id.
WireFault stored_outcome_fault(const StoredRequest& row) {
  return enrollment_fault(static_cast<std::uint32_t>(row.status_code), row.disposition_message,
                          true, std::to_string(row.id));
}

// A denial by the CA: recorded with its code, logged as event 53.
void record_denial(LabCa& ca, const World& world, EventLog& events, const StoredRequest& row,
                   const std::string& requester, const FaultRaised& raised) {
  const core::EnrollmentFault& f = raised.fault.fault;
  // Event 53 dispositions are denials; 21/22 ones are failures to process.
  const bool denied = !raised.ca || raised.ca->disposition == CaDisposition::denied_by_policy ||
                      raised.ca->disposition == CaDisposition::error_constructing;
  if (denied) {
    ca.store().mark_denied(row.id, f.error_code.value_or(0), f.reason);
  } else {
    ca.store().mark_failed(row.id, f.error_code.value_or(0), f.reason);
  }
  log_ca_failure(events, world, requester, raised);
}

core::RequestSecurityTokenResponse issue_now(const DecodedRequest& req,
                                             const core::IssueOptions& options, LabCa& ca,
                                             const StoredRequest& row) {
  core::X509Ptr cert = core::issue_for_request(ca.authority(), req.pkcs10.get(), options);
  core::Bytes der = core::certificate_der(cert.get());
  ca.store().mark_issued(row.id, der);
  return issued_rstr(ca, cert.get(), std::move(der), row.id);
}

// The template a renewal is for when the request names none: the one in
// the old certificate's template extension.
std::optional<std::string> old_certificate_template(const DecodedRequest& req) {
  if (!req.is_renewal()) return std::nullopt;
  const core::CertificateInfo info = core::describe(req.signer_certificate.get());
  if (!info.template_ref) return std::nullopt;
  if (!info.template_ref->name.empty()) return info.template_ref->name;
  if (!info.template_ref->oid.empty()) return info.template_ref->oid;
  return std::nullopt;
}

// Runs the policy module over an entered request and records the outcome.
// `officer_approved`: a certificate manager already approved it, so manager
// approval no longer pends it.
core::RequestSecurityTokenResponse decide(const core::RequestSecurityToken& rst,
                                          const DecodedRequest& req, const Account& account,
                                          const World& world, LabCa& ca, EventLog& events,
                                          const StoredRequest& row, bool officer_approved) {
  core::IssueOptions options;
  try {
    if (req.is_renewal()) check_renewal(req, ca, std::to_string(row.id));
    options = apply_policy(rst, req, account, world, std::to_string(row.id));
  } catch (const FaultRaised& raised) {
    record_denial(ca, world, events, row, requester_name(world, account), raised);
    throw;
  }
  const TemplateSettings* tmpl =
      options.template_ref ? world.find_template(options.template_ref->name) : nullptr;
  if (tmpl != nullptr && tmpl->manager_approval && !officer_approved) {
    return pending_rstr(ca, row);
  }
  return issue_now(req, options, ca, row);
}

}  // namespace

core::RequestSecurityTokenResponse submit_request(const core::RequestSecurityToken& rst,
                                                  const DecodedRequest& req, const Account& account,
                                                  const World& world, LabCa& ca, EventLog& events,
                                                  const std::string& ces_uri) {
  StoredRequest row;
  row.disposition = Disposition::pending;
  row.disposition_message = kTakenUnderSubmission;
  row.requester = requester_name(world, account);
  row.request_der = req.csr_der;
  row.ces_uri = ces_uri;
  core::RequestSecurityToken effective = rst;
  std::optional<std::string> name = requested_template(rst, req);
  if (!name && (name = old_certificate_template(req))) {
    effective.context.push_back({"CertificateTemplate", *name});
  }
  if (name) {
    const TemplateSettings* t = world.find_template(*name);
    row.template_name = t ? t->name : *name;
    row.attributes = "CertificateTemplate:" + row.template_name + "\n";
  }
  row.id = ca.store().add(row);
  return decide(effective, req, account, world, ca, events, row, false);
}

core::RequestSecurityTokenResponse submit_key_based_renewal(const DecodedRequest& req,
                                                            const X509* tls_client_certificate,
                                                            const World& world, LabCa& ca,
                                                            EventLog& events,
                                                            const std::string& ces_uri) {
  StoredRequest row;
  row.disposition = Disposition::pending;
  row.disposition_message = kTakenUnderSubmission;
  row.requester = world.ces.app_pool_identity;  // CES submits on the subject's behalf
  row.request_der = req.csr_der;
  row.ces_uri = ces_uri;
  const std::optional<std::string> name = old_certificate_template(req);
  const TemplateSettings* tmpl = name ? world.find_template(*name) : nullptr;
  if (tmpl != nullptr) {
    row.template_name = tmpl->name;
    row.attributes = "CertificateTemplate:" + tmpl->name + "\n";
  }
  row.id = ca.store().add(row);
  const std::string id = std::to_string(row.id);
  auto deny = [&](std::string_view code) {
    return ca_failure(code, CaDisposition::denied_by_policy, id);
  };
  try {
    check_renewal(req, ca, id);
    // The TLS client certificate is the certificate being renewed (model:
    // any other is refused like a foreign renewal certificate).
    if (X509_cmp(tls_client_certificate, req.signer_certificate.get()) != 0) {
      throw deny("CERTSRV_E_BAD_RENEWAL_CERT_ATTRIBUTE");
    }
    // Without EDITF_ENABLERENEWONBEHALFOF the CA sees a renewal for a subject
    // the requester (the CES account) is not: CERTSRV_E_BAD_RENEWAL_SUBJECT
    // (docs/causes.md kbr_ca_renew_on_behalf_of_disabled). A template without
    // "Allow key based renewal" gets the same answer (model).
    if (!world.ca.edit_flags.count("EDITF_ENABLERENEWONBEHALFOF"))
      throw deny("CERTSRV_E_BAD_RENEWAL_SUBJECT");
    if (tmpl == nullptr || !world.is_published(*tmpl))
      throw deny("CERTSRV_E_UNSUPPORTED_CERT_TYPE");
    if (!tmpl->key_based_renewal) throw deny("CERTSRV_E_BAD_RENEWAL_SUBJECT");
  } catch (const FaultRaised& raised) {
    record_denial(ca, world, events, row, row.requester, raised);
    throw;
  }
  // Subject and SAN come from the certificate being renewed, not from the
  // directory: the subject may have no account here at all.
  const core::CertificateInfo old = core::describe(req.signer_certificate.get());
  core::IssueOptions options = template_issue_options(*tmpl);
  options.subject = old.subject;
  options.san = old.san;
  return issue_now(req, options, ca, row);
}

core::RequestSecurityTokenResponse request_status(const std::optional<std::string>& request_id,
                                                  const World& world, LabCa& ca, EventLog& events) {
  // MS-WSTEP 3.1.4.2.1.2: QueryTokenStatus without a usable RequestID MUST
  // fault (docs/causes.md malformed_request; Reason is FormatMessage's E_INVALIDARG).
  std::int64_t id = 0;
  const std::string text = request_id.value_or("");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || id <= 0) {
    throw FaultRaised{code_fault("E_INVALIDARG")};
  }
  // MS-WCCE 3.2.1.4.3.1.2 step 3: an id not in the Request table fails with
  // CERTSRV_E_PROPERTY_EMPTY.
  const std::optional<StoredRequest> row = ca.store().find(id);
  if (!row) {
    throw FaultRaised{code_fault("CERTSRV_E_PROPERTY_EMPTY")};
  }
  switch (row->disposition) {
    case Disposition::issued:
      return issued_rstr(ca, core::parse_certificate_der(row->certificate_der).get(),
                         row->certificate_der, row->id);
    case Disposition::pending:
      return pending_rstr(ca, *row);
    case Disposition::denied:
    case Disposition::failed:
      throw FaultRaised{stored_outcome_fault(*row)};
    case Disposition::approved:
      break;
  }
  // Approved by an officer since the last poll: the CA re-runs the policy
  // module for the stored request on the requester's behalf and issues.
  const Account* account = world.find_account(row->requester);
  if (account == nullptr) {
    ca.store().mark_failed(row->id, table_code("ERROR_ACCESS_DENIED").signed_value(),
                           "The requester " + row->requester + " is not in the directory");
    throw FaultRaised{stored_outcome_fault(*ca.store().find(id))};
  }
  DecodedRequest req;
  req.csr_der = row->request_der;
  req.pkcs10 = core::decode_csr(req.csr_der);
  req.csr = core::describe_csr(req.pkcs10.get());
  core::RequestSecurityToken rst;
  rst.context.push_back({"CertificateTemplate", row->template_name});
  return decide(rst, req, *account, world, ca, events, *row, true);
}

}  // namespace ceslab::mock::pipeline
