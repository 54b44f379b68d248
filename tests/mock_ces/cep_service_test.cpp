// SPDX-License-Identifier: GPL-2.0-or-later
// The mock's CEP (MS-XCEP GetPolicies) on the wire: what the default lab
// advertises, how the world's rights, versions and advertised URIs change
// it, and the CEP events it logs.
#include "ceslab/mock/cep_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ceslab/client/enroll.hpp"
#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/mock/ces_service.hpp"
#include "ceslab/mock/oid_names.hpp"
#include "ceslab/mock/server.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "error_message.hpp"
#include "fake_negotiate.hpp"
#include "lab_fixture.hpp"
#include "soap_requests.hpp"

namespace ceslab::mock {
namespace {

namespace uri = core::uri;
using core::GetPoliciesRequest;
using core::GetPoliciesResponse;
using core::PolicyOid;
using core::PolicyTemplate;

constexpr const char* kMessageId = "urn:uuid:00000000-0000-4000-8000-0000000000c1";

using testing::tmpl;

using testing::tls_for;

std::string cep_url(const MockServer& server) {
  return server.endpoint_url(core::Service::cep, core::AuthMode::username);
}

// A GetPolicies as cepces (after #74) and Windows send it: first fetch
// (lastUpdate nil), no OID filter, clientVersion/serverVersion 0.
core::SoapMessage get_policies(const std::string& to, GetPoliciesRequest body = {},
                               const std::string& user = "alice",
                               const std::string& password = "alice-password") {
  core::SoapMessage m;
  m.addressing.action = std::string(uri::kActionGetPolicies);
  m.addressing.message_id = kMessageId;
  m.addressing.reply_to = std::string(uri::kAnonymous);
  m.addressing.to = to;
  m.security = test_support::username_security({user, password});
  m.body = body;
  return m;
}

// The policy alice gets from `server` for `body`; fails the test unless the
// answer is an HTTP 200 GetPoliciesResponse relating to the request.
GetPoliciesResponse fetch(const MockServer& server, GetPoliciesRequest body = {}) {
  const client::SoapCall call =
      client::call(cep_url(server), get_policies(cep_url(server), body), tls_for(server));
  EXPECT_TRUE(call.exchange.response) << call.exchange.error_message;
  EXPECT_TRUE(call.reply) << call.parse_error;
  if (!call.exchange.response || !call.reply) return {};
  EXPECT_EQ(call.exchange.response->status, 200);
  EXPECT_EQ(call.reply->addressing.action, uri::kActionGetPoliciesResponse);
  EXPECT_EQ(call.reply->addressing.relates_to, kMessageId);
  const auto* r = std::get_if<GetPoliciesResponse>(&call.reply->body);
  EXPECT_NE(r, nullptr);
  return r ? *r : GetPoliciesResponse{};
}

std::vector<std::string> names(const GetPoliciesResponse& r) {
  std::vector<std::string> out;
  if (r.policies) {
    for (const PolicyTemplate& p : *r.policies) out.push_back(p.common_name);
  }
  return out;
}

const PolicyTemplate& policy(const GetPoliciesResponse& r, const std::string& name) {
  const auto it = std::find_if(r.policies->begin(), r.policies->end(),
                               [&](const PolicyTemplate& p) { return p.common_name == name; });
  if (it == r.policies->end()) throw std::runtime_error("no policy " + name);
  return *it;
}

const PolicyOid* oid_by_ref(const GetPoliciesResponse& r, int ref) {
  for (const PolicyOid& o : *r.oids) {
    if (o.reference_id == ref) return &o;
  }
  return nullptr;
}

std::vector<Event> events_with_id(const MockServer& server, int id) {
  std::vector<Event> out;
  for (const Event& e : server.events().events()) {
    if (e.id == id) out.push_back(e);
  }
  return out;
}

// ---- The default lab, one server for the read-only checks -----------------

class CepServiceTest : public testing::SharedLab<CepServiceTest> {};

TEST_F(CepServiceTest, TheDefaultLabListsThePublishedTemplatesAliceMayEnrollFor) {
  const std::size_t events_before = server_->events().size();
  const GetPoliciesResponse r = fetch(*server_);
  EXPECT_FALSE(r.response_nil);
  EXPECT_EQ(r.policy_id, "{6B1EBF5E-8C1B-4D5D-9A77-2A5F2C4D9E10}");
  EXPECT_EQ(r.policy_friendly_name, "Lab Enrollment Policy");
  EXPECT_EQ(r.next_update_hours, 8u);
  EXPECT_EQ(r.policies_not_changed, std::nullopt);  // nil on a full answer (MS-XCEP 4.1.1.2)
  EXPECT_EQ(names(r), (std::vector<std::string>{"User", "WebServer", "ManualApproval"}));
  ASSERT_TRUE(r.cas);
  ASSERT_TRUE(r.oids);
  // A healthy lab logs nothing for a policy fetch.
  EXPECT_EQ(server_->events().size(), events_before);
}

TEST_F(CepServiceTest, UserTemplateAttributesComeFromTheWorld) {
  const GetPoliciesResponse r = fetch(*server_);
  ASSERT_TRUE(r.policies);
  const PolicyTemplate& user = policy(r, "User");
  EXPECT_EQ(user.policy_schema, 1u);
  EXPECT_EQ(user.validity_seconds, 365u * 86400u);
  EXPECT_EQ(user.renewal_seconds, 42u * 86400u);  // 6 weeks
  EXPECT_TRUE(user.enroll);
  EXPECT_FALSE(user.auto_enroll);  // the lab grants read+enroll only
  EXPECT_EQ(user.minimal_key_length, 2048u);
  EXPECT_EQ(user.major_revision, 3u);
  EXPECT_EQ(user.minor_revision, 0u);
  EXPECT_FALSE(user.superseded);
  EXPECT_EQ(user.private_key_flags, 0x03030000u);  // compatibility 3/3, no archival
  EXPECT_EQ(user.subject_name_flags, 0xA6000000u);
  EXPECT_EQ(user.enrollment_flags, 0u);
  EXPECT_FALSE(user.hash_algorithm_oid_reference);  // MUST be nil for schema 1
  EXPECT_FALSE(user.crypto_providers);
  EXPECT_EQ(user.ca_references, std::vector<int>{0});

  // Its identity: a group-9 oID named after the template.
  const PolicyOid* id = oid_by_ref(r, user.oid_reference);
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->group, 9u);
  EXPECT_EQ(id->value, "1.3.6.1.4.1.311.21.8.7638725.13898300.1985460.3383425.7519116.119.1.1");
  EXPECT_EQ(id->default_name, "User");

  // Extensions: the V1 template name and the EKUs, as the CA would add them.
  ASSERT_TRUE(user.extensions);
  std::map<std::string, core::PolicyExtension> by_oid;
  for (const core::PolicyExtension& e : *user.extensions) {
    const PolicyOid* o = oid_by_ref(r, e.oid_reference);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->group, 6u);
    by_oid[o->value] = e;
  }
  ASSERT_EQ(by_oid.size(), 2u);
  const auto name_ext = core::make_template_name_extension("User");
  EXPECT_EQ(by_oid.at("1.3.6.1.4.1.311.20.2").value, core::extension_value_der(name_ext.get()));
  EXPECT_EQ(by_oid.at("1.3.6.1.4.1.311.20.2").critical, false);
  const auto eku_ext = core::make_eku_extension(
      {"1.3.6.1.4.1.311.10.3.4", "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.2"});
  EXPECT_EQ(by_oid.at("2.5.29.37").value, core::extension_value_der(eku_ext.get()));
}

TEST_F(CepServiceTest, VersionTwoTemplatesCarryTheTemplateInformationAndTheirFlags) {
  const GetPoliciesResponse r = fetch(*server_);
  ASSERT_TRUE(r.policies);
  const PolicyTemplate& approval = policy(r, "ManualApproval");
  EXPECT_EQ(approval.policy_schema, 2u);
  EXPECT_EQ(approval.major_revision, 100u);
  EXPECT_EQ(approval.enrollment_flags, 0x2u);  // CT_FLAG_PEND_ALL_REQUESTS
  EXPECT_EQ(approval.subject_name_flags, 0x82000000u);
  ASSERT_TRUE(approval.extensions);
  const auto info = core::make_template_info_extension(
      {"", "1.3.6.1.4.1.311.21.8.7638725.13898300.1985460.3383425.7519116.1001.1", 100, 0});
  const auto found =
      std::find_if(approval.extensions->begin(), approval.extensions->end(),
                   [&](const core::PolicyExtension& e) {
                     return oid_by_ref(r, e.oid_reference)->value == "1.3.6.1.4.1.311.21.7";
                   });
  ASSERT_NE(found, approval.extensions->end());
  EXPECT_EQ(found->value, core::extension_value_der(info.get()));
  EXPECT_EQ(oid_by_ref(r, found->oid_reference)->default_name, "Certificate Template Information");

  const PolicyTemplate& web = policy(r, "WebServer");
  EXPECT_EQ(web.subject_name_flags, 0x1u);  // ENROLLEE_SUPPLIES_SUBJECT
  EXPECT_EQ(web.validity_seconds, 730u * 86400u);
}

TEST_F(CepServiceTest, TheOidsAreUniqueAndNameEveryEkuOfThePolicy) {
  const GetPoliciesResponse r = fetch(*server_);
  ASSERT_TRUE(r.oids);
  std::set<int> ids;
  std::map<std::string, const PolicyOid*> ekus;
  for (const PolicyOid& o : *r.oids) {
    EXPECT_TRUE(ids.insert(o.reference_id).second) << "duplicate oIDReferenceID " << o.reference_id;
    EXPECT_FALSE(o.default_name.empty()) << o.value;  // MUST be provided
    if (o.group == 7) ekus[o.value] = &o;
  }
  ASSERT_TRUE(ekus.count("1.3.6.1.5.5.7.3.2"));
  EXPECT_EQ(ekus["1.3.6.1.5.5.7.3.2"]->default_name, "Client Authentication");
  EXPECT_EQ(ekus["1.3.6.1.5.5.7.3.1"]->default_name, "Server Authentication");
  EXPECT_EQ(ekus["1.3.6.1.4.1.311.10.3.4"]->default_name, "Encrypting File System");
  // Every reference points at an oID of the message.
  for (const PolicyTemplate& p : *r.policies) {
    EXPECT_NE(oid_by_ref(r, p.oid_reference), nullptr) << p.common_name;
  }
}

TEST_F(CepServiceTest, TheCaCarriesItsCertificateAndOneUriPerCesEndpoint) {
  const GetPoliciesResponse r = fetch(*server_);
  ASSERT_TRUE(r.cas);
  ASSERT_EQ(r.cas->size(), 1u);
  const core::PolicyCa& ca = r.cas->front();
  EXPECT_EQ(ca.reference_id, 0);
  EXPECT_TRUE(ca.enroll_permission);  // Authenticated Users: Request Certificates
  const auto certs = core::read_certificates_pem(server_->ca_certificate_path());
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_EQ(ca.certificate, core::certificate_der(certs[0].get()));

  // The lab's ces.endpoints: Kerberos (2) and UsernamePassword (4).
  ASSERT_EQ(ca.uris.size(), 2u);
  const std::string base = server_->base_url();
  EXPECT_EQ(ca.uris[0].client_authentication, 2u);
  EXPECT_EQ(ca.uris[0].uri, base + "/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES");
  EXPECT_EQ(ca.uris[1].client_authentication, 4u);
  EXPECT_EQ(ca.uris[1].uri, server_->endpoint_url(core::Service::ces, core::AuthMode::username));
  for (const core::CaUri& u : ca.uris) {
    EXPECT_EQ(u.priority, 1u) << u.uri;
    EXPECT_EQ(u.renewal_only, false) << u.uri;
  }
}

TEST_F(CepServiceTest, TheAdvertisedUsernamePasswordUriEnrolls) {
  // What a client does with the policy: pick the cAURI it can authenticate
  // to (4) and enroll for a listed template there.
  const GetPoliciesResponse r = fetch(*server_);
  ASSERT_TRUE(r.cas);
  const auto& uris = r.cas->front().uris;
  const auto it = std::find_if(uris.begin(), uris.end(),
                               [](const core::CaUri& u) { return u.client_authentication == 4; });
  ASSERT_NE(it, uris.end());
  client::EnrollRequest request;
  request.url = it->uri;
  request.template_name = policy(r, "WebServer").common_name;
  request.key = core::KeySpec::parse("ecdsa-p256");
  request.subject = "CN=web.lab.test";
  request.credentials.username = client::UsernameCredentials{"alice", "alice-password"};
  const client::EnrollResult result = client::enroll(request, tls_for(*server_));
  EXPECT_EQ(result.status, client::EnrollStatus::issued) << testing::first_message(result);
}

TEST_F(CepServiceTest, TheResponseRoundTripsThroughTheCodec) {
  const client::SoapCall call =
      client::call(cep_url(*server_), get_policies(cep_url(*server_)), tls_for(*server_));
  ASSERT_TRUE(call.exchange.response) << call.exchange.error_message;
  const std::string& body = call.exchange.response->body;
  const core::SoapMessage parsed = wsdl::read_message(body);
  EXPECT_EQ(wsdl::structural_xml(wsdl::write_message(parsed)), wsdl::structural_xml(body));
  // Nil elements are present as xsi:nil, as MS-XCEP 6.2 (minOccurs 1) wants.
  EXPECT_NE(body.find("policiesNotChanged xsi:nil=\"true\""), std::string::npos);
  EXPECT_NE(body.find("hashAlgorithmOIDReference xsi:nil=\"true\""), std::string::npos);
}

TEST_F(CepServiceTest, AClientThatIsUpToDateGetsPoliciesNotChanged) {
  GetPoliciesRequest body;
  body.last_update = std::chrono::system_clock::now() + std::chrono::seconds(2);
  const GetPoliciesResponse r = fetch(*server_, body);
  EXPECT_EQ(r.policies_not_changed, true);  // MS-XCEP 3.1.4.1.3.9
  EXPECT_FALSE(r.policies);
  EXPECT_FALSE(r.cas);
  EXPECT_FALSE(r.oids);
  EXPECT_EQ(r.policy_id, "{6B1EBF5E-8C1B-4D5D-9A77-2A5F2C4D9E10}");

  // Windows' first fetch (0001-01-01, which gSOAP reads as 1970: the codec's
  // known gap) is older than any policy.
  body.last_update = std::chrono::system_clock::time_point{};
  EXPECT_EQ(names(fetch(*server_, body)).size(), 3u);
}

TEST_F(CepServiceTest, APolicyOidFilterKeepsOnlyTheNamedTemplates) {
  GetPoliciesRequest body;
  body.policy_oids = std::vector<std::string>{
      "1.3.6.1.4.1.311.21.8.7638725.13898300.1985460.3383425.7519116.119.1.16"};
  EXPECT_EQ(names(fetch(*server_, body)), std::vector<std::string>{"WebServer"});
}

TEST_F(CepServiceTest, WrongCredentialsGetTheSameInvalidSecurityFaultAsCes) {
  auto fault_from = [&](const std::string& url, core::SoapMessage m) {
    m.addressing.to = url;
    const client::SoapCall call = client::call(url, m, tls_for(*server_));
    EXPECT_TRUE(call.exchange.response) << call.exchange.error_message;
    EXPECT_EQ(call.exchange.response ? call.exchange.response->status : 0, 500);
    EXPECT_TRUE(call.reply) << call.parse_error;
    const auto* f = call.reply ? std::get_if<core::EnrollmentFault>(&call.reply->body) : nullptr;
    EXPECT_NE(f, nullptr);
    return f ? *f : core::EnrollmentFault{};
  };
  const core::SoapMessage bad = get_policies(cep_url(*server_), {}, "alice", "not-alice-password");
  const core::EnrollmentFault cep = fault_from(cep_url(*server_), bad);
  EXPECT_EQ(cep.code, "Sender");
  EXPECT_EQ(cep.subcode, "InvalidSecurity");
  EXPECT_EQ(cep.reason, "An error occurred when verifying security for the message.");

  // The same credentials on an Issue to CES.
  core::SoapMessage issue = bad;
  issue.addressing.action = std::string(uri::kActionRstWstep);
  core::RequestSecurityToken rst;
  const core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  rst.token = core::BinaryToken{std::string(uri::kValueTypePkcs10),
                                std::string(uri::kEncodingBase64), core::build_csr(key.get(), {})};
  issue.body = rst;
  const core::EnrollmentFault ces =
      fault_from(server_->endpoint_url(core::Service::ces, core::AuthMode::username), issue);
  EXPECT_EQ(cep.action, ces.action);
  EXPECT_EQ(cep.code, ces.code);
  EXPECT_EQ(cep.subcode, ces.subcode);
  EXPECT_EQ(cep.subcode_namespace, ces.subcode_namespace);
  EXPECT_EQ(cep.reason, ces.reason);
  EXPECT_EQ(cep.has_detail, ces.has_detail);

  // No credentials at all: the same fault.
  core::SoapMessage none = get_policies(cep_url(*server_));
  none.security.reset();
  EXPECT_EQ(fault_from(cep_url(*server_), none).subcode, "InvalidSecurity");
}

TEST_F(CepServiceTest, ARequestForAnotherOperationIsAContractFilterMismatch) {
  core::SoapMessage m = get_policies(cep_url(*server_));
  m.addressing.action = std::string(uri::kActionRstWstep);
  m.body = core::RequestSecurityToken{};
  const client::SoapCall call = client::call(cep_url(*server_), m, tls_for(*server_));
  ASSERT_TRUE(call.reply) << call.parse_error << call.exchange.error_message;
  const auto& f = std::get<core::EnrollmentFault>(call.reply->body);
  EXPECT_EQ(f.subcode, "ActionNotSupported");
}

TEST_F(CepServiceTest, AWrongToIsAnAddressFilterMismatch) {
  core::SoapMessage m =
      get_policies(server_->base_url() + "/ADPolicyProvider_CEP_Other/service.svc/CEP");
  const client::SoapCall call = client::call(cep_url(*server_), m, tls_for(*server_));
  ASSERT_TRUE(call.reply) << call.parse_error << call.exchange.error_message;
  EXPECT_EQ(std::get<core::EnrollmentFault>(call.reply->body).subcode, "DestinationUnreachable");
}

TEST_F(CepServiceTest, EndpointsAndReadyFileListTheCepEndpoints) {
  std::map<core::AuthMode, std::string> cep;
  for (const EndpointUrl& e : server_->endpoints()) {
    if (e.service == core::Service::cep) cep[e.auth] = e.url;
  }
  ASSERT_EQ(cep.size(), 2u);
  EXPECT_EQ(cep[core::AuthMode::username],
            server_->base_url() + "/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP");
  EXPECT_EQ(cep[core::AuthMode::kerberos],
            server_->base_url() + "/ADPolicyProvider_CEP_Kerberos/service.svc/CEP");

  const auto ready = std::filesystem::temp_directory_path() /
                     ("ceslab-cep-ready-" + std::to_string(::getpid()) + ".json");
  server_->write_ready_file(ready);
  std::ifstream in(ready);
  const nlohmann::json j = nlohmann::json::parse(in);
  std::filesystem::remove(ready);
  EXPECT_EQ(j["cep"]["UsernamePassword"], cep[core::AuthMode::username]);
  EXPECT_EQ(j["cep"]["Kerberos"], cep[core::AuthMode::kerberos]);
  EXPECT_TRUE(j["ces"].contains("UsernamePassword"));
}

TEST_F(CepServiceTest, TheKerberosEndpointChallengesLikeIis) {
  // Transport authentication runs before WCF: no credentials -> IIS 401.
  const std::string url = server_->endpoint_url(core::Service::cep, core::AuthMode::kerberos);
  core::SoapMessage m = get_policies(url);
  m.security.reset();
  const client::SoapCall call = client::call(url, m, tls_for(*server_));
  ASSERT_TRUE(call.exchange.response) << call.exchange.error_message;
  EXPECT_EQ(call.exchange.response->status, 401);
  EXPECT_EQ(call.exchange.response->header("WWW-Authenticate"), "Negotiate");
  EXPECT_FALSE(call.reply);
}

TEST(CepKerberosEndpoint, AnswersForTheAccountTheTransportAuthenticated) {
  MockOptions options;
  options.kerberos_acceptor = testing::fake_negotiate;  // Negotiate without a KDC
  MockServer server(std::move(options));
  server.start();
  const std::string url = server.endpoint_url(core::Service::cep, core::AuthMode::kerberos);
  core::SoapMessage m = get_policies(url);
  m.security.reset();
  const client::SoapCall call =
      client::call(url, m, tls_for(server), {{testing::kFakeKerberosUserHeader, "alice"}});
  ASSERT_TRUE(call.reply) << call.parse_error << call.exchange.error_message;
  const auto& response = std::get<core::GetPoliciesResponse>(call.reply->body);
  ASSERT_TRUE(response.policies);
  EXPECT_FALSE(response.policies->empty());
}

// ---- The seam the Kerberos / Certificate authentication stage will call ----

TEST(CepServiceSeam, HandleAuthenticatedAnswersForTheAccountItIsGiven) {
  const World world = default_world();
  const core::CertificateAuthority ca = core::CertificateAuthority::create({});
  EventLog events;
  CepService cep(world, ca, events);
  const std::string base = "https://127.0.0.1:8443";
  const std::string url =
      base + core::endpoint_path(core::Service::cep, core::AuthMode::kerberos, world.ca.name);

  core::SoapMessage m = get_policies(url);
  m.security.reset();  // Kerberos: no credentials in the SOAP header
  core::HttpRequest request;
  request.method = "POST";
  request.target = core::endpoint_path(core::Service::cep, core::AuthMode::kerberos, world.ca.name);
  request.headers.push_back({"Content-Type", "application/soap+xml; charset=utf-8"});
  request.body = wsdl::write_message(m);

  const core::HttpResponse answer =
      cep.handle_authenticated(request, *world.find_account("alice"), url, base);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const core::SoapMessage reply = wsdl::read_message(answer.body);
  const auto& r = std::get<GetPoliciesResponse>(reply.body);
  EXPECT_EQ(names(r), (std::vector<std::string>{"User", "WebServer", "ManualApproval"}));
  EXPECT_EQ(r.cas->front().certificate, core::certificate_der(ca.certificate()));
  EXPECT_EQ(r.cas->front().uris.front().uri,
            base + "/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES");

  // The SOAP stages still run: a wrong a:To is refused.
  m.addressing.to = base + "/elsewhere";
  request.body = wsdl::write_message(m);
  const core::HttpResponse refused =
      cep.handle_authenticated(request, *world.find_account("alice"), url, base);
  EXPECT_EQ(refused.status, 500);
  EXPECT_NE(refused.body.find("AddressFilter mismatch"), std::string::npos);
}

// ---- Worlds where the caller may enroll for nothing --------------------------

TEST(CepServiceNoTemplates, AnAccountWithoutEnrollRightsGetsNilPoliciesAndEvent14) {
  MockOptions options;
  for (TemplateSettings& t : options.world.templates) {
    t.acl = {{"Domain Users", {"read"}, {}}, {"Domain Admins", {"read", "enroll"}, {}}};
  }
  MockServer server(std::move(options));
  server.start();
  const GetPoliciesResponse r = fetch(server);
  EXPECT_FALSE(r.response_nil);
  EXPECT_EQ(r.policy_id, "{6B1EBF5E-8C1B-4D5D-9A77-2A5F2C4D9E10}");
  EXPECT_FALSE(r.policies);  // docs/causes.md cep_no_templates
  EXPECT_FALSE(r.cas);
  EXPECT_FALSE(r.oids);

  const auto logged = events_with_id(server, 14);
  ASSERT_EQ(logged.size(), 1u);
  const Event& e = logged.front();
  EXPECT_EQ(e.key, "cep_no_policies");
  EXPECT_EQ(e.source, "Microsoft-Windows-EnrollmentPolicyWebService");
  EXPECT_EQ(e.host, "ces.lab.test");
  EXPECT_EQ(e.fields.at("account"), "LAB\\alice");
  EXPECT_EQ(e.fields.at("client_version"), "0");
  EXPECT_TRUE(events_with_id(server, 13).empty());  // readable, just not enrollable
}

TEST(CepServiceNoTemplates, AnUnreadableTemplateIsDroppedWithEvent13) {
  MockOptions options;
  tmpl(options.world, "WebServer").acl = {{"Domain Admins", {"read", "enroll"}, {}}};
  MockServer server(std::move(options));
  server.start();
  const GetPoliciesResponse r = fetch(server);
  EXPECT_EQ(names(r), (std::vector<std::string>{"User", "ManualApproval"}));
  const auto logged = events_with_id(server, 13);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].key, "cep_template_unreadable");
  EXPECT_EQ(logged[0].fields.at("template"), "WebServer");
  EXPECT_EQ(logged[0].fields.at("code"), "0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)");
  EXPECT_EQ(logged[0].fields.at("account"), "LAB\\alice");
  EXPECT_TRUE(events_with_id(server, 14).empty());
}

TEST(CepServiceNoTemplates, AnAdvertisedTemplateNoCaIssuesIsDroppedWithEvent13) {
  MockOptions options;
  options.world.ca.published_templates = std::vector<std::string>{"User"};
  options.world.cep.templates = std::vector<std::string>{"User", "WebServer"};
  MockServer server(std::move(options));
  server.start();
  EXPECT_EQ(names(fetch(server)), std::vector<std::string>{"User"});
  const auto logged = events_with_id(server, 13);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].fields.at("template"), "WebServer");
  EXPECT_EQ(logged[0].fields.at("code"),
            "0x80094800 (-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)");
}

TEST(CepServiceNoTemplates, AutoenrollIsReportedForTheCaller) {
  MockOptions options;
  tmpl(options.world, "User").acl = {{"Domain Users", {"read", "enroll", "autoenroll"}, {}}};
  MockServer server(std::move(options));
  server.start();
  const GetPoliciesResponse r = fetch(server);
  ASSERT_TRUE(r.policies);
  EXPECT_TRUE(policy(r, "User").auto_enroll);
  EXPECT_FALSE(policy(r, "WebServer").auto_enroll);
}

TEST(CepServiceNoTemplates, ACallerWithoutRequestRightSeesTheCaWithoutEnrollPermission) {
  MockOptions options;
  options.world.ca.acl = {{"Domain Admins", {"read", "request"}, {}}};
  MockServer server(std::move(options));
  server.start();
  const GetPoliciesResponse r = fetch(server);
  ASSERT_TRUE(r.cas);
  EXPECT_FALSE(r.cas->front().enroll_permission);  // MS-XCEP 3.1.4.1.3.2
  EXPECT_EQ(names(r).size(), 3u);                  // the templates are still the policy
}

// ---- clientVersion / serverVersion (MS-XCEP 3.1.4.1.3.22, docs/protocol.md 2.2) --

struct VersionCase {
  std::string name;
  bool filter_nil = false;
  std::optional<int> client_version;
  std::optional<int> server_version;
  bool win8_template_listed = false;          // compatibility client 4 (Windows 8)
  bool server2012r2_template_listed = false;  // compatibility server 5 (2012 R2)
};

std::ostream& operator<<(std::ostream& os, const VersionCase& c) {
  return os << c.name;
}

class CepVersionFilterTest
    : public testing::SharedLab<CepVersionFilterTest, ::testing::TestWithParam<VersionCase>> {
 public:
  static MockOptions lab_options() {
    MockOptions options;
    tmpl(options.world, "WebServer").client_compatibility = 4;
    tmpl(options.world, "ManualApproval").server_compatibility = 5;
    return options;
  }
};

TEST_P(CepVersionFilterTest, TemplatesNewerThanTheCallerSaidAreFilteredOut) {
  const VersionCase& c = GetParam();
  GetPoliciesRequest body;
  body.filter_nil = c.filter_nil;
  body.client_version = c.client_version;
  body.server_version = c.server_version;
  const auto listed = names(fetch(*server_, body));
  auto has = [&](const std::string& n) {
    return std::find(listed.begin(), listed.end(), n) != listed.end();
  };
  EXPECT_TRUE(has("User"));  // 3/3 passes every filter here
  EXPECT_EQ(has("WebServer"), c.win8_template_listed);
  EXPECT_EQ(has("ManualApproval"), c.server2012r2_template_listed);
}

INSTANTIATE_TEST_SUITE_P(
    Cep, CepVersionFilterTest,
    ::testing::Values(
        // cepces after #74 and Windows 8+: 0 = the server's maximum.
        VersionCase{"zero_zero_lists_everything", false, 0, 0, true, true},
        // cepces before #74: nil versions mean 3 (docs/protocol.md 2.2, cepces #74).
        VersionCase{"nil_versions_hide_newer_templates", false, std::nullopt, std::nullopt, false,
                    false},
        // requestFilter nil: client 3, server the maximum.
        VersionCase{"nil_filter_hides_newer_client_versions", true, std::nullopt, std::nullopt,
                    false, true},
        VersionCase{"client_3_server_4", false, 3, 4, false, false},
        VersionCase{"client_4_server_5", false, 4, 5, true, true},
        // Larger than the server knows: capped at its maximum.
        VersionCase{"client_9_server_9", false, 9, 9, true, true}),
    [](const ::testing::TestParamInfo<VersionCase>& info) { return info.param.name; });

TEST(CepVersionFilter, EverythingFilteredOutIsNilPoliciesWithTheVersionsInEvent14) {
  MockOptions options;
  for (TemplateSettings& t : options.world.templates) t.client_compatibility = 4;
  MockServer server(std::move(options));
  server.start();
  GetPoliciesRequest body;
  body.client_version.reset();
  body.server_version.reset();
  const GetPoliciesResponse r = fetch(server, body);
  EXPECT_FALSE(r.policies);
  EXPECT_FALSE(r.cas);
  const auto logged = events_with_id(server, 14);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].fields.at("client_version"), "nil");
  EXPECT_NE(logged[0].message.find("clientVersion nil"), std::string::npos) << logged[0].message;
}

// ---- cep.ces_uris and event 15 (docs/causes.md ces_uri_invalid_in_policy) -------

TEST(CepCesUris, AnAdvertisedUriThatNamesNoCesEndpointIsLoggedAsEvent15) {
  MockOptions options;
  options.world = parse_world(R"(
ca:
  name: Lab Issuing CA
  acl: [{ principal: Authenticated Users, allow: [read, request] }]
accounts:
  - { name: alice, password: alice-password, email: alice@lab.test, upn: alice@lab.test }
templates:
  - { name: User, oid: 1.3.6.1.4.1.311.21.8.1.1, schema: 1, name_flags: [SUBJECT_REQUIRE_COMMON_NAME],
      acl: [{ principal: Domain Users, allow: [read, enroll] }] }
ces:
  endpoints: [{ auth: username_password }]
cep:
  endpoints: [{ auth: username_password }]
  ces_uris:
    - { uri: "/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES", auth: username_password }
    - { uri: "/Old%20CA_CES_UsernamePassword/service.svc/CES", auth: username_password, priority: 2 }
    - { uri: "https://retired-ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES", auth: kerberos, renewal_only: true }
)",
                              "ces-uris.yaml");
  MockServer server(std::move(options));
  server.start();
  const GetPoliciesResponse r = fetch(server);
  ASSERT_TRUE(r.cas);
  const auto& uris = r.cas->front().uris;
  ASSERT_EQ(uris.size(), 3u);
  // Paths are resolved against the mock; the list is advertised as written.
  EXPECT_EQ(uris[0].uri, server.endpoint_url(core::Service::ces, core::AuthMode::username));
  EXPECT_EQ(uris[1].uri, server.base_url() + "/Old%20CA_CES_UsernamePassword/service.svc/CES");
  EXPECT_EQ(uris[1].priority, 2u);
  EXPECT_EQ(uris[2].client_authentication, 2u);
  EXPECT_EQ(uris[2].renewal_only, true);

  const auto logged = events_with_id(server, 15);
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(logged[0].key, "cep_ces_uri_invalid");
  EXPECT_EQ(logged[0].fields.at("uri"), uris[1].uri);
  EXPECT_EQ(logged[0].fields.at("ca_name"), "Lab Issuing CA");
  EXPECT_EQ(logged[1].fields.at("uri"), uris[2].uri);

  // The working URI does work.
  client::EnrollRequest request;
  request.url = uris[0].uri;
  request.template_name = "User";
  request.key = core::KeySpec::parse("ecdsa-p256");
  request.credentials.username = client::UsernameCredentials{"alice", "alice-password"};
  EXPECT_EQ(client::enroll(request, tls_for(server)).status, client::EnrollStatus::issued);
}

TEST(CepCesUris, AUriWithTheWrongAuthenticationIsInvalidToo) {
  MockOptions options;
  options.world.cep.ces_uris =
      std::vector<AdvertisedCesUri>{{"/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES",
                                     core::AuthMode::kerberos, 1, false}};
  MockServer server(std::move(options));
  server.start();
  fetch(server);
  EXPECT_EQ(events_with_id(server, 15).size(), 1u);
}

std::string world_error(const std::string& yaml) {
  return test_support::error_message<WorldError>([&] { parse_world(yaml, "w.yaml"); });
}

TEST(CepCesUris, TheWorldValidatesTheList) {
  EXPECT_EQ(world_error("cep:\n  ces_uris: []\n"), "w.yaml:2: 'ces_uris' in cep must not be empty");
  EXPECT_EQ(world_error("cep:\n  ces_uris: [{ uri: /x }]\n"), "w.yaml:2: cep ces_uri needs 'auth'");
  EXPECT_EQ(world_error("cep:\n  ces_uris:\n    - { uri: /x, auth: kerberos, prio: 1 }\n"),
            "w.yaml:3: unknown key 'prio' in cep ces_uri (known: uri, auth, priority, "
            "renewal_only)");
  EXPECT_EQ(world_error("cep:\n  ces_uris:\n    - { uri: /x, auth: ntlm }\n"),
            "w.yaml:3: 'auth' must be one of kerberos, username_password, certificate, not 'ntlm'");
  const std::string bad_uri =
      world_error("cep:\n  ces_uris:\n    - { uri: 'ftp://ces/x', auth: kerberos }\n");
  EXPECT_EQ(bad_uri.rfind("w.yaml:3: 'uri' in cep ces_uri is neither a path nor an http(s) URL", 0),
            0u)
      << bad_uri;
  EXPECT_EQ(world_error("cep:\n  ces_uris:\n    - { uri: '/a b', auth: kerberos }\n"),
            "w.yaml:3: 'uri' in cep ces_uri must not contain white space");
  EXPECT_EQ(world_error("templates:\n  - name: T\n    oid: 1.2.3\n    compatibility: { client: 16 "
                        "}\n"),
            "w.yaml:4: 'client' in template compatibility is 1 to 15");
  const World ok = parse_world(
      "cep:\n  ces_uris:\n    - { uri: 'https://ces.lab.test/x', auth: certificate, priority: 3, "
      "renewal_only: true }\n",
      "w.yaml");
  ASSERT_TRUE(ok.cep.ces_uris);
  EXPECT_EQ(ok.cep.ces_uris->at(0).auth, core::AuthMode::certificate);
  EXPECT_EQ(ok.cep.ces_uris->at(0).priority, 3u);
  EXPECT_TRUE(ok.cep.ces_uris->at(0).renewal_only);
  EXPECT_FALSE(default_world().cep.ces_uris);
}

// ---- The OID name data --------------------------------------------------------

std::string oid_names_error(std::string_view yaml) {
  return test_support::error_message<OidNamesError>(
      [&] { OidNames::from_yaml(yaml, "oids.yaml"); });
}

TEST(CepOidNames, TheBuiltinFileLoadsAndNamesTheTemplateExtensions) {
  const OidNames& n = OidNames::builtin();
  EXPECT_GT(n.size(), 5u);
  EXPECT_EQ(n.find("1.3.6.1.4.1.311.20.2"), "Certificate Template Name");
  EXPECT_EQ(n.find("2.5.29.37"), "Enhanced Key Usage");
  EXPECT_FALSE(n.find("1.2.3.4.5"));
}

TEST(CepOidNames, BadFilesAreRefusedWithTheirLine) {
  EXPECT_EQ(oid_names_error("oids:\n  - { oid: 1.2, name: A, source: s, extra: 1 }\n"),
            "oids.yaml:2: oids[0]: unknown key 'extra' (known: oid, name, source)");
  EXPECT_EQ(oid_names_error("oids:\n  - { oid: 1.2., name: A, source: s }\n"),
            "oids.yaml:2: oids[0]: '1.2.' is not a dotted OID");
  EXPECT_EQ(oid_names_error("oids:\n  - { oid: 1.2, name: A, source: s }\n"
                            "  - { oid: 1.2, name: B, source: s }\n"),
            "oids.yaml:3: oids[1]: OID 1.2 is listed twice");
  EXPECT_EQ(oid_names_error("oids:\n  - { oid: 1.2, name: A }\n"),
            "oids.yaml:2: oids[0]: 'source' must be a non-empty string");
  EXPECT_EQ(oid_names_error("names: []\n"), "oids.yaml:1: unknown top-level key 'names'");
}

}  // namespace
}  // namespace ceslab::mock
