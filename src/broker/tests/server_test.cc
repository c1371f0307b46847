// Connection-level behaviour: ApiVersions, Metadata, pipelining.

#include <chrono>

#include <gtest/gtest.h>

#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/api_versions_request.h"
#include "kafka/protocol/generated/api_versions_response.h"
#include "kafka/protocol/generated/metadata_request.h"
#include "kafka/protocol/generated/metadata_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"

namespace spate::broker::test {
namespace server_test {
namespace {

using namespace kafka::protocol;

int16_t max_version_of(const api_versions_response& r, api_key k) {
    for (const auto& a : r.api_keys)
        if (a.api_key == static_cast<int16_t>(k)) return a.max_version;
    return -1;
}

TEST(server, api_versions_v0_and_v3) {
    test_broker tb;
    test_client c(tb.port());
    auto r0 = c.call<api_versions_response>(api_versions_request{}, 0);
    EXPECT_EQ(r0.error_code, 0);
    EXPECT_EQ(max_version_of(r0, api_key::produce), 9);
    EXPECT_EQ(max_version_of(r0, api_key::metadata), 12);
    EXPECT_EQ(max_version_of(r0, api_key::find_coordinator), 4);
    EXPECT_EQ(max_version_of(r0, api_key::init_producer_id), 5);
    EXPECT_EQ(max_version_of(r0, api_key::leader_and_isr), -1);
    for (const auto& a : r0.api_keys) {
        if (a.api_key <= 3) {
            EXPECT_EQ(a.min_version, 0);
        }
    }

    api_versions_request v3;
    v3.client_software_name = "spate-test";
    v3.client_software_version = "1.0";
    auto r3 = c.call<api_versions_response>(v3, 3);
    EXPECT_EQ(r3.error_code, 0);
    EXPECT_EQ(r3.api_keys.size(), r0.api_keys.size());
}

TEST(server, api_versions_unsupported_version_answers_v0_with_error) {
    test_broker tb;
    test_client c(tb.port());
    // Version 4 is beyond what the broker serves: KIP-511 says answer with
    // UNSUPPORTED_VERSION in a v0 body (header v0).
    std::vector<std::byte> out;
    append_request_frame(out, 7, std::string("x"), 4, api_versions_request{});
    c.send_raw(out);
    auto r = c.receive<api_versions_response>(0, 7);
    EXPECT_EQ(r.error_code, 35);
    EXPECT_EQ(max_version_of(r, api_key::api_versions), 3);
    // The connection stays usable.
    auto ok = c.call<api_versions_response>(api_versions_request{}, 2);
    EXPECT_EQ(ok.error_code, 0);
}

TEST(server, metadata_auto_creates_and_describes) {
    test_broker tb;
    test_client c(tb.port());
    metadata_request req;
    req.topics = std::vector<metadata_request::metadata_request_topic>{{{}, "auto1"}};
    req.allow_auto_topic_creation = true;
    auto r = c.call<metadata_response>(req, 12);
    ASSERT_EQ(r.brokers.size(), 1u);
    EXPECT_EQ(r.brokers[0].port, tb.port());
    EXPECT_EQ(r.brokers[0].host, "127.0.0.1");
    EXPECT_EQ(r.controller_id, 0);
    EXPECT_EQ(r.cluster_id, tb.deps().cluster.cluster_id());
    ASSERT_EQ(r.topics.size(), 1u);
    EXPECT_EQ(r.topics[0].error_code, 0);
    EXPECT_EQ(r.topics[0].name, "auto1");
    EXPECT_NE(r.topics[0].topic_id, uuid{});
    ASSERT_EQ(r.topics[0].partitions.size(), 1u);
    EXPECT_EQ(r.topics[0].partitions[0].leader_id, 0);
    EXPECT_EQ(r.topics[0].partitions[0].leader_epoch, 0);
    EXPECT_EQ(r.topics[0].partitions[0].isr_nodes, std::vector<int32_t>{0});

    // Not allowed: unknown topic.
    req.topics = std::vector<metadata_request::metadata_request_topic>{{{}, "nope"}};
    req.allow_auto_topic_creation = false;
    r = c.call<metadata_response>(req, 12);
    ASSERT_EQ(r.topics.size(), 1u);
    EXPECT_EQ(r.topics[0].error_code, 3);
    // Invalid name.
    req.topics = std::vector<metadata_request::metadata_request_topic>{{{}, "bad name!"}};
    req.allow_auto_topic_creation = true;
    r = c.call<metadata_response>(req, 12);
    EXPECT_EQ(r.topics[0].error_code, 17);
    // All topics (null list), old version.
    req.topics = std::nullopt;
    r = c.call<metadata_response>(req, 1);
    ASSERT_EQ(r.topics.size(), 1u);
    EXPECT_EQ(r.topics[0].name, "auto1");
    // By topic id (v10+).
    auto id = tb.logs().describe("auto1")->id;
    req.topics = std::vector<metadata_request::metadata_request_topic>{{to_uuid(id), std::nullopt}};
    r = c.call<metadata_response>(req, 12);
    ASSERT_EQ(r.topics.size(), 1u);
    EXPECT_EQ(r.topics[0].name, "auto1");
}

TEST(server, auto_create_disabled_by_config) {
    broker_config cfg;
    cfg.auto_create_topics = false;
    test_broker tb(cfg);
    test_client c(tb.port());
    metadata_request req;
    req.topics = std::vector<metadata_request::metadata_request_topic>{{{}, "auto1"}};
    auto r = c.call<metadata_response>(req, 9);
    EXPECT_EQ(r.topics[0].error_code, 3);
    EXPECT_FALSE(tb.logs().describe("auto1"));
    produce_request p;
    p.acks = 1;
    p.timeout_ms = 1000;
    auto batch = make_batch(1);
    auto& td = p.topic_data.emplace_back();
    td.name = "auto1";
    auto& pd = td.partition_data.emplace_back();
    pd.index = 0;
    pd.records = std::span<const std::byte>(batch);
    auto pr = c.call<produce_response>(p, 9);
    EXPECT_EQ(pr.responses[0].partition_responses[0].error_code, 3);
    EXPECT_FALSE(tb.logs().describe("auto1"));
}

TEST(server, pipelined_requests_are_answered_in_order) {
    test_broker tb;
    test_client c(tb.port());
    std::vector<std::byte> out;
    for (int i = 0; i < 50; ++i) {
        if (i % 2)
            append_request_frame(out, 100 + i, std::string("p"), 3, api_versions_request{});
        else
            append_request_frame(out, 100 + i, std::string("p"), 12, metadata_request{});
    }
    c.send_raw(out);
    for (int i = 0; i < 50; ++i) {
        if (i % 2)
            c.receive<api_versions_response>(3, 100 + i);
        else
            c.receive<metadata_response>(12, 100 + i);
    }
}

TEST(server, many_clients) {
    test_broker tb;
    std::vector<std::unique_ptr<test_client>> clients;
    for (int i = 0; i < 20; ++i)
        clients.push_back(std::make_unique<test_client>(tb.port()));
    for (auto& c : clients)
        EXPECT_EQ(c->call<api_versions_response>(api_versions_request{}, 2).error_code, 0);
}

}  // namespace
}  // namespace server_test
}  // namespace spate::broker::test
