// SPDX-License-Identifier: GPL-2.0-or-later
// Raw HTTP response text -> HttpResponse, with Beast's parser (no hand-made
// HTTP parsing anywhere in ceslab).
#include <boost/beast/http.hpp>
#include <stdexcept>

#include "ceslab/core/http_types.hpp"

namespace ceslab::core {

namespace http = boost::beast::http;

HttpResponse parse_http_response(std::string_view raw, std::size_t body_limit) {
  // Beast 1.74's body_limit does not stop a Content-Length body here
  // (checked on this machine), so the limit is enforced on the input and on
  // the result instead.
  constexpr std::size_t kHeaderAllowance = 64 * 1024;
  if (raw.size() > body_limit + kHeaderAllowance) {
    throw std::invalid_argument("HTTP response too large: " + std::to_string(raw.size()) +
                                " bytes");
  }
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(body_limit);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (!parser.is_done() && used < raw.size()) {
    const std::size_t n = parser.put(boost::asio::buffer(raw.data() + used, raw.size() - used), ec);
    if (ec == http::error::need_more) break;
    if (ec) throw std::invalid_argument("not an HTTP response: " + ec.message());
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) {
    if (!parser.is_header_done()) {
      throw std::invalid_argument(raw.empty() ? "not an HTTP response: empty"
                                              : "incomplete HTTP response: no end of the headers");
    }
    // A body that is delimited by the end of the stream ends here.
    parser.put_eof(ec);
    if (ec) throw std::invalid_argument("incomplete HTTP response: " + ec.message());
  }
  const auto& msg = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(msg.result_int());
  out.reason = std::string(msg.reason());
  const bool chunked = msg.chunked();
  for (const auto& field : msg) {
    const std::string name(field.name_string());
    if (chunked && header_name_equals(name, "Transfer-Encoding")) continue;
    out.headers.push_back({name, std::string(field.value())});
  }
  out.body = msg.body();
  if (out.body.size() > body_limit) {
    throw std::invalid_argument("HTTP response body too large: " + std::to_string(out.body.size()) +
                                " bytes (limit " + std::to_string(body_limit) + ")");
  }
  return out;
}

}  // namespace ceslab::core
