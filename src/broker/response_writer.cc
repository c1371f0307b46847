#include "broker/response_writer.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <span>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log.h"

namespace spate::broker {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp_socket = net::stream::tcp_socket;

// Bytes read per pread on the copy path, and given to one sendfile call.
constexpr size_t k_copy_chunk = size_t{256} << 10;
constexpr size_t k_sendfile_chunk = size_t{1} << 30;

error_code unreadable(const file_range& f) {
    logging::get("broker").warn("closing a connection: cannot read {} bytes at {} of {}", f.size,
                                f.position, f.file->path().string());
    return make_error_code(boost::system::errc::io_error);
}

asio::const_buffer as_buffer(std::span<const std::byte> b) {
    return asio::const_buffer(b.data(), b.size());
}

error_code errno_code(int e) {
    return error_code(e, boost::system::system_category());
}

asio::awaitable<error_code> wait_writable(tcp_socket& sock) {
    error_code ec;
    co_await sock.async_wait(tcp_socket::wait_write, asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
}

// Sends `b` on the non-blocking socket; `more`: the frame continues (MSG_MORE
// lets the kernel fill a segment with what follows).
asio::awaitable<error_code> send_memory(tcp_socket& sock, std::span<const std::byte> b, bool more) {
    const int flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0);
    while (!b.empty()) {
        ssize_t n = ::send(sock.native_handle(), b.data(), b.size(), flags);
        if (n >= 0) {
            b = b.subspan(static_cast<size_t>(n));
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (auto ec = co_await wait_writable(sock)) co_return ec;
        } else if (errno != EINTR) {
            co_return errno_code(errno);
        }
    }
    co_return error_code{};
}

asio::awaitable<error_code> send_file(tcp_socket& sock, const file_range& f) {
    off_t pos = static_cast<off_t>(f.position);
    size_t left = f.size;
    // The fd cache keeps the descriptor open while the pin lives (the file
    // may otherwise be closed and reopened by path in between).
    auto pinned = f.file->acquire();
    if (!pinned.ok()) co_return unreadable(f);
    while (left > 0) {
        ssize_t n =
            ::sendfile(sock.native_handle(), pinned->fd(), &pos, std::min(left, k_sendfile_chunk));
        if (n > 0) {
            left -= static_cast<size_t>(n);
        } else if (n == 0) {
            co_return unreadable(f);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (auto ec = co_await wait_writable(sock)) co_return ec;
        } else if (errno != EINTR) {
            co_return errno_code(errno);
        }
    }
    co_return error_code{};
}

asio::awaitable<error_code> write_sendfile(tcp_socket& sock, const handler_outcome& o) {
    error_code ec;
    sock.native_non_blocking(true, ec);
    if (ec) co_return ec;
    const std::span<const std::byte> frame(o.frame);
    size_t pos = 0;
    for (const auto& f : o.files) {
        if ((ec = co_await send_memory(sock, frame.subspan(pos, f.at - pos), true))) co_return ec;
        if ((ec = co_await send_file(sock, f))) co_return ec;
        pos = f.at;
    }
    co_return co_await send_memory(sock, frame.subspan(pos), false);
}

// The copy path for streams sendfile cannot write (TLS).
asio::awaitable<error_code> write_copied(net::stream& s, const handler_outcome& o) {
    const std::span<const std::byte> frame(o.frame);
    std::vector<std::byte> buf;
    size_t pos = 0;
    for (const auto& f : o.files) {
        if (auto ec = co_await s.write_all(as_buffer(frame.subspan(pos, f.at - pos)))) co_return ec;
        pos = f.at;
        buf.resize(std::min(f.size, k_copy_chunk));
        for (size_t done = 0; done < f.size;) {
            const size_t n = std::min(f.size - done, buf.size());
            auto got = f.file->pread(std::span(buf.data(), n), f.position + done);
            if (!got.ok() || *got != n) co_return unreadable(f);
            if (auto ec = co_await s.write_all(asio::buffer(buf.data(), n))) co_return ec;
            done += n;
        }
    }
    co_return co_await s.write_all(as_buffer(frame.subspan(pos)));
}

}  // namespace

asio::awaitable<error_code> write_response(net::stream& s, const handler_outcome& o) {
    if (o.files.empty()) co_return co_await s.write_all(asio::buffer(o.frame));
    if (s.is_tls()) co_return co_await write_copied(s, o);
    co_return co_await write_sendfile(s.tcp(), o);
}

}  // namespace spate::broker
