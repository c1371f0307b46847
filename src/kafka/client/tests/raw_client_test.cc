#include "kafka/client/raw_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "kafka/client/raw_admin.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"
#include "kafka/protocol/generated/describe_transactions_request.h"
#include "kafka/protocol/generated/list_transactions_request.h"
#include "kafka/protocol/generated/list_transactions_response.h"

namespace spate::kafka::client {
namespace raw_client_test {
namespace {

namespace proto = kafka::protocol;

TEST(parse_bootstrap, lists_and_ipv6) {
    auto a = parse_bootstrap("127.0.0.1:9092");
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(*a, (std::vector<host_port>{{"127.0.0.1", 9092}}));
    a = parse_bootstrap("a:1, b.example:65535,[::1]:9093");
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(*a, (std::vector<host_port>{{"a", 1}, {"b.example", 65535}, {"::1", 9093}}));
    EXPECT_EQ(address_text((*a)[2]), "[::1]:9093");
    for (const char* bad :
         {"", "host", ":9092", "h:0", "h:65536", "h:x", "a:1,", "[::1]9092", "[::1"}) {
        auto r = parse_bootstrap(bad);
        EXPECT_FALSE(r.ok()) << bad;
        if (!r.ok()) {
            EXPECT_EQ(r.err().code, errc::invalid_argument);
        }
    }
}

TEST(incremental_alter_configs_request, encodes_operations_and_round_trips) {
    auto req = incremental_alter_configs_request(
        resource_type::topic, "orders",
        {{"retention.ms", config_op::set, "1000"}, {"segment.bytes", config_op::remove, {}}}, true);
    ASSERT_EQ(req.resources.size(), 1u);
    EXPECT_EQ(req.resources[0].resource_type, 2);  // TOPIC
    EXPECT_EQ(req.resources[0].resource_name, "orders");
    ASSERT_EQ(req.resources[0].configs.size(), 2u);
    EXPECT_EQ(req.resources[0].configs[0].config_operation, 0);
    EXPECT_EQ(req.resources[0].configs[1].config_operation, 1);
    EXPECT_FALSE(req.resources[0].configs[1].value.has_value());
    EXPECT_TRUE(req.validate_only);
    for (int16_t v = 0; v <= 1; ++v) {
        std::vector<std::byte> out;
        proto::writer w(out);
        req.encode(w, v);
        auto back = proto::decode_message<proto::incremental_alter_configs_request>(out, v);
        ASSERT_TRUE(back.ok()) << back.err().message;
        EXPECT_EQ(*back, req) << "version " << v;
    }
}

// A one-connection fake broker on 127.0.0.1: answers ApiVersions with
// ListTransactions v0 only, then one ListTransactions request, recording it.
class fake_broker {
  public:
    fake_broker() {
        _listen = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(_listen, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(_listen, 1), 0);
        socklen_t len = sizeof a;
        ::getsockname(_listen, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        _thread = std::thread([this] { serve(); });
    }
    ~fake_broker() {
        _thread.join();
        ::close(_listen);
    }

    uint16_t port = 0;
    proto::request_header_info list_header;
    proto::list_transactions_request list_request;

  private:
    std::vector<std::byte> read_frame(int fd) {
        std::byte prefix[4];
        if (::recv(fd, prefix, 4, MSG_WAITALL) != 4) return {};
        auto size = proto::frame_size(prefix, 1 << 20);
        if (!size.ok()) return {};
        std::vector<std::byte> body(*size);
        if (::recv(fd, body.data(), body.size(), MSG_WAITALL) != ssize_t(body.size())) return {};
        return body;
    }

    void serve() {
        int fd = ::accept(_listen, nullptr, nullptr);
        ASSERT_GE(fd, 0);
        auto body = read_frame(fd);
        auto h = proto::parse_request_header(body);
        ASSERT_TRUE(h.ok());
        EXPECT_EQ(h->api_key, 18);  // ApiVersions
        proto::api_versions_response av;
        av.api_keys.push_back({66, 0, 0});
        std::vector<std::byte> out;
        proto::append_response_frame(out, h->correlation_id, h->api_version, av);
        ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);

        body = read_frame(fd);
        auto lh = proto::parse_request_header(body);
        ASSERT_TRUE(lh.ok());
        list_header = *lh;
        auto req = proto::decode_message<proto::list_transactions_request>(
            std::span<const std::byte>(body).subspan(lh->header_size), lh->api_version);
        ASSERT_TRUE(req.ok());
        list_request = *req;
        proto::list_transactions_response resp;
        resp.transaction_states.push_back({"tx", 42, "Ongoing"});
        out.clear();
        proto::append_response_frame(out, lh->correlation_id, lh->api_version, resp);
        ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        ::close(fd);
    }

    int _listen = -1;
    std::thread _thread;
};

TEST(raw_connection, negotiates_versions_and_frames_requests) {
    fake_broker broker;
    client_config config;
    config.bootstrap = "127.0.0.1:" + std::to_string(broker.port);
    config.client_id = "raw-test";
    auto c = raw_connection::open_bootstrap(config);
    ASSERT_TRUE(c.ok()) << c.err().message;
    auto v = (*c)->version<proto::list_transactions_request>("ListTransactions");
    ASSERT_TRUE(v.ok()) << v.err().message;
    EXPECT_EQ(*v, 0);
    auto none = (*c)->version<proto::describe_transactions_request>("DescribeTransactions");
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.err().code, errc::unsupported);
    EXPECT_NE(none.err().message.find("DescribeTransactions"), std::string::npos);

    proto::list_transactions_request req;
    req.state_filters = {"Ongoing"};
    auto resp = (*c)->call<proto::list_transactions_response>(req, *v);
    ASSERT_TRUE(resp.ok()) << resp.err().message;
    ASSERT_EQ(resp->transaction_states.size(), 1u);
    EXPECT_EQ(resp->transaction_states[0].producer_id, 42);
    EXPECT_EQ(broker.list_header.api_key, 66);
    EXPECT_EQ(broker.list_header.client_id, std::optional<std::string>("raw-test"));
    EXPECT_EQ(broker.list_request.state_filters, std::vector<std::string>{"Ongoing"});
}

TEST(raw_connection, unreachable_broker_is_an_io_error_naming_it) {
    // A port nobody listens on: bind one, then close it.
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    client_config config;
    config.bootstrap = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    auto c = raw_connection::open_bootstrap(config);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.err().code, errc::io_error);
    EXPECT_NE(c.err().message.find("cannot reach the broker at 127.0.0.1:"), std::string::npos);
}

}  // namespace
}  // namespace raw_client_test
}  // namespace spate::kafka::client
