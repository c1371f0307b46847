#include <gtest/gtest.h>

#include "cli/schema_args.h"
#include "cli/schema_format.h"

namespace spate::cli {
namespace schema_test {
namespace {

using v = std::vector<std::string>;

TEST(parse_schema_ref, splits_name_subject_and_version_at_the_last_colon) {
    auto r = parse_schema_ref("other.proto=:.ctx:other:3");
    ASSERT_TRUE(r.ok()) << r.err().message;
    EXPECT_EQ(*r, (schema_ref_arg{"other.proto", ":.ctx:other", 3}));
    EXPECT_EQ(parse_schema_ref("a=b:-1")->version, -1);
    for (const char* bad : {"a=b", "=b:1", "a=:1", "a=b:0", "a=b:x", "ab:1", "a=b:-2"})
        EXPECT_FALSE(parse_schema_ref(bad).ok()) << bad;
}

TEST(parse_schema_version, latest_minus_one_or_positive) {
    EXPECT_EQ(*parse_schema_version("latest"), "latest");
    EXPECT_EQ(*parse_schema_version("-1"), "latest");
    EXPECT_EQ(*parse_schema_version("12"), "12");
    for (const char* bad : {"0", "-2", "x", "", "2147483648", "1.0"})
        EXPECT_FALSE(parse_schema_version(bad).ok()) << bad;
}

TEST(parse_schema_type_arg, any_case_to_upper) {
    EXPECT_EQ(*parse_schema_type_arg("protobuf"), "PROTOBUF");
    EXPECT_EQ(*parse_schema_type_arg("Json"), "JSON");
    EXPECT_FALSE(parse_schema_type_arg("xml").ok());
}

TEST(schema_get, subject_with_version_or_id_but_not_both) {
    auto a = parse_schema_get(v{"orders", "--version", "-1"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->subject, "orders");
    EXPECT_EQ(a->version, "latest");
    EXPECT_EQ(a->registry, "http://127.0.0.1:8081");
    a = parse_schema_get(v{"--id", "7", "--registry", "http://h:1"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->id, 7);
    EXPECT_EQ(a->registry, "http://h:1");
    EXPECT_FALSE(parse_schema_get(v{}).ok());
    EXPECT_FALSE(parse_schema_get(v{"orders", "--id", "7"}).ok());
    EXPECT_FALSE(parse_schema_get(v{"orders", "--version", "0"}).ok());
}

TEST(schema_register, needs_a_file_and_reads_type_and_references) {
    auto a = parse_schema_register(v{"s", "--file", "f.proto", "--type", "protobuf", "--reference",
                                     "dep.proto=dep:1", "--reference", "x.proto=x:latest2"},
                                   false);
    EXPECT_FALSE(a.ok());
    a = parse_schema_register(v{"s", "--file", "f.proto", "--type", "protobuf", "--reference",
                                "dep.proto=dep:1", "--reference", "x.proto=x:2"},
                              false);
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->type, "PROTOBUF");
    ASSERT_EQ(a->references.size(), 2u);
    EXPECT_EQ(a->references[1], (schema_ref_arg{"x.proto", "x", 2}));
    EXPECT_FALSE(parse_schema_register(v{"s"}, false).ok());
    EXPECT_FALSE(parse_schema_register(v{"s", "--file", "f", "--version", "1"}, false).ok());
    auto c = parse_schema_register(v{"s", "--file", "f", "--version", "1"}, true);
    ASSERT_TRUE(c.ok()) << c.err().message;
    EXPECT_EQ(c->version, "1");
}

TEST(schema_config, set_takes_a_level_in_any_case_and_excludes_delete) {
    auto a = parse_schema_config(v{"s", "--set", "full_transitive"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->subject, "s");
    EXPECT_EQ(a->set, "FULL_TRANSITIVE");
    a = parse_schema_config(v{});
    ASSERT_TRUE(a.ok());
    EXPECT_FALSE(a->subject.has_value());
    EXPECT_FALSE(parse_schema_config(v{"--set", "SIDEWAYS"}).ok());
    EXPECT_FALSE(parse_schema_config(v{"--set", "NONE", "--delete"}).ok());
}

TEST(schema_delete, version_and_permanent) {
    auto a = parse_schema_delete(v{"s", "--version", "3", "--permanent"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->version, "3");
    EXPECT_TRUE(a->permanent);
    EXPECT_FALSE(parse_schema_delete(v{}).ok());
}

TEST(registry_error_text, message_and_code_or_the_raw_answer) {
    EXPECT_EQ(
        registry_error_text(404, R"({"error_code":40401,"message":"Subject 's' not found."})"),
        "Subject 's' not found. (error 40401)");
    EXPECT_EQ(registry_error_text(502, "bad gateway"), "HTTP 502: bad gateway");
    EXPECT_EQ(registry_error_text(500, ""), "HTTP 500");
}

TEST(format_subject_version, fields_references_then_the_schema) {
    auto out = format_subject_version(
        R"({"subject":"s","version":2,"id":5,"schemaType":"PROTOBUF",)"
        R"("references":[{"name":"d.proto","subject":"d","version":1}],"schema":"syntax"})");
    ASSERT_TRUE(out.ok()) << out.err().message;
    EXPECT_EQ(*out,
              "subject    s\n"
              "version    2\n"
              "id         5\n"
              "type       PROTOBUF\n"
              "reference  d.proto -> d version 1\n"
              "\n"
              "syntax\n");
}

TEST(format_schema_by_id, avro_when_no_type_is_given) {
    auto out = format_schema_by_id(3, R"({"schema":"\"int\""})");
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(*out, "id         3\ntype       AVRO\n\n\"int\"\n");
    EXPECT_FALSE(format_schema_by_id(3, R"({"nope":1})").ok());
    EXPECT_FALSE(format_schema_by_id(3, "<html>").ok());
}

TEST(format_lines, one_element_per_line) {
    EXPECT_EQ(*format_lines(R"(["a","b"])"), "a\nb\n");
    EXPECT_EQ(*format_lines("[1,2]"), "1\n2\n");
    EXPECT_EQ(*format_lines("[]"), "");
    EXPECT_FALSE(format_lines(R"({"a":1})").ok());
}

TEST(format_compatibility, verdict_then_messages) {
    bool ok = true;
    EXPECT_EQ(*format_compatibility(R"({"is_compatible":false,"messages":["x","y"]})", ok),
              "incompatible\nx\ny\n");
    EXPECT_FALSE(ok);
    EXPECT_EQ(*format_compatibility(R"({"is_compatible":true})", ok), "compatible\n");
    EXPECT_TRUE(ok);
    EXPECT_FALSE(format_compatibility(R"({"is_compatible":"yes"})", ok).ok());
}

TEST(format_level, either_field_name) {
    EXPECT_EQ(*format_level(R"({"compatibilityLevel":"FULL"})"), "FULL\n");
    EXPECT_EQ(*format_level(R"({"compatibility":"NONE"})"), "NONE\n");
    EXPECT_FALSE(format_level("{}").ok());
}

}  // namespace
}  // namespace schema_test
}  // namespace spate::cli
