// SPDX-License-Identifier: GPL-2.0-or-later
// The CA's submission stages (private to mock_ces): a decoded request
// entered, decided (issued, pending, denied) and polled, and the key-based
// renewal CES submits on a subject's behalf.
#pragma once

#include <optional>
#include <string>

#include <openssl/x509.h>

#include "ceslab/core/messages.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/world.hpp"
#include "request_decoding.hpp"

namespace ceslab::mock::pipeline {

// Key-based renewal (docs/protocol.md 1.4): the CES app pool submits the request
// on behalf of the old certificate's subject; the CA needs
// EDITF_ENABLERENEWONBEHALFOF and a template that allows key-based renewal,
// and copies subject and SAN from the old certificate.
core::RequestSecurityTokenResponse submit_key_based_renewal(const DecodedRequest& req,
                                                            const X509* tls_client_certificate,
                                                            const World& world, LabCa& ca,
                                                            EventLog& events,
                                                            const std::string& ces_uri);

// The CA takes a decoded request: enters it in its database (new id), runs
// the policy module and issues, leaves it pending (manager approval) or
// denies it (throws the fault, CA event 53). `ces_uri` is where a pending
// request is to be polled.
core::RequestSecurityTokenResponse submit_request(const core::RequestSecurityToken& rst,
                                                  const DecodedRequest& req, const Account& account,
                                                  const World& world, LabCa& ca, EventLog& events,
                                                  const std::string& ces_uri);

// QueryTokenStatus: the state of request `request_id` as the CA has it now;
// a request an officer approved is issued first. Throws the fault for a
// missing/invalid id, an unknown id, or a denied or failed request.
core::RequestSecurityTokenResponse request_status(const std::optional<std::string>& request_id,
                                                  const World& world, LabCa& ca, EventLog& events);

}  // namespace ceslab::mock::pipeline
