// SPDX-License-Identifier: GPL-2.0-or-later
// IIS Windows Authentication with Negotiate (RFC 4559), and the CES -> CA
// hop made with what the client delegated. Everything here is real
// GSS-API against the lab's KDC; only S4U2Proxy is modelled (see
// ces_to_ca_hop_kerberos).
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include "ca_failure.hpp"
#include "ceslab/core/gss.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/mock/iis_pages.hpp"
#include "transport_auth.hpp"

namespace ceslab::mock::pipeline {

namespace {

// The token of "Authorization: Negotiate <base64>", or nullopt.
std::optional<std::string> negotiate_token(const core::HttpRequest& request) {
  const auto value = request.header("Authorization");
  if (!value || value->size() <= 10 || !core::iequals(value->substr(0, 10), "Negotiate "))
    return std::nullopt;
  return value->substr(10);
}

}  // namespace

std::string domain_controller(const World& world) {
  const std::string& host = world.ces.host;
  const auto dot = host.find('.');
  return "dc" + (dot == std::string::npos ? std::string(".lab.test") : host.substr(dot));
}

NegotiateLogon accept_negotiate(const core::HttpRequest& request,
                                const core::ConnectionInfo& connection, const World& world,
                                const KerberosService& service, EventLog* events) {
  const auto token = negotiate_token(request);
  // No token (or NTLM, which the lab does not speak): IIS challenges. The
  // challenged client asks the DC for a ticket to HTTP/<ces>; with the SPN
  // on two accounts the DC refuses and says so in its System log (event 11,
  // KDCEVENT_NAME_NOT_UNIQUE). The lab's KDC cannot hold a name twice, so the
  // mock logs the DC's event when it challenges (model, docs/kerberos.md).
  if (!token) {
    if (events != nullptr && world.ces.spn == SpnRegistration::duplicate) {
      events->append(EventCatalog::builtin().make("kdc_duplicate_name", domain_controller(world),
                                                  {{"name", service.ces_principal}}));
    }
    throw TransportRefusal{iis_unauthorized()};
  }
  core::Bytes input;
  try {
    input = core::gss_token_from_base64(*token);
  } catch (const std::exception&) {
    throw TransportRefusal{iis_unauthorized()};
  }
  NegotiateLogon logon;
  try {
    const core::GssName name = core::import_service_name(service.ces_principal);
    const core::GssCred acceptor = core::acquire_credentials(
        name.get(), GSS_C_ACCEPT, {{"keytab", "FILE:" + service.ces_keytab.string()}});
    // The binding of this TLS connection: a client that bound to another
    // channel fails here (GSS_S_BAD_BINDINGS); one that sent none passes
    // without GSS_C_CHANNEL_BOUND_FLAG (MIT 1.19+).
    core::ChannelBindings bindings(connection.tls_server_end_point);
    gss_buffer_desc in{input.size(), input.data()};
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    gss_name_t client = GSS_C_NO_NAME;
    gss_cred_id_t delegated = GSS_C_NO_CREDENTIAL;
    OM_uint32 flags = 0;
    OM_uint32 minor = 0;
    const OM_uint32 major =
        gss_accept_sec_context(&minor, &ctx, acceptor.get(), &in, bindings.get(), &client, nullptr,
                               &out, &flags, nullptr, &delegated);
    core::GssContext context(ctx);
    core::GssName client_name(client);
    logon.delegated = core::GssCred(delegated);
    if (out.length != 0) logon.output_token = core::gss_token_base64(out);
    gss_release_buffer(&minor, &out);
    // One round trip is all Kerberos needs; anything else is refused.
    if (major != GSS_S_COMPLETE) throw TransportRefusal{iis_unauthorized()};
    logon.channel_bound = (flags & GSS_C_CHANNEL_BOUND_FLAG) != 0;
    krb5_flags ticket_flags = 0;
    if (!GSS_ERROR(gss_krb5_get_tkt_flags(&minor, context.get(), &ticket_flags))) {
      logon.ticket_forwardable = (ticket_flags & TKT_FLG_FORWARDABLE) != 0;
    }
    logon.client_principal = core::display_name(client_name.get());
  } catch (const core::GssError&) {
    throw TransportRefusal{iis_unauthorized()};
  }
  // Extended Protection "Required" (docs/causes.md channel_binding_required,
  // cepces #51): an unbound authentication is refused like a failed one.
  if (world.ces.channel_binding_required && !logon.channel_bound) {
    throw TransportRefusal{iis_unauthorized()};
  }
  return logon;
}

void ces_to_ca_hop_kerberos(const World& world, const NegotiateLogon& logon,
                            const KerberosService& service) {
  const auto denied = [] { return FaultRaised{code_fault("ERROR_ACCESS_DENIED")}; };
  switch (world.ces.delegation) {
    case Delegation::none:
      throw denied();
    case Delegation::constrained:
    case Delegation::constrained_protocol_transition:
      // S4U2Proxy: the KDC gives the CES a ticket to the CA for the user only
      // when the user's ticket to the CES is forwardable (MS-SFU 3.2.5.2.2;
      // a "sensitive" account's never is). MIT's db2 back end has no
      // allowed-to-delegate-to list (constrained delegation needs the LDAP
      // back end), so the lab checks this rule itself — on the real ticket
      // flags of the context it accepted (docs/kerberos.md).
      if (!logon.ticket_forwardable) throw denied();
      return;
    case Delegation::unconstrained:
      break;
  }
  // Unconstrained: the client forwarded its TGT, or the hop has nothing to
  // go on. With it, the CES asks the KDC for a ticket to the CA as the user
  // and the CA accepts it: a real double hop.
  if (!logon.delegated) throw denied();
  try {
    const core::GssName ca_name = core::import_service_name(service.ca_principal);
    core::GssContext initiator;
    const core::InitStep init = core::init_sec_context_step(
        initiator, logon.delegated.get(), ca_name.get(), const_cast<gss_OID>(gss_mech_krb5), 0);
    if (GSS_ERROR(init.major)) throw core::GssError("CES -> CA init", init.major, init.minor);
    gss_buffer_desc token{init.token.size(), const_cast<unsigned char*>(init.token.data())};
    const core::GssCred ca = core::acquire_credentials(
        ca_name.get(), GSS_C_ACCEPT, {{"keytab", "FILE:" + service.ca_keytab.string()}});
    gss_ctx_id_t actx = GSS_C_NO_CONTEXT;
    gss_name_t who = GSS_C_NO_NAME;
    gss_buffer_desc reply = GSS_C_EMPTY_BUFFER;
    OM_uint32 minor = 0;
    const OM_uint32 major =
        gss_accept_sec_context(&minor, &actx, ca.get(), &token, GSS_C_NO_CHANNEL_BINDINGS, &who,
                               nullptr, &reply, nullptr, nullptr, nullptr);
    OM_uint32 ignored = 0;  // keep `minor` for the error below
    gss_release_buffer(&ignored, &reply);
    core::GssContext acceptor(actx);
    core::GssName caller(who);
    if (GSS_ERROR(major)) throw core::GssError("CA accept", major, minor);
    // The CA must see the user, not the CES: that is what delegation is for.
    if (core::display_name(caller.get()) != logon.client_principal) throw denied();
  } catch (const core::GssError&) {
    throw denied();
  }
}

}  // namespace ceslab::mock::pipeline
