// Internal topics (__consumer_offsets, __transaction_state) are written only
// by the broker: clients cannot produce to, delete, alter the configs of, or
// create them, and Metadata marks them internal.

#include <gtest/gtest.h>

#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/create_topics_request.h"
#include "kafka/protocol/generated/create_topics_response.h"
#include "kafka/protocol/generated/delete_records_request.h"
#include "kafka/protocol/generated/delete_records_response.h"
#include "kafka/protocol/generated/delete_topics_request.h"
#include "kafka/protocol/generated/delete_topics_response.h"
#include "kafka/protocol/generated/incremental_alter_configs_request.h"
#include "kafka/protocol/generated/incremental_alter_configs_response.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"
#include "kafka/protocol/generated/offset_commit_request.h"
#include "kafka/protocol/generated/offset_commit_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"

namespace spate::broker::test {
namespace internal_topics_test {
namespace {

using namespace kafka::protocol;
constexpr const char* k_offsets = "__consumer_offsets";

// A simple (generation -1) offset commit: creates __consumer_offsets.
void commit_an_offset(test_client& c) {
    create_topics_request ct;
    ct.topics.push_back({"t", 1, 1, {}, {}});
    ASSERT_EQ(c.call<create_topics_response>(ct, 7).topics[0].error_code, 0);
    offset_commit_request oc;
    oc.group_id = "g";
    oc.generation_id_or_member_epoch = -1;
    oc.topics.push_back({"t", {{0, 5, -1, -1, ""}}});
    auto r = c.call<offset_commit_response>(oc, 8);
    ASSERT_EQ(r.topics[0].partitions[0].error_code, 0);
}

TEST(internal_topics, produce_to_an_internal_topic_is_refused_with_invalid_topic) {
    test_broker tb;
    test_client c(tb.port());
    commit_an_offset(c);
    auto batch = make_batch(1);
    produce_request p;
    p.acks = -1;
    p.timeout_ms = 5000;
    p.topic_data.push_back({k_offsets, {{0, std::span<const std::byte>(batch)}}});
    auto r = c.call<produce_response>(p, 9);
    auto& part = r.responses.at(0).partition_responses.at(0);
    EXPECT_EQ(part.error_code, code(error_code::invalid_topic_exception));
    EXPECT_EQ(tb.logs().get(k_offsets, 0)->log_end_offset().value(), 1)
        << "only the commit's record is there";
}

TEST(internal_topics, delete_of_an_internal_topic_is_refused_and_the_topic_stays) {
    test_broker tb;
    test_client c(tb.port());
    commit_an_offset(c);
    delete_topics_request d;
    d.topic_names = {k_offsets};
    auto r = c.call<delete_topics_response>(d, 5);
    EXPECT_EQ(r.responses.at(0).error_code, code(error_code::invalid_topic_exception));
    EXPECT_TRUE(tb.logs().describe(k_offsets));
    delete_records_request dr;
    dr.topics.push_back({k_offsets, {{0, -1}}});
    auto rr = c.call<delete_records_response>(dr, 2);
    EXPECT_EQ(rr.topics.at(0).partitions.at(0).error_code,
              code(error_code::invalid_topic_exception));
    EXPECT_EQ(tb.logs().get(k_offsets, 0)->log_start_offset().value(), 0);
}

TEST(internal_topics, config_changes_and_creation_are_refused) {
    test_broker tb;
    test_client c(tb.port());
    incremental_alter_configs_request ia;
    commit_an_offset(c);
    ia.resources.push_back({2, k_offsets, {{"retention.ms", 0, "1"}}});
    auto r = c.call<incremental_alter_configs_response>(ia, 1);
    EXPECT_EQ(r.responses.at(0).error_code, code(error_code::policy_violation));
    EXPECT_FALSE(tb.logs().describe(k_offsets)->overrides.count("retention.ms"));

    create_topics_request ct;
    ct.topics.push_back({"__transaction_state", 3, 1, {}, {}});
    auto cr = c.call<create_topics_response>(ct, 7);
    EXPECT_EQ(cr.topics.at(0).error_code, code(error_code::invalid_request));
    EXPECT_FALSE(tb.logs().describe("__transaction_state"));
}

TEST(internal_topics, metadata_marks_internal_topics) {
    test_broker tb;
    test_client c(tb.port());
    commit_an_offset(c);
    metadata_request m;
    m.topics = std::nullopt;
    auto r = c.call<metadata_response>(m, 12);
    int seen = 0;
    for (const auto& t : r.topics) {
        EXPECT_EQ(t.is_internal, *t.name == k_offsets) << *t.name;
        ++seen;
    }
    EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace internal_topics_test
}  // namespace spate::broker::test
