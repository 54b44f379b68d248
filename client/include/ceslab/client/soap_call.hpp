// SPDX-License-Identifier: GPL-2.0-or-later
// One SOAP 1.2 exchange over HTTPS: what was sent, what came back, and what
// went wrong at which layer (transport, HTTP, SOAP).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/core/evidence.hpp"
#include "ceslab/core/https_client.hpp"
#include "ceslab/core/messages.hpp"

namespace ceslab::client {

class KeptTlsContext;

struct TlsSettings {
  std::vector<std::string> ca_files;  // empty: the system trust store
  bool insecure = false;              // verification off; callers say so loudly
  // TLS client certificate authentication (Certificate endpoints, key-based
  // renewal): the certificate, its key and any intermediates to send.
  core::X509Ptr client_certificate;
  core::EvpPkeyPtr client_key;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds io_timeout{60000};
  // A TLS client context made once from these settings (keep_tls_context),
  // for callers that make many calls with them, like `ceslab bench`. A call
  // uses it only while the settings are still the ones it was made from;
  // otherwise, and when empty, each call sets up its own context (reading
  // the trust anchors again). Either way every call is a new connection.
  std::shared_ptr<const KeptTlsContext> kept;
};

// Another TlsSettings with the same values (sharing the client identity's
// certificate and key, and the kept context).
TlsSettings copy_tls_settings(const TlsSettings& tls);

// Sets tls.kept to a context made from tls's values now. Throws what a call
// with these settings would meet setting up its own (core::CryptoError
// naming an unreadable trust anchor file, std::invalid_argument).
void keep_tls_context(TlsSettings& tls);

// UsernamePassword credentials: the WS-Security UsernameToken
// (docs/protocol.md 3.3).
struct UsernameCredentials {
  std::string username;
  std::string password;  // never logged, never written to evidence
};

// HTTP authentication that answers a server's 401 challenge (Negotiate,
// RFC 4559). One object per call: it holds that call's security context.
class HttpChallenge {
 public:
  virtual ~HttpChallenge() = default;
  // The Authorization header value that answers `challenge` (a 401 received
  // over a connection whose TLS facts are `tls`), or nullopt when it cannot
  // answer — then facts() says why and the 401 stands.
  virtual std::optional<std::string> answer(const core::HttpResponse& challenge,
                                            const core::TlsFacts& tls) = 0;
  // The response to the authenticated request (mutual authentication).
  virtual void finish(const core::HttpResponse& response) = 0;
  // What the authentication observed (GSS status, ticket flags, delegation).
  virtual core::KerberosEvidence facts() const = 0;
};

// What a request carries to authenticate above TLS (docs/protocol.md 2.5):
// a UsernameToken in the SOAP header, or HTTP headers and the answer to a
// 401. An Authenticator fills it for each call (client/auth.hpp).
struct RequestCredentials {
  std::optional<UsernameCredentials> username;    // SOAP: UsernameToken
  std::vector<core::HttpHeader> http_headers;     // HTTP: headers sent as they are
  std::shared_ptr<HttpChallenge> http_challenge;  // HTTP: answers a 401 (Negotiate)
};

struct SoapCall {
  std::string url;  // the endpoint as given
  // The request as handed to the transport: method, target, the headers we
  // set (the transport adds Host, User-Agent and Content-Length) and the
  // body. It holds secrets (a UsernameToken password, an Authorization
  // header): write it out only through client::CaptureWriter, which redacts.
  core::HttpRequest request;
  core::Exchange exchange;                 // transport facts, HTTP response if any
  std::optional<core::SoapMessage> reply;  // parsed when the body was SOAP
  std::string parse_error;                 // why the body was not SOAP, if it was not
  // With an HttpChallenge: the 401 that was answered (then `exchange` is the
  // authenticated retry), and what the authentication observed.
  std::optional<core::Exchange> challenge;
  std::optional<core::KerberosEvidence> kerberos;
};

// A fresh "urn:uuid:..." for wsa:MessageID.
std::string new_message_id();

// A request with the WS-Addressing headers every CES/CEP request carries
// (Action, MessageID, ReplyTo anonymous, To = `url`; docs/protocol.md 1.2) and,
// with `username`, the WS-Security Timestamp and UsernameToken.
core::SoapMessage request_message(std::string_view action, const std::string& url,
                                  const std::optional<UsernameCredentials>& username);

// Serialises `message`, POSTs it as application/soap+xml and parses the
// answer (also of an HTTP 500: WCF faults travel that way, docs/protocol.md 1.1).
// `headers` are added to the HTTP request (e.g. an Authorization header).
// With `challenge`, a 401 is answered once: the request goes again, on a new
// connection, with the Authorization header the challenge gives (Kerberos
// Negotiate needs no connection affinity, unlike NTLM).
SoapCall call(const std::string& url, const core::SoapMessage& message, const TlsSettings& tls,
              const std::vector<core::HttpHeader>& headers = {},
              HttpChallenge* challenge = nullptr);

// The same exchange for a body written elsewhere, sent as it is with this
// Content-Type (a conformance probe: a SOAP 1.1 envelope, an edited
// message). The answer is parsed when it is application/soap+xml.
SoapCall call_raw(const std::string& url, std::string content_type, std::string body,
                  const TlsSettings& tls, const std::vector<core::HttpHeader>& headers = {},
                  HttpChallenge* challenge = nullptr);

// Parses `call.exchange.response` into `call.reply` when it is
// application/soap+xml, else says why not in `call.parse_error`: what
// call() and call_raw() do with the answer (also the fuzz targets' door,
// docs/fuzzing.md). Never throws for what the server sent.
void read_answer(SoapCall& call);

}  // namespace ceslab::client
