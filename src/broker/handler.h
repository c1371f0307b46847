#pragma once

// The contract between a connection and the per-API handlers
// (handlers/<api>.cc). A handler gets the decoded request header and the raw
// request body, and produces a whole response frame, no response (acks=0
// produce), or asks for the connection to be closed (malformed body, a
// version it does not serve). Handlers run on their connection's strand and
// may suspend (durability waits, fetch long polls); the connection sends
// responses in request order regardless of completion order.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kafka/protocol/frame.h"

namespace spate::broker {

class broker;

struct request_context {
    broker& b;
    kafka::protocol::request_header_info header;
    // The whole frame after the size prefix. Owned here so that handlers may
    // edit record batches in place (produce assigns offsets) and so views
    // into it stay valid while the handler runs.
    std::vector<std::byte> frame;
    // The connection's strand: completions from other threads are posted here.
    boost::asio::any_io_executor executor;
    // The peer's address as Kafka reports client hosts ("/127.0.0.1").
    const std::string& client_host;

    std::span<std::byte> body() { return std::span(frame).subspan(header.header_size); }
    int16_t version() const { return header.api_version; }
};

struct handler_outcome {
    enum class kind { respond, no_response, close };
    kind what = kind::close;
    std::vector<std::byte> frame;  // with its size prefix, for kind::respond
};

using handler_fn = boost::asio::awaitable<handler_outcome> (*)(request_context&);

// One served API and the versions its handler implements. Versions inside
// [min_version, max_version] are advertised by ApiVersions; a handler may
// still close the connection for an advertised version it cannot serve
// (old Produce/Fetch versions whose record formats Spate does not speak).
struct handler_spec {
    kafka::protocol::api_key key;
    int16_t min_version;
    int16_t max_version;
    handler_fn fn;
};

}  // namespace spate::broker
