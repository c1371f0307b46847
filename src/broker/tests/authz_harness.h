#pragma once

// Calls a broker's Kafka handlers in-process as any principal: the request
// is framed with the generated codecs, handed to the API's handler with a
// hand-made net::connection_info (what SASL/mTLS will set), and the answer
// decoded. The broker's real services (test_broker) serve it.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "broker/access_control.h"
#include "broker/handlers/handlers.h"
#include "broker/tests/test_client.h"

namespace spate::broker::test {

inline net::connection_info principal(const std::string& name,
                                      const std::string& host = "127.0.0.1") {
    net::connection_info i;
    i.listener = "kafka";
    i.peer_address = host;
    i.user.name = name;
    return i;
}

inline boost::asio::awaitable<void> run_handler(handler_fn fn, request_context& ctx,
                                                handler_outcome& out) {
    out = co_await fn(ctx);
}

template <typename Response, typename Request>
Response call_as(handler_deps& deps, const net::connection_info& who, const Request& req,
                 int16_t version) {
    std::vector<std::byte> framed;
    proto::append_request_frame(framed, 7, std::string("authz-test"), version, req);
    request_buffer frame(framed.begin() + proto::k_frame_size_prefix, framed.end());
    auto header =
        proto::parse_request_header(std::span<const std::byte>(frame.data(), frame.size()));
    EXPECT_TRUE(header.ok());
    boost::asio::io_context io;
    const std::string host = "/" + who.peer_address;
    request_context ctx{deps, who, *header, std::move(frame), io.get_executor(), host, false};
    const auto* spec = handlers::find_kafka_handler(static_cast<int16_t>(Request::k_api_key));
    EXPECT_NE(spec, nullptr);
    handler_outcome out;
    boost::asio::co_spawn(io, run_handler(spec->fn, ctx, out), boost::asio::detached);
    io.run();
    EXPECT_EQ(out.what, handler_outcome::kind::respond);
    if (out.what != handler_outcome::kind::respond) return Response{};
    auto body = std::span<const std::byte>(out.frame).subspan(proto::k_frame_size_prefix);
    auto h = proto::parse_response_header(body, static_cast<int16_t>(Response::k_api_key), version);
    EXPECT_TRUE(h.ok());
    auto m = proto::decode_message<Response>(body.subspan(h->header_size), version);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.err().to_string());
    return m.ok() ? std::move(*m) : Response{};
}

}  // namespace spate::broker::test
