#include "http/client.h"

#include <charconv>
#include <chrono>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace spate::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

std::string http_url::to_string() const {
    const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return "http://" + h + ":" + std::to_string(port) + base_path;
}

result<http_url> parse_http_url(std::string_view url) {
    auto bad = [&](const std::string& why) {
        return make_error(errc::invalid_argument, "invalid URL '" + std::string(url) + "': " + why +
                                                      " (expected http://HOST[:PORT][/PATH])");
    };
    constexpr std::string_view k_scheme = "http://";
    if (url.substr(0, k_scheme.size()) != k_scheme) return bad("not an http:// URL");
    std::string_view rest = url.substr(k_scheme.size());
    const size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    http_url out;
    if (slash != std::string_view::npos) out.base_path = std::string(rest.substr(slash));
    while (!out.base_path.empty() && out.base_path.back() == '/')
        out.base_path.pop_back();
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) return bad("unclosed '['");
        out.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return bad("junk after ']'");
            port_text = after.substr(1);
        }
    } else {
        const size_t colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (out.host.empty()) return bad("no host");
    if (!port_text.empty()) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
        if (ec != std::errc() || p != port_text.data() + port_text.size() || v == 0 || v > 65535)
            return bad("bad port");
        out.port = static_cast<uint16_t>(v);
    }
    return out;
}

struct client::impl {
    http_url url;
    std::chrono::milliseconds timeout;
    asio::io_context io;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;

    // Runs the io_context until the operation `start` began completes.
    template <typename Start>
    boost::system::error_code run(Start start) {
        boost::system::error_code out = asio::error::would_block;
        start([&out](boost::system::error_code ec, auto&&...) { out = ec; });
        io.restart();
        io.run();
        return out;
    }

    error failure(const std::string& what, const boost::system::error_code& ec) const {
        const errc code = ec == beast::error::timeout ? errc::timed_out : errc::io_error;
        return make_error(code, what + " " + url.to_string() + ": " + ec.message());
    }

    status connect() {
        stream.reset();
        buffer.clear();
        tcp::resolver resolver(io);
        boost::system::error_code ec;
        auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
        if (ec) return failure("cannot resolve", ec);
        stream.emplace(io);
        stream->expires_after(timeout);
        ec = run([&](auto h) { stream->async_connect(endpoints, std::move(h)); });
        if (ec) {
            stream.reset();
            return failure("cannot connect to", ec);
        }
        return {};
    }

    // One exchange on the open connection. `stale` tells that it failed the
    // way a connection the server closed while idle fails (the request was
    // not processed), so it may be sent again on a new one.
    result<client_response> exchange(bhttp::request<bhttp::string_body>& req, bool& stale) {
        stale = false;
        stream->expires_after(timeout);
        auto ec = run([&](auto h) { bhttp::async_write(*stream, req, std::move(h)); });
        if (ec) {
            stale = ec != beast::error::timeout;
            return failure("cannot send to", ec);
        }
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(size_t{1} << 30);
        stream->expires_after(timeout);
        ec = run([&](auto h) { bhttp::async_read(*stream, buffer, parser, std::move(h)); });
        if (ec) {
            stale = !parser.got_some() &&
                    (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset);
            return failure("no answer from", ec);
        }
        auto res = parser.release();
        client_response out;
        out.status = res.result_int();
        out.content_type = std::string(res[bhttp::field::content_type]);
        out.body = std::move(res.body());
        if (!res.keep_alive()) stream.reset();
        return out;
    }
};

client::client(http_url url, int timeout_ms) : _impl(std::make_unique<impl>()) {
    _impl->url = std::move(url);
    _impl->timeout = std::chrono::milliseconds(timeout_ms);
}

client::~client() = default;

result<client_response> client::send(verb method, std::string_view target, std::string_view body,
                                     std::string_view content_type) {
    auto& s = *_impl;
    bhttp::request<bhttp::string_body> req{method, s.url.base_path + std::string(target), 11};
    req.set(bhttp::field::host, s.url.host + ":" + std::to_string(s.url.port));
    req.set(bhttp::field::user_agent, "spate");
    req.set(bhttp::field::accept,
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, "
            "application/json");
    if (!content_type.empty()) req.set(bhttp::field::content_type, std::string(content_type));
    req.body() = std::string(body);
    req.keep_alive(true);
    req.prepare_payload();
    // A kept-alive connection the server closed meanwhile fails at once:
    // reconnect and send again, once.
    const bool reused = s.stream.has_value();
    if (!reused) SPATE_TRY(s.connect());
    bool stale = false;
    auto r = s.exchange(req, stale);
    if (!r.ok() && reused && stale) {
        SPATE_TRY(s.connect());
        r = s.exchange(req, stale);
    }
    if (!r.ok()) s.stream.reset();
    return r;
}

}  // namespace spate::http
