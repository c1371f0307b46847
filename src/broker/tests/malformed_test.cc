// Hostile and broken clients: each case closes (at most) that connection and
// the broker keeps serving fresh clients.

#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "broker/handlers/handlers.h"
#include "broker/tests/test_client.h"
#include "bytes/endian.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"
#include "kafka/protocol/wire.h"

namespace spate::broker::test {
namespace malformed_test {
namespace {

using namespace kafka::protocol;

std::vector<std::byte> be32(int32_t v) {
    std::vector<std::byte> out(4);
    bytes::store_be(out.data(), v);
    return out;
}

class malformed : public ::testing::Test {
  protected:
    void expect_healthy() {
        test_client fresh(tb.port());
        auto r = fresh.call<api_versions_response>(api_versions_request{}, 3);
        EXPECT_EQ(r.error_code, 0);
    }
    test_broker tb;
};

TEST_F(malformed, truncated_frame_then_disconnect) {
    {
        test_client c(tb.port());
        std::vector<std::byte> out;
        append_request_frame(out, 1, std::string("x"), 12, metadata_request{});
        out.resize(out.size() - 3);
        c.send_raw(out);
    }
    expect_healthy();
}

TEST_F(malformed, oversized_length_prefix) {
    test_client c(tb.port());
    c.send_raw(be32(200 << 20));
    EXPECT_TRUE(c.closed_by_peer());
    expect_healthy();
}

TEST_F(malformed, negative_and_tiny_length_prefix) {
    {
        test_client c(tb.port());
        c.send_raw(be32(-5));
        EXPECT_TRUE(c.closed_by_peer());
    }
    {
        test_client c(tb.port());
        auto out = be32(3);
        out.resize(7);
        c.send_raw(out);
        EXPECT_TRUE(c.closed_by_peer());
    }
    expect_healthy();
}

TEST_F(malformed, garbage_bytes) {
    test_client c(tb.port());
    std::vector<std::byte> out = be32(64);
    for (int i = 0; i < 64; ++i)
        out.push_back(static_cast<std::byte>(i * 37 + 11));
    c.send_raw(out);
    EXPECT_TRUE(c.closed_by_peer());
    expect_healthy();
}

TEST_F(malformed, unknown_api_key_and_unsupported_version_close) {
    {
        test_client c(tb.port());
        std::vector<std::byte> out;
        writer w(out);
        auto mark = w.begin_size_prefix();
        write_request_header(w, 999, 0, 1, std::string("x"));
        w.end_size_prefix(mark);
        c.send_raw(out);
        EXPECT_TRUE(c.closed_by_peer());
    }
    {
        // LeaderAndIsr (inter-broker) is not served: close, as for unknown keys.
        test_client c(tb.port());
        std::vector<std::byte> out;
        writer w(out);
        auto mark = w.begin_size_prefix();
        write_request_header(w, 4, 0, 1, std::string("x"));
        w.write_int32(1);  // controller id
        w.write_int32(1);  // controller epoch
        w.end_size_prefix(mark);
        c.send_raw(out);
        EXPECT_TRUE(c.closed_by_peer());
    }
    {
        test_client c(tb.port());
        std::vector<std::byte> out;
        writer w(out);
        auto mark = w.begin_size_prefix();
        write_request_header(w, 3, 13, 1, std::string("x"));  // Metadata v13
        w.end_size_prefix(mark);
        c.send_raw(out);
        EXPECT_TRUE(c.closed_by_peer());
    }
    expect_healthy();
}

TEST_F(malformed, malformed_body_closes_after_earlier_responses) {
    test_client c(tb.port());
    std::vector<std::byte> out;
    append_request_frame(out, 1, std::string("x"), 12, metadata_request{});
    // A Metadata v12 request cut short (its final tagged-field count is missing).
    std::vector<std::byte> bad;
    append_request_frame(bad, 2, std::string("x"), 12, metadata_request{});
    bad.pop_back();
    bytes::store_be(bad.data(), static_cast<int32_t>(bad.size() - 4));
    out.insert(out.end(), bad.begin(), bad.end());
    c.send_raw(out);
    c.receive<metadata_response>(12, 1);
    EXPECT_TRUE(c.closed_by_peer());
    expect_healthy();
}

TEST_F(malformed, bytes_after_a_complete_request_body_are_ignored_as_kafka_does) {
    // librdkafka 2.0 pads ListGroups v4 with a zero byte.
    test_client c(tb.port());
    std::vector<std::byte> padded;
    append_request_frame(padded, 3, std::string("x"), 12, metadata_request{});
    padded.push_back(std::byte{0});
    bytes::store_be(padded.data(), static_cast<int32_t>(padded.size() - 4));
    c.send_raw(padded);
    auto r = c.receive<metadata_response>(12, 3);
    EXPECT_TRUE(r.cluster_id.has_value());
    EXPECT_FALSE(c.closed_by_peer(200));
}

TEST_F(malformed, corrupt_batch_crc_is_an_error_not_a_close) {
    ASSERT_TRUE(tb.logs().create_topic("t", 1, {}).ok());
    test_client c(tb.port());
    auto batch = make_batch(3);
    batch[batch.size() - 2] ^= std::byte{1};
    produce_request r;
    r.acks = 1;
    r.topic_data.push_back({"t", {{0, std::span<const std::byte>(batch)}}});
    auto resp = c.call<produce_response>(r, 9);
    EXPECT_EQ(resp.responses[0].partition_responses[0].error_code, 2);
    // Garbage that is not even a batch.
    std::vector<std::byte> junk(30, std::byte{7});
    r.topic_data[0].partition_data[0].records = std::span<const std::byte>(junk);
    resp = c.call<produce_response>(r, 7);
    EXPECT_EQ(resp.responses[0].partition_responses[0].error_code, 2);
    auto ok = c.call<api_versions_response>(api_versions_request{}, 3);
    EXPECT_EQ(ok.error_code, 0);
}

// Every served API at every advertised version, given short random bodies
// (biased to 0x00/0x01/0xff so that counts and lengths come out small,
// negative or huge): each connection is answered or closed, nothing crashes
// (the unit tests run under ASan/UBSan), and the broker keeps serving.
TEST_F(malformed, random_bodies_for_every_api_and_version) {
    std::mt19937 rng(20261124);
    const std::byte bias[] = {std::byte{0x00}, std::byte{0x01}, std::byte{0xff}};
    int frames = 0;
    int answered = 0;
    for (const auto& h : handlers::kafka_handlers()) {
        for (int16_t v = h.min_version; v <= h.max_version; ++v) {
            test_client c(tb.port());
            std::vector<std::byte> out;
            for (int i = 0; i < 6; ++i) {
                writer w(out);
                const size_t mark = w.begin_size_prefix();
                write_request_header(w, static_cast<int16_t>(h.key), v, i, std::string("fuzz"));
                size_t n = rng() % 40;
                for (size_t k = 0; k < n; ++k)
                    out.push_back(rng() % 2 ? bias[rng() % 3] : std::byte(rng() & 0xff));
                w.end_size_prefix(mark);
                ++frames;
            }
            c.send_raw(out);
            // Read what comes back: responses in order, until the broker
            // closes the connection (or leaves a long poll waiting).
            for (int i = 0; i < 6; ++i) {
                auto f = c.read_frame(200);
                if (!f) break;
                ++answered;
            }
        }
    }
    RecordProperty("answered", answered);
    RecordProperty("frames", frames);
    EXPECT_GT(frames, 500);
    // Some bodies decode (e.g. an empty array), most do not.
    EXPECT_GT(answered, 0);
    EXPECT_LT(answered, frames);
    expect_healthy();
}

TEST_F(malformed, client_that_never_reads) {
    ASSERT_TRUE(tb.logs().create_topic("t", 1, {}).ok());
    {
        test_client fill(tb.port());
        produce_request r;
        r.acks = 1;
        auto batch = make_batch(1, 1000, std::string(100000, 'x'));
        r.topic_data.push_back({"t", {{0, std::span<const std::byte>(batch)}}});
        fill.call<produce_response>(r, 9);
    }
    test_client hog(tb.port());
    int hog_fd = hog.fd();
    // Keep sending fetches (each answer ~100 KB) without reading any answer,
    // from another thread so a full socket buffer cannot block the test.
    std::atomic<bool> stop{false};
    std::thread t([&] {
        fetch_request f;
        f.max_bytes = 1 << 20;
        fetch_request::fetch_topic ft;
        ft.topic = "t";
        ft.partitions.push_back({0, -1, 0, -1, -1, 1 << 20, {}});
        f.topics.push_back(ft);
        std::vector<std::byte> out;
        append_request_frame(out, 1, std::string("hog"), 12, f);
        for (int i = 0; i < 2000 && !stop; ++i) {
            if (::send(hog_fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    for (int i = 0; i < 5; ++i)
        expect_healthy();
    stop = true;
    t.join();
}

}  // namespace
}  // namespace malformed_test
}  // namespace spate::broker::test
