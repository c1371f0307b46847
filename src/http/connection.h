#pragma once

// One HTTP client connection (internal). A single coroutine on the socket's
// strand reads a request, runs its handler on the factory's pool, writes the
// response and loops; see server.h for limits, timeouts and errors.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <memory>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/auth.h"
#include "http/message.h"
#include "http/server_state.h"
#include "net/connection_info.h"
#include "net/listener.h"
#include "net/stream.h"

namespace spate::http {

using request_message = boost::beast::http::request<boost::beast::http::string_body>;

class http_connection final : public net::connection,
                              public std::enable_shared_from_this<http_connection> {
  public:
    // `certificate`: info.user is the client certificate's principal.
    http_connection(std::shared_ptr<server_state> state, net::stream s, net::connection_info info,
                    bool certificate);

    void start() override;
    // Any thread: posts the close to the strand. A running handler finishes;
    // its response is not sent.
    void stop() override;

  private:
    template <typename T>
    using task = boost::asio::awaitable<T>;

    task<void> run();
    // Reads the next request into _parser; false when the connection must
    // close (peer gone, timeout, or a request error already answered).
    task<bool> read_request();
    // Answers a request that could not be read whole, then closes.
    // `r` must be a named object (GCC 12: no temporaries across co_await).
    task<void> refuse(response& r);
    // Authenticates the request, then runs its route, on the pool; resumes
    // on the strand (after the failure delay when authentication failed).
    task<response> run_handler(request_message& m);
    task<bool> write(response& r, unsigned version, bool keep_alive);
    // Reads and drops what the peer still sends (bounded), so that it sees
    // the answer rather than a reset.
    task<void> drain();
    void close();
    // Closes the connection unless disarm() (or another arm()) comes first:
    // the deadline of the I/O under way.
    void arm(int timeout_ms);
    void disarm();

    std::shared_ptr<server_state> _state;
    net::stream _stream;
    boost::asio::steady_timer _deadline;
    bool _timed_out = false;
    const net::connection_info _info;
    const bool _certificate;
    request_authenticator _auth;  // used on the pool, one request at a time
    boost::beast::flat_buffer _buffer;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> _parser;
    bool _closed = false;
};

// Runs `m` through `routes` (target parsing, dispatch, exceptions -> 500)
// as `peer`'s request.
// The default content type is not applied here.
response handle_request(const router& routes, request_message& m, const net::connection_info& peer);

}  // namespace spate::http
