#include "security/authorizer.h"

#include <gtest/gtest.h>

namespace spate::security {
namespace authorizer_test {
namespace {

using op = acl_operation;
const identity alice{"User:alice", "10.0.0.1"};
const identity bob{"User:bob", "10.0.0.2"};

acl_binding allow(std::string principal, op o, resource_pattern r, std::string host = "*") {
    return {std::move(r), {std::move(principal), std::move(host), o, permission_type::allow}};
}
acl_binding deny(std::string principal, op o, resource_pattern r, std::string host = "*") {
    return {std::move(r), {std::move(principal), std::move(host), o, permission_type::deny}};
}
resource_pattern topic(std::string name, pattern_type p = pattern_type::literal) {
    return {resource_type::topic, std::move(name), p};
}

void add(authorizer& a, const std::vector<acl_binding>& bs) {
    for (const auto& s : a.create(bs))
        ASSERT_TRUE(s.ok()) << s.err().message;
}

TEST(authorizer, a_resource_without_acls_follows_allow_everyone_if_no_acl_found) {
    authorizer closed({{}, false});
    EXPECT_FALSE(closed.authorize(alice, op::read, resource_type::topic, "t"));
    authorizer open({});
    EXPECT_TRUE(open.authorize(alice, op::read, resource_type::topic, "t"));
    // Once any ACL names the resource, only matching entries allow.
    add(open, {allow("User:bob", op::read, topic("t"))});
    EXPECT_FALSE(open.authorize(alice, op::read, resource_type::topic, "t"));
    EXPECT_TRUE(open.authorize(bob, op::read, resource_type::topic, "t"));
    EXPECT_TRUE(open.authorize(alice, op::read, resource_type::topic, "other"));
}

TEST(authorizer, super_users_are_allowed_whatever_denies) {
    authorizer a({{"User:admin"}, false});
    add(a, {deny("User:*", op::all, topic("*"))});
    identity admin{"User:admin", "h"};
    EXPECT_TRUE(a.authorize(admin, op::del, resource_type::topic, "t"));
    EXPECT_FALSE(a.authorize(alice, op::del, resource_type::topic, "t"));
}

TEST(authorizer, deny_wins_over_allow_on_any_applying_pattern) {
    authorizer a({{}, false});
    add(a, {allow("User:alice", op::read, topic("orders")),
            deny("User:alice", op::read, topic("ord", pattern_type::prefixed))});
    EXPECT_FALSE(a.authorize(alice, op::read, resource_type::topic, "orders"));
    // A DENY of READ does not deny DESCRIBE (only the operation and ALL).
    add(a, {allow("User:alice", op::describe, topic("orders"))});
    EXPECT_TRUE(a.authorize(alice, op::describe, resource_type::topic, "orders"));
    add(a, {deny("User:*", op::all, topic("orders"), "10.0.0.1")});
    EXPECT_FALSE(a.authorize(alice, op::describe, resource_type::topic, "orders"));
}

TEST(authorizer, read_write_delete_alter_imply_describe_and_alter_configs_describe_configs) {
    authorizer a({{}, false});
    add(a, {allow("User:alice", op::write, topic("w")), allow("User:alice", op::del, topic("d")),
            allow("User:alice", op::alter, topic("a")),
            allow("User:alice", op::alter_configs, topic("c")),
            allow("User:alice", op::all, topic("all"))});
    for (const char* t : {"w", "d", "a"})
        EXPECT_TRUE(a.authorize(alice, op::describe, resource_type::topic, t)) << t;
    EXPECT_FALSE(a.authorize(alice, op::read, resource_type::topic, "w"));
    EXPECT_TRUE(a.authorize(alice, op::describe_configs, resource_type::topic, "c"));
    EXPECT_FALSE(a.authorize(alice, op::describe, resource_type::topic, "c"));
    for (op o : operations_of(resource_type::topic))
        EXPECT_TRUE(a.authorize(alice, o, resource_type::topic, "all"));
}

TEST(authorizer, principals_and_hosts_match_exactly_or_by_wildcard) {
    authorizer a({{}, false});
    add(a, {allow("User:*", op::read, topic("shared")),
            allow("User:alice", op::write, topic("shared"), "10.0.0.1")});
    EXPECT_TRUE(a.authorize(bob, op::read, resource_type::topic, "shared"));
    EXPECT_TRUE(a.authorize(alice, op::write, resource_type::topic, "shared"));
    EXPECT_FALSE(
        a.authorize({"User:alice", "10.0.0.9"}, op::write, resource_type::topic, "shared"));
    EXPECT_FALSE(a.authorize(bob, op::write, resource_type::topic, "shared"));
}

TEST(authorizer, literal_wildcard_and_prefixed_patterns_apply_by_name_and_type) {
    authorizer a({{}, false});
    add(a, {allow("User:alice", op::read, topic("*")),
            allow("User:bob", op::read, topic("team-", pattern_type::prefixed))});
    EXPECT_TRUE(a.authorize(alice, op::read, resource_type::topic, "x"));
    EXPECT_TRUE(a.authorize(bob, op::read, resource_type::topic, "team-a"));
    EXPECT_FALSE(a.authorize(bob, op::read, resource_type::topic, "team"));
    EXPECT_FALSE(a.authorize(alice, op::read, resource_type::group, "x"));
}

TEST(authorizer, authorized_operations_are_the_allowed_bits_of_the_types_operations) {
    authorizer a({{}, false});
    add(a, {allow("User:alice", op::read, topic("t"))});
    int32_t bits = a.authorized_operations(alice, resource_type::topic, "t");
    EXPECT_EQ(bits, (1 << int(op::read)) | (1 << int(op::describe)));
    authorizer open({});
    int32_t every = 0;
    for (op o : operations_of(resource_type::group))
        every |= 1 << int(o);
    EXPECT_EQ(open.authorized_operations(alice, resource_type::group, "g"), every);
    EXPECT_EQ(every, (1 << 3) | (1 << 8) | (1 << 6));  // READ, DESCRIBE, DELETE
}

TEST(authorizer, create_validates_each_binding_and_remove_describe_use_filters) {
    authorizer a({{}, false});
    auto results =
        a.create({allow("User:alice", op::read, topic("t")), allow("alice", op::read, topic("t")),
                  allow("User:bob", op::write, topic("t", pattern_type::prefixed))});
    ASSERT_EQ(results.size(), 3u);
    EXPECT_TRUE(results[0].ok());
    EXPECT_FALSE(results[1].ok());
    EXPECT_TRUE(results[2].ok());
    EXPECT_EQ(a.describe({}).size(), 2u);

    acl_filter literal;
    literal.resource.pattern = pattern_type::literal;
    auto removed = a.remove(literal);
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].entry.principal, "User:alice");
    EXPECT_TRUE(a.entries(topic("t")).empty());
    EXPECT_EQ(a.entries(topic("t", pattern_type::prefixed)).size(), 1u);

    a.set(topic("t"), {{"User:carol", "*", op::read, permission_type::allow}});
    EXPECT_TRUE(a.authorize({"User:carol", "h"}, op::read, resource_type::topic, "t"));
    a.set(topic("t"), {});
    EXPECT_FALSE(a.authorize({"User:carol", "h"}, op::read, resource_type::topic, "t"));
}

}  // namespace
}  // namespace authorizer_test
}  // namespace spate::security
