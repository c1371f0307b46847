#include "sql/stream/watermark.h"

#include <gtest/gtest.h>

namespace spate::sql::detail {
namespace watermark_test {
namespace {

using namespace std::chrono_literals;

column times(std::vector<std::optional<int64_t>> v) {
    column c(data_type::of(type_id::timestamp));
    for (auto x : v) {
        if (x)
            c.push<int64_t>(*x);
        else
            c.push_null();
    }
    return c;
}

// WATERMARK FOR t AS t - 10: the watermark column is t - 10.
column minus_ten(const column& t) {
    column w(t.type());
    for (size_t i = 0; i < t.size(); ++i) {
        if (t.is_null(i))
            w.push_null();
        else
            w.push<int64_t>(t.values<int64_t>()[i] - 10);
    }
    return w;
}

event_time_def event_time(int64_t idle_ms = 0) {
    event_time_def d;
    d.time = expr::make_column(0, data_type::of(type_id::timestamp), "t");
    d.watermark = d.time;
    d.idle_timeout_ms = idle_ms;
    return d;
}

TEST(source_clock, a_row_below_the_watermark_before_it_is_late) {
    auto def = event_time();
    source_clock clock(def);
    auto now = std::chrono::steady_clock::now();
    clock.assign(0, std::nullopt, now);
    auto t = times({100, 95, 89, 90, std::nullopt, 200, 189, 191});
    std::vector<uint8_t> late;
    std::vector<int64_t> against;
    EXPECT_EQ(clock.observe(0, t, minus_ten(t), late, against), 2u);
    // 100 -> wm 90; 95 ok; 89 < 90 late; 90 ok; null never late; 200 -> wm 190;
    // 189 late; 191 ok.
    EXPECT_EQ(late, (std::vector<uint8_t>{0, 0, 1, 0, 0, 0, 1, 0}));
    EXPECT_EQ(against, (std::vector<int64_t>{90, 190}));
    EXPECT_EQ(clock.watermark(0), 190);
}

TEST(source_clock, partitions_keep_their_own_watermarks_and_abort_restores_the_committed_one) {
    auto def = event_time();
    source_clock clock(def);
    auto now = std::chrono::steady_clock::now();
    clock.assign(0, 50, now);  // from the committed offset's metadata
    clock.assign(1, std::nullopt, now);
    std::vector<uint8_t> late;
    std::vector<int64_t> against;
    auto t = times({45, 70});
    clock.observe(0, t, minus_ten(t), late, against);
    EXPECT_EQ(late, (std::vector<uint8_t>{1, 0}));
    auto u = times({10});
    clock.observe(1, u, minus_ten(u), late, against);
    EXPECT_EQ(late, (std::vector<uint8_t>{0}));
    EXPECT_EQ(clock.watermark(0), 60);
    EXPECT_EQ(clock.watermark(1), 0);
    EXPECT_EQ(clock.low(), 0);
    clock.aborted();
    EXPECT_EQ(clock.watermark(0), 50);
    EXPECT_EQ(clock.watermark(1), std::nullopt);
    EXPECT_EQ(watermark_metadata(clock.watermark(0)), "wm=50");
    EXPECT_EQ(parse_watermark_metadata("wm=50"), 50);
    EXPECT_EQ(parse_watermark_metadata(""), std::nullopt);
}

TEST(source_clock, markers_are_due_when_the_watermark_or_idleness_changes) {
    auto def = event_time(1000);
    source_clock clock(def);
    auto t0 = std::chrono::steady_clock::now();
    clock.assign(3, std::nullopt, t0);
    EXPECT_TRUE(clock.due(t0, 0).empty());  // nothing known yet
    std::vector<uint8_t> late;
    std::vector<int64_t> against;
    auto t = times({100});
    clock.observe(3, t, minus_ten(t), late, against);
    clock.touch(3, t0);
    EXPECT_TRUE(clock.pending(t0));
    auto m = clock.due(t0, 0);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], (watermark_marker{3, false, 90}));
    EXPECT_FALSE(clock.pending(t0 + 500ms));
    EXPECT_TRUE(clock.due(t0 + 500ms, 0).empty());
    // No record for the idle timeout: idle.
    EXPECT_TRUE(clock.pending(t0 + 1s));
    m = clock.due(t0 + 1s, 0);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_TRUE(m[0].idle);
    // Records again: active with its watermark.
    clock.touch(3, t0 + 2s);
    m = clock.due(t0 + 2s, 0);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], (watermark_marker{3, false, 90}));
}

TEST(source_clock, processing_time_marks_the_wall_clock_and_nothing_is_late) {
    event_time_def def;
    def.processing_time = true;
    source_clock clock(def);
    auto t0 = std::chrono::steady_clock::now();
    clock.assign(0, std::nullopt, t0);
    clock.assign(1, std::nullopt, t0);
    EXPECT_TRUE(clock.pending(t0));
    auto m = clock.due(t0, 5000);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[1], (watermark_marker{1, false, 5000}));
    m = clock.due(t0, 4000);  // the clock went back: the watermark does not
    EXPECT_TRUE(m.empty());
    // Without input, markers every second.
    EXPECT_FALSE(clock.pending(t0 + 500ms));
    EXPECT_TRUE(clock.pending(t0 + 1s));
}

TEST(watermark_merger, is_the_minimum_once_every_partition_reported) {
    watermark_merger w(3);
    EXPECT_FALSE(w.apply({0, false, 100}));
    EXPECT_FALSE(w.apply({2, false, 300}));
    EXPECT_EQ(w.value(), std::nullopt);
    EXPECT_TRUE(w.apply({1, false, 200}));
    EXPECT_EQ(w.value(), 100);
    EXPECT_TRUE(w.apply({0, false, 250}));
    EXPECT_EQ(w.value(), 200);
    // Idle partitions do not hold it back.
    EXPECT_TRUE(w.apply({1, true, 0}));
    EXPECT_EQ(w.value(), 250);
    // It never moves back, even when a partition wakes up behind it.
    EXPECT_FALSE(w.apply({1, false, 210}));
    EXPECT_EQ(w.value(), 250);
    // Partitions 1 (210) and 2 (300) active: the minimum is behind; it stays.
    EXPECT_FALSE(w.apply({0, true, 0}));
    EXPECT_EQ(w.value(), 250);
    // Only partition 2 active: its watermark.
    EXPECT_TRUE(w.apply({1, true, 0}));
    EXPECT_EQ(w.value(), 300);
}

TEST(watermark_merger, when_every_partition_is_idle_it_is_the_largest_they_reached) {
    watermark_merger w(3);
    w.apply({0, false, 26});
    w.apply({1, true, 0});
    EXPECT_TRUE(w.apply({2, true, 0}));
    EXPECT_EQ(w.value(), 26);
    // Partition 0 goes idle too (no more records at all): still 26.
    EXPECT_FALSE(w.apply({0, true, 0}));
    EXPECT_EQ(w.value(), 26);
    // Everything idle from the start: nothing to go by.
    watermark_merger none(2);
    EXPECT_FALSE(none.apply({0, true, 0}));
    EXPECT_FALSE(none.apply({1, true, 0}));
    EXPECT_EQ(none.value(), std::nullopt);
}

TEST(watermark_merger, an_idle_report_counts_as_reported) {
    watermark_merger w(2);
    EXPECT_FALSE(w.apply({0, true, 0}));
    EXPECT_TRUE(w.apply({1, false, 7}));
    EXPECT_EQ(w.value(), 7);
}

TEST(watermark_merger, state_round_trips) {
    watermark_merger w(3);
    w.apply({0, false, -5});
    w.apply({1, true, 0});
    w.apply({2, false, 9});
    watermark_merger back(3);
    ASSERT_TRUE(back.load(w.save()).ok());
    EXPECT_EQ(back.value(), -5);
    EXPECT_TRUE(back.apply({0, false, 20}));
    EXPECT_EQ(back.value(), 9);
    EXPECT_FALSE(back.load("junk").ok());
    EXPECT_EQ(format_marker({4, false, -3}), "4:-3");
    EXPECT_EQ(format_marker({4, true, 0}), "4:idle");
    EXPECT_EQ(parse_marker("4:-3"), (watermark_marker{4, false, -3}));
    EXPECT_EQ(parse_marker("4:idle"), (watermark_marker{4, true, 0}));
    EXPECT_EQ(parse_marker("x:1"), std::nullopt);
}

}  // namespace
}  // namespace watermark_test
}  // namespace spate::sql::detail
