#include <gtest/gtest.h>

#include "base/result.h"
#include "base/strong_type.h"

namespace spate {
namespace result_test {
namespace {

result<int> parse_positive(int v) {
    if (v <= 0) return make_error(errc::invalid_argument, "not positive");
    return v;
}

status chain(int v) {
    SPATE_TRY(parse_positive(v));
    return {};
}

TEST(result, holds_value_when_ok) {
    auto r = parse_positive(3);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 3);
}

TEST(result, holds_error_when_failed) {
    auto r = parse_positive(-1);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::invalid_argument);
    EXPECT_EQ(r.err().to_string(), "invalid_argument: not positive");
}

TEST(result, try_propagates_the_error) {
    EXPECT_TRUE(chain(1).ok());
    auto s = chain(0);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.err().code, errc::invalid_argument);
}

TEST(result, reading_value_of_failed_result_crashes) {
    EXPECT_DEATH(
        {
            auto r = parse_positive(0);
            (void)r.value();
        },
        "invariant violated");
}

struct a_tag {};
struct b_tag {};
TEST(strong_type, compares_and_does_arithmetic_within_its_own_type) {
    using a = strong_type<int64_t, a_tag>;
    a x(5);
    a y = x + 3;
    EXPECT_LT(x, y);
    EXPECT_EQ(y - x, 3);
    static_assert(!std::is_convertible_v<strong_type<int64_t, b_tag>, a>);
    static_assert(!std::is_convertible_v<int64_t, a>);
}

TEST(errno_error, carries_the_system_message) {
    auto e = errno_error("open x", ENOENT);
    EXPECT_EQ(e.code, errc::io_error);
    EXPECT_NE(e.message.find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace result_test
}  // namespace spate
