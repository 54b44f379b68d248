// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/iis_pages.hpp"

#include "windows_texts.hpp"

namespace ceslab::mock {
namespace {

// IIS's built-in error page: a title line and an explanation, each a text of
// mock_ces/data/windows_texts.yaml.
core::HttpResponse iis_page(int status, std::string reason, std::string_view title_key,
                            std::string_view text_key) {
  const WindowsTexts& texts = WindowsTexts::builtin();
  core::HttpResponse r;
  r.status = status;
  r.reason = std::move(reason);
  r.headers.push_back({"Content-Type", "text/html"});
  r.headers.push_back({"Server", "Microsoft-IIS/10.0"});
  r.body = texts.text("iis_error_page",
                      {{"title", texts.text(title_key)}, {"text", texts.text(text_key)}});
  return r;
}

}  // namespace

core::HttpResponse iis_not_found() {
  return iis_page(404, "Not Found", "iis_404_title", "iis_404_text");
}

core::HttpResponse iis_unauthorized() {
  core::HttpResponse r = iis_page(401, "Unauthorized", "iis_401_title", "iis_no_permission");
  r.headers.push_back({"WWW-Authenticate", "Negotiate"});
  r.headers.push_back({"WWW-Authenticate", "NTLM"});
  return r;
}

core::HttpResponse iis_forbidden() {
  return iis_page(403, "Forbidden", "iis_403_title", "iis_no_permission");
}

core::HttpResponse httpsys_invalid_hostname() {
  core::HttpResponse r;
  r.status = 400;
  r.reason = "Bad Request";
  r.headers.push_back({"Content-Type", "text/html; charset=us-ascii"});
  r.headers.push_back({"Server", "Microsoft-HTTPAPI/2.0"});
  r.headers.push_back({"Connection", "close"});
  r.body = WindowsTexts::builtin().text("httpsys_invalid_hostname");
  return r;
}

bool lacks_required_host(const core::HttpRequest& request) {
  return request.version >= 11 && !request.header("Host");
}

}  // namespace ceslab::mock
