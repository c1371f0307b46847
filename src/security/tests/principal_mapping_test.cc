#include "security/principal_mapping.h"

#include <gtest/gtest.h>

namespace spate::security {
namespace principal_mapping_test {
namespace {

TEST(principal_mapping, rules_apply_in_order_with_groups_and_case) {
    auto m = principal_mapper::parse(
        "RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, RULE:^CN=([^,]*),O=(.*)$/$1@$2/U, DEFAULT");
    ASSERT_TRUE(m.ok()) << m.err().message;
    EXPECT_EQ(m->map("CN=Svc,OU=ServiceUsers,O=Acme").value(), "svc");
    EXPECT_EQ(m->map("CN=bob,O=acme").value(), "BOB@ACME");
    EXPECT_EQ(m->map("OU=x").value(), "OU=x");  // DEFAULT
}

TEST(principal_mapping, escaped_slashes_and_no_matching_rule) {
    auto m = principal_mapper::parse("RULE:^CN=([^\\/]*)\\/x$/$1\\/y/");
    ASSERT_TRUE(m.ok()) << m.err().message;
    EXPECT_EQ(m->map("CN=a/x").value(), "a/y");
    EXPECT_FALSE(m->map("CN=a").ok());
}

TEST(principal_mapping, malformed_rules_are_errors_naming_the_position) {
    for (const char* bad :
         {"", "RULE:^a$", "RULE:^a$/b", "RULE:(/x/", "DEFAULT RULE:a/b/", "NOPE"}) {
        auto m = principal_mapper::parse(bad);
        EXPECT_FALSE(m.ok()) << bad;
        if (!m.ok()) {
            EXPECT_NE(m.err().message.find("ssl.principal.mapping.rules"), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace principal_mapping_test
}  // namespace spate::security
