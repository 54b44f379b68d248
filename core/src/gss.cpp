// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/gss.hpp"

#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

#include <vector>

#include "ceslab/core/base64.hpp"
#include "ceslab/core/krb5_context.hpp"

namespace ceslab::core {

namespace {

std::string display_status(OM_uint32 code, int type, gss_OID mech = GSS_C_NO_OID) {
  std::string out;
  OM_uint32 context = 0;
  do {
    OM_uint32 minor = 0;
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    if (gss_display_status(&minor, code, type, mech, &context, &text) != GSS_S_COMPLETE) break;
    if (!out.empty()) out += "; ";
    out.append(static_cast<const char*>(text.value), text.length);
    gss_release_buffer(&minor, &text);
  } while (context != 0);
  return out;
}

GssName import_name(std::string_view text, gss_OID type) {
  OM_uint32 minor = 0;
  gss_buffer_desc buffer{text.size(), const_cast<char*>(text.data())};
  gss_name_t name = GSS_C_NO_NAME;
  const OM_uint32 major = gss_import_name(&minor, &buffer, type, &name);
  if (GSS_ERROR(major)) throw GssError("gss_import_name(" + std::string(text) + ")", major, minor);
  return GssName(name);
}

// The krb5 library's text for a krb5_error_code; empty when even that
// cannot be had (this runs while a GssError is being built).
std::string krb5_message(krb5_error_code code) {
  try {
    return Krb5Context().message(code);
  } catch (const GssError&) {
    return {};
  }
}

}  // namespace

GssError::GssError(std::string_view call, OM_uint32 major, OM_uint32 minor)
    : GssError(call, major, minor, gss_status_text(major, minor)) {}

GssError::GssError(std::string_view call, OM_uint32 major, OM_uint32 minor, std::string text)
    : std::runtime_error(std::string(call) + ": " + text),
      major_(major),
      minor_(minor),
      text_(std::move(text)) {}

std::string gss_status_text(OM_uint32 major, OM_uint32 minor) {
  std::string out = display_status(major, GSS_C_GSS_CODE);
  if (minor != 0) {
    // Through SPNEGO the minor code is the Kerberos mechanism's (a
    // krb5_error_code); the mechglue does not always know whose it is.
    std::string m = display_status(minor, GSS_C_MECH_CODE);
    if (m.empty() || m.rfind("Unknown", 0) == 0)
      m = display_status(minor, GSS_C_MECH_CODE, const_cast<gss_OID>(gss_mech_krb5));
    if (m.empty()) m = krb5_message(static_cast<krb5_error_code>(minor));
    if (!m.empty()) out += (out.empty() ? "" : ": ") + m;
  }
  return out;
}

void GssNameDeleter::operator()(gss_name_t name) const noexcept {
  OM_uint32 minor = 0;
  gss_release_name(&minor, &name);
}

void GssCredDeleter::operator()(gss_cred_id_t cred) const noexcept {
  OM_uint32 minor = 0;
  gss_release_cred(&minor, &cred);
}

void GssContextDeleter::operator()(gss_ctx_id_t context) const noexcept {
  OM_uint32 minor = 0;
  gss_delete_sec_context(&minor, &context, GSS_C_NO_BUFFER);
}

GssName import_service_name(std::string_view name) {
  // "HTTP/host[@REALM]" is a Kerberos principal name; "HTTP@host" the
  // host-based form GSS-API resolves to a principal itself.
  if (name.find('/') != std::string_view::npos)
    return import_name(name, const_cast<gss_OID>(GSS_KRB5_NT_PRINCIPAL_NAME));
  return import_name(name, GSS_C_NT_HOSTBASED_SERVICE);
}

GssName import_user_name(std::string_view principal) {
  return import_name(principal, const_cast<gss_OID>(GSS_KRB5_NT_PRINCIPAL_NAME));
}

std::string display_name(gss_name_t name) {
  OM_uint32 minor = 0;
  gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
  const OM_uint32 major = gss_display_name(&minor, name, &text, nullptr);
  if (GSS_ERROR(major)) throw GssError("gss_display_name", major, minor);
  std::string out(static_cast<const char*>(text.value), text.length);
  gss_release_buffer(&minor, &text);
  return out;
}

GssCred acquire_credentials(gss_name_t name, gss_cred_usage_t usage,
                            const std::map<std::string, std::string>& store) {
  std::vector<gss_key_value_element_desc> elements;
  for (const auto& [key, value] : store) elements.push_back({key.c_str(), value.c_str()});
  gss_key_value_set_desc set{static_cast<OM_uint32>(elements.size()), elements.data()};
  OM_uint32 minor = 0;
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
  const OM_uint32 major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
                                                usage, &set, &cred, nullptr, nullptr);
  if (GSS_ERROR(major)) throw GssError("gss_acquire_cred_from", major, minor);
  return GssCred(cred);
}

ChannelBindings::ChannelBindings(const Bytes& tls_server_end_point)
    : data_("tls-server-end-point:" +
            std::string(tls_server_end_point.begin(), tls_server_end_point.end())) {
  bindings_.initiator_addrtype = GSS_C_AF_NULLADDR;
  bindings_.acceptor_addrtype = GSS_C_AF_NULLADDR;
  bindings_.application_data.length = data_.size();
  bindings_.application_data.value = data_.data();
}

std::optional<TicketFlags> ccache_ticket_flags(const std::string& ccache,
                                               const std::string& server) {
  Krb5Context k;
  krb5_ccache cc = nullptr;
  if (const krb5_error_code rc = krb5_cc_resolve(k.context, ccache.c_str(), &cc))
    k.fail("krb5_cc_resolve(" + ccache + ")", rc);
  const bool any_realm = server.find('@') == std::string::npos;
  const auto matches = [&](krb5_const_principal principal) {
    char* text = nullptr;
    if (krb5_unparse_name(k.context, principal, &text) != 0) return false;
    std::string name = text;
    krb5_free_unparsed_name(k.context, text);
    if (any_realm) name = name.substr(0, name.rfind('@'));
    return name == server;
  };
  std::optional<TicketFlags> found;
  krb5_cc_cursor cursor = nullptr;
  if (krb5_cc_start_seq_get(k.context, cc, &cursor) == 0) {
    krb5_creds creds;
    while (!found && krb5_cc_next_cred(k.context, cc, &cursor, &creds) == 0) {
      if (matches(creds.server)) {
        const auto raw = static_cast<std::uint32_t>(creds.ticket_flags);
        found = TicketFlags{(raw & TKT_FLG_FORWARDABLE) != 0, (raw & TKT_FLG_FORWARDED) != 0,
                            (raw & TKT_FLG_OK_AS_DELEGATE) != 0, raw};
      }
      krb5_free_cred_contents(k.context, &creds);
    }
    krb5_cc_end_seq_get(k.context, cc, &cursor);
  }
  krb5_cc_close(k.context, cc);
  return found;
}

std::string default_realm() {
  Krb5Context k;
  char* realm = nullptr;
  if (const krb5_error_code rc = krb5_get_default_realm(k.context, &realm))
    k.fail("krb5_get_default_realm", rc);
  std::string out = realm;
  krb5_free_default_realm(k.context, realm);
  return out;
}

std::string gss_token_base64(const gss_buffer_desc& token) {
  return encode_base64({static_cast<const unsigned char*>(token.value), token.length});
}

std::string gss_token_base64(const Bytes& token) {
  return encode_base64(token);
}

InitStep init_sec_context_step(GssContext& context, gss_cred_id_t credential, gss_name_t target,
                               gss_OID mech, OM_uint32 flags, gss_channel_bindings_t bindings,
                               gss_buffer_t input) {
  InitStep step;
  gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
  gss_ctx_id_t handle = context ? context.release() : GSS_C_NO_CONTEXT;
  step.major = gss_init_sec_context(&step.minor, credential, &handle, target, mech, flags, 0,
                                    bindings, input, nullptr, &output, &step.ret_flags, nullptr);
  context.reset(handle);
  const auto* bytes = static_cast<const unsigned char*>(output.value);
  if (output.length != 0) step.token.assign(bytes, bytes + output.length);
  OM_uint32 ignored = 0;
  gss_release_buffer(&ignored, &output);
  return step;
}

Bytes gss_token_from_base64(std::string_view text) {
  return decode_base64(text);
}

}  // namespace ceslab::core
