// Produce, Fetch (incl. long poll and sessions), ListOffsets, DeleteRecords.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "broker/tests/test_client.h"
#include "bytes/crc32c.h"
#include "bytes/endian.h"
#include "kafka/protocol/generated/delete_records_request.h"
#include "kafka/protocol/generated/delete_records_response.h"
#include "kafka/protocol/generated/fetch_request.h"
#include "kafka/protocol/generated/fetch_response.h"
#include "kafka/protocol/generated/list_offsets_request.h"
#include "kafka/protocol/generated/list_offsets_response.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"
#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "model/records.h"

namespace spate::broker::test {
namespace produce_fetch_test {
namespace {

using namespace kafka::protocol;
using clk = std::chrono::steady_clock;

produce_request make_produce(const std::string& topic, int32_t partition,
                             const std::vector<std::byte>& batch, int16_t acks) {
    produce_request r;
    r.acks = acks;
    r.timeout_ms = 5000;
    produce_request::topic_produce_data t;
    t.name = topic;
    t.partition_data.push_back({partition, std::span<const std::byte>(batch)});
    r.topic_data.push_back(std::move(t));
    return r;
}

produce_response::partition_produce_response produce(test_client& c, const std::string& topic,
                                                     const std::vector<std::byte>& batch,
                                                     int16_t acks = 1, int16_t version = 9) {
    auto r = c.call<produce_response>(make_produce(topic, 0, batch, acks), version);
    EXPECT_EQ(r.responses.size(), 1u);
    if (r.responses.empty() || r.responses[0].partition_responses.empty()) return {};
    return r.responses[0].partition_responses[0];
}

fetch_request make_fetch(const std::string& topic, int64_t offset, int32_t max_wait = 0,
                         int32_t min_bytes = 0) {
    fetch_request f;
    f.max_wait_ms = max_wait;
    f.min_bytes = min_bytes;
    f.max_bytes = 1 << 20;
    fetch_request::fetch_topic t;
    t.topic = topic;
    fetch_request::fetch_partition p;
    p.partition = 0;
    p.fetch_offset = offset;
    p.partition_max_bytes = 1 << 20;
    t.partitions.push_back(p);
    f.topics.push_back(t);
    return f;
}

// Values of every record in a fetched records section.
std::vector<std::string> values_of(const records_view& recs) {
    std::vector<std::string> out;
    if (!recs) return out;
    std::span<const std::byte> rest = *recs;
    while (!rest.empty()) {
        auto v = model::record_batch_view::parse(rest);
        EXPECT_TRUE(v.ok());
        if (!v.ok()) break;
        auto rr = model::record_reader::create(*v);
        EXPECT_TRUE(rr.ok());
        (void)rr->for_each([&](const model::record_view& r) {
            out.emplace_back(reinterpret_cast<const char*>(r.value->data()), r.value->size());
        });
        rest = rest.subspan(v->size_bytes());
    }
    return out;
}

class produce_fetch : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(tb.logs().create_topic("t", 1, {}).ok()); }
    test_broker tb;
};

TEST_F(produce_fetch, produce_acks1_and_all_then_fetch) {
    test_client c(tb.port());
    auto p1 = produce(c, "t", make_batch(3), 1);
    EXPECT_EQ(p1.error_code, 0);
    EXPECT_EQ(p1.base_offset, 0);
    EXPECT_EQ(p1.log_start_offset, 0);
    EXPECT_EQ(p1.log_append_time_ms, -1);
    auto p2 = produce(c, "t", make_batch(2, 5000, "w"), -1);
    EXPECT_EQ(p2.error_code, 0);
    EXPECT_EQ(p2.base_offset, 3);
    EXPECT_GE(tb.logs().get("t", 0)->durable_offset().value(), 5);
    // Older body version still served.
    auto p3 = produce(c, "t", make_batch(1, 6000, "z"), 1, 3);
    EXPECT_EQ(p3.base_offset, 5);

    for (int16_t v : {4, 11, 12, 13}) {
        auto f = make_fetch("t", 0);
        if (v >= 13) f.topics[0].topic_id = to_uuid(tb.logs().describe("t")->id);
        auto r = c.call<fetch_response>(f, v);
        ASSERT_EQ(r.responses.size(), 1u) << v;
        ASSERT_EQ(r.responses[0].partitions.size(), 1u);
        const auto& pd = r.responses[0].partitions[0];
        EXPECT_EQ(pd.error_code, 0);
        EXPECT_EQ(pd.high_watermark, 6);
        EXPECT_EQ(pd.last_stable_offset, 6);
        EXPECT_EQ(values_of(pd.records),
                  (std::vector<std::string>{"v0", "v1", "v2", "w0", "w1", "z0"}));
    }
    // Fetch from the middle returns whole batches starting at the one holding it.
    auto r = c.call<fetch_response>(make_fetch("t", 4), 12);
    EXPECT_EQ(values_of(r.responses[0].partitions[0].records),
              (std::vector<std::string>{"w0", "w1", "z0"}));
    // Out of range.
    r = c.call<fetch_response>(make_fetch("t", 7), 12);
    EXPECT_EQ(r.responses[0].partitions[0].error_code, 1);
    // Unknown topic.
    r = c.call<fetch_response>(make_fetch("missing", 0), 12);
    EXPECT_EQ(r.responses[0].partitions[0].error_code, 3);
}

TEST_F(produce_fetch, produce_errors) {
    test_client c(tb.port());
    // Unknown topics are auto-created by Produce too (auto.create.topics.enable).
    EXPECT_EQ(produce(c, "made-by-produce", make_batch(1)).error_code, 0);
    ASSERT_TRUE(tb.logs().describe("made-by-produce"));
    EXPECT_EQ(tb.logs().get("made-by-produce", 0)->log_end_offset().value(), 1);
    EXPECT_EQ(produce(c, "bad/name", make_batch(1)).error_code, 3);
    auto bad_partition = c.call<produce_response>(make_produce("t", 5, make_batch(1), 1), 9);
    EXPECT_EQ(bad_partition.responses[0].partition_responses[0].error_code, 3);
    EXPECT_EQ(produce(c, "t", make_batch(1), 2).error_code, 21);
    auto corrupt = make_batch(2);
    corrupt.back() ^= std::byte{0xff};  // breaks the CRC
    EXPECT_EQ(produce(c, "t", corrupt).error_code, 2);
    ASSERT_TRUE(tb.logs().set_topic_config("t", {{"max.message.bytes", "100"}}).ok());
    EXPECT_EQ(produce(c, "t", make_batch(20)).error_code, 10);
    EXPECT_EQ(tb.logs().get("t", 0)->log_end_offset().value(), 0);
}

// The batch CRC only proves the bytes arrived as sent: a malformed record
// inside a batch with a valid CRC is still refused, and nothing is appended.
TEST_F(produce_fetch, malformed_record_inside_a_valid_crc_batch_is_refused) {
    test_client c(tb.port());
    auto fix_crc = [](std::vector<std::byte>& b) {
        namespace layout = model::batch_layout;
        bytes::store_be<uint32_t>(
            b.data() + layout::crc,
            bytes::crc32c(std::span<const std::byte>(b).subspan(layout::attributes)));
    };
    // Record 1's length varint (zigzag 2*len) claims one byte more than it has.
    auto longer = make_batch(3);
    auto view = model::record_batch_view::parse(longer);
    ASSERT_TRUE(view.ok());
    size_t first_len = static_cast<size_t>(longer[model::batch_layout::header_size]) >> 1;
    size_t second = model::batch_layout::header_size + 1 + first_len;
    longer[second] = static_cast<std::byte>(static_cast<uint8_t>(longer[second]) + 2);
    fix_crc(longer);
    ASSERT_TRUE(model::record_batch_view::parse(longer).ok()) << "the CRC is valid";
    EXPECT_EQ(produce(c, "t", longer).error_code, 2);
    // An offset delta past the batch's last offset delta.
    auto delta = make_batch(2);
    size_t delta_at = model::batch_layout::header_size + 1 + 1 + 1;  // length, attrs, ts delta 0
    ASSERT_EQ(delta[delta_at], std::byte{0});                        // offset delta 0
    delta[delta_at] = std::byte{8};                                  // zigzag 4
    fix_crc(delta);
    ASSERT_TRUE(model::record_batch_view::parse(delta).ok());
    EXPECT_EQ(produce(c, "t", delta).error_code, 2);
    EXPECT_EQ(tb.logs().get("t", 0)->log_end_offset().value(), 0);
    EXPECT_EQ(produce(c, "t", make_batch(3)).error_code, 0);
}

TEST_F(produce_fetch, acks0_gets_no_response) {
    test_client c(tb.port());
    auto batch = make_batch(1);
    auto req = make_produce("t", 0, batch, 0);
    c.send(req, 9);
    // The next response is the fetch one.
    auto id = c.send(make_fetch("t", 0), 12);
    auto r = c.receive<fetch_response>(12, id);
    EXPECT_EQ(values_of(r.responses[0].partitions[0].records), std::vector<std::string>{"v0"});
}

TEST_F(produce_fetch, long_poll_woken_by_produce) {
    test_client consumer(tb.port());
    test_client producer(tb.port());
    auto start = clk::now();
    auto id = consumer.send(make_fetch("t", 0, 10000, 1), 12);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(produce(producer, "t", make_batch(1)).error_code, 0);
    auto r = consumer.receive<fetch_response>(12, id);
    auto took = clk::now() - start;
    EXPECT_LT(took, std::chrono::seconds(5));
    EXPECT_EQ(values_of(r.responses[0].partitions[0].records), std::vector<std::string>{"v0"});
}

TEST_F(produce_fetch, long_poll_times_out) {
    test_client c(tb.port());
    auto start = clk::now();
    auto r = c.call<fetch_response>(make_fetch("t", 0, 300, 1), 12);
    auto took = clk::now() - start;
    EXPECT_GE(took, std::chrono::milliseconds(290));
    EXPECT_LT(took, std::chrono::seconds(5));
    EXPECT_EQ(r.responses[0].partitions[0].error_code, 0);
    EXPECT_TRUE(values_of(r.responses[0].partitions[0].records).empty());
}

TEST_F(produce_fetch, long_poll_does_not_block_later_requests_of_other_clients) {
    test_client waiting(tb.port());
    auto id = waiting.send(make_fetch("t", 0, 2000, 1), 12);
    test_client other(tb.port());
    auto start = clk::now();
    EXPECT_EQ(produce(other, "t", make_batch(1)).error_code, 0);
    EXPECT_LT(clk::now() - start, std::chrono::milliseconds(1500));
    waiting.receive<fetch_response>(12, id);
}

TEST_F(produce_fetch, fetch_sessions) {
    test_client c(tb.port());
    ASSERT_TRUE(tb.logs().create_topic("u", 1, {}).ok());
    produce(c, "t", make_batch(2));
    auto f = make_fetch("t", 0);
    auto extra = f.topics[0];
    extra.topic = "u";
    f.topics.push_back(extra);
    f.session_id = 0;
    f.session_epoch = 0;  // new session
    auto r = c.call<fetch_response>(f, 12);
    ASSERT_NE(r.session_id, 0);
    EXPECT_EQ(r.responses.size(), 2u);
    const int32_t sid = r.session_id;

    // Incremental, nothing changed: t moved to offset 2 in the request; no news.
    fetch_request inc = make_fetch("t", 2);
    inc.session_id = sid;
    inc.session_epoch = 1;
    r = c.call<fetch_response>(inc, 12);
    EXPECT_EQ(r.error_code, 0);
    EXPECT_EQ(r.session_id, sid);
    EXPECT_TRUE(r.responses.empty());

    // New data on u only: only u is returned.
    produce(c, "u", make_batch(1));
    fetch_request inc2;
    inc2.session_id = sid;
    inc2.session_epoch = 2;
    r = c.call<fetch_response>(inc2, 12);
    ASSERT_EQ(r.responses.size(), 1u);
    EXPECT_EQ(r.responses[0].topic, "u");

    // Wrong epoch, unknown session.
    inc2.session_epoch = 7;
    r = c.call<fetch_response>(inc2, 12);
    EXPECT_EQ(r.error_code, 71);
    inc2.session_id = sid + 1;
    inc2.session_epoch = 1;
    r = c.call<fetch_response>(inc2, 12);
    EXPECT_EQ(r.error_code, 70);
    // Close it.
    fetch_request fin = make_fetch("t", 0);
    fin.session_id = sid;
    fin.session_epoch = -1;
    r = c.call<fetch_response>(fin, 12);
    EXPECT_EQ(r.session_id, 0);
    EXPECT_EQ(tb.deps().fetch_sessions.size(), 0u);
}

TEST_F(produce_fetch, response_max_bytes_returns_at_least_one_batch) {
    test_client c(tb.port());
    produce(c, "t", make_batch(100));
    produce(c, "t", make_batch(100));
    auto f = make_fetch("t", 0);
    f.max_bytes = 10;
    f.topics[0].partitions[0].partition_max_bytes = 10;
    auto r = c.call<fetch_response>(f, 12);
    EXPECT_EQ(values_of(r.responses[0].partitions[0].records).size(), 100u);
}

list_offsets_response list_offsets(test_client& c, int64_t ts, int16_t v = 7,
                                   int8_t isolation = 0) {
    list_offsets_request req;
    req.replica_id = -1;
    req.isolation_level = isolation;
    list_offsets_request::list_offsets_topic t;
    t.name = "t";
    t.partitions.push_back({0, -1, ts, 1});
    req.topics.push_back(t);
    return c.call<list_offsets_response>(req, v);
}

TEST_F(produce_fetch, list_offsets) {
    test_client c(tb.port());
    produce(c, "t", make_batch(3, 1000));
    produce(c, "t", make_batch(3, 2000));
    auto latest = list_offsets(c, -1).topics[0].partitions[0];
    EXPECT_EQ(latest.offset, 6);
    EXPECT_EQ(list_offsets(c, -2).topics[0].partitions[0].offset, 0);
    auto by_ts = list_offsets(c, 2001).topics[0].partitions[0];
    EXPECT_EQ(by_ts.offset, 4);
    EXPECT_EQ(by_ts.timestamp, 2001);
    auto none = list_offsets(c, 99999).topics[0].partitions[0];
    EXPECT_EQ(none.offset, -1);
    EXPECT_EQ(none.timestamp, -1);
    auto max_ts = list_offsets(c, -3).topics[0].partitions[0];
    EXPECT_EQ(max_ts.offset, 5);
    EXPECT_EQ(max_ts.timestamp, 2002);
    auto v0 = list_offsets(c, -1, 0).topics[0].partitions[0];
    EXPECT_EQ(v0.old_style_offsets, std::vector<int64_t>{6});
}

TEST_F(produce_fetch, read_committed_stops_at_the_open_transaction_and_lists_aborted_ones) {
    test_client c(tb.port());
    model::record_batch_options o;
    o.producer_id = model::producer_id(7);
    o.producer_epoch = model::producer_epoch(0);
    o.base_sequence = 0;
    o.transactional = true;
    model::record_batch_builder txn(o);
    for (std::string v : {"t0", "t1"})
        txn.add(1000, std::nullopt, std::as_bytes(std::span(v)));
    auto batch = txn.finish();
    // Over the wire, a transactional batch outside an open transaction of
    // its transactional id is refused (nothing would ever close it).
    auto copy = batch;
    EXPECT_EQ(produce(c, "t", copy).error_code, code(error_code::invalid_txn_state));
    EXPECT_EQ(tb.logs().get("t", 0)->log_end_offset().value(), 0);
    // Written straight into the log, as a transaction's first records.
    ASSERT_TRUE(tb.logs().get("t", 0)->append(batch).ok());   // offsets 0-1, open
    EXPECT_EQ(produce(c, "t", make_batch(2)).error_code, 0);  // offsets 2-3
    auto committed = [&] {
        auto f = make_fetch("t", 0);
        f.isolation_level = 1;
        return c.call<fetch_response>(f, 12).responses.at(0).partitions.at(0);
    };
    auto open = committed();
    EXPECT_EQ(open.error_code, 0);
    EXPECT_EQ(open.high_watermark, 4);
    EXPECT_EQ(open.last_stable_offset, 0);
    EXPECT_TRUE(values_of(open.records).empty());
    EXPECT_EQ(list_offsets(c, -1, 7, 1).topics[0].partitions[0].offset, 0);
    EXPECT_EQ(list_offsets(c, -1, 7, 0).topics[0].partitions[0].offset, 4);
    // read_uncommitted sees everything.
    auto all = c.call<fetch_response>(make_fetch("t", 0), 12).responses[0].partitions[0];
    EXPECT_EQ(all.last_stable_offset, 0);
    EXPECT_EQ(values_of(all.records), (std::vector<std::string>{"t0", "t1", "v0", "v1"}));

    ASSERT_TRUE(tb.logs()
                    .get("t", 0)
                    ->append_marker(model::producer_id(7), model::producer_epoch(0), false, 0)
                    .ok());
    auto done = committed();
    EXPECT_EQ(done.high_watermark, 5);
    EXPECT_EQ(done.last_stable_offset, 5);
    ASSERT_TRUE(done.aborted_transactions);
    ASSERT_EQ(done.aborted_transactions->size(), 1u);
    EXPECT_EQ((*done.aborted_transactions)[0].producer_id, 7);
    EXPECT_EQ((*done.aborted_transactions)[0].first_offset, 0);
    // The records and then the ABORT marker's control record (clients skip
    // it and drop producer 7's records from offset 0 as aborted).
    auto values = values_of(done.records);
    ASSERT_EQ(values.size(), 5u);
    values.pop_back();
    EXPECT_EQ(values, (std::vector<std::string>{"t0", "t1", "v0", "v1"}));
    EXPECT_EQ(list_offsets(c, -1, 7, 1).topics[0].partitions[0].offset, 5);
}

TEST_F(produce_fetch, delete_records) {
    test_client c(tb.port());
    produce(c, "t", make_batch(3));
    produce(c, "t", make_batch(3));
    delete_records_request req;
    delete_records_request::delete_records_topic t;
    t.name = "t";
    t.partitions.push_back({0, 3});
    req.topics.push_back(t);
    auto r = c.call<delete_records_response>(req, 2);
    EXPECT_EQ(r.topics[0].partitions[0].error_code, 0);
    EXPECT_EQ(r.topics[0].partitions[0].low_watermark, 3);
    EXPECT_EQ(list_offsets(c, -2).topics[0].partitions[0].offset, 3);
    auto f = c.call<fetch_response>(make_fetch("t", 0), 12);
    EXPECT_EQ(f.responses[0].partitions[0].error_code, 1);
    EXPECT_EQ(f.responses[0].partitions[0].log_start_offset, 3);

    req.topics[0].partitions[0].offset = 100;
    r = c.call<delete_records_response>(req, 1);
    EXPECT_EQ(r.topics[0].partitions[0].error_code, 1);
    req.topics[0].partitions[0].offset = -1;
    r = c.call<delete_records_response>(req, 0);
    EXPECT_EQ(r.topics[0].partitions[0].low_watermark, 6);
}

}  // namespace
}  // namespace produce_fetch_test
}  // namespace spate::broker::test
