#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "registry/core/provider.h"
#include "registry/protobuf/protobuf_schema.h"

namespace spate::registry {
namespace protobuf_provider_test {
namespace {

const schema_provider& pb() {
    return provider_for(schema_type::protobuf);
}

parsed_schema_ptr parse_ok(std::string_view text,
                           const std::vector<resolved_reference>& refs = {}) {
    auto r = pb().parse(text, refs);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
    return r.ok() ? r.value() : nullptr;
}

std::string parse_error(std::string_view text, const std::vector<resolved_reference>& refs = {}) {
    auto r = pb().parse(text, refs);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_EQ(r.err().code, errc::invalid_argument);
    return r.err().message;
}

resolved_reference ref(std::string name, std::string subject, int version, std::string schema) {
    return resolved_reference{
        schema_reference{std::move(name), std::move(subject), schema_version{version}},
        std::move(schema)};
}

// shop.proto as text, and as the base64 FileDescriptorProto two producers
// make of it: protoc's --descriptor_set_out (json_name filled in for every
// field) and the serialized_pb of protoc's Python output (what
// confluent-kafka-python registers).
constexpr std::string_view k_shop_text = R"(syntax = "proto3";
package shop.v1;

import "google/protobuf/timestamp.proto";

option java_package = "com.example.shop";

// An order.
message Order {
  string id = 1;
  repeated Line lines = 2;
  map<string, int64> counts = 3;
  google.protobuf.Timestamp created = 4;
  optional string note = 5 [json_name = "memo"];
  oneof payment {
    string card = 6;
    Cash cash = 7;
  }
  Status status = 8 [deprecated = true];
  message Line { string sku = 1; int32 qty = 2; }
  message Cash { double amount = 1; }
  reserved 20 to 25, 30;
  reserved "old";
}

enum Status { UNKNOWN = 0; PAID = 1; }

message Refund { string order_id = 1; }
)";

constexpr std::string_view k_shop_python =
    "CgpzaG9wLnByb3RvEgdzaG9wLnYxGh9nb29nbGUvcHJvdG9idWYvdGltZXN0YW1wLnByb3RvIpEDCgVPcmRlchIKCgJp"
    "ZBgBIAEoCRIiCgVsaW5lcxgCIAMoCzITLnNob3AudjEuT3JkZXIuTGluZRIqCgZjb3VudHMYAyADKAsyGi5zaG9wLnYx"
    "Lk9yZGVyLkNvdW50c0VudHJ5EisKB2NyZWF0ZWQYBCABKAsyGi5nb29nbGUucHJvdG9idWYuVGltZXN0YW1wEhcKBG5v"
    "dGUYBSABKAlIAVIEbWVtb4gBARIOCgRjYXJkGAYgASgJSAASIwoEY2FzaBgHIAEoCzITLnNob3AudjEuT3JkZXIuQ2Fz"
    "aEgAEiMKBnN0YXR1cxgIIAEoDjIPLnNob3AudjEuU3RhdHVzQgIYARotCgtDb3VudHNFbnRyeRILCgNrZXkYASABKAkS"
    "DQoFdmFsdWUYAiABKAM6AjgBGiAKBExpbmUSCwoDc2t1GAEgASgJEgsKA3F0eRgCIAEoBRoWCgRDYXNoEg4KBmFtb3Vu"
    "dBgBIAEoAUIJCgdwYXltZW50QgcKBV9ub3RlSgQIFBAaSgQIHhAfUgNvbGQiGgoGUmVmdW5kEhAKCG9yZGVyX2lkGAEg"
    "ASgJKh8KBlN0YXR1cxILCgdVTktOT1dOEAASCAoEUEFJRBABQhIKEGNvbS5leGFtcGxlLnNob3BiBnByb3RvMw==";

constexpr std::string_view k_shop_descriptor_set =
    "CgpzaG9wLnByb3RvEgdzaG9wLnYxGh9nb29nbGUvcHJvdG9idWYvdGltZXN0YW1wLnByb3RvIt8DCgVPcmRlchIOCgJp"
    "ZBgBIAEoCVICaWQSKQoFbGluZXMYAiADKAsyEy5zaG9wLnYxLk9yZGVyLkxpbmVSBWxpbmVzEjIKBmNvdW50cxgDIAMo"
    "CzIaLnNob3AudjEuT3JkZXIuQ291bnRzRW50cnlSBmNvdW50cxI0CgdjcmVhdGVkGAQgASgLMhouZ29vZ2xlLnByb3Rv"
    "YnVmLlRpbWVzdGFtcFIHY3JlYXRlZBIXCgRub3RlGAUgASgJSAFSBG1lbW+IAQESFAoEY2FyZBgGIAEoCUgAUgRjYXJk"
    "EikKBGNhc2gYByABKAsyEy5zaG9wLnYxLk9yZGVyLkNhc2hIAFIEY2FzaBIrCgZzdGF0dXMYCCABKA4yDy5zaG9wLnYx"
    "LlN0YXR1c0ICGAFSBnN0YXR1cxo5CgtDb3VudHNFbnRyeRIQCgNrZXkYASABKAlSA2tleRIUCgV2YWx1ZRgCIAEoA1IF"
    "dmFsdWU6AjgBGioKBExpbmUSEAoDc2t1GAEgASgJUgNza3USEAoDcXR5GAIgASgFUgNxdHkaHgoEQ2FzaBIWCgZhbW91"
    "bnQYASABKAFSBmFtb3VudEIJCgdwYXltZW50QgcKBV9ub3RlSgQIFBAaSgQIHhAfUgNvbGQiIwoGUmVmdW5kEhkKCG9y"
    "ZGVyX2lkGAEgASgJUgdvcmRlcklkKh8KBlN0YXR1cxILCgdVTktOT1dOEAASCAoEUEFJRBABQhIKEGNvbS5leGFtcGxl"
    "LnNob3BiBnByb3RvMw==";

constexpr std::string_view k_shop_canonical = R"(syntax = "proto3";
package shop.v1;

import "google/protobuf/timestamp.proto";

option java_package = "com.example.shop";

message Order {
  reserved 20 to 25, 30;
  reserved "old";
  string id = 1;
  repeated .shop.v1.Order.Line lines = 2;
  map<string, int64> counts = 3;
  .google.protobuf.Timestamp created = 4;
  optional string note = 5 [json_name = "memo"];
  oneof payment {
    string card = 6;
    .shop.v1.Order.Cash cash = 7;
  }
  .shop.v1.Status status = 8 [deprecated = true];
  message Line {
    string sku = 1;
    int32 qty = 2;
  }
  message Cash {
    double amount = 1;
  }
}
message Refund {
  string order_id = 1;
}
enum Status {
  UNKNOWN = 0;
  PAID = 1;
}
)";

TEST(protobuf_parse, text_renders_canonically_without_comments) {
    auto s = parse_ok(k_shop_text);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->type(), schema_type::protobuf);
    EXPECT_EQ(s->canonical(), k_shop_canonical);
    EXPECT_EQ(s->record_name(), "shop.v1.Order");
}

TEST(protobuf_parse, base64_descriptors_give_the_same_canonical_text) {
    auto text = parse_ok(k_shop_text);
    auto python = parse_ok(k_shop_python);
    auto set = parse_ok(k_shop_descriptor_set);
    ASSERT_TRUE(text && python && set);
    EXPECT_EQ(python->canonical(), text->canonical());
    EXPECT_EQ(set->canonical(), text->canonical());
    EXPECT_EQ(python->normalized(), text->normalized());
    EXPECT_EQ(set->normalized(), text->normalized());
    EXPECT_EQ(python->record_name(), "shop.v1.Order");
}

TEST(protobuf_parse, canonical_text_is_a_fixed_point) {
    auto s = parse_ok(k_shop_text);
    ASSERT_TRUE(s);
    auto again = parse_ok(s->canonical());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->canonical(), s->canonical());
    auto norm = parse_ok(s->normalized());
    ASSERT_TRUE(norm);
    EXPECT_EQ(norm->normalized(), s->normalized());
}

TEST(protobuf_parse, whitespace_and_comments_do_not_change_the_canonical_text) {
    auto a = parse_ok("syntax=\"proto3\";message A{int32 x=1;string y=2;}");
    auto b = parse_ok(R"(
        // leading comment
        syntax = "proto3";

        /* block */ message A {
            int32   x = 1;  // trailing
            string  y = 2;
        }
    )");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->canonical(), b->canonical());
}

TEST(protobuf_parse, normalized_sorts_fields_options_and_enum_values) {
    auto a = parse_ok(R"(syntax = "proto3";
        package p;
        import "google/protobuf/timestamp.proto";
        import "google/protobuf/duration.proto";
        option java_package = "x";
        option go_package = "y";
        message M {
          string b = 2 [json_name = "bee", deprecated = true];
          oneof o { int32 d = 4; int32 c = 3; }
          int32 a = 1;
          google.protobuf.Timestamp t = 5;
          google.protobuf.Duration u = 6;
        }
        enum E { Z = 0; B = 2; A = 1; })");
    auto b = parse_ok(R"(syntax = "proto3";
        package p;
        import "google/protobuf/duration.proto";
        import "google/protobuf/timestamp.proto";
        option go_package = "y";
        option java_package = "x";
        message M {
          int32 a = 1;
          string b = 2 [deprecated = true, json_name = "bee"];
          oneof o { int32 c = 3; int32 d = 4; }
          google.protobuf.Timestamp t = 5;
          google.protobuf.Duration u = 6;
        }
        enum E { Z = 0; A = 1; B = 2; })");
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->canonical(), b->canonical());
    EXPECT_EQ(a->normalized(), b->normalized());
    EXPECT_NE(a->normalized().find(
                  "  int32 a = 1;\n  string b = 2 [deprecated = true, json_name = \"bee\"];"),
              std::string::npos)
        << a->normalized();
}

TEST(protobuf_parse, message_order_is_kept_even_when_normalized) {
    auto a = parse_ok("syntax = \"proto3\"; message B {} message A {}");
    ASSERT_TRUE(a);
    EXPECT_LT(a->normalized().find("message B"), a->normalized().find("message A"));
    EXPECT_EQ(a->record_name(), "B");
}

TEST(protobuf_parse, proto2_features_render_and_reparse) {
    constexpr std::string_view text = R"(
        syntax = "proto2";
        package legacy;
        message Old {
          required int32 id = 1;
          optional string name = 2 [default = "a \"quoted\" name"];
          optional bytes raw = 3 [default = "\001\377"];
          optional Kind kind = 4 [default = B];
          optional double ratio = 5 [default = 0.5];
          repeated int32 packed = 6 [packed = true];
          optional group Result = 7 {
            optional string url = 8;
          }
          extensions 100 to max;
          enum Kind { A = 1; B = 2; }
        }
        extend Old { optional int32 extra = 100; }
    )";
    auto s = parse_ok(text);
    ASSERT_TRUE(s);
    const std::string c = s->canonical();
    EXPECT_EQ(c, R"(syntax = "proto2";
package legacy;

message Old {
  required int32 id = 1;
  optional string name = 2 [default = "a \"quoted\" name"];
  optional bytes raw = 3 [default = "\001\377"];
  optional .legacy.Old.Kind kind = 4 [default = B];
  optional double ratio = 5 [default = 0.5];
  repeated int32 packed = 6 [packed = true];
  optional group Result = 7 {
    optional string url = 8;
  }
  extensions 100 to max;
  enum Kind {
    A = 1;
    B = 2;
  }
}
extend .legacy.Old {
  optional int32 extra = 100;
}
)");
    auto again = parse_ok(c);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->canonical(), c);
    EXPECT_EQ(s->record_name(), "legacy.Old");
}

TEST(protobuf_parse, reserved_ranges_and_public_imports_render) {
    auto base = ref("base.proto", "base", 1, "syntax = \"proto3\"; package b; message Base {}");
    constexpr std::string_view text = R"(syntax = "proto3";
        import public "base.proto";
        message R {
          reserved 9 to max, 2, 4 to 6;
          reserved "z", "a";
          b.Base base = 1;
        }
        enum E {
          reserved 100 to max, 5, 7 to 8;
          reserved "GONE";
          ZERO = 0;
        })";
    auto s = parse_ok(text, {base});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->canonical(), R"(syntax = "proto3";

import public "base.proto";

message R {
  reserved 9 to max, 2, 4 to 6;
  reserved "z", "a";
  .b.Base base = 1;
}
enum E {
  reserved 100 to max, 5, 7 to 8;
  reserved "GONE";
  ZERO = 0;
}
)");
    EXPECT_NE(s->normalized().find("  reserved 2, 4 to 6, 9 to max;\n  reserved \"a\", \"z\";"),
              std::string::npos)
        << s->normalized();
    EXPECT_NE(s->normalized().find("  reserved 5, 7 to 8, 100 to max;"), std::string::npos)
        << s->normalized();
    auto again = parse_ok(s->canonical(), {base});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->canonical(), s->canonical());
}

TEST(protobuf_parse, schema_without_syntax_is_proto2) {
    auto s = parse_ok("message A { optional int32 x = 1; }");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->canonical(), "syntax = \"proto2\";\n\nmessage A {\n  optional int32 x = 1;\n}\n");
}

TEST(protobuf_parse, services_and_custom_options_render) {
    auto opts = ref("opts.proto", "opts", 1, R"(
        syntax = "proto3";
        package o;
        import "google/protobuf/descriptor.proto";
        message Meta { string doc = 1; int32 level = 2; }
        extend google.protobuf.FieldOptions { Meta meta = 50001; }
        extend google.protobuf.MessageOptions { string owner = 50002; }
    )");
    constexpr std::string_view text = R"(
        syntax = "proto3";
        package svc;
        import "opts.proto";
        message Req {
          option (o.owner) = "team-a";
          string q = 1 [(o.meta) = { doc: "query" level: 2 }];
        }
        message Resp { repeated string hits = 1; }
        service Search {
          rpc Find(Req) returns (stream Resp);
          rpc Old(Req) returns (Resp) { option deprecated = true; }
        }
    )";
    auto s = parse_ok(text, {opts});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->canonical(), R"(syntax = "proto3";
package svc;

import "opts.proto";

message Req {
  option (.o.owner) = "team-a";
  string q = 1 [(.o.meta) = { doc: "query" level: 2 }];
}
message Resp {
  repeated string hits = 1;
}
service Search {
  rpc Find(.svc.Req) returns (stream .svc.Resp);
  rpc Old(.svc.Req) returns (.svc.Resp) {
    option deprecated = true;
  }
}
)");
    auto again = parse_ok(s->canonical(), {opts});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->canonical(), s->canonical());
}

TEST(protobuf_parse, syntax_errors_name_line_and_column) {
    std::string msg = parse_error("syntax = \"proto3\";\nmessage A {\n  int32 x = ;\n}\n");
    EXPECT_NE(msg.find("line 3:13"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Expected field number"), std::string::npos) << msg;
    // No syntax statement: positions on the first line are still the author's.
    msg = parse_error("message A { int32 x = ; }");
    EXPECT_NE(msg.find("line 1:23: Expected field number"), std::string::npos) << msg;
    msg = parse_error("message A { optional Missing x = 1; }");
    EXPECT_NE(msg.find("line 1:22: \"Missing\" is not defined"), std::string::npos) << msg;
}

TEST(protobuf_parse, link_errors_name_line_and_column) {
    std::string msg = parse_error("syntax = \"proto3\";\nmessage A {\n  Missing m = 1;\n}\n");
    EXPECT_NE(msg.find("line 3:3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("\"Missing\" is not defined"), std::string::npos) << msg;

    msg = parse_error("syntax = \"proto3\";\nmessage A {\n  int32 x = 1;\n  int32 y = 1;\n}\n");
    EXPECT_NE(msg.find("line 4:13"), std::string::npos) << msg;
    EXPECT_NE(msg.find("has already been used"), std::string::npos) << msg;
}

TEST(protobuf_parse, missing_import_is_an_error_at_the_import) {
    std::string msg = parse_error("syntax = \"proto3\";\nimport \"other.proto\";\nmessage A {}\n");
    EXPECT_NE(msg.find("line 2:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("other.proto"), std::string::npos) << msg;
}

TEST(protobuf_parse, empty_and_garbage_are_errors) {
    EXPECT_NE(parse_error("").find("empty"), std::string::npos);
    EXPECT_NE(parse_error("   \n").find("empty"), std::string::npos);
    EXPECT_FALSE(pb().parse("not a schema at all", {}).ok());
    EXPECT_FALSE(pb().parse("{\"type\": \"record\"}", {}).ok());
}

TEST(protobuf_parse, references_are_imports) {
    auto common = ref("common/money.proto", "money", 3, R"(
        syntax = "proto3";
        package common;
        message Money { string currency = 1; int64 units = 2; }
    )");
    auto s = parse_ok(R"(
        syntax = "proto3";
        package shop;
        import "common/money.proto";
        message Price { common.Money amount = 1; }
    )",
                      {common});
    ASSERT_TRUE(s);
    EXPECT_NE(s->canonical().find("import \"common/money.proto\";"), std::string::npos);
    EXPECT_NE(s->canonical().find(".common.Money amount = 1;"), std::string::npos);
    EXPECT_EQ(s->record_name(), "shop.Price");

    // Without the reference the import does not resolve.
    EXPECT_FALSE(pb().parse(R"(syntax = "proto3"; import "common/money.proto";
                               message P { common.Money m = 1; })",
                            {})
                     .ok());
}

TEST(protobuf_parse, transitive_references_come_dependencies_first) {
    auto c = ref("c.proto", "c", 1, "syntax = \"proto3\"; message C { string value = 1; }");
    auto b =
        ref("b.proto", "b", 1, "syntax = \"proto3\"; import \"c.proto\"; message B { C c = 1; }");
    auto s = parse_ok("syntax = \"proto3\"; import \"b.proto\"; message A { B b = 1; }", {c, b});
    ASSERT_TRUE(s);
    const auto* file = protobuf_file(*s);
    ASSERT_NE(file, nullptr);
    const auto* a = file->FindMessageTypeByName("A");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->field(0)->message_type()->field(0)->message_type()->full_name(), "C");
}

TEST(protobuf_parse, reference_errors_name_the_reference) {
    auto bad = ref("bad.proto", "bad", 1, "syntax = \"proto3\";\nmessage B { int32 = 1; }");
    std::string msg = parse_error("syntax = \"proto3\"; import \"bad.proto\"; message A {}", {bad});
    EXPECT_NE(msg.find("reference \"bad.proto\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("line 2:"), std::string::npos) << msg;
}

TEST(protobuf_parse, base64_references_and_well_known_references) {
    // confluent-kafka-python registers every import as a reference, the
    // google/protobuf ones included, all as base64 descriptors.
    // A descriptor whose own name differs from the import path it is
    // referenced by: the reference name wins.
    constexpr std::string_view money_b64 =  // name "x.proto", package common, message Money
        "Cgd4LnByb3RvEgZjb21tb24iFgoFTW9uZXkSDQoFdW5pdHMYASABKANiBnByb3RvMw==";
    auto s = parse_ok(k_shop_python,
                      {ref("google/protobuf/timestamp.proto", "google/protobuf/timestamp.proto", 1,
                           "not even parsed: the library's own copy serves this import")});
    ASSERT_TRUE(s);
    auto p = parse_ok(R"(syntax = "proto3"; import "common/money.proto";
                         message P { common.Money m = 1; })",
                      {ref("common/money.proto", "money", 1, std::string(money_b64))});
    ASSERT_TRUE(p);
}

TEST(protobuf_parse, a_well_known_file_is_a_schema_of_its_own) {
    // confluent-kafka-python 1.7 registers each import, google/protobuf ones
    // included, under a subject of its own: google/protobuf/timestamp.proto's
    // generated descriptor.
    constexpr std::string_view timestamp_b64 =
        "Ch9nb29nbGUvcHJvdG9idWYvdGltZXN0YW1wLnByb3RvEg9nb29nbGUucHJvdG9idWYiKwoJVGltZXN0YW1wEg8KB3"
        "NlY29uZHMYASABKAMSDQoFbmFub3MYAiABKAVChQEKE2NvbS5nb29nbGUucHJvdG9idWZCDlRpbWVzdGFtcFByb3Rv"
        "UAFaMmdvb2dsZS5nb2xhbmcub3JnL3Byb3RvYnVmL3R5cGVzL2tub3duL3RpbWVzdGFtcHBi+AEBogIDR1BCqgIeR2"
        "9vZ2xlLlByb3RvYnVmLldlbGxLbm93blR5cGVzYgZwcm90bzM=";
    auto s = parse_ok(timestamp_b64);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->record_name(), "google.protobuf.Timestamp");
    auto text = parse_ok(s->canonical());
    ASSERT_TRUE(text);
    EXPECT_EQ(text->canonical(), s->canonical());
    EXPECT_TRUE(pb().incompatibilities(*text, *s).empty());
}

TEST(protobuf_parse, well_known_imports_need_no_reference) {
    auto s = parse_ok(R"(
        syntax = "proto3";
        import "google/protobuf/any.proto";
        import "google/protobuf/struct.proto";
        import "google/protobuf/wrappers.proto";
        import "google/protobuf/duration.proto";
        import "google/protobuf/empty.proto";
        import "google/protobuf/field_mask.proto";
        message W {
          google.protobuf.Any a = 1;
          google.protobuf.Struct s = 2;
          google.protobuf.StringValue v = 3;
          google.protobuf.Duration d = 4;
          google.protobuf.Empty e = 5;
          google.protobuf.FieldMask f = 6;
        }
    )");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->record_name(), "W");
}

TEST(protobuf_parse, file_descriptor_outlives_the_caller_handle) {
    std::shared_ptr<const google::protobuf::FileDescriptor> file;
    {
        auto s = parse_ok(k_shop_text);
        ASSERT_TRUE(s);
        file = protobuf_file(s);
    }
    ASSERT_TRUE(file);
    EXPECT_EQ(file->message_type(0)->full_name(), "shop.v1.Order");
    EXPECT_EQ(file->package(), "shop.v1");
    EXPECT_EQ(protobuf_file(parsed_schema_ptr{}), nullptr);
}

TEST(protobuf_parse, record_name_is_empty_without_messages) {
    auto s = parse_ok("syntax = \"proto3\"; package p; enum E { A = 0; }");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->record_name(), "");
}

// ---- message indexes ----

TEST(protobuf_message_index, paths_resolve_to_messages) {
    auto s = parse_ok(k_shop_text);
    ASSERT_TRUE(s);
    const auto& file = *protobuf_file(*s);
    auto at = [&](std::vector<int32_t> path,
                  message_index_view view = message_index_view::declared) {
        auto r = protobuf_message_at(file, path, view);
        return r.ok() ? r.value()->full_name() : "error: " + r.err().message;
    };
    EXPECT_EQ(at({}), "shop.v1.Order");
    EXPECT_EQ(at({0}), "shop.v1.Order");
    EXPECT_EQ(at({1}), "shop.v1.Refund");
    EXPECT_EQ(at({0, 0}), "shop.v1.Order.Line");
    EXPECT_EQ(at({0, 1}), "shop.v1.Order.Cash");
    // Python counts the synthesized CountsEntry, declared first.
    EXPECT_EQ(at({0, 0}, message_index_view::descriptor), "shop.v1.Order.CountsEntry");
    EXPECT_EQ(at({0, 1}, message_index_view::descriptor), "shop.v1.Order.Line");
    EXPECT_EQ(at({0, 2}, message_index_view::descriptor), "shop.v1.Order.Cash");
    for (auto bad : std::vector<std::vector<int32_t>>{{2}, {-1}, {0, 2}, {0, 0, 0}, {1, 0}}) {
        auto r = protobuf_message_at(file, bad);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.err().code, errc::not_found);
    }
}

TEST(protobuf_message_index, indexes_of_a_message_invert_the_lookup) {
    auto s = parse_ok(k_shop_text);
    ASSERT_TRUE(s);
    const auto& file = *protobuf_file(*s);
    const auto* cash = file.pool()->FindMessageTypeByName("shop.v1.Order.Cash");
    ASSERT_NE(cash, nullptr);
    auto declared = protobuf_message_indexes(*cash);
    ASSERT_TRUE(declared.ok());
    EXPECT_EQ(declared.value(), (std::vector<int32_t>{0, 1}));
    auto desc = protobuf_message_indexes(*cash, message_index_view::descriptor);
    ASSERT_TRUE(desc.ok());
    EXPECT_EQ(desc.value(), (std::vector<int32_t>{0, 2}));
    const auto* entry = file.pool()->FindMessageTypeByName("shop.v1.Order.CountsEntry");
    ASSERT_NE(entry, nullptr);
    EXPECT_FALSE(protobuf_message_indexes(*entry).ok());
    EXPECT_TRUE(protobuf_message_indexes(*entry, message_index_view::descriptor).ok());
    const auto* refund = file.pool()->FindMessageTypeByName("shop.v1.Refund");
    EXPECT_EQ(protobuf_message_indexes(*refund).value(), (std::vector<int32_t>{1}));
}

TEST(protobuf_framing, first_message_is_a_single_zero_byte) {
    EXPECT_EQ(encode_message_indexes(std::vector<int32_t>{0}), std::string(1, '\0'));
    EXPECT_EQ(encode_message_indexes(std::vector<int32_t>{}), std::string(1, '\0'));
    auto d = decode_message_indexes(std::string("\0\x0a\x03", 3));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d.value().indexes, (std::vector<int32_t>{0}));
    EXPECT_EQ(d.value().size, 1u);
}

TEST(protobuf_framing, zigzag_varints_as_confluent_writes_them) {
    // [1] -> count 1 (zigzag 2), index 1 (zigzag 2).
    EXPECT_EQ(encode_message_indexes(std::vector<int32_t>{1}), std::string("\x02\x02"));
    // [0, 2] -> 04 00 04
    EXPECT_EQ(encode_message_indexes(std::vector<int32_t>{0, 2}), std::string("\x04\x00\x04", 3));
    // 64 -> zigzag 128 -> two bytes.
    EXPECT_EQ(encode_message_indexes(std::vector<int32_t>{64}), std::string("\x02\x80\x01"));
    // confluent-kafka-python 1.7's plain varints.
    EXPECT_EQ(encode_message_indexes(std::vector<int32_t>{1}, index_varint::unsigned_varint),
              std::string("\x01\x01"));
    EXPECT_EQ(encode_message_indexes(std::vector<int32_t>{0}, index_varint::unsigned_varint),
              std::string(1, '\0'));
}

TEST(protobuf_framing, round_trips) {
    const std::vector<std::vector<int32_t>> cases = {
        {0}, {1}, {0, 0}, {3, 1, 4, 1, 5}, {63}, {64}, {1000000}, {2147483647}, {0, 2147483647, 7},
    };
    for (auto v : {index_varint::zigzag, index_varint::unsigned_varint}) {
        for (const auto& c : cases) {
            std::string bytes = "\x7f";  // a prefix that is not ours
            append_message_indexes(bytes, c, v);
            bytes += "payload";
            auto d = decode_message_indexes(std::string_view(bytes).substr(1), v);
            ASSERT_TRUE(d.ok()) << d.err().message;
            EXPECT_EQ(d.value().indexes, c);
            EXPECT_EQ(bytes.substr(1 + d.value().size), "payload");
        }
    }
    // Negative indexes survive zigzag.
    auto d = decode_message_indexes(encode_message_indexes(std::vector<int32_t>{-5}));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d.value().indexes, (std::vector<int32_t>{-5}));
}

TEST(protobuf_framing, corrupt_framing_is_rejected) {
    auto corrupt = [](std::string bytes, index_varint v = index_varint::zigzag) {
        auto d = decode_message_indexes(bytes, v);
        return !d.ok() && d.err().code == errc::corrupt;
    };
    EXPECT_TRUE(corrupt(""));                                         // nothing
    EXPECT_TRUE(corrupt("\x80"));                                     // truncated count
    EXPECT_TRUE(corrupt("\x01"));                                     // count -1
    EXPECT_TRUE(corrupt("\x04\x02"));                                 // count 2, one index
    EXPECT_TRUE(corrupt("\x02\x80"));                                 // truncated index
    EXPECT_TRUE(corrupt("\xfe\xff\xff\xff\x0f"));                     // count 2^31 - 1
    EXPECT_TRUE(corrupt("\x82\x80\x80\x80\x80\x01\x00"));             // 6-byte varint
    EXPECT_TRUE(corrupt("\x02\xff\xff\xff\xff\x1f"));                 // index over 32 bits
    EXPECT_TRUE(corrupt("\x05\x01", index_varint::unsigned_varint));  // count 5, one index
}

TEST(protobuf_framing, decoded_path_names_the_message) {
    auto s = parse_ok(k_shop_text);
    ASSERT_TRUE(s);
    const auto* cash = protobuf_file(*s)->pool()->FindMessageTypeByName("shop.v1.Order.Cash");
    auto idx = protobuf_message_indexes(*cash);
    ASSERT_TRUE(idx.ok());
    std::string frame = encode_message_indexes(idx.value());
    auto d = decode_message_indexes(frame);
    ASSERT_TRUE(d.ok());
    auto m = protobuf_message_at(*protobuf_file(*s), d.value().indexes);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m.value(), cash);
}

}  // namespace
}  // namespace protobuf_provider_test
}  // namespace spate::registry
