// SPDX-License-Identifier: GPL-2.0-or-later
// The world the mock serves: the CA, its templates and rights, the accounts,
// the CES/CEP host and the clients, read from YAML (schema: docs/world.md).
// Each failure the mock produces comes out of these settings, never out of a
// "send fault X" switch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/core/data_file_error.hpp"
#include "ceslab/mock/endpoints.hpp"

namespace YAML {
class Node;
}

namespace ceslab::mock {

// A world file that could not be accepted; what() names the file, the line
// and the problem ("world.yaml:12: unknown key 'emial' in account").
using WorldError = core::DataFileError;

enum class AccountKind { user, computer, service };

struct Account {
  std::string name;
  AccountKind kind = AccountKind::user;
  std::string password;
  std::optional<std::string> email;     // AD mail
  std::optional<std::string> upn;       // userPrincipalName
  std::optional<std::string> dns_name;  // dNSHostName (computers)
  std::vector<std::string> groups;
  bool not_delegable = false;  // "Account is sensitive and cannot be delegated" / Protected Users
  bool disabled = false;
  // pwdLastSet older than the domain's maximum password age: logons fail
  // (4625 sub status 0xC0000071, KDC_ERR_KEY_EXPIRED) until it is changed.
  bool password_expired = false;
};

// One access-control entry: who, and which rights (CA: read, request,
// manage_ca, manage_certificates; template: read, write, enroll, autoenroll,
// full_control).
struct AccessEntry {
  // An account or group. A world read from YAML holds the resolved name
  // (World::resolve_principal: "LAB\pat" and "pat@lab.test" become "pat").
  std::string principal;
  std::set<std::string> allow;
  std::set<std::string> deny;
};

// What a fresh Windows install has when the world leaves a key out
// (docs/world.md gives each with its source):
// - the security tab of a freshly installed enterprise CA (`ca.acl`),
std::vector<AccessEntry> fresh_enterprise_ca_acl();
// - policy\EditFlags of a fresh enterprise CA, 0x0011014E (`ca.edit_flags`),
std::set<std::string> fresh_enterprise_ca_edit_flags();
// - the security tab of a template just duplicated in the Certificate
//   Templates console (`templates[].acl`).
std::vector<AccessEntry> fresh_template_acl();

enum class CaState { online, offline, slow };

// One entry of "Restrict enrollment agents" (CA properties, Enrollment Agents
// tab; MS-WCCE 3.2.1.1.4 Config_Permissions_Enrollment_Agent_Rights): which
// templates an enrollment agent may request, and for whom.
struct EnrollmentAgentRule {
  std::string agent;                   // account or group holding the agent certificate
  std::vector<std::string> templates;  // empty = every template ("<All>")
  std::vector<std::string> allow;      // accounts/groups it may enroll for
  std::vector<std::string> deny;       // a deny entry wins
};

// Status of a key recovery agent certificate on the CA's Recovery Agents tab.
enum class KraStatus { valid, expired, revoked, untrusted, invalid, not_found, not_loaded };

// "Archive the key" on the CA's Recovery Agents tab.
struct KeyArchival {
  unsigned agents_to_use = 1;     // "Number of recovery agents to use"
  std::vector<KraStatus> agents;  // the listed KRA certificates
  unsigned valid_agents() const;
};

struct CaSettings {
  std::string name = "Lab Issuing CA";
  std::string host = "ca.lab.test";
  std::string subject = "CN=Lab Issuing CA,DC=lab,DC=test";
  std::string key = "rsa2048";
  int validity_years = 5;
  // certificatePolicies of the CA certificate; empty = no constraint.
  std::vector<std::string> policy_oids;
  // policy\EditFlags names that are set (EDITF_ENABLERENEWONBEHALFOF, ...).
  std::set<std::string> edit_flags = fresh_enterprise_ca_edit_flags();
  std::vector<AccessEntry> acl = fresh_enterprise_ca_acl();
  CaState state = CaState::online;
  int slow_ms = 0;
  // Templates published on this CA; empty list = every template of the world.
  std::optional<std::vector<std::string>> published_templates;
  // Set = "Restrict enrollment agents"; unset = any agent for anyone.
  std::optional<std::vector<EnrollmentAgentRule>> enrollment_agent_restrictions;
  // Unset = "Do not archive the key".
  std::optional<KeyArchival> key_archival;
  // CA\EnforceX500NameLengths: the CA refuses over-long subject RDNs.
  bool enforce_x500_name_lengths = true;
  // false: the CA cannot use its signing key (HSM offline, key container
  // unreadable), so it cannot build certificates.
  bool signing_key_available = true;

  std::string config() const { return host + "\\" + name; }
};

// A template version: revision (major) and msPKI-Template-Minor-Revision.
struct TemplateVersion {
  unsigned major = 0;
  unsigned minor = 0;
};

// msPKI-Certificate-Name-Flag bits by their CT_FLAG names (docs/protocol.md 2.6).
struct TemplateSettings {
  std::string name;
  std::string oid;
  unsigned major_version = 100;  // in AD: what CEP lists and clients request
  unsigned minor_version = 0;
  // The version the CA has cached (it reloads templates from AD now and
  // then); unset = the AD version.
  std::optional<TemplateVersion> ca_loaded_version;
  unsigned schema = 2;
  std::set<std::string> name_flags;  // ENROLLEE_SUPPLIES_SUBJECT, SUBJECT_REQUIRE_EMAIL, ...
  std::vector<std::string> ekus;
  std::vector<std::string> issuance_policies;
  int validity_days = 365;
  int renewal_days = 42;
  unsigned min_key_size = 2048;
  std::vector<AccessEntry> acl = fresh_template_acl();  // empty = nobody has a right
  bool manager_approval = false;
  bool key_based_renewal = false;  // "Allow key based renewal"
  bool archive_key = false;
  unsigned client_compatibility = 3;  // privateKeyFlags client nibble (XCEP filter)
  unsigned server_compatibility = 3;  // privateKeyFlags server nibble

  std::uint32_t subject_name_flags() const;
  bool enrollee_supplies_subject() const;
};

enum class Delegation { none, unconstrained, constrained, constrained_protocol_transition };

// Where HTTP/<ces host> is registered (setspn): on the app-pool account as
// it should be, nowhere (Negotiate cannot get a ticket), or on two accounts
// (the KDC refuses it, event 11 KDC_ERR_PRINCIPAL_NOT_UNIQUE).
enum class SpnRegistration { registered, missing, duplicate };

// The certificate bound to the CES/CEP site in IIS (the https binding). The
// lab's is issued by its CA for the names the lab is reached by (localhost,
// 127.0.0.1, ::1); the others reproduce what a client refuses in the TLS
// handshake (RFC 5280 6.1 validity; RFC 6125 / RFC 2818 3.1 names).
enum class TlsCertificate {
  valid,       // issued now for the lab's names
  expired,     // the lab's names, but its validity ended a day ago
  wrong_name,  // valid, for ces.host only: not a name the lab is reached by
};

struct CesEndpoint {
  core::AuthMode auth = core::AuthMode::username;
  bool renewal_only = false;
  bool key_based_renewal = false;
};

// The quotas of the CES and CEP bindings (web.config), at WCF's defaults:
// HttpTransportBindingElement.MaxReceivedMessageSize and
// XmlDictionaryReaderQuotas.MaxDepth (docs/world.md, "WCF's quotas").
struct WcfQuotas {
  std::size_t max_received_message_size = 65536;  // bytes of the HTTP body
  std::size_t max_depth = 32;                     // element nesting, the Envelope is 1
};

struct CesSettings {
  std::string host = "ces.lab.test";
  std::vector<CesEndpoint> endpoints;
  Delegation delegation = Delegation::constrained_protocol_transition;
  std::string app_pool_identity = "LAB\\svc-ces";
  std::set<std::string> app_pool_privileges = {"SeImpersonatePrivilege"};
  bool channel_binding_required = false;  // Extended Protection (EPA)
  SpnRegistration spn = SpnRegistration::registered;
  TlsCertificate tls_certificate = TlsCertificate::valid;
  WcfQuotas quotas;  // for CES and CEP alike
};

// One CES URI the CEP advertises for the CA (a value of the CA object's
// msPKI-Enrollment-Servers, as `certutil -enrollmentserverurl` writes it).
struct AdvertisedCesUri {
  std::string uri;  // absolute URL, or a path ("/...") resolved against the mock's base URL
  core::AuthMode auth = core::AuthMode::username;
  unsigned priority = 1;
  bool renewal_only = false;
};

struct CepSettings {
  std::string policy_id = "{6B1EBF5E-8C1B-4D5D-9A77-2A5F2C4D9E10}";
  std::string friendly_name = "Lab Enrollment Policy";
  unsigned next_update_hours = 8;
  std::vector<core::AuthMode> endpoints;
  std::optional<std::vector<std::string>> templates;  // advertised; default = published
  // Replaces the URIs derived from ces.endpoints (ces_uri_invalid_in_policy).
  std::optional<std::vector<AdvertisedCesUri>> ces_uris;
};

// A recorded HTTP response served verbatim (customer captures).
struct Replay {
  std::string path;                // endpoint path it answers; "*" = every path
  std::filesystem::path response;  // raw HTTP response file (status line, headers, body)
};

// A planted departure from what Windows puts on the wire, for testing a
// conformance checker (`ceslab conformance`, docs/conformance.md): the world
// serves every answer as usual, then changes it this one way. A Windows
// server never does any of these.
enum class WireDeviation {
  no_relates_to,          // answers carry no a:RelatesTo
  request_id_without_ca,  // a fault detail's nil RequestID is written "0" (as some
                          // third-party CES implementations do)
  soap11_faults,          // faults go out as SOAP 1.1 (text/xml, faultcode/faultstring)
  nil_elements_omitted,   // GetPoliciesResponse leaves out its xsi:nil elements
};
std::string_view to_string(WireDeviation deviation);
std::optional<WireDeviation> wire_deviation_named(std::string_view name);
// Every name, for error messages and docs.
std::vector<std::string_view> wire_deviation_names();

struct World {
  CaSettings ca;
  std::string netbios_domain = "LAB";
  std::string dns_domain = "lab.test";
  std::vector<Account> accounts;
  std::vector<TemplateSettings> templates;
  CesSettings ces;
  CepSettings cep;
  std::vector<Replay> replays;
  std::vector<WireDeviation> wire_deviations;  // none on a faithful world

  // Finds an account by any name form Windows accepts: "alice",
  // "LAB\alice", "alice@lab.test" (case-insensitive).
  const Account* find_account(std::string_view logon_name) const;
  const TemplateSettings* find_template(std::string_view name_or_oid) const;
  bool is_published(const TemplateSettings& t) const;
  // The groups an account belongs to, including the implicit ones
  // (Everyone, Authenticated Users, Domain Users / Domain Computers), and
  // the account's own name.
  std::set<std::string> memberships(const Account& account) const;

  // The account or group `name` stands for, in any form Windows accepts
  // ("pat", "LAB\pat", "pat@lab.test", "NT AUTHORITY\Authenticated Users",
  // "BUILTIN\Administrators"), as the name ACLs and memberships use ("pat",
  // "Authenticated Users"); nullopt when the world has no such principal,
  // with the reason in `why`. Known: the accounts, the groups some account
  // is in, the well-known groups and the app-pool identity's account.
  std::optional<std::string> resolve_principal(std::string_view name,
                                               std::string* why = nullptr) const;
  // Every name resolve_principal knows, for error messages.
  std::vector<std::string> known_principals() const;
  // The account name of ces.app_pool.identity ("LAB\svc-ces" -> "svc-ces").
  std::string app_pool_account() const;
  // The Kerberos realm of the domain: domain.dns upper-cased, as AD names it.
  std::string kerberos_realm() const;
};

// The Windows privilege constant names (Se...Privilege) ces.app_pool.privileges
// may name (Microsoft Learn, "Privilege Constants (Authorization)", winnt.h).
const std::set<std::string, std::less<>>& windows_privilege_names();

// Parses a world document; `source` names it in errors. A scenario file
// (a document with a top-level `world:` key) is accepted too: its world is
// an overlay on the default lab (overlay_default_world).
World parse_world(std::string_view yaml, std::string_view source);
// The default lab with `overlay` (a world mapping) laid over it
// (docs/scenarios.md, "The world"): mappings merge key by key; `accounts`
// and `templates` merge entry by entry on `name` (a new name is added); any
// other value, lists included, replaces the default's; `null` clears an
// optional key. Errors name `source` and the overlay's line.
World overlay_default_world(const YAML::Node& overlay, std::string_view source);
World load_world(const std::filesystem::path& path);
// The documented default lab (mock_ces/data/default_world.yaml, compiled in).
World default_world();

}  // namespace ceslab::mock
