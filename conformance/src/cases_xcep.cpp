// SPDX-License-Identifier: GPL-2.0-or-later
// What MS-XCEP asks of a CEP: the GetPoliciesResponse, its nil rules (an
// element the schema requires is written, xsi:nil where it may be empty, and
// nil nowhere else), the references inside it, the request filter, and the
// requests it must refuse.
#include <set>

#include "cases.hpp"
#include "ceslab/client/policy.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/core/url.hpp"

// wsdl/xcep.xsd, compiled in (cmake/Embed.cmake).
std::string_view ceslab_embedded_xcep_schema();

namespace ceslab::conformance {

namespace {

using runner::Result;

const std::vector<Service> kCep = {Service::cep};

// One element declaration of an xs:sequence in MS-XCEP's schema.
struct Decl {
  std::string name;
  std::string type;  // "xcep:Response", "xs:int"
  bool required = true;
  bool nillable = false;
};

// The complex types of wsdl/xcep.xsd (MS-XCEP 6.2 with the body text's
// corrections), each as its sequence, and GetPoliciesResponse's own.
class XcepSchema {
 public:
  XcepSchema() : doc_(XmlDoc::parse(ceslab_embedded_xcep_schema())) {
    constexpr std::string_view xs = "http://www.w3.org/2001/XMLSchema";
    for (const xmlNode* n : children(doc_.root(), xs, "")) {
      const std::string name = attribute(n, "name");
      if (is(n, xs, "complexType")) types_[name] = sequence(n);
      if (is(n, xs, "element") && name == "GetPoliciesResponse") {
        root_ = sequence(child(n, xs, "complexType"));
      }
    }
  }
  const std::vector<Decl>& root() const { return root_; }
  // The sequence of a complex type ("xcep:CA"); null for a simple type.
  const std::vector<Decl>* type(const std::string& qname) const {
    if (qname.rfind("xcep:", 0) != 0) return nullptr;
    const auto found = types_.find(qname.substr(5));
    return found == types_.end() ? nullptr : &found->second;
  }

 private:
  static std::vector<Decl> sequence(const xmlNode* complex_type) {
    constexpr std::string_view xs = "http://www.w3.org/2001/XMLSchema";
    std::vector<Decl> out;
    for (const xmlNode* e : children(child(complex_type, xs, "sequence"), xs, "element")) {
      out.push_back({attribute(e, "name"), attribute(e, "type"), attribute(e, "minOccurs") != "0",
                     attribute(e, "nillable") == "true"});
    }
    return out;
  }

  XmlDoc doc_;
  std::map<std::string, std::vector<Decl>> types_;
  std::vector<Decl> root_;
};

// Every element `decls` requires is under `parent`; nil only where nillable;
// complex children checked in turn. Unknown children are the spec's xs:any
// extension points and are not judged.
void walk(const XcepSchema& schema, const xmlNode* parent, const std::vector<Decl>& decls,
          const std::string& path, Expect& e) {
  for (const Decl& d : decls) {
    const auto found = children(parent, ns::kPolicy, d.name);
    const std::string where = path + "/" + d.name;
    if (found.empty()) {
      e.that(!d.required, where, d.nillable ? "present (xsi:nil=\"true\" when empty)" : "present",
             "absent");
      continue;
    }
    for (const xmlNode* n : found) {
      if (is_nil(n)) {
        e.that(d.nillable, where, "a value (not nillable)", "xsi:nil");
        continue;
      }
      if (const auto* inner = schema.type(d.type)) walk(schema, n, *inner, where, e);
    }
  }
}

const core::GetPoliciesResponse* policy_of(const Reply& r) {
  return r.call.reply ? std::get_if<core::GetPoliciesResponse>(&r.call.reply->body) : nullptr;
}

// The answer is a GetPoliciesResponse the codec could read; a diff if not.
const core::GetPoliciesResponse* answered(const Reply& r, Expect& e) {
  const core::GetPoliciesResponse* p = policy_of(r);
  e.that(p != nullptr, "answer", "a GetPoliciesResponse",
         r.summary() + (r.call.parse_error.empty() ? "" : " (" + r.call.parse_error + ")"));
  return p;
}

// The answer's body element when it is a GetPoliciesResponse; null (with
// a diff) when not.
const xmlNode* policies_response(const Reply& r, Expect& e) {
  const xmlNode* body = r.body_element();
  return e.that(is(body, ns::kPolicy, "GetPoliciesResponse"), "answer", "a GetPoliciesResponse",
                r.summary())
             ? body
             : nullptr;
}

std::string template_names(const core::GetPoliciesResponse& p) {
  std::string out;
  if (!p.policies) return "none (nil)";
  for (const auto& t : *p.policies) out += (out.empty() ? "" : ", ") + t.common_name;
  return out.empty() ? "none" : out;
}

Outcome get_policies(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::get_policies);
  Expect e(r);
  e.that(r.status() == 200, "HTTP status", "200", r.summary());
  const xmlNode* body = policies_response(r, e);
  if (body == nullptr) return e.done("");
  const xmlNode* response = child(body, ns::kPolicy, "response");
  e.that(response != nullptr && !is_nil(response), "response", "present, not nil",
         shown_child(body, ns::kPolicy, "response"));
  const auto id = child_text(response, ns::kPolicy, "policyID");
  e.that(id && !id->empty(), "response/policyID", "a policy id",
         shown_child(response, ns::kPolicy, "policyID"));
  if (const auto hours = child_text(response, ns::kPolicy, "nextUpdateHours")) {
    e.that(*hours != "0" && hours->find('-') == std::string::npos, "response/nextUpdateHours",
           "a positive number of hours, or nil", *hours);
  }
  // lastUpdate nil: the client has no policy, so "not changed" cannot hold.
  e.that(child_text(response, ns::kPolicy, "policiesNotChanged") != "true",
         "response/policiesNotChanged", "not true (the request's lastUpdate was nil)",
         shown_child(response, ns::kPolicy, "policiesNotChanged"));
  const core::GetPoliciesResponse* p = policy_of(r);
  return e.done("policy " + id.value_or("?") + ": " + (p ? template_names(*p) : "?"));
}

Outcome nil_rules(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::get_policies);
  Expect e(r);
  const xmlNode* body = policies_response(r, e);
  if (body == nullptr) return e.done("");
  const XcepSchema schema;
  walk(schema, body, schema.root(), "GetPoliciesResponse", e);
  return e.done("every element the schema requires is there, nil only where it may be");
}

Outcome references(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::get_policies);
  Expect e(r);
  const core::GetPoliciesResponse* p = answered(r, e);
  if (p == nullptr) return e.done("");
  std::set<int> cas, oids;
  if (p->cas) {
    for (const auto& ca : *p->cas) cas.insert(ca.reference_id);
  }
  if (p->oids) {
    for (const auto& oid : *p->oids) oids.insert(oid.reference_id);
  }
  std::size_t checked = 0;
  const auto oid_ref = [&](const std::string& where, std::optional<int> ref) {
    if (!ref) return;
    ++checked;
    e.that(oids.count(*ref) > 0, where, "an oIDReferenceID of oIDs", std::to_string(*ref));
  };
  if (p->policies) {
    for (const auto& t : *p->policies) {
      const std::string at = "policy '" + t.common_name + "'";
      oid_ref(at + " policyOIDReference", t.oid_reference);
      oid_ref(at + " algorithmOIDReference", t.algorithm_oid_reference);
      oid_ref(at + " hashAlgorithmOIDReference", t.hash_algorithm_oid_reference);
      if (t.extensions) {
        for (const auto& x : *t.extensions)
          oid_ref(at + " extension oIDReference", x.oid_reference);
      }
      if (t.ca_references) {
        for (const int ref : *t.ca_references) {
          ++checked;
          e.that(cas.count(ref) > 0, at + " cAReference", "a cAReferenceID of cAs",
                 std::to_string(ref));
        }
      }
    }
  }
  return e.done(std::to_string(checked) + " references, each to a cA or oID of the answer");
}

Outcome ca_uris(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::get_policies);
  Expect e(r);
  const core::GetPoliciesResponse* p = answered(r, e);
  if (p == nullptr) return e.done("");
  std::size_t n = 0;
  if (p->cas) {
    for (const auto& ca : *p->cas) {
      const std::string at = "cA " + std::to_string(ca.reference_id);
      e.that(!ca.uris.empty(), at + " uris", "one cAURI or more", "none");
      for (const auto& u : ca.uris) {
        ++n;
        const unsigned a = u.client_authentication;
        e.that(a == 1 || a == 2 || a == 4 || a == 8, at + " clientAuthentication", "1, 2, 4 or 8",
               std::to_string(a));
        bool absolute = false;
        try {
          absolute = !core::parse_url(u.uri).host.empty();
        } catch (const std::exception&) {
        }
        e.that(absolute, at + " uri", "an absolute https URI", u.uri);
      }
    }
  }
  return e.done(std::to_string(n) + " CES URIs, each with a known authentication");
}

unsigned nibble(std::optional<unsigned> flags, unsigned shift) {
  return (flags.value_or(0) >> shift) & 0xF;
}

Outcome version_filter(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::get_policies_version_3);
  Expect e(r);
  const core::GetPoliciesResponse* p = answered(r, e);
  if (p == nullptr) return e.done("");
  if (p->policies) {
    for (const auto& t : *p->policies) {
      // privateKeyFlags: 0x0F000000 the client version, 0x000F0000 the server version.
      e.that(nibble(t.private_key_flags, 24) <= 3, "policy '" + t.common_name + "' client version",
             "3 or lower", std::to_string(nibble(t.private_key_flags, 24)));
      e.that(nibble(t.private_key_flags, 16) <= 3, "policy '" + t.common_name + "' server version",
             "3 or lower", std::to_string(nibble(t.private_key_flags, 16)));
    }
  }
  return e.done("for versions 3/3: " + template_names(*p));
}

Outcome oid_filter(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::get_policies_one_oid);
  Expect e(r);
  const core::GetPoliciesResponse* p = answered(r, e);
  if (p == nullptr) return e.done("");
  const std::string wanted = r.request.substr(r.request.rfind(' ') + 1);
  const std::size_t count = p->policies ? p->policies->size() : 0;
  e.that(count >= 1, "policies", "the template of " + wanted, "none");
  if (p->policies) {
    for (const auto& t : *p->policies) {
      const core::PolicyOid* oid = client::find_oid(*p, t.oid_reference);
      const std::string got = oid == nullptr ? "?" : oid->value;
      e.that(got == wanted, "policy '" + t.common_name + "' OID", wanted, got);
    }
  }
  return e.done("only " + template_names(*p));
}

Outcome not_changed(Probes& probes) {
  const Reply& r = probes.get(ProbeKind::get_policies_up_to_date);
  Expect e(r);
  const xmlNode* body = policies_response(r, e);
  if (body == nullptr) return e.done("");
  const xmlNode* response = child(body, ns::kPolicy, "response");
  const bool unchanged = child_text(response, ns::kPolicy, "policiesNotChanged") == "true";
  if (unchanged) {
    for (const auto& [parent, name] :
         {std::pair{response, "policies"}, std::pair{body, "cAs"}, std::pair{body, "oIDs"}}) {
      const xmlNode* n = child(parent, ns::kPolicy, name);
      e.that(n != nullptr && is_nil(n), name, "nil (policiesNotChanged is true)",
             shown_child(parent, ns::kPolicy, name));
    }
  }
  return e.done(unchanged ? "policiesNotChanged true, policies, cAs and oIDs nil"
                          : "the policies again (policiesNotChanged not true)");
}

}  // namespace

std::vector<Case> xcep_cases() {
  return {
      {{"xcep/get-policies", "MS-XCEP 3.1.4.1.2.2; 3.1.4.1.3.23",
        "GetPolicies is answered with a GetPoliciesResponse: a response with a policyID, "
        "nextUpdateHours positive or nil, policiesNotChanged not true for a client without "
        "a policy",
        kCep, true, ""},
       get_policies},
      {{"xcep/nil-rules", "MS-XCEP 3.1.4.1.2.2; 3.1.4.1.3; 6.2",
        "Every element the schema requires is written, empty ones as xsi:nil=\"true\", and "
        "only nillable ones are nil",
        kCep, true, ""},
       nil_rules},
      {{"xcep/references", "MS-XCEP 3.1.4.1.3.4; 3.1.4.1.3.7; 3.1.4.1.3.16",
        "Every cAReference names a cA's cAReferenceID and every OID reference an oID's "
        "oIDReferenceID",
        kCep, true, ""},
       references},
      {{"xcep/ca-uris", "MS-XCEP 3.1.4.1.3.2; 3.1.4.1.3.5",
        "Every CA lists one CES URI or more, each an absolute URI with clientAuthentication "
        "1, 2, 4 or 8",
        kCep, true, ""},
       ca_uris},
      {{"xcep/version-filter", "MS-XCEP 3.1.4.1.3.22",
        "With clientVersion 3 and serverVersion 3, no template whose privateKeyFlags name a "
        "higher client or server version is returned",
        kCep, true, ""},
       version_filter},
      {{"xcep/policy-oid-filter", "MS-XCEP 3.1.4.1.3.22; 3.1.4.1.3.14",
        "With policyOIDs, only the templates of those OIDs are returned", kCep, true, ""},
       oid_filter},
      {{"xcep/not-changed", "MS-XCEP 3.1.4.1.3.23",
        "When policiesNotChanged is true, policies, cAs and oIDs are nil", kCep, true, ""},
       not_changed},
      {{"xcep/client-required", "MS-XCEP 3.1.4.1.2.1", "GetPolicies with a nil <client> is a fault",
        kCep, true, ""},
       fault_expected(ProbeKind::get_policies_nil_client)},
  };
}

}  // namespace ceslab::conformance
