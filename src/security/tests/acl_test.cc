#include "security/acl.h"

#include <gtest/gtest.h>

namespace spate::security {
namespace acl_test {
namespace {

acl_binding binding(resource_type t, std::string name, pattern_type p, std::string principal,
                    acl_operation op, permission_type perm, std::string host = "*") {
    return {{t, std::move(name), p}, {std::move(principal), std::move(host), op, perm}};
}

TEST(acl_validate, accepts_a_concrete_literal_or_prefixed_binding) {
    EXPECT_TRUE(validate(binding(resource_type::topic, "orders", pattern_type::literal,
                                 "User:alice", acl_operation::read, permission_type::allow))
                    .ok());
    EXPECT_TRUE(validate(binding(resource_type::group, "app-", pattern_type::prefixed, "User:*",
                                 acl_operation::all, permission_type::deny))
                    .ok());
    EXPECT_TRUE(validate(binding(resource_type::cluster, "kafka-cluster", pattern_type::literal,
                                 "User:ops", acl_operation::alter_configs, permission_type::allow))
                    .ok());
}

TEST(acl_validate, refuses_filters_and_malformed_fields_naming_them) {
    auto base = binding(resource_type::topic, "t", pattern_type::literal, "User:a",
                        acl_operation::read, permission_type::allow);
    auto with = [&](auto change) {
        auto b = base;
        change(b);
        auto s = validate(b);
        EXPECT_FALSE(s.ok());
        return s.ok() ? std::string() : s.err().message;
    };
    EXPECT_NE(
        with([](acl_binding& b) { b.resource.type = resource_type::any; }).find("resource type"),
        std::string::npos);
    EXPECT_NE(
        with([](acl_binding& b) { b.resource.pattern = pattern_type::match; }).find("pattern type"),
        std::string::npos);
    EXPECT_NE(with([](acl_binding& b) { b.resource.name.clear(); }).find("name"),
              std::string::npos);
    EXPECT_NE(with([](acl_binding& b) { b.entry.principal = "alice"; }).find("principal"),
              std::string::npos);
    EXPECT_NE(
        with([](acl_binding& b) { b.entry.operation = acl_operation::any; }).find("operation"),
        std::string::npos);
    EXPECT_NE(
        with([](acl_binding& b) { b.entry.permission = permission_type::any; }).find("permission"),
        std::string::npos);
    EXPECT_NE(with([](acl_binding& b) {
                  b.resource.type = resource_type::cluster;
                  b.resource.name = "other";
              }).find("kafka-cluster"),
              std::string::npos);
}

TEST(acl_pattern, literal_wildcard_and_prefixes_apply_to_a_resource) {
    resource_pattern literal{resource_type::topic, "orders", pattern_type::literal};
    resource_pattern all{resource_type::topic, "*", pattern_type::literal};
    resource_pattern prefix{resource_type::topic, "ord", pattern_type::prefixed};
    EXPECT_TRUE(applies_to(literal, resource_type::topic, "orders"));
    EXPECT_FALSE(applies_to(literal, resource_type::topic, "orders2"));
    EXPECT_FALSE(applies_to(literal, resource_type::group, "orders"));
    EXPECT_TRUE(applies_to(all, resource_type::topic, "anything"));
    EXPECT_TRUE(applies_to(prefix, resource_type::topic, "orders"));
    EXPECT_FALSE(applies_to(prefix, resource_type::topic, "or"));
}

TEST(acl_filter, any_match_literal_and_prefixed_select_patterns_as_kafka_does) {
    auto lit = binding(resource_type::topic, "orders", pattern_type::literal, "User:a",
                       acl_operation::read, permission_type::allow);
    auto pre = binding(resource_type::topic, "ord", pattern_type::prefixed, "User:a",
                       acl_operation::read, permission_type::allow);
    auto wild = binding(resource_type::topic, "*", pattern_type::literal, "User:b",
                        acl_operation::write, permission_type::deny, "10.0.0.1");
    acl_filter any;
    EXPECT_TRUE(any.matches(lit) && any.matches(pre) && any.matches(wild));

    acl_filter match;
    match.resource = {resource_type::topic, "orders", pattern_type::match};
    EXPECT_TRUE(match.matches(lit) && match.matches(pre) && match.matches(wild));
    match.resource.name = "other";
    EXPECT_FALSE(match.matches(lit) || match.matches(pre));
    EXPECT_TRUE(match.matches(wild));

    acl_filter prefixed;
    prefixed.resource = {resource_type::any, std::nullopt, pattern_type::prefixed};
    EXPECT_TRUE(prefixed.matches(pre));
    EXPECT_FALSE(prefixed.matches(lit));

    acl_filter by_entry;
    by_entry.entry.principal = "User:b";
    by_entry.entry.host = "10.0.0.1";
    by_entry.entry.permission = permission_type::deny;
    EXPECT_TRUE(by_entry.matches(wild));
    EXPECT_FALSE(by_entry.matches(lit));
    by_entry.entry.operation = acl_operation::read;
    EXPECT_FALSE(by_entry.matches(wild));
}

}  // namespace
}  // namespace acl_test
}  // namespace spate::security
