#include "http/client.h"

#include <gtest/gtest.h>

namespace spate::http {
namespace client_test {
namespace {

TEST(parse_http_url, reads_host_port_and_base_path) {
    auto u = parse_http_url("http://127.0.0.1:8081");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 8081);
    EXPECT_EQ(u->base_path, "");
    auto v = parse_http_url("http://registry.example/api/sr/");
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->host, "registry.example");
    EXPECT_EQ(v->port, 80);
    EXPECT_EQ(v->base_path, "/api/sr");
    EXPECT_EQ(v->to_string(), "http://registry.example:80/api/sr");
}

TEST(parse_http_url, reads_bracketed_ipv6_hosts) {
    auto u = parse_http_url("http://[::1]:9000/x");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, 9000);
    EXPECT_EQ(u->to_string(), "http://[::1]:9000/x");
}

TEST(parse_http_url, refuses_other_schemes_and_bad_ports) {
    EXPECT_FALSE(parse_http_url("https://host:1").ok());
    EXPECT_FALSE(parse_http_url("host:8081").ok());
    EXPECT_FALSE(parse_http_url("http://:8081").ok());
    EXPECT_FALSE(parse_http_url("http://host:0").ok());
    EXPECT_FALSE(parse_http_url("http://host:65536").ok());
    EXPECT_FALSE(parse_http_url("http://host:80x").ok());
    EXPECT_FALSE(parse_http_url("http://[::1").ok());
}

TEST(client, an_unreachable_server_is_an_error_naming_it) {
    // Port 1 on loopback: nothing listens there.
    client c(parse_http_url("http://127.0.0.1:1").value(), 5000);
    auto r = c.send(verb::get, "/subjects");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.err().message.find("127.0.0.1:1"), std::string::npos);
}

}  // namespace
}  // namespace client_test
}  // namespace spate::http
