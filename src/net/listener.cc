#include "net/listener.h"

#include <charconv>
#include <chrono>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log.h"
#include "net/runtime.h"

namespace spate::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// How long stop() waits for open connections to close.
constexpr auto k_stop_grace = std::chrono::milliseconds(500);

std::string address_text(const std::string& host, uint16_t port) {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

result<tcp::endpoint> resolve(asio::io_context& io, const std::string& host, uint16_t port) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
    if (!ec) return tcp::endpoint(addr, port);
    tcp::resolver resolver(io);
    auto res = resolver.resolve(host, std::to_string(port), ec);
    if (ec || res.empty())
        return make_error(errc::invalid_argument, "cannot resolve host '" + host + "'");
    return res.begin()->endpoint();
}

}  // namespace

listener::listener(listener_options opts, connection_factory factory)
    : _opts(std::move(opts))
    , _factory(std::move(factory))
    , _service_name(_opts.name + "-listener") {}

listener::~listener() {
    if (_acceptor) stop();
}

status listener::start(runtime& rt) {
    _rt = &rt;
    const std::string where = _opts.flag + " " + address_text(_opts.host, _opts.port);
    auto ep = resolve(rt.context(), _opts.host, _opts.port);
    if (!ep.ok()) return make_error(errc::invalid_argument, where + ": " + ep.err().message);
    auto a = std::make_shared<tcp::acceptor>(rt.context());
    boost::system::error_code ec;
    a->open(ep->protocol(), ec);
    if (!ec) a->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) a->bind(*ep, ec);
    if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return make_error(errc::io_error, where + ": " + ec.message());
    _port = a->local_endpoint().port();
    _acceptor = a;
    asio::co_spawn(
        rt.context(),
        [this, a]() -> asio::awaitable<void> {
            for (;;) {
                tcp::socket sock(asio::make_strand(_rt->context()));
                boost::system::error_code ec;
                co_await a->async_accept(sock, asio::redirect_error(asio::use_awaitable, ec));
                if (ec) {
                    if (ec == asio::error::operation_aborted || !a->is_open()) co_return;
                    // Out of descriptors and the like: back off instead of spinning.
                    logging::get("net").warn("{}: accept failed: {}", _service_name, ec.message());
                    asio::steady_timer t(_rt->context(), std::chrono::milliseconds(50));
                    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                    continue;
                }
                on_accepted(std::move(sock));
            }
        },
        asio::detached);
    return {};
}

void listener::on_accepted(tcp::socket sock) {
    if (_opts.max_connections && connection_count() >= _opts.max_connections) {
        logging::get("net").warn("{}: refusing a connection: {} open (the limit)", _service_name,
                                 _opts.max_connections);
        boost::system::error_code ec;
        sock.close(ec);
        return;
    }
    boost::system::error_code ec;
    sock.set_option(tcp::no_delay(true), ec);
    auto tls_ctx = _opts.tls_source ? _opts.tls_source() : _opts.tls;
    if (!tls_ctx) return hand_over(stream(std::move(sock)));
    // The handshake runs on the socket's strand, bounded by a timer.
    auto ex = sock.get_executor();
    asio::co_spawn(
        ex,
        [this,
         tls = stream::tls_socket(std::move(sock), *tls_ctx)]() mutable -> asio::awaitable<void> {
            asio::steady_timer deadline(tls.get_executor(),
                                        std::chrono::milliseconds(_opts.tls_handshake_timeout_ms));
            deadline.async_wait([&tls](const boost::system::error_code& e) {
                if (!e) {
                    boost::system::error_code ignored;
                    tls.next_layer().close(ignored);
                }
            });
            boost::system::error_code ec = co_await tls.handshake();
            deadline.cancel();
            if (ec) {
                logging::get("net").info("{}: TLS handshake failed: {}", _service_name,
                                         ec.message());
                if (_opts.on_tls_failure) {
                    connection_info peer;
                    peer.listener = _opts.name;
                    peer.security_protocol = "SSL";
                    boost::system::error_code ignored;
                    auto ep = tls.next_layer().remote_endpoint(ignored);
                    if (!ignored) {
                        peer.peer_address = ep.address().to_string();
                        peer.peer_port = ep.port();
                    }
                    _opts.on_tls_failure(peer, ec.message());
                }
                co_return;
            }
            hand_over(stream(std::move(tls)));
        },
        asio::detached);
}

void listener::hand_over(stream s) {
    connection_info info;
    info.listener = _opts.name;
    info.security_protocol = s.is_tls() ? "SSL" : "PLAINTEXT";
    boost::system::error_code ec;
    auto peer = s.tcp().remote_endpoint(ec);
    if (ec) return;  // the peer is already gone
    info.peer_address = peer.address().to_string();
    info.peer_port = peer.port();
    auto c = _factory(std::move(s), std::move(info));
    if (!c) return;
    track(c);
    c->start();
}

void listener::track(const std::shared_ptr<connection>& c) {
    std::lock_guard lk(_mu);
    std::erase_if(_connections, [](const std::weak_ptr<connection>& w) { return w.expired(); });
    _connections.push_back(c);
    if (_stopped) c->stop();
}

size_t listener::connection_count() {
    std::lock_guard lk(_mu);
    std::erase_if(_connections, [](const std::weak_ptr<connection>& w) { return w.expired(); });
    return _connections.size();
}

void listener::stop() {
    std::vector<std::shared_ptr<connection>> open;
    {
        std::lock_guard lk(_mu);
        if (_stopped) return;
        _stopped = true;
        for (auto& w : _connections)
            if (auto c = w.lock()) open.push_back(std::move(c));
    }
    if (auto a = _acceptor) {
        asio::post(a->get_executor(), [a] {
            boost::system::error_code ec;
            a->close(ec);
        });
    }
    for (auto& c : open)
        c->stop();
    open.clear();
    if (_rt && _rt->running()) {
        auto deadline = std::chrono::steady_clock::now() + k_stop_grace;
        while (connection_count() > 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (auto left = connection_count())
            logging::get("net").warn("{}: {} connections still open after stop", _service_name,
                                     left);
    }
}

result<std::optional<std::pair<std::string, uint16_t>>> parse_listen_address(
    const std::string& flag, const std::string& value) {
    using out = std::optional<std::pair<std::string, uint16_t>>;
    if (value == "off") return out();
    auto bad = [&](const std::string& why) {
        return make_error(errc::invalid_argument,
                          flag + " '" + value + "': " + why + " (expected HOST:PORT or off)");
    };
    auto colon = value.rfind(':');
    if (colon == std::string::npos) return bad("no port");
    std::string host = value.substr(0, colon);
    const std::string port_text = value.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return bad("an IPv6 host must be in brackets");
    }
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || p != port_text.data() + port_text.size() ||
        port > 65535)
        return bad("port must be a number from 0 to 65535");
    return out(std::pair{host, static_cast<uint16_t>(port)});
}

}  // namespace spate::net
