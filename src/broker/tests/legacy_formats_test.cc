// Produce v0-v2 (legacy message sets up-converted) and Fetch v0-v3 (batches
// down-converted), as Kafka 3.x serves old clients.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/fetch_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"
#include "model/legacy_message_set.h"
#include "model/record_batch.h"
#include "model/records.h"

namespace spate::broker::test {
namespace legacy_formats_test {
namespace {

using namespace kafka::protocol;
using bytes_t = std::vector<std::byte>;

std::span<const std::byte> as_bytes(const std::string& s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

// Messages "<prefix>0".. with timestamps 1000, 1001, ...
bytes_t legacy_set(int8_t magic, int n, const std::string& prefix) {
    bytes_t out;
    for (int i = 0; i < n; ++i)
        model::append_legacy_message(out, magic, i, 0, 1000 + i, std::nullopt,
                                     as_bytes(prefix + std::to_string(i)));
    return out;
}

produce_response::partition_produce_response produce(test_client& c, const std::string& topic,
                                                     const bytes_t& records, int16_t version) {
    produce_request r;
    r.acks = 1;
    r.timeout_ms = 5000;
    produce_request::topic_produce_data t;
    t.name = topic;
    t.partition_data.push_back({0, std::span<const std::byte>(records)});
    r.topic_data.push_back(std::move(t));
    auto resp = c.call<produce_response>(r, version);
    EXPECT_EQ(resp.responses.size(), 1u);
    if (resp.responses.empty() || resp.responses[0].partition_responses.empty()) return {};
    return resp.responses[0].partition_responses[0];
}

struct fetched {
    int16_t error = 0;
    int64_t high_watermark = 0;
    bytes_t records;
};

fetched fetch(test_client& c, const std::string& topic, int64_t offset, int16_t version) {
    fetch_request f;
    f.max_bytes = 1 << 20;
    fetch_request::fetch_topic t;
    t.topic = topic;
    fetch_request::fetch_partition p;
    p.fetch_offset = offset;
    p.partition_max_bytes = 1 << 20;
    t.partitions.push_back(p);
    f.topics.push_back(t);
    auto r = c.call<fetch_response>(f, version);
    fetched out;
    EXPECT_EQ(r.responses.size(), 1u);
    if (r.responses.empty() || r.responses[0].partitions.empty()) return out;
    const auto& pd = r.responses[0].partitions[0];
    out.error = pd.error_code;
    out.high_watermark = pd.high_watermark;
    if (pd.records) out.records.assign(pd.records->begin(), pd.records->end());
    return out;
}

struct message {
    int64_t offset;
    int8_t magic;
    int8_t attributes;
    int64_t timestamp;
    std::string value;
};

std::vector<message> decode(const bytes_t& set) {
    std::vector<message> out;
    bytes_t scratch;
    auto st = model::decode_legacy_message_set(
        set,
        [&](const model::legacy_message& m) {
            out.push_back(
                {m.offset, m.magic, m.attributes, m.timestamp,
                 std::string(reinterpret_cast<const char*>(m.value->data()), m.value->size())});
        },
        scratch);
    EXPECT_TRUE(st.ok()) << st.err().message;
    return out;
}

class legacy_formats : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(tb.logs().create_topic("t", 1, {}).ok()); }
    test_broker tb;
};

TEST_F(legacy_formats, produce_v0_to_v2_up_convert_and_fetch_v4_reads_v2_batches) {
    test_client c(tb.port());
    auto p = produce(c, "t", legacy_set(model::k_magic_v1, 3, "a"), 2);
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(p.base_offset, 0);
    EXPECT_EQ(p.log_append_time_ms, -1);
    bytes_t wrapped;
    ASSERT_TRUE(model::append_legacy_wrapper(wrapped, model::k_magic_v1, 1,
                                             model::compression::gzip, 1001,
                                             legacy_set(model::k_magic_v1, 2, "b"))
                    .ok());
    EXPECT_EQ(produce(c, "t", wrapped, 1).base_offset, 3);
    EXPECT_EQ(produce(c, "t", legacy_set(model::k_magic_v0, 1, "c"), 0).base_offset, 5);

    auto f = fetch(c, "t", 0, 4);
    ASSERT_EQ(f.error, 0);
    EXPECT_EQ(f.high_watermark, 6);
    std::vector<std::string> values;
    std::vector<int64_t> ts;
    std::span<const std::byte> rest(f.records);
    while (!rest.empty()) {
        auto v = model::record_batch_view::parse(rest);
        ASSERT_TRUE(v.ok());
        auto rr = model::record_reader::create(*v);
        ASSERT_TRUE(rr.ok());
        ASSERT_TRUE(rr->for_each([&](const model::record_view& r) {
                          values.emplace_back(reinterpret_cast<const char*>(r.value->data()),
                                              r.value->size());
                          ts.push_back(rr->timestamp_of(r));
                      }).ok());
        rest = rest.subspan(v->size_bytes());
    }
    EXPECT_EQ(values, (std::vector<std::string>{"a0", "a1", "a2", "b0", "b1", "c0"}));
    EXPECT_EQ(ts, (std::vector<int64_t>{1000, 1001, 1002, 1000, 1001, -1}));
}

TEST_F(legacy_formats, fetch_v1_to_v3_down_convert_to_magic1_from_the_fetch_offset) {
    test_client c(tb.port());
    ASSERT_EQ(produce(c, "t", make_batch(4), 9).error_code, 0);
    for (int16_t v : {1, 2, 3}) {
        auto f = fetch(c, "t", 2, v);
        ASSERT_EQ(f.error, 0) << v;
        auto msgs = decode(f.records);
        ASSERT_EQ(msgs.size(), 2u) << v;
        EXPECT_EQ(msgs[0].offset, 2);
        EXPECT_EQ(msgs[0].magic, model::k_magic_v1);
        EXPECT_EQ(msgs[0].timestamp, 1002);
        EXPECT_EQ(msgs[1].value, "v3");
    }
}

TEST_F(legacy_formats, fetch_v0_down_converts_to_magic0) {
    test_client c(tb.port());
    ASSERT_EQ(produce(c, "t", make_batch(2), 9).error_code, 0);
    auto msgs = decode(fetch(c, "t", 0, 0).records);
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[1].magic, model::k_magic_v0);
    EXPECT_EQ(msgs[1].offset, 1);
    EXPECT_EQ(msgs[1].timestamp, -1);
}

TEST_F(legacy_formats, malformed_legacy_set_is_corrupt_message_and_stores_nothing) {
    test_client c(tb.port());
    bytes_t bad = legacy_set(model::k_magic_v1, 2, "x");
    bad.back() ^= std::byte{1};  // CRC mismatch
    EXPECT_EQ(produce(c, "t", bad, 2).error_code,
              static_cast<int16_t>(error_code::corrupt_message));
    bytes_t cut = legacy_set(model::k_magic_v1, 2, "x");
    cut.pop_back();  // partial trailing message
    EXPECT_EQ(produce(c, "t", cut, 1).error_code,
              static_cast<int16_t>(error_code::corrupt_message));
    EXPECT_EQ(tb.logs().get("t", 0)->log_end_offset().value(), 0);
}

TEST_F(legacy_formats, format_and_version_must_match_invalid_record) {
    test_client c(tb.port());
    EXPECT_EQ(produce(c, "t", make_batch(1), 2).error_code,
              static_cast<int16_t>(error_code::invalid_record));
    EXPECT_EQ(produce(c, "t", legacy_set(model::k_magic_v1, 1, "x"), 3).error_code,
              static_cast<int16_t>(error_code::invalid_record));
    EXPECT_EQ(tb.logs().get("t", 0)->log_end_offset().value(), 0);
}

TEST_F(legacy_formats, downconversion_disabled_is_unsupported_version_for_old_fetches_only) {
    ASSERT_TRUE(
        tb.logs().create_topic("nodown", 1, {{"message.downconversion.enable", "false"}}).ok());
    test_client c(tb.port());
    ASSERT_EQ(produce(c, "nodown", make_batch(1), 9).error_code, 0);
    EXPECT_EQ(fetch(c, "nodown", 0, 3).error,
              static_cast<int16_t>(error_code::unsupported_version));
    auto f = fetch(c, "nodown", 0, 4);
    EXPECT_EQ(f.error, 0);
    EXPECT_FALSE(f.records.empty());
}

TEST_F(legacy_formats, log_append_time_topic_stamps_up_converted_and_down_converted_messages) {
    ASSERT_TRUE(
        tb.logs().create_topic("lat", 1, {{"message.timestamp.type", "LogAppendTime"}}).ok());
    test_client c(tb.port());
    auto p = produce(c, "lat", legacy_set(model::k_magic_v1, 2, "x"), 2);
    ASSERT_EQ(p.error_code, 0);
    EXPECT_GT(p.log_append_time_ms, 1000);
    auto msgs = decode(fetch(c, "lat", 0, 2).records);
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0].attributes, model::legacy_attr::timestamp_log_append);
    EXPECT_EQ(msgs[1].timestamp, p.log_append_time_ms);
}

}  // namespace
}  // namespace legacy_formats_test
}  // namespace spate::broker::test
