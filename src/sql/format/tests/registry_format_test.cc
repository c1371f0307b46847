#include "sql/format/registry_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/types/text_io.h"

namespace spate::sql {
namespace {

using registry::schema_type;

std::string cell(const chunk& c, size_t col, size_t row) {
    if (c.at(col).is_null(row)) return "NULL";
    std::string out;
    format_text(c.at(col), row, out);
    return out;
}

// Avro binary pieces.
std::string zz(int64_t v) {
    auto u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
    std::string out;
    do {
        uint8_t b = u & 0x7f;
        u >>= 7;
        out.push_back(static_cast<char>(u ? b | 0x80 : b));
    } while (u);
    return out;
}
std::string avro_string(std::string_view s) {
    return zz(static_cast<int64_t>(s.size())) + std::string(s);
}
std::string framed(int32_t id, const std::string& payload) {
    std::string out;
    append_framing(id, out);
    return out + payload;
}

struct decoded {
    chunk out;
    std::vector<decode_failure> failures;
};

decoded decode_all(record_format f, const std::vector<column_def>& cols,
                   const std::vector<std::string>& values,
                   const std::shared_ptr<schema_lookup>& schemas) {
    auto d = make_decoder(f, cols, {}, schemas);
    EXPECT_TRUE(d.ok()) << d.error().message;
    std::vector<record_view> rs;
    for (size_t i = 0; i < values.size(); ++i) {
        record_view r;
        r.value = values[i];
        r.offset = static_cast<int64_t>(i);
        rs.push_back(r);
    }
    decoded r{make_source_chunk(cols), {}};
    d.value()->decode(rs, r.out, r.failures);
    for (const column& col : r.out.columns())
        EXPECT_EQ(col.size(), r.out.rows());
    return r;
}

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

std::shared_ptr<static_schema_lookup> lookup_with(int32_t id, schema_type t, std::string text) {
    auto l = std::make_shared<static_schema_lookup>();
    l->add({id, t, std::move(text), {}});
    return l;
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

const std::vector<column_def> k_sink_cols{
    {"id", data_type::of(type_id::int32)},         {"big", data_type::of(type_id::int64)},
    {"name", data_type::of(type_id::text)},        {"price", data_type::numeric(10, 2)},
    {"amount", data_type::of(type_id::numeric)},   {"ratio", data_type::of(type_id::float64)},
    {"ok", data_type::of(type_id::boolean)},       {"day", data_type::of(type_id::date)},
    {"at", data_type::of(type_id::time)},          {"ts", data_type::of(type_id::timestamp)},
    {"tstz", data_type::of(type_id::timestamptz)}, {"raw", data_type::of(type_id::bytea)},
    {"doc", data_type::of(type_id::jsonb)},        {"span", data_type::of(type_id::interval)},
};

chunk sink_rows() {
    std::vector<column> cols;
    for (const column_def& d : k_sink_cols)
        cols.emplace_back(d.type);
    chunk c(std::move(cols));
    std::vector<std::vector<std::string>> rows{
        {"1", "-9000000000", "héllo", "-12.50", "3.14159", "0.25", "true", "2024-02-29",
         "12:34:56.789", "2024-01-02 03:04:05.678", "2024-01-02 03:04:05+00", "\\x00ff",
         R"({"a": [1, null]})", "1 day 02:00:00"},
        {"", "", "", "", "", "", "", "", "", "", "", "", "", ""},
    };
    for (const auto& row : rows) {
        for (size_t i = 0; i < row.size(); ++i) {
            if (row[i].empty()) {
                c.at(i).push_null();
            } else {
                EXPECT_TRUE(parse_text(row[i], k_sink_cols[i].type, c.at(i)).ok()) << row[i];
            }
        }
    }
    c.sync_rows();
    return c;
}

// Encodes `rows` with the sink schema of `f` (registered as id 11) and
// decodes them back into `read_as`.
decoded round_trip(record_format f, const std::vector<column_def>& read_as) {
    auto in = sink_schema(f, "orders out", k_sink_cols);
    EXPECT_TRUE(in.ok()) << in.error().message;
    auto l = lookup_with(11, in.value().type, in.value().schema);
    auto writer = l->by_id(11);
    auto enc = make_encoder(f, k_sink_cols, writer.value());
    EXPECT_TRUE(enc.ok()) << enc.error().message;
    chunk rows = sink_rows();
    std::vector<std::string> values(rows.rows());
    for (size_t r = 0; r < rows.rows(); ++r) {
        enc.value()->encode(rows, r, values[r]);
        EXPECT_EQ(values[r].substr(0, 5), std::string("\0\0\0\0\x0b", 5));
    }
    return decode_all(f, read_as, values, l);
}

void expect_same_rows(const decoded& d) {
    ASSERT_TRUE(d.failures.empty()) << d.failures[0].reason;
    chunk want = sink_rows();
    ASSERT_EQ(d.out.rows(), want.rows());
    for (size_t r = 0; r < want.rows(); ++r)
        for (size_t c = 0; c < k_sink_cols.size(); ++c)
            EXPECT_EQ(cell(d.out, c, r), cell(want, c, r)) << k_sink_cols[c].name;
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

const char* k_proto_schema = R"(syntax = "proto3";
package shop;
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

message Order {
  int32 id = 1;
  string name = 2;
  optional int64 qty = 3;
  double price = 4;
  google.protobuf.Timestamp at = 5;
  repeated string tags = 6;
  map<string, int64> counts = 7;
  Kind kind = 8;
  Inner inner = 9;
  bytes raw = 10;
  uint64 big = 11;
  google.protobuf.StringValue note = 12;
  bool ok = 13;
  message Inner { int32 x = 1; }
  enum Kind { A = 0; B = 1; }
}
message Other { string s = 1; }
)";

std::string varint(uint64_t v) {
    std::string out;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        out.push_back(static_cast<char>(v ? b | 0x80 : b));
    } while (v);
    return out;
}
std::string pb_len(int field, const std::string& bytes) {
    return varint(static_cast<uint64_t>(field) << 3 | 2) + varint(bytes.size()) + bytes;
}
std::string pb_varint(int field, uint64_t v) {
    return varint(static_cast<uint64_t>(field) << 3) + varint(v);
}

std::string order_message() {
    std::string m = pb_varint(1, 7) + pb_len(2, "ab");
    const double half = 0.5;
    m += varint(4 << 3 | 1) + std::string(reinterpret_cast<const char*>(&half), 8);
    m += pb_len(5, pb_varint(1, 1700000000) + pb_varint(2, 123000000));
    m += pb_len(6, "x") + pb_len(6, "y");
    m += pb_len(7, pb_len(1, "k") + pb_varint(2, 5));
    m += pb_varint(8, 1) + pb_len(9, pb_varint(1, 3)) + pb_len(10, std::string("\x00\xff", 2));
    m += pb_varint(11, UINT64_MAX) + pb_len(12, pb_len(1, "hi")) + pb_varint(13, 1);
    return m;
}

TEST(protobuf_columns, map_the_first_message_fields_to_sql_types) {
    auto cols = columns_from_schema({1, schema_type::protobuf, k_proto_schema, {}});
    ASSERT_TRUE(cols.ok()) << cols.error().message;
    std::vector<std::string> got;
    for (const auto& c : cols.value())
        got.push_back(c.name + " " + type_display(c.type));
    std::vector<std::string> want{
        "id INT",         "name TEXT",  "qty BIGINT",        "price DOUBLE PRECISION",
        "at TIMESTAMPTZ", "tags JSONB", "counts JSONB",      "kind TEXT",
        "inner JSONB",    "raw BYTEA",  "big NUMERIC(20,0)", "note TEXT",
        "ok BOOLEAN"};
    EXPECT_EQ(got, want);
    auto other = columns_from_schema({1, schema_type::protobuf, k_proto_schema, {}}, "shop.Other");
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other.value()[0].name, "s");
    EXPECT_FALSE(columns_from_schema({1, schema_type::protobuf, k_proto_schema, {}}, "x.Y").ok());
}

TEST(protobuf_decoder, decodes_fields_by_name_with_well_known_types) {
    auto cols = columns_from_schema({1, schema_type::protobuf, k_proto_schema, {}});
    ASSERT_TRUE(cols.ok());
    auto l = lookup_with(1, schema_type::protobuf, k_proto_schema);
    decoded d = decode_all(record_format::protobuf, cols.value(),
                           {framed(1, std::string(1, '\0') + order_message())}, l);
    ASSERT_TRUE(d.failures.empty()) << d.failures[0].reason;
    std::vector<std::string> row;
    for (size_t c = 0; c < cols.value().size(); ++c)
        row.push_back(cell(d.out, c, 0));
    std::vector<std::string> want{"7",
                                  "ab",
                                  "NULL",
                                  "0.5",
                                  "2023-11-14 22:13:20.123+00",
                                  R"(["x", "y"])",
                                  R"({"k": 5})",
                                  "B",
                                  R"({"x": 3})",
                                  "\\x00ff",
                                  "18446744073709551615",
                                  "hi",
                                  "t"};
    EXPECT_EQ(row, want);
}

TEST(protobuf_decoder, message_indexes_pick_the_message) {
    auto l = lookup_with(1, schema_type::protobuf, k_proto_schema);
    std::vector<column_def> cols{{"s", data_type::of(type_id::text)},
                                 {"id", data_type::of(type_id::int32)}};
    decoded d = decode_all(record_format::protobuf, cols,
                           {
                               framed(1, zz(1) + zz(1) + pb_len(1, "z")),  // [1]: Other
                               framed(1, std::string(1, '\0') + pb_varint(1, 9)),
                               framed(1, zz(1) + zz(5) + pb_len(1, "z")),           // [5]: none
                               framed(1, std::string(1, '\0') + "\x0a\x05" + "a"),  // short
                               framed(2, std::string(1, '\0')),                     // unknown id
                           },
                           l);
    ASSERT_EQ(d.out.rows(), 2u);
    EXPECT_EQ(cell(d.out, 0, 0), "z");
    EXPECT_EQ(cell(d.out, 1, 0), "NULL");
    EXPECT_EQ(cell(d.out, 0, 1), "NULL");
    EXPECT_EQ(cell(d.out, 1, 1), "9");
    ASSERT_EQ(d.failures.size(), 3u);
    EXPECT_NE(d.failures[1].reason.find("invalid Protobuf message shop.Order"), std::string::npos);
    EXPECT_NE(d.failures[2].reason.find("schema id 2 is not registered"), std::string::npos);
}

TEST(protobuf_sink, rows_round_trip_through_the_derived_schema) {
    expect_same_rows(round_trip(record_format::protobuf, k_sink_cols));
}

TEST(protobuf_sink, derived_schema_is_a_proto3_message_of_optional_fields) {
    auto in = sink_schema(record_format::protobuf, "q1", k_sink_cols);
    ASSERT_TRUE(in.ok());
    EXPECT_EQ(in.value().type, schema_type::protobuf);
    const std::string& text = in.value().schema;
    EXPECT_NE(text.find("syntax = \"proto3\";"), std::string::npos);
    EXPECT_NE(text.find("import \"google/protobuf/timestamp.proto\";"), std::string::npos);
    EXPECT_NE(text.find("message q1 {\n  optional int32 id = 1;\n"), std::string::npos) << text;
    EXPECT_NE(text.find("  google.protobuf.Timestamp tstz = 11;\n"), std::string::npos) << text;
    auto back = columns_from_schema({1, schema_type::protobuf, text, {}});
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back.value()[3].type.id, type_id::text);  // NUMERIC(10,2) travels as text
    EXPECT_EQ(back.value()[10].type.id, type_id::timestamptz);
    std::vector<column_def> bad{{"a b", data_type::of(type_id::int32)}};
    EXPECT_FALSE(sink_schema(record_format::protobuf, "q", bad).ok());
}

}  // namespace
}  // namespace spate::sql
