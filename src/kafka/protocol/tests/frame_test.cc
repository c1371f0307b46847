#include "kafka/protocol/frame.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <set>
#include <vector>

#include "kafka/protocol/generated/controlled_shutdown_request.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"

namespace spate::kafka::protocol {
namespace frame_test {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

TEST(frame, size_prefix) {
    auto ok = frame_size(bytes_of({0, 0, 1, 0}), 1024);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(*ok, 256u);
    auto zero = frame_size(bytes_of({0, 0, 0, 0, 9}), 1024);
    ASSERT_TRUE(zero.ok());
    EXPECT_EQ(*zero, 0u);

    auto negative = frame_size(bytes_of({0xff, 0xff, 0xff, 0xfe}), 1024);
    ASSERT_FALSE(negative.ok());
    EXPECT_EQ(negative.err().code, errc::corrupt);

    auto big = frame_size(bytes_of({0, 0, 4, 1}), 1024);
    ASSERT_FALSE(big.ok());
    EXPECT_EQ(big.err().code, errc::too_large);
}

TEST(frame, header_versions) {
    const int16_t produce = 0, metadata = 3, controlled_shutdown = 7, api_versions = 18;
    EXPECT_EQ(request_header_version(produce, 8), 1);
    EXPECT_EQ(request_header_version(produce, 9), 2);
    EXPECT_EQ(request_header_version(metadata, 9), 2);
    EXPECT_EQ(request_header_version(controlled_shutdown, 0), 0);
    EXPECT_EQ(request_header_version(controlled_shutdown, 1), 1);
    EXPECT_EQ(request_header_version(api_versions, 2), 1);
    EXPECT_EQ(request_header_version(api_versions, 3), 2);
    // Versions newer than we know keep the flexible rule.
    EXPECT_EQ(request_header_version(api_versions, 99), 2);
    EXPECT_EQ(request_header_version(9999, 0), 1);

    EXPECT_EQ(response_header_version(produce, 8), 0);
    EXPECT_EQ(response_header_version(produce, 9), 1);
    EXPECT_EQ(response_header_version(api_versions, 3), 0);
    EXPECT_EQ(response_header_version(api_versions, 4), 0);
}

TEST(frame, request_header_v0_has_no_client_id) {
    const auto body = bytes_of({0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  // header
                                0x00, 0x00, 0x00, 0x02});                        // broker id
    auto h = parse_request_header(body);
    ASSERT_TRUE(h.ok()) << h.err().to_string();
    EXPECT_EQ(h->api_key, 7);
    EXPECT_EQ(h->api_version, 0);
    EXPECT_EQ(h->correlation_id, 5);
    EXPECT_EQ(h->client_id, "");  // absent before v1: Kafka's default
    EXPECT_EQ(h->header_version, 0);
    EXPECT_EQ(h->header_size, 8u);
    auto req = decode_message<controlled_shutdown_request>(std::span(body).subspan(8), 0);
    ASSERT_TRUE(req.ok());
    EXPECT_EQ(req->broker_id, 2);
}

TEST(frame, request_header_v2_skips_unknown_header_tags) {
    const auto body = bytes_of({0x00, 0x03, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x09,  //
                                0x00, 0x01, 'x',                                 // client id
                                0x01, 0x04, 0x01, 0xee,                          // tag 4, 1 byte
                                0x01, 0x01, 0x00, 0x00});                        // body
    auto h = parse_request_header(body);
    ASSERT_TRUE(h.ok()) << h.err().to_string();
    EXPECT_EQ(h->api_key, 3);
    EXPECT_EQ(h->api_version, 12);
    EXPECT_EQ(h->client_id, "x");
    EXPECT_EQ(h->header_version, 2);
    EXPECT_EQ(h->header_size, 15u);
    auto req = decode_message<metadata_request>(std::span(body).subspan(h->header_size), 12);
    ASSERT_TRUE(req.ok()) << req.err().to_string();
    ASSERT_TRUE(req->topics.has_value());
    EXPECT_TRUE(req->topics->empty());
    EXPECT_TRUE(req->allow_auto_topic_creation);
}

TEST(frame, unknown_api_still_yields_correlation_id) {
    const auto body = bytes_of({0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a, 0xff, 0xff});
    auto h = parse_request_header(body);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->api_key, 0x7f00);
    EXPECT_EQ(h->correlation_id, 42);
    EXPECT_EQ(find_api(h->api_key), nullptr);
}

TEST(frame, truncated_request_header_fails) {
    const auto body =
        bytes_of({0x00, 0x03, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x09, 0x00, 0x01, 'x', 0x00});
    for (size_t n = 0; n < body.size(); ++n) {
        auto h = parse_request_header(std::span(body).first(n));
        ASSERT_FALSE(h.ok()) << n;
        EXPECT_EQ(h.err().code, errc::corrupt);
    }
    EXPECT_TRUE(parse_request_header(body).ok());
}

TEST(frame, request_frames_roundtrip_through_the_parser) {
    fetch_request req;
    req.max_wait_ms = 500;
    req.cluster_id = "c";  // tagged, v12+
    auto& topic = req.topics.emplace_back();
    topic.topic_id = uuid{3, 4};
    topic.partitions.emplace_back().partition = 1;
    for (int16_t v = fetch_request::k_min_version; v <= fetch_request::k_max_version; ++v) {
        std::vector<std::byte> frame;
        append_request_frame(frame, 100 + v, std::string("client"), v, req);
        auto size = frame_size(frame, 1 << 20);
        ASSERT_TRUE(size.ok());
        ASSERT_EQ(*size + k_frame_size_prefix, frame.size());
        const auto body = std::span(frame).subspan(k_frame_size_prefix);
        auto h = parse_request_header(body);
        ASSERT_TRUE(h.ok());
        EXPECT_EQ(h->api_version, v);
        EXPECT_EQ(h->correlation_id, 100 + v);
        EXPECT_EQ(h->client_id, "client");
        auto got = decode_message<fetch_request>(body.subspan(h->header_size), v);
        ASSERT_TRUE(got.ok()) << v << ": " << got.err().to_string();
        EXPECT_EQ(got->max_wait_ms, 500);
        EXPECT_EQ(got->cluster_id, v >= 12 ? std::optional<std::string>("c") : std::nullopt);
        EXPECT_EQ(got->topics.at(0).partitions.at(0).partition, 1);
    }
}

TEST(frame, response_frames_roundtrip_through_the_parser) {
    metadata_response resp;
    resp.cluster_id = "cluster";
    resp.brokers.push_back({1, "host", 9092, std::nullopt});
    for (int16_t v = metadata_response::k_min_version; v <= metadata_response::k_max_version; ++v) {
        std::vector<std::byte> frame;
        append_response_frame(frame, 77, v, resp);
        const auto body = std::span(frame).subspan(k_frame_size_prefix);
        auto h = parse_response_header(body, 3, v);
        ASSERT_TRUE(h.ok());
        EXPECT_EQ(h->correlation_id, 77);
        EXPECT_EQ(h->header_size, v >= 9 ? 5u : 4u);
        auto got = decode_message<metadata_response>(body.subspan(h->header_size), v);
        ASSERT_TRUE(got.ok()) << v << ": " << got.err().to_string();
        EXPECT_EQ(got->brokers.at(0).host, "host");
    }
}

TEST(frame, api_table) {
    std::set<int16_t> keys;
    int16_t last = -1;
    for (const auto& api : all_apis()) {
        const auto key = static_cast<int16_t>(api.key);
        EXPECT_GT(key, last);
        last = key;
        keys.insert(key);
        EXPECT_LE(api.min_version, api.max_version);
        EXPECT_EQ(find_api(key), &api);
    }
    ASSERT_NE(find_api(0), nullptr);
    EXPECT_EQ(find_api(0)->name, "Produce");
    EXPECT_EQ(find_api(0)->first_flexible_version, 9);
    EXPECT_EQ(find_api(18)->name, "ApiVersions");
    EXPECT_EQ(find_api(18)->first_flexible_version, 3);
    EXPECT_EQ(find_api(47)->name, "OffsetDelete");
    EXPECT_EQ(find_api(47)->first_flexible_version, -1);
    EXPECT_EQ(static_cast<int16_t>(api_key::find_coordinator), 10);
    EXPECT_EQ(metadata_request::k_api_key, api_key::metadata);
    EXPECT_EQ(metadata_response::k_api_key, api_key::metadata);
    EXPECT_TRUE(keys.count(3));
    EXPECT_FALSE(keys.count(52));  // Vote: controller-only
}

}  // namespace
}  // namespace frame_test
}  // namespace spate::kafka::protocol
