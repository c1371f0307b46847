// Aggregate states under retraction, merging, saving and loading, and
// overflow (sql/agg/aggregate_function.h); group key bytes (group_key.h).

#include <gtest/gtest.h>

#include "sql/agg/group_key.h"
#include "sql/agg/tests/agg_test_util.h"

namespace spate::sql {
namespace aggregate_state_test {
namespace {

using namespace agg_testing;

struct fn {
    const char* name;
    type_id type;
    bool distinct = false;
};

// One call of every function and state layout.
const std::vector<fn> k_functions = {
    {"count", type_id::int32},
    {"count", type_id::int32, true},
    {"sum", type_id::int32},
    {"sum", type_id::int64},
    {"sum", type_id::numeric},
    {"sum", type_id::float64},
    {"avg", type_id::int16},
    {"avg", type_id::float32},
    {"sum", type_id::int32, true},
    {"var_samp", type_id::int64},
    {"stddev", type_id::numeric},
    {"var_pop", type_id::float64},
    {"min", type_id::int32},
    {"max", type_id::text},
    {"max", type_id::numeric},
    {"array_agg", type_id::int32},
    {"array_agg", type_id::text, true},
    {"bool_and", type_id::boolean},
    {"bool_or", type_id::boolean},
};

std::vector<opt> sample(type_id t) {
    switch (t) {
        case type_id::boolean:
            return {"t", "f", null_value, "t"};
        case type_id::text:
            return {"kiwi", "apple", null_value, "fig", "apple"};
        case type_id::numeric:
            return {"1.25", "-3", null_value, "7.5", "1.25"};
        default:
            return {"4", "-3", null_value, "7", "4", "12"};
    }
}

aggregate_call call_of(const fn& f) {
    return agg_call(f.name, {of(f.type)}, f.distinct);
}

TEST(aggregate_retraction, retracting_the_extreme_yields_the_next_one) {
    auto min = agg_call("min", {of(type_id::int64)});
    auto max = agg_call("max", {of(type_id::text)});
    auto a = make_agg(min), b = make_agg(max);
    ASSERT_TRUE(feed(*a, {make_col(of(type_id::int64), {"5", "3", "9", "3"})}).ok());
    ASSERT_TRUE(feed(*b, {make_col(of(type_id::text), {"b", "d", "a", "d"})}).ok());
    EXPECT_EQ(result_text(*a, min), "3");
    EXPECT_EQ(result_text(*b, max), "d");
    ASSERT_TRUE(feed(*a, {make_col(of(type_id::int64), {"3"})}, {}, {-1}).ok());
    ASSERT_TRUE(feed(*b, {make_col(of(type_id::text), {"d"})}, {}, {-1}).ok());
    EXPECT_EQ(result_text(*a, min), "3");  // the second 3 remains
    EXPECT_EQ(result_text(*b, max), "d");
    ASSERT_TRUE(feed(*a, {make_col(of(type_id::int64), {"3"})}, {}, {-1}).ok());
    ASSERT_TRUE(feed(*b, {make_col(of(type_id::text), {"d"})}, {}, {-1}).ok());
    EXPECT_EQ(result_text(*a, min), "5");
    EXPECT_EQ(result_text(*b, max), "b");
    ASSERT_TRUE(feed(*a, {make_col(of(type_id::int64), {"5", "9"})}, {}, {-1, -1}).ok());
    EXPECT_EQ(result_text(*a, min), "NULL");
}

TEST(aggregate_retraction, retracting_every_row_returns_each_function_to_empty) {
    for (const fn& f : k_functions) {
        auto call = call_of(f);
        auto a = make_agg(call);
        column x = make_col(of(f.type), sample(f.type));
        std::vector<int8_t> minus(x.size(), -1);
        ASSERT_TRUE(feed(*a, {x}).ok()) << f.name;
        ASSERT_TRUE(feed(*a, {x}, {}, minus).ok()) << f.name;
        std::string want = std::string(f.name) == "count" ? "0" : "NULL";
        EXPECT_EQ(result_text(*a, call), want) << f.name << "(" << f.distinct << ")";
        // A retraction that matches an insertion of the same rows: the
        // result is as if only the remaining rows were inserted.
        auto b = make_agg(call);
        ASSERT_TRUE(feed(*a, {x}).ok());
        ASSERT_TRUE(feed(*a, {x.slice(0, 2)}, {}, {-1, -1}).ok());
        ASSERT_TRUE(feed(*b, {x.slice(2, x.size() - 2)}).ok());
        EXPECT_EQ(result_text(*a, call), result_text(*b, call)) << f.name;
    }
}

TEST(aggregate_retraction, float_sums_return_to_exact_zero_when_emptied) {
    auto call = agg_call("sum", {of(type_id::float64)});
    auto a = make_agg(call);
    column x = make_col(of(type_id::float64), {"0.1", "0.2"});
    ASSERT_TRUE(feed(*a, {x}).ok());
    ASSERT_TRUE(feed(*a, {x}, {}, {-1, -1}).ok());
    ASSERT_TRUE(feed(*a, {make_col(of(type_id::float64), {"0.3"})}).ok());
    EXPECT_EQ(result_text(*a, call), "0.3");
}

TEST(aggregate_retraction, insert_only_min_max_refuse_retractions) {
    auto call = agg_call("min", {of(type_id::int32)});
    auto a = make_agg(call, 1, /*retractions=*/false);
    auto s = feed(*a, {make_col(of(type_id::int32), {"1"})}, {}, {-1});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, sql_errc::internal_error);
}

TEST(aggregate_state, merge_adds_one_slots_rows_to_another) {
    for (const fn& f : k_functions) {
        auto call = call_of(f);
        column x = make_col(of(f.type), sample(f.type));
        size_t half = x.size() / 2;
        auto whole = make_agg(call), left = make_agg(call, 2), right = make_agg(call, 3);
        ASSERT_TRUE(feed(*whole, {x}).ok());
        ASSERT_TRUE(feed(*left, {x.slice(0, half)}, std::vector<uint32_t>(half, 1)).ok());
        ASSERT_TRUE(feed(*right, {x.slice(half, x.size() - half)},
                         std::vector<uint32_t>(x.size() - half, 2))
                        .ok());
        ASSERT_TRUE(left->merge(1, *right, 2).ok()) << f.name;
        EXPECT_EQ(result_text(*left, call, 1), result_text(*whole, call)) << f.name;
        ASSERT_TRUE(left->merge(0, *right, 0).ok());  // an empty slot adds nothing
        EXPECT_EQ(result_text(*left, call, 0), result_text(*make_agg(call), call)) << f.name;
    }
}

TEST(aggregate_state, save_and_load_round_trip_every_state) {
    for (const fn& f : k_functions) {
        auto call = call_of(f);
        column x = make_col(of(f.type), sample(f.type));
        auto a = make_agg(call, 2);
        ASSERT_TRUE(feed(*a, {x}).ok());
        std::string full, empty;
        a->save(0, full);
        a->save(1, empty);
        auto b = make_agg(call, 2);
        ASSERT_TRUE(b->load(1, full).ok()) << f.name;
        ASSERT_TRUE(b->load(0, empty).ok()) << f.name;
        EXPECT_EQ(result_text(*b, call, 1), result_text(*a, call, 0)) << f.name;
        EXPECT_EQ(result_text(*b, call, 0), result_text(*a, call, 1)) << f.name;
        // The loaded state keeps working, retractions included.
        std::vector<int8_t> minus(x.size(), -1);
        ASSERT_TRUE(feed(*b, {x}, std::vector<uint32_t>(x.size(), 1), minus).ok()) << f.name;
        EXPECT_EQ(result_text(*b, call, 1), result_text(*a, call, 1)) << f.name;
        // Damaged bytes are refused, never half-loaded.
        EXPECT_FALSE(b->load(0, full.substr(0, full.size() - 1)).ok()) << f.name;
        EXPECT_FALSE(b->load(0, full + "x").ok()) << f.name;
        EXPECT_FALSE(b->load(0, std::string(1, '\x7f') + full.substr(1)).ok()) << f.name;
        EXPECT_EQ(result_text(*b, call, 0), result_text(*a, call, 1)) << f.name;
    }
}

TEST(aggregate_state, saved_fixed_states_are_compact) {
    auto call = agg_call("count", {});
    auto a = make_agg(call);
    ASSERT_TRUE(a->update({}, nullptr, std::vector<uint32_t>(100, 0), {}).ok());
    std::string bytes;
    a->save(0, bytes);
    EXPECT_EQ(bytes, std::string("\x01\xc8\x01", 3));  // tag 1, zigzag varint 100
    auto sum = agg_call("sum", {of(type_id::int32)});
    auto b = make_agg(sum);
    ASSERT_TRUE(feed(*b, {make_col(of(type_id::int32), {"-2"})}).ok());
    bytes.clear();
    b->save(0, bytes);
    EXPECT_EQ(bytes, std::string("\x02\x02\x03", 3));  // tag 2, n 1, sum -2
}

TEST(aggregate_overflow, results_beyond_their_type_are_out_of_range) {
    // sum(int4) is bigint: a state summing past 2^63 cannot be returned.
    auto sum = agg_call("sum", {of(type_id::int32)});
    auto a = make_agg(sum);
    std::string state("\x02\x02", 2);                                      // tag, n = 1
    state += std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02", 10);  // zigzag 2^63
    ASSERT_TRUE(a->load(0, state).ok());
    auto r = result_text(*a, sum);
    EXPECT_EQ(r, "ERROR: bigint out of range");
    auto numeric = agg_call("sum", {of(type_id::numeric)});
    auto b = make_agg(numeric);
    std::string nines(38, '9');
    auto s = feed(*b, {make_col(of(type_id::numeric), {nines, "1"})});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, sql_errc::numeric_value_out_of_range);
    auto interval = agg_call("sum", {of(type_id::interval)});
    auto c = make_agg(interval);
    ASSERT_TRUE(
        feed(*c, {make_col(of(type_id::interval), {"2000000000 days", "2000000000 days"})}).ok());
    EXPECT_EQ(result_text(*c, interval), "ERROR: interval out of range");
}

TEST(group_keys, equal_values_encode_equal_and_others_differ) {
    auto keys = [](std::vector<column> cols) {
        std::vector<std::string> out;
        encode_group_keys(cols, cols[0].size(), out);
        return out;
    };
    auto n = keys({make_col(of(type_id::numeric), {"1.5", "1.50", "1.05", null_value, "0.00"}),
                   make_col(of(type_id::float64), {"-0", "0", "0", null_value, "NaN"})});
    EXPECT_EQ(n[0], n[1]);
    EXPECT_NE(n[0], n[2]);
    EXPECT_NE(n[3], n[4]);
    auto s = keys({make_col(of(type_id::text), {"a", "ab", null_value, ""}),
                   make_col(of(type_id::text), {"bc", "c", "", null_value})});
    EXPECT_NE(s[0], s[1]);  // lengths keep column boundaries
    EXPECT_NE(s[2], s[3]);  // NULL differs from the empty string
    auto i = keys({make_col(of(type_id::interval), {"1 mon", "30 days", "1 day"})});
    EXPECT_EQ(i[0], i[1]);
    EXPECT_NE(i[0], i[2]);
}

}  // namespace
}  // namespace aggregate_state_test
}  // namespace spate::sql
