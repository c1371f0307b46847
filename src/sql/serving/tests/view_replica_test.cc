#include "sql/serving/view_replica.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "kafka/client/admin.h"
#include "kafka/client/producer.h"
#include "kafka/client/testing/broker_process.h"
#include "sql/serving/key_codec.h"
#include "sql/serving/replica_set.h"
#include "sql/stream/key_partitioner.h"

namespace spate::sql {
namespace view_replica_test {
namespace {

namespace kc = kafka::client;
using namespace std::chrono_literals;

constexpr const char* k_topic = "__spate_view_counts";

class view_replica_test : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(_broker.start()) << _broker.error();
        auto admin = kc::admin::connect(_broker.client());
        ASSERT_TRUE(admin.ok());
        ASSERT_TRUE(admin->create_topic({k_topic, 3, 1, {{"cleanup.policy", "compact"}}}).ok());
    }

    // Upserts (value set) or deletes (value empty) of auction keys, each key
    // in its murmur2 partition, as the view's query writes them.
    void produce(const std::vector<std::pair<int64_t, std::optional<int64_t>>>& changes) {
        kc::producer_options o;
        o.client = _broker.client();
        o.idempotent = true;
        auto p = kc::producer::create(o);
        ASSERT_TRUE(p.ok());
        for (const auto& [auction, bids] : changes) {
            std::string key = "{\"auction\":" + std::to_string(auction) + "}";
            std::string value;
            kc::outgoing_record r;
            r.topic = k_topic;
            r.key = key;
            r.partition = kafka_key_partition(key, 3);
            if (bids) {
                value = "{\"auction\":" + std::to_string(auction) +
                        ",\"bids\":" + std::to_string(*bids) + "}";
                r.value = value;
            }
            ASSERT_TRUE(p->produce(r).ok());
        }
        ASSERT_TRUE(p->flush(10000).ok());
        ASSERT_EQ(p->failed(), 0) << p->first_failure();
    }

    relation_def counts() const {
        relation_def r;
        r.kind = catalog_kind::view;
        r.name = "counts";
        r.topic = k_topic;
        r.columns = {{"auction", data_type::of(type_id::int64)},
                     {"bids", data_type::of(type_id::int64)}};
        r.upsert_key = {0};
        return r;
    }

    replica_options options() const {
        replica_options o;
        o.kafka = _broker.client();
        o.view = "counts";
        o.topic = k_topic;
        o.key_columns = {{"auction", data_type::of(type_id::int64)}};
        return o;
    }

    static std::vector<std::string> values(view_replica& r, const std::vector<key_range>& ranges) {
        std::vector<std::string> out;
        for (const auto& row : r.store().rows_in(ranges))
            out.push_back(row->value);
        return out;
    }

    static std::string k(int64_t v) {
        std::string out;
        encode_key_value(value::int64(v), out);
        return out;
    }

    kc::testing::broker_process _broker{SPATE_BINARY};
};

TEST_F(view_replica_test, sync_returns_once_everything_in_the_topic_is_applied) {
    produce({{3, 30}, {1, 10}, {2, 20}, {1, 11}, {2, std::nullopt}});
    auto r = view_replica::start(options());
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto s = r.value()->sync(20s, nullptr);
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(
        values(*r.value(), {{"", ""}}),
        (std::vector<std::string>{"{\"auction\":1,\"bids\":11}", "{\"auction\":3,\"bids\":30}"}));
    produce({{4, 40}, {3, std::nullopt}, {5, 50}});
    ASSERT_TRUE(r.value()->sync(20s, nullptr).ok());
    EXPECT_EQ(
        values(*r.value(), {{k(3), ""}}),
        (std::vector<std::string>{"{\"auction\":4,\"bids\":40}", "{\"auction\":5,\"bids\":50}"}));
}

TEST_F(view_replica_test, an_empty_topic_syncs_at_once) {
    auto r = view_replica::start(options());
    ASSERT_TRUE(r.ok());
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(r.value()->sync(20s, nullptr).ok());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(r.value()->store().size(), 0u);
}

TEST_F(view_replica_test, a_missing_topic_is_an_error_at_start) {
    auto o = options();
    o.topic = "no_such_topic";
    auto r = view_replica::start(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, sql_errc::io_error);
}

TEST_F(view_replica_test, a_subscriber_sees_changes_produced_after_its_snapshot) {
    produce({{1, 10}});
    replica_set set(_broker.client());
    auto r = set.get(counts());
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r.value()->sync(20s, nullptr).ok());
    std::vector<replica_row_ptr> snapshot;
    auto sub = r.value()->store().subscribe(snapshot);
    ASSERT_EQ(snapshot.size(), 1u);
    produce({{1, 12}, {2, 20}});
    std::vector<change_row> got;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (got.size() < 3 && std::chrono::steady_clock::now() < deadline)
        ASSERT_TRUE(sub->take(got, 10, 200ms, nullptr).ok());
    ASSERT_EQ(got.size(), 3u);
    std::vector<std::pair<int, std::string>> seen;
    for (const auto& c : got)
        seen.emplace_back(c.diff, c.row->value);
    // Keys 1 and 2 may sit in different partitions: each key's changes in order.
    auto pos = [&](int d, const std::string& v) {
        return std::find(seen.begin(), seen.end(), std::make_pair(d, v)) - seen.begin();
    };
    EXPECT_LT(pos(-1, "{\"auction\":1,\"bids\":10}"), pos(1, "{\"auction\":1,\"bids\":12}"));
    EXPECT_LT(pos(1, "{\"auction\":2,\"bids\":20}"), 3);

    // The same view's replica is shared; dropping it ends the subscription.
    auto again = set.get(counts());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value().get(), r.value().get());
    set.drop("counts");
    auto after = sub->take(got, 10, 5s, nullptr);
    ASSERT_FALSE(after.ok());
    EXPECT_NE(after.error().message.find("dropped"), std::string::npos);
}

TEST_F(view_replica_test, sync_stops_when_cancelled) {
    auto r = view_replica::start(options());
    ASSERT_TRUE(r.ok());
    r.value()->stop();
    std::atomic<bool> cancel{true};
    produce({{1, 1}});
    auto s = r.value()->sync(20s, &cancel);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, sql_errc::query_canceled);
}

}  // namespace
}  // namespace view_replica_test
}  // namespace spate::sql
