#include "sql/parse/parse_serving.h"

#include <gtest/gtest.h>

namespace spate::sql {
namespace parse_serving_test {
namespace {

parsed_statement one(const std::string& sql) {
    auto r = parse_sql(sql);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok() || r.value().size() != 1) return {};
    return r.value()[0];
}

TEST(parse_serving, subscribe_with_and_without_to) {
    for (const char* sql : {"SUBSCRIBE TO counts", "subscribe counts", "SUBSCRIBE TO \"counts\""}) {
        auto s = one(sql);
        EXPECT_EQ(s.kind, statement_kind::subscribe) << sql;
        EXPECT_EQ(s.name, "counts") << sql;
        EXPECT_TRUE(s.cursor.empty());
    }
    auto q = one("SUBSCRIBE TO \"Mixed\"");
    EXPECT_EQ(q.name, "Mixed");
}

TEST(parse_serving, subscribe_options) {
    auto s = one("SUBSCRIBE TO v WITH (snapshot = false)");
    ASSERT_EQ(s.options.size(), 1u);
    EXPECT_EQ(s.options[0].key, "snapshot");
    EXPECT_EQ(s.options[0].value, "false");
    EXPECT_EQ(s.options[0].position, 21);
}

TEST(parse_serving, declare_a_cursor_for_subscribe) {
    auto s = one("DECLARE c CURSOR FOR SUBSCRIBE TO v");
    EXPECT_EQ(s.kind, statement_kind::subscribe);
    EXPECT_EQ(s.cursor, "c");
    EXPECT_EQ(s.name, "v");
    EXPECT_FALSE(s.with_hold);
    auto h = one("DECLARE \"Cur\" NO SCROLL CURSOR WITH HOLD FOR SUBSCRIBE v");
    EXPECT_EQ(h.cursor, "Cur");
    EXPECT_TRUE(h.with_hold);
    auto w = one("declare \"c\" cursor without hold for subscribe to v");
    EXPECT_EQ(w.cursor, "c");
    EXPECT_FALSE(w.with_hold);
}

TEST(parse_serving, declare_for_a_query_stays_postgresql_grammar) {
    auto s = one("DECLARE c CURSOR FOR SELECT 1");
    EXPECT_EQ(s.kind, statement_kind::pg);
    EXPECT_TRUE(s.tree.contains("DeclareCursorStmt"));
}

TEST(parse_serving, explain_analyze_of_a_name_with_an_optional_kind) {
    auto a = one("EXPLAIN ANALYZE counts");
    EXPECT_EQ(a.kind, statement_kind::explain_analyze);
    EXPECT_EQ(a.name, "counts");
    EXPECT_FALSE(a.kind_given);
    auto v = one("EXPLAIN ANALYZE MATERIALIZED VIEW counts");
    EXPECT_TRUE(v.kind_given);
    EXPECT_EQ(v.objects, object_kind::view);
    auto s = one("explain analyze sink out");
    EXPECT_TRUE(s.kind_given);
    EXPECT_EQ(s.objects, object_kind::sink);
    EXPECT_EQ(s.name, "out");
    // EXPLAIN ANALYZE of a query is PostgreSQL's.
    EXPECT_EQ(one("EXPLAIN ANALYZE SELECT 1").kind, statement_kind::pg);
}

TEST(parse_serving, errors_point_at_the_offending_token) {
    auto r = parse_sql("SELECT 1; SUBSCRIBE TO v extra");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, sql_errc::syntax_error);
    EXPECT_EQ(r.error().position, 26);
    auto q = parse_sql("SUBSCRIBE (SELECT 1)");
    ASSERT_FALSE(q.ok());
    EXPECT_NE(q.error().message.find("by name"), std::string::npos);
    auto e = parse_sql("EXPLAIN ANALYZE v w");
    ASSERT_FALSE(e.ok());
}

}  // namespace
}  // namespace parse_serving_test
}  // namespace spate::sql
