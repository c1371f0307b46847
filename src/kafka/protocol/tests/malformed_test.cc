// Malformed input: every failure is an errc::corrupt result, never a crash,
// an out-of-bounds read (the unit tests run under ASan) or a large allocation.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <initializer_list>
#include <new>
#include <vector>

#include "kafka/protocol/frame.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"
#include "kafka/protocol/generated/consumer_protocol_assignment.h"
#include "kafka/protocol/generated/fetch_response.h"
#include "kafka/protocol/generated/join_group_request.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/wire.h"

// Largest single heap allocation while `g_tracking` is set (whole binary).
// GCC 12 at -O2 misreports the replaced operator delete's free() as mismatched.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<bool> g_tracking{false};
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

void* operator new(std::size_t n) {
    if (g_tracking.load(std::memory_order_relaxed)) {
        size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
        while (n > seen && !g_largest_allocation.compare_exchange_weak(seen, n)) {
        }
    }
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace spate::kafka::protocol {
namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(static_cast<std::byte>(v));
    return out;
}

template <typename M>
void expect_corrupt(const std::vector<std::byte>& body, int16_t version) {
    auto r = decode_message<M>(body, version);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::corrupt) << r.err().to_string();
}

class tracked_allocations {
  public:
    tracked_allocations() {
        g_largest_allocation = 0;
        g_tracking = true;
    }
    ~tracked_allocations() { g_tracking = false; }
    size_t largest() const { return g_largest_allocation.load(); }
};

produce_request sample_produce(std::span<const std::byte> records) {
    produce_request req;
    req.transactional_id = "tx";
    req.acks = 1;
    req.timeout_ms = 10;
    for (int t = 0; t < 2; ++t) {
        auto& topic = req.topic_data.emplace_back();
        topic.name = "topic-" + std::to_string(t);
        for (int p = 0; p < 2; ++p) {
            auto& part = topic.partition_data.emplace_back();
            part.index = p;
            part.records = records;
        }
    }
    return req;
}

TEST(malformed, every_truncation_fails) {
    const auto records = bytes_of({1, 2, 3, 4, 5});
    const auto req = sample_produce(records);
    for (int16_t v : {3, 8, 9, 11}) {
        const auto bytes = encode_message(req, v);
        ASSERT_TRUE(decode_message<produce_request>(bytes, v).ok());
        for (size_t n = 0; n < bytes.size(); ++n) {
            auto r = decode_message<produce_request>(std::span(bytes).first(n), v);
            ASSERT_FALSE(r.ok()) << "v" << v << " prefix " << n;
            EXPECT_EQ(r.err().code, errc::corrupt);
        }
    }
}

TEST(malformed, trailing_bytes_fail) {
    auto bytes = encode_message(api_versions_request{}, 2);
    bytes.push_back(std::byte{0});
    expect_corrupt<api_versions_request>(bytes, 2);
}

TEST(malformed, unsupported_version) {
    auto r = decode_message<api_versions_request>({}, 5);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::unsupported);
    r = decode_message<api_versions_request>({}, -1);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::unsupported);
}

TEST(malformed, huge_array_counts_are_rejected_without_allocating) {
    tracked_allocations alloc;
    // Classic int32 count of 2^31-1 topics with three bytes behind it.
    expect_corrupt<metadata_request>(bytes_of({0x7f, 0xff, 0xff, 0xff, 0, 1, 'a'}), 0);
    // Compact count 2^32-2 (uvarint 0xffffffff).
    expect_corrupt<metadata_request>(bytes_of({0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0}), 9);
    // A count that fits the bytes for the smallest element but not for int32s.
    expect_corrupt<consumer_protocol_assignment>(
        bytes_of({0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2}), 0);
    // Negative counts other than -1, and -1 where not nullable.
    expect_corrupt<metadata_request>(bytes_of({0xff, 0xff, 0xff, 0xfe}), 1);
    expect_corrupt<metadata_request>(bytes_of({0xff, 0xff, 0xff, 0xff}), 0);
    // Compact null (0) where not nullable: produce's topic array.
    expect_corrupt<produce_request>(
        bytes_of({0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00}), 9);
    EXPECT_LT(alloc.largest(), 64u * 1024);
}

TEST(malformed, valid_large_counts_reserve_in_bounded_steps) {
    // 200000 empty topic names (2 bytes each): valid, and the vector grows
    // with the decoded elements rather than from the declared count.
    std::vector<std::byte> body;
    writer w(body);
    w.write_array_length(200000, false);
    for (int i = 0; i < 200000; ++i)
        w.write_string("", false);
    auto r = decode_message<metadata_request>(body, 0);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->topics->size(), 200000u);
}

TEST(malformed, invalid_compact_lengths) {
    // Overlong uvarint length (6 bytes).
    expect_corrupt<api_versions_request>(bytes_of({0x80, 0x80, 0x80, 0x80, 0x80, 0x01}), 3);
    // Length beyond the remaining bytes.
    expect_corrupt<api_versions_request>(bytes_of({0x10, 'a', 'b', 0x01, 0x00}), 3);
    // Null (0) for a non-nullable compact string.
    expect_corrupt<api_versions_request>(bytes_of({0x00, 0x01, 0x00}), 3);
    // Truncated uvarint.
    expect_corrupt<api_versions_request>(bytes_of({0x81}), 3);
    // A compact string longer than the protocol's 32767-byte limit.
    std::vector<std::byte> body;
    writer w(body);
    w.write_uvarint(40001);
    body.resize(body.size() + 40000, std::byte{'a'});
    w.write_uvarint(1);
    w.write_uvarint(0);
    expect_corrupt<api_versions_request>(body, 3);
    // Classic string length below -1.
    expect_corrupt<metadata_request>(bytes_of({0, 0, 0, 1, 0xff, 0xfe}), 1);
    // Compact bytes/records longer than the rest of the message.
    expect_corrupt<produce_request>(
        bytes_of({0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x02, 0x02, 't',
                  0x02, 0x00, 0x00, 0x00, 0x00, 0x7f, 0x01, 0x00, 0x00, 0x00}),
        9);
}

TEST(malformed, unknown_tagged_fields_are_skipped_everywhere) {
    // MetadataRequest v9: unknown tags in the topic element and at the top.
    const auto body = bytes_of({
        0x02,                    // one topic
        0x02, 't',               // name
        0x01, 0x09, 0x01, 0xaa,  // element tags: tag 9, 1 byte
        0x01, 0x00, 0x01,        // allow auto creation, cluster ops, topic ops
        0x02,                    // two top-level tags
        0x00, 0x00,              // tag 0, empty
        0x0a, 0x03, 1, 2, 3,     // tag 10, 3 bytes
    });
    auto r = decode_message<metadata_request>(body, 9);
    ASSERT_TRUE(r.ok()) << r.err().to_string();
    ASSERT_EQ(r->topics->size(), 1u);
    EXPECT_EQ(r->topics->at(0).name, "t");
    EXPECT_TRUE(r->include_topic_authorized_operations);
}

TEST(malformed, known_and_unknown_tags_mix) {
    const auto body = bytes_of({
        0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,           // error, empty api keys, throttle
        0x03,                                               // three tags
        0x01, 0x08, 0,    0,    0,    0,    0,    0, 0, 9,  // finalized features epoch
        0x63, 0x02, 0xbe, 0xef,                             // tag 99, unknown
        0x03, 0x01, 0x01,                                   // zk migration ready
    });
    auto r = decode_message<api_versions_response>(body, 3);
    ASSERT_TRUE(r.ok()) << r.err().to_string();
    EXPECT_EQ(r->finalized_features_epoch, 9);
    EXPECT_TRUE(r->zk_migration_ready);
}

TEST(malformed, bad_tagged_sections) {
    // Tagged field payload larger than the rest.
    expect_corrupt<api_versions_request>(bytes_of({0x01, 0x01, 0x01, 0x05, 0x05, 0x00}), 3);
    // A huge tagged field count fails on the bytes, not after 4 billion loops.
    expect_corrupt<api_versions_request>(
        bytes_of({0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00}), 3);
    // A known tag whose payload is shorter than its value.
    expect_corrupt<api_versions_response>(
        bytes_of({0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x00, 0x01}), 3);
}

TEST(malformed, decode_overwrites_previous_contents) {
    join_group_request req;
    req.group_id = "g";
    req.group_instance_id = "instance";  // v5+
    req.reason = "why";                  // v8+
    auto bytes = encode_message(req, 9);
    reader r9(bytes);
    ASSERT_TRUE(req.decode(r9, 9).ok());
    join_group_request older;
    older.group_id = "h";
    auto v0 = encode_message(older, 0);
    reader r(v0);
    ASSERT_TRUE(req.decode(r, 0).ok());
    EXPECT_EQ(req, older);
}

// Flipping bytes of valid encodings must only ever produce clean results.
template <typename M>
void mutate_all(const M& m, int16_t version) {
    const auto original = encode_message(m, version);
    for (size_t i = 0; i < original.size(); ++i) {
        for (int value : {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff}) {
            auto bytes = original;
            bytes[i] = static_cast<std::byte>(value);
            auto r = decode_message<M>(bytes, version);
            if (!r.ok()) {
                EXPECT_EQ(r.err().code, errc::corrupt);
            }
        }
    }
}

TEST(malformed, single_byte_mutations_never_crash) {
    tracked_allocations alloc;
    const auto records = bytes_of({1, 2, 3, 4, 5, 6, 7, 8});
    for (int16_t v : {3, 9, 11})
        mutate_all(sample_produce(records), v);

    fetch_response fetch;
    auto& topic = fetch.responses.emplace_back();
    topic.topic = "t";
    topic.topic_id = uuid{1, 2};
    auto& part = topic.partitions.emplace_back();
    part.high_watermark = 10;
    part.aborted_transactions->push_back({7, 3});
    part.current_leader.leader_id = 1;  // tagged in v12+
    part.records = std::span<const std::byte>(records);
    fetch.node_endpoints.push_back({1, "h", 9092, "rack"});  // tagged in v16+
    for (int16_t v : {4, 11, 12, 16})
        mutate_all(fetch, v);
    EXPECT_LT(alloc.largest(), 64u * 1024);
}

}  // namespace
}  // namespace spate::kafka::protocol
