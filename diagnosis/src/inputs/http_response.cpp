// SPDX-License-Identifier: GPL-2.0-or-later
// A raw HTTP response as captured (ceslab --capture, Fiddler's raw view, a
// proxy log): read with core::parse_http_response (Beast); a SOAP body goes
// through the codec like a bare envelope.
#include <stdexcept>

#include "ceslab/core/header_redaction.hpp"
#include "ceslab/core/html_page.hpp"
#include "ceslab/core/http_types.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

// "POST /x/service.svc/CES HTTP/1.1": a request line.
bool is_request_line(std::string_view line) {
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return false;
  const std::string_view method = line.substr(0, sp1);
  for (const char c : method) {
    if (c < 'A' || c > 'Z') return false;
  }
  return line.substr(sp2 + 1, 7) == "HTTP/1.";
}

// Files saved on Linux or pasted from a viewer often lose the CR of CRLF;
// HTTP needs it in the head (the body is left as it is).
std::string with_crlf_head(std::string_view text) {
  std::size_t head_end = text.find("\r\n\r\n");
  if (head_end != std::string_view::npos) return std::string(text);
  head_end = text.find("\n\n");
  const std::size_t split = head_end == std::string_view::npos ? text.size() : head_end + 2;
  std::string out;
  for (const char c : text.substr(0, split)) {
    if (c == '\n' && (out.empty() || out.back() != '\r')) out += '\r';
    out += c;
  }
  out.append(text.substr(split));
  return out;
}

// The raw text with its Content-Length set to the body actually saved, for a
// capture whose body a tool re-encoded (line ends, pretty printing).
std::optional<std::string> with_saved_length(const std::string& raw, std::size_t* declared,
                                             std::size_t* saved) {
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  const std::size_t body = head_end + 4;
  std::size_t pos = 0;
  while ((pos = raw.find("\r\n", pos)) != std::string::npos && pos < head_end) {
    pos += 2;
    if (!starts_with_icase(std::string_view(raw).substr(pos), "Content-Length:")) continue;
    const std::size_t value_end = raw.find("\r\n", pos);
    const std::string value(trim(std::string_view(raw).substr(pos + 15, value_end - pos - 15)));
    try {
      *declared = std::stoul(value);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    *saved = raw.size() - body;
    if (*declared == *saved) return std::nullopt;
    return raw.substr(0, pos) + "Content-Length: " + std::to_string(*saved) + raw.substr(value_end);
  }
  return std::nullopt;
}

// At most `max` bytes of `text`, cut before a UTF-8 sequence, not inside it.
std::string shortened(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  while (max > 0 && (static_cast<unsigned char>(text[max]) & 0xC0) == 0x80) --max;
  return text.substr(0, max) + "...";
}

bool looks_like_envelope(std::string_view body) {
  const std::string_view t = trim(body);
  return !t.empty() && t.front() == '<' && t.find("Envelope") != std::string_view::npos;
}

// The response as saved. The body may differ from its Content-Length:
// shorter when a tool re-encoded it (the parse fails), longer when it was
// edited (the parse stops short, inside the XML). Either way the saved body
// is read, unless all it adds is the line end an editor puts at the end.
core::HttpResponse parse_saved_response(const std::string& who, std::string_view text,
                                        Facts& facts) {
  // Leading blank lines (a paste) go; trailing ones may be body.
  std::string_view start = text;
  while (!start.empty() && (start.front() == '\r' || start.front() == '\n' || start.front() == ' '))
    start.remove_prefix(1);
  const std::string raw = with_crlf_head(start);
  std::size_t declared = 0;
  std::size_t saved = 0;
  const auto fixed = with_saved_length(raw, &declared, &saved);
  const auto resaved = [&](std::string_view how) {
    facts.push_back("Content-Length " + std::to_string(declared) + std::string(how) +
                    std::to_string(saved) + " bytes saved; read the body as saved");
  };
  core::HttpResponse response;
  try {
    response = core::parse_http_response(raw, kMaxInputBytes);
  } catch (const std::invalid_argument& first_error) {
    if (!fixed)
      throw InputError(who, std::string("is not a readable HTTP response: ") + first_error.what());
    try {
      response = core::parse_http_response(*fixed, kMaxInputBytes);
    } catch (const std::invalid_argument& e) {
      throw InputError(who, std::string("is not a readable HTTP response: ") + e.what());
    }
    resaved(" differs from the ");
  }
  if (fixed && saved > declared &&
      !trim(std::string_view(raw).substr(raw.size() - (saved - declared))).empty()) {
    try {
      response = core::parse_http_response(*fixed, kMaxInputBytes);
      resaved(" is shorter than the ");
    } catch (const std::invalid_argument&) {
      // keep the first reading
    }
  }
  return response;
}

// The status line and headers (secrets redacted); returns the Content-Type.
std::string add_status_and_headers(const core::HttpResponse& response, Reading& r) {
  std::vector<core::HttpHeader> headers;
  for (const core::HttpHeader& h : response.headers) headers.push_back(core::redact_header(h));
  r.evidence.http =
      core::HttpEvidence{response.status, response.reason, headers, response.body.size(), {}};
  r.facts.insert(r.facts.begin(), "HTTP " + std::to_string(response.status) +
                                      (response.reason.empty() ? "" : " " + response.reason));
  for (const core::HttpHeader& h : headers) {
    if (core::iequals(h.name, "WWW-Authenticate") || core::iequals(h.name, "Server"))
      r.facts.push_back(h.name + ": " + h.value);
  }
  std::string type = response.header("Content-Type").value_or("");
  r.facts.push_back(type.empty() ? std::string("no Content-Type") : "Content-Type " + type);
  return type;
}

// The body: a SOAP message read with the codec, or why it is not SOAP and,
// for HTML, the page's text (which server answered).
void add_body(std::string_view name, const core::HttpResponse& response, const std::string& type,
              Reading& r) {
  const bool soap = starts_with_icase(type, "application/soap+xml") ||
                    (type.empty() && looks_like_envelope(response.body));
  if (soap) {
    refuse_doctype(name, response.body);
    try {
      const core::SoapMessage message =
          wsdl::read_message(response.body, wsdl::CodecLimits{kMaxInputBytes});
      apply_soap_message(message, r.evidence, r.facts);
    } catch (const wsdl::MessageError& e) {
      r.evidence.soap_error = e.what();
      r.facts.push_back(std::string("the SOAP body does not read: ") + e.what());
    }
  } else if (!response.body.empty() || response.status >= 300) {
    r.evidence.soap_error = "the answer is not SOAP (HTTP " + std::to_string(response.status) +
                            ", Content-Type '" + type + "')";
    if (core::is_html_answer(type, response.body)) {
      r.evidence.http->page = core::html_page_text(response.body);
      if (!r.evidence.http->page.empty())
        r.facts.push_back("HTML page '" + shortened(r.evidence.http->page, 120) + "'");
    }
  }
}

}  // namespace

Reading read_http_response(std::string_view name, std::string_view text) {
  const std::string who(name);
  const std::vector<std::string_view> lines = split_lines(trim(text));
  const std::string_view first = lines.empty() ? std::string_view() : trim(lines.front());
  if (is_request_line(first))
    throw InputError(
        who, "is an HTTP request (" + std::string(first) + "); give the server's response instead");

  Reading r;
  const core::HttpResponse response = parse_saved_response(who, text, r.facts);
  const std::string type = add_status_and_headers(response, r);
  add_body(name, response, type, r);
  if (response.status >= 400 && !r.evidence.fault) r.evidence.outcome = core::Outcome::failed;
  return r;
}

}  // namespace ceslab::diagnosis::inputs

namespace ceslab::diagnosis {

core::HttpResponse parse_saved_http_response(std::string_view name, std::string_view text) {
  inputs::Facts ignored;
  return inputs::parse_saved_response(std::string(name), text, ignored);
}

}  // namespace ceslab::diagnosis
