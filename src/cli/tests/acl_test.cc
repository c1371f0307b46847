// `spate acl` flags → ACL bindings and filters, and the listing.

#include <gtest/gtest.h>

#include "cli/acl_args.h"

namespace spate::cli {
namespace acl_test {
namespace {

namespace kc = kafka::client;

TEST(acl_args, operations_parse_in_kafka_acls_spellings) {
    EXPECT_EQ(*parse_acl_operation("Read"), 3);
    EXPECT_EQ(*parse_acl_operation("WRITE"), 4);
    EXPECT_EQ(*parse_acl_operation("DescribeConfigs"), 10);
    EXPECT_EQ(*parse_acl_operation("describe-configs"), 10);
    EXPECT_EQ(*parse_acl_operation("IDEMPOTENT_WRITE"), 12);
    EXPECT_EQ(*parse_acl_operation("All"), 2);
    EXPECT_FALSE(parse_acl_operation("Any").ok());
    EXPECT_FALSE(parse_acl_operation("reed").ok());
}

TEST(acl_args, create_builds_one_binding_per_resource_principal_and_operation) {
    auto a = parse_acl({"--allow-principal", "User:alice", "--operation", "Read", "--operation",
                        "Describe", "--topic", "orders", "--group", "app",
                        "--resource-pattern-type", "prefixed"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    auto b = acl_bindings(*a);
    ASSERT_TRUE(b.ok()) << b.err().message;
    ASSERT_EQ(b->size(), 4u);
    EXPECT_EQ((*b)[0], (kc::acl_binding_spec{2, "orders", 4, "User:alice", "*", 3, 3}));
    EXPECT_EQ((*b)[3], (kc::acl_binding_spec{3, "app", 4, "User:alice", "*", 8, 3}));
}

TEST(acl_args, cluster_is_literal_kafka_cluster_and_deny_hosts_apply) {
    auto a = parse_acl({"--deny-principal", "User:*", "--deny-host", "10.0.0.9", "--operation",
                        "Alter", "--cluster", "--resource-pattern-type", "prefixed"});
    ASSERT_TRUE(a.ok());
    auto b = acl_bindings(*a);
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(b->size(), 1u);
    EXPECT_EQ((*b)[0], (kc::acl_binding_spec{4, "kafka-cluster", 3, "User:*", "10.0.0.9", 7, 2}));
}

TEST(acl_args, subject_is_the_registry_resource_type_64) {
    auto a = parse_acl({"--allow-principal", "User:alice", "--operation", "Write", "--subject",
                        "orders-", "--resource-pattern-type", "prefixed"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    auto b = acl_bindings(*a);
    ASSERT_TRUE(b.ok()) << b.err().message;
    ASSERT_EQ(b->size(), 1u);
    EXPECT_EQ((*b)[0], (kc::acl_binding_spec{64, "orders-", 4, "User:alice", "*", 4, 3}));
}

TEST(acl_args, create_needs_resource_principal_and_operation) {
    EXPECT_FALSE(
        acl_bindings(*parse_acl({"--allow-principal", "User:a", "--operation", "Read"})).ok());
    EXPECT_FALSE(acl_bindings(*parse_acl({"--topic", "t", "--operation", "Read"})).ok());
    EXPECT_FALSE(acl_bindings(*parse_acl({"--topic", "t", "--allow-principal", "User:a"})).ok());
    EXPECT_FALSE(
        acl_bindings(*parse_acl({"--topic", "t", "--allow-principal", "User:a", "--operation",
                                 "Read", "--resource-pattern-type", "match"}))
            .ok());
}

TEST(acl_args, delete_without_principal_matches_every_entry_of_the_resource) {
    auto f = acl_delete_filters(*parse_acl({"--topic", "orders"}));
    ASSERT_TRUE(f.ok());
    ASSERT_EQ(f->size(), 1u);
    EXPECT_EQ((*f)[0].resource_type, 2);
    EXPECT_EQ((*f)[0].resource_name, "orders");
    EXPECT_EQ((*f)[0].pattern_type, 3);
    EXPECT_FALSE((*f)[0].principal.has_value());
    EXPECT_EQ((*f)[0].operation, 1);
    EXPECT_EQ((*f)[0].permission, 1);
}

TEST(acl_args, list_defaults_to_every_acl_and_takes_a_principal) {
    auto f = acl_list_filters(*parse_acl({"--principal", "User:bob"}));
    ASSERT_TRUE(f.ok());
    ASSERT_EQ(f->size(), 1u);
    EXPECT_EQ((*f)[0].resource_type, 1);
    EXPECT_EQ((*f)[0].pattern_type, 1);
    EXPECT_EQ((*f)[0].principal, "User:bob");
}

TEST(acl_args, listing_groups_entries_by_resource_pattern) {
    auto text = format_acls({{2, "orders", 3, "User:bob", "*", 4, 3},
                             {2, "orders", 3, "User:alice", "*", 3, 2},
                             {3, "app", 4, "User:alice", "*", 3, 3}});
    EXPECT_EQ(text,
              "Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, "
              "patternType=LITERAL)`:\n"
              " \t(principal=User:alice, host=*, operation=READ, permissionType=DENY)\n"
              " \t(principal=User:bob, host=*, operation=WRITE, permissionType=ALLOW)\n\n"
              "Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=app, "
              "patternType=PREFIXED)`:\n"
              " \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)\n\n");
}

}  // namespace
}  // namespace acl_test
}  // namespace spate::cli
