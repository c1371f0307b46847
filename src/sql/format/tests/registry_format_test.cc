#include "sql/format/registry_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/format/tests/registry_test_util.h"

namespace spate::sql {
namespace registry_format_test {
namespace {

using namespace registry_test;
using registry::schema_type;

const char* k_order_schema = R"({
  "type": "record", "name": "order", "namespace": "shop",
  "fields": [
    {"name": "id", "type": "int"},
    {"name": "name", "type": "string"},
    {"name": "price", "type": ["null", {"type": "bytes", "logicalType": "decimal",
                                        "precision": 10, "scale": 2}]},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "day", "type": {"type": "int", "logicalType": "date"}},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
    {"name": "qty", "type": ["null", "long"]},
    {"name": "kind", "type": {"type": "enum", "name": "kind", "symbols": ["A", "B"]}},
    {"name": "ok", "type": "boolean"},
    {"name": "ratio", "type": "double"}
  ]})";

// id=7 name="ab" price=123.45 ts=1700000000123 day=19000 tags=[x,y]
// qty=null kind=B ok=true ratio=0.5
std::string order_payload() {
    std::string p = zz(7) + avro_string("ab");
    p += zz(1) + zz(2) + std::string("\x30\x39", 2);  // branch 1: 12345
    p += zz(1700000000123) + zz(19000);
    p += zz(2) + avro_string("x") + avro_string("y") + zz(0);
    p += zz(0);  // qty: null branch
    p += zz(1) + std::string(1, '\x01');
    const double half = 0.5;
    p.append(reinterpret_cast<const char*>(&half), 8);  // little endian, as Avro
    return p;
}

TEST(confluent_framing, reads_the_id_after_the_magic_byte) {
    std::string v = framed(0x01020304, "rest");
    auto f = parse_framing(v);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f.value().schema_id, 0x01020304);
    EXPECT_EQ(f.value().payload, "rest");
}

TEST(confluent_framing, refuses_null_short_and_non_magic_values) {
    EXPECT_FALSE(parse_framing(std::nullopt).ok());
    EXPECT_FALSE(parse_framing(std::string_view("\0\0\0", 3)).ok());
    auto f = parse_framing(std::string_view("{\"a\": 1}"));
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find("magic byte"), std::string::npos);
}

TEST(registry_formats, need_a_schema_lookup) {
    std::vector<column_def> cols{{"a", data_type::of(type_id::int32)}};
    auto d = make_decoder(record_format::avro, cols);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error().code, sql_errc::feature_not_supported);
    EXPECT_NE(d.error().message.find("schema registry"), std::string::npos);
    EXPECT_FALSE(make_encoder(record_format::json_sr, cols).ok());
}

TEST(avro_columns, map_avro_types_to_sql_types) {
    auto cols = columns_from_schema({1, schema_type::avro, k_order_schema, {}});
    ASSERT_TRUE(cols.ok()) << cols.error().message;
    std::vector<std::string> got;
    for (const auto& c : cols.value())
        got.push_back(c.name + " " + type_display(c.type));
    std::vector<std::string> want{"id INT",
                                  "name TEXT",
                                  "price NUMERIC(10,2)",
                                  "ts TIMESTAMPTZ",
                                  "day DATE",
                                  "tags JSONB",
                                  "qty BIGINT",
                                  "kind TEXT",
                                  "ok BOOLEAN",
                                  "ratio DOUBLE PRECISION"};
    EXPECT_EQ(got, want);
}

TEST(avro_decoder, decodes_fields_by_name_with_logical_types) {
    auto cols = columns_from_schema({1, schema_type::avro, k_order_schema, {}});
    ASSERT_TRUE(cols.ok());
    auto l = lookup_with(1, schema_type::avro, k_order_schema);
    decoded d = decode_all(record_format::avro, cols.value(), {framed(1, order_payload())}, l);
    ASSERT_TRUE(d.failures.empty()) << d.failures[0].reason;
    ASSERT_EQ(d.out.rows(), 1u);
    std::vector<std::string> row;
    for (size_t c = 0; c < cols.value().size(); ++c)
        row.push_back(cell(d.out, c, 0));
    std::vector<std::string> want{
        "7", "ab", "123.45", "2023-11-14 22:13:20.123+00", "2022-01-08", "[\"x\", \"y\"]", "NULL",
        "B", "t",  "0.5"};
    EXPECT_EQ(row, want);
}

TEST(avro_decoder, matches_declared_columns_in_any_order_and_case) {
    std::vector<column_def> cols{{"ratio", data_type::of(type_id::numeric)},
                                 {"missing", data_type::of(type_id::text)},
                                 {"id", data_type::of(type_id::int64)},
                                 {"ts", data_type::of(type_id::timestamp)},
                                 {"name", data_type::of(type_id::jsonb)}};
    std::string schema = R"({"type": "record", "name": "r", "fields": [
        {"name": "ID", "type": "int"}, {"name": "name", "type": "string"},
        {"name": "ratio", "type": "double"},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}}]})";
    auto l = lookup_with(3, schema_type::avro, schema);
    const double v = 2.25;
    std::string payload = zz(-5) + avro_string(R"({"k": "q\""})") +
                          std::string(reinterpret_cast<const char*>(&v), 8) + zz(1500000);
    decoded d = decode_all(record_format::avro, cols, {framed(3, payload)}, l);
    ASSERT_TRUE(d.failures.empty()) << d.failures[0].reason;
    EXPECT_EQ(cell(d.out, 0, 0), "2.25");
    EXPECT_EQ(cell(d.out, 1, 0), "NULL");
    EXPECT_EQ(cell(d.out, 2, 0), "-5");
    EXPECT_EQ(cell(d.out, 3, 0), "1970-01-01 00:00:01.5");
    EXPECT_EQ(cell(d.out, 4, 0), R"({"k": "q\""})");  // a string into JSONB is JSON text
}

TEST(avro_decoder, fails_bad_records_and_keeps_the_good_ones) {
    std::string schema = R"({"type": "record", "name": "r", "fields": [
        {"name": "a", "type": "int"}, {"name": "s", "type": "string"}]})";
    auto l = lookup_with(1, schema_type::avro, schema);
    l->add({2, schema_type::json, R"({"type": "object"})", {}});
    std::vector<column_def> cols{{"a", data_type::of(type_id::int16)},
                                 {"s", data_type::of(type_id::text)}};
    decoded d = decode_all(record_format::avro, cols,
                           {
                               framed(1, zz(1) + avro_string("one")),
                               R"({"a": 2})",                              // no header
                               framed(9, zz(3) + avro_string("x")),        // unknown id
                               framed(1, zz(4) + zz(10) + "ab"),           // truncated string
                               framed(2, "{}"),                            // a JSON schema's id
                               framed(1, zz(40000) + avro_string("big")),  // > smallint
                               framed(1, zz(5) + avro_string("five")),
                           },
                           l);
    ASSERT_EQ(d.out.rows(), 2u);
    EXPECT_EQ(cell(d.out, 1, 0), "one");
    EXPECT_EQ(cell(d.out, 1, 1), "five");
    EXPECT_EQ(cell(d.out, 3, 1), "6");  // _offset of the last record
    ASSERT_EQ(d.failures.size(), 5u);
    EXPECT_EQ(d.failures[0].index, 1u);
    EXPECT_NE(d.failures[0].reason.find("magic"), std::string::npos);
    EXPECT_NE(d.failures[1].reason.find("schema id 9 is not registered"), std::string::npos);
    EXPECT_NE(d.failures[2].reason.find("truncated"), std::string::npos);
    EXPECT_NE(d.failures[3].reason.find("is a JSON schema, not AVRO"), std::string::npos);
    EXPECT_NE(d.failures[4].reason.find("out of range"), std::string::npos);
}

TEST(avro_decoder, refuses_lengths_and_counts_beyond_the_record) {
    auto l = lookup_with(1, schema_type::avro, R"({"type": "record", "name": "r", "fields": [
        {"name": "s", "type": "string"},
        {"name": "u", "type": ["null", {"type": "array", "items": "int"}]}]})");
    std::vector<column_def> cols{{"s", data_type::of(type_id::text)},
                                 {"u", data_type::of(type_id::jsonb)}};
    decoded d = decode_all(record_format::avro, cols,
                           {
                               framed(1, zz(int64_t{1} << 40) + "abc"),  // string length
                               framed(1, avro_string("a") + zz(1) + zz(1000000) + zz(0)),
                               framed(1, avro_string("a") + zz(2)),        // union branch
                               framed(1, avro_string("a") + zz(0) + "x"),  // trailing byte
                               framed(1, avro_string("a") + zz(1) + zz(2) + zz(5) + zz(6) + zz(0)),
                           },
                           l);
    ASSERT_EQ(d.failures.size(), 4u);
    EXPECT_NE(d.failures[0].reason.find("truncated"), std::string::npos);
    EXPECT_NE(d.failures[1].reason.find("block count"), std::string::npos);
    EXPECT_NE(d.failures[2].reason.find("union branch 2"), std::string::npos);
    EXPECT_NE(d.failures[3].reason.find("trailing"), std::string::npos);
    ASSERT_EQ(d.out.rows(), 1u);
    EXPECT_EQ(cell(d.out, 1, 0), "[5, 6]");
}

TEST(avro_decoder, reads_each_writer_schema_by_its_id) {
    auto l = lookup_with(1, schema_type::avro, R"({"type": "record", "name": "r", "fields": [
        {"name": "a", "type": "int"}]})");
    l->add({2, schema_type::avro, R"({"type": "record", "name": "r", "fields": [
        {"name": "b", "type": ["null", "string"], "default": null},
        {"name": "a", "type": "long"}]})"});
    std::vector<column_def> cols{{"a", data_type::of(type_id::int64)},
                                 {"b", data_type::of(type_id::text)}};
    decoded d = decode_all(record_format::avro, cols,
                           {framed(1, zz(1)), framed(2, zz(1) + avro_string("x") + zz(2))}, l);
    ASSERT_TRUE(d.failures.empty()) << d.failures[0].reason;
    EXPECT_EQ(cell(d.out, 0, 0), "1");
    EXPECT_EQ(cell(d.out, 1, 0), "NULL");
    EXPECT_EQ(cell(d.out, 0, 1), "2");
    EXPECT_EQ(cell(d.out, 1, 1), "x");
}

TEST(avro_decoder, nested_records_and_maps_become_jsonb) {
    std::string schema = R"({"type": "record", "name": "r", "fields": [
        {"name": "inner", "type": {"type": "record", "name": "in", "fields": [
            {"name": "x", "type": "int"}, {"name": "y", "type": ["null", "string"]}]}},
        {"name": "m", "type": {"type": "map", "values": "long"}},
        {"name": "u", "type": ["int", "string"]}]})";
    auto cols = columns_from_schema({4, schema_type::avro, schema, {}});
    ASSERT_TRUE(cols.ok());
    EXPECT_EQ(cols.value()[2].type.id, type_id::jsonb);  // a union of two types
    auto l = lookup_with(4, schema_type::avro, schema);
    std::string payload = zz(1) + zz(1) + avro_string("b");  // inner
    payload += zz(1) + avro_string("k") + zz(-3) + zz(0);    // m
    payload += zz(1) + avro_string("s");                     // u: string
    decoded d = decode_all(record_format::avro, cols.value(), {framed(4, payload)}, l);
    ASSERT_TRUE(d.failures.empty()) << d.failures[0].reason;
    EXPECT_EQ(cell(d.out, 0, 0), R"({"x": 1, "y": "b"})");
    EXPECT_EQ(cell(d.out, 1, 0), R"({"k": -3})");
    EXPECT_EQ(cell(d.out, 2, 0), R"("s")");
}

TEST(avro_sink, rows_round_trip_through_the_derived_schema) {
    expect_same_rows(round_trip(record_format::avro, k_sink_cols));
}

TEST(avro_sink, derived_schema_is_a_record_of_nullable_fields) {
    auto in = sink_schema(record_format::avro, "q1", k_sink_cols);
    ASSERT_TRUE(in.ok());
    EXPECT_EQ(in.value().type, schema_type::avro);
    EXPECT_NE(in.value().schema.find(R"("name":"q1")"), std::string::npos);
    EXPECT_NE(in.value().schema.find(
                  R"({"name":"price","type":["null",{"type":"bytes","logicalType":"decimal",)"
                  R"("precision":10,"scale":2}],"default":null})"),
              std::string::npos)
        << in.value().schema;
    auto back = columns_from_schema({1, schema_type::avro, in.value().schema, {}});
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value()[9].type.id, type_id::timestamp);
    EXPECT_EQ(back.value()[10].type.id, type_id::timestamptz);
}

TEST(avro_sink, refuses_column_names_avro_cannot_carry) {
    std::vector<column_def> cols{{"?column?", data_type::of(type_id::int32)}};
    auto in = sink_schema(record_format::avro, "q", cols);
    ASSERT_FALSE(in.ok());
    EXPECT_NE(in.error().message.find("name it with AS"), std::string::npos);
    std::vector<column_def> twice{{"a", data_type::of(type_id::int32)},
                                  {"a", data_type::of(type_id::text)}};
    EXPECT_FALSE(sink_schema(record_format::avro, "q", twice).ok());
}

TEST(avro_sink, encoder_refuses_a_schema_without_a_field_per_column) {
    auto l = lookup_with(1, schema_type::avro, R"({"type": "record", "name": "r", "fields": [
        {"name": "a", "type": ["null", "int"]}]})");
    std::vector<column_def> cols{{"a", data_type::of(type_id::int32)},
                                 {"b", data_type::of(type_id::text)}};
    auto enc = make_encoder(record_format::avro, cols, l->by_id(1).value());
    ASSERT_FALSE(enc.ok());
    EXPECT_NE(enc.error().message.find("no field for column \"b\""), std::string::npos);
    std::vector<column_def> text_a{{"a", data_type::of(type_id::text)}};
    EXPECT_FALSE(make_encoder(record_format::avro, text_a, l->by_id(1).value()).ok());
}

TEST(json_sr_sink, rows_round_trip_through_the_json_decoder) {
    expect_same_rows(round_trip(record_format::json_sr, k_sink_cols));
}

TEST(json_sr_decoder, strips_the_header_and_fails_unknown_or_foreign_ids) {
    auto l = lookup_with(1, schema_type::json, R"({"type": "object"})");
    l->add({2, schema_type::avro, R"("int")", {}});
    std::vector<column_def> cols{{"a", data_type::of(type_id::int32)}};
    decoded d =
        decode_all(record_format::json_sr, cols,
                   {framed(1, R"({"a": 1})"), R"({"a": 2})", framed(3, R"({"a": 3})"),
                    framed(2, R"({"a": 4})"), framed(1, R"({"a": "x"})"), framed(1, R"({"a": 6})")},
                   l);
    ASSERT_EQ(d.out.rows(), 2u);
    EXPECT_EQ(cell(d.out, 0, 1), "6");
    EXPECT_EQ(cell(d.out, 2, 1), "5");  // _offset
    ASSERT_EQ(d.failures.size(), 4u);
    EXPECT_EQ(d.failures[0].index, 1u);
    EXPECT_EQ(d.failures[1].index, 2u);
    EXPECT_EQ(d.failures[2].index, 3u);
    EXPECT_EQ(d.failures[3].index, 4u);
    EXPECT_NE(d.failures[3].reason.find("column \"a\""), std::string::npos);
}

TEST(json_schema_columns, map_properties_in_order) {
    const char* schema = R"({
      "$schema": "http://json-schema.org/draft-07/schema#",
      "type": "object",
      "definitions": {"money": {"type": "number"}},
      "properties": {
        "id": {"type": "integer"},
        "small": {"type": "integer", "connect.type": "int16"},
        "name": {"type": ["string", "null"]},
        "price": {"$ref": "#/definitions/money"},
        "at": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "ok": {"oneOf": [{"type": "null"}, {"type": "boolean"}]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "any": {}
      }})";
    auto cols = columns_from_schema({1, schema_type::json, schema, {}});
    ASSERT_TRUE(cols.ok()) << cols.error().message;
    std::vector<std::string> got;
    for (const auto& c : cols.value())
        got.push_back(c.name + " " + type_display(c.type));
    std::vector<std::string> want{
        "id BIGINT",      "small SMALLINT", "name TEXT",  "price DOUBLE PRECISION",
        "at TIMESTAMPTZ", "day DATE",       "ok BOOLEAN", "tags JSONB",
        "any JSONB"};
    EXPECT_EQ(got, want);
    auto none = columns_from_schema({2, schema_type::json, R"({"type": "string"})", {}});
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, sql_errc::feature_not_supported);
}

TEST(json_sr_sink, derived_schema_is_an_object_of_nullable_properties) {
    auto in = sink_schema(record_format::json_sr, "q1", k_sink_cols);
    ASSERT_TRUE(in.ok());
    EXPECT_EQ(in.value().type, schema_type::json);
    EXPECT_NE(in.value().schema.find(R"("title":"q1")"), std::string::npos);
    EXPECT_NE(in.value().schema.find(R"("id":{"type":["integer","null"]})"), std::string::npos);
    auto back = columns_from_schema({1, schema_type::json, in.value().schema, {}});
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value().size(), k_sink_cols.size());
    EXPECT_EQ(back.value()[7].type.id, type_id::date);
}

}  // namespace
}  // namespace registry_format_test
}  // namespace spate::sql
