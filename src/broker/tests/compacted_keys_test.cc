// Compacted topics refuse records without a key, as Kafka's log validator
// does: INVALID_RECORD, Kafka's messages, record_errors, nothing appended.

#include <gtest/gtest.h>

#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"
#include "model/record_batch_builder.h"

namespace spate::broker::test {
namespace compacted_keys_test {
namespace {

using namespace kafka::protocol;
using bytes_t = std::vector<std::byte>;

constexpr int16_t k_invalid_record = 87;

bytes_t text(const std::string& s) {
    auto* p = reinterpret_cast<const std::byte*>(s.data());
    return bytes_t(p, p + s.size());
}

// One batch of records with these keys (nullopt: no key), each valued "v".
bytes_t batch_with_keys(const std::vector<std::optional<std::string>>& keys,
                        model::compression c = model::compression::none) {
    model::record_batch_builder b({.compression_type = c});
    auto value = text("v");
    for (const auto& k : keys) {
        auto kb = k ? std::optional<bytes_t>(text(*k)) : std::nullopt;
        b.add(1000, kb ? std::optional<std::span<const std::byte>>(*kb) : std::nullopt,
              std::span<const std::byte>(value));
    }
    return b.finish();
}

class compacted_keys : public ::testing::Test {
  protected:
    produce_response::partition_produce_response produce(const std::string& topic,
                                                         const bytes_t& batch,
                                                         int16_t version = 9) {
        produce_request r;
        r.acks = 1;
        r.timeout_ms = 5000;
        produce_request::topic_produce_data t;
        t.name = topic;
        t.partition_data.push_back({0, std::span<const std::byte>(batch)});
        r.topic_data.push_back(std::move(t));
        auto out = client.call<produce_response>(r, version);
        EXPECT_EQ(out.responses.size(), 1u);
        if (out.responses.empty() || out.responses[0].partition_responses.empty()) return {};
        return out.responses[0].partition_responses[0];
    }

    int64_t end_offset(const std::string& topic) {
        return tb.logs().get(topic, 0)->log_end_offset().value();
    }

    test_broker tb;
    test_client client{tb.port()};
};

TEST_F(compacted_keys, keyless_records_refuse_the_batch_with_kafkas_record_errors) {
    ASSERT_TRUE(tb.logs().create_topic("c", 1, {{"cleanup.policy", "compact"}}).ok());
    auto p = produce("c", batch_with_keys({"a", std::nullopt, "b", std::nullopt}));
    EXPECT_EQ(p.error_code, k_invalid_record);
    ASSERT_EQ(p.record_errors.size(), 2u);
    EXPECT_EQ(p.record_errors[0].batch_index, 1);
    EXPECT_EQ(p.record_errors[1].batch_index, 3);
    EXPECT_EQ(p.record_errors[0].batch_index_error_message,
              "Compacted topic cannot accept message without key in topic partition c-0");
    ASSERT_TRUE(p.error_message);
    EXPECT_NE(p.error_message->find("due to 2 record errors"), std::string::npos)
        << *p.error_message;
    EXPECT_NE(p.error_message->find("RecordError(batchIndex=1"), std::string::npos)
        << *p.error_message;
    EXPECT_EQ(end_offset("c"), 0);
}

TEST_F(compacted_keys, compressed_keyless_records_are_refused_too) {
    ASSERT_TRUE(tb.logs().create_topic("cz", 1, {{"cleanup.policy", "compact,delete"}}).ok());
    auto p = produce("cz", batch_with_keys({std::nullopt}, model::compression::gzip));
    EXPECT_EQ(p.error_code, k_invalid_record);
    EXPECT_EQ(p.record_errors.size(), 1u);
    EXPECT_EQ(end_offset("cz"), 0);
}

TEST_F(compacted_keys, keyed_records_and_keyless_records_of_delete_topics_are_stored) {
    ASSERT_TRUE(tb.logs().create_topic("c", 1, {{"cleanup.policy", "compact"}}).ok());
    ASSERT_TRUE(tb.logs().create_topic("d", 1, {}).ok());
    EXPECT_EQ(produce("c", batch_with_keys({"a", "b"})).error_code, 0);
    EXPECT_EQ(end_offset("c"), 2);
    EXPECT_EQ(produce("d", batch_with_keys({std::nullopt})).error_code, 0);
    EXPECT_EQ(end_offset("d"), 1);
}

TEST_F(compacted_keys, versions_before_record_errors_get_the_error_code_alone) {
    ASSERT_TRUE(tb.logs().create_topic("c", 1, {{"cleanup.policy", "compact"}}).ok());
    auto p = produce("c", batch_with_keys({std::nullopt}), 7);
    EXPECT_EQ(p.error_code, k_invalid_record);
    EXPECT_TRUE(p.record_errors.empty());
    EXPECT_EQ(end_offset("c"), 0);
}

}  // namespace
}  // namespace compacted_keys_test
}  // namespace spate::broker::test
