#include "pgwire/sqlstate.h"

#include <gtest/gtest.h>

namespace spate::pgwire {
namespace sqlstate_test {
namespace {

using sql::sql_errc;

TEST(sqlstate, maps_each_condition_to_its_postgresql_code) {
    EXPECT_EQ(sqlstate_of(sql_errc::syntax_error), "42601");
    EXPECT_EQ(sqlstate_of(sql_errc::undefined_table), "42P01");
    EXPECT_EQ(sqlstate_of(sql_errc::undefined_source_topic), "42P01");
    EXPECT_EQ(sqlstate_of(sql_errc::duplicate_table), "42P07");
    EXPECT_EQ(sqlstate_of(sql_errc::invalid_json_text), "22P02");
    EXPECT_EQ(sqlstate_of(sql_errc::division_by_zero), "22012");
    EXPECT_EQ(sqlstate_of(sql_errc::invalid_catalog_name), "3D000");
    EXPECT_EQ(sqlstate_of(sql_errc::query_canceled), "57014");
    EXPECT_EQ(sqlstate_of(sql_errc::protocol_violation), "08P01");
    EXPECT_EQ(sqlstate_of(sql_errc::io_error), "58030");
    EXPECT_EQ(sqlstate_of(sql_errc::insufficient_privilege), "42501");
    EXPECT_EQ(sqlstate_of(sql_errc::internal_error), "XX000");
}

TEST(sqlstate, every_code_is_five_characters) {
    for (int i = 0; i <= static_cast<int>(sql_errc::internal_error); ++i)
        EXPECT_EQ(sqlstate_of(static_cast<sql_errc>(i)).size(), 5u) << i;
}

TEST(sqlstate, only_internal_error_maps_to_XX000) {
    for (int i = 0; i < static_cast<int>(sql_errc::internal_error); ++i)
        EXPECT_NE(sqlstate_of(static_cast<sql_errc>(i)), "XX000") << i;
}

TEST(sqlstate, an_sql_error_keeps_its_position_detail_and_hint) {
    sql::sql_error e{sql_errc::undefined_column, "no such column", 8, "d", "h"};
    pg_error p = to_pg_error(e);
    EXPECT_EQ(p.sqlstate, "42703");
    EXPECT_EQ(p.severity, "ERROR");
    EXPECT_EQ(p.message, "no such column");
    EXPECT_EQ(p.position, 8);
    EXPECT_EQ(p.detail, "d");
    EXPECT_EQ(p.hint, "h");
}

}  // namespace
}  // namespace sqlstate_test
}  // namespace spate::pgwire
