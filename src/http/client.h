#pragma once

// A small blocking HTTP/1.1 client (the `spate schema` commands' and the
// tests'): one keep-alive connection to one server, reopened once when the
// server closed it between requests. Plain http only.
//
// Threading: one request at a time per client object.
// Errors: a connection failure, a timeout (timeout_ms per step: connect,
// write, read) or a malformed response is an errc::io_error / timed_out
// naming the server; any HTTP status is a response, not an error.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "http/message.h"

namespace spate::http {

struct http_url {
    std::string host;
    uint16_t port = 80;
    std::string base_path;  // "" or "/prefix" (no trailing '/')

    std::string to_string() const;
};

// "http://HOST[:PORT][/PATH]" (IPv6 hosts in brackets); https and other
// schemes are errc::invalid_argument.
result<http_url> parse_http_url(std::string_view url);

struct client_response {
    unsigned status = 0;
    std::string content_type;
    std::string body;
};

class client {
  public:
    explicit client(http_url url, int timeout_ms = 30000);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // Sends METHOD base_path+target; `body` is sent with `content_type` when
    // not empty (POST and PUT always carry a Content-Length).
    result<client_response> send(verb method, std::string_view target, std::string_view body = {},
                                 std::string_view content_type = {});

  private:
    struct impl;
    std::unique_ptr<impl> _impl;
};

}  // namespace spate::http
