#include "net/stream.h"

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace spate::net {

namespace asio = boost::asio;

boost::asio::any_io_executor stream::get_executor() {
    return std::visit([](auto& s) -> asio::any_io_executor { return s.get_executor(); }, _s);
}

stream::tcp_socket& stream::tcp() {
    if (auto* t = std::get_if<tcp_socket>(&_s)) return *t;
    return std::get<tls_socket>(_s).next_layer();
}

asio::awaitable<boost::system::error_code> stream::read_exact(asio::mutable_buffer b) {
    boost::system::error_code ec;
    if (auto* t = std::get_if<tcp_socket>(&_s)) {
        co_await asio::async_read(*t, b, asio::redirect_error(asio::use_awaitable, ec));
    } else {
        co_await asio::async_read(std::get<tls_socket>(_s), b,
                                  asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return ec;
}

asio::awaitable<boost::system::error_code> stream::write_all(asio::const_buffer b) {
    boost::system::error_code ec;
    if (auto* t = std::get_if<tcp_socket>(&_s)) {
        co_await asio::async_write(*t, b, asio::redirect_error(asio::use_awaitable, ec));
    } else {
        co_await asio::async_write(std::get<tls_socket>(_s), b,
                                   asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return ec;
}

void stream::close() {
    boost::system::error_code ec;
    auto& t = tcp();
    t.shutdown(tcp_socket::shutdown_both, ec);
    t.close(ec);
}

}  // namespace spate::net
