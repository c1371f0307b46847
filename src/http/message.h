#pragma once

// Requests and responses as route handlers see them: a decoded request
// (method, path parameters, query parameters, body, peer) and a response
// (status, body, content type). Plain values; no I/O.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <optional>
// Boost 1.74's string_view (under beast/http/verb.hpp) needs std::ostream complete.
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "net/connection_info.h"

namespace spate::http {

using verb = boost::beast::http::verb;

// Name/value pairs in the order they came, percent-decoded.
using param_list = std::vector<std::pair<std::string, std::string>>;

struct request {
    verb method = verb::get;
    std::string target;        // as received ("/subjects/a%2Fb/versions?deleted=true")
    param_list params;         // the route's {name} segments, decoded
    param_list query;          // query parameters, decoded ('+' is a space)
    std::string content_type;  // the Content-Type header; empty when absent
    std::string body;
    net::connection_info peer;

    // The value of path parameter `name`. A route asking for a parameter its
    // pattern lacks is a bug: crashes.
    const std::string& param(std::string_view name) const;
    // The first value of query parameter `name`.
    std::optional<std::string_view> query_value(std::string_view name) const;
    // Whether query parameter `name` is "true" in any case (JAX-RS booleans:
    // anything else, or no value, is false).
    bool query_flag(std::string_view name) const;
};

struct response {
    unsigned status = 200;
    std::string body;
    std::string content_type;  // empty: the server's default (http_options)
    param_list headers;        // extra headers ("Allow", ...)
    bool close = false;        // close the connection once this is sent
};

// A JSON error, {"error_code": error_code, "message": message}, with HTTP
// status `status`. Invalid UTF-8 in `message` is replaced, never an error.
response error_response(unsigned status, int error_code, std::string_view message);

// The media type of a Content-Type value: lower case, without parameters
// ("Application/JSON; charset=utf-8" -> "application/json").
std::string media_type(std::string_view content_type);

}  // namespace spate::http
