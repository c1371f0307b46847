#include "sql/types/text_io.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/types/text_detail.h"

namespace spate::sql {
namespace text_io_test {
namespace {

data_type t(type_id id) {
    return data_type::of(id);
}

// Parses `text` as `type` and prints it back; "ERR:<message>" on failure.
std::string round_trip(std::string_view text, data_type type) {
    column c(type);
    sql_status st = parse_text(text, type, c);
    if (!st) return "ERR:" + st.error().message;
    EXPECT_EQ(c.size(), 1u);
    std::string out;
    format_text(c, 0, out);
    return out;
}

sql_errc error_of(std::string_view text, data_type type) {
    column c(type);
    sql_status st = parse_text(text, type, c);
    EXPECT_FALSE(st.ok()) << text;
    EXPECT_EQ(c.size(), 0u) << "failed parse must append nothing";
    return st.ok() ? sql_errc::internal_error : st.error().code;
}

TEST(text_io, booleans_accept_postgres_spellings) {
    for (const char* s : {"t", "TRUE", " yes ", "on", "1", "y", "tr"}) {
        EXPECT_EQ(round_trip(s, t(type_id::boolean)), "t") << s;
    }
    for (const char* s : {"f", "false", "no", "off", "0", "N"}) {
        EXPECT_EQ(round_trip(s, t(type_id::boolean)), "f") << s;
    }
    EXPECT_EQ(round_trip("o", t(type_id::boolean)),
              "ERR:invalid input syntax for type boolean: \"o\"");
    EXPECT_EQ(error_of("maybe", t(type_id::boolean)), sql_errc::invalid_text_representation);
}

TEST(text_io, integers_check_syntax_and_range) {
    EXPECT_EQ(round_trip(" 42 ", t(type_id::int32)), "42");
    EXPECT_EQ(round_trip("+7", t(type_id::int16)), "7");
    EXPECT_EQ(round_trip("-9223372036854775808", t(type_id::int64)), "-9223372036854775808");
    EXPECT_EQ(round_trip("abc", t(type_id::int32)),
              "ERR:invalid input syntax for type integer: \"abc\"");
    EXPECT_EQ(error_of("1.5", t(type_id::int32)), sql_errc::invalid_text_representation);
    EXPECT_EQ(error_of("", t(type_id::int32)), sql_errc::invalid_text_representation);
    EXPECT_EQ(error_of("++1", t(type_id::int32)), sql_errc::invalid_text_representation);
    EXPECT_EQ(round_trip("32768", t(type_id::int16)),
              "ERR:value \"32768\" is out of range for type smallint");
    EXPECT_EQ(error_of("9223372036854775808", t(type_id::int64)),
              sql_errc::numeric_value_out_of_range);
    EXPECT_EQ(error_of("2147483648", t(type_id::int32)), sql_errc::numeric_value_out_of_range);
}

TEST(text_io, floats_print_shortest_round_trip_like_postgres) {
    data_type f8 = t(type_id::float64), f4 = t(type_id::float32);
    EXPECT_EQ(round_trip("0.1", f8), "0.1");
    EXPECT_EQ(round_trip("1.5", f8), "1.5");
    EXPECT_EQ(round_trip("100", f8), "100");
    EXPECT_EQ(round_trip("1e15", f8), "1e+15");
    EXPECT_EQ(round_trip("1e14", f8), "100000000000000");
    EXPECT_EQ(round_trip("0.0001", f8), "0.0001");
    EXPECT_EQ(round_trip("0.00001", f8), "1e-05");
    EXPECT_EQ(round_trip("123456789012345678", f8), "1.2345678901234568e+17");
    EXPECT_EQ(round_trip("-0", f8), "-0");
    EXPECT_EQ(round_trip("NaN", f8), "NaN");
    EXPECT_EQ(round_trip("infinity", f8), "Infinity");
    EXPECT_EQ(round_trip("-Infinity", f8), "-Infinity");
    EXPECT_EQ(round_trip("0.1", f4), "0.1");
    EXPECT_EQ(round_trip("1e6", f4), "1e+06");
    EXPECT_EQ(round_trip("100000", f4), "100000");
    EXPECT_EQ(error_of("1e400", f8), sql_errc::numeric_value_out_of_range);
    EXPECT_EQ(error_of("1e39", f4), sql_errc::numeric_value_out_of_range);
    EXPECT_EQ(round_trip("x1", f8), "ERR:invalid input syntax for type double precision: \"x1\"");
}

TEST(text_io, numeric_keeps_scale_and_accepts_exponents) {
    data_type n = t(type_id::numeric);
    EXPECT_EQ(round_trip("1.50", n), "1.50");
    EXPECT_EQ(round_trip("-3", n), "-3");
    EXPECT_EQ(round_trip("1e3", n), "1000");
    EXPECT_EQ(round_trip(".5", n), "0.5");
    EXPECT_EQ(round_trip("-0.05", n), "-0.05");
    EXPECT_EQ(round_trip("1.5e-3", n), "0.0015");
    EXPECT_EQ(round_trip("  007.10 ", n), "7.10");
    EXPECT_EQ(round_trip("99999999999999999999999999999999999999", n),
              "99999999999999999999999999999999999999");
    EXPECT_EQ(error_of("999999999999999999999999999999999999999", n),
              sql_errc::numeric_value_out_of_range);
    EXPECT_EQ(round_trip("1.2.3", n), "ERR:invalid input syntax for type numeric: \"1.2.3\"");
    EXPECT_EQ(error_of("e5", n), sql_errc::invalid_text_representation);
}

// Digits of |v| the slow way: a 128-bit division per digit.
std::string reference_digits(__int128 v) {
    unsigned __int128 a = v < 0 ? -static_cast<unsigned __int128>(v) : v;
    std::string r;
    do {
        r.insert(r.begin(), static_cast<char>('0' + static_cast<int>(a % 10)));
        a /= 10;
    } while (a != 0);
    return r;
}

TEST(text_io, numeric_digits_are_exact_around_the_64_bit_boundary_and_at_38_digits) {
    std::vector<__int128> values = {0, 1, 9, 10, 99, 100, 1'000'000'007};
    __int128 p = 1;
    for (int i = 0; i <= 38; ++i) {
        for (__int128 v : {p - 1, p, p + 1})
            values.push_back(v);
        if (i < 38) p *= 10;
    }
    auto u64_max = static_cast<__int128>(UINT64_MAX);
    for (__int128 v : {u64_max - 1, u64_max, u64_max + 1, u64_max * 10 + 7,
                       (static_cast<__int128>(1) << 126) + 12345})
        values.push_back(v);
    for (__int128 v : values) {
        for (__int128 s : {v, -v}) {
            std::string digits = reference_digits(s);
            std::string out;
            text_detail::append_u128(s < 0 ? -static_cast<unsigned __int128>(s) : s, out);
            EXPECT_EQ(out, digits);
            out.clear();
            text_detail::format_decimal(decimal{s, 0}, out);
            EXPECT_EQ(out, (s < 0 ? "-" : "") + digits);
        }
    }
    std::string out;
    text_detail::format_decimal(decimal{-(u64_max + 1), 25}, out);
    EXPECT_EQ(out, "-0.0000018446744073709551616");
    out.clear();
    text_detail::format_decimal(decimal{(u64_max + 1) * 1000, 4}, out);
    EXPECT_EQ(out, "1844674407370955161.6000");
}

TEST(text_io, numeric_typmod_rounds_half_away_from_zero_and_checks_precision) {
    data_type n52 = data_type::numeric(5, 2);
    EXPECT_EQ(round_trip("1.005", n52), "1.01");
    EXPECT_EQ(round_trip("-1.005", n52), "-1.01");
    EXPECT_EQ(round_trip("1.004", n52), "1.00");
    EXPECT_EQ(round_trip("3", n52), "3.00");
    EXPECT_EQ(round_trip("999.99", n52), "999.99");
    EXPECT_EQ(error_of("999.995", n52), sql_errc::numeric_value_out_of_range);
    EXPECT_EQ(error_of("1000", n52), sql_errc::numeric_value_out_of_range);
    EXPECT_EQ(round_trip("2.5", data_type::numeric(3, -1)), "3");
}

TEST(text_io, varchar_length_counts_characters_and_forgives_trailing_spaces) {
    data_type v3{type_id::text, 3, -1, true};
    EXPECT_EQ(round_trip("abc", v3), "abc");
    EXPECT_EQ(round_trip("\xc3\xa9\xc3\xa9\xc3\xa9", v3), "\xc3\xa9\xc3\xa9\xc3\xa9");
    EXPECT_EQ(round_trip("ab   ", v3), "ab ");
    EXPECT_EQ(round_trip("abcd", v3), "ERR:value too long for type character varying(3)");
    EXPECT_EQ(error_of("abcd", v3), sql_errc::string_data_right_truncation);
    EXPECT_EQ(round_trip("anything long", t(type_id::text)), "anything long");
}

TEST(text_io, bytea_hex_and_escape_input_hex_output) {
    data_type b = t(type_id::bytea);
    EXPECT_EQ(round_trip("\\x0a0B", b), "\\x0a0b");
    EXPECT_EQ(round_trip("\\x", b), "\\x");
    EXPECT_EQ(round_trip("ab\\\\c\\001", b), "\\x61625c6301");
    EXPECT_EQ(error_of("\\x0", b), sql_errc::invalid_parameter_value);
    EXPECT_EQ(error_of("\\xzz", b), sql_errc::invalid_parameter_value);
    EXPECT_EQ(error_of("a\\9", b), sql_errc::invalid_text_representation);
}

TEST(text_io, dates_parse_iso_and_check_fields) {
    data_type d = t(type_id::date);
    EXPECT_EQ(round_trip("2024-02-29", d), "2024-02-29");
    EXPECT_EQ(round_trip(" 1970-01-01 ", d), "1970-01-01");
    EXPECT_EQ(round_trip("1969-12-31", d), "1969-12-31");
    EXPECT_EQ(round_trip("0044-03-15 BC", d), "0044-03-15 BC");
    EXPECT_EQ(round_trip("infinity", d), "infinity");
    EXPECT_EQ(round_trip("2024-01-02 23:59:59+05", d), "2024-01-02");
    EXPECT_EQ(error_of("2024-01-02 nonsense", d), sql_errc::invalid_datetime_format);
    EXPECT_EQ(round_trip("2023-02-29", d),
              "ERR:date/time field value out of range: \"2023-02-29\"");
    EXPECT_EQ(error_of("2024-13-01", d), sql_errc::datetime_field_overflow);
    EXPECT_EQ(round_trip("nope", d), "ERR:invalid input syntax for type date: \"nope\"");
    EXPECT_EQ(error_of("2024/01/01", d), sql_errc::invalid_datetime_format);
    auto v = parse_value("1970-01-02", d);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value().get<int32_t>(), 1);
}

TEST(text_io, times_trim_fraction_and_allow_24_00) {
    data_type tm = t(type_id::time);
    EXPECT_EQ(round_trip("03:04:05", tm), "03:04:05");
    EXPECT_EQ(round_trip("03:04", tm), "03:04:00");
    EXPECT_EQ(round_trip("03:04:05.120", tm), "03:04:05.12");
    EXPECT_EQ(round_trip("03:04:05.1234567", tm), "03:04:05.123457");
    EXPECT_EQ(round_trip("24:00:00", tm), "24:00:00");
    EXPECT_EQ(error_of("24:00:01", tm), sql_errc::datetime_field_overflow);
    EXPECT_EQ(error_of("12:60", tm), sql_errc::datetime_field_overflow);
    EXPECT_EQ(error_of("noon", tm), sql_errc::invalid_datetime_format);
}

TEST(text_io, timestamps_accept_iso_forms_and_print_like_postgres) {
    data_type ts = t(type_id::timestamp), tz = t(type_id::timestamptz);
    EXPECT_EQ(round_trip("2024-01-02 03:04:05.12", ts), "2024-01-02 03:04:05.12");
    EXPECT_EQ(round_trip("2024-01-02T03:04:05", ts), "2024-01-02 03:04:05");
    EXPECT_EQ(round_trip("2024-01-02", ts), "2024-01-02 00:00:00");
    EXPECT_EQ(round_trip("2024-01-02 03:04:05+02", ts), "2024-01-02 03:04:05");
    EXPECT_EQ(round_trip("1970-01-01T00:00:00Z", tz), "1970-01-01 00:00:00+00");
    EXPECT_EQ(round_trip("2024-01-02 03:04:05+02", tz), "2024-01-02 01:04:05+00");
    EXPECT_EQ(round_trip("2024-01-02 03:04:05-05:30", tz), "2024-01-02 08:34:05+00");
    EXPECT_EQ(round_trip("2024-01-02T03:04:05.5+0100", tz), "2024-01-02 02:04:05.5+00");
    EXPECT_EQ(round_trip("1969-12-31 23:59:59.999999", ts), "1969-12-31 23:59:59.999999");
    EXPECT_EQ(round_trip("-infinity", tz), "-infinity");
    EXPECT_EQ(error_of("2024-01-02 25:00", ts), sql_errc::datetime_field_overflow);
    EXPECT_EQ(error_of("2024-01-02 03:04:05 +99", tz), sql_errc::datetime_field_overflow);
    EXPECT_EQ(round_trip("yesterday-ish", ts),
              "ERR:invalid input syntax for type timestamp without time zone: \"yesterday-ish\"");
    EXPECT_EQ(error_of("2024-01-02X03:04", tz), sql_errc::invalid_datetime_format);

    auto micros = parse_timestamp("1970-01-01 00:00:01.5", false);
    ASSERT_TRUE(micros.ok());
    EXPECT_EQ(micros.value(), 1'500'000);
    std::string out;
    format_timestamp(-1, true, out);
    EXPECT_EQ(out, "1969-12-31 23:59:59.999999+00");
}

TEST(text_io, intervals_parse_words_clock_and_iso) {
    data_type iv = t(type_id::interval);
    EXPECT_EQ(round_trip("1 day", iv), "1 day");
    EXPECT_EQ(round_trip("4 seconds", iv), "00:00:04");
    EXPECT_EQ(round_trip("1 year 2 mons", iv), "1 year 2 mons");
    EXPECT_EQ(round_trip("01:02:03", iv), "01:02:03");
    EXPECT_EQ(round_trip("P1DT2H", iv), "1 day 02:00:00");
    EXPECT_EQ(round_trip("-1 hours", iv), "-01:00:00");
    EXPECT_EQ(round_trip("-1 days", iv), "-1 days");
    EXPECT_EQ(round_trip("1 year 2 months 3 days 04:05:06.5", iv),
              "1 year 2 mons 3 days 04:05:06.5");
    EXPECT_EQ(round_trip("-1 day 2 hours", iv), "-1 days +02:00:00");
    EXPECT_EQ(round_trip("1.5 days", iv), "1 day 12:00:00");
    EXPECT_EQ(round_trip("1.5 months", iv), "1 mon 15 days");
    EXPECT_EQ(round_trip("2 weeks", iv), "14 days");
    EXPECT_EQ(round_trip("500 ms", iv), "00:00:00.5");
    EXPECT_EQ(round_trip("0", iv), "00:00:00");
    EXPECT_EQ(round_trip("100 hours", iv), "100:00:00");
    EXPECT_EQ(round_trip("1 day ago", iv), "-1 days");
    EXPECT_EQ(round_trip("1.5 years", iv), "1 year 6 mons");
    EXPECT_EQ(round_trip("@ 1 minute ago", iv), "-00:01:00");
    EXPECT_EQ(error_of("99999999999 days", iv), sql_errc::datetime_field_overflow);
    EXPECT_EQ(round_trip("P1Y2M3W4DT5H6M7.5S", iv), "1 year 2 mons 25 days 05:06:07.5");
    EXPECT_EQ(round_trip("1 fortnight", iv),
              "ERR:invalid input syntax for type interval: \"1 fortnight\"");
    EXPECT_EQ(error_of("", iv), sql_errc::invalid_datetime_format);
    EXPECT_EQ(error_of("P", iv), sql_errc::invalid_datetime_format);
    auto v = parse_value("1 mon 2 days 00:00:01", iv);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value().get<interval_value>(), (interval_value{1, 2, 1'000'000}));
}

TEST(text_io, jsonb_normalises_like_postgres) {
    data_type j = t(type_id::jsonb);
    EXPECT_EQ(round_trip(R"({"bb":[1,2],"a":1})", j), R"({"a": 1, "bb": [1, 2]})");
    EXPECT_EQ(round_trip(R"({"b":1,"aa":2,"a":3})", j), R"({"a": 3, "b": 1, "aa": 2})");
    EXPECT_EQ(round_trip(R"({"a":1,"a":2})", j), R"({"a": 2})");
    EXPECT_EQ(round_trip(R"( [1.50, 1e3, -0, true, null, "x\u00e9\n"] )", j),
              "[1.50, 1000, 0, true, null, \"x\xc3\xa9\\n\"]");
    EXPECT_EQ(round_trip("\"just a string\"", j), "\"just a string\"");
    EXPECT_EQ(round_trip("12", j), "12");
    EXPECT_EQ(round_trip("{}", j), "{}");
    EXPECT_EQ(round_trip(R"({"b":[{"y":1,"x":{"q":1,"p":2}}],"a":{"d":1,"c":2,"d":3}})", j),
              R"({"a": {"c": 2, "d": 3}, "b": [{"x": {"p": 2, "q": 1}, "y": 1}]})");
    EXPECT_EQ(round_trip(R"({"k":"tab\there \"q\" \\ \u0001"})", j),
              R"({"k": "tab\there \"q\" \\ \u0001"})");
    EXPECT_EQ(round_trip("[[], {\"k\": {}}]", j), "[[], {\"k\": {}}]");
    EXPECT_EQ(error_of("{", j), sql_errc::invalid_text_representation);
    EXPECT_EQ(error_of("{\"a\":1} x", j), sql_errc::invalid_text_representation);
    EXPECT_EQ(error_of("[1] [2]", j), sql_errc::invalid_text_representation);
    EXPECT_EQ(error_of("01", j), sql_errc::invalid_text_representation);
    EXPECT_EQ(error_of("[1,]", j), sql_errc::invalid_text_representation);
    EXPECT_EQ(error_of("nul", j), sql_errc::invalid_text_representation);
}

TEST(text_io, format_value_matches_column_format) {
    EXPECT_EQ(format_text(value::numeric(decimal{-5, 3})), "-0.005");
    EXPECT_EQ(format_text(value::boolean(true)), "t");
    EXPECT_EQ(format_text(value::temporal(type_id::timestamptz, 0)), "1970-01-01 00:00:00+00");
    EXPECT_EQ(format_text(value::interval(interval_value{14, 0, 0})), "1 year 2 mons");
    EXPECT_EQ(format_text(value::interval(interval_value{-1, 0, 0})), "-1 mons");
    EXPECT_EQ(format_text(value::date(-719162)), "0001-01-01");
    EXPECT_EQ(format_text(value::date(-719163)), "0001-12-31 BC");
}

}  // namespace
}  // namespace text_io_test
}  // namespace spate::sql
