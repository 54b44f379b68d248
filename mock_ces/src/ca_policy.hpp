// SPDX-License-Identifier: GPL-2.0-or-later
// The CA policy module stage (private to mock_ces): the template a request
// names, the access checks, and the Enterprise policy module's checks in
// its order.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/mock/world.hpp"
#include "request_decoding.hpp"

namespace ceslab::mock::pipeline {

// The template the request names: AdditionalContext first, then the CMC
// name/value pairs, then the CSR's template extensions (docs/protocol.md 1.3).
std::optional<std::string> requested_template(const core::RequestSecurityToken& rst,
                                              const DecodedRequest& req);

// Access check over an ACL: an explicit deny wins, otherwise any allow.
bool has_right(const std::vector<AccessEntry>& acl, const std::set<std::string>& who,
               const std::string& right);

// The template's ACL (a template without `acl` in the world has the one a
// freshly duplicated template has: fresh_template_acl()).
const std::vector<AccessEntry>& template_acl(const TemplateSettings& t);

// What a certificate from template `t` says before the policy module names
// its subject: EKUs, issuance policies, validity, the template extension.
core::IssueOptions template_issue_options(const TemplateSettings& t);

// Stage: CA policy module (the Enterprise policy module's checks, in its
// order) and the CA's own steps around it (enroll-on-behalf-of rights, key
// archival, its signing key). Builds what the certificate will say, or
// throws the failure.
core::IssueOptions apply_policy(const core::RequestSecurityToken& rst, const DecodedRequest& req,
                                const Account& account, const World& world,
                                const std::string& request_id);

}  // namespace ceslab::mock::pipeline
