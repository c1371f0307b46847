// count(DISTINCT x) over integer-like x (sql/agg/count_distinct.cc): a
// hash table per slot, exact under retraction, saved as the multiset
// layout.

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>

#include "sql/agg/tests/agg_test_util.h"

namespace spate::sql {
namespace count_distinct_test {
namespace {

using namespace agg_testing;

column int64_col(const std::vector<int64_t>& v) {
    column c(of(type_id::int64));
    for (int64_t x : v)
        c.push<int64_t>(x);
    return c;
}

TEST(count_distinct, saves_the_multiset_layout_of_the_same_values) {
    // min() under retraction keeps the same multiset: its bytes are the
    // layout's (values ascending, multiplicities, NULL count).
    for (type_id t : {type_id::int16, type_id::int32, type_id::int64, type_id::date}) {
        auto distinct = agg_call("count", {of(t)}, true);
        auto min = agg_call("min", {of(t)});
        auto a = make_agg(distinct), b = make_agg(min);
        std::vector<opt> values = {"4", "-3", null_value, "7", "4", "12", "-3", "4"};
        if (t == type_id::date) values = {"2026-01-02", "1999-12-31", null_value, "2026-01-02"};
        ASSERT_TRUE(feed(*a, {make_col(of(t), values)}).ok());
        ASSERT_TRUE(feed(*b, {make_col(of(t), values)}).ok());
        std::string sa, sb;
        a->save(0, sa);
        b->save(0, sb);
        EXPECT_EQ(sa, sb) << static_cast<int>(t);
        auto c = make_agg(distinct);
        ASSERT_TRUE(c->load(0, sb).ok());
        EXPECT_EQ(result_text(*c, distinct), result_text(*a, distinct));
    }
}

TEST(count_distinct, saves_many_values_in_order_like_the_ordered_multiset) {
    // Enough values for the radix sort: spread over the whole int64 range
    // (negative, positive, sharing and not sharing high bytes) and in one
    // narrow range.
    std::mt19937_64 rng(11);
    std::vector<int64_t> wide, narrow;
    for (int i = 0; i < 3000; ++i) {
        wide.push_back(static_cast<int64_t>(rng()) >> (i % 3 == 0 ? 0 : 40));
        narrow.push_back(2000 + static_cast<int64_t>(rng() % 50000));
    }
    wide.push_back(std::numeric_limits<int64_t>::min());
    wide.push_back(std::numeric_limits<int64_t>::max());
    for (const auto& values : {wide, narrow}) {
        auto distinct = agg_call("count", {of(type_id::int64)}, true);
        auto min = agg_call("min", {of(type_id::int64)});
        auto a = make_agg(distinct), b = make_agg(min);
        ASSERT_TRUE(feed(*a, {int64_col(values)}).ok());
        ASSERT_TRUE(feed(*b, {int64_col(values)}).ok());
        std::string sa, sb;
        a->save(0, sa);
        b->save(0, sb);
        EXPECT_EQ(sa, sb);
    }
}

TEST(count_distinct, stays_exact_under_many_inserts_and_retractions) {
    auto call = agg_call("count", {of(type_id::int64)}, true);
    auto a = make_agg(call, 4);
    std::map<int64_t, int64_t> model[4];
    std::mt19937_64 rng(7);
    for (int round = 0; round < 200; ++round) {
        std::vector<int64_t> values;
        std::vector<uint32_t> slots;
        std::vector<int8_t> diffs;
        for (int i = 0; i < 100; ++i) {
            uint32_t s = static_cast<uint32_t>(rng() % 4);
            int64_t v = static_cast<int64_t>(rng() % 3000) - 1500;
            int8_t d = 1;
            // Retract a value the slot holds about a third of the time.
            if (!model[s].empty() && rng() % 3 == 0) {
                v = model[s].begin()->first;
                d = -1;
            }
            if ((model[s][v] += d) == 0) model[s].erase(v);
            values.push_back(v);
            slots.push_back(s);
            diffs.push_back(d);
        }
        ASSERT_TRUE(feed(*a, {int64_col(values)}, slots, diffs).ok());
    }
    for (uint32_t s = 0; s < 4; ++s) {
        EXPECT_EQ(result_text(*a, call, s), std::to_string(model[s].size()));
        std::string saved;
        a->save(s, saved);
        auto b = make_agg(call);
        ASSERT_TRUE(b->load(0, saved).ok());
        EXPECT_EQ(result_text(*b, call), std::to_string(model[s].size()));
        std::string again;
        b->save(0, again);
        EXPECT_EQ(again, saved);
    }
}

TEST(count_distinct, refuses_retracting_a_value_it_does_not_hold) {
    auto call = agg_call("count", {of(type_id::int64)}, true);
    auto a = make_agg(call);
    ASSERT_TRUE(feed(*a, {int64_col({5})}).ok());
    EXPECT_FALSE(feed(*a, {int64_col({6})}, {}, {-1}).ok());
    EXPECT_EQ(result_text(*a, call), "1");
    EXPECT_FALSE(feed(*a, {int64_col({5, 5})}, {}, {-1, -1}).ok());
}

TEST(count_distinct, merge_adds_the_other_slots_values) {
    auto call = agg_call("count", {of(type_id::int32)}, true);
    auto a = make_agg(call, 2);
    ASSERT_TRUE(
        feed(*a, {make_col(of(type_id::int32), {"1", "2", "3", "3", "9"})}, {0, 0, 0, 1, 1}).ok());
    ASSERT_TRUE(a->merge(0, *a, 1).ok());
    EXPECT_EQ(result_text(*a, call, 0), "4");
    // The merged-in 3 counts twice: one retraction leaves it.
    ASSERT_TRUE(feed(*a, {make_col(of(type_id::int32), {"3"})}, {}, {-1}).ok());
    EXPECT_EQ(result_text(*a, call, 0), "4");
}

TEST(count_distinct, a_cleared_slot_is_empty_and_refills_exactly) {
    auto call = agg_call("count", {of(type_id::int64)}, true);
    auto a = make_agg(call, 2);
    std::vector<int64_t> many;
    for (int64_t v = 0; v < 5000; ++v)
        many.push_back(v * 7919);
    ASSERT_TRUE(feed(*a, {int64_col(many)}).ok());
    ASSERT_TRUE(feed(*a, {int64_col({1, 2})}, {1, 1}).ok());
    a->clear(0);
    EXPECT_EQ(result_text(*a, call, 0), "0");
    EXPECT_EQ(result_text(*a, call, 1), "2");
    std::string empty, fresh;
    a->save(0, empty);
    make_agg(call)->save(0, fresh);
    EXPECT_EQ(empty, fresh);
    // Refilled (its table kept): the same state as a slot never used.
    ASSERT_TRUE(feed(*a, {int64_col({3, 5, 3, -8})}).ok());
    auto b = make_agg(call);
    ASSERT_TRUE(feed(*b, {int64_col({3, 5, 3, -8})}).ok());
    std::string refilled, direct;
    a->save(0, refilled);
    b->save(0, direct);
    EXPECT_EQ(refilled, direct);
    EXPECT_EQ(result_text(*a, call, 0), "3");
    // A few values after many: cleared again, the table shrinks to fit.
    size_t big = a->slot_bytes(0);
    a->clear(0);
    ASSERT_TRUE(feed(*a, {int64_col({1})}).ok());
    a->clear(0);
    EXPECT_LT(a->slot_bytes(0), big);
    EXPECT_EQ(result_text(*a, call, 0), "0");
}

}  // namespace
}  // namespace count_distinct_test
}  // namespace spate::sql
