#pragma once

// Sends one response (handler_outcome::kind::respond) on a connection's
// stream: the frame's bytes from memory and its file ranges (zero-copy
// Fetch) with sendfile(2) on plaintext TCP, or read with pread and written
// through the stream on TLS. Runs on the stream's strand as the stream's one
// writer. An error (socket, or a file range that cannot be read whole) leaves
// part of the frame sent: the caller must close the connection.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "broker/handler.h"
#include "net/stream.h"

namespace spate::broker {

boost::asio::awaitable<boost::system::error_code> write_response(net::stream& s,
                                                                 const handler_outcome& o);

}  // namespace spate::broker
