#include "cli/sql_shell_split.h"

#include <gtest/gtest.h>

namespace spate::cli {
namespace sql_shell_split_test {
namespace {

using strings = std::vector<std::string>;

TEST(split_sql, statements_end_at_semicolons_and_are_trimmed) {
    auto s = split_sql("  SELECT 1;\nSELECT 2 ;  SHOW SOURCES");
    EXPECT_EQ(s.statements, (strings{"SELECT 1", "SELECT 2"}));
    EXPECT_EQ(s.tail, "SHOW SOURCES");
    EXPECT_EQ(s.pending, "  SHOW SOURCES");
}

TEST(split_sql, empty_statements_are_dropped) {
    auto s = split_sql(";; ;\n-- only a comment\n; /* c */ ;");
    EXPECT_TRUE(s.statements.empty());
    EXPECT_EQ(s.tail, "");
    EXPECT_EQ(s.pending, "");
}

TEST(split_sql, semicolons_inside_single_quotes_do_not_split) {
    auto s = split_sql("SELECT 'a;b', 'it''s;';SELECT 2;");
    EXPECT_EQ(s.statements, (strings{"SELECT 'a;b', 'it''s;'", "SELECT 2"}));
}

TEST(split_sql, escape_strings_honour_backslashes) {
    auto s = split_sql("SELECT E'x\\';y';SELECT 'a\\';SELECT 3;");
    // In E'...' the backslash escapes the quote; in '...' it does not.
    EXPECT_EQ(s.statements, (strings{"SELECT E'x\\';y'", "SELECT 'a\\'", "SELECT 3"}));
}

TEST(split_sql, identifier_ending_in_e_does_not_start_an_escape_string) {
    auto s = split_sql("SELECT type'a\\';SELECT 2;");
    EXPECT_EQ(s.statements, (strings{"SELECT type'a\\'", "SELECT 2"}));
}

TEST(split_sql, semicolons_inside_double_quotes_do_not_split) {
    auto s = split_sql("SELECT 1 AS \"a;\"\"b\"; SELECT 2;");
    EXPECT_EQ(s.statements, (strings{"SELECT 1 AS \"a;\"\"b\"", "SELECT 2"}));
}

TEST(split_sql, dollar_quotes_with_and_without_tags) {
    auto s = split_sql("SELECT $$a;'b$$; SELECT $fn$ x; $$ y $fn$; SELECT 3;");
    EXPECT_EQ(s.statements, (strings{"SELECT $$a;'b$$", "SELECT $fn$ x; $$ y $fn$", "SELECT 3"}));
}

TEST(split_sql, parameters_and_identifier_dollars_are_not_quotes) {
    auto s = split_sql("SELECT $1, a$b$c; SELECT 2;");
    EXPECT_EQ(s.statements, (strings{"SELECT $1, a$b$c", "SELECT 2"}));
}

TEST(split_sql, comments_are_removed_and_hide_semicolons) {
    auto s = split_sql("SELECT 1 -- one; not two\n, 2 /* a; /* nested; */ b; */ FROM t;");
    ASSERT_EQ(s.statements.size(), 1u);
    EXPECT_EQ(s.statements[0], "SELECT 1 \n, 2   FROM t");
}

TEST(split_sql, comment_markers_inside_quotes_are_text) {
    auto s = split_sql("SELECT '--x', '/*';SELECT 2;");
    EXPECT_EQ(s.statements, (strings{"SELECT '--x', '/*'", "SELECT 2"}));
}

TEST(split_sql, open_quote_or_comment_is_pending_without_a_tail) {
    auto q = split_sql("SELECT 'abc;");
    EXPECT_TRUE(q.statements.empty());
    EXPECT_EQ(q.tail, "SELECT 'abc;");
    EXPECT_EQ(q.pending, "SELECT 'abc;");
    auto c = split_sql("SELECT 1; /* still open;");
    EXPECT_EQ(c.statements, (strings{"SELECT 1"}));
    EXPECT_EQ(c.tail, "");
    EXPECT_EQ(c.pending, " /* still open;");
}

TEST(split_sql, unterminated_line_comment_at_the_end_is_not_pending) {
    auto s = split_sql("SELECT 1; -- trailing");
    EXPECT_EQ(s.statements, (strings{"SELECT 1"}));
    EXPECT_EQ(s.pending, "");
}

TEST(split_sql, pinned_create_source_splits_as_one_statement) {
    auto s = split_sql(
        "CREATE SOURCE bid (auction BIGINT, date_time TIMESTAMP,\n"
        "  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)\n"
        "WITH (topic = 'bid', format = 'json');\nSHOW SOURCES;\n");
    ASSERT_EQ(s.statements.size(), 2u);
    EXPECT_EQ(s.statements[1], "SHOW SOURCES");
    EXPECT_NE(s.statements[0].find("INTERVAL '4' SECOND)\nWITH"), std::string::npos);
}

TEST(sql_statement_buffer, statements_complete_across_lines) {
    sql_statement_buffer b;
    EXPECT_TRUE(b.feed("SELECT 'a").empty());
    EXPECT_TRUE(b.pending());
    EXPECT_TRUE(b.feed("b;c'").empty());
    auto done = b.feed(", 2; SELECT");
    EXPECT_EQ(done, (strings{"SELECT 'a\nb;c'\n, 2"}));
    EXPECT_TRUE(b.pending());
    EXPECT_EQ(b.feed("3;"), (strings{"SELECT\n3"}));
    EXPECT_FALSE(b.pending());
}

TEST(sql_statement_buffer, blank_and_comment_lines_leave_nothing_pending) {
    sql_statement_buffer b;
    EXPECT_TRUE(b.feed("   ").empty());
    EXPECT_FALSE(b.pending());
    EXPECT_TRUE(b.feed("-- note; more").empty());
    EXPECT_FALSE(b.pending());
    EXPECT_TRUE(b.feed("/* open").empty());
    EXPECT_TRUE(b.pending());
    EXPECT_TRUE(b.feed("still */").empty());
    EXPECT_FALSE(b.pending());
}

TEST(sql_statement_buffer, clear_discards_the_partial_statement) {
    sql_statement_buffer b;
    b.feed("SELECT 'oops");
    b.clear();
    EXPECT_FALSE(b.pending());
    EXPECT_EQ(b.feed("SELECT 1;"), (strings{"SELECT 1"}));
}

}  // namespace
}  // namespace sql_shell_split_test
}  // namespace spate::cli
