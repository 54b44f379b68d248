// SPDX-License-Identifier: GPL-2.0-or-later
// The short names Beast's own examples use, shared by the HTTPS client and
// server (https_client.cpp, https_server.cpp). Private to core/src.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace ceslab::core::beast_names {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

}  // namespace ceslab::core::beast_names
