#include "cli/sql_shell_format.h"

#include <gtest/gtest.h>

namespace spate::cli {
namespace sql_shell_format_test {
namespace {

TEST(format_sql_table, aligned_like_psql_with_row_count) {
    std::vector<sql_column> cols{{"name", false}, {"n", true}};
    std::vector<std::vector<sql_cell>> rows{{"bid", "12"}, {"auction", "3"}};
    EXPECT_EQ(format_sql_table(cols, rows),
              "  name   | n\n"
              "---------+----\n"
              " bid     | 12\n"
              " auction |  3\n"
              "(2 rows)\n\n");
}

TEST(format_sql_table, header_is_centred_and_lines_have_no_trailing_spaces) {
    std::vector<sql_column> cols{{"a", false}, {"b", false}};
    std::vector<std::vector<sql_cell>> rows{{"xxxxx", "y"}};
    EXPECT_EQ(format_sql_table(cols, rows),
              "   a   | b\n"
              "-------+---\n"
              " xxxxx | y\n"
              "(1 row)\n\n");
}

TEST(format_sql_table, nulls_print_empty_and_short_rows_are_padded) {
    std::vector<sql_column> cols{{"x", true}, {"y", false}};
    std::vector<std::vector<sql_cell>> rows{{std::nullopt, "v"}, {"7"}};
    EXPECT_EQ(format_sql_table(cols, rows),
              " x | y\n"
              "---+---\n"
              "   | v\n"
              " 7 |\n"
              "(2 rows)\n\n");
}

TEST(format_sql_table, no_rows_still_prints_header_and_count) {
    std::vector<sql_column> cols{{"source", false}};
    EXPECT_EQ(format_sql_table(cols, {}),
              " source\n"
              "--------\n"
              "(0 rows)\n\n");
}

TEST(format_sql_table, widths_count_code_points_not_bytes) {
    std::vector<sql_column> cols{{"c", false}, {"d", false}};
    std::vector<std::vector<sql_cell>> rows{{"\xc3\xa9t\xc3\xa9", "1"}, {"abcd", "2"}};
    EXPECT_EQ(format_sql_table(cols, rows),
              "  c   | d\n"
              "------+---\n"
              " \xc3\xa9t\xc3\xa9  | 1\n"
              " abcd | 2\n"
              "(2 rows)\n\n");
}

TEST(format_sql_table, multi_line_cells_span_lines) {
    std::vector<sql_column> cols{{"QUERY PLAN", false}, {"k", true}};
    std::vector<std::vector<sql_cell>> rows{{"Sink q1\n  Project", "1"}};
    EXPECT_EQ(format_sql_table(cols, rows),
              " QUERY PLAN | k\n"
              "------------+---\n"
              " Sink q1    | 1\n"
              "   Project  |\n"
              "(1 row)\n\n");
}

TEST(format_row_count, singular_and_plural) {
    EXPECT_EQ(format_row_count(0), "(0 rows)");
    EXPECT_EQ(format_row_count(1), "(1 row)");
    EXPECT_EQ(format_row_count(25), "(25 rows)");
}

TEST(is_numeric_type_oid, numbers_right_text_left) {
    EXPECT_TRUE(is_numeric_type_oid(20));
    EXPECT_TRUE(is_numeric_type_oid(1700));
    EXPECT_TRUE(is_numeric_type_oid(701));
    EXPECT_FALSE(is_numeric_type_oid(25));    // text
    EXPECT_FALSE(is_numeric_type_oid(1043));  // varchar
    EXPECT_FALSE(is_numeric_type_oid(1114));  // timestamp
}

TEST(format_sql_error, message_with_sqlstate) {
    sql_error_report e;
    e.sqlstate = "42P01";
    e.message = "source \"bid\" does not exist";
    EXPECT_EQ(format_sql_error(e, "DROP SOURCE bid"),
              "ERROR:  source \"bid\" does not exist (SQLSTATE 42P01)\n");
}

TEST(format_sql_error, position_points_at_the_line_and_column) {
    sql_error_report e;
    e.sqlstate = "42601";
    e.message = "syntax error at or near \"FORM\"";
    e.position = 19;
    e.detail = "d";
    e.hint = "h";
    EXPECT_EQ(format_sql_error(e, "SELECT a\nSELECT * FORM t"),
              "ERROR:  syntax error at or near \"FORM\" (SQLSTATE 42601)\n"
              "LINE 2: SELECT * FORM t\n"
              "                 ^\n"
              "DETAIL:  d\n"
              "HINT:  h\n");
}

TEST(format_sql_error, position_past_the_end_points_after_the_text) {
    sql_error_report e;
    e.message = "syntax error at end of input";
    e.position = 7;
    EXPECT_EQ(format_sql_error(e, "SELECT"),
              "ERROR:  syntax error at end of input\n"
              "LINE 1: SELECT\n"
              "              ^\n");
}

TEST(format_sql_error, notice_severity_is_kept) {
    sql_error_report e;
    e.severity = "NOTICE";
    e.message = "sink q1 already exists, skipping";
    EXPECT_EQ(format_sql_error(e, ""), "NOTICE:  sink q1 already exists, skipping\n");
}

}  // namespace
}  // namespace sql_shell_format_test
}  // namespace spate::cli
