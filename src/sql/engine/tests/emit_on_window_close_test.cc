// EMIT ON WINDOW CLOSE reaches the catalog objects of views and sinks.

#include <gtest/gtest.h>

#include "sql/engine/object_builder.h"

namespace spate::sql {
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
        ASSERT_TRUE(_cat.add(o).ok());
    }

    parsed_statement parse(const std::string& sql) {
        auto r = parse_sql(sql);
        EXPECT_TRUE(r.ok()) << r.error().message;
        return r.ok() ? r.value()[0] : parsed_statement{};
    }

    catalog _cat;
};

TEST_F(emit_on_window_close_test, view_carries_the_flag_and_its_text) {
    auto v = build_view(
        parse("CREATE MATERIALIZED VIEW v AS SELECT auction FROM bid EMIT ON WINDOW CLOSE"), _cat);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_TRUE(v.value().emit_on_window_close);
    EXPECT_NE(v.value().create_sql.find("EMIT ON WINDOW CLOSE"), std::string::npos);
    auto plain = build_view(parse("CREATE MATERIALIZED VIEW w AS SELECT auction FROM bid"), _cat);
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_FALSE(plain.value().emit_on_window_close);
}

TEST_F(emit_on_window_close_test, sink_carries_the_flag_and_a_query_without_the_clause) {
    auto s = build_sink(parse("CREATE SINK s AS SELECT auction FROM bid EMIT ON WINDOW CLOSE "
                              "WITH (topic = 'out')"),
                        _cat, {});
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_TRUE(s.value().emit_on_window_close);
    EXPECT_EQ(s.value().query_sql, "SELECT auction FROM bid ");
    auto plan = plan_continuous(s.value(), _cat);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_EQ(plan.value().output_columns.size(), 1u);
}

}  // namespace
}  // namespace spate::sql
