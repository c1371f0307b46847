// The Kafka consumer a continuous query reads through (kafka/client), against
// a real broker: how fast a consumer that falls behind its fetcher is fed.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "kafka/client/testing/broker_process.h"
#include "sql/stream/tests/stream_test_util.h"

namespace spate::sql {
namespace consumer_fetch_test {
namespace {

using namespace test_support;

// librdkafka 2.0 stops fetching a partition once queued.min.messages of it
// wait for poll and resumes only when its broker thread next wakes (up to a
// second later); poll_batch wakes it when it finds the queue drained. Here
// every fetch (1 MB) fills the queue: 12 MB of records stall a dozen times,
// about a second each without the wake-up.
TEST(consumer_fetch_test, a_consumer_behind_its_fetcher_is_not_fed_one_queue_per_second) {
    kafka::client::testing::broker_process broker{SPATE_BINARY};
    ASSERT_TRUE(broker.start()) << broker.error();
    create_topic(broker.client(), "many", 1);
    constexpr int k_records = 100000;
    {
        kc::producer_options po;
        po.client = broker.client();
        auto p = kc::producer::create(po);
        ASSERT_TRUE(p.ok()) << p.err().message;
        std::string value(120, 'v');
        for (int i = 0; i < k_records; ++i) {
            kc::outgoing_record r;
            r.topic = "many";
            r.partition = 0;
            r.value = value;
            ASSERT_TRUE(p->produce(r).ok());
        }
        ASSERT_TRUE(p->flush(30000).ok());
        ASSERT_EQ(p->failed(), 0) << p->first_failure();
    }

    kc::consumer_options o;
    o.client = broker.client();
    o.group_id = "slow-reader";
    o.reset = kc::offset_reset::earliest;
    o.client.properties.emplace_back("queued.min.messages", "1");
    auto c = kc::consumer::create(o);
    ASSERT_TRUE(c.ok()) << c.err().message;
    ASSERT_TRUE(c->assign({{"many", 0, kc::k_offset_beginning, {}}}).ok());

    auto started = std::chrono::steady_clock::now();
    auto deadline = started + std::chrono::seconds(5);
    int64_t next = 0;
    while (next < k_records && std::chrono::steady_clock::now() < deadline) {
        auto batch = c->poll_batch(1000, 100);
        ASSERT_TRUE(batch.ok()) << batch.err().message;
        for (const auto& m : *batch) {
            ASSERT_EQ(m.offset(), next);  // in order, none lost or repeated
            ++next;
        }
    }
    EXPECT_EQ(next, k_records) << "read " << next << " records in 5 s";
    std::printf("[ figure ] %d records through a 1-record queue in %lld ms\n", k_records,
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count()));
}

}  // namespace
}  // namespace consumer_fetch_test
}  // namespace spate::sql
