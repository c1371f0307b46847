#include "registry/core/types.h"

#include <gtest/gtest.h>

namespace spate::registry {
namespace types_test {
namespace {

TEST(registry_types, names_round_trip_as_confluent_spells_them) {
    for (auto t : {schema_type::avro, schema_type::json, schema_type::protobuf}) {
        EXPECT_EQ(parse_schema_type(schema_type_name(t)), t);
    }
    EXPECT_EQ(parse_compat_level("FULL_TRANSITIVE"), compat_level::full_transitive);
    EXPECT_FALSE(parse_compat_level("full").has_value());
    EXPECT_EQ(parse_mode("IMPORT"), registry_mode::import);
    EXPECT_FALSE(parse_schema_type("XML").has_value());
}

TEST(registry_types, context_prefix_splits_from_subject) {
    auto q = split_context(":.ctx1:orders-value");
    EXPECT_EQ(q.context, ".ctx1");
    EXPECT_EQ(q.name, "orders-value");
    auto d = split_context("orders-value");
    EXPECT_EQ(d.context, ".");
    EXPECT_EQ(d.name, "orders-value");
}

}  // namespace
}  // namespace types_test
}  // namespace spate::registry
