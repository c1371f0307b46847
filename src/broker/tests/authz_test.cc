// ACL enforcement on the served APIs, called in-process as hand-made
// principals (authz_harness.h) on a broker with
// allow.everyone.if.no.acl.found=false and super.users=User:admin:
// - the table: each API refused with Kafka's error without the ACL it
//   needs, and past the check once that ACL is granted;
// - DENY overrides ALLOW, PREFIXED and `*` patterns and User:* apply, super
//   users pass, hosts count;
// - Metadata lists only describable topics; authorized-operations bits come
//   from the ACLs; refused requests change nothing; ACL APIs' validation.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "broker/tests/authz_harness.h"
#include "kafka/protocol/generated/add_offsets_to_txn_request.h"
#include "kafka/protocol/generated/add_offsets_to_txn_response.h"
#include "kafka/protocol/generated/consumer_group_heartbeat_request.h"
#include "kafka/protocol/generated/consumer_group_heartbeat_response.h"
#include "kafka/protocol/generated/create_acls_request.h"
#include "kafka/protocol/generated/create_acls_response.h"
#include "kafka/protocol/generated/create_partitions_request.h"
#include "kafka/protocol/generated/create_partitions_response.h"
#include "kafka/protocol/generated/create_topics_request.h"
#include "kafka/protocol/generated/create_topics_response.h"
#include "kafka/protocol/generated/delete_acls_request.h"
#include "kafka/protocol/generated/delete_acls_response.h"
#include "kafka/protocol/generated/delete_groups_request.h"
#include "kafka/protocol/generated/delete_groups_response.h"
#include "kafka/protocol/generated/delete_records_request.h"
#include "kafka/protocol/generated/delete_records_response.h"
#include "kafka/protocol/generated/delete_topics_request.h"
#include "kafka/protocol/generated/delete_topics_response.h"
#include "kafka/protocol/generated/describe_acls_request.h"
#include "kafka/protocol/generated/describe_acls_response.h"
#include "kafka/protocol/generated/describe_cluster_request.h"
#include "kafka/protocol/generated/describe_cluster_response.h"
#include "kafka/protocol/generated/describe_configs_request.h"
#include "kafka/protocol/generated/describe_configs_response.h"
#include "kafka/protocol/generated/describe_groups_request.h"
#include "kafka/protocol/generated/describe_groups_response.h"
#include "kafka/protocol/generated/describe_log_dirs_request.h"
#include "kafka/protocol/generated/describe_log_dirs_response.h"
#include "kafka/protocol/generated/describe_producers_request.h"
#include "kafka/protocol/generated/describe_producers_response.h"
#include "kafka/protocol/generated/end_txn_request.h"
#include "kafka/protocol/generated/end_txn_response.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/fetch_response.h"
#include "kafka/protocol/generated/find_coordinator_request.h"
#include "kafka/protocol/generated/find_coordinator_response.h"
#include "kafka/protocol/generated/heartbeat_request.h"
#include "kafka/protocol/generated/heartbeat_response.h"
#include "kafka/protocol/generated/init_producer_id_request.h"
#include "kafka/protocol/generated/init_producer_id_response.h"
#include "kafka/protocol/generated/join_group_request.h"
#include "kafka/protocol/generated/join_group_response.h"
#include "kafka/protocol/generated/list_offsets_request.h"
#include "kafka/protocol/generated/list_offsets_response.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"
#include "kafka/protocol/generated/offset_commit_request.h"
#include "kafka/protocol/generated/offset_commit_response.h"
#include "kafka/protocol/generated/offset_fetch_request.h"
#include "kafka/protocol/generated/offset_fetch_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"

namespace spate::broker::test {
namespace authz_test {
namespace {

using namespace kafka::protocol;
using sec_op = security::acl_operation;
using sec_type = security::resource_type;

constexpr int16_t k_topic_denied = 29, k_group_denied = 30, k_cluster_denied = 31,
                  k_txn_denied = 53, k_invalid_request = 42;

broker_config closed_config() {
    broker_config c;
    c.authz.allow_everyone_if_no_acl_found = false;
    c.authz.super_users = {"User:admin"};
    return c;
}

class authz : public ::testing::Test {
  public:
    void SetUp() override {
        create_topics_request req;
        req.topics.push_back({"t", 1, 1, {}, {}});
        auto r = call<create_topics_response>(admin, req, 7);
        ASSERT_EQ(r.topics.at(0).error_code, 0);
    }

    template <typename Response, typename Request>
    Response call(const net::connection_info& who, const Request& req, int16_t v) {
        return call_as<Response>(broker.deps(), who, req, v);
    }

    void grant(sec_type type, const std::string& name, sec_op op,
               security::permission_type perm = security::permission_type::allow,
               const std::string& who = "User:alice",
               security::pattern_type pattern = security::pattern_type::literal,
               const std::string& host = "*") {
        auto s =
            broker.deps().access.create(admin, {{{type, name, pattern}, {who, host, op, perm}}});
        ASSERT_TRUE(s.at(0).ok()) << s.at(0).err().to_string();
    }

    int16_t produce_error(const net::connection_info& who, const std::string& topic) {
        auto batch = make_batch(1);
        produce_request req;
        req.acks = 1;
        req.timeout_ms = 1000;
        req.transactional_id = std::nullopt;
        auto& t = req.topic_data.emplace_back();
        t.name = topic;
        t.partition_data.push_back({0, std::span<const std::byte>(batch)});
        return call<produce_response>(who, req, 9)
            .responses.at(0)
            .partition_responses.at(0)
            .error_code;
    }

    test_broker broker{closed_config()};
    net::connection_info admin = principal("admin");
    net::connection_info alice = principal("alice");
};

// One API: the ACL to grant and a call answering the error code of interest.
struct rule {
    const char* api;
    sec_type type;
    const char* name;
    sec_op op;
    int16_t denied;
    std::function<int16_t(authz&, const net::connection_info&)> call;
};

class authz_table : public authz {
  public:
    std::vector<rule> rules();
};

std::vector<rule> authz_table::rules() {
    using ci = const net::connection_info&;
    return {
        {"Produce", sec_type::topic, "t", sec_op::write, k_topic_denied,
         [](authz& f, ci w) { return f.produce_error(w, "t"); }},
        {"Fetch", sec_type::topic, "t", sec_op::read, k_topic_denied,
         [](authz& f, ci w) {
             fetch_request req;
             req.max_wait_ms = 0;
             req.session_epoch = -1;
             auto& t = req.topics.emplace_back();
             t.topic = "t";
             t.partitions.push_back({});
             t.partitions.back().partition_max_bytes = 1024;
             return call_as<fetch_response>(f.broker.deps(), w, req, 12)
                 .responses.at(0)
                 .partitions.at(0)
                 .error_code;
         }},
        {"ListOffsets", sec_type::topic, "t", sec_op::describe, k_topic_denied,
         [](authz& f, ci w) {
             list_offsets_request req;
             req.topics.push_back({"t", {{0, -1, -1, 1}}});
             return call_as<list_offsets_response>(f.broker.deps(), w, req, 7)
                 .topics.at(0)
                 .partitions.at(0)
                 .error_code;
         }},
        {"Metadata", sec_type::topic, "t", sec_op::describe, k_topic_denied,
         [](authz& f, ci w) {
             metadata_request req;
             req.topics->push_back({{}, std::string("t")});
             return call_as<metadata_response>(f.broker.deps(), w, req, 12).topics.at(0).error_code;
         }},
        {"CreateTopics", sec_type::topic, "fresh", sec_op::create, k_topic_denied,
         [](authz& f, ci w) {
             create_topics_request req;
             req.topics.push_back({"fresh", 1, 1, {}, {}});
             req.validate_only = true;
             return call_as<create_topics_response>(f.broker.deps(), w, req, 7)
                 .topics.at(0)
                 .error_code;
         }},
        {"DeleteTopics", sec_type::topic, "gone", sec_op::del, k_topic_denied,
         [](authz& f, ci w) {
             delete_topics_request req;
             req.topic_names = {"gone"};
             return call_as<delete_topics_response>(f.broker.deps(), w, req, 5)
                 .responses.at(0)
                 .error_code;
         }},
        {"CreatePartitions", sec_type::topic, "t", sec_op::alter, k_topic_denied,
         [](authz& f, ci w) {
             create_partitions_request req;
             req.topics.push_back({"t", 2, std::nullopt});
             req.validate_only = true;
             return call_as<create_partitions_response>(f.broker.deps(), w, req, 3)
                 .results.at(0)
                 .error_code;
         }},
        {"DeleteRecords", sec_type::topic, "t", sec_op::del, k_topic_denied,
         [](authz& f, ci w) {
             delete_records_request req;
             req.topics.push_back({"t", {{0, 0}}});
             return call_as<delete_records_response>(f.broker.deps(), w, req, 2)
                 .topics.at(0)
                 .partitions.at(0)
                 .error_code;
         }},
        {"DescribeConfigs", sec_type::topic, "t", sec_op::describe_configs, k_topic_denied,
         [](authz& f, ci w) {
             describe_configs_request req;
             req.resources.push_back({2, "t", std::nullopt});
             return call_as<describe_configs_response>(f.broker.deps(), w, req, 4)
                 .results.at(0)
                 .error_code;
         }},
        {"DescribeConfigs (broker)", sec_type::cluster, "kafka-cluster", sec_op::describe_configs,
         k_cluster_denied,
         [](authz& f, ci w) {
             describe_configs_request req;
             req.resources.push_back({4, "", std::nullopt});
             return call_as<describe_configs_response>(f.broker.deps(), w, req, 4)
                 .results.at(0)
                 .error_code;
         }},
        {"DescribeLogDirs", sec_type::cluster, "kafka-cluster", sec_op::describe, k_cluster_denied,
         [](authz& f, ci w) {
             describe_log_dirs_request req;
             return call_as<describe_log_dirs_response>(f.broker.deps(), w, req, 4).error_code;
         }},
        {"DescribeCluster", sec_type::cluster, "kafka-cluster", sec_op::describe, k_cluster_denied,
         [](authz& f, ci w) {
             return call_as<describe_cluster_response>(f.broker.deps(), w,
                                                       describe_cluster_request{}, 1)
                 .error_code;
         }},
        {"FindCoordinator", sec_type::group, "g", sec_op::describe, k_group_denied,
         [](authz& f, ci w) {
             find_coordinator_request req;
             req.coordinator_keys = {"g"};
             return call_as<find_coordinator_response>(f.broker.deps(), w, req, 4)
                 .coordinators.at(0)
                 .error_code;
         }},
        {"FindCoordinator (txn)", sec_type::transactional_id, "tx", sec_op::describe, k_txn_denied,
         [](authz& f, ci w) {
             find_coordinator_request req;
             req.key_type = 1;
             req.coordinator_keys = {"tx"};
             return call_as<find_coordinator_response>(f.broker.deps(), w, req, 4)
                 .coordinators.at(0)
                 .error_code;
         }},
        {"JoinGroup", sec_type::group, "g", sec_op::read, k_group_denied,
         [](authz& f, ci w) {
             join_group_request req;
             req.group_id = "g";
             req.session_timeout_ms = 10000;
             req.protocol_type = "consumer";
             req.protocols.push_back({"range", {}});
             return call_as<join_group_response>(f.broker.deps(), w, req, 9).error_code;
         }},
        {"Heartbeat", sec_type::group, "g", sec_op::read, k_group_denied,
         [](authz& f, ci w) {
             heartbeat_request req;
             req.group_id = "g";
             req.member_id = "m";
             return call_as<heartbeat_response>(f.broker.deps(), w, req, 4).error_code;
         }},
        {"OffsetCommit", sec_type::group, "g", sec_op::read, k_group_denied,
         [](authz& f, ci w) {
             offset_commit_request req;
             req.group_id = "g";
             req.topics.push_back({"t", {{0, 0, -1, -1, std::string()}}});
             return call_as<offset_commit_response>(f.broker.deps(), w, req, 8)
                 .topics.at(0)
                 .partitions.at(0)
                 .error_code;
         }},
        {"OffsetFetch", sec_type::group, "g", sec_op::describe, k_group_denied,
         [](authz& f, ci w) {
             offset_fetch_request req;
             auto& g = req.groups.emplace_back();
             g.group_id = "g";
             g.topics = std::nullopt;
             return call_as<offset_fetch_response>(f.broker.deps(), w, req, 8)
                 .groups.at(0)
                 .error_code;
         }},
        {"DescribeGroups", sec_type::group, "g", sec_op::describe, k_group_denied,
         [](authz& f, ci w) {
             describe_groups_request req;
             req.groups = {"g"};
             return call_as<describe_groups_response>(f.broker.deps(), w, req, 5)
                 .groups.at(0)
                 .error_code;
         }},
        {"DeleteGroups", sec_type::group, "g", sec_op::del, k_group_denied,
         [](authz& f, ci w) {
             delete_groups_request req;
             req.groups_names = {"g"};
             return call_as<delete_groups_response>(f.broker.deps(), w, req, 2)
                 .results.at(0)
                 .error_code;
         }},
        {"InitProducerId", sec_type::transactional_id, "tx", sec_op::write, k_txn_denied,
         [](authz& f, ci w) {
             init_producer_id_request req;
             req.transactional_id = "tx";
             req.transaction_timeout_ms = 10000;
             return call_as<init_producer_id_response>(f.broker.deps(), w, req, 4).error_code;
         }},
        {"InitProducerId (idempotent)", sec_type::cluster, "kafka-cluster",
         sec_op::idempotent_write, k_cluster_denied,
         [](authz& f, ci w) {
             init_producer_id_request req;
             req.transactional_id = std::nullopt;
             return call_as<init_producer_id_response>(f.broker.deps(), w, req, 4).error_code;
         }},
        {"EndTxn", sec_type::transactional_id, "tx", sec_op::write, k_txn_denied,
         [](authz& f, ci w) {
             end_txn_request req;
             req.transactional_id = "tx";
             return call_as<end_txn_response>(f.broker.deps(), w, req, 3).error_code;
         }},
        {"AddOffsetsToTxn", sec_type::transactional_id, "tx", sec_op::write, k_txn_denied,
         [](authz& f, ci w) {
             add_offsets_to_txn_request req;
             req.transactional_id = "tx";
             req.group_id = "g";
             return call_as<add_offsets_to_txn_response>(f.broker.deps(), w, req, 3).error_code;
         }},
        {"DescribeProducers", sec_type::topic, "t", sec_op::read, k_topic_denied,
         [](authz& f, ci w) {
             describe_producers_request req;
             req.topics.push_back({"t", {0}});
             return call_as<describe_producers_response>(f.broker.deps(), w, req, 0)
                 .topics.at(0)
                 .partitions.at(0)
                 .error_code;
         }},
        {"ConsumerGroupHeartbeat", sec_type::group, "g", sec_op::read, k_group_denied,
         [](authz& f, ci w) {
             consumer_group_heartbeat_request req;
             req.group_id = "g";
             req.member_epoch = 0;
             req.rebalance_timeout_ms = 10000;
             req.subscribed_topic_names = std::vector<std::string>{"t"};
             req.topic_partitions.emplace();
             return call_as<consumer_group_heartbeat_response>(f.broker.deps(), w, req, 0)
                 .error_code;
         }},
        {"CreateAcls", sec_type::cluster, "kafka-cluster", sec_op::alter, k_cluster_denied,
         [](authz& f, ci w) {
             create_acls_request req;
             req.creations.push_back({2, "x", 3, "User:bob", "*", 3, 3});
             return call_as<create_acls_response>(f.broker.deps(), w, req, 3)
                 .results.at(0)
                 .error_code;
         }},
        {"DescribeAcls", sec_type::cluster, "kafka-cluster", sec_op::describe, k_cluster_denied,
         [](authz& f, ci w) {
             describe_acls_request req;
             req.resource_type_filter = 1;
             req.pattern_type_filter = 1;
             req.operation = 1;
             req.permission_type = 1;
             req.resource_name_filter = req.principal_filter = req.host_filter = std::nullopt;
             return call_as<describe_acls_response>(f.broker.deps(), w, req, 3).error_code;
         }},
        {"DeleteAcls", sec_type::cluster, "kafka-cluster", sec_op::alter, k_cluster_denied,
         [](authz& f, ci w) {
             delete_acls_request req;
             req.filters.push_back({2, std::string("x"), 3, std::nullopt, std::nullopt, 1, 1});
             return call_as<delete_acls_response>(f.broker.deps(), w, req, 3)
                 .filter_results.at(0)
                 .error_code;
         }},
    };
}

TEST_F(authz_table, each_api_refuses_without_its_acl_and_passes_with_it) {
    for (const auto& r : rules()) {
        SCOPED_TRACE(r.api);
        broker.deps().access.remove(admin, {security::acl_filter{}});  // each row on its own
        EXPECT_EQ(r.call(*this, alice), r.denied) << "without the ACL";
        grant(r.type, r.name, r.op);
        EXPECT_NE(r.call(*this, alice), r.denied) << "with " << acl_operation_name(r.op);
        // The super user passes without any ACL.
        EXPECT_NE(r.call(*this, admin), r.denied) << "as the super user";
    }
}

TEST_F(authz, deny_overrides_allow) {
    grant(sec_type::topic, "t", sec_op::write);
    EXPECT_EQ(produce_error(alice, "t"), 0);
    grant(sec_type::topic, "t", sec_op::write, security::permission_type::deny);
    EXPECT_EQ(produce_error(alice, "t"), k_topic_denied);
    // ALL denied refuses too, even with a matching ALLOW.
    grant(sec_type::topic, "t", sec_op::all, security::permission_type::deny, "User:carol");
    grant(sec_type::topic, "t", sec_op::write, security::permission_type::allow, "User:carol");
    EXPECT_EQ(produce_error(principal("carol"), "t"), k_topic_denied);
}

TEST_F(authz, prefixed_wildcard_and_everyone_patterns_apply) {
    create_topics_request ct;
    ct.topics.push_back({"orders", 1, 1, {}, {}});
    ASSERT_EQ(call<create_topics_response>(admin, ct, 7).topics.at(0).error_code, 0);
    grant(sec_type::topic, "or", sec_op::write, security::permission_type::allow, "User:alice",
          security::pattern_type::prefixed);
    EXPECT_EQ(produce_error(alice, "orders"), 0);
    EXPECT_EQ(produce_error(alice, "t"), k_topic_denied);
    grant(sec_type::topic, "*", sec_op::write, security::permission_type::allow, "User:*");
    EXPECT_EQ(produce_error(principal("dave"), "t"), 0);
    // Produce's auto-creation needs CREATE as well as WRITE.
    EXPECT_EQ(produce_error(alice, "ordinal"), 3);  // UNKNOWN_TOPIC_OR_PARTITION
    EXPECT_FALSE(broker.deps().topics.describe("ordinal").has_value());
    grant(sec_type::topic, "ordinal", sec_op::create);
    EXPECT_EQ(produce_error(alice, "ordinal"), 0);
}

TEST_F(authz, host_restricted_acls_apply_only_to_that_host) {
    grant(sec_type::topic, "t", sec_op::write, security::permission_type::allow, "User:alice",
          security::pattern_type::literal, "10.0.0.5");
    EXPECT_EQ(produce_error(alice, "t"), k_topic_denied);
    EXPECT_EQ(produce_error(principal("alice", "10.0.0.5"), "t"), 0);
}

TEST_F(authz, metadata_lists_only_describable_topics_and_refused_creation_creates_nothing) {
    create_topics_request ct;
    ct.topics.push_back({"hidden", 1, 1, {}, {}});
    ASSERT_EQ(call<create_topics_response>(admin, ct, 7).topics.at(0).error_code, 0);
    grant(sec_type::topic, "t", sec_op::read);
    metadata_request all;
    all.topics = std::nullopt;
    auto r = call<metadata_response>(alice, all, 12);
    ASSERT_EQ(r.topics.size(), 1u);
    EXPECT_EQ(r.topics[0].name.value_or(""), "t");
    // Auto-creation needs CREATE: refused, and nothing is created.
    metadata_request one;
    one.topics->push_back({{}, std::string("auto-made")});
    grant(sec_type::topic, "auto-made", sec_op::describe);
    EXPECT_EQ(call<metadata_response>(alice, one, 12).topics.at(0).error_code, k_topic_denied);
    EXPECT_FALSE(broker.deps().topics.describe("auto-made").has_value());
    // A refused DeleteTopics leaves the topic.
    delete_topics_request del;
    del.topic_names = {"hidden"};
    EXPECT_EQ(call<delete_topics_response>(alice, del, 5).responses.at(0).error_code,
              k_topic_denied);
    EXPECT_TRUE(broker.deps().topics.describe("hidden").has_value());
}

TEST_F(authz, authorized_operations_come_from_the_acls) {
    grant(sec_type::topic, "t", sec_op::read);
    metadata_request req;
    req.topics->push_back({{}, std::string("t")});
    req.include_topic_authorized_operations = true;
    auto r = call<metadata_response>(alice, req, 12);
    EXPECT_EQ(r.topics.at(0).topic_authorized_operations, (1 << 3) | (1 << 8));  // READ DESCRIBE
    grant(sec_type::cluster, "kafka-cluster", sec_op::describe);
    describe_cluster_request dc;
    dc.include_cluster_authorized_operations = true;
    EXPECT_EQ(call<describe_cluster_response>(alice, dc, 1).cluster_authorized_operations, 1 << 8);
    EXPECT_EQ(call<describe_cluster_response>(admin, dc, 1).cluster_authorized_operations,
              supported_operations_bits(resource_type::cluster));
}

TEST_F(authz, acl_apis_validate_and_describe_what_was_stored) {
    create_acls_request req;
    req.creations.push_back({2, "", 3, "User:bob", "*", 3, 3});       // empty name
    req.creations.push_back({2, "x", 2, "User:bob", "*", 3, 3});      // MATCH pattern
    req.creations.push_back({2, "x", 3, "bob", "*", 3, 3});           // no principal type
    req.creations.push_back({1, "x", 3, "User:bob", "*", 3, 3});      // ANY resource type
    req.creations.push_back({4, "other", 3, "User:bob", "*", 8, 3});  // not kafka-cluster
    req.creations.push_back({2, "x", 4, "User:bob", "*", 3, 3});      // valid
    auto r = call<create_acls_response>(admin, req, 3);
    ASSERT_EQ(r.results.size(), 6u);
    for (size_t i = 0; i < 5; ++i)
        EXPECT_EQ(r.results[i].error_code, k_invalid_request) << i;
    EXPECT_EQ(r.results[5].error_code, 0);
    describe_acls_request d;
    d.resource_type_filter = 2;
    d.resource_name_filter = std::string("xyz");
    d.pattern_type_filter = 2;  // MATCH: the PREFIXED "x" applies to "xyz"
    d.principal_filter = d.host_filter = std::nullopt;
    d.operation = 1;
    d.permission_type = 1;
    auto dr = call<describe_acls_response>(admin, d, 3);
    ASSERT_EQ(dr.error_code, 0);
    ASSERT_EQ(dr.resources.size(), 1u);
    EXPECT_EQ(dr.resources[0].resource_name, "x");
    EXPECT_EQ(dr.resources[0].pattern_type, 4);
    d.pattern_type_filter = 0;  // UNKNOWN
    EXPECT_EQ(call<describe_acls_response>(admin, d, 3).error_code, k_invalid_request);
}

TEST_F(authz, acls_are_replayed_from_their_topic_and_changes_are_audited) {
    grant(sec_type::topic, "t", sec_op::write);
    grant(sec_type::group, "g", sec_op::read, security::permission_type::allow, "User:alice",
          security::pattern_type::prefixed);
    grant(sec_type::topic, "gone", sec_op::read);
    broker.deps().access.remove(admin,
                                {security::acl_filter{{sec_type::topic, std::string("gone")}, {}}});
    // A second reader of __spate_acls (as a restart would be) sees the same set.
    auto again = access_control::open(closed_config().authz, broker.logs());
    ASSERT_TRUE(again.ok()) << again.err().to_string();
    EXPECT_EQ((*again)->describe({}), broker.deps().access.describe({}));
    EXPECT_EQ((*again)->describe({}).size(), 2u);
    EXPECT_TRUE((*again)->allowed(alice, sec_op::write, sec_type::topic, "t"));
    EXPECT_FALSE((*again)->allowed(alice, sec_op::read, sec_type::topic, "gone"));
}

TEST(authz_audit, denials_and_acl_changes_are_written_to_the_audit_log) {
    broker_config c = closed_config();
    auto dir = std::filesystem::temp_directory_path() /
               ("spate-audit-" + std::to_string(::getpid()) + ".log");
    std::filesystem::remove(dir);
    c.authz.audit_log_file = dir.string();
    {
        test_broker b(c);
        auto& access = b.deps().access;
        auto alice = principal("alice", "10.1.2.3");
        EXPECT_FALSE(access.authorize(alice, sec_op::read, sec_type::topic, "t", "Fetch"));
        EXPECT_FALSE(access.allowed(alice, sec_op::write, sec_type::topic, "quiet"));
        auto s =
            access.create(principal("admin"),
                          {{{sec_type::topic, "t"},
                            {"User:alice", "*", sec_op::read, security::permission_type::allow}}});
        ASSERT_TRUE(s.at(0).ok());
    }
    std::ifstream in(dir);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(dir);
    EXPECT_NE(text.find("\"event\":\"denied\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"principal\":\"User:alice\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"host\":\"10.1.2.3\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"resource\":\"TOPIC:t\""), std::string::npos) << text;
    EXPECT_EQ(text.find("quiet"), std::string::npos) << "a silent check was audited";
    EXPECT_NE(text.find("\"event\":\"acl_change\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"resource\":\"TOPIC:LITERAL:t\""), std::string::npos) << text;
}

}  // namespace
}  // namespace authz_test
}  // namespace spate::broker::test
