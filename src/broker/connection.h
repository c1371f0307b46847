#pragma once

// One client connection. A reader coroutine reads frames (4-byte size
// prefix, then the body), rejects sizes outside [minimum header,
// socket.request.max.bytes] by closing, parses the header and spawns the
// API's handler; a writer coroutine sends the finished responses strictly in
// request order. Both, and every handler, run on the connection's strand.
// The reader pauses while max_inflight_requests responses are unsent or the
// bytes of unanswered requests plus unsent responses exceed
// max_inflight_bytes, so a client that stops
// reading holds a bounded amount of memory and TCP backpressure does the rest.
//
// Closing: unknown API key, unsupported version (other than ApiVersions),
// malformed header or body, any socket error, or stop() close the connection;
// unsent responses and running handlers are dropped.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <span>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "broker/broker_config.h"
#include "broker/connection_auth.h"
#include "broker/handler.h"
#include "net/connection_info.h"
#include "net/listener.h"
#include "net/stream.h"

namespace spate::broker {

class connection final : public net::connection, public std::enable_shared_from_this<connection> {
  public:
    // `s` must use a strand executor; `deps`, `limits` and `security`
    // (nullptr: a plaintext listener without authentication) outlive the
    // connection.
    connection(handler_deps& deps, const broker_config& limits, net::stream s,
               net::connection_info info, const listener_security* security = nullptr);

    // Spawns the reader and writer. Call once.
    void start() override;
    // Thread-safe: posts the close to the connection's strand.
    void stop() override;

  private:
    struct slot {
        bool done = false;
        size_t request_bytes = 0;
        size_t response_bytes = 0;  // counted once the handler finished
        handler_outcome outcome;
    };

    boost::asio::awaitable<void> read_loop();
    // Whether the in-flight bounds (requests, bytes) stop the reader.
    bool reader_paused() const;
    // The next frame's size; an error (close) above socket.request.max.bytes
    // or, before SASL authentication, above what a handshake needs.
    result<size_t> checked_frame_size(std::span<const std::byte> prefix) const;
    // A new response slot, in request order, counted against the bounds.
    std::shared_ptr<slot> push_slot(size_t request_bytes);
    // The handler of ctx's API if it is served and admitted before or after
    // authentication; nullptr closes the connection (a refusal is logged).
    const handler_spec* admitted_handler(const request_context& ctx) const;
    boost::asio::awaitable<void> write_loop();
    // `self` keeps the connection alive from the spawn on: the coroutine may
    // start after the reader and writer have ended.
    boost::asio::awaitable<void> run_handler(std::shared_ptr<connection> self,
                                             std::shared_ptr<slot> s,
                                             std::unique_ptr<request_context> ctx, handler_fn fn);
    // Answers an ApiVersions request whose version is not served (KIP-511).
    handler_outcome unsupported_api_versions(const request_context& ctx) const;
    // A frame after SaslHandshake v0: a raw SASL token, answered with a raw
    // (size-prefixed) token; a failure closes the connection after the
    // failed-authentication delay.
    boost::asio::awaitable<void> raw_token(request_buffer frame, std::shared_ptr<slot> s);
    void close();
    // Reads no further request until `throttle` from now (client quotas).
    void mute_for(std::chrono::milliseconds throttle);

    handler_deps& _deps;
    const broker_config& _limits;
    net::stream _stream;
    net::connection_info _info;  // the principal changes on authentication
    connection_auth _auth;
    const std::string _client_host;          // "/<peer address>", as Kafka reports hosts
    const bool _send_files;                  // request_context::send_files
    boost::asio::steady_timer _reader_wake;  // cancelled to wake a paused reader
    boost::asio::steady_timer _writer_wake;  // cancelled when a slot completes
    std::deque<std::shared_ptr<slot>> _slots;
    size_t _inflight_bytes = 0;
    // Client quotas: no request is read or started before this time.
    boost::asio::steady_timer::time_point _muted_until{};
    bool _closed = false;
};

}  // namespace spate::broker
