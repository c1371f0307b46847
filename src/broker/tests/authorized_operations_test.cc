// Authorized-operations bit sets: Metadata, DescribeCluster and
// DescribeGroups fill them when the client asks, with Kafka's per-resource
// operation sets (no ACL restricts a principal yet), and leave Kafka's
// "not asked" value (INT32_MIN) otherwise.

#include <gtest/gtest.h>

#include <climits>

#include "broker/tests/test_client.h"
#include "kafka/protocol/acl.h"
#include "kafka/protocol/generated/describe_cluster_request.h"
#include "kafka/protocol/generated/describe_cluster_response.h"
#include "kafka/protocol/generated/describe_groups_request.h"
#include "kafka/protocol/generated/describe_groups_response.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"

namespace spate::broker::test {
namespace authorized_operations_test {
namespace {

using namespace kafka::protocol;

// READ WRITE CREATE DELETE ALTER DESCRIBE DESCRIBE_CONFIGS ALTER_CONFIGS
constexpr int32_t k_topic_ops =
    (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);
// CREATE ALTER DESCRIBE CLUSTER_ACTION DESCRIBE_CONFIGS ALTER_CONFIGS IDEMPOTENT_WRITE
constexpr int32_t k_cluster_ops =
    (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);
// READ DELETE DESCRIBE (Kafka 3.9; 4.0 adds the group configs' two)
constexpr int32_t k_group_ops = (1 << 3) | (1 << 6) | (1 << 8);

TEST(authorized_operations, kafkas_per_resource_sets) {
    EXPECT_EQ(supported_operations_bits(resource_type::topic), k_topic_ops);
    EXPECT_EQ(supported_operations_bits(resource_type::cluster), k_cluster_ops);
    EXPECT_EQ(supported_operations_bits(resource_type::group), k_group_ops);
    EXPECT_EQ(supported_operations_bits(resource_type::transactional_id), (1 << 4) | (1 << 8));
    EXPECT_EQ(supported_operations_bits(resource_type::any), 0);
}

TEST(authorized_operations, metadata_fills_topic_and_cluster_sets_only_when_asked) {
    test_broker tb;
    ASSERT_TRUE(tb.logs().create_topic("t", 1, {}).ok());
    test_client c(tb.port());
    metadata_request req;
    req.topics = std::vector<metadata_request::metadata_request_topic>{{}};
    (*req.topics)[0].name = "t";
    auto plain = c.call<metadata_response>(req, 10);
    ASSERT_EQ(plain.topics.size(), 1u);
    EXPECT_EQ(plain.topics[0].topic_authorized_operations, INT32_MIN);
    EXPECT_EQ(plain.cluster_authorized_operations, INT32_MIN);
    req.include_topic_authorized_operations = true;
    req.include_cluster_authorized_operations = true;
    auto asked = c.call<metadata_response>(req, 10);
    ASSERT_EQ(asked.topics.size(), 1u);
    EXPECT_EQ(asked.topics[0].topic_authorized_operations, k_topic_ops);
    EXPECT_EQ(asked.cluster_authorized_operations, k_cluster_ops);
    // v11+ has no cluster field; topics still get theirs.
    auto v12 = c.call<metadata_response>(req, 12);
    ASSERT_EQ(v12.topics.size(), 1u);
    EXPECT_EQ(v12.topics[0].topic_authorized_operations, k_topic_ops);
}

TEST(authorized_operations, describe_cluster_fills_the_cluster_set_when_asked) {
    test_broker tb;
    test_client c(tb.port());
    describe_cluster_request req;
    EXPECT_EQ(c.call<describe_cluster_response>(req, 1).cluster_authorized_operations, INT32_MIN);
    req.include_cluster_authorized_operations = true;
    EXPECT_EQ(c.call<describe_cluster_response>(req, 1).cluster_authorized_operations,
              k_cluster_ops);
}

TEST(authorized_operations, describe_groups_fills_each_groups_set_when_asked) {
    test_broker tb;
    test_client c(tb.port());
    describe_groups_request req;
    req.groups = {"g1", "g2"};
    auto plain = c.call<describe_groups_response>(req, 5);
    ASSERT_EQ(plain.groups.size(), 2u);
    EXPECT_EQ(plain.groups[0].authorized_operations, INT32_MIN);
    req.include_authorized_operations = true;
    auto asked = c.call<describe_groups_response>(req, 5);
    ASSERT_EQ(asked.groups.size(), 2u);
    for (const auto& g : asked.groups)
        EXPECT_EQ(g.authorized_operations, k_group_ops) << g.group_id;
}

}  // namespace
}  // namespace authorized_operations_test
}  // namespace spate::broker::test
