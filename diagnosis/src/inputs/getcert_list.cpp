// SPDX-License-Identifier: GPL-2.0-or-later
// certmonger's `getcert list` (getcert-list(1)), as certmonger's getcert.c
// prints it:
//   Number of certificates and requests being tracked: 1.
//   Request ID 'MachineCertificate':
//   \tstatus: CA_REJECTED
//   \tca-error: <what the CA helper printed when it gave up>
//   \tstuck: no
//   \tkey pair storage: type=FILE,location='...'
//   \tcertificate: type=FILE,location='...'
//   \tCA: cepces
//   \tissuer: ... / subject: ... / expires: ... / certificate template/profile: Machine ...
// With the cepces helper (https://github.com/openSUSE/cepces/blob/master/doc/CERTMONGER.md) the
// ca-error is cepces' own error text, so it is read as a cepces log line is (read_cepces_lines):
// the SOAPFault, HTTPError, SSLError or GSS-API text. The status says the outcome: MONITORING
// issued, CA_WORKING pending, CA_REJECTED failed, CA_UNREACHABLE a failure to reach the CA.
#include <algorithm>
#include <array>

#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

// Every field label getcert.c prints for a request; a line after ca-error
// that starts with none of them continues the ca-error text (a helper's
// output may hold line breaks).
constexpr std::array<std::string_view, 31> kLabels{
    "status",
    "ca-error",
    "stuck",
    "key pair storage",
    "certificate",
    "signing request thumbprint (MD5)",
    "signing request thumbprint (SHA1)",
    "CA",
    "issuer",
    "subject",
    "issued",
    "expires",
    "email",
    "dns",
    "principal name",
    "IP address",
    "key usage",
    "eku",
    "certificate template/profile",
    "profile",
    "template profile",
    "root certificates saved to files",
    "other root certificates saved to files",
    "other certificates saved to files",
    "root certificates saved to databases",
    "other root certificates saved to databases",
    "other certificates saved to databases",
    "pre-save command",
    "post-save command",
    "track",
    "auto-renew",
};

constexpr std::string_view kCountLine = "Number of certificates and requests being tracked:";

struct Request {
  std::string id;
  std::string status;
  std::string ca_error;
  std::string ca;
  std::string stuck;
  std::string profile;
};

// "Request ID 'name':" -> name.
std::optional<std::string> request_id(std::string_view line) {
  const std::string_view t = trim(line);
  if (!starts_with_icase(t, "Request ID '") || t.size() < 15 || t.substr(t.size() - 2) != "':")
    return std::nullopt;
  return std::string(t.substr(12, t.size() - 14));
}

// An indented "label: value" with a label of kLabels.
std::optional<std::pair<std::string_view, std::string_view>> field(std::string_view line) {
  if (line.empty() || (line[0] != '\t' && line[0] != ' ')) return std::nullopt;
  const std::string_view t = trim(line);
  for (const std::string_view label : kLabels) {
    if (t.size() > label.size() && t.substr(0, label.size()) == label && t[label.size()] == ':')
      return std::pair{label, trim(t.substr(label.size() + 1))};
  }
  return std::nullopt;
}

std::vector<Request> requests_of(std::string_view text) {
  std::vector<Request> out;
  bool in_ca_error = false;
  for (const std::string_view line : split_lines(text)) {
    if (const auto id = request_id(line)) {
      out.push_back(Request{*id, {}, {}, {}, {}, {}});
      in_ca_error = false;
      continue;
    }
    if (out.empty()) continue;
    Request& r = out.back();
    const auto f = field(line);
    if (!f) {
      if (in_ca_error && !trim(line).empty()) r.ca_error += "\n" + std::string(trim(line));
      continue;
    }
    in_ca_error = f->first == "ca-error";
    const std::string value(f->second);
    if (f->first == "status") r.status = value;
    if (f->first == "ca-error") r.ca_error = value;
    if (f->first == "CA") r.ca = value;
    if (f->first == "stuck") r.stuck = value;
    if (f->first == "certificate template/profile" ||
        (f->first == "template profile" && r.profile.empty()) ||
        (f->first == "profile" && r.profile.empty()))
      r.profile = value;
  }
  return out;
}

// The request the diagnosis is about: the first that is not MONITORING and
// has a ca-error, else the first not MONITORING, else the first.
const Request& chosen(const std::vector<Request>& requests) {
  const auto failing = [](const Request& r) { return r.status != "MONITORING"; };
  for (const Request& r : requests) {
    if (failing(r) && !r.ca_error.empty()) return r;
  }
  const auto it = std::find_if(requests.begin(), requests.end(), failing);
  return it != requests.end() ? *it : requests.front();
}

// What certmonger's state means for the record (getcert-list(1), certmonger's
// store states), said in a fact.
void apply_status(const Request& q, core::Evidence& e, Facts& facts) {
  const std::string& s = q.status;
  if (s == "MONITORING") {
    e.outcome = core::Outcome::issued;
    facts.push_back("status MONITORING: the certificate was issued and is tracked");
  } else if (s == "CA_WORKING") {
    e.outcome = core::Outcome::pending;
    facts.push_back("status CA_WORKING: the CA has the request pending (cepces polls it later)");
  } else if (s == "CA_REJECTED") {
    e.outcome = core::Outcome::failed;
    facts.push_back("status CA_REJECTED: the CA helper reported the request as rejected");
  } else if (s == "CA_UNREACHABLE") {
    facts.push_back("status CA_UNREACHABLE: the CA helper could not reach the CA");
  } else if (s == "CA_UNCONFIGURED") {
    facts.push_back(
        "status CA_UNCONFIGURED: the CA helper said it is not configured (cepces-submit also "
        "exits so after an exception it does not handle: its log has the traceback)");
  } else if (s == "NEED_TO_SUBMIT" || s == "SUBMITTING") {
    facts.push_back("status " + s + ": the request is (re)submitted to the CA helper" +
                    (q.ca_error.empty() ? "" : "; the ca-error is the last attempt's"));
  } else if (!s.empty()) {
    facts.push_back("status " + s);
  }
}

}  // namespace

bool looks_like_getcert_list(std::string_view text) {
  bool request = false;
  for (const std::string_view line : split_lines(text)) {
    const std::string_view t = trim(line);
    if (t.substr(0, kCountLine.size()) == kCountLine) return true;
    if (request_id(line)) {
      request = true;
    } else if (request && field(line) && trim(line).substr(0, 7) == "status:") {
      return true;
    }
  }
  return false;
}

Reading read_getcert_list(std::string_view name, std::string_view text) {
  const std::vector<Request> requests = requests_of(text);
  if (requests.empty()) {
    throw InputError(std::string(name),
                     "holds no certmonger request (getcert list: \"Request ID '...':\" and its "
                     "status)");
  }
  Reading r;
  const Request& q = chosen(requests);
  r.facts.push_back(
      "certmonger request '" + q.id + "': status " + (q.status.empty() ? "(none)" : q.status) +
      (q.stuck.empty() ? "" : ", stuck " + q.stuck) + (q.ca.empty() ? "" : ", CA " + q.ca) +
      (q.profile.empty() ? "" : ", template " + q.profile));
  for (const Request& other : requests) {
    if (&other != &q)
      r.facts.push_back("also tracked, not read: '" + other.id + "' (" + other.status + ")");
  }
  apply_status(q, r.evidence, r.facts);

  if (!q.ca_error.empty() && q.status == "MONITORING") {
    r.facts.push_back("the ca-error of an earlier attempt was not read: the request is issued");
  } else if (!q.ca_error.empty()) {
    r.facts.push_back("ca-error: " + q.ca_error);
    if (!read_cepces_lines(name, split_lines(q.ca_error), r)) {
      // Not cepces' wording (another helper, or a certmonger message): the
      // text is still what the client reported.
      r.evidence.messages.push_back(q.ca_error);
    }
    // A status that says failed outlasts an answer the text may show.
    if (q.status == "CA_REJECTED") r.evidence.outcome = core::Outcome::failed;
  }
  if (q.status == "CA_UNREACHABLE" && !r.evidence.transport && !r.evidence.http &&
      !r.evidence.fault) {
    // certmonger says only that the helper could not reach the CA; the kind
    // of failure is not shown, so the record says `protocol` and the text.
    r.evidence.transport = core::TransportEvidence{
        core::TransportErrorKind::protocol,
        "certmonger CA_UNREACHABLE" + (q.ca_error.empty() ? std::string() : ": " + q.ca_error)};
    r.facts.push_back(
        "transport failure of an unknown kind (the ca-error does not say which): recorded as "
        "'protocol'");
  }
  return r;
}

}  // namespace ceslab::diagnosis::inputs
