#include <gtest/gtest.h>

#include "registry/core/provider.h"

namespace spate::registry {
namespace compat_test {
namespace {

parsed_schema_ptr avro(const char* text) {
    auto r = provider_for(schema_type::avro).parse(text, {});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
    return r.value();
}

TEST(registry_compat, forward_messages_call_the_reading_old_schema_old) {
    auto old_schema = avro(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"},)"
                           R"({"name":"b","type":"int"}]})");
    auto new_schema = avro(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})");
    auto messages = check_compatibility(compat_level::forward, *new_schema, {old_schema});
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_NE(messages[0].find("in the old schema has no default value"), std::string::npos)
        << messages[0];
    EXPECT_NE(messages[0].find("missing in the new schema"), std::string::npos) << messages[0];
    EXPECT_TRUE(check_compatibility(compat_level::backward, *new_schema, {old_schema}).empty());
}

TEST(registry_compat, non_transitive_levels_check_only_the_latest_version) {
    auto v1 = avro(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})");
    auto v2 = avro(R"({"type":"record","name":"r","fields":[]})");
    auto v3 = avro(
        R"({"type":"record","name":"r","fields":[{"name":"a","type":"string","default":""}]})");
    EXPECT_TRUE(check_compatibility(compat_level::backward, *v3, {v1, v2}).empty());
    EXPECT_FALSE(check_compatibility(compat_level::backward_transitive, *v3, {v1, v2}).empty());
    EXPECT_TRUE(check_compatibility(compat_level::none, *v3, {v1, v2}).empty());
}

}  // namespace
}  // namespace compat_test
}  // namespace spate::registry
