#pragma once

// Test helpers: an echo protocol (reads 4-byte messages, writes them back)
// as a net::connection, and a blocking client.

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "net/listener.h"

namespace spate::net::testing {

inline std::atomic<int> g_echo_open{0};

class echo_connection final : public connection,
                              public std::enable_shared_from_this<echo_connection> {
  public:
    echo_connection(stream s, connection_info info) : _s(std::move(s)), _info(std::move(info)) {
        ++g_echo_open;
    }
    ~echo_connection() override { --g_echo_open; }

    void start() override {
        boost::asio::co_spawn(
            _s.get_executor(), [self = shared_from_this()] { return self->loop(); },
            boost::asio::detached);
    }
    void stop() override {
        boost::asio::post(_s.get_executor(), [self = shared_from_this()] { self->_s.close(); });
    }
    const connection_info& info() const { return _info; }

  private:
    boost::asio::awaitable<void> loop() {
        auto self = shared_from_this();
        for (;;) {
            std::array<char, 4> buf;
            if (co_await _s.read_exact(boost::asio::buffer(buf))) break;
            if (co_await _s.write_all(boost::asio::buffer(buf))) break;
        }
        _s.close();
    }

    stream _s;
    connection_info _info;
};

inline connection_factory echo_factory() {
    return [](stream s, connection_info info) -> std::shared_ptr<connection> {
        return std::make_shared<echo_connection>(std::move(s), std::move(info));
    };
}

}  // namespace spate::net::testing
