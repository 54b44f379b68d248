// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/cep_service.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "ca_failure.hpp"
#include "ca_policy.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/mock/faults.hpp"
#include "ceslab/mock/oid_names.hpp"
#include "soap_stages.hpp"

namespace ceslab::mock {

using core::GetPoliciesRequest;
using core::GetPoliciesResponse;
using core::HttpRequest;
using core::HttpResponse;
using core::SoapMessage;
namespace uri = core::uri;
using namespace pipeline;  // the shared SOAP stages

namespace {

// OID groups (MS-XCEP 3.1.4.1.3.16).
constexpr unsigned kGroupExtension = 6;
constexpr unsigned kGroupEku = 7;
constexpr unsigned kGroupIssuancePolicy = 8;
constexpr unsigned kGroupTemplate = 9;

// msPKI-Private-Key-Flag (MS-CRTD 2.27): archival bit and the compatibility
// nibbles the XCEP version filter reads (MS-XCEP 3.1.4.1.3.22).
constexpr std::uint32_t kRequirePrivateKeyArchival = 0x00000001;
constexpr std::uint32_t kClientVersionMask = 0x0F000000;
constexpr int kClientVersionShift = 24;
constexpr std::uint32_t kServerVersionMask = 0x000F0000;
constexpr int kServerVersionShift = 16;

// msPKI-Enrollment-Flag (MS-CRTD 2.26).
constexpr std::uint32_t kPendAllRequests = 0x00000002;
constexpr std::uint32_t kAllowKeyBasedRenewal = 0x00010000;

// What clientVersion / serverVersion 0 means, and the cap for larger values:
// the highest compatibility version the CEP host knows. docs/protocol.md 2.2
// (MS-XCEP v20260309): 4 on Windows Server 2012, 5 on 2012 R2 and later; the
// mock's CEP host is a 2012 R2+ server.
constexpr int kServerMaxVersion = 5;
// What a nil clientVersion / serverVersion means (docs/protocol.md 2.2, the
// behaviour behind cepces issue #74).
constexpr int kNilVersion = 3;

// MS-XCEP 3.1.4.1.3.5 clientAuthentication values (docs/protocol.md 2.5):
// core::AuthMode's own values.
unsigned client_authentication(core::AuthMode auth) {
  return static_cast<unsigned>(auth);
}

// The version filter of MS-XCEP 3.1.4.1.3.22 with the reset rules of
// docs/protocol.md 2.2: a policy is kept iff its client nibble <= client and its
// server nibble <= server.
struct VersionFilter {
  int client = kNilVersion;
  int server = kNilVersion;
};

VersionFilter version_filter(const GetPoliciesRequest& request) {
  if (request.filter_nil) return {kNilVersion, kServerMaxVersion};
  auto resolve = [](const std::optional<int>& sent) {
    if (!sent) return kNilVersion;
    if (*sent == 0) return kServerMaxVersion;
    // A negative version is taken literally: it keeps nothing (model; the
    // spec does not say).
    return std::min(*sent, kServerMaxVersion);
  };
  return {resolve(request.client_version), resolve(request.server_version)};
}

std::string sent_version(const GetPoliciesRequest& request, const std::optional<int>& v) {
  if (request.filter_nil) return "nil (requestFilter nil)";
  return v ? std::to_string(*v) : "nil";
}

// The oIDs collection under construction: one entry per (value, group),
// referenced by index (oIDReferenceID, unique in the message).
class OidCollection {
 public:
  int reference(const std::string& value, unsigned group, const std::string& default_name) {
    const auto key = std::make_pair(value, group);
    if (const auto it = ids_.find(key); it != ids_.end()) return it->second;
    const int id = static_cast<int>(oids_.size()) + 1;
    oids_.push_back({value, group, id, default_name});
    ids_.emplace(key, id);
    return id;
  }
  // Named from oid_names.yaml, else by the dotted value.
  int reference(const std::string& value, unsigned group) {
    return reference(value, group, OidNames::builtin().find(value).value_or(value));
  }
  std::vector<core::PolicyOid> take() { return std::move(oids_); }

 private:
  std::vector<core::PolicyOid> oids_;
  std::map<std::pair<std::string, unsigned>, int> ids_;
};

core::PolicyExtension policy_extension(const core::X509ExtensionPtr& ext, OidCollection& oids) {
  const ASN1_OBJECT* object = X509_EXTENSION_get_object(ext.get());
  core::PolicyExtension out;
  out.oid_reference = oids.reference(core::oid_text(object), kGroupExtension);
  out.critical = X509_EXTENSION_get_critical(ext.get()) != 0;
  out.value = core::extension_value_der(ext.get());
  return out;
}

// The extensions a client puts in its request for this template, as the CA
// would add them (MS-WCCE 2.2.2.7.7.1/2: the template name for a version 1
// template, the template OID and revision for version 2 and later, both
// non-critical; the template's EKUs and issuance policies).
std::vector<core::PolicyExtension> template_extensions(const TemplateSettings& t,
                                                       OidCollection& oids) {
  std::vector<core::PolicyExtension> out;
  if (t.schema <= 1) {
    out.push_back(policy_extension(core::make_template_name_extension(t.name), oids));
  } else {
    out.push_back(policy_extension(
        core::make_template_info_extension(
            {"", t.oid, static_cast<int>(t.major_version), static_cast<int>(t.minor_version)}),
        oids));
  }
  if (!t.ekus.empty()) out.push_back(policy_extension(core::make_eku_extension(t.ekus), oids));
  if (!t.issuance_policies.empty()) {
    out.push_back(
        policy_extension(core::make_certificate_policies_extension(t.issuance_policies), oids));
  }
  return out;
}

std::uint32_t private_key_flags(const TemplateSettings& t) {
  std::uint32_t flags = t.archive_key ? kRequirePrivateKeyArchival : 0;
  flags |= (t.client_compatibility << kClientVersionShift) & kClientVersionMask;
  flags |= (t.server_compatibility << kServerVersionShift) & kServerVersionMask;
  return flags;
}

std::uint32_t enrollment_flags(const TemplateSettings& t) {
  std::uint32_t flags = 0;
  if (t.manager_approval) flags |= kPendAllRequests;
  if (t.key_based_renewal) flags |= kAllowKeyBasedRenewal;
  return flags;
}

bool passes(const VersionFilter& filter, std::uint32_t key_flags) {
  const int client = static_cast<int>((key_flags & kClientVersionMask) >> kClientVersionShift);
  const int server = static_cast<int>((key_flags & kServerVersionMask) >> kServerVersionShift);
  return client <= filter.client && server <= filter.server;
}

// Attributes (MS-XCEP 3.1.4.1.3.1) of one template, as far as the world
// models the template object. Unmodelled attributes are nil (keySpec,
// generalFlags, supersededPolicies, cryptoProviders); hashAlgorithmOIDReference
// MUST be nil for schema 1 and 2 and the world names no hash algorithm.
core::PolicyTemplate policy_template(const TemplateSettings& t, bool auto_enroll,
                                     OidCollection& oids) {
  constexpr std::uint64_t kSecondsPerDay = 24 * 60 * 60;
  core::PolicyTemplate p;
  p.oid_reference = oids.reference(t.oid, kGroupTemplate, t.name);
  p.ca_references = std::vector<int>{0};
  p.common_name = t.name;
  p.policy_schema = t.schema;
  p.validity_seconds = static_cast<std::uint64_t>(t.validity_days) * kSecondsPerDay;
  p.renewal_seconds = static_cast<std::uint64_t>(t.renewal_days) * kSecondsPerDay;
  p.enroll = true;  // only enrollable templates are listed
  p.auto_enroll = auto_enroll;
  p.minimal_key_length = t.min_key_size;
  p.major_revision = t.major_version;
  p.minor_revision = t.minor_version;
  p.private_key_flags = private_key_flags(t);
  p.subject_name_flags = t.subject_name_flags();
  p.enrollment_flags = enrollment_flags(t);
  p.extensions = template_extensions(t, oids);
  // EKUs (group 7) and issuance policies (group 8) are listed as oIDs of
  // their own, referenced from nowhere in particular (docs/protocol.md 2.7).
  for (const std::string& eku : t.ekus) oids.reference(eku, kGroupEku);
  for (const std::string& policy : t.issuance_policies)
    oids.reference(policy, kGroupIssuancePolicy);
  return p;
}

// Whether an advertised URI names a CES endpoint this lab serves: https, on
// the mock itself (a path, or the mock's own scheme, host and port), and the
// path of a ces.endpoints entry with the same authentication.
bool names_served_ces_endpoint(const std::string& resolved, core::AuthMode auth, const World& world,
                               const std::string& base_url) {
  try {
    const core::Url target = core::parse_url(resolved);
    const core::Url self = core::parse_url(base_url);
    if (target.scheme != "https" || target.host != self.host || target.port != self.port) {
      return false;
    }
    const bool world_has_it = std::any_of(world.ces.endpoints.begin(), world.ces.endpoints.end(),
                                          [&](const CesEndpoint& e) { return e.auth == auth; });
    const auto endpoint = match_endpoint(target.target, world.ca.name, {auth});
    return world_has_it && endpoint && endpoint->service == core::Service::ces;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

std::string resolve(const std::string& advertised, const std::string& base_url) {
  return !advertised.empty() && advertised.front() == '/' ? base_url + advertised : advertised;
}

// The candidates: the templates the CEP is told to advertise, else those
// published on the CA (its certificateTemplates attribute).
std::vector<const TemplateSettings*> candidate_templates(const World& world) {
  std::vector<const TemplateSettings*> candidates;
  if (world.cep.templates) {
    for (const std::string& name : *world.cep.templates) {
      candidates.push_back(world.find_template(name));  // validated by the world
    }
  } else {
    for (const TemplateSettings& t : world.templates) {
      if (world.is_published(t)) candidates.push_back(&t);
    }
  }
  return candidates;
}

// The templates of the policy for a caller in groups `who` (logged on as
// `account`): those it may read and enroll for that pass the request's
// filters; CEP logs each candidate it could not load.
std::vector<core::PolicyTemplate> offered_templates(const World& world,
                                                    const std::set<std::string>& who,
                                                    const std::string& account,
                                                    const GetPoliciesRequest& request,
                                                    OidCollection& oids, EventLog& events) {
  const std::string& host = world.ces.host;  // CEP runs on the CES host
  auto template_unreadable = [&](const std::string& name, std::string_view code_name) {
    const core::ErrorCode& code = table_code(code_name);
    events.append(EventCatalog::builtin().make("cep_template_unreadable", host,
                                               {{"template", name},
                                                {"message", code.message},
                                                {"code", core::format_code(code.value)},
                                                {"account", account}}));
  };

  const VersionFilter filter = version_filter(request);
  std::vector<core::PolicyTemplate> policies;
  for (const TemplateSettings* t : candidate_templates(world)) {
    if (t == nullptr) continue;
    // A template no CA issues is not part of the policy; CEP logs that it
    // could not load it (docs/causes.md template_not_on_ca: CEP event 13/14).
    if (!world.is_published(*t)) {
      template_unreadable(t->name, "CERTSRV_E_UNSUPPORTED_CERT_TYPE");
      continue;
    }
    // CEP reads the template objects in the caller's security context: an
    // ACL without Read hides the template (MS-WCCE 1.3.3.4) and CEP logs
    // that it could not load it (model: event 13, docs/causes.md cep_no_templates).
    const auto& acl = template_acl(*t);
    if (!has_right(acl, who, "read")) {
      template_unreadable(t->name, "ERROR_ACCESS_DENIED");
      continue;
    }
    // The policy lists what the caller may enroll for: Read and Enroll
    // (MS-CRTD 2.5.1). MS-XCEP 3.1.4.1.3.11 only says <permission> describes
    // this requestor; dropping non-enrollable templates rather than listing
    // them with enroll=false is our model of ADPolicyProvider.
    if (!has_right(acl, who, "enroll")) continue;
    // MS-XCEP 3.1.4.1.3.14: a non-nil policyOIDs keeps the listed templates.
    if (request.policy_oids && std::find(request.policy_oids->begin(), request.policy_oids->end(),
                                         t->oid) == request.policy_oids->end()) {
      continue;
    }
    if (!passes(filter, private_key_flags(*t))) continue;
    // Autoenroll works only together with Enroll (MS-CRTD 2.5.2; Windows
    // Server "Controlling enrollment access to certificate templates").
    policies.push_back(policy_template(*t, has_right(acl, who, "autoenroll"), oids));
  }
  return policies;
}

core::PolicyCa policy_ca(const World& world, const core::CertificateAuthority& authority,
                         const std::set<std::string>& who, const std::string& base_url,
                         EventLog& events) {
  // The world's one CA. Its URIs (msPKI-Enrollment-Servers): one per CES
  // endpoint with priority 1, as Windows typically registers them
  // (docs/protocol.md 2.5), or the world's explicit list.
  core::PolicyCa ca;
  ca.certificate = core::certificate_der(authority.certificate());
  // MS-XCEP 3.1.4.1.3.2: whether the caller may submit requests to this CA
  // ("Request Certificates" on the CA).
  ca.enroll_permission = has_right(world.ca.acl, who, "request");
  ca.reference_id = 0;
  if (world.cep.ces_uris) {
    for (const AdvertisedCesUri& advertised : *world.cep.ces_uris) {
      const std::string resolved = resolve(advertised.uri, base_url);
      ca.uris.push_back({client_authentication(advertised.auth), resolved, advertised.priority,
                         advertised.renewal_only});
      // CEP event 15 for every answer that advertises a URI naming no CES
      // endpoint of this lab (docs/causes.md ces_uri_invalid_in_policy; when
      // Windows logs it is not public: model).
      if (!names_served_ces_endpoint(resolved, advertised.auth, world, base_url)) {
        events.append(
            EventCatalog::builtin().make("cep_ces_uri_invalid", world.ces.host,
                                         {{"uri", resolved}, {"ca_name", world.ca.name}}));
      }
    }
  } else {
    for (const CesEndpoint& e : world.ces.endpoints) {
      ca.uris.push_back({client_authentication(e.auth),
                         base_url + core::endpoint_path(core::Service::ces, e.auth, world.ca.name),
                         1u, e.renewal_only});
    }
  }
  return ca;
}

}  // namespace

CepService::CepService(const World& world, const core::CertificateAuthority& ca, EventLog& events)
    : world_(world),
      ca_(ca),
      events_(events),
      last_update_time_(std::chrono::system_clock::now()) {}

HttpResponse CepService::handle(const HttpRequest& request,
                                const core::ConnectionInfo& /*connection*/,
                                const Endpoint& endpoint, const std::string& endpoint_url,
                                const std::string& base_url) {
  return answer(request, endpoint_url, base_url, [&](const SoapMessage& m) -> const Account& {
    if (endpoint.auth != core::AuthMode::username) {
      // Kerberos and certificate authentication arrive with the transport
      // authentication stage, which calls handle_authenticated().
      throw FaultRaised{internal_service_fault()};
    }
    return authenticate_username(m, world_);
  });
}

HttpResponse CepService::handle_authenticated(const HttpRequest& request, const Account& caller,
                                              const std::string& endpoint_url,
                                              const std::string& base_url) {
  return answer(request, endpoint_url, base_url,
                [&](const SoapMessage&) -> const Account& { return caller; });
}

// The stages every CEP endpoint runs, in the order CES runs them: HTTP, SOAP
// parse, a:To, the operation, then the endpoint's authentication.
HttpResponse CepService::answer(const HttpRequest& request, const std::string& endpoint_url,
                                const std::string& base_url, const Authenticate& authenticate) {
  if (auto early = check_http(request, world_.ces.quotas)) return *early;
  std::optional<std::string> relates_to;
  try {
    const SoapMessage m = parse(request, {uri::kActionGetPolicies}, world_.ces.quotas);
    relates_to = m.addressing.message_id;
    check_to(m, endpoint_url);
    const auto* get = std::get_if<GetPoliciesRequest>(&m.body);
    if (get == nullptr) throw FaultRaised{action_not_supported_fault(m.addressing.action)};
    const Account& caller = authenticate(m);
    SoapMessage reply;
    reply.addressing.action = std::string(uri::kActionGetPoliciesResponse);
    reply.addressing.relates_to = relates_to;
    reply.body = policies_for(caller, *get, base_url);
    return soap_response(200, reply);
  } catch (const FaultRaised& raised) {
    return fault_response(raised.fault, relates_to ? relates_to : raised.message_id);
  } catch (const EncoderRefusal& refused) {
    return refused.response;
  }
}

GetPoliciesResponse CepService::policies_for(const Account& caller,
                                             const GetPoliciesRequest& request,
                                             const std::string& base_url) {
  GetPoliciesResponse response;
  response.policy_id = world_.cep.policy_id;
  response.policy_friendly_name = world_.cep.friendly_name;
  response.next_update_hours = world_.cep.next_update_hours;
  // MS-XCEP 3.1.4.1.3.9: a client whose lastUpdate is not older than the
  // policy's LastUpdateTime gets policiesNotChanged with nil collections.
  if (request.last_update && *request.last_update >= last_update_time_) {
    response.policies_not_changed = true;
    return response;
  }
  // A full answer: policiesNotChanged nil, as in MS-XCEP 4.1.1.2.
  response.policies_not_changed.reset();

  const std::string account = world_.netbios_domain + "\\" + caller.name;
  const std::set<std::string> who = world_.memberships(caller);
  OidCollection oids;
  std::vector<core::PolicyTemplate> policies =
      offered_templates(world_, who, account, request, oids, events_);

  // Nothing the caller may enroll for: policies and cAs nil (docs/causes.md
  // cep_no_templates) and nothing left for oIDs to describe.
  if (policies.empty()) {
    events_.append(EventCatalog::builtin().make(
        "cep_no_policies", world_.ces.host,
        {{"account", account},
         {"client_version", sent_version(request, request.client_version)},
         {"server_version", sent_version(request, request.server_version)}}));
    return response;
  }

  response.cas = std::vector<core::PolicyCa>{policy_ca(world_, ca_, who, base_url, events_)};
  response.policies = std::move(policies);
  response.oids = oids.take();
  return response;
}

}  // namespace ceslab::mock
