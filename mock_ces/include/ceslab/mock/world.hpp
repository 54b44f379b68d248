// SPDX-License-Identifier: GPL-2.0-or-later
// The world the mock serves: CA, accounts and templates, read from YAML.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ceslab::mock {

// A world file that could not be accepted; what() names the file, the line
// and the problem ("world.yaml:12: unknown key 'emial' in account").
class WorldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Account {
  std::string name;
  std::string password;
  std::optional<std::string> email;
  std::optional<std::string> upn;
  std::vector<std::string> groups;
};

enum class SubjectSource { account, request };

struct CertificateTemplate {
  std::string name;
  std::string oid;
  SubjectSource subject_source = SubjectSource::account;
  bool require_email = false;
  std::vector<std::string> ekus;
  int validity_days = 365;
};

struct CaSettings {
  std::string name = "Lab Issuing CA";
  std::string subject = "CN=Lab Issuing CA,DC=lab,DC=test";
};

struct World {
  CaSettings ca;
  std::string netbios_domain = "LAB";
  std::string dns_domain = "lab.test";
  std::vector<Account> accounts;
  std::vector<CertificateTemplate> templates;

  // Finds an account by any name form Windows accepts: "alice",
  // "LAB\alice", "alice@lab.test" (case-insensitive).
  const Account* find_account(std::string_view logon_name) const;
  const CertificateTemplate* find_template(std::string_view name_or_oid) const;
};

// Parses a world document; `source` names it in errors. A scenario file
// (a document with a top-level `world:` key) is accepted too.
World parse_world(std::string_view yaml, std::string_view source);
World load_world(const std::filesystem::path& path);
// The documented default lab (mock_ces/data/default_world.yaml, compiled in).
World default_world();

}  // namespace ceslab::mock
