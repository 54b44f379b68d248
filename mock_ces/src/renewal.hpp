// SPDX-License-Identifier: GPL-2.0-or-later
// What the CA checks on a renewal and who the CES app pool is when it renews
// on someone's behalf (private to mock_ces; docs/protocol.md 1.4).
#pragma once

#include <set>
#include <string>

#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/world.hpp"
#include "request_decoding.hpp"

namespace ceslab::mock::pipeline {

// The checks the CA makes on a renewal before its policy module runs: the
// signing certificate was issued by this CA and is still valid, and the
// request's szOID_RENEWAL_CERTIFICATE names it. Throws the denial
// (docs/causes.md renewal_cert_invalid).
void check_renewal(const DecodedRequest& req, const LabCa& ca, const std::string& request_id);

// The principals the CES application pool identity acts as (for the CA's
// ACL): itself, its groups if the world knows it as an account, and the
// implicit Everyone / Authenticated Users.
std::set<std::string> app_pool_principals(const World& world);

}  // namespace ceslab::mock::pipeline
