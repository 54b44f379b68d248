// SPDX-License-Identifier: GPL-2.0-or-later
// HTTP Negotiate for the Kerberos endpoints (RFC 4559; docs/protocol.md 3.2):
// a TGT from a password, a keytab or a ccache; a SPNEGO token for the CES
// service principal with delegation and channel binding as Windows asks for
// them; mutual authentication on the answer; and, for the evidence, what
// really happened: GSS status, the TGT's and the service ticket's flags,
// whether a credential was delegated.
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

#include <mutex>

#include "ceslab/client/auth.hpp"
#include "ceslab/core/gss.hpp"
#include "ceslab/core/krb5_context.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/core/url.hpp"

namespace ceslab::client {

namespace {

// SPNEGO, the mechanism "Negotiate" names (RFC 4178).
gss_OID_desc kSpnego{6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};

// The "Negotiate <token>" value of the first WWW-Authenticate that offers
// Negotiate, or nullopt. The token is empty in a bare challenge.
std::optional<std::string> negotiate_token(const core::HttpResponse& response) {
  for (const core::HttpHeader& h : response.headers) {
    if (!core::header_name_equals(h.name, "WWW-Authenticate")) continue;
    const std::string_view value = h.value;
    if (value.size() < 9 || !core::iequals(value.substr(0, 9), "Negotiate")) continue;
    if (value.size() == 9) return std::string();
    if (value[9] != ' ') continue;
    std::string_view token = value.substr(10);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    return std::string(token);
  }
  return std::nullopt;
}

void record(core::KerberosEvidence& facts, const core::GssError& e) {
  facts.gss_major = e.major();
  facts.gss_minor = e.minor();
  facts.gss_text = e.text();
}

}  // namespace

// The TGT of one authenticator, like a Windows logon session: obtained once
// (password or keytab) into a private in-memory ccache, or read from an
// existing ccache. Thread-safe; a failed logon is retried on the next call.
class KerberosLogon {
 public:
  explicit KerberosLogon(std::shared_ptr<const KerberosSettings> settings)
      : settings_(std::move(settings)) {}
  ~KerberosLogon() {
    if (owned_) destroy_ccache(ccache_);
  }
  KerberosLogon(const KerberosLogon&) = delete;
  KerberosLogon& operator=(const KerberosLogon&) = delete;

  // The ccache holding the TGT. Throws core::GssError.
  std::string ccache() {
    const std::lock_guard lock(mutex_);
    if (ccache_.empty()) {
      if (settings_->password || settings_->keytab) {
        ccache_ = initial_tickets();
        owned_ = true;
      } else {
        ccache_ = settings_->ccache.value_or("");
        if (ccache_.empty()) ccache_ = default_ccache();
      }
    }
    return ccache_;
  }

 private:
  using Context = core::Krb5Context;

  static std::string default_ccache() {
    Context k;
    return krb5_cc_default_name(k.context);
  }

  static void destroy_ccache(const std::string& name) {
    krb5_context context = nullptr;
    if (krb5_init_context(&context) != 0) return;
    krb5_ccache cc = nullptr;
    if (krb5_cc_resolve(context, name.c_str(), &cc) == 0) krb5_cc_destroy(context, cc);
    krb5_free_context(context);
  }

  // The AS exchange (RFC 4120 3.1) into a new MEMORY ccache. Windows asks
  // for a forwardable TGT; the KDC decides whether it is one.
  std::string initial_tickets() const {
    Context k;
    if (settings_->clock_offset.count() != 0) {
      const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
      krb5_set_real_time(k.context,
                         static_cast<krb5_timestamp>(now + settings_->clock_offset.count()), 0);
    }
    krb5_principal client = nullptr;
    if (const krb5_error_code rc =
            krb5_parse_name(k.context, settings_->principal.c_str(), &client))
      k.fail("krb5_parse_name(" + settings_->principal + ")", rc);
    krb5_ccache cc = nullptr;
    krb5_get_init_creds_opt* opt = nullptr;
    krb5_keytab keytab = nullptr;
    krb5_creds creds{};
    const auto cleanup = [&] {
      krb5_free_cred_contents(k.context, &creds);
      if (keytab != nullptr) krb5_kt_close(k.context, keytab);
      if (opt != nullptr) krb5_get_init_creds_opt_free(k.context, opt);
      krb5_free_principal(k.context, client);
    };
    krb5_error_code rc = krb5_cc_new_unique(k.context, "MEMORY", nullptr, &cc);
    if (rc == 0) rc = krb5_cc_initialize(k.context, cc, client);
    if (rc == 0) rc = krb5_get_init_creds_opt_alloc(k.context, &opt);
    if (rc != 0) {
      cleanup();
      k.fail("krb5 ccache", rc);
    }
    krb5_get_init_creds_opt_set_forwardable(opt, 1);
    krb5_get_init_creds_opt_set_out_ccache(k.context, opt, cc);
    const std::string who = settings_->principal;
    if (settings_->password) {
      rc = krb5_get_init_creds_password(k.context, &creds, client, settings_->password->c_str(),
                                        nullptr, nullptr, 0, nullptr, opt);
    } else {
      rc = krb5_kt_resolve(k.context, ("FILE:" + settings_->keytab->string()).c_str(), &keytab);
      if (rc == 0)
        rc = krb5_get_init_creds_keytab(k.context, &creds, client, keytab, 0, nullptr, opt);
    }
    if (rc != 0) {
      krb5_cc_destroy(k.context, cc);
      cleanup();
      k.fail("AS exchange for " + who, rc);
    }
    const char* type = krb5_cc_get_type(k.context, cc);
    std::string name = std::string(type) + ":" + krb5_cc_get_name(k.context, cc);
    krb5_cc_close(k.context, cc);
    cleanup();
    return name;
  }

  std::shared_ptr<const KerberosSettings> settings_;
  std::mutex mutex_;
  std::string ccache_;
  bool owned_ = false;
};

namespace {

// One call's Negotiate exchange.
class NegotiateSession final : public HttpChallenge {
 public:
  NegotiateSession(std::string url, std::shared_ptr<const KerberosSettings> settings,
                   std::shared_ptr<KerberosLogon> logon)
      : url_(std::move(url)), settings_(std::move(settings)), logon_(std::move(logon)) {}

  std::optional<std::string> answer(const core::HttpResponse& challenge,
                                    const core::TlsFacts& tls) override {
    if (!negotiate_token(challenge)) return std::nullopt;  // NTLM only, or no challenge
    try {
      const std::string ccache = logon_->ccache();
      const std::string realm = core::default_realm();
      if (auto tgt = core::ccache_ticket_flags(ccache, "krbtgt/" + realm + "@" + realm)) {
        facts_.forwardable = tgt->forwardable;
      }
      const std::string service = service_name();
      credential_ = core::acquire_credentials(nullptr, GSS_C_INITIATE, {{"ccache", ccache}});
      target_ = core::import_service_name(service);
      if (settings_->channel_binding && !tls.tls_server_end_point.empty()) {
        bindings_.emplace(tls.tls_server_end_point);
      }
      facts_.channel_binding = bindings_.has_value();
      // GSS_C_DELEG_POLICY_FLAG alone: forward the TGT only when the service
      // ticket carries ok-as-delegate (RFC 5896), which is what Windows does.
      OM_uint32 flags = GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG;
      if (!settings_->credential_guard) flags |= GSS_C_DELEG_POLICY_FLAG;
      std::string token = step(GSS_C_NO_BUFFER, flags);
      // The service ticket is in the ccache now: its flags decided delegation.
      if (auto ticket = core::ccache_ticket_flags(ccache, service)) {
        facts_.ok_as_delegate = ticket->ok_as_delegate;
      }
      facts_.delegated = (ret_flags_ & GSS_C_DELEG_FLAG) != 0;
      flags_ = flags;
      return "Negotiate " + token;
    } catch (const core::GssError& e) {
      record(facts_, e);
      return std::nullopt;
    }
  }

  void finish(const core::HttpResponse& response) override {
    // IIS returns the AP-REP in the answer's WWW-Authenticate (RFC 4559 5).
    const auto token = negotiate_token(response);
    if (!token || token->empty() || !context_) return;
    try {
      core::Bytes bytes = core::gss_token_from_base64(*token);
      gss_buffer_desc input{bytes.size(), bytes.data()};
      step(&input, flags_);
    } catch (const std::exception& e) {
      facts_.gss_text = std::string("mutual authentication failed: ") + e.what();
    }
  }

  core::KerberosEvidence facts() const override { return facts_; }

 private:
  std::string service_name() const {
    if (settings_->service) return *settings_->service;
    return "HTTP/" + core::parse_url(url_).host;
  }

  // One gss_init_sec_context step; returns the output token in base64.
  std::string step(gss_buffer_t input, OM_uint32 flags) {
    const core::InitStep s = core::init_sec_context_step(
        context_, credential_.get(), target_.get(), &kSpnego, flags,
        bindings_ ? bindings_->get() : GSS_C_NO_CHANNEL_BINDINGS, input);
    ret_flags_ = s.ret_flags;
    if (GSS_ERROR(s.major)) {
      // SPNEGO reports a failure of its only mechanism with minor 0; ask the
      // Kerberos mechanism itself for the status the KDC really gave.
      if (s.minor == 0 && input == GSS_C_NO_BUFFER) throw kerberos_status();
      throw core::GssError("gss_init_sec_context", s.major, s.minor);
    }
    facts_.gss_major = s.major;
    facts_.gss_minor = s.minor;
    return s.token.empty() ? std::string() : core::gss_token_base64(s.token);
  }

  core::GssError kerberos_status() const {
    core::GssContext probe;
    const core::InitStep s = core::init_sec_context_step(probe, credential_.get(), target_.get(),
                                                         const_cast<gss_OID>(gss_mech_krb5), 0);
    return core::GssError("gss_init_sec_context", GSS_ERROR(s.major) ? s.major : GSS_S_FAILURE,
                          s.minor);
  }

  std::string url_;
  std::shared_ptr<const KerberosSettings> settings_;
  std::shared_ptr<KerberosLogon> logon_;
  core::GssCred credential_;
  core::GssName target_;
  core::GssContext context_;
  std::optional<core::ChannelBindings> bindings_;
  OM_uint32 flags_ = 0;
  OM_uint32 ret_flags_ = 0;
  core::KerberosEvidence facts_;
};

}  // namespace

KerberosAuthenticator::KerberosAuthenticator(KerberosSettings settings)
    : settings_(std::make_shared<const KerberosSettings>(std::move(settings))),
      logon_(std::make_shared<KerberosLogon>(settings_)) {
  if (settings_->principal.empty() && (settings_->password || settings_->keytab)) {
    throw std::invalid_argument("Kerberos authentication with a password or keytab needs a user");
  }
}

KerberosAuthenticator::~KerberosAuthenticator() = default;

void KerberosAuthenticator::apply(const std::string& url, CallCredentials& credentials) const {
  credentials.http_challenge = std::make_shared<NegotiateSession>(url, settings_, logon_);
}

}  // namespace ceslab::client
