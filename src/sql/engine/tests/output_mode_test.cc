#include "sql/engine/output_mode.h"

#include <gtest/gtest.h>

namespace spate::sql {
namespace output_mode_test {
namespace {

// A grouped query's plan: (auction, window_end, bids), keyed by the first two.
stream_plan updating_plan() {
    stream_plan p;
    p.output_columns = {{"auction", data_type::of(type_id::int64)},
                        {"window_end", data_type::of(type_id::timestamp)},
                        {"bids", data_type::of(type_id::int64)}};
    p.append_only = false;
    p.unique_key = {0, 1};
    return p;
}

stream_plan append_plan() {
    stream_plan p = updating_plan();
    p.append_only = true;
    p.unique_key.clear();
    return p;
}

std::vector<with_option> opts(std::vector<std::pair<std::string, std::string>> kv) {
    std::vector<with_option> out;
    int pos = 100;
    for (auto& [k, v] : kv)
        out.push_back({k, v, pos += 10});
    return out;
}

TEST(sink_output_mode, an_append_sink_over_an_updating_query_is_refused_naming_the_fixes) {
    auto m = sink_output_mode("s", opts({{"topic", "t"}}), updating_plan(), "", 7);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, sql_errc::invalid_parameter_value);
    EXPECT_EQ(m.error().message,
              "sink \"s\" is append-only but its query updates rows (GROUP BY without EMIT ON "
              "WINDOW CLOSE): use type = 'upsert' with primary_key = 'auction,window_end', type "
              "= 'debezium', or EMIT ON WINDOW CLOSE");
    EXPECT_EQ(m.error().position, 7);
    auto typed = sink_output_mode("s", opts({{"type", "append"}}), updating_plan(), "", 7);
    ASSERT_FALSE(typed.ok());
    EXPECT_EQ(typed.error().position, 111);  // at the type option
}

TEST(sink_output_mode, an_append_sink_reading_an_updating_view_is_refused) {
    auto m = sink_output_mode("s", {}, append_plan(), "counts", 1);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().message.find("it reads materialized view \"counts\", whose rows update"),
              std::string::npos);
}

TEST(sink_output_mode, upsert_takes_its_primary_key_columns_in_the_given_order) {
    auto m =
        sink_output_mode("s", opts({{"type", "upsert"}, {"primary_key", " window_end , AUCTION"}}),
                         updating_plan(), "", 1);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m.value().type, sink_type::upsert);
    EXPECT_EQ(m.value().key_columns, (std::vector<int>{1, 0}));
}

TEST(sink_output_mode, upsert_and_debezium_need_a_primary_key) {
    for (const char* t : {"upsert", "debezium"}) {
        auto m = sink_output_mode("s", opts({{"type", t}}), updating_plan(), "", 1);
        ASSERT_FALSE(m.ok());
        EXPECT_NE(m.error().message.find("needs primary_key = 'auction,window_end'"),
                  std::string::npos)
            << m.error().message;
    }
}

TEST(sink_output_mode, a_primary_key_column_must_exist_and_is_named_in_the_error) {
    auto m = sink_output_mode("s", opts({{"type", "upsert"}, {"primary_key", "auction,price"}}),
                              updating_plan(), "", 1);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, sql_errc::undefined_column);
    EXPECT_EQ(m.error().message, "primary_key column \"price\" is not a column of sink \"s\"");
    EXPECT_EQ(m.error().position, 121);
}

TEST(sink_output_mode, a_primary_key_must_cover_the_rows_identity_of_an_updating_query) {
    auto m = sink_output_mode("s", opts({{"type", "debezium"}, {"primary_key", "auction"}}),
                              updating_plan(), "", 1);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().message.find("must include column \"window_end\""), std::string::npos);
    // Over an append-only query any key is a "latest row per key" table.
    auto ok = sink_output_mode("s", opts({{"type", "upsert"}, {"primary_key", "bids"}}),
                               append_plan(), "", 1);
    EXPECT_TRUE(ok.ok());
}

TEST(sink_output_mode, unknown_types_are_refused_and_append_aliases_accepted) {
    EXPECT_FALSE(sink_output_mode("s", opts({{"type", "retract"}}), append_plan(), "", 1).ok());
    for (const char* t : {"append", "append-only", "append_only"}) {
        auto m = sink_output_mode("s", opts({{"type", t}}), append_plan(), "", 1);
        ASSERT_TRUE(m.ok());
        EXPECT_EQ(m.value().type, sink_type::append);
    }
}

TEST(view_output_mode, an_updating_view_is_an_upsert_changelog_of_its_unique_key) {
    auto m = view_output_mode("v", updating_plan(), "", 1);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value().type, sink_type::upsert);
    EXPECT_EQ(m.value().key_columns, (std::vector<int>{0, 1}));
    auto a = view_output_mode("v", append_plan(), "", 1);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a.value().type, sink_type::append);
}

TEST(view_output_mode, an_updating_view_without_all_its_group_keys_is_refused) {
    stream_plan p = updating_plan();
    p.unique_key.clear();
    auto m = view_output_mode("v", p, "", 3);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, sql_errc::feature_not_supported);
    EXPECT_NE(m.error().message.find("does not select all of its GROUP BY keys"),
              std::string::npos);
    EXPECT_EQ(m.error().position, 3);
}

}  // namespace
}  // namespace output_mode_test
}  // namespace spate::sql
