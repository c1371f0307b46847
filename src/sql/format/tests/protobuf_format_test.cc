#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/format/registry_format.h"
#include "sql/format/tests/registry_test_util.h"

namespace spate::sql {
namespace protobuf_format_test {
namespace {

using namespace registry_test;
using registry::schema_type;

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
}  // namespace protobuf_format_test
}  // namespace spate::sql
