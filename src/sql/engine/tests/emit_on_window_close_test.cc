// EMIT ON WINDOW CLOSE reaches the catalog objects of views and sinks.

#include <gtest/gtest.h>

#include "sql/engine/object_builder.h"

namespace spate::sql {
namespace emit_on_window_close_test {
namespace {

class emit_on_window_close_test : public ::testing::Test {
  protected:
    void SetUp() override {
        catalog_object o;
        o.kind = catalog_kind::source;
        o.name = "bid";
        o.relation.name = "bid";
        o.relation.topic = "bid";
        o.relation.columns = {{"auction", data_type::of(type_id::int64)},
                              {"date_time", data_type::of(type_id::timestamp)}};
        o.relation.watermark_column = "date_time";
        o.relation.watermark_sql = "date_time - INTERVAL '1' SECOND";
        ASSERT_TRUE(_cat.add(o).ok());
    }

    parsed_statement parse(const std::string& sql) {
        auto r = parse_sql(sql);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? r.value()[0] : parsed_statement{};
    }

    catalog _cat;
};

constexpr const char* k_windowed =
    "SELECT window_end, count(*) AS n FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) "
    "GROUP BY window_end";

TEST_F(emit_on_window_close_test, view_carries_the_flag_and_its_text) {
    auto v = build_view(
        parse(std::string("CREATE MATERIALIZED VIEW v AS ") + k_windowed + " EMIT ON WINDOW CLOSE"),
        _cat);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_TRUE(v.value().emit_on_window_close);
    EXPECT_NE(v.value().create_sql.find("EMIT ON WINDOW CLOSE"), std::string::npos);
    auto plain = build_view(parse("CREATE MATERIALIZED VIEW w AS SELECT auction FROM bid"), _cat);
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_FALSE(plain.value().emit_on_window_close);
}

TEST_F(emit_on_window_close_test, sink_carries_the_flag_and_a_query_without_the_clause) {
    auto s = build_sink(parse(std::string("CREATE SINK s AS ") + k_windowed +
                              " EMIT ON WINDOW CLOSE WITH (topic = 'out')"),
                        _cat, {});
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_TRUE(s.value().emit_on_window_close);
    EXPECT_EQ(s.value().query_sql, std::string(k_windowed) + " ");
    auto plan = plan_continuous(s.value(), _cat);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_EQ(plan.value().output_columns.size(), 2u);
    EXPECT_TRUE(plan.value().append_only);
    ASSERT_TRUE(plan.value().aggregate);
    EXPECT_TRUE(plan.value().aggregate->emit_on_window_close);
}

TEST_F(emit_on_window_close_test, a_query_without_windows_to_close_is_refused) {
    auto v = build_view(
        parse("CREATE MATERIALIZED VIEW v AS SELECT auction FROM bid EMIT ON WINDOW CLOSE"), _cat);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, sql_errc::feature_not_supported);
    EXPECT_NE(v.error().message.find("EMIT ON WINDOW CLOSE"), std::string::npos);
}

}  // namespace
}  // namespace emit_on_window_close_test
}  // namespace spate::sql
