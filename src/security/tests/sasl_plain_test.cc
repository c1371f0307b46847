#include "security/sasl_plain.h"

#include <gtest/gtest.h>

namespace spate::security {
namespace sasl_plain_test {
namespace {

using namespace std::string_literals;

TEST(sasl_plain, parses_user_and_password_with_an_empty_or_equal_authzid) {
    auto c = parse_plain("\0alice\0secret"s);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->user, "alice");
    EXPECT_EQ(c->password, "secret");
    EXPECT_TRUE(parse_plain("alice\0alice\0secret"s).ok());
}

TEST(sasl_plain, refuses_missing_fields_other_authzids_and_extra_nuls) {
    for (const auto& bad :
         {"alice\0secret"s, "\0\0secret"s, "\0alice\0"s, "bob\0alice\0pw"s, "\0alice\0pw\0"s, ""s})
        EXPECT_FALSE(parse_plain(bad).ok());
}

}  // namespace
}  // namespace sasl_plain_test
}  // namespace spate::security
