// SPDX-License-Identifier: GPL-2.0-or-later
// GSS-API (RFC 2743/2744, MIT krb5) as the client and the mock use it for
// HTTP Negotiate (RFC 4559): owned names, credentials and contexts, status
// codes kept with their text, RFC 5929 channel bindings, and the Kerberos
// ticket flags a diagnosis needs (forwardable, ok-as-delegate).
//
// MIT reads its configuration from KRB5_CONFIG when a call creates its
// krb5 context; callers point that at the lab's krb5.conf (kdc/KdcLab).
#pragma once

#include <gssapi/gssapi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ceslab/core/http_types.hpp"
#include "ceslab/core/ossl.hpp"

namespace ceslab::core {

// A GSS-API call that failed: its major/minor status and their display text
// ("Unspecified GSS failure.  Minor code may provide more information: Clock
// skew too great").
class GssError : public std::runtime_error {
 public:
  GssError(std::string_view call, OM_uint32 major, OM_uint32 minor);
  // A failure outside GSS-API proper (krb5 library calls): minor = the
  // krb5_error_code, major = GSS_S_FAILURE.
  GssError(std::string_view call, OM_uint32 major, OM_uint32 minor, std::string text);
  OM_uint32 major() const noexcept { return major_; }
  OM_uint32 minor() const noexcept { return minor_; }
  const std::string& text() const noexcept { return text_; }

 private:
  OM_uint32 major_;
  OM_uint32 minor_;
  std::string text_;
};

// The display text of a status pair, major then minor (gss_display_status).
std::string gss_status_text(OM_uint32 major, OM_uint32 minor);

struct GssNameDeleter {
  void operator()(gss_name_t name) const noexcept;
};
using GssName = std::unique_ptr<std::remove_pointer_t<gss_name_t>, GssNameDeleter>;

struct GssCredDeleter {
  void operator()(gss_cred_id_t cred) const noexcept;
};
using GssCred = std::unique_ptr<std::remove_pointer_t<gss_cred_id_t>, GssCredDeleter>;

struct GssContextDeleter {
  void operator()(gss_ctx_id_t context) const noexcept;
};
using GssContext = std::unique_ptr<std::remove_pointer_t<gss_ctx_id_t>, GssContextDeleter>;

// "HTTP@ces.lab.test" as GSS_C_NT_HOSTBASED_SERVICE, or a Kerberos principal
// ("HTTP/ces.lab.test", "alice@LAB.TEST") when it has a '/' or an '@realm'
// after a '/'. Service principals in SPN form ("HTTP/host") are the
// Windows spelling; both name the same principal.
GssName import_service_name(std::string_view name);
// A user principal ("alice" or "alice@LAB.TEST").
GssName import_user_name(std::string_view principal);
// The text form of a name ("alice@LAB.TEST").
std::string display_name(gss_name_t name);

// Credentials from a credential store (gss_acquire_cred_from, MIT 1.11+):
// keys "ccache", "client_keytab", "keytab". Usage is GSS_C_INITIATE or
// GSS_C_ACCEPT. `name` may be null (the store's default principal).
GssCred acquire_credentials(gss_name_t name, gss_cred_usage_t usage,
                            const std::map<std::string, std::string>& store);

// RFC 5929 tls-server-end-point bindings for a GSS context: the
// application data is "tls-server-end-point:" + the hash (RFC 5056/5929;
// what Windows' Extended Protection binds).
class ChannelBindings {
 public:
  explicit ChannelBindings(const Bytes& tls_server_end_point);
  ChannelBindings(const ChannelBindings&) = delete;  // bindings_ points into data_
  ChannelBindings& operator=(const ChannelBindings&) = delete;
  gss_channel_bindings_t get() { return &bindings_; }

 private:
  std::string data_;
  gss_channel_bindings_struct bindings_{};
};

// What one gss_init_sec_context call gave.
struct InitStep {
  OM_uint32 major = 0;
  OM_uint32 minor = 0;
  Bytes token;              // the output token; empty when there is none
  OM_uint32 ret_flags = 0;  // GSS_C_DELEG_FLAG etc. as granted
};

// One gss_init_sec_context step on `context`, which the first step creates
// and later steps continue (it holds whatever the library left in it). The
// output buffer is copied into the result and released here; errors are
// the caller's to judge from major/minor.
InitStep init_sec_context_step(GssContext& context, gss_cred_id_t credential, gss_name_t target,
                               gss_OID mech, OM_uint32 flags,
                               gss_channel_bindings_t bindings = GSS_C_NO_CHANNEL_BINDINGS,
                               gss_buffer_t input = GSS_C_NO_BUFFER);

// Kerberos ticket flags (RFC 4120 5.3), as stored in a ccache.
struct TicketFlags {
  bool forwardable = false;
  bool forwarded = false;
  bool ok_as_delegate = false;
  std::uint32_t raw = 0;  // the krb5 TKT_FLG_* bits
};

// The flags of the ticket for `server` in the ccache named `ccache`: a full
// principal ("krbtgt/LAB.TEST@LAB.TEST"), or one without realm
// ("HTTP/ces.lab.test") that matches it in any realm. nullopt when the
// ccache holds no such ticket. Throws GssError for an unreadable ccache.
std::optional<TicketFlags> ccache_ticket_flags(const std::string& ccache,
                                               const std::string& server);
// The default realm of the krb5 configuration in effect.
std::string default_realm();

// Base64 (Negotiate tokens travel that way in HTTP, RFC 4559 section 4).
std::string gss_token_base64(const gss_buffer_desc& token);
std::string gss_token_base64(const Bytes& token);
Bytes gss_token_from_base64(std::string_view text);

}  // namespace ceslab::core
