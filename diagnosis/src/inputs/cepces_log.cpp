// SPDX-License-Identifier: GPL-2.0-or-later
// cepces / certmonger logs: cepces writes "%(asctime)s %(name)s:%(levelname)s:
// %(message)s" (https://github.com/openSUSE/cepces/blob/master/doc/DEBUGGING.md) to its log or,
// under certmonger, to the journal ("... certmonger[1234]: ..."); an error ends a Python traceback
// with the exception line. What it says:
//   cepces.soap.service.SOAPFault: <Reason> (Code: s:Receiver; Subcode: None)
//       cepces/soap/service.py renders every SOAP fault so (Detail ignored)
//   ...:DEBUG:Received message: b'<ns0:Envelope ...>'
//       at DEBUG level the whole answer, as a Python bytes literal
//   ...:DEBUG:Initializing service (endpoint: <url>, auth: <AuthClass><0x...>)
//   requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: <url>
//   requests.exceptions.SSLError: ... certificate verify failed: <OpenSSL text> (_ssl.c:...)
//   requests.exceptions.ConnectionError: ... [Errno 111] Connection refused ...
//   gssapi.raw.misc.GSSError: Major (851968): ..., Minor (2529638949): Clock skew too great
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <array>
#include <charconv>
#include <variant>

#include "ceslab/core/endpoint_names.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

struct AuthClass {
  std::string_view name;
  core::AuthMode auth;
};

// cepces/soap/auth.py
constexpr std::array<AuthClass, 4> kAuthClasses{{
    {"TransportKerberosAuthentication", core::AuthMode::kerberos},
    {"MessageUsernamePasswordAuthentication", core::AuthMode::username},
    {"TransportCertificateAuthentication", core::AuthMode::certificate},
    {"AnonymousAuthentication", core::AuthMode::anonymous},
}};

std::string local_part(std::string_view qname) {
  const std::size_t colon = qname.find(':');
  return std::string(colon == std::string_view::npos ? qname : qname.substr(colon + 1));
}

// The payload of a Python bytes literal b'...' / b"..." (escapes: newline,
// carriage return, tab, backslash, quotes, \xNN); nullopt when `text` does
// not start with one.
std::optional<std::string> python_bytes(std::string_view text) {
  if (text.size() < 3 || text[0] != 'b' || (text[1] != '\'' && text[1] != '"')) return std::nullopt;
  const char quote = text[1];
  std::string out;
  for (std::size_t i = 2; i < text.size(); ++i) {
    const char c = text[i];
    if (c == quote) return out;
    if (c != '\\' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    const char e = text[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'x': {
        unsigned value = 0;
        if (i + 2 < text.size() &&
            std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
                text.data() + i + 3) {
          out += static_cast<char>(value);
          i += 2;
        }
        break;
      }
      default:
        out += e;  // \\ \' \"
    }
  }
  return std::nullopt;  // no closing quote: a truncated line
}

// The X509_V_* code whose OpenSSL text starts `text` ("unable to get local
// issuer certificate", "Hostname mismatch, certificate is not valid for ...").
std::optional<long> x509_code(std::string_view text) {
  std::optional<long> best;
  std::size_t best_length = 0;
  for (long code = 0; code <= 100; ++code) {
    const std::string_view s = X509_verify_cert_error_string(code);
    if (s.empty() || s.size() <= best_length || !starts_with_icase(text, s)) continue;
    if (s.rfind("error number", 0) == 0) continue;  // OpenSSL's text for an unassigned code
    best = code;
    best_length = s.size();
  }
  return best;
}

core::TransportErrorKind verify_kind(long code) {
  switch (code) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return core::TransportErrorKind::tls_expired;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return core::TransportErrorKind::tls_name_mismatch;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return core::TransportErrorKind::tls_untrusted;
    default:
      return core::TransportErrorKind::tls_other_verify;
  }
}

// The text after "marker" up to the end of the line, trimmed.
std::string_view after(std::string_view line, std::string_view marker) {
  const std::size_t at = line.find(marker);
  return at == std::string_view::npos ? std::string_view() : trim(line.substr(at + marker.size()));
}

std::optional<std::uint32_t> parenthesised_number(std::string_view text, std::string_view label) {
  const std::size_t at = text.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t open = text.find('(', at);
  const std::size_t close = text.find(')', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
  std::uint32_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data() + open + 1, text.data() + close, value);
  if (ec != std::errc{} || ptr != text.data() + close) return std::nullopt;
  return value;
}

// MIT krb5's texts of the minor statuses a Kerberos-authenticated cepces
// meets (krb5 error table: KRB5KRB_AP_ERR_SKEW, KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN;
// gssapi's "No Kerberos credentials available" for a missing ccache).
constexpr std::array<std::string_view, 3> kGssMinorTexts{"Clock skew too great",
                                                         "Server not found in Kerberos database",
                                                         "No Kerberos credentials available"};

std::size_t find_icase(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size()) return std::string_view::npos;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    if (starts_with_icase(text.substr(i), needle)) return i;
  }
  return std::string_view::npos;
}

class CepcesReader {
 public:
  CepcesReader(Reading& r, std::string name) : r_(r), e_(r.evidence), name_(std::move(name)) {}

  void line(std::string_view line) {
    const std::string_view t = trim(line);
    // A message pasted pretty-printed runs over many lines: gather them up
    // to the line that closes the bytes literal.
    if (received_lines_) {
      *received_lines_ += '\n';
      *received_lines_ += line;
      if (!t.empty() && t.back() == (*received_lines_)[1]) {
        received(*received_lines_);
        received_lines_.reset();
      }
      return;
    }
    if (t.find("cepces.certmonger.operation.") != std::string_view::npos) operation_logger(t);
    if (t.find("Initializing service (endpoint: ") != std::string_view::npos) service(t);
    if (const std::string_view payload = after(t, "Received message: "); !payload.empty()) {
      const bool bytes_literal =
          payload.size() >= 2 && payload[0] == 'b' && (payload[1] == '\'' || payload[1] == '"');
      if (bytes_literal && (payload.size() == 2 || payload.back() != payload[1])) {
        received_lines_ = std::string(payload);
      } else {
        received(payload);
      }
    }
    if (t.find("(Code: ") != std::string_view::npos &&
        t.find("; Subcode: ") != std::string_view::npos)
      soap_fault_line(t);
    if (t.find("HTTPError: ") != std::string_view::npos) http_error(t);
    // A quoted line may keep only Python's ssl text, without the exception's name.
    if (t.find("SSLError: ") != std::string_view::npos ||
        t.find("certificate verify failed: ") != std::string_view::npos)
      ssl_error(t);
    if (t.find("ConnectionError: ") != std::string_view::npos ||
        t.find("Timeout: ") != std::string_view::npos)
      connection_error(t);
    if (t.find("GSSError: ") != std::string_view::npos) {
      gss_error(t);
    } else {
      gss_text_line(t);
    }
    if (const std::string_view ca = after(t, "ca-error: "); !ca.empty()) message(ca);
    traceback_end(line);
  }

  void finish() {
    if (received_lines_) {  // cut off before its closing quote: read what there is
      received(*received_lines_ + "'");
      received_lines_.reset();
    }
    if (envelope_fault_) {
      e_.fault = core::fault_evidence(*envelope_fault_);
    } else if (line_fault_) {
      e_.fault = core::fault_evidence(*line_fault_);
      r_.facts.push_back("(cepces does not log the fault's Detail: no ErrorCode)");
    } else if (other_answer_ && !error_seen_) {
      // An answer that ended the run (a pending RSTRC, the policy); after an
      // error, an earlier answer (the CEP's policy before the CES failed) is not the outcome.
      apply_soap_message(*other_answer_, e_, r_.facts);
    }
    if (e_.fault) {
      e_.outcome = core::Outcome::failed;
      fault_facts(e_.fault->fault, r_.facts);
    }
    if (!failed_operation_.empty() && e_.operation == core::Operation::unknown) {
      if (failed_operation_ == "Poll") e_.operation = core::Operation::retrieve;
      if (failed_operation_ == "FetchRoots" || failed_operation_ == "GetSupportedTemplates" ||
          failed_operation_ == "GetDefaultTemplate")
        e_.operation = core::Operation::policy;
      if (e_.operation != core::Operation::unknown)
        r_.facts.push_back("operation " + std::string(core::to_string(e_.operation)) +
                           " (certmonger " + failed_operation_ + ")");
    }
    if (!ces_endpoint_.empty() || !cep_endpoint_.empty()) {
      const bool ces = !ces_endpoint_.empty();
      e_.endpoint = ces ? ces_endpoint_ : cep_endpoint_;
      r_.facts.push_back("endpoint " + e_.endpoint + (ces ? "" : " (the CEP; no CES was called)"));
      const std::optional<core::AuthMode> auth = ces ? ces_auth_ : cep_auth_;
      if (auth) {
        e_.auth = *auth;
        r_.facts.push_back("auth " + std::string(core::cli_name(*auth)) +
                           " (cepces' authentication class)");
      }
    }
  }

  bool recognised() const { return recognised_; }

 private:
  void message(std::string_view text) {
    const std::string m(text);
    if (std::find(e_.messages.begin(), e_.messages.end(), m) == e_.messages.end())
      e_.messages.push_back(m);
    recognised_ = true;
  }

  // The exception line that ends a Python traceback ("IndexError: list index
  // out of range") is what the helper reported, whatever the exception.
  void traceback_end(std::string_view line) {
    const std::string_view t = trim(line);
    if (t.find("Traceback (most recent call last):") != std::string_view::npos) {
      in_traceback_ = true;
      return;
    }
    if (!in_traceback_) return;
    // Frames are indented ("  File ...", "    code"); the exception line is not.
    std::string_view content = line;
    if (const std::size_t pid = line.find("certmonger["); pid != std::string_view::npos) {
      const std::size_t prefix = line.find("]: ", pid);
      if (prefix != std::string_view::npos) content = line.substr(prefix + 3);  // journald's prefix
    }
    if (content.empty() || content.front() == ' ' || content.front() == '\t') return;
    in_traceback_ = false;
    content = trim(content);
    const std::size_t colon = content.find(": ");
    if (colon == std::string_view::npos) return;
    const std::string_view type = content.substr(0, colon);
    const bool exception = type.size() > 5 && type.find(' ') == std::string_view::npos &&
                           (type.substr(type.size() - 5) == "Error" ||
                            type.find("Exception") != std::string_view::npos ||
                            type.find("Fault") != std::string_view::npos);
    if (!exception) return;
    error_seen_ = true;
    if (known_exception(type)) return;  // read above with its meaning
    message(content);
    r_.facts.push_back("cepces failed with " + std::string(content));
  }

  static bool known_exception(std::string_view type) {
    for (const std::string_view known :
         {"SOAPFault", "HTTPError", "SSLError", "ConnectionError", "Timeout", "GSSError"}) {
      if (type.find(known) != std::string_view::npos) return true;
    }
    return false;
  }

  // The last certmonger operation that started before the first error is
  // the one that failed.
  void operation_logger(std::string_view t) {
    if (error_seen_) return;
    std::string_view op = after(t, "cepces.certmonger.operation.");
    op = op.substr(0, op.find_first_of("<: "));
    failed_operation_ = std::string(op);
  }

  void service(std::string_view t) {
    std::string_view rest = after(t, "Initializing service (endpoint: ");
    const std::size_t comma = rest.find(", auth: ");
    if (comma == std::string_view::npos) return;
    const std::string url(rest.substr(0, comma));
    std::optional<core::AuthMode> auth;
    for (const AuthClass& c : kAuthClasses) {
      if (rest.find(c.name, comma) != std::string_view::npos) auth = c.auth;
    }
    const bool wstep =
        t.find("cepces.wstep.") != std::string_view::npos || core::looks_like_ces_url(url);
    (wstep ? ces_endpoint_ : cep_endpoint_) = url;
    (wstep ? ces_auth_ : cep_auth_) = auth;
    recognised_ = true;
  }

  void received(std::string_view payload) {
    const std::optional<std::string> xml = python_bytes(payload);
    if (!xml) return;
    refuse_doctype(name_, *xml);
    try {
      core::SoapMessage m = wsdl::read_message(*xml, wsdl::CodecLimits{kMaxInputBytes});
      recognised_ = true;
      if (const auto* f = std::get_if<core::EnrollmentFault>(&m.body)) {
        if (!envelope_fault_) {
          envelope_fault_ = *f;
          r_.facts.push_back("the fault as received (DEBUG 'Received message')");
        }
      } else {
        other_answer_ = std::move(m);
      }
    } catch (const wsdl::MessageError& e) {
      r_.facts.push_back(std::string("a logged message does not read as SOAP: ") + e.what());
    }
  }

  // "<prefix>SOAPFault: The EncodingType is invalid. (Code: s:Receiver; Subcode: None)"
  void soap_fault_line(std::string_view t) {
    error_seen_ = true;
    std::string_view text = t;
    if (const std::size_t at = t.find("SOAPFault: "); at != std::string_view::npos) {
      text = trim(t.substr(at + 11));
    } else if (const std::size_t at2 = t.find(":ERROR:"); at2 != std::string_view::npos) {
      text = trim(t.substr(at2 + 7));
    }
    const std::size_t code_at = text.rfind("(Code: ");
    const std::size_t sub_at = text.find("; Subcode: ", code_at);
    const std::size_t close = text.rfind(')');
    if (code_at == std::string_view::npos || sub_at == std::string_view::npos || close < sub_at)
      return;
    core::EnrollmentFault f;
    f.reason = std::string(trim(text.substr(0, code_at)));
    f.code = local_part(trim(text.substr(code_at + 7, sub_at - code_at - 7)));
    const std::string_view sub = trim(text.substr(sub_at + 11, close - sub_at - 11));
    if (sub != "None") f.subcode = local_part(sub);
    f.has_detail = false;
    // docs/protocol.md 6: the three shapes real servers send.
    if (f.subcode && *f.subcode == "InternalServiceFault") {
      f.kind = core::FaultKind::wcf_dispatcher;
    } else if (f.code == "Sender") {
      f.kind = core::FaultKind::ws_addressing;
    } else {
      f.kind = f.subcode ? core::FaultKind::other : core::FaultKind::enrollment_detail;
    }
    if (!line_fault_) line_fault_ = f;
    message(text);
  }

  // "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://..."
  void http_error(std::string_view t) {
    error_seen_ = true;
    const std::string_view rest = after(t, "HTTPError: ");
    int status = 0;
    const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), status);
    if (ec != std::errc{} || status < 100 || status > 599) return;
    std::string reason;
    const std::size_t error_at = rest.find("Error: ");
    const std::size_t for_url = rest.find(" for url: ");
    if (error_at != std::string_view::npos && for_url != std::string_view::npos &&
        for_url > error_at)
      reason = std::string(rest.substr(error_at + 7, for_url - error_at - 7));
    if (!e_.http) {
      e_.http = core::HttpEvidence();
      e_.http->status = status;
      e_.http->reason = reason;
      r_.facts.push_back("HTTP " + std::to_string(status) + (reason.empty() ? "" : " " + reason));
    }
    if (for_url != std::string_view::npos) {
      const std::string url(trim(rest.substr(for_url + 10)));
      if (core::looks_like_ces_url(url) && ces_endpoint_.empty()) ces_endpoint_ = url;
      if (core::looks_like_cep_url(url) && cep_endpoint_.empty()) cep_endpoint_ = url;
    }
    message(rest);
  }

  void ssl_error(std::string_view t) {
    error_seen_ = true;
    if (e_.transport) return;
    const std::string_view verify = after(t, "certificate verify failed: ");
    core::TransportErrorKind kind = core::TransportErrorKind::tls_handshake;
    if (!verify.empty()) {
      const std::string text(verify.substr(0, verify.find(" (_ssl.c")));
      e_.tls.verify_text = text;
      if (const auto code = x509_code(text)) {
        e_.tls.verify_result = *code;
        kind = verify_kind(*code);
        r_.facts.push_back("TLS verification failed: X509_V " + std::to_string(*code) + " (" +
                           text + ")");
      } else {
        kind = core::TransportErrorKind::tls_other_verify;
        r_.facts.push_back("TLS verification failed: " + text);
      }
    }
    e_.transport = core::TransportEvidence{kind, std::string(trim(t))};
    r_.facts.push_back("transport " + std::string(core::to_string(kind)));
    message(trim(t));
  }

  void connection_error(std::string_view t) {
    error_seen_ = true;
    if (e_.transport) return;
    core::TransportErrorKind kind = core::TransportErrorKind::closed;
    if (contains_icase(t, "Connection refused") || contains_icase(t, "No route to host")) {
      kind = core::TransportErrorKind::connect_refused;
    } else if (contains_icase(t, "Name or service not known") ||
               contains_icase(t, "Temporary failure in name resolution") ||
               contains_icase(t, "nodename nor servname")) {
      kind = core::TransportErrorKind::dns;
    } else if (t.find("ConnectTimeout") != std::string_view::npos ||
               contains_icase(t, "connect timeout")) {
      kind = core::TransportErrorKind::connect_timeout;
    } else if (contains_icase(t, "timed out") || t.find("ReadTimeout") != std::string_view::npos) {
      kind = core::TransportErrorKind::timeout;
    }
    e_.transport = core::TransportEvidence{kind, std::string(trim(t))};
    r_.facts.push_back("transport " + std::string(core::to_string(kind)));
    message(trim(t));
  }

  // "GSSError: Major (851968): Unspecified GSS failure. ..., Minor (2529638949): Clock skew too
  // great": the exception that ended the run.
  void gss_error(std::string_view t) {
    error_seen_ = true;
    const std::string_view rest = after(t, "GSSError: ");
    gss(rest);
    message(rest);
  }

  // The same status on a line that is not the final exception: requests-gssapi
  // logs "Major (...): ..., Minor (...): ..." (GSSError.gen_message()) when a
  // context step fails, and wraps it in SPNEGOExchangeError; the run may then
  // end with an HTTP 401 or a SOAP fault, so these lines before the final
  // error are the Kerberos evidence. A minor status text alone (a WARNING
  // that quotes it) counts too.
  void gss_text_line(std::string_view t) {
    const std::size_t major = t.find("Major (");
    if (major != std::string_view::npos && t.find("Minor (", major) != std::string_view::npos) {
      gss(t.substr(major));
      recognised_ = true;
      return;
    }
    for (const std::string_view minor : kGssMinorTexts) {
      const std::size_t at = find_icase(t, minor);
      if (at == std::string_view::npos) continue;
      gss(t.substr(at));
      recognised_ = true;
      return;
    }
  }

  // The first GSS-API status in the log is kept (the later ones are usually
  // the same failure again, wrapped); a different later one is said.
  void gss(std::string_view status) {
    status = trim(status);
    auto& k = e_.kerberos;
    const auto major = parenthesised_number(status, "Major");
    const auto minor = parenthesised_number(status, "Minor");
    if (k.gss_text && *k.gss_text != status) {
      const bool same_minor = minor && k.gss_minor && *minor == *k.gss_minor;
      if (!minor || !k.gss_minor || same_minor) {
        // The same failure with or without its numbers: complete it.
        if (!k.gss_major && major) k.gss_major = *major;
        if (!k.gss_minor && minor) k.gss_minor = *minor;
        if (major && minor) k.gss_text = std::string(status);
        return;
      }
      r_.facts.push_back("a later GSS-API error was not kept (the first is): " +
                         std::string(status));
      return;
    }
    if (k.gss_text) return;
    if (major) k.gss_major = *major;
    if (minor) k.gss_minor = *minor;
    k.gss_text = std::string(status);
    r_.facts.push_back("GSS-API error: " + std::string(status));
  }

  Reading& r_;
  core::Evidence& e_;
  std::string name_;
  std::optional<std::string> received_lines_;  // a 'Received message' still open
  bool recognised_ = false;
  bool error_seen_ = false;
  bool in_traceback_ = false;
  std::string failed_operation_;
  std::string ces_endpoint_;
  std::string cep_endpoint_;
  std::optional<core::AuthMode> ces_auth_;
  std::optional<core::AuthMode> cep_auth_;
  std::optional<core::EnrollmentFault> envelope_fault_;
  std::optional<core::EnrollmentFault> line_fault_;
  std::optional<core::SoapMessage> other_answer_;
};

}  // namespace

bool read_cepces_lines(std::string_view name, const std::vector<std::string_view>& lines,
                       Reading& r) {
  CepcesReader reader(r, std::string(name));
  for (const std::string_view line : lines) reader.line(line);
  reader.finish();
  return reader.recognised();
}

Reading read_cepces_log(std::string_view name, std::string_view text) {
  Reading r;
  if (!read_cepces_lines(name, split_lines(text), r)) {
    throw InputError(std::string(name),
                     "holds no cepces/certmonger line this reader recognises (SOAPFault, "
                     "HTTPError, SSLError, GSSError, 'Received message', 'Initializing service')");
  }
  return r;
}

}  // namespace ceslab::diagnosis::inputs
