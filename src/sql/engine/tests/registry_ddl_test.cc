#include "sql/engine/registry_ddl.h"

#include <gtest/gtest.h>

#include "registry/store/state_service.h"

namespace spate::sql {
namespace registry_ddl_test {
namespace {

using registry::schema_type;

struct registry_fixture : ::testing::Test {
    schema_registry_ref reg;
    void SetUp() override {
        reg.service = registry::make_memory_store();
        reg.lookup = make_registry_lookup(reg.service);
    }
    int32_t put(const std::string& subject, schema_type t, const std::string& text) {
        auto r = reg.service->register_schema(subject, {t, text, {}}, {});
        EXPECT_TRUE(r.ok()) << r.err().message;
        return r.ok() ? r.value().id.value() : 0;
    }
};

TEST_F(registry_fixture, value_subject_is_topic_value_unless_given) {
    EXPECT_EQ(value_subject({}, "orders"), "orders-value");
    std::vector<with_option> opts{{"schema.subject", "custom", 0}};
    EXPECT_EQ(value_subject(opts, "orders"), "custom");
}

TEST_F(registry_fixture, registry_formats_need_a_registry) {
    EXPECT_TRUE(check_registry(record_format::json, {}, 5).ok());
    auto st = check_registry(record_format::avro, {}, 5);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, sql_errc::feature_not_supported);
    EXPECT_EQ(st.error().position, 5);
    EXPECT_TRUE(check_registry(record_format::avro, reg, 5).ok());
}

TEST_F(registry_fixture, source_columns_come_from_the_latest_schema) {
    put("t-value", schema_type::avro,
        R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "int"}]})");
    put("t-value", schema_type::avro, R"({"type": "record", "name": "r", "fields": [
        {"name": "a", "type": "int"},
        {"name": "b", "type": ["null", "string"], "default": null}]})");
    auto cols = columns_from_subject(reg, record_format::avro, "t-value", "", 3);
    ASSERT_TRUE(cols.ok()) << cols.error().message;
    ASSERT_EQ(cols.value().size(), 2u);
    EXPECT_EQ(cols.value()[1].name, "b");
    EXPECT_EQ(cols.value()[1].type.id, type_id::text);
}

TEST_F(registry_fixture, source_columns_refuse_missing_subjects_and_other_types) {
    auto none = columns_from_subject(reg, record_format::avro, "nope-value", "", 7);
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, sql_errc::undefined_object);
    EXPECT_EQ(none.error().position, 7);
    EXPECT_NE(none.error().message.find("\"nope-value\""), std::string::npos);
    put("j-value", schema_type::json, R"({"type": "object", "properties": {"a": {}}})");
    auto other = columns_from_subject(reg, record_format::avro, "j-value", "", 7);
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, sql_errc::datatype_mismatch);
    EXPECT_NE(other.error().message.find("is JSON, not AVRO"), std::string::npos);
    auto json = columns_from_subject(reg, record_format::json_sr, "j-value", "", 7);
    ASSERT_TRUE(json.ok()) << json.error().message;
    EXPECT_EQ(json.value()[0].type.id, type_id::jsonb);
}

TEST_F(registry_fixture, sink_schema_registers_once_and_refuses_incompatible_changes) {
    std::vector<column_def> v1{{"a", data_type::of(type_id::int32)}};
    auto id = register_sink_schema(reg, record_format::avro, "s", "out-value", v1, 9);
    ASSERT_TRUE(id.ok()) << id.error().message;
    auto again = register_sink_schema(reg, record_format::avro, "s", "out-value", v1, 9);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value(), id.value());
    auto stored = reg.lookup->by_id(id.value());
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored.value()->type, schema_type::avro);
    ASSERT_TRUE(
        reg.service->set_config(std::string_view("out-value"), registry::compat_level::full).ok());
    std::vector<column_def> v2{{"a", data_type::of(type_id::bytea)}};
    auto refused = register_sink_schema(reg, record_format::avro, "s", "out-value", v2, 9);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, sql_errc::datatype_mismatch);
    EXPECT_EQ(refused.error().position, 9);
    EXPECT_NE(refused.error().message.find("incompatible with subject \"out-value\""),
              std::string::npos)
        << refused.error().message;
}

TEST_F(registry_fixture, lookup_answers_ids_and_refuses_unknown_ones) {
    int32_t id =
        put("p-value", schema_type::protobuf, "syntax = \"proto3\";\nmessage M { int32 a = 1; }\n");
    auto s = reg.lookup->by_id(id);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s.value()->type, schema_type::protobuf);
    EXPECT_EQ(reg.lookup->by_id(id).value().get(), s.value().get());  // cached
    auto unknown = reg.lookup->by_id(id + 100);
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().code, sql_errc::undefined_object);
}

TEST_F(registry_fixture, lookup_resolves_references_dependencies_first) {
    put("dep.proto", schema_type::protobuf,
        "syntax = \"proto3\";\npackage d;\nmessage Dep { string x = 1; }\n");
    auto r =
        reg.service->register_schema("top-value",
                                     {schema_type::protobuf,
                                      "syntax = \"proto3\";\nimport \"dep.proto\";\nmessage Top { "
                                      "d.Dep dep = 1; int32 n = 2; }\n",
                                      {{"dep.proto", "dep.proto", registry::schema_version(1)}}},
                                     {});
    ASSERT_TRUE(r.ok()) << r.err().message;
    auto s = reg.lookup->by_id(r.value().id.value());
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_EQ(s.value()->references.size(), 1u);
    EXPECT_EQ(s.value()->references[0].ref.name, "dep.proto");
    auto cols = columns_from_subject(reg, record_format::protobuf, "top-value", "", 1);
    ASSERT_TRUE(cols.ok()) << cols.error().message;
    EXPECT_EQ(cols.value()[0].type.id, type_id::jsonb);
    EXPECT_EQ(cols.value()[1].type.id, type_id::int32);
}

}  // namespace
}  // namespace registry_ddl_test
}  // namespace spate::sql
