#include <gtest/gtest.h>

#include "sql/expr/tests/expr_test_util.h"

namespace spate::sql::testing {
namespace {

expr_ptr ts(std::string_view s) {
    return lit(type_id::timestamp, s);
}
expr_ptr tstz(std::string_view s) {
    return lit(type_id::timestamptz, s);
}
expr_ptr iv(std::string_view s) {
    return lit(type_id::interval, s);
}

std::string trunc(std::string unit, expr_ptr v) {
    return run_call("date_trunc", {lit_unknown(std::move(unit)), std::move(v)});
}

TEST(date_trunc, truncates_timestamps_to_each_unit) {
    auto v = ts("2024-03-15 13:45:30.123456");
    EXPECT_EQ(trunc("microseconds", v), "2024-03-15 13:45:30.123456");
    EXPECT_EQ(trunc("milliseconds", v), "2024-03-15 13:45:30.123");
    EXPECT_EQ(trunc("second", v), "2024-03-15 13:45:30");
    EXPECT_EQ(trunc("minute", v), "2024-03-15 13:45:00");
    EXPECT_EQ(trunc("HOUR", v), "2024-03-15 13:00:00");
    EXPECT_EQ(trunc("day", v), "2024-03-15 00:00:00");
    EXPECT_EQ(trunc("week", v), "2024-03-11 00:00:00");
    EXPECT_EQ(trunc("month", v), "2024-03-01 00:00:00");
    EXPECT_EQ(trunc("quarter", v), "2024-01-01 00:00:00");
    EXPECT_EQ(trunc("year", v), "2024-01-01 00:00:00");
    EXPECT_EQ(trunc("decade", v), "2020-01-01 00:00:00");
    EXPECT_EQ(trunc("century", v), "2001-01-01 00:00:00");
    EXPECT_EQ(trunc("millennium", v), "2001-01-01 00:00:00");
    EXPECT_EQ(trunc("hour", ts("1969-12-31 23:59:59")), "1969-12-31 23:00:00");
}

TEST(date_trunc, keeps_the_zone_type_and_rejects_unknown_units) {
    auto e = call("date_trunc", {lit_unknown("day"), tstz("2024-03-15 13:45:30+00")});
    EXPECT_EQ(e->type.id, type_id::timestamptz);
    EXPECT_EQ(run(e), "2024-03-15 00:00:00+00");
    EXPECT_EQ(trunc("fortnight", ts("2024-03-15 00:00:00")),
              "ERROR: unit \"fortnight\" not recognized for type timestamp without time zone");
    EXPECT_EQ(trunc("hour", iv("1 day 05:43:21")), "1 day 05:00:00");
}

std::string extract(std::string field, expr_ptr v) {
    return run_call("extract", {lit_unknown(std::move(field)), std::move(v)});
}

TEST(extract, returns_numeric_fields) {
    auto v = ts("2024-03-15 13:45:30.5");
    EXPECT_EQ(extract("year", v), "2024");
    EXPECT_EQ(extract("quarter", v), "1");
    EXPECT_EQ(extract("month", v), "3");
    EXPECT_EQ(extract("day", v), "15");
    EXPECT_EQ(extract("hour", v), "13");
    EXPECT_EQ(extract("minute", v), "45");
    EXPECT_EQ(extract("second", v), "30.500000");
    EXPECT_EQ(extract("milliseconds", v), "30500.000");
    EXPECT_EQ(extract("microseconds", v), "30500000");
    EXPECT_EQ(extract("dow", v), "5");
    EXPECT_EQ(extract("isodow", ts("2024-03-17 00:00:00")), "7");
    EXPECT_EQ(extract("doy", v), "75");
    EXPECT_EQ(extract("week", ts("2021-01-03 00:00:00")), "53");
    EXPECT_EQ(extract("decade", v), "202");
    EXPECT_EQ(extract("century", v), "21");
    EXPECT_EQ(extract("epoch", ts("1970-01-02 00:00:01.5")), "86401.500000");
    EXPECT_EQ(extract("epoch", iv("1 day 1 second")), "86401.000000");
    EXPECT_EQ(extract("month", iv("1 year 14 months")), "2");
    EXPECT_EQ(extract("day", lit(type_id::date, "2024-02-29")), "29");
    EXPECT_EQ(extract("hour", lit(type_id::time, "10:11:12")), "10");
}

TEST(extract, date_part_returns_double) {
    auto e = call("date_part", {lit_unknown("second"), ts("2024-03-15 13:45:30.5")});
    EXPECT_EQ(e->type.id, type_id::float64);
    EXPECT_EQ(run(e), "30.5");
}

std::string to_char(expr_ptr v, std::string fmt) {
    return run_call("to_char", {std::move(v), lit_unknown(std::move(fmt))});
}

TEST(to_char, formats_common_patterns) {
    auto v = ts("2024-03-05 13:04:09.123456");
    EXPECT_EQ(to_char(v, "YYYY-MM-DD HH24:MI:SS"), "2024-03-05 13:04:09");
    EXPECT_EQ(to_char(v, "HH12:MI AM"), "01:04 PM");
    EXPECT_EQ(to_char(v, "hh12 pm"), "01 pm");
    EXPECT_EQ(to_char(v, "MS US"), "123 123456");
    EXPECT_EQ(to_char(v, "Day, DD Month YYYY"), "Tuesday  , 05 March     2024");
    EXPECT_EQ(to_char(v, "FMDay FMMonth FMDD"), "Tuesday March 5");
    EXPECT_EQ(to_char(v, "DY Mon mon MON"), "TUE Mar mar MAR");
    EXPECT_EQ(to_char(v, "DDD IW Q YY"), "065 10 1 24");
    EXPECT_EQ(to_char(v, "\"Year\" YYYY"), "Year 2024");
    EXPECT_EQ(to_char(tstz("2024-03-05 13:04:09+00"), "HH24 TZ OF"), "13 UTC +00");
}

// A format of the date alone reuses its last day's text: each call still
// gets its own day, also across midnight, before 1970 and after another format.
TEST(to_char, a_date_format_gives_each_rows_day_across_midnight_and_format_changes) {
    EXPECT_EQ(to_char(ts("2024-03-05 00:00:00"), "YYYY-MM-DD"), "2024-03-05");
    EXPECT_EQ(to_char(ts("2024-03-05 23:59:59.999999"), "YYYY-MM-DD"), "2024-03-05");
    EXPECT_EQ(to_char(ts("2024-03-06 00:00:00"), "YYYY-MM-DD"), "2024-03-06");
    EXPECT_EQ(to_char(ts("2024-03-05 12:00:00"), "YYYY-MM-DD"), "2024-03-05");
    EXPECT_EQ(to_char(ts("1969-12-31 23:00:00"), "YYYY-MM-DD"), "1969-12-31");
    EXPECT_EQ(to_char(ts("1970-01-01 01:00:00"), "YYYY-MM-DD"), "1970-01-01");
    EXPECT_EQ(to_char(ts("2024-03-05 12:00:00"), "DD HH24"), "05 12");
    EXPECT_EQ(to_char(ts("2024-03-05 13:00:00"), "DD HH24"), "05 13");
    EXPECT_EQ(to_char(ts("2024-03-05 13:00:00"), "YYYY-MM-DD"), "2024-03-05");
    EXPECT_EQ(to_char(ts("2024-03-05 13:00:00"), "FMDay"), "Tuesday");
}

// Expected values from the pattern-by-pattern formatter the compiled one
// replaced; formats alternate, so each call recompiles or reuses.
TEST(to_char, compiled_formats_keep_escapes_modifiers_and_case) {
    auto v = ts("2024-03-05 13:04:09.123456");
    std::string odd = R"(FMx FM \\Y\\ "a\\"b" YYYY"unterminated)";
    EXPECT_EQ(to_char(v, odd), R"(x  \4\ a\b YYYYunter04nate3)");
    auto night = tstz("2024-03-05 01:04:09+00");
    std::string mixed = "a.m. P.M. tz Tz OF hh Am iyyy-iw-id FMHH12 FMMI y q ww d ddd";
    EXPECT_EQ(to_char(night, mixed), "a.m. A.M. utc UTC +00 01 AM 2024-10-2 1 4 4 1 10 3 065");
    EXPECT_EQ(to_char(v, odd), R"(x  \4\ a\b YYYYunter04nate3)");
    EXPECT_EQ(to_char(ts("0044-03-15 00:00:00"), "YYYY YYY FMYYYY MONTH month Mon DAY dy"),
              "0044 044 44 MARCH     march     Mar TUESDAY   tue");
    EXPECT_EQ(to_char(v, "tz\\\\"), "\\");
    EXPECT_EQ(to_char(v, ""), "");
    EXPECT_EQ(to_char(v, "YYYY-MM-DD"), "2024-03-05");
    EXPECT_EQ(to_char(ts("2024-03-06 00:00:00"), "YYYY-MM-DD"), "2024-03-06");
}

TEST(date_bin, bins_into_strides_from_the_origin) {
    auto bin = [](std::string stride, std::string source) {
        return run_call("date_bin", {iv(stride), ts(source), ts("2001-01-01 00:00:00")});
    };
    EXPECT_EQ(bin("15 minutes", "2020-02-11 15:44:17"), "2020-02-11 15:30:00");
    EXPECT_EQ(bin("1 day", "2020-02-11 15:44:17"), "2020-02-11 00:00:00");
    EXPECT_EQ(bin("15 minutes", "2000-12-31 23:59:00"), "2000-12-31 23:45:00");
    EXPECT_EQ(bin("1 month", "2020-02-11 15:44:17"),
              "ERROR: timestamps cannot be binned into intervals containing months or years");
    EXPECT_EQ(bin("0 seconds", "2020-02-11 15:44:17"), "ERROR: stride must be greater than zero");
}

TEST(datetime_functions, now_is_the_statement_time_and_volatile) {
    auto e = call("now", {});
    EXPECT_EQ(e->type.id, type_id::timestamptz);
    EXPECT_TRUE(e->function.volatile_);
    EXPECT_EQ(run(e), "2023-11-14 22:13:20+00");
    EXPECT_EQ(run(call("current_date", {})), "2023-11-14");
}

TEST(datetime_functions, to_timestamp_and_make_date) {
    EXPECT_EQ(run_call("to_timestamp", {expr::make_constant(value::float64(1.5))}),
              "1970-01-01 00:00:01.5+00");
    EXPECT_EQ(run_call("make_date", {lit_int(2024), lit_int(2), lit_int(29)}), "2024-02-29");
    EXPECT_EQ(run_call("make_date", {lit_int(2023), lit_int(2), lit_int(29)}),
              "ERROR: date field value out of range: 2023-2-29");
}

}  // namespace
}  // namespace spate::sql::testing

namespace spate::sql::testing {
namespace {

std::string number_to_char(std::string_view v, std::string fmt) {
    return run_call("to_char", {lit(type_id::numeric, v), lit_unknown(std::move(fmt))});
}

TEST(to_char, formats_numbers) {
    EXPECT_EQ(number_to_char("123.456", "999D99"), " 123.46");
    EXPECT_EQ(number_to_char("-12.5", "999D9"), " -12.5");
    EXPECT_EQ(number_to_char("5", "000"), " 005");
    EXPECT_EQ(number_to_char("0", "999"), "   0");
    EXPECT_EQ(number_to_char("5.10", "FM999D99"), "5.1");
    EXPECT_EQ(number_to_char("1234567", "9,999,999"), " 1,234,567");
    EXPECT_EQ(number_to_char("1234", "99"), " ##");
    EXPECT_EQ(run_call("to_char", {lit_int(42), lit_unknown("FM9999")}), "42");
}

}  // namespace
}  // namespace spate::sql::testing

namespace spate::sql::testing {
namespace {

std::string parse_ts(std::string in, std::string fmt) {
    return run_call("to_timestamp", {lit_text(std::move(in)), lit_text(std::move(fmt))});
}

TEST(to_timestamp, parses_with_a_format) {
    EXPECT_EQ(parse_ts("2024-03-05 13:04:09", "YYYY-MM-DD HH24:MI:SS"), "2024-03-05 13:04:09+00");
    EXPECT_EQ(parse_ts("05/03/2024 01:04 PM", "DD/MM/YYYY HH12:MI AM"), "2024-03-05 13:04:00+00");
    EXPECT_EQ(parse_ts("12 AM 2024-01-01", "HH AM YYYY-MM-DD"), "2024-01-01 00:00:00+00");
    EXPECT_EQ(parse_ts("2024-03-05 13:04:09.5", "YYYY-MM-DD HH24:MI:SS.US"),
              "2024-03-05 13:04:09.5+00");
    EXPECT_EQ(parse_ts("2024-03-05 13:04:09.123", "YYYY-MM-DD HH24:MI:SS.MS"),
              "2024-03-05 13:04:09.123+00");
    EXPECT_EQ(parse_ts("5 march 2024", "DD Month YYYY"), "2024-03-05 00:00:00+00");
    EXPECT_EQ(parse_ts("2024-02-30", "YYYY-MM-DD"), "ERROR: date/time field value out of range");
    EXPECT_EQ(parse_ts("2024-xx-01", "YYYY-MM-DD"), "ERROR: invalid value \"xx-01\" for \"MM\"");
    EXPECT_EQ(run_call("to_date", {lit_text("20240305"), lit_text("YYYYMMDD")}), "2024-03-05");
    EXPECT_EQ(run_call("to_date", {lit_text("2024 065"), lit_text("YYYY DDD")}), "2024-03-05");
}

}  // namespace
}  // namespace spate::sql::testing
