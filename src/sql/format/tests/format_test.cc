#include "sql/format/format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "sql/types/text_io.h"

namespace spate::sql {
namespace format_test {
namespace {

record_view rec(std::string_view value, int64_t offset = 0) {
    record_view r;
    r.value = value;
    r.offset = offset;
    return r;
}

std::string cell(const chunk& c, size_t col, size_t row) {
    if (c.at(col).is_null(row)) return "NULL";
    std::string out;
    format_text(c.at(col), row, out);
    return out;
}

void expect_consistent(const chunk& c) {
    for (const column& col : c.columns())
        EXPECT_EQ(col.size(), c.rows());
}

struct decoded {
    chunk out;
    std::vector<decode_failure> failures;
};

decoded decode_all(record_format f, const std::vector<column_def>& cols,
                   const std::vector<record_view>& records, decoder_options o = {}) {
    auto d = make_decoder(f, cols, o);
    EXPECT_TRUE(d.ok());
    decoded r{make_source_chunk(cols), {}};
    d.value()->decode(records, r.out, r.failures);
    expect_consistent(r.out);
    return r;
}

TEST(record_format, names_parse_case_insensitively) {
    ASSERT_TRUE(parse_record_format("JSON").ok());
    EXPECT_EQ(parse_record_format("csv").value(), record_format::csv);
    EXPECT_EQ(format_name(record_format::raw), "raw");
    EXPECT_EQ(parse_record_format("Avro").value(), record_format::avro);
    EXPECT_EQ(parse_record_format("xml").error().code, sql_errc::invalid_parameter_value);
}

TEST(source_chunk, declared_columns_come_before_hidden_ones) {
    std::vector<column_def> cols{{"a", data_type::of(type_id::int32)}};
    chunk c = make_source_chunk(cols);
    ASSERT_EQ(c.width(), 7u);
    EXPECT_EQ(c.at(0).type().id, type_id::int32);
    EXPECT_EQ(c.at(3).type().id, type_id::timestamptz);
    EXPECT_EQ(c.at(5).type().id, type_id::jsonb);
    EXPECT_EQ(hidden_columns()[4].name, "_headers");
    EXPECT_EQ(hidden_columns()[5].name, "_proctime");
    EXPECT_EQ(c.at(6).type().id, type_id::timestamptz);
}

const std::vector<column_def> k_cols{
    {"id", data_type::of(type_id::int32)},  {"name", data_type::of(type_id::text)},
    {"price", data_type::numeric(10, 2)},   {"ts", data_type::of(type_id::timestamp)},
    {"doc", data_type::of(type_id::jsonb)}, {"ok", data_type::of(type_id::boolean)},
};

TEST(json_decoder, decodes_fields_by_name_with_nulls_for_missing) {
    std::vector<record_view> rs{
        rec(R"({"id": 1, "name": "a", "price": 1.505, "ts": "2024-01-02 03:04:05.5",
               "doc": {"z": 1, "a": [true]}, "ok": true, "extra": {"x": 1}})"),
        rec(R"({"ID": 2, "ts": 1700000000123, "price": "7", "name": 12.50, "ok": null})"),
    };
    decoded d = decode_all(record_format::json, k_cols, rs);
    ASSERT_TRUE(d.failures.empty()) << d.failures[0].reason;
    ASSERT_EQ(d.out.rows(), 2u);
    EXPECT_EQ(cell(d.out, 0, 0), "1");
    EXPECT_EQ(cell(d.out, 1, 0), "a");
    EXPECT_EQ(cell(d.out, 2, 0), "1.51");
    EXPECT_EQ(cell(d.out, 3, 0), "2024-01-02 03:04:05.5");
    EXPECT_EQ(cell(d.out, 4, 0), R"({"a": [true], "z": 1})");
    EXPECT_EQ(cell(d.out, 5, 0), "t");
    EXPECT_EQ(cell(d.out, 0, 1), "2");
    EXPECT_EQ(cell(d.out, 1, 1), "12.50");
    EXPECT_EQ(cell(d.out, 2, 1), "7.00");
    EXPECT_EQ(cell(d.out, 3, 1), "2023-11-14 22:13:20.123");
    EXPECT_EQ(cell(d.out, 4, 1), "NULL");
    EXPECT_EQ(cell(d.out, 5, 1), "NULL");
}

TEST(json_decoder, wrong_typed_field_fails_only_that_record) {
    std::vector<record_view> rs{
        rec(R"({"id": 1, "name": "first"})"),
        rec(R"({"name": "rolled back", "id": "x"})"),
        rec(R"({"id": 1.5})"),
        rec(R"({"id": 3000000000})"),
        rec(R"({"name": {"an": "object"}})"),
        rec(R"({"id": 2, "doc": [1, 2})"),
        rec(R"([1, 2])"),
        rec(R"({"id": 2} trailing)"),
        rec(R"({"ok": "maybe", "name": "x"})"),
        rec(R"({"id": 9, "name": "last"})"),
    };
    decoded d = decode_all(record_format::json, k_cols, rs);
    std::vector<size_t> failed;
    for (const decode_failure& f : d.failures)
        failed.push_back(f.index);
    EXPECT_EQ(failed, (std::vector<size_t>{1, 2, 3, 4, 5, 6, 7, 8}));
    ASSERT_EQ(d.out.rows(), 2u);
    EXPECT_EQ(cell(d.out, 1, 0), "first");
    EXPECT_EQ(cell(d.out, 1, 1), "last");
    EXPECT_EQ(d.out.at(1).strings().bytes, "firstlast");
    EXPECT_NE(d.failures[0].reason.find("column \"id\""), std::string::npos);
}

TEST(json_decoder, accepts_surrounding_whitespace_and_any_json_into_jsonb) {
    std::vector<column_def> cols{{"j", data_type::of(type_id::jsonb)},
                                 {"tz", data_type::of(type_id::timestamptz)},
                                 {"v", data_type{type_id::text, 2, -1, true}}};
    record_view tombstone;
    decoded d = decode_all(record_format::json, cols,
                           {rec("  {\"j\": \"s\", \"tz\": \"2024-01-02T00:00:00+01:00\"}\r\n"),
                            rec(R"({"j": 1.0e1, "v": "abc"})"), tombstone, rec(R"({"j": null})")});
    ASSERT_EQ(d.failures.size(), 2u);
    EXPECT_EQ(d.failures[0].index, 1u);
    EXPECT_EQ(d.failures[1].index, 2u);
    ASSERT_EQ(d.out.rows(), 2u);
    EXPECT_EQ(cell(d.out, 0, 0), "\"s\"");
    EXPECT_EQ(cell(d.out, 1, 0), "2024-01-01 23:00:00+00");
    EXPECT_EQ(cell(d.out, 0, 1), "NULL");
}

TEST(json_decoder, fills_hidden_columns_from_the_record) {
    record_header hs[] = {{"zz", std::string_view("1")}, {"a", std::nullopt}, {"zz", "2"}};
    record_view r = rec(R"({"id": 1})", 77);
    r.partition = 3;
    r.timestamp_ms = 1500;
    r.key = std::string_view("k\x01");
    r.headers = hs;
    record_view bare = rec(R"({"id": 2})", 78);
    decoded d = decode_all(record_format::json, k_cols, {r, bare});
    ASSERT_EQ(d.out.rows(), 2u);
    size_t h = k_cols.size();
    EXPECT_EQ(cell(d.out, h, 0), "3");
    EXPECT_EQ(cell(d.out, h + 1, 0), "77");
    EXPECT_EQ(cell(d.out, h + 2, 0), "1970-01-01 00:00:01.5+00");
    EXPECT_EQ(cell(d.out, h + 3, 0), "\\x6b01");
    EXPECT_EQ(cell(d.out, h + 4, 0), R"({"a": null, "zz": "2"})");
    EXPECT_EQ(cell(d.out, h + 2, 1), "NULL");
    EXPECT_EQ(cell(d.out, h + 3, 1), "NULL");
    EXPECT_EQ(cell(d.out, h + 4, 1), "NULL");
    EXPECT_EQ(cell(d.out, h + 1, 1), "78");
}

TEST(json_decoder, fills_only_the_hidden_columns_read_and_pads_the_others_with_nulls) {
    record_view first = rec(R"({"id": 1})", 77);
    first.partition = 3;
    first.timestamp_ms = 1500;
    first.key = std::string_view("k");
    record_view broken = rec(R"({"id": "x"})", 78);
    record_view last = rec(R"({"id": 2})", 79);
    last.key = std::string_view("j");
    decoder_options o;
    o.hidden_read = 2u | 8u;  // _offset and _key
    // Appends onto a chunk that already holds a row, as a second run does.
    auto d = make_decoder(record_format::json, k_cols, o);
    ASSERT_TRUE(d.ok());
    chunk out = make_source_chunk(k_cols);
    std::vector<decode_failure> failures;
    d.value()->decode(std::vector<record_view>{last}, out, failures);
    d.value()->decode(std::vector<record_view>{first, broken, last}, out, failures);
    expect_consistent(out);
    ASSERT_EQ(out.rows(), 3u);
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].index, 1u);
    size_t h = k_cols.size();
    EXPECT_EQ(cell(out, 0, 1), "1");
    EXPECT_EQ(cell(out, h + 1, 0), "79");
    EXPECT_EQ(cell(out, h + 1, 1), "77");
    EXPECT_EQ(cell(out, h + 1, 2), "79");
    EXPECT_EQ(cell(out, h + 3, 1), "\\x6b");
    EXPECT_EQ(cell(out, h + 3, 2), "\\x6a");
    for (size_t row = 0; row < 3; ++row) {
        EXPECT_EQ(cell(out, h, row), "NULL");      // _partition
        EXPECT_EQ(cell(out, h + 2, row), "NULL");  // _timestamp
        EXPECT_EQ(cell(out, h + 4, row), "NULL");  // _headers
        EXPECT_EQ(cell(out, h + 5, row), "NULL");  // _proctime
    }
}

TEST(csv_decoder, parses_rfc4180_with_quotes_and_empty_as_null) {
    std::vector<column_def> cols{{"id", data_type::of(type_id::int64)},
                                 {"s", data_type::of(type_id::text)},
                                 {"d", data_type::of(type_id::date)}};
    std::vector<record_view> rs{
        rec("id,s,d"),
        rec("1,\"a,\"\"b\"\"\n\",2024-01-02\r\n"),
        rec("2,,"),
        rec("3,\"\",2024-01-03"),
        rec("x,y,2024-01-01"),
        rec("4,too,many,fields"),
        rec("5,\"unterminated,2024-01-01"),
    };
    decoder_options o;
    o.csv_header = true;
    decoded d = decode_all(record_format::csv, cols, rs, o);
    std::vector<size_t> failed;
    for (const decode_failure& f : d.failures)
        failed.push_back(f.index);
    EXPECT_EQ(failed, (std::vector<size_t>{4, 5, 6}));
    ASSERT_EQ(d.out.rows(), 3u);
    EXPECT_EQ(cell(d.out, 1, 0), "a,\"b\"\n");
    EXPECT_EQ(cell(d.out, 2, 0), "2024-01-02");
    EXPECT_EQ(cell(d.out, 1, 1), "NULL");
    EXPECT_EQ(cell(d.out, 2, 1), "NULL");
    EXPECT_EQ(cell(d.out, 1, 2), "");
}

TEST(csv_decoder, honours_the_delimiter_option) {
    std::vector<column_def> cols{{"a", data_type::of(type_id::int32)},
                                 {"b", data_type::of(type_id::text)}};
    decoder_options o;
    o.csv_delimiter = ';';
    decoded d = decode_all(record_format::csv, cols, {rec("1;x,y")}, o);
    ASSERT_EQ(d.out.rows(), 1u);
    EXPECT_EQ(cell(d.out, 1, 0), "x,y");
}

TEST(raw_decoder, text_requires_utf8_and_bytea_takes_anything) {
    std::vector<column_def> text_col{{"v", data_type::of(type_id::text)}};
    record_view null_value;
    decoded d =
        decode_all(record_format::raw, text_col, {rec("h\xc3\xa9"), rec("bad\xff"), null_value});
    ASSERT_EQ(d.failures.size(), 1u);
    EXPECT_EQ(d.failures[0].index, 1u);
    ASSERT_EQ(d.out.rows(), 2u);
    EXPECT_EQ(cell(d.out, 0, 0), "h\xc3\xa9");
    EXPECT_EQ(cell(d.out, 0, 1), "NULL");

    std::vector<column_def> bytes_col{{"v", data_type::of(type_id::bytea)}};
    decoded b = decode_all(record_format::raw, bytes_col, {rec("bad\xff")});
    ASSERT_EQ(b.out.rows(), 1u);
    EXPECT_EQ(cell(b.out, 0, 0), "\\x626164ff");

    std::vector<column_def> two{{"a", data_type::of(type_id::text)},
                                {"b", data_type::of(type_id::text)}};
    EXPECT_FALSE(make_decoder(record_format::raw, two).ok());
    std::vector<column_def> wrong{{"a", data_type::of(type_id::int32)}};
    EXPECT_FALSE(make_decoder(record_format::raw, wrong).ok());
}

chunk sample_chunk(std::vector<column_def>& cols) {
    cols = {{"i", data_type::of(type_id::int64)},      {"n", data_type::numeric(10, 2)},
            {"f", data_type::of(type_id::float64)},    {"s", data_type::of(type_id::text)},
            {"ts", data_type::of(type_id::timestamp)}, {"tz", data_type::of(type_id::timestamptz)},
            {"b", data_type::of(type_id::bytea)},      {"j", data_type::of(type_id::jsonb)},
            {"ok", data_type::of(type_id::boolean)},   {"iv", data_type::of(type_id::interval)}};
    std::vector<column> c;
    for (const column_def& d : cols)
        c.emplace_back(d.type);
    const char* row0[] = {"42",
                          "1.50",
                          "0.1",
                          "a\"b\\\n\x01 \xff",
                          "2024-01-02 03:04:05.123",
                          "2024-01-02 03:04:05",
                          "\\x0a",
                          R"({"k": [1, 2]})",
                          "t",
                          "1 day"};
    for (size_t k = 0; k < cols.size(); ++k) {
        EXPECT_TRUE(parse_text(row0[k], cols[k].type, c[k]).ok()) << k;
    }
    for (column& col : c)
        col.push_null();
    return chunk(std::move(c));
}

TEST(json_encoder, writes_exact_values_in_column_order) {
    std::vector<column_def> cols;
    chunk in = sample_chunk(cols);
    auto e = make_encoder(record_format::json, cols);
    ASSERT_TRUE(e.ok());
    std::string out = "stale";
    e.value()->encode(in, 0, out);
    EXPECT_EQ(out,
              "{\"i\":42,\"n\":1.50,\"f\":0.1,\"s\":\"a\\\"b\\\\\\n\\u0001 \xef\xbf\xbd\","
              "\"ts\":\"2024-01-02 03:04:05.123\",\"tz\":\"2024-01-02 03:04:05+00\","
              "\"b\":\"\\\\x0a\",\"j\":{\"k\": [1, 2]},\"ok\":true,\"iv\":\"1 day\"}");
    e.value()->encode(in, 1, out);
    EXPECT_EQ(out,
              "{\"i\":null,\"n\":null,\"f\":null,\"s\":null,\"ts\":null,\"tz\":null,"
              "\"b\":null,\"j\":null,\"ok\":null,\"iv\":null}");
}

TEST(json_encoder, non_finite_floats_become_strings) {
    std::vector<column_def> cols{{"f", data_type::of(type_id::float64)}};
    std::vector<column> c;
    c.emplace_back(cols[0].type);
    c[0].push<double>(-std::numeric_limits<double>::infinity());
    chunk in(std::move(c));
    auto e = make_encoder(record_format::json, cols);
    std::string out;
    e.value()->encode(in, 0, out);
    EXPECT_EQ(out, R"({"f":"-Infinity"})");
}

TEST(json_codec, encode_then_decode_round_trips) {
    std::vector<column_def> cols;
    chunk in = sample_chunk(cols);
    auto e = make_encoder(record_format::json, cols);
    std::string r0, r1;
    e.value()->encode(in, 0, r0);
    e.value()->encode(in, 1, r1);
    decoded d = decode_all(record_format::json, cols, {rec(r0), rec(r1)});
    ASSERT_TRUE(d.failures.empty()) << d.failures[0].reason;
    ASSERT_EQ(d.out.rows(), 2u);
    for (size_t k = 0; k < cols.size(); ++k) {
        if (k == 3) continue;  // invalid UTF-8 was replaced on encode
        EXPECT_EQ(cell(d.out, k, 0), cell(in, k, 0)) << cols[k].name;
        EXPECT_EQ(cell(d.out, k, 1), "NULL");
    }
}

TEST(csv_encoder, quotes_only_when_needed_and_nulls_are_empty) {
    std::vector<column_def> cols{{"a", data_type::of(type_id::text)},
                                 {"b", data_type::of(type_id::int32)},
                                 {"c", data_type::of(type_id::text)}};
    std::vector<column> c;
    for (const column_def& d : cols)
        c.emplace_back(d.type);
    c[0].push_string("x,\"y\"");
    c[1].push_null();
    c[2].push_string("");
    c[0].push_string("plain");
    c[1].push<int32_t>(-5);
    c[2].push_string("two\nlines");
    chunk in(std::move(c));
    auto e = make_encoder(record_format::csv, cols);
    std::string out;
    e.value()->encode(in, 0, out);
    EXPECT_EQ(out, "\"x,\"\"y\"\"\",,\"\"");
    e.value()->encode(in, 1, out);
    EXPECT_EQ(out, "plain,-5,\"two\nlines\"");
}

TEST(raw_encoder, writes_bytes_or_text_form) {
    std::vector<column_def> cols{{"v", data_type::of(type_id::bytea)}};
    std::vector<column> c;
    c.emplace_back(cols[0].type);
    c[0].push_string(std::string_view("\x00\x01", 2));
    chunk in(std::move(c));
    auto e = make_encoder(record_format::raw, cols);
    std::string out;
    e.value()->encode(in, 0, out);
    EXPECT_EQ(out, std::string_view("\x00\x01", 2));
}

}  // namespace
}  // namespace format_test
}  // namespace spate::sql
