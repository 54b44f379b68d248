// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/world.hpp"

#include "ceslab/core/text.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/core/yaml_reader.hpp"
#include "world_overlay.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>

std::string_view ceslab_embedded_default_world_yaml();

namespace ceslab::mock {
namespace {

using core::iequals;

// msPKI-Certificate-Name-Flag bits (MS-CRTD 2.28; docs/protocol.md 2.6).
const std::map<std::string, std::uint32_t, std::less<>>& name_flag_bits() {
  static const std::map<std::string, std::uint32_t, std::less<>> bits = {
      {"ENROLLEE_SUPPLIES_SUBJECT", 0x00000001},
      {"OLD_CERT_SUPPLIES_SUBJECT_AND_ALT_NAME", 0x00000008},
      {"ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME", 0x00010000},
      {"SUBJECT_ALT_REQUIRE_DOMAIN_DNS", 0x00400000},
      {"SUBJECT_ALT_REQUIRE_SPN", 0x00800000},
      {"SUBJECT_ALT_REQUIRE_DIRECTORY_GUID", 0x01000000},
      {"SUBJECT_ALT_REQUIRE_UPN", 0x02000000},
      {"SUBJECT_ALT_REQUIRE_EMAIL", 0x04000000},
      {"SUBJECT_ALT_REQUIRE_DNS", 0x08000000},
      {"SUBJECT_REQUIRE_DNS_AS_CN", 0x10000000},
      {"SUBJECT_REQUIRE_EMAIL", 0x20000000},
      {"SUBJECT_REQUIRE_COMMON_NAME", 0x40000000},
      {"SUBJECT_REQUIRE_DIRECTORY_PATH", 0x80000000},
  };
  return bits;
}

// policy\EditFlags names from certsrv.h the world may set; only some change
// the mock's behaviour (EDITF_ENABLERENEWONBEHALFOF, EDITF_EMAILOPTIONAL), the
// others are accepted so real `certutil -getreg policy\EditFlags` lists can be
// pasted in.
const std::set<std::string, std::less<>>& known_edit_flags() {
  static const std::set<std::string, std::less<>> flags = {"EDITF_ENABLEREQUESTEXTENSIONS",
                                                           "EDITF_REQUESTEXTENSIONLIST",
                                                           "EDITF_DISABLEEXTENSIONLIST",
                                                           "EDITF_ADDOLDKEYUSAGE",
                                                           "EDITF_ADDOLDCERTTYPE",
                                                           "EDITF_ATTRIBUTEENDDATE",
                                                           "EDITF_BASICCONSTRAINTSCRITICAL",
                                                           "EDITF_BASICCONSTRAINTSCA",
                                                           "EDITF_ENABLEAKIKEYID",
                                                           "EDITF_ATTRIBUTECA",
                                                           "EDITF_IGNOREREQUESTERGROUP",
                                                           "EDITF_ENABLEAKIISSUERNAME",
                                                           "EDITF_ENABLEAKIISSUERSERIAL",
                                                           "EDITF_ENABLEAKICRITICAL",
                                                           "EDITF_SERVERUPGRADED",
                                                           "EDITF_ATTRIBUTEEKU",
                                                           "EDITF_ENABLEDEFAULTSMIME",
                                                           "EDITF_EMAILOPTIONAL",
                                                           "EDITF_ATTRIBUTESUBJECTALTNAME2",
                                                           "EDITF_ENABLELDAPREFERRALS",
                                                           "EDITF_ENABLECHASECLIENTDC",
                                                           "EDITF_AUDITCERTTEMPLATELOAD",
                                                           "EDITF_DISABLEOLDOSCNUPN",
                                                           "EDITF_DISABLELDAPPACKAGELIST",
                                                           "EDITF_ENABLEUPNMAP",
                                                           "EDITF_ENABLEOCSPREVNOCHECK",
                                                           "EDITF_ENABLERENEWONBEHALFOF",
                                                           "EDITF_ENABLEKEYENCIPHERMENTCACERT"};
  return flags;
}

// The Windows privilege constant names (Se...Privilege): Microsoft Learn,
// "Privilege Constants (Authorization)" (winnt.h). The text names, not the
// SE_*_NAME macros, since `whoami /priv` and the app-pool rights show these.
const std::set<std::string, std::less<>> kPrivilegeNames = {
    "SeAssignPrimaryTokenPrivilege",
    "SeAuditPrivilege",
    "SeBackupPrivilege",
    "SeChangeNotifyPrivilege",
    "SeCreateGlobalPrivilege",
    "SeCreatePagefilePrivilege",
    "SeCreatePermanentPrivilege",
    "SeCreateSymbolicLinkPrivilege",
    "SeCreateTokenPrivilege",
    "SeDebugPrivilege",
    "SeDelegateSessionUserImpersonatePrivilege",
    "SeEnableDelegationPrivilege",
    "SeImpersonatePrivilege",
    "SeIncreaseBasePriorityPrivilege",
    "SeIncreaseQuotaPrivilege",
    "SeIncreaseWorkingSetPrivilege",
    "SeLoadDriverPrivilege",
    "SeLockMemoryPrivilege",
    "SeMachineAccountPrivilege",
    "SeManageVolumePrivilege",
    "SeProfileSingleProcessPrivilege",
    "SeRelabelPrivilege",
    "SeRemoteShutdownPrivilege",
    "SeRestorePrivilege",
    "SeSecurityPrivilege",
    "SeShutdownPrivilege",
    "SeSyncAgentPrivilege",
    "SeSystemEnvironmentPrivilege",
    "SeSystemProfilePrivilege",
    "SeSystemtimePrivilege",
    "SeTakeOwnershipPrivilege",
    "SeTcbPrivilege",
    "SeTimeZonePrivilege",
    "SeTrustedCredManAccessPrivilege",
    "SeUndockPrivilege",
    "SeUnsolicitedInputPrivilege",
};

// Well-known principals every world has, with the authority Windows shows
// them under (Microsoft Learn, "Well-known SIDs" and "Active Directory
// security groups"): Everyone has none, NT AUTHORITY\Authenticated Users,
// BUILTIN\Administrators (on the CA, a domain member, it holds Domain Admins
// and Enterprise Admins), and the domain's own groups (LAB\Domain Users).
enum class Authority { none, nt_authority, builtin, domain };
struct WellKnown {
  const char* name;
  Authority authority;
};
constexpr WellKnown kWellKnown[] = {
    {"Everyone", Authority::none},
    {"Authenticated Users", Authority::nt_authority},
    {"SYSTEM", Authority::nt_authority},
    {"NETWORK SERVICE", Authority::nt_authority},
    {"Administrators", Authority::builtin},
    {"Users", Authority::builtin},
    {"Domain Users", Authority::domain},
    {"Domain Computers", Authority::domain},
    {"Domain Controllers", Authority::domain},
    {"Domain Admins", Authority::domain},
    {"Enterprise Admins", Authority::domain},
    {"Schema Admins", Authority::domain},
    {"Cert Publishers", Authority::domain},
    {"Protected Users", Authority::domain},
};

const WellKnown* well_known(std::string_view name) {
  for (const WellKnown& w : kWellKnown) {
    if (iequals(w.name, name)) return &w;
  }
  return nullptr;
}

// Every world error names the file and line (core/yaml_reader.hpp).
using Reader = core::YamlReader;

core::AuthMode read_auth(const Reader& r, const YAML::Node& n, std::string_view key) {
  return r
      .choice<core::AuthMode>(n, key,
                              {{"kerberos", core::AuthMode::kerberos},
                               {"username_password", core::AuthMode::username},
                               {"certificate", core::AuthMode::certificate}})
      .value_or(core::AuthMode::username);
}

// nullopt when the key is left out (the caller keeps the Windows default);
// `acl: []` is an empty ACL.
std::optional<std::vector<AccessEntry>> read_acl(const Reader& r, const YAML::Node& n,
                                                 std::string_view what,
                                                 std::initializer_list<std::string_view> rights) {
  std::vector<AccessEntry> acl;
  const YAML::Node list = n["acl"];
  if (!list) return std::nullopt;
  if (!list.IsSequence()) r.fail(list, "'acl' in " + std::string(what) + " must be a list");
  for (const auto& e : list) {
    r.expect_map(e, "acl entry", {"principal", "allow", "deny"});
    AccessEntry entry;
    entry.principal = r.text(e, "principal", "acl entry");
    for (const char* key : {"allow", "deny"}) {
      for (const std::string& right : r.list(e, key, "acl entry")) {
        if (std::find(rights.begin(), rights.end(), right) == rights.end()) {
          std::string known;
          for (auto k : rights) known += (known.empty() ? "" : ", ") + std::string(k);
          r.fail(e[key], "unknown right '" + right + "' on the " + std::string(what) +
                             " (known: " + known + ")");
        }
        (std::string_view(key) == "allow" ? entry.allow : entry.deny).insert(right);
      }
    }
    acl.push_back(std::move(entry));
  }
  return acl;
}

std::vector<EnrollmentAgentRule> read_agent_restrictions(const Reader& r, const YAML::Node& n) {
  if (!n.IsSequence()) r.fail(n, "'enrollment_agent_restrictions' in ca must be a list");
  std::vector<EnrollmentAgentRule> rules;
  for (const auto& e : n) {
    r.expect_map(e, "enrollment agent rule", {"agent", "templates", "allow", "deny"});
    EnrollmentAgentRule rule;
    rule.agent = r.text(e, "agent", "enrollment agent rule");
    rule.templates = r.list(e, "templates", "enrollment agent rule");
    // The Windows dialog starts every agent with "Everyone: Allow".
    rule.allow = e["allow"] ? r.list(e, "allow", "enrollment agent rule")
                            : std::vector<std::string>{"Everyone"};
    rule.deny = r.list(e, "deny", "enrollment agent rule");
    rules.push_back(std::move(rule));
  }
  return rules;
}

KeyArchival read_key_archival(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "ca key_archival", {"agents_to_use", "recovery_agents"});
  KeyArchival archival;
  const YAML::Node list = n["recovery_agents"];
  if (!list || !list.IsSequence() || list.size() == 0) {
    r.fail(list ? list : n, "'recovery_agents' in ca key_archival must be a non-empty list");
  }
  for (const auto& a : list) {
    r.expect_map(a, "recovery agent", {"status"});
    archival.agents.push_back(r.choice<KraStatus>(a, "status",
                                                  {{"valid", KraStatus::valid},
                                                   {"expired", KraStatus::expired},
                                                   {"revoked", KraStatus::revoked},
                                                   {"untrusted", KraStatus::untrusted},
                                                   {"invalid", KraStatus::invalid},
                                                   {"not_found", KraStatus::not_found},
                                                   {"not_loaded", KraStatus::not_loaded}})
                                  .value_or(KraStatus::valid));
  }
  // The Recovery Agents tab accepts 1..(listed certificates) (TechNet
  // cc787039, "Troubleshooting KRA Configuration").
  archival.agents_to_use = static_cast<unsigned>(r.integer(n, "agents_to_use", 1).value_or(1));
  if (archival.agents_to_use > archival.agents.size()) {
    r.fail(n["agents_to_use"], "'agents_to_use' (" + std::to_string(archival.agents_to_use) +
                                   ") exceeds the " + std::to_string(archival.agents.size()) +
                                   " listed recovery agents");
  }
  return archival;
}

TemplateVersion read_version(const Reader& r, const YAML::Node& n, std::string_view what) {
  r.expect_map(n, what, {"major", "minor"});
  if (!n["major"]) r.fail(n, std::string(what) + " needs 'major'");
  return {static_cast<unsigned>(r.integer(n, "major", 0).value_or(0)),
          static_cast<unsigned>(r.integer(n, "minor", 0).value_or(0))};
}

CaSettings read_ca(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "ca",
               {"name", "host", "subject", "key", "validity_years", "policy_oids", "edit_flags",
                "acl", "state", "slow_ms", "published_templates", "enrollment_agent_restrictions",
                "key_archival", "enforce_x500_name_lengths", "signing_key"});
  CaSettings ca;
  ca.name = r.text(n, "name", "ca");
  ca.host = r.optional_text(n, "host", "ca").value_or(ca.host);
  ca.subject = r.optional_text(n, "subject", "ca").value_or("CN=" + ca.name);
  ca.key = r.optional_text(n, "key", "ca").value_or(ca.key);
  ca.validity_years = r.integer(n, "validity_years", 1).value_or(ca.validity_years);
  ca.policy_oids = r.list(n, "policy_oids", "ca");
  if (n["edit_flags"]) {  // left out: a fresh enterprise CA's; [] = none
    ca.edit_flags.clear();
    for (const std::string& f : r.list(n, "edit_flags", "ca")) {
      if (!known_edit_flags().count(f))
        r.fail(n["edit_flags"], "unknown EditFlags name '" + f + "'");
      ca.edit_flags.insert(f);
    }
  }
  if (auto acl = read_acl(r, n, "CA", {"read", "request", "manage_ca", "manage_certificates"})) {
    ca.acl = std::move(*acl);
  }
  ca.state =
      r.choice<CaState>(
           n, "state",
           {{"online", CaState::online}, {"offline", CaState::offline}, {"slow", CaState::slow}})
          .value_or(CaState::online);
  ca.slow_ms = r.integer(n, "slow_ms", 0).value_or(ca.state == CaState::slow ? 3000 : 0);
  if (n["published_templates"]) ca.published_templates = r.list(n, "published_templates", "ca");
  if (const YAML::Node rules = n["enrollment_agent_restrictions"]) {
    ca.enrollment_agent_restrictions = read_agent_restrictions(r, rules);
  }
  if (const YAML::Node archival = n["key_archival"]) {
    ca.key_archival = read_key_archival(r, archival);
  }
  ca.enforce_x500_name_lengths = r.flag(n, "enforce_x500_name_lengths").value_or(true);
  ca.signing_key_available =
      r.choice<bool>(n, "signing_key", {{"available", true}, {"unavailable", false}})
          .value_or(true);
  return ca;
}

Account read_account(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "account",
               {"name", "kind", "password", "email", "upn", "dns_name", "groups", "not_delegable",
                "disabled", "password_expired"});
  Account a;
  a.name = r.text(n, "name", "account");
  a.kind = r.choice<AccountKind>(n, "kind",
                                 {{"user", AccountKind::user},
                                  {"computer", AccountKind::computer},
                                  {"service", AccountKind::service}})
               .value_or(AccountKind::user);
  a.password = r.optional_text(n, "password", "account").value_or("");
  a.email = r.optional_text(n, "email", "account");
  a.upn = r.optional_text(n, "upn", "account");
  a.dns_name = r.optional_text(n, "dns_name", "account");
  a.groups = r.list(n, "groups", "account");
  a.not_delegable = r.flag(n, "not_delegable").value_or(false);
  a.disabled = r.flag(n, "disabled").value_or(false);
  a.password_expired = r.flag(n, "password_expired").value_or(false);
  return a;
}

TemplateSettings read_template(const Reader& r, const YAML::Node& n) {
  r.expect_map(
      n, "template",
      {"name", "oid", "major_version", "minor_version", "ca_loaded_version", "schema", "name_flags",
       "ekus", "issuance_policies", "validity_days", "renewal_days", "min_key_size", "acl",
       "manager_approval", "key_based_renewal", "archive_key", "compatibility"});
  TemplateSettings t;
  t.name = r.text(n, "name", "template");
  t.oid = r.text(n, "oid", "template");
  t.major_version = static_cast<unsigned>(r.integer(n, "major_version", 0).value_or(100));
  t.minor_version = static_cast<unsigned>(r.integer(n, "minor_version", 0).value_or(0));
  if (const YAML::Node v = n["ca_loaded_version"]) {
    t.ca_loaded_version = read_version(r, v, "template ca_loaded_version");
  }
  t.schema = static_cast<unsigned>(r.integer(n, "schema", 1).value_or(2));
  for (const std::string& f : r.list(n, "name_flags", "template")) {
    if (!name_flag_bits().count(f)) {
      r.fail(n["name_flags"], "unknown msPKI-Certificate-Name-Flag name '" + f + "'");
    }
    t.name_flags.insert(f);
  }
  t.ekus = r.list(n, "ekus", "template");
  t.issuance_policies = r.list(n, "issuance_policies", "template");
  t.validity_days = r.integer(n, "validity_days", 1).value_or(t.validity_days);
  t.renewal_days = r.integer(n, "renewal_days", 0).value_or(t.renewal_days);
  t.min_key_size = static_cast<unsigned>(r.integer(n, "min_key_size", 0).value_or(2048));
  if (auto acl =
          read_acl(r, n, "template", {"read", "write", "enroll", "autoenroll", "full_control"})) {
    t.acl = std::move(*acl);
  }
  t.manager_approval = r.flag(n, "manager_approval").value_or(false);
  t.key_based_renewal = r.flag(n, "key_based_renewal").value_or(false);
  t.archive_key = r.flag(n, "archive_key").value_or(false);
  if (const YAML::Node c = n["compatibility"]) {
    r.expect_map(c, "template compatibility", {"client", "server"});
    // Each is one nibble of msPKI-Private-Key-Flag (MS-CRTD 2.27).
    auto nibble = [&](const char* key) {
      const int v = r.integer(c, key, 1).value_or(3);
      if (v > 15) r.fail(c[key], std::string("'") + key + "' in template compatibility is 1 to 15");
      return static_cast<unsigned>(v);
    };
    t.client_compatibility = nibble("client");
    t.server_compatibility = nibble("server");
  }
  return t;
}

CesSettings read_ces(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "ces",
               {"host", "endpoints", "delegation", "app_pool", "channel_binding", "spn",
                "tls_certificate", "quotas"});
  CesSettings ces;
  ces.host = r.optional_text(n, "host", "ces").value_or(ces.host);
  if (const YAML::Node eps = n["endpoints"]) {
    if (!eps.IsSequence()) r.fail(eps, "'endpoints' in ces must be a list");
    for (const auto& e : eps) {
      r.expect_map(e, "ces endpoint", {"auth", "renewal_only", "key_based_renewal"});
      CesEndpoint ep;
      if (!e["auth"]) r.fail(e, "ces endpoint needs 'auth'");
      ep.auth = read_auth(r, e, "auth");
      ep.renewal_only = r.flag(e, "renewal_only").value_or(false);
      ep.key_based_renewal = r.flag(e, "key_based_renewal").value_or(false);
      ces.endpoints.push_back(ep);
    }
  }
  ces.delegation =
      r.choice<Delegation>(
           n, "delegation",
           {{"none", Delegation::none},
            {"unconstrained", Delegation::unconstrained},
            {"constrained", Delegation::constrained},
            {"constrained_protocol_transition", Delegation::constrained_protocol_transition}})
          .value_or(ces.delegation);
  if (const YAML::Node pool = n["app_pool"]) {
    r.expect_map(pool, "ces app_pool", {"identity", "privileges"});
    ces.app_pool_identity =
        r.optional_text(pool, "identity", "ces app_pool").value_or(ces.app_pool_identity);
    if (const YAML::Node privileges = pool["privileges"]) {
      r.list(pool, "privileges", "ces app_pool");  // a list of strings
      ces.app_pool_privileges.clear();
      for (const auto& item : privileges) {
        const std::string name = item.as<std::string>();
        if (!kPrivilegeNames.count(name)) {
          std::string known;
          for (const auto& p : kPrivilegeNames) known += (known.empty() ? "" : ", ") + p;
          r.fail(item, "unknown privilege '" + name +
                           "' in ces app_pool (Windows privilege constants: " + known + ")");
        }
        ces.app_pool_privileges.insert(name);
      }
    }
  }
  ces.channel_binding_required =
      r.choice<bool>(n, "channel_binding", {{"none", false}, {"required", true}}).value_or(false);
  ces.spn = r.choice<SpnRegistration>(n, "spn",
                                      {{"registered", SpnRegistration::registered},
                                       {"missing", SpnRegistration::missing},
                                       {"duplicate", SpnRegistration::duplicate}})
                .value_or(SpnRegistration::registered);
  ces.tls_certificate = r.choice<TlsCertificate>(n, "tls_certificate",
                                                 {{"valid", TlsCertificate::valid},
                                                  {"expired", TlsCertificate::expired},
                                                  {"wrong_name", TlsCertificate::wrong_name}})
                            .value_or(TlsCertificate::valid);
  if (const YAML::Node q = n["quotas"]) {
    r.expect_map(q, "ces quotas", {"max_received_message_size", "max_depth"});
    // WCF refuses a binding quota below 1 (ArgumentOutOfRange), so do we.
    ces.quotas.max_received_message_size = static_cast<std::size_t>(
        r.integer(q, "max_received_message_size", 1)
            .value_or(static_cast<int>(ces.quotas.max_received_message_size)));
    ces.quotas.max_depth = static_cast<std::size_t>(
        r.integer(q, "max_depth", 1).value_or(static_cast<int>(ces.quotas.max_depth)));
  }
  return ces;
}

// cep.ces_uris: what msPKI-Enrollment-Servers says, right or wrong. Only the
// syntax is checked here; whether a URI names a CES endpoint of the world is
// the CEP's business (event 15).
std::vector<AdvertisedCesUri> read_ces_uris(const Reader& r, const YAML::Node& list) {
  if (!list.IsSequence()) r.fail(list, "'ces_uris' in cep must be a list");
  // MS-XCEP 3.1.4.1.3.6: a CA carries one or more cAURI.
  if (list.size() == 0) r.fail(list, "'ces_uris' in cep must not be empty");
  std::vector<AdvertisedCesUri> uris;
  for (const auto& e : list) {
    r.expect_map(e, "cep ces_uri", {"uri", "auth", "priority", "renewal_only"});
    AdvertisedCesUri u;
    u.uri = r.text(e, "uri", "cep ces_uri");
    if (u.uri.empty() || u.uri.front() != '/') {
      try {
        core::parse_url(u.uri);
      } catch (const std::invalid_argument& bad) {
        r.fail(e["uri"], "'uri' in cep ces_uri is neither a path nor an http(s) URL: " +
                             std::string(bad.what()));
      }
    } else if (u.uri.find_first_of(" \t\r\n") != std::string::npos) {
      r.fail(e["uri"], "'uri' in cep ces_uri must not contain white space");
    }
    if (!e["auth"]) r.fail(e, "cep ces_uri needs 'auth'");
    u.auth = read_auth(r, e, "auth");
    u.priority = static_cast<unsigned>(r.integer(e, "priority", 0).value_or(1));
    u.renewal_only = r.flag(e, "renewal_only").value_or(false);
    uris.push_back(std::move(u));
  }
  return uris;
}

CepSettings read_cep(const Reader& r, const YAML::Node& n) {
  r.expect_map(
      n, "cep",
      {"policy_id", "friendly_name", "next_update_hours", "endpoints", "templates", "ces_uris"});
  CepSettings cep;
  cep.policy_id = r.optional_text(n, "policy_id", "cep").value_or(cep.policy_id);
  cep.friendly_name = r.optional_text(n, "friendly_name", "cep").value_or(cep.friendly_name);
  cep.next_update_hours = static_cast<unsigned>(
      r.integer(n, "next_update_hours", 1).value_or(static_cast<int>(cep.next_update_hours)));
  if (const YAML::Node eps = n["endpoints"]) {
    if (!eps.IsSequence()) r.fail(eps, "'endpoints' in cep must be a list");
    for (const auto& e : eps) {
      r.expect_map(e, "cep endpoint", {"auth"});
      if (!e["auth"]) r.fail(e, "cep endpoint needs 'auth'");
      cep.endpoints.push_back(read_auth(r, e, "auth"));
    }
  }
  if (n["templates"]) cep.templates = r.list(n, "templates", "cep");
  if (const YAML::Node uris = n["ces_uris"]) cep.ces_uris = read_ces_uris(r, uris);
  return cep;
}

void check_references(const Reader& r, const YAML::Node& root, const World& w) {
  auto known_template = [&](const std::string& name) { return w.find_template(name) != nullptr; };
  if (w.ca.published_templates) {
    for (const auto& t : *w.ca.published_templates) {
      if (!known_template(t)) {
        r.fail(root["ca"]["published_templates"], "published template '" + t + "' is not defined");
      }
    }
  }
  if (w.ca.enrollment_agent_restrictions) {
    const YAML::Node rules = root["ca"]["enrollment_agent_restrictions"];
    for (std::size_t i = 0; i < w.ca.enrollment_agent_restrictions->size(); ++i) {
      for (const auto& t : (*w.ca.enrollment_agent_restrictions)[i].templates) {
        if (!known_template(t)) {
          r.fail(rules[i]["templates"], "enrollment agent template '" + t + "' is not defined");
        }
      }
    }
  }
  if (w.cep.templates) {
    for (const auto& t : *w.cep.templates) {
      if (!known_template(t))
        r.fail(root["cep"]["templates"], "CEP template '" + t + "' is not defined");
    }
  }
}

// Resolves one principal named at `at`, or fails there listing the names
// the world knows.
std::string resolve_at(const Reader& r, const World& w, const YAML::Node& at,
                       const std::string& name, std::string_view where) {
  std::string why;
  if (auto resolved = w.resolve_principal(name, &why)) return *resolved;
  std::string known;
  for (const std::string& k : w.known_principals()) known += (known.empty() ? "" : ", ") + k;
  r.fail(at, "unknown principal '" + name + "' in " + std::string(where) + ": " + why +
                 " (known: " + known + "; also as " + w.netbios_domain + "\\name or name@" +
                 w.dns_domain + ")");
}

// Every principal an ACL or an enrollment agent rule names must be an
// account or group of the world; each is replaced by the name access
// checks compare (World::memberships).
void resolve_principals(const Reader& r, const YAML::Node& root, World& w) {
  auto resolve_acl = [&](std::vector<AccessEntry>& acl, const YAML::Node& list,
                         std::string_view where) {
    if (!list) return;  // the Windows default: well-known groups only
    for (std::size_t i = 0; i < acl.size(); ++i) {
      acl[i].principal = resolve_at(r, w, list[i]["principal"], acl[i].principal, where);
    }
  };
  if (const YAML::Node ca = root["ca"]) resolve_acl(w.ca.acl, ca["acl"], "the CA acl");
  const YAML::Node templates = root["templates"];
  for (std::size_t i = 0; i < w.templates.size(); ++i) {
    resolve_acl(w.templates[i].acl, templates[i]["acl"],
                "the acl of template '" + w.templates[i].name + "'");
  }
  if (w.ca.enrollment_agent_restrictions) {
    const YAML::Node rules = root["ca"]["enrollment_agent_restrictions"];
    for (std::size_t i = 0; i < w.ca.enrollment_agent_restrictions->size(); ++i) {
      EnrollmentAgentRule& rule = (*w.ca.enrollment_agent_restrictions)[i];
      const YAML::Node n = rules[i];
      rule.agent = resolve_at(r, w, n["agent"], rule.agent, "an enrollment agent rule");
      for (const char* key : {"allow", "deny"}) {
        auto& names = std::string_view(key) == "allow" ? rule.allow : rule.deny;
        for (std::size_t k = 0; k < names.size(); ++k) {
          const YAML::Node at = n[key] ? n[key][k] : n;
          names[k] = resolve_at(r, w, at, names[k], "an enrollment agent rule");
        }
      }
    }
  }
}

// An account's group as memberships name it: "LAB\helpdesk" -> "helpdesk",
// "BUILTIN\Administrators" -> "Administrators". A group of another domain
// is refused.
std::string group_name(const Reader& r, const YAML::Node& at, const std::string& group,
                       const std::string& netbios) {
  const auto slash = group.find('\\');
  if (slash == std::string::npos) return group;
  const std::string authority = group.substr(0, slash);
  const std::string name = group.substr(slash + 1);
  if (iequals(authority, netbios)) return name;
  if (const WellKnown* k = well_known(name)) {
    if ((k->authority == Authority::builtin && iequals(authority, "BUILTIN")) ||
        (k->authority == Authority::nt_authority && iequals(authority, "NT AUTHORITY"))) {
      return k->name;
    }
  }
  r.fail(at,
         "group '" + group + "': '" + authority + "' is not the world's domain (" + netbios + ")");
}

}  // namespace

unsigned KeyArchival::valid_agents() const {
  return static_cast<unsigned>(std::count(agents.begin(), agents.end(), KraStatus::valid));
}

std::uint32_t TemplateSettings::subject_name_flags() const {
  std::uint32_t bits = 0;
  for (const auto& f : name_flags) bits |= name_flag_bits().at(f);
  return bits;
}

bool TemplateSettings::enrollee_supplies_subject() const {
  return name_flags.count("ENROLLEE_SUPPLIES_SUBJECT") != 0;
}

const Account* World::find_account(std::string_view logon) const {
  std::string_view name = logon;
  if (auto slash = name.find('\\'); slash != std::string_view::npos) {
    if (!iequals(name.substr(0, slash), netbios_domain)) return nullptr;
    name = name.substr(slash + 1);
  }
  for (const Account& a : accounts) {
    if (iequals(a.name, name) || (a.upn && iequals(*a.upn, logon))) return &a;
  }
  return nullptr;
}

const TemplateSettings* World::find_template(std::string_view name_or_oid) const {
  for (const TemplateSettings& t : templates) {
    if (iequals(t.name, name_or_oid) || t.oid == name_or_oid) return &t;
  }
  return nullptr;
}

bool World::is_published(const TemplateSettings& t) const {
  if (!ca.published_templates) return true;
  return std::any_of(ca.published_templates->begin(), ca.published_templates->end(),
                     [&](const std::string& name) { return iequals(name, t.name); });
}

std::set<std::string> World::memberships(const Account& account) const {
  std::set<std::string> groups(account.groups.begin(), account.groups.end());
  groups.insert("Everyone");
  groups.insert("Authenticated Users");
  groups.insert(account.kind == AccountKind::computer ? "Domain Computers" : "Domain Users");
  // On the CA (a domain member) BUILTIN\Administrators holds Domain Admins,
  // and Enterprise Admins through the forest root domain's Administrators.
  for (const std::string& g : account.groups) {
    if (iequals(g, "Domain Admins") || iequals(g, "Enterprise Admins"))
      groups.insert("Administrators");
  }
  groups.insert(account.name);
  return groups;
}

std::string World::app_pool_account() const {
  std::string_view id = ces.app_pool_identity;
  if (const auto slash = id.find('\\'); slash != std::string_view::npos) id = id.substr(slash + 1);
  if (const auto at = id.find('@'); at != std::string_view::npos) id = id.substr(0, at);
  return std::string(id);
}

std::string World::kerberos_realm() const {
  std::string realm = dns_domain;
  std::transform(realm.begin(), realm.end(), realm.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return realm;
}

std::vector<std::string> World::known_principals() const {
  std::vector<std::string> names;
  auto add = [&](const std::string& n) {
    if (std::none_of(names.begin(), names.end(), [&](const auto& k) { return iequals(k, n); }))
      names.push_back(n);
  };
  for (const Account& a : accounts) add(a.name);
  add(app_pool_account());
  for (const Account& a : accounts) {
    for (const std::string& g : a.groups) add(g);
  }
  for (const WellKnown& k : kWellKnown) add(k.name);
  return names;
}

std::optional<std::string> World::resolve_principal(std::string_view name, std::string* why) const {
  auto fail = [&](std::string reason) -> std::optional<std::string> {
    if (why != nullptr) *why = std::move(reason);
    return std::nullopt;
  };
  // A name in the domain: an account, the app pool's, a group some account
  // is in, or one of the domain's well-known groups.
  auto in_domain = [&](std::string_view n, bool groups) -> std::optional<std::string> {
    for (const Account& a : accounts) {
      if (iequals(a.name, n)) return a.name;
    }
    if (iequals(app_pool_account(), n)) return app_pool_account();
    if (!groups) return std::nullopt;
    for (const Account& a : accounts) {
      for (const std::string& g : a.groups) {
        if (iequals(g, n)) return g;
      }
    }
    return std::nullopt;
  };
  if (const auto slash = name.find('\\'); slash != std::string_view::npos) {
    const std::string_view authority = name.substr(0, slash);
    const std::string_view rest = name.substr(slash + 1);
    const WellKnown* k = well_known(rest);
    if (iequals(authority, "NT AUTHORITY") || iequals(authority, "BUILTIN")) {
      const Authority wanted =
          iequals(authority, "BUILTIN") ? Authority::builtin : Authority::nt_authority;
      if (k != nullptr && k->authority == wanted) return std::string(k->name);
      return fail("no such principal under " + std::string(authority));
    }
    if (!iequals(authority, netbios_domain)) {
      return fail("'" + std::string(authority) + "' is not the world's domain (domain.netbios " +
                  netbios_domain + ")");
    }
    if (auto found = in_domain(rest, true)) return found;
    if (k != nullptr && k->authority == Authority::domain) return std::string(k->name);
    return fail("no account or group of that name in " + netbios_domain);
  }
  if (const auto at = name.find('@'); at != std::string_view::npos) {
    for (const Account& a : accounts) {
      if (a.upn && iequals(*a.upn, name)) return a.name;
    }
    const std::string_view suffix = name.substr(at + 1);
    if (!iequals(suffix, dns_domain)) {
      return fail("'" + std::string(suffix) + "' is not the world's domain (domain.dns " +
                  dns_domain + ")");
    }
    // The implicit UPN, sAMAccountName@domain; groups have none.
    if (auto found = in_domain(name.substr(0, at), false)) return found;
    return fail("no account has that user principal name");
  }
  if (auto found = in_domain(name, true)) return found;
  if (const WellKnown* k = well_known(name)) return std::string(k->name);
  return fail("no account or group of that name");
}

// Microsoft Learn, "Implement Role-Based Administration" (AD CS, Windows
// Server 2008 R2, cc732590): enrollees are authorized by Authenticated Users'
// Enroll ("Request Certificates") permission, and every CA role (Manage CA,
// Issue and Manage Certificates) is given to the CA computer's Administrators,
// Domain Admins and Enterprise Admins. Read is implied by Request (MS-CSRA
// 3.1.1.7) and is listed because the mock checks it on its own.
std::vector<AccessEntry> fresh_enterprise_ca_acl() {
  const std::set<std::string> admin = {"read", "request", "manage_ca", "manage_certificates"};
  return {{"Authenticated Users", {"read", "request"}, {}},
          {"Administrators", {"read", "manage_ca", "manage_certificates"}, {}},
          {"Domain Admins", admin, {}},
          {"Enterprise Admins", admin, {}}};
}

// policy\EditFlags of a freshly installed enterprise CA, 0x0011014E, as
// `certutil -getreg policy\EditFlags` lists it (flag values: certsrv.h;
// MS-WCCE names EDITF_* in 3.2.2.6.2.1.4.5).
std::set<std::string> fresh_enterprise_ca_edit_flags() {
  return {"EDITF_REQUESTEXTENSIONLIST", "EDITF_DISABLEEXTENSIONLIST",
          "EDITF_ADDOLDKEYUSAGE",       "EDITF_BASICCONSTRAINTSCRITICAL",
          "EDITF_ENABLEAKIKEYID",       "EDITF_ENABLEDEFAULTSMIME",
          "EDITF_ENABLECHASECLIENTDC"};
}

// A template just duplicated in the Certificate Templates console:
// Authenticated Users may read it (Microsoft Learn, "A CA can't use a
// certificate template", KB 283218: "The Authenticated Users group is on a
// template ACL, by default"), Domain Admins and Enterprise Admins may read,
// write and enroll ("Modify the Default Security Permissions for Certificate
// Templates", cc962096). Nobody else may enroll until the template's
// Security tab says so. (The console also gives the account that duplicated
// it Read and Write; the world has no such account.)
std::vector<AccessEntry> fresh_template_acl() {
  return {{"Authenticated Users", {"read"}, {}},
          {"Domain Admins", {"read", "write", "enroll"}, {}},
          {"Enterprise Admins", {"read", "write", "enroll"}, {}}};
}

const std::set<std::string, std::less<>>& windows_privilege_names() {
  return kPrivilegeNames;
}

namespace {

YAML::Node load_yaml(std::string_view yaml, std::string_view source) {
  return Reader(std::string(source)).parse(yaml);
}

World world_from_node(YAML::Node root, std::string_view source);

}  // namespace

World parse_world(std::string_view yaml, std::string_view source) {
  YAML::Node root = load_yaml(yaml, source);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (root.IsMap() && root["world"]) return overlay_default_world(root["world"], source);
  return world_from_node(root, source);
}

World overlay_default_world(const YAML::Node& overlay, std::string_view source) {
  if (overlay.IsNull()) return default_world();
  if (!overlay.IsMap()) Reader(std::string(source)).fail(overlay, "world must be a mapping");
  const YAML::Node base = load_yaml(ceslab_embedded_default_world_yaml(), "default_world.yaml");
  return world_from_node(overlay_world_node(base, overlay), source);
}

namespace {

World world_from_node(YAML::Node root, std::string_view source) {
  const Reader r{std::string(source)};
  if (!root.IsMap()) r.fail(root, "world must be a mapping");
  for (const auto& kv : root) {
    if (!kv.first.IsScalar() || kv.first.Scalar() != "client") continue;
    // The client is not part of the world: `ceslab serve` cannot make a
    // separate `ceslab enroll` behave one way or another.
    r.fail(kv.first,
           "'client' is not a world setting: credential_guard and clock_skew_minutes are client "
           "settings now: `ceslab enroll --credential-guard` / `--clock-skew MINUTES`, or a "
           "scenario's `client:` section");
  }
  r.expect_map(
      root, "world",
      {"ca", "domain", "accounts", "templates", "ces", "cep", "replay", "wire_deviations"});
  World w;
  if (const YAML::Node ca = root["ca"]) w.ca = read_ca(r, ca);
  if (const YAML::Node d = root["domain"]) {
    r.expect_map(d, "domain", {"netbios", "dns"});
    w.netbios_domain = r.text(d, "netbios", "domain");
    w.dns_domain = r.text(d, "dns", "domain");
  }
  std::set<std::string> seen;
  if (const YAML::Node accounts = root["accounts"]) {
    if (!accounts.IsSequence()) r.fail(accounts, "'accounts' must be a list");
    for (const auto& n : accounts) {
      Account a = read_account(r, n);
      for (std::size_t i = 0; i < a.groups.size(); ++i) {
        a.groups[i] = group_name(r, n["groups"][i], a.groups[i], w.netbios_domain);
      }
      if (!seen.insert("account:" + a.name).second) {
        r.fail(n, "account '" + a.name + "' is listed twice");
      }
      w.accounts.push_back(std::move(a));
    }
  }
  if (const YAML::Node templates = root["templates"]) {
    if (!templates.IsSequence()) r.fail(templates, "'templates' must be a list");
    for (const auto& n : templates) {
      TemplateSettings t = read_template(r, n);
      if (!seen.insert("template:" + t.name).second) {
        r.fail(n, "template '" + t.name + "' is listed twice");
      }
      w.templates.push_back(std::move(t));
    }
  }
  if (const YAML::Node ces = root["ces"]) w.ces = read_ces(r, ces);
  if (w.ces.endpoints.empty()) {
    w.ces.endpoints = {{core::AuthMode::kerberos, false, false},
                       {core::AuthMode::username, false, false}};
  }
  if (const YAML::Node cep = root["cep"]) w.cep = read_cep(r, cep);
  if (w.cep.endpoints.empty())
    w.cep.endpoints = {core::AuthMode::kerberos, core::AuthMode::username};
  if (const YAML::Node replays = root["replay"]) {
    if (!replays.IsSequence()) r.fail(replays, "'replay' must be a list");
    for (const auto& n : replays) {
      r.expect_map(n, "replay", {"path", "response"});
      w.replays.push_back({r.text(n, "path", "replay"), r.text(n, "response", "replay")});
    }
  }
  if (root["wire_deviations"]) {
    std::string names;
    for (const auto name : wire_deviation_names()) {
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    const YAML::Node list = root["wire_deviations"];
    const std::vector<std::string> given = r.list(root, "wire_deviations", "world");
    for (std::size_t i = 0; i < given.size(); ++i) {
      const std::string& name = given[i];
      const auto d = wire_deviation_named(name);
      if (!d) r.fail(list[i], "unknown wire deviation '" + name + "' (known: " + names + ")");
      w.wire_deviations.push_back(*d);
    }
  }
  check_references(r, root, w);
  resolve_principals(r, root, w);
  return w;
}

}  // namespace

World load_world(const std::filesystem::path& path) {
  World w = parse_world(core::read_data_file(path), path.string());
  // Replay files are named relative to the world file.
  for (Replay& replay : w.replays) {
    if (replay.response.is_relative()) replay.response = path.parent_path() / replay.response;
  }
  return w;
}

World default_world() {
  return parse_world(ceslab_embedded_default_world_yaml(), "default_world.yaml");
}

}  // namespace ceslab::mock
