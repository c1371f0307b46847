#include "net/listener.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "net/runtime.h"
#include "net/tests/echo.h"

namespace spate::net {
namespace listener_test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

template <typename Pred>
bool eventually(Pred p) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!p()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

listener_options local(std::string name, uint16_t port = 0) {
    listener_options o;
    o.name = std::move(name);
    o.flag = "--" + o.name + "-listen";
    o.host = "127.0.0.1";
    o.port = port;
    return o;
}

std::string echo_once(uint16_t port, const std::string& four) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    asio::write(s, asio::buffer(four));
    std::string back(4, '\0');
    asio::read(s, asio::buffer(back));
    return back;
}

TEST(listener, port_zero_binds_a_free_port_and_serves_the_factory_protocol) {
    runtime rt;
    rt.start(2);
    listener l(local("echo"), testing::echo_factory());
    ASSERT_TRUE(l.start(rt).ok());
    ASSERT_NE(l.port(), 0);
    EXPECT_EQ(echo_once(l.port(), "ping"), "ping");
    l.stop();
    rt.stop();
}

TEST(listener, two_protocols_share_one_runtime_on_different_ports) {
    runtime rt;
    rt.start(2);
    listener a(local("a"), testing::echo_factory());
    listener b(local("b"), testing::echo_factory());
    ASSERT_TRUE(a.start(rt).ok());
    ASSERT_TRUE(b.start(rt).ok());
    EXPECT_NE(a.port(), b.port());
    EXPECT_EQ(echo_once(a.port(), "aaaa"), "aaaa");
    EXPECT_EQ(echo_once(b.port(), "bbbb"), "bbbb");
    b.stop();
    a.stop();
    rt.stop();
}

TEST(listener, a_port_in_use_fails_the_start_naming_the_flag) {
    runtime rt;
    listener first(local("kafka"), testing::echo_factory());
    ASSERT_TRUE(first.start(rt).ok());
    listener second(local("kafka", first.port()), testing::echo_factory());
    auto s = second.start(rt);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.err().message.find("--kafka-listen 127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << s.err().message;
    EXPECT_NE(s.err().message.find("in use"), std::string::npos) << s.err().message;
}

TEST(listener, stop_closes_open_connections_and_refuses_new_ones) {
    runtime rt;
    rt.start(2);
    listener l(local("echo"), testing::echo_factory());
    ASSERT_TRUE(l.start(rt).ok());
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), l.port()));
    ASSERT_TRUE(eventually([&] { return l.connection_count() == 1; }));
    l.stop();
    EXPECT_EQ(l.connection_count(), 0u);
    char c;
    boost::system::error_code ec;
    asio::read(s, asio::buffer(&c, 1), ec);
    EXPECT_TRUE(ec) << "the server side was closed";
    tcp::socket again(io);
    again.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), l.port()), ec);
    EXPECT_TRUE(ec) << "the acceptor was closed";
    rt.stop();
}

TEST(listener, the_connection_limit_closes_connections_beyond_it) {
    runtime rt;
    rt.start(1);
    auto o = local("echo");
    o.max_connections = 1;
    listener l(o, testing::echo_factory());
    ASSERT_TRUE(l.start(rt).ok());
    EXPECT_EQ(echo_once(l.port(), "one!"), "one!");
    ASSERT_TRUE(eventually([&] { return l.connection_count() == 0; }));
    asio::io_context io;
    tcp::socket held(io);
    held.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), l.port()));
    ASSERT_TRUE(eventually([&] { return l.connection_count() == 1; }));
    tcp::socket extra(io);
    extra.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), l.port()));
    char c;
    boost::system::error_code ec;
    asio::read(extra, asio::buffer(&c, 1), ec);
    EXPECT_EQ(ec, asio::error::eof);
    l.stop();
    rt.stop();
}

TEST(listener, connections_see_the_listener_name_and_peer_address) {
    runtime rt;
    rt.start(1);
    std::shared_ptr<testing::echo_connection> seen;
    std::mutex mu;
    listener l(local("named"), [&](stream s, connection_info info) -> std::shared_ptr<connection> {
        auto c = std::make_shared<testing::echo_connection>(std::move(s), std::move(info));
        std::lock_guard lk(mu);
        seen = c;
        return c;
    });
    ASSERT_TRUE(l.start(rt).ok());
    EXPECT_EQ(echo_once(l.port(), "abcd"), "abcd");
    {
        std::lock_guard lk(mu);
        ASSERT_TRUE(seen);
        EXPECT_EQ(seen->info().listener, "named");
        EXPECT_EQ(seen->info().peer_address, "127.0.0.1");
        EXPECT_EQ(seen->info().security_protocol, "PLAINTEXT");
        EXPECT_EQ(seen->info().user.to_string(), "User:ANONYMOUS");
    }
    l.stop();
    rt.stop();
}

TEST(listen_address, parses_host_port_brackets_and_off) {
    auto a = parse_listen_address("--x", "127.0.0.1:9092");
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(a->has_value());
    EXPECT_EQ((*a)->first, "127.0.0.1");
    EXPECT_EQ((*a)->second, 9092);
    auto v6 = parse_listen_address("--x", "[::1]:0");
    ASSERT_TRUE(v6.ok());
    EXPECT_EQ((*v6)->first, "::1");
    auto all = parse_listen_address("--x", ":9092");
    ASSERT_TRUE(all.ok());
    EXPECT_EQ((*all)->first, "");
    auto off = parse_listen_address("--x", "off");
    ASSERT_TRUE(off.ok());
    EXPECT_FALSE(off->has_value());
}

TEST(listen_address, bad_values_name_the_flag) {
    for (const char* bad : {"9092", "host:", "host:65536", "host:9x", "::1:9092"}) {
        auto r = parse_listen_address("--pg-listen", bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.err().message.find("--pg-listen"), std::string::npos) << r.err().message;
    }
}

}  // namespace
}  // namespace listener_test
}  // namespace spate::net
