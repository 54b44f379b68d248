// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/iis_pages.hpp"

namespace ceslab::mock {
namespace {

// IIS's built-in error page: a title line and an explanation.
core::HttpResponse iis_page(int status, std::string reason, const std::string& title,
                            const std::string& text) {
  core::HttpResponse r;
  r.status = status;
  r.reason = std::move(reason);
  r.headers.push_back({"Content-Type", "text/html"});
  r.headers.push_back({"Server", "Microsoft-IIS/10.0"});
  r.body =
      "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
      "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\r\n"
      "<html xmlns=\"http://www.w3.org/1999/xhtml\">\r\n<head>\r\n<title>" +
      title +
      "</title>\r\n</head>\r\n<body>\r\n"
      "<div id=\"header\"><h1>Server Error</h1></div>\r\n<div id=\"content\">\r\n<h2>" +
      title + "</h2>\r\n<h3>" + text + "</h3>\r\n</div>\r\n</body>\r\n</html>\r\n";
  return r;
}

constexpr const char* kNoPermission =
    "You do not have permission to view this directory or page using the credentials that you "
    "supplied.";

}  // namespace

core::HttpResponse iis_not_found() {
  return iis_page(404, "Not Found", "404 - File or directory not found.",
                  "The resource you are looking for might have been removed, had its name "
                  "changed, or is temporarily unavailable.");
}

core::HttpResponse iis_unauthorized() {
  core::HttpResponse r =
      iis_page(401, "Unauthorized",
               "401 - Unauthorized: Access is denied due to invalid credentials.", kNoPermission);
  r.headers.push_back({"WWW-Authenticate", "Negotiate"});
  r.headers.push_back({"WWW-Authenticate", "NTLM"});
  return r;
}

core::HttpResponse iis_forbidden() {
  return iis_page(403, "Forbidden", "403 - Forbidden: Access is denied.", kNoPermission);
}

}  // namespace ceslab::mock
