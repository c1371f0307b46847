// Stateful continuous queries end to end against a real broker: repartition,
// aggregate state, exactly-once restarts, restore, event time.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include "kafka/client/admin.h"
#include "kafka/client/testing/broker_process.h"
#include "sql/plan/stream_planner.h"
#include "sql/stream/continuous_query.h"
#include "sql/stream/tests/plan_builders.h"
#include "sql/stream/tests/stream_test_util.h"

namespace spate::sql {
namespace stateful_query_test {
namespace {

using namespace test_support;
using json = nlohmann::json;

constexpr int64_t k_second = 1'000'000;

bool wait_for(const std::function<bool()>& cond, int timeout_ms = 20000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling with a deadline
    }
    return true;
}

// A bid at `seconds` (< 1 hour) after the epoch.
std::string bid_json(int64_t auction, int64_t price, int64_t seconds) {
    auto two = [](int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
    std::string ts = "1970-01-01 00:" + two(seconds / 60 % 60) + ":" + two(seconds % 60);
    return json{{"auction", auction}, {"price", price}, {"date_time", ts}}.dump();
}

// SELECT auction, count(*) AS n, sum(price) AS total FROM bid GROUP BY auction
plan_ptr count_by_auction() {
    auto s = scan(bid_relation(), {0, 2});
    return aggregate(s, {col(0, t_int())}, {count_star(), sum_of(col(1, t_int()))},
                     {"auction", "n", "total"});
}

// SELECT auction, window_end, count(*) AS n FROM TUMBLE(bid, date_time, 10 s)
// GROUP BY auction, window_end
plan_ptr windowed_count() {
    auto s = scan(bid_relation(), {0, 4});
    auto w = window(s, window_kind::tumble, 1, 10 * k_second);
    return aggregate(w, {col(0, t_int()), col(3, t_ts())}, {count_star()},
                     {"auction", "window_end", "n"}, 1);
}

class stateful_query_test : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(_broker.start()) << _broker.error();
        create_topic(_broker.client(), "bid", 3);
        _state_dir = std::filesystem::temp_directory_path() /
                     ("spate-sql-state-test-" + std::to_string(::getpid()));
        std::filesystem::remove_all(_state_dir);
    }
    void TearDown() override { std::filesystem::remove_all(_state_dir); }

    query_spec spec(const plan_ptr& plan, bool eowc = false, int64_t idle_ms = 0,
                    const std::string& member = "a") {
        auto p = plan_stream(plan, {.emit_on_window_close = eowc});
        EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
        stream_plan sp = std::move(p).value();
        query_spec s;
        s.name = "q";
        s.group_id = "q-group";
        s.transactional_id = "q-txn-" + member;
        s.group_instance_id = "q-member-" + member;
        s.inputs = std::move(sp.inputs);
        s.inputs[0].event_time.idle_timeout_ms = idle_ms;
        s.output_topic = "out";
        s.output_columns = sp.output_columns;
        s.aggregate = sp.aggregate;
        s.query_id = "t1";
        s.state_dir = (_state_dir / member).string();
        s.late_topic = "q__late";
        s.commit_interval_ms = 50;
        s.client = _broker.client();
        s.client.properties.emplace_back("heartbeat.interval.ms", "100");
        if (!sp.append_only) {
            s.output_type = sink_type::upsert;
            s.key_columns = sp.unique_key;
        }
        return s;
    }

    std::unique_ptr<continuous_query> start(query_spec s) {
        auto q = continuous_query::start(std::move(s));
        EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
        return q.ok() ? std::move(q).value() : nullptr;
    }

    void produce_bids(int64_t first, int64_t count, int64_t auctions, int64_t seconds = 0) {
        std::vector<input_record> records;
        for (int64_t i = first; i < first + count; ++i)
            records.push_back({static_cast<int32_t>(i % 3),
                               std::nullopt,
                               bid_json(i % auctions, i, seconds),
                               {}});
        produce_all(_broker.client(), "bid", records);
    }

    // The upsert output folded into its final table: key -> value (JSON).
    std::map<std::string, json> table(size_t at_least = 1) {
        std::map<std::string, json> out;
        for (const auto& r : read_committed(_broker.client(), "out", at_least, 3000)) {
            std::string k = r.key.value_or("");
            if (r.value)
                out[k] = json::parse(*r.value);
            else
                out.erase(k);
        }
        return out;
    }

    // Waits until the folded output has `groups` groups whose counts sum to
    // `rows`; returns the table.
    std::map<std::string, json> settled(size_t groups, int64_t rows) {
        std::map<std::string, json> t;
        wait_for(
            [&] {
                t = table();
                int64_t sum = 0;
                for (const auto& [k, v] : t)
                    sum += v["n"].get<int64_t>();
                return t.size() == groups && sum == rows;
            },
            30000);
        return t;
    }

    kafka::client::testing::broker_process _broker{SPATE_BINARY};
    std::filesystem::path _state_dir;
};

TEST_F(stateful_query_test, a_grouped_count_over_three_partitions_is_exact) {
    produce_bids(0, 300, 10);
    auto q = start(spec(count_by_auction()));
    ASSERT_NE(q, nullptr);
    auto t = settled(10, 300);
    ASSERT_EQ(t.size(), 10u);
    for (const auto& [k, v] : t) {
        int64_t a = v["auction"].get<int64_t>();
        EXPECT_EQ(k, (json{{"auction", a}}.dump()));
        EXPECT_EQ(v["n"], 30) << k;
        // price i for i % 10 == a: 30 values a, a + 10, ..., a + 290.
        EXPECT_EQ(v["total"], 30 * a + 10 * (29 * 30 / 2)) << k;
    }
    // The figures are published after each commit.
    ASSERT_TRUE(wait_for([&] { return q->operators()[2].state_keys >= 10; }));
    auto ops = q->operators();
    ASSERT_EQ(ops.size(), 4u);
    EXPECT_EQ(ops[0].rows_in, 300);
    EXPECT_EQ(ops[1].rows_out, 300);
    EXPECT_EQ(ops[2].rows_in, 300);
    // Its ten groups are both in the state and in memory, counted apart.
    EXPECT_GT(ops[2].state_bytes, 0);
    EXPECT_GT(ops[2].memory_bytes, 0);
    EXPECT_EQ(ops[0].memory_bytes, -1);
    EXPECT_EQ(q->last_error(), "");
    q->stop();
}

TEST_F(stateful_query_test, a_dropped_query_leaves_no_internal_topics_or_state) {
    produce_bids(0, 30, 3);
    auto s = spec(count_by_auction());
    auto q = start(s);
    ASSERT_NE(q, nullptr);
    settled(3, 30);
    q->stop();
    ASSERT_TRUE(std::filesystem::exists(s.state_dir));
    discard_query_state(s);
    EXPECT_FALSE(std::filesystem::exists(s.state_dir));
    auto admin = kafka::client::admin::connect(_broker.client());
    ASSERT_TRUE(admin.ok());
    EXPECT_FALSE(admin->topic(repartition_topic("t1")).ok());
    EXPECT_FALSE(admin->topic(changelog_topic("t1")).ok());
    EXPECT_TRUE(admin->topic("q__late").ok());
}

TEST_F(stateful_query_test, a_restarted_query_resumes_without_duplicates) {
    produce_bids(0, 150, 10);
    auto q = start(spec(count_by_auction()));
    ASSERT_NE(q, nullptr);
    settled(10, 150);
    q->stop();
    produce_bids(150, 150, 10);
    q = start(spec(count_by_auction()));
    ASSERT_NE(q, nullptr);
    auto t = settled(10, 300);
    for (const auto& [k, v] : t)
        EXPECT_EQ(v["n"], 30) << k;
    q->stop();
}

TEST_F(stateful_query_test, a_wiped_state_directory_is_restored_from_the_changelog) {
    produce_bids(0, 150, 10);
    auto q = start(spec(count_by_auction()));
    ASSERT_NE(q, nullptr);
    settled(10, 150);
    q->stop();
    std::filesystem::remove_all(_state_dir);
    produce_bids(150, 150, 10);
    q = start(spec(count_by_auction()));
    ASSERT_NE(q, nullptr);
    auto t = settled(10, 300);
    for (const auto& [k, v] : t)
        EXPECT_EQ(v["n"], 30) << k;
    q->stop();
}

TEST_F(stateful_query_test, a_source_starting_latest_skips_what_was_there_but_not_what_follows) {
    produce_bids(0, 90, 3);
    auto s = spec(count_by_auction());
    s.inputs[0].start_earliest = false;
    auto q = start(s);
    ASSERT_NE(q, nullptr);
    // Its first offsets were committed at the end when it started: the 90
    // earlier bids are not counted, though its consumer starts partitions
    // without offsets at their beginning.
    produce_bids(90, 30, 3);
    auto t = settled(3, 30);
    for (const auto& [k, v] : t)
        EXPECT_EQ(v["n"], 10) << k;
    q->stop();
}

TEST_F(stateful_query_test, late_rows_go_to_the_late_topic_and_not_to_the_aggregate) {
    // Partition 0: 10 s, 20 s (watermark 16 s), then 12 s: late.
    std::vector<input_record> records{{0, std::nullopt, bid_json(1, 1, 10), {}},
                                      {0, std::nullopt, bid_json(1, 2, 20), {}},
                                      {0, std::nullopt, bid_json(1, 3, 12), {}},
                                      {0, std::nullopt, bid_json(1, 4, 17), {}}};
    produce_all(_broker.client(), "bid", records);
    auto q = start(spec(count_by_auction()));
    ASSERT_NE(q, nullptr);
    auto t = settled(1, 3);
    EXPECT_EQ(t.begin()->second["total"], 7);
    auto late = read_committed(_broker.client(), "q__late", 1);
    ASSERT_EQ(late.size(), 1u);
    EXPECT_EQ(late[0].value, records[2].value);
    EXPECT_EQ(late[0].header("spate.offset"), "2");
    EXPECT_EQ(late[0].header("spate.partition"), "0");
    EXPECT_EQ(late[0].header("spate.topic"), "bid");
    auto reason = late[0].header("spate.late.reason").value_or("");
    EXPECT_NE(reason.find("1970-01-01 00:00:12"), std::string::npos) << reason;
    EXPECT_NE(reason.find("1970-01-01 00:00:16"), std::string::npos) << reason;
    EXPECT_EQ(q->operators()[0].late_rows, 1);
    q->stop();
}

TEST_F(stateful_query_test, a_group_state_larger_than_a_megabyte_is_one_changelog_record) {
    // SELECT auction, count(DISTINCT channel) AS n ... : the state holds
    // both 600 kB channels.
    auto s = scan(bid_relation(), {0, 3});
    aggregate_call distinct;
    distinct.name = "count";
    distinct.args = {col(1, data_type::of(type_id::text))};
    distinct.distinct = true;
    distinct.type = t_int();
    auto a = aggregate(s, {col(0, t_int())}, {distinct}, {"auction", "n"});
    std::vector<input_record> records;
    for (char c : {'x', 'y'})
        records.push_back({0,
                           std::nullopt,
                           json{{"auction", 1}, {"channel", std::string(600'000, c)}}.dump(),
                           {}});
    produce_all(_broker.client(), "bid", records);
    auto q = start(spec(a));
    ASSERT_NE(q, nullptr);
    std::map<std::string, json> t;
    ASSERT_TRUE(wait_for([&] {
        t = table();
        return !t.empty() && t.begin()->second["n"] == 2;
    }));
    EXPECT_EQ(q->last_error(), "");
    q->stop();
}

TEST_F(stateful_query_test, a_partitions_watermark_survives_a_restart) {
    // Watermark of partition 0 after these: 16 s.
    std::vector<input_record> first{{0, std::nullopt, bid_json(1, 1, 10), {}},
                                    {0, std::nullopt, bid_json(1, 2, 20), {}}};
    produce_all(_broker.client(), "bid", first);
    auto q = start(spec(count_by_auction()));
    ASSERT_NE(q, nullptr);
    settled(1, 2);
    q->stop();
    // 12 s is late for the restarted query too (the committed offset carries 16 s).
    std::vector<input_record> second{{0, std::nullopt, bid_json(1, 4, 12), {}},
                                     {0, std::nullopt, bid_json(1, 8, 21), {}}};
    produce_all(_broker.client(), "bid", second);
    q = start(spec(count_by_auction()));
    ASSERT_NE(q, nullptr);
    auto t = settled(1, 3);
    EXPECT_EQ(t.begin()->second["total"], 11);
    auto late = read_committed(_broker.client(), "q__late", 1);
    ASSERT_EQ(late.size(), 1u);
    EXPECT_EQ(late[0].value, second[0].value);
    q->stop();
}

// Window [0 s, 10 s) closes once every partition's watermark passed 10 s.
TEST_F(stateful_query_test, emit_on_window_close_writes_each_window_once) {
    produce_bids(0, 30, 3, 1);  // 30 rows at 1 s, auctions 0..2
    auto q = start(spec(windowed_count(), true));
    ASSERT_NE(q, nullptr);
    ASSERT_TRUE(wait_for([&] { return q->stats().aggregate_rows_in >= 30; }));
    EXPECT_EQ(read_committed(_broker.client(), "out", 0, 500).size(), 0u);
    produce_bids(30, 3, 3, 25);  // one row at 25 s per partition: watermark 21 s
    std::vector<read_record> out;
    ASSERT_TRUE(wait_for([&] {
        out = read_committed(_broker.client(), "out", 3, 2000);
        return out.size() >= 3;
    }));
    std::map<int64_t, int64_t> counts;
    for (const auto& r : out) {
        auto v = json::parse(r.value.value_or("{}"));
        EXPECT_EQ(v["window_end"], "1970-01-01 00:00:10");
        counts[v["auction"].get<int64_t>()] += v["n"].get<int64_t>();
    }
    EXPECT_EQ(counts, (std::map<int64_t, int64_t>{{0, 10}, {1, 10}, {2, 10}}));
    EXPECT_EQ(out.size(), 3u);
    q->stop();
}

TEST_F(stateful_query_test, processing_time_windows_close_with_the_wall_clock) {
    // SELECT auction, window_end, count(*) FROM TUMBLE(bid, _proctime, 1 s) ... EMIT ON WINDOW
    // CLOSE
    relation_def r = bid_relation();
    auto s = scan(r, {0, static_cast<int>(r.columns.size()) + 5});
    auto w = window(s, window_kind::tumble, 1, k_second);
    auto a = aggregate(w, {col(0, t_int()), col(3, data_type::of(type_id::timestamptz))},
                       {count_star()}, {"auction", "window_end", "n"}, 1);
    produce_bids(0, 30, 3, 1);
    auto q = start(spec(a, true));
    ASSERT_NE(q, nullptr);
    // No more input: the windows close as time passes.
    std::vector<read_record> out;
    int64_t total = 0;
    ASSERT_TRUE(wait_for([&] {
        out = read_committed(_broker.client(), "out", 3, 1000);
        total = 0;
        for (const auto& r : out)
            total += json::parse(r.value.value_or("{}"))["n"].get<int64_t>();
        return total >= 30;
    }));
    EXPECT_EQ(total, 30);
    EXPECT_EQ(q->operators()[0].late_rows, 0);
    q->stop();
}

TEST_F(stateful_query_test, an_idle_partition_does_not_hold_the_watermark_back) {
    // Only partition 0 gets rows; 1 and 2 go idle after 300 ms.
    std::vector<input_record> records{{0, std::nullopt, bid_json(1, 1, 1), {}},
                                      {0, std::nullopt, bid_json(1, 1, 30), {}}};
    produce_all(_broker.client(), "bid", records);
    auto q = start(spec(windowed_count(), true, 300));
    ASSERT_NE(q, nullptr);
    std::vector<read_record> out;
    ASSERT_TRUE(wait_for([&] {
        out = read_committed(_broker.client(), "out", 1, 1000);
        return !out.empty();
    }));
    auto v = json::parse(out[0].value.value_or("{}"));
    EXPECT_EQ(v["n"], 1);
    EXPECT_EQ(v["window_end"], "1970-01-01 00:00:10");
    q->stop();
}

TEST_F(stateful_query_test, a_second_member_takes_over_tasks_and_state_exactly_once) {
    produce_bids(0, 150, 10);
    auto first = start(spec(count_by_auction(), false, 0, "a"));
    ASSERT_NE(first, nullptr);
    settled(10, 150);
    auto second = start(spec(count_by_auction(), false, 0, "b"));
    ASSERT_NE(second, nullptr);
    auto admin = kafka::client::admin::connect(_broker.client());
    ASSERT_TRUE(admin.ok());
    ASSERT_TRUE(wait_for([&] {
        auto g = admin->describe_group("q-group");
        if (!g.ok() || g->state != "Stable" || g->members.size() != 2) return false;
        for (const auto& m : g->members)
            if (m.assignment.empty()) return false;
        return true;
    })) << "the group splits the tasks between both members";
    produce_bids(150, 150, 10);
    settled(10, 300);
    // The first member leaves: the second restores its tasks and goes on.
    first->stop();
    produce_bids(300, 150, 10);
    auto t = settled(10, 450);
    for (const auto& [k, v] : t)
        EXPECT_EQ(v["n"], 45) << k;
    EXPECT_GT(second->stats().aggregate_rows_in, 0);
    second->stop();
}

}  // namespace
}  // namespace stateful_query_test
}  // namespace spate::sql
