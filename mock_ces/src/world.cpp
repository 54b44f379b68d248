// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/world.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

std::string_view ceslab_embedded_default_world_yaml();

namespace ceslab::mock {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Reads one YAML mapping, refusing keys it does not know, with file:line in
// every message.
class Reader {
 public:
  Reader(std::string_view source) : source_(source) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    std::ostringstream msg;
    msg << source_;
    if (at.Mark().line >= 0) msg << ":" << at.Mark().line + 1;
    msg << ": " << what;
    throw WorldError(msg.str());
  }

  void expect_map(const YAML::Node& node, std::string_view what,
                  std::initializer_list<std::string_view> keys) const {
    if (!node.IsMap()) fail(node, std::string(what) + " must be a mapping");
    for (const auto& kv : node) {
      const auto key = kv.first.as<std::string>();
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        std::string known;
        for (auto k : keys) known += (known.empty() ? "" : ", ") + std::string(k);
        fail(kv.first,
             "unknown key '" + key + "' in " + std::string(what) + " (known: " + known + ")");
      }
    }
  }

  std::string text(const YAML::Node& node, std::string_view key, std::string_view what) const {
    const YAML::Node v = node[std::string(key)];
    if (!v) fail(node, std::string(what) + " needs '" + std::string(key) + "'");
    if (!v.IsScalar())
      fail(v, "'" + std::string(key) + "' in " + std::string(what) + " must be a string");
    return v.as<std::string>();
  }

  std::optional<std::string> optional_text(const YAML::Node& node, std::string_view key,
                                           std::string_view what) const {
    const YAML::Node v = node[std::string(key)];
    if (!v || v.IsNull()) return std::nullopt;
    if (!v.IsScalar())
      fail(v, "'" + std::string(key) + "' in " + std::string(what) + " must be a string");
    return v.as<std::string>();
  }

  std::vector<std::string> list(const YAML::Node& node, std::string_view key,
                                std::string_view what) const {
    const YAML::Node v = node[std::string(key)];
    if (!v || v.IsNull()) return {};
    if (!v.IsSequence())
      fail(v, "'" + std::string(key) + "' in " + std::string(what) + " must be a list");
    std::vector<std::string> out;
    for (const auto& item : v) {
      if (!item.IsScalar()) fail(item, "items of '" + std::string(key) + "' must be strings");
      out.push_back(item.as<std::string>());
    }
    return out;
  }

  bool flag(const YAML::Node& node, std::string_view key, bool fallback) const {
    const YAML::Node v = node[std::string(key)];
    if (!v) return fallback;
    try {
      return v.as<bool>();
    } catch (const YAML::Exception&) {
      fail(v, "'" + std::string(key) + "' must be true or false");
    }
  }

  int integer(const YAML::Node& node, std::string_view key, int fallback) const {
    const YAML::Node v = node[std::string(key)];
    if (!v) return fallback;
    try {
      return v.as<int>();
    } catch (const YAML::Exception&) {
      fail(v, "'" + std::string(key) + "' must be a whole number");
    }
  }

 private:
  std::string source_;
};

Account read_account(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "account", {"name", "password", "email", "upn", "groups"});
  Account a;
  a.name = r.text(n, "name", "account");
  a.password = r.optional_text(n, "password", "account").value_or("");
  a.email = r.optional_text(n, "email", "account");
  a.upn = r.optional_text(n, "upn", "account");
  a.groups = r.list(n, "groups", "account");
  return a;
}

CertificateTemplate read_template(const Reader& r, const YAML::Node& n) {
  r.expect_map(n, "template", {"name", "oid", "subject", "ekus", "validity_days"});
  CertificateTemplate t;
  t.name = r.text(n, "name", "template");
  t.oid = r.text(n, "oid", "template");
  if (const YAML::Node s = n["subject"]) {
    r.expect_map(s, "template subject", {"source", "require_email"});
    const std::string source = r.optional_text(s, "source", "template subject").value_or("account");
    if (source == "account") {
      t.subject_source = SubjectSource::account;
    } else if (source == "request") {
      t.subject_source = SubjectSource::request;
    } else {
      r.fail(s["source"], "subject source must be 'account' or 'request', not '" + source + "'");
    }
    t.require_email = r.flag(s, "require_email", false);
  }
  t.ekus = r.list(n, "ekus", "template");
  t.validity_days = r.integer(n, "validity_days", 365);
  if (t.validity_days <= 0) r.fail(n["validity_days"], "validity_days must be positive");
  return t;
}

}  // namespace

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

const CertificateTemplate* World::find_template(std::string_view name_or_oid) const {
  for (const CertificateTemplate& t : templates) {
    if (iequals(t.name, name_or_oid) || t.oid == name_or_oid) return &t;
  }
  return nullptr;
}

World parse_world(std::string_view yaml, std::string_view source) {
  Reader r(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw WorldError(std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsMap() && root["world"]) root = root["world"];  // a scenario file
  r.expect_map(root, "world", {"ca", "domain", "accounts", "templates"});
  World w;
  if (const YAML::Node ca = root["ca"]) {
    r.expect_map(ca, "ca", {"name", "subject"});
    w.ca.name = r.text(ca, "name", "ca");
    w.ca.subject = r.optional_text(ca, "subject", "ca").value_or("CN=" + w.ca.name);
  }
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
      if (!seen.insert("account:" + a.name).second)
        r.fail(n, "account '" + a.name + "' is listed twice");
      w.accounts.push_back(std::move(a));
    }
  }
  if (const YAML::Node templates = root["templates"]) {
    if (!templates.IsSequence()) r.fail(templates, "'templates' must be a list");
    for (const auto& n : templates) {
      CertificateTemplate t = read_template(r, n);
      if (!seen.insert("template:" + t.name).second)
        r.fail(n, "template '" + t.name + "' is listed twice");
      w.templates.push_back(std::move(t));
    }
  }
  return w;
}

World load_world(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw WorldError(path.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_world(text.str(), path.string());
}

World default_world() {
  return parse_world(ceslab_embedded_default_world_yaml(), "default_world.yaml");
}

}  // namespace ceslab::mock
