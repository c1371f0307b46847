#include "sql/parse/parser.h"

#include <gtest/gtest.h>

namespace spate::sql {
namespace parser_test {
namespace {

TEST(parse_sql, splits_statements_and_keeps_their_offsets) {
    auto r = parse_sql("SELECT 1; SELECT ';' ;  ; SELECT 3");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r.value().size(), 3u);
    EXPECT_EQ(r.value()[1].text, "SELECT ';'");
    EXPECT_EQ(r.value()[1].offset, 10);
    EXPECT_EQ(r.value()[2].offset, 26);
    EXPECT_TRUE(r.value()[0].tree.contains("SelectStmt"));
}

TEST(parse_sql, empty_text_has_no_statements) {
    auto r = parse_sql("  -- nothing\n ; ");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.value().empty());
}

TEST(parse_sql, syntax_error_points_at_the_token_in_the_whole_text) {
    auto r = parse_sql("SELECT 1; SELEC 2");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, sql_errc::syntax_error);
    EXPECT_EQ(r.error().position, 11);
    EXPECT_NE(r.error().message.find("SELEC"), std::string::npos);
}

TEST(parse_sql, create_source_with_watermark_and_options) {
    auto r = parse_sql(
        "CREATE SOURCE bid (auction BIGINT, date_time TIMESTAMP, "
        "WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) "
        "WITH (topic = 'bid', format = 'json', scan_startup_mode = 'earliest')");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& s = r.value()[0];
    EXPECT_EQ(s.kind, statement_kind::create_source);
    EXPECT_EQ(s.name, "bid");
    ASSERT_TRUE(s.watermark.has_value());
    EXPECT_EQ(s.watermark->column, "date_time");
    EXPECT_EQ(s.watermark->text, "date_time - INTERVAL '4' SECOND");
    ASSERT_EQ(s.options.size(), 3u);
    EXPECT_EQ(s.options[0].key, "topic");
    EXPECT_EQ(s.options[0].value, "bid");
    EXPECT_EQ(s.options[2].value, "earliest");
    EXPECT_EQ(s.tree["CreateStmt"]["tableElts"].size(), 2u);
}

TEST(parse_sql, create_source_without_watermark_and_a_bad_type_reports_its_position) {
    auto ok = parse_sql("CREATE SOURCE s (a INT) WITH (topic = 't')");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_FALSE(ok.value()[0].watermark.has_value());
    auto bad = parse_sql("CREATE SOURCE s (a INT,, b INT) WITH (topic = 't')");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, sql_errc::syntax_error);
    EXPECT_EQ(bad.error().position, 24);
}

TEST(parse_sql, create_source_without_a_column_list_takes_its_options) {
    auto r =
        parse_sql("SELECT 1; CREATE SOURCE IF NOT EXISTS \"S\" WITH (topic = 't', format = avro)");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& s = r.value()[1];
    EXPECT_EQ(s.kind, statement_kind::create_source);
    EXPECT_EQ(s.name, "S");
    EXPECT_TRUE(s.if_not_exists);
    ASSERT_EQ(s.options.size(), 2u);
    EXPECT_EQ(s.options[1].value, "avro");
    EXPECT_EQ(s.options[1].position, 61);
    EXPECT_FALSE(s.tree["CreateStmt"].contains("tableElts"));
    auto bad = parse_sql("CREATE SOURCE s WITH (topic = 't') extra");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().position, 36);
    auto neither = parse_sql("CREATE SOURCE s topic");
    ASSERT_FALSE(neither.ok());
    EXPECT_NE(neither.error().message.find("expected a column list or WITH"), std::string::npos);
}

TEST(parse_sql, create_sink_as_query_takes_the_trailing_with) {
    auto r = parse_sql(
        "CREATE SINK q AS SELECT a FROM s WHERE a > 1 WITH (topic = 'out', format = 'json')");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& s = r.value()[0];
    EXPECT_EQ(s.kind, statement_kind::create_sink);
    EXPECT_EQ(s.query_text, "SELECT a FROM s WHERE a > 1 ");
    EXPECT_TRUE(s.tree.contains("SelectStmt"));
    EXPECT_EQ(s.tree_offset, 17);
    EXPECT_EQ(s.options.size(), 2u);
}

TEST(parse_sql, create_sink_from_relation) {
    auto r = parse_sql("CREATE SINK IF NOT EXISTS k FROM v WITH (topic = 'o')");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r.value()[0].if_not_exists);
    EXPECT_EQ(r.value()[0].from, "v");
}

TEST(parse_sql, create_sink_without_options_is_a_syntax_error) {
    auto r = parse_sql("CREATE SINK k AS SELECT 1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, sql_errc::syntax_error);
}

TEST(parse_sql, show_and_drop_extensions) {
    auto r = parse_sql("SHOW MATERIALIZED VIEWS; SHOW SOURCES; DROP SINK IF EXISTS a, b CASCADE");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value()[0].objects, object_kind::view);
    EXPECT_EQ(r.value()[1].objects, object_kind::source);
    const auto& d = r.value()[2];
    EXPECT_EQ(d.kind, statement_kind::drop_objects);
    EXPECT_EQ(d.objects, object_kind::sink);
    EXPECT_TRUE(d.if_exists);
    EXPECT_TRUE(d.cascade);
    EXPECT_EQ(d.names, (std::vector<std::string>{"a", "b"}));
}

TEST(parse_sql, explain_create_sink_keeps_positions_of_the_whole_statement) {
    auto r = parse_sql("EXPLAIN CREATE SINK q AS SELECT a FROM s WITH (topic = 'o')");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& s = r.value()[0];
    EXPECT_TRUE(s.explain);
    EXPECT_EQ(s.kind, statement_kind::create_sink);
    EXPECT_EQ(s.tree_offset, 25);
    EXPECT_EQ(s.text.substr(s.tree_offset, 6), "SELECT");
}

TEST(parse_sql, materialized_view_emit_on_window_close_is_cut_with_positions_kept) {
    std::string sql =
        "SELECT 1; CREATE MATERIALIZED VIEW v AS SELECT a FROM s\n  emit /* c */ ON\tWindow "
        "CLOSE";
    auto r = parse_sql(sql);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& s = r.value()[1];
    EXPECT_TRUE(s.emit_on_window_close);
    EXPECT_FALSE(r.value()[0].emit_on_window_close);
    EXPECT_EQ(s.text, sql.substr(10));  // the stored text keeps the clause
    const auto& q = s.tree["CreateTableAsStmt"]["query"]["SelectStmt"];
    int from = q["fromClause"][0]["RangeVar"]["location"].get<int>();
    EXPECT_EQ(s.text.substr(static_cast<size_t>(from), 1), "s");
    auto plain = parse_sql("CREATE MATERIALIZED VIEW v AS SELECT a FROM s");
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_FALSE(plain.value()[0].emit_on_window_close);
}

TEST(parse_sql, explain_of_a_view_and_with_no_data_take_the_clause) {
    auto e =
        parse_sql("EXPLAIN CREATE MATERIALIZED VIEW v AS SELECT a FROM s EMIT ON WINDOW CLOSE");
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_TRUE(e.value()[0].emit_on_window_close);
    EXPECT_TRUE(e.value()[0].tree.contains("ExplainStmt"));
    auto d = parse_sql(
        "CREATE MATERIALIZED VIEW v AS SELECT a FROM s EMIT ON WINDOW CLOSE WITH NO DATA");
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_TRUE(d.value()[0].emit_on_window_close);
}

TEST(parse_sql, create_sink_emit_on_window_close_precedes_with) {
    auto r = parse_sql(
        "CREATE SINK q AS SELECT a FROM s GROUP BY a EMIT ON WINDOW CLOSE WITH (topic = 'o')");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& s = r.value()[0];
    EXPECT_TRUE(s.emit_on_window_close);
    EXPECT_EQ(s.query_text, "SELECT a FROM s GROUP BY a ");
    EXPECT_TRUE(s.tree.contains("SelectStmt"));
    ASSERT_EQ(s.options.size(), 1u);
    EXPECT_EQ(s.options[0].value, "o");
    auto e = parse_sql(
        "EXPLAIN CREATE SINK q AS SELECT a FROM s emit on window close WITH (topic = 'o')");
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_TRUE(e.value()[0].explain);
    EXPECT_TRUE(e.value()[0].emit_on_window_close);
    EXPECT_EQ(e.value()[0].tree_offset, 25);
}

TEST(parse_sql, the_words_in_strings_identifiers_and_comments_are_not_the_clause) {
    auto r = parse_sql(
        "CREATE SINK q AS SELECT 'x EMIT ON WINDOW CLOSE' AS \"emit\" FROM s -- EMIT ON WINDOW "
        "CLOSE\n WITH (topic = 'o')");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r.value()[0].emit_on_window_close);
    auto v = parse_sql(
        "SELECT 'emit on window close', $$EMIT ON WINDOW CLOSE$$ /* emit on window close */");
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_FALSE(v.value()[0].emit_on_window_close);
}

TEST(parse_sql, emit_on_window_close_elsewhere_is_an_error_at_emit) {
    auto select = parse_sql("SELECT 1; SELECT a FROM s EMIT ON WINDOW CLOSE");
    ASSERT_FALSE(select.ok());
    EXPECT_EQ(select.error().code, sql_errc::feature_not_supported);
    EXPECT_EQ(select.error().position, 27);
    EXPECT_NE(select.error().message.find("continuous queries"), std::string::npos);
    auto source = parse_sql("CREATE SOURCE s (a INT) EMIT ON WINDOW CLOSE WITH (topic = 't')");
    ASSERT_FALSE(source.ok());
    EXPECT_EQ(source.error().position, 25);
    auto after_with =
        parse_sql("CREATE SINK q AS SELECT a FROM s WITH (topic = 'o') EMIT ON WINDOW CLOSE");
    ASSERT_FALSE(after_with.ok());
    EXPECT_EQ(after_with.error().code, sql_errc::syntax_error);
    EXPECT_EQ(after_with.error().position, 53);
    auto nested = parse_sql(
        "CREATE MATERIALIZED VIEW v AS SELECT * FROM (SELECT a FROM s EMIT ON WINDOW CLOSE) t");
    ASSERT_FALSE(nested.ok());
    EXPECT_EQ(nested.error().code, sql_errc::syntax_error);
    EXPECT_EQ(nested.error().position, 62);
    auto early = parse_sql("CREATE MATERIALIZED VIEW v EMIT ON WINDOW CLOSE AS SELECT a FROM s");
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.error().position, 28);
    auto twice = parse_sql(
        "CREATE SINK q AS SELECT a FROM s EMIT ON WINDOW CLOSE EMIT ON WINDOW CLOSE WITH (topic "
        "= 'o')");
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().position, 55);
    auto from = parse_sql("CREATE SINK q FROM v EMIT ON WINDOW CLOSE WITH (topic = 'o')");
    ASSERT_FALSE(from.ok());
    EXPECT_EQ(from.error().code, sql_errc::syntax_error);
}

}  // namespace
}  // namespace parser_test
}  // namespace spate::sql
