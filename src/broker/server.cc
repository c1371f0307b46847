#include "broker/server.h"

#include <chrono>
#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/broker.h"
#include "broker/connection.h"

namespace spate::broker {

namespace asio = boost::asio;
using asio::ip::tcp;

server::server(broker& b) : _broker(b) {}

server::~server() {
    stop();
}

result<uint16_t> server::listen(const std::string& host, uint16_t port) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
    if (ec) {
        tcp::resolver resolver(_io);
        auto res = resolver.resolve(host, std::to_string(port), ec);
        if (ec || res.empty())
            return make_error(errc::invalid_argument, "cannot resolve listener host " + host);
        addr = res.begin()->endpoint().address();
    }
    auto a = std::make_shared<tcp::acceptor>(_io);
    tcp::endpoint ep(addr, port);
    a->open(ep.protocol(), ec);
    if (!ec) a->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) a->bind(ep, ec);
    if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return make_error(errc::io_error,
                          "listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
    uint16_t bound = a->local_endpoint().port();
    _acceptors.push_back(std::move(a));
    return bound;
}

void server::start() {
    SPATE_ASSERT(!_started);
    _started = true;
    for (auto& a : _acceptors)
        accept_loop(a);
    schedule_group_tick();
    int n = std::max(1, _broker.config().io_threads);
    for (int i = 0; i < n; ++i) {
        _threads.emplace_back([this] {
            for (;;) {
                try {
                    _io.run();
                    return;
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "spate: I/O thread: %s\n", e.what());
                }
            }
        });
    }
}

void server::accept_loop(std::shared_ptr<tcp::acceptor> a) {
    asio::co_spawn(
        _io,
        [this, a]() -> asio::awaitable<void> {
            for (;;) {
                tcp::socket sock(asio::make_strand(_io));
                boost::system::error_code ec;
                co_await a->async_accept(sock, asio::redirect_error(asio::use_awaitable, ec));
                if (ec) {
                    if (ec == asio::error::operation_aborted || !a->is_open()) co_return;
                    // Out of descriptors and the like: back off instead of spinning.
                    asio::steady_timer t(_io, std::chrono::milliseconds(50));
                    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                    continue;
                }
                sock.set_option(tcp::no_delay(true), ec);
                auto c = std::make_shared<connection>(_broker, std::move(sock));
                track(c);
                c->start();
            }
        },
        asio::detached);
}

void server::track(const std::shared_ptr<connection>& c) {
    std::lock_guard lk(_mu);
    std::erase_if(_connections, [](const std::weak_ptr<connection>& w) { return w.expired(); });
    _connections.push_back(c);
    if (_stopped) c->stop();
}

size_t server::connection_count() {
    std::lock_guard lk(_mu);
    std::erase_if(_connections, [](const std::weak_ptr<connection>& w) { return w.expired(); });
    return _connections.size();
}

void server::stop() {
    std::vector<std::shared_ptr<connection>> open;
    {
        std::lock_guard lk(_mu);
        if (_stopped) return;
        _stopped = true;
        for (auto& w : _connections)
            if (auto c = w.lock()) open.push_back(std::move(c));
    }
    for (auto& a : _acceptors)
        asio::post(_io, [a] {
            boost::system::error_code ec;
            a->close(ec);
        });
    for (auto& c : open)
        c->stop();
    open.clear();
    // Give the posted closes a moment to run, then drop whatever is left.
    if (!_threads.empty()) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
        while (connection_count() > 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    _io.stop();
    for (auto& t : _threads)
        t.join();
    _threads.clear();
    // Pending JoinGroup/SyncGroup/InitProducerId completions refer to this
    // io_context.
    _broker.groups().drop_waiters();
    _broker.transactions().drop_waiters();
}

void server::schedule_group_tick() {
    constexpr int k_group_tick_ms = 50;
    _group_tick.expires_after(std::chrono::milliseconds(k_group_tick_ms));
    _group_tick.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        _broker.groups().tick();
        _broker.transactions().tick();
        schedule_group_tick();
    });
}

}  // namespace spate::broker
