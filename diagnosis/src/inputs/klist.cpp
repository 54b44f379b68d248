// SPDX-License-Identifier: GPL-2.0-or-later
// klist output: the TGT (krbtgt/...) says whether the user's tickets are
// forwardable, the CES service ticket (HTTP/...) whether the KDC marked the
// service ok-as-delegate (RFC 4120 2.6, 2.8).
//   MIT klist -f    "Default principal: alice@LAB.TEST", one line per ticket
//                   ending in the service principal, then "\trenew until ...,
//                   Flags: FRIA" (F forwardable, f forwarded, O ok-as-delegate)
//   Windows klist   "#0>  Client: alice @ LAB.TEST", "Server: krbtgt/LAB.TEST @ LAB.TEST",
//                   "Ticket Flags 0x40e10000 -> forwardable renewable initial
//                   pre_authent name_canonicalize"
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "ceslab/core/text.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

struct Ticket {
  std::string server;  // "HTTP/ces.lab.test@LAB.TEST"
  std::string flags;   // as printed: "FRIA" or "forwardable renewable ..."
  bool forwardable = false;
  bool ok_as_delegate = false;
  bool flags_seen = false;
};

// Windows ticket flag bits (KERB_TICKET_FLAGS, the RFC 4120 bit order).
constexpr unsigned long kForwardableBit = 0x40000000UL;
constexpr unsigned long kOkAsDelegateBit = 0x00040000UL;

bool has_word(std::string_view text, std::string_view word) {
  std::size_t pos = 0;
  while ((pos = text.find(word, pos)) != std::string_view::npos) {
    const bool before = pos == 0 || text[pos - 1] == ' ';
    const std::size_t after = pos + word.size();
    if (before && (after == text.size() || text[after] == ' ')) return true;
    pos = after;
  }
  return false;
}

void set_mit_flags(Ticket& t, std::string_view letters) {
  t.flags = std::string(letters);
  t.forwardable = letters.find('F') != std::string_view::npos;
  t.ok_as_delegate = letters.find('O') != std::string_view::npos;
  t.flags_seen = true;
}

// "Ticket Flags 0x40e10000 -> forwardable renewable ..." (the names when
// given, the bits otherwise).
void set_windows_flags(Ticket& t, std::string_view rest) {
  const std::size_t arrow = rest.find("->");
  const std::string_view names =
      arrow == std::string_view::npos ? "" : trim(rest.substr(arrow + 2));
  const std::string_view hex = trim(rest.substr(0, arrow));
  t.flags = std::string(trim(rest));
  if (!names.empty()) {
    t.forwardable = has_word(names, "forwardable");
    t.ok_as_delegate = has_word(names, "ok_as_delegate");
  } else if (hex.substr(0, 2) == "0x") {
    const unsigned long bits = std::strtoul(std::string(hex.substr(2)).c_str(), nullptr, 16);
    t.forwardable = (bits & kForwardableBit) != 0;
    t.ok_as_delegate = (bits & kOkAsDelegateBit) != 0;
  }
  t.flags_seen = true;
}

// "krbtgt/LAB.TEST @ LAB.TEST" -> "krbtgt/LAB.TEST@LAB.TEST".
std::string principal(std::string_view text) {
  std::string out;
  for (const char c : trim(text)) {
    if (c != ' ') out += c;
  }
  return out;
}

std::string realm_of(std::string_view principal) {
  const std::size_t at = principal.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(principal.substr(at + 1));
}

// The service host of "HTTP/ces.lab.test@LAB.TEST" (or ...:443@...).
std::string service_host(std::string_view principal) {
  const std::size_t slash = principal.find('/');
  if (slash == std::string_view::npos) return {};
  std::string_view host = principal.substr(slash + 1);
  host = host.substr(0, std::min(host.find('@'), host.find(':')));
  return core::to_lower(host);
}

std::vector<Ticket> parse_tickets(std::string_view text, std::string& client, bool& windows) {
  std::vector<Ticket> tickets;
  for (const std::string_view line : split_lines(text)) {
    const std::string_view t = trim(line);
    if (starts_with_icase(t, "Default principal:")) {
      client = std::string(trim(t.substr(18)));
      continue;
    }
    // Windows: "#0>  Client: alice @ LAB.TEST", "Server: ...", "Ticket Flags ...".
    if (t.size() > 2 && t[0] == '#' && t.find("Client:") != std::string_view::npos) {
      windows = true;
      tickets.push_back({});
      if (client.empty()) client = principal(t.substr(t.find("Client:") + 7));
      continue;
    }
    if (starts_with_icase(t, "Server:") && windows && !tickets.empty()) {
      tickets.back().server = principal(t.substr(7));
      continue;
    }
    if (starts_with_icase(t, "Ticket Flags") && windows && !tickets.empty()) {
      set_windows_flags(tickets.back(), t.substr(12));
      continue;
    }
    // MIT: a ticket line ends with the service principal; the flags follow
    // on an indented line ("\trenew until ..., Flags: FRIA" or "\tFlags: FRIA").
    const bool indented = !line.empty() && (line[0] == '\t' || line[0] == ' ');
    if (!windows && indented && !tickets.empty()) {
      const std::size_t f = t.find("Flags: ");
      if (f != std::string_view::npos) {
        std::string_view letters = t.substr(f + 7);
        letters = letters.substr(0, letters.find_first_of(" ,\t"));
        set_mit_flags(tickets.back(), letters);
      }
      continue;
    }
    if (!windows && !indented && !t.empty() && std::isdigit(static_cast<unsigned char>(t[0]))) {
      const std::size_t last_space = t.find_last_of(" \t");
      const std::string_view last = t.substr(last_space + 1);
      if (last_space != std::string_view::npos && last.find('@') != std::string_view::npos &&
          last.find('/') != std::string_view::npos)
        tickets.push_back({std::string(last), "", false, false, false});
    }
  }
  return tickets;
}

}  // namespace

Reading read_klist(std::string_view name, std::string_view text, const core::Evidence& so_far) {
  std::string client;
  bool windows = false;
  std::vector<Ticket> tickets = parse_tickets(text, client, windows);
  if (tickets.empty())
    throw InputError(std::string(name), "holds no Kerberos ticket (klist -f output)");

  Reading r;
  r.facts.push_back(std::string(windows ? "klist (Windows)" : "klist -f (MIT)") +
                    (client.empty() ? "" : ": client " + client) + ", " +
                    std::to_string(tickets.size()) +
                    (tickets.size() == 1 ? " ticket" : " tickets"));

  // The TGT of the client's own realm (a cross-realm krbtgt/OTHER@REALM is not it).
  const Ticket* tgt = nullptr;
  for (const Ticket& t : tickets) {
    if (!starts_with_icase(t.server, "krbtgt/") || !t.flags_seen) continue;
    const std::string realm = realm_of(t.server);
    const bool own = core::iequals(t.server, "krbtgt/" + realm + "@" + realm);
    if (tgt == nullptr || own) tgt = &t;
    if (own) break;
  }
  if (tgt != nullptr) {
    r.evidence.kerberos.forwardable = tgt->forwardable;
    r.facts.push_back("TGT " + tgt->server + " flags " + tgt->flags);
    r.facts.push_back(std::string("TGT forwardable: ") + (tgt->forwardable ? "yes" : "no"));
  } else {
    r.facts.push_back("no TGT (krbtgt/...) in the cache: forwardable not known");
  }

  std::vector<const Ticket*> http;
  for (const Ticket& t : tickets) {
    if (starts_with_icase(t.server, "HTTP/") && t.flags_seen) http.push_back(&t);
  }
  const Ticket* service = nullptr;
  const std::string host = host_of_url(so_far.endpoint);
  if (!host.empty()) {
    for (const Ticket* t : http) {
      if (service_host(t->server) == host) service = t;
    }
  }
  const bool agree = !http.empty() && std::all_of(http.begin(), http.end(), [&](const Ticket* t) {
    return t->ok_as_delegate == http.front()->ok_as_delegate;
  });
  if (service == nullptr && agree) service = http.front();
  if (service != nullptr) {
    r.evidence.kerberos.ok_as_delegate = service->ok_as_delegate;
    r.facts.push_back("service ticket " + service->server + " flags " + service->flags);
    r.facts.push_back(std::string("service ticket ok_as_delegate: ") +
                      (service->ok_as_delegate ? "yes" : "no"));
  } else if (http.empty()) {
    r.facts.push_back("no HTTP/ service ticket in the cache: ok_as_delegate not known");
  } else {
    r.facts.push_back(
        "several HTTP/ service tickets disagree on ok_as_delegate and no CES URL "
        "says which one was used: ok_as_delegate not set");
  }
  return r;
}

}  // namespace ceslab::diagnosis::inputs
