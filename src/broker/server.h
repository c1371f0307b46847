#pragma once

// The Kafka network front end: a pool of I/O threads running one
// boost::asio::io_context, one acceptor per listener, and one connection per
// client (connection.cc). See README.md for the per-connection protocol:
// framing limits, pipelining with in-order responses, in-flight bounds.
//
// Lifecycle: construct, listen() once per listener, start(), ..., stop().
// stop() closes every listener and connection, drops in-flight requests and
// joins the I/O threads. The broker (and the log manager behind it) must
// outlive the server; close the log manager only after stop(), and destroy
// the server only after that (storage callbacks may still post to it).

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/result.h"

namespace spate::broker {

class broker;
class connection;

class server {
  public:
    explicit server(broker& b);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds a listener; returns the bound port (the real one for port 0).
    result<uint16_t> listen(const std::string& host, uint16_t port);
    // Starts accepting on every listener and runs the I/O threads.
    void start();
    // Idempotent; see the class comment.
    void stop();

    // Open connections (for tests and diagnostics).
    size_t connection_count();

  private:
    void accept_loop(std::shared_ptr<boost::asio::ip::tcp::acceptor> a);
    void track(const std::shared_ptr<connection>& c);
    // Ticks the group and transaction coordinators every k_group_tick_ms on
    // the I/O threads.
    void schedule_group_tick();

    broker& _broker;
    boost::asio::io_context _io;
    boost::asio::steady_timer _group_tick{_io};
    std::vector<std::shared_ptr<boost::asio::ip::tcp::acceptor>> _acceptors;
    std::vector<std::thread> _threads;
    std::mutex _mu;  // guards _connections, _stopped
    std::vector<std::weak_ptr<connection>> _connections;
    bool _started = false;
    bool _stopped = false;
};

}  // namespace spate::broker
