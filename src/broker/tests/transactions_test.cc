// Transaction APIs over TCP: InitProducerId with a transactional id (epoch
// bumps fence), AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit (pending
// until the commit marker), EndTxn, DescribeTransactions, ListTransactions
// and OffsetFetch's require_stable.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/add_offsets_to_txn_request.h"
#include "kafka/protocol/generated/add_offsets_to_txn_response.h"
#include "kafka/protocol/generated/add_partitions_to_txn_request.h"
#include "kafka/protocol/generated/add_partitions_to_txn_response.h"
#include "kafka/protocol/generated/describe_transactions_request.h"
#include "kafka/protocol/generated/describe_transactions_response.h"
#include "kafka/protocol/generated/end_txn_request.h"
#include "kafka/protocol/generated/end_txn_response.h"
#include "kafka/protocol/generated/init_producer_id_request.h"
#include "kafka/protocol/generated/init_producer_id_response.h"
#include "kafka/protocol/generated/list_transactions_request.h"
#include "kafka/protocol/generated/list_transactions_response.h"
#include "kafka/protocol/generated/offset_fetch_request.h"
#include "kafka/protocol/generated/offset_fetch_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"
#include "kafka/protocol/generated/txn_offset_commit_request.h"
#include "kafka/protocol/generated/txn_offset_commit_response.h"
#include "model/record_batch_builder.h"

namespace spate::broker::test {
namespace transactions_test {
namespace {

using namespace kafka::protocol;

init_producer_id_response init(test_client& c, const std::optional<std::string>& id,
                               int16_t version = 4) {
    init_producer_id_request r;
    r.transactional_id = id;
    r.transaction_timeout_ms = 60000;
    return c.call<init_producer_id_response>(r, version);
}

add_partitions_to_txn_response add_parts(test_client& c, int64_t pid, int16_t epoch,
                                         std::vector<std::pair<std::string, int32_t>> parts,
                                         int16_t version = 3) {
    add_partitions_to_txn_request r;
    r.v3_and_below_transactional_id = "tx";
    r.v3_and_below_producer_id = pid;
    r.v3_and_below_producer_epoch = epoch;
    for (auto& [t, p] : parts)
        r.v3_and_below_topics.push_back({t, {p}});
    return c.call<add_partitions_to_txn_response>(r, version);
}

int16_t txn_commit(test_client& c, int64_t pid, int16_t epoch, int64_t offset) {
    txn_offset_commit_request r;
    r.transactional_id = "tx";
    r.group_id = "g";
    r.producer_id = pid;
    r.producer_epoch = epoch;
    r.topics.push_back({"t", {{0, offset, -1, ""}}});
    auto resp = c.call<txn_offset_commit_response>(r, 3);
    EXPECT_EQ(resp.topics.size(), 1u);
    return resp.topics.empty() ? -2 : resp.topics[0].partitions.at(0).error_code;
}

// (offset, error) of group g's t-0.
std::pair<int64_t, int16_t> fetch_offset(test_client& c, bool require_stable) {
    offset_fetch_request r;
    r.group_id = "g";
    r.topics = std::vector<offset_fetch_request::offset_fetch_request_topic>{{"t", {0}}};
    r.require_stable = require_stable;
    auto resp = c.call<offset_fetch_response>(r, 7);
    const auto& p = resp.topics.at(0).partitions.at(0);
    return {p.committed_offset, p.error_code};
}

describe_transactions_response::transaction_state_data describe(test_client& c,
                                                                const std::string& id) {
    describe_transactions_request r;
    r.transactional_ids = {id};
    auto resp = c.call<describe_transactions_response>(r, 0);
    EXPECT_EQ(resp.transaction_states.size(), 1u);
    return resp.transaction_states.at(0);
}

TEST(transactions, init_bumps_the_epoch_and_the_old_epoch_is_fenced) {
    test_broker tb;
    ASSERT_TRUE(tb.logs().create_topic("t", 2, {}).ok());
    test_client c(tb.port());
    auto a = init(c, "tx");
    ASSERT_EQ(a.error_code, 0);
    EXPECT_GE(a.producer_id, 0);
    EXPECT_EQ(a.producer_epoch, 0);
    auto b = init(c, "tx");
    ASSERT_EQ(b.error_code, 0);
    EXPECT_EQ(b.producer_id, a.producer_id);
    EXPECT_EQ(b.producer_epoch, 1);
    auto fenced = add_parts(c, a.producer_id, 0, {{"t", 0}});
    EXPECT_EQ(
        fenced.results_by_topic_v3_and_below.at(0).results_by_partition.at(0).partition_error_code,
        code(error_code::producer_fenced));
    // Clients before AddPartitionsToTxn v2 get the older code.
    auto legacy = add_parts(c, a.producer_id, 0, {{"t", 0}}, 1);
    EXPECT_EQ(
        legacy.results_by_topic_v3_and_below.at(0).results_by_partition.at(0).partition_error_code,
        code(error_code::invalid_producer_epoch));
    // An empty transactional id is a bad request; null is an idempotent producer.
    EXPECT_EQ(init(c, std::string()).error_code, code(error_code::invalid_request));
    auto idem = init(c, std::nullopt);
    EXPECT_EQ(idem.error_code, 0);
    EXPECT_NE(idem.producer_id, a.producer_id);
}

// Error code of a transactional Produce of one record to t-0 by (pid, epoch).
int16_t txn_produce(test_client& c, int64_t pid, int16_t epoch, int32_t seq, int16_t version) {
    model::record_batch_builder b({.producer_id = model::producer_id(pid),
                                   .producer_epoch = model::producer_epoch(epoch),
                                   .base_sequence = seq,
                                   .transactional = true});
    std::vector<std::byte> v{std::byte{'x'}};
    b.add(1000, std::nullopt, std::span<const std::byte>(v));
    auto batch = b.finish();
    produce_request r;
    r.transactional_id = "tx";
    r.acks = -1;
    r.timeout_ms = 5000;
    produce_request::topic_produce_data t;
    t.name = "t";
    t.partition_data.push_back({0, std::span<const std::byte>(batch)});
    r.topic_data.push_back(std::move(t));
    auto out = c.call<produce_response>(r, version);
    EXPECT_EQ(out.responses.size(), 1u);
    if (out.responses.empty() || out.responses[0].partition_responses.empty()) return -2;
    return out.responses[0].partition_responses[0].error_code;
}

TEST(transactions, a_fenced_producer_gets_invalid_producer_epoch_on_produce_in_every_version) {
    test_broker tb;
    ASSERT_TRUE(tb.logs().create_topic("t", 1, {}).ok());
    test_client c(tb.port());
    auto a = init(c, "tx");
    auto added = add_parts(c, a.producer_id, a.producer_epoch, {{"t", 0}});
    ASSERT_EQ(
        added.results_by_topic_v3_and_below.at(0).results_by_partition.at(0).partition_error_code,
        0);
    ASSERT_EQ(txn_produce(c, a.producer_id, a.producer_epoch, 0, 9), 0);
    auto b = init(c, "tx");  // fences a, aborts its transaction
    ASSERT_GT(b.producer_epoch, a.producer_epoch);
    // Kafka 2.7+ answers INVALID_PRODUCER_EPOCH here (clients' "fenced"),
    // never PRODUCER_FENCED.
    for (int16_t v : {3, 7, 8, 9})
        EXPECT_EQ(txn_produce(c, a.producer_id, a.producer_epoch, 1, v),
                  code(error_code::invalid_producer_epoch))
            << "version " << v;
    EXPECT_EQ(tb.logs().get("t", 0)->log_end_offset().value(), 2);  // record + abort marker
}

TEST(transactions, unknown_partitions_fail_the_whole_add_request) {
    test_broker tb;
    ASSERT_TRUE(tb.logs().create_topic("t", 1, {}).ok());
    test_client c(tb.port());
    auto a = init(c, "tx");
    auto r = add_parts(c, a.producer_id, a.producer_epoch, {{"t", 0}, {"nope", 0}, {"t", 5}});
    ASSERT_EQ(r.results_by_topic_v3_and_below.size(), 3u);
    EXPECT_EQ(r.results_by_topic_v3_and_below[0].results_by_partition[0].partition_error_code,
              55);  // OPERATION_NOT_ATTEMPTED
    EXPECT_EQ(r.results_by_topic_v3_and_below[1].results_by_partition[0].partition_error_code,
              code(error_code::unknown_topic_or_partition));
    EXPECT_EQ(r.results_by_topic_v3_and_below[2].results_by_partition[0].partition_error_code,
              code(error_code::unknown_topic_or_partition));
    EXPECT_EQ(describe(c, "tx").transaction_state, "Empty");
}

TEST(transactions, txn_offsets_are_invisible_until_the_commit_marker) {
    test_broker tb;
    ASSERT_TRUE(tb.logs().create_topic("t", 1, {}).ok());
    test_client c(tb.port());
    auto a = init(c, "tx");
    int64_t pid = a.producer_id;
    int16_t epoch = a.producer_epoch;
    auto added = add_parts(c, pid, epoch, {{"t", 0}});
    ASSERT_EQ(
        added.results_by_topic_v3_and_below.at(0).results_by_partition.at(0).partition_error_code,
        0);
    // TxnOffsetCommit before AddOffsetsToTxn is refused.
    EXPECT_EQ(txn_commit(c, pid, epoch, 7), code(error_code::invalid_txn_state));
    add_offsets_to_txn_request ao;
    ao.transactional_id = "tx";
    ao.producer_id = pid;
    ao.producer_epoch = epoch;
    ao.group_id = "g";
    ASSERT_EQ(c.call<add_offsets_to_txn_response>(ao, 3).error_code, 0);
    EXPECT_EQ(txn_commit(c, pid, epoch, 7), 0);
    // Another epoch is fenced: INVALID_PRODUCER_EPOCH in every version, as in Kafka.
    EXPECT_EQ(txn_commit(c, pid, int16_t(epoch + 5), 8), code(error_code::invalid_producer_epoch));
    // Pending: no committed offset yet; read_committed clients are told to retry.
    EXPECT_EQ(fetch_offset(c, false), (std::pair<int64_t, int16_t>{-1, 0}));
    EXPECT_EQ(fetch_offset(c, true).second, code(error_code::unstable_offset_commit));

    auto d = describe(c, "tx");
    EXPECT_EQ(d.error_code, 0);
    EXPECT_EQ(d.transaction_state, "Ongoing");
    EXPECT_EQ(d.producer_id, pid);
    ASSERT_EQ(d.topics.size(), 2u);
    EXPECT_EQ(d.topics[0].topic, "__consumer_offsets");
    EXPECT_EQ(d.topics[1].topic, "t");
    EXPECT_EQ(describe(c, "other").error_code, code(error_code::transactional_id_not_found));

    list_transactions_request lr;
    lr.state_filters = {"Ongoing", "Bogus"};
    auto l = c.call<list_transactions_response>(lr, 0);
    ASSERT_EQ(l.transaction_states.size(), 1u);
    EXPECT_EQ(l.transaction_states[0].transactional_id, "tx");
    EXPECT_EQ(l.unknown_state_filters, std::vector<std::string>{"Bogus"});
    lr.state_filters = {"CompleteAbort"};
    EXPECT_TRUE(c.call<list_transactions_response>(lr, 0).transaction_states.empty());

    end_txn_request e;
    e.transactional_id = "tx";
    e.producer_id = pid;
    e.producer_epoch = epoch;
    e.committed = true;
    ASSERT_EQ(c.call<end_txn_response>(e, 3).error_code, 0);
    // Markers are written after the answer: wait for the commit to complete.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (describe(c, "tx").transaction_state != "CompleteCommit" &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(describe(c, "tx").transaction_state, "CompleteCommit");
    EXPECT_EQ(fetch_offset(c, true), (std::pair<int64_t, int16_t>{7, 0}));
    // Both partitions got a COMMIT marker, so no transaction holds them open.
    auto t0 = tb.logs().get("t", 0);
    ASSERT_TRUE(t0);
    EXPECT_EQ(t0->last_stable_offset(), t0->log_end_offset());
    EXPECT_EQ(t0->log_end_offset().value(), 1);  // the marker alone
    // A retried EndTxn with the same outcome succeeds; the opposite does not.
    EXPECT_EQ(c.call<end_txn_response>(e, 3).error_code, 0);
    e.committed = false;
    EXPECT_EQ(c.call<end_txn_response>(e, 3).error_code, code(error_code::invalid_txn_state));
}

}  // namespace
}  // namespace transactions_test
}  // namespace spate::broker::test
