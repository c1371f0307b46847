#include "sql/expr/json_scan.h"

#include <gtest/gtest.h>

#include <string>

namespace spate::sql::detail {
namespace json_scan_test {
namespace {

TEST(json_scan, finds_members_in_unnormalised_text) {
    std::string_view out;
    std::string_view doc = R"( { "a" : [1, "]}" ,{"b":2}] , "c":true } )";
    ASSERT_EQ(json_member(doc, "a", out), json_scan::found);
    EXPECT_EQ(out, R"([1, "]}" ,{"b":2}])");
    ASSERT_EQ(json_member(doc, "c", out), json_scan::found);
    EXPECT_EQ(out, "true");
    EXPECT_EQ(json_member(doc, "z", out), json_scan::missing);
    ASSERT_EQ(json_element(R"([1, "]}" ,{"b":2}])", 2, out), json_scan::found);
    EXPECT_EQ(out, R"({"b":2})");
    ASSERT_EQ(json_element("[1,2,3]", -3, out), json_scan::found);
    EXPECT_EQ(out, "1");
    EXPECT_EQ(json_element("[1,2,3]", -4, out), json_scan::missing);
    EXPECT_EQ(json_element("[1,2,3]", 3, out), json_scan::missing);
}

TEST(json_scan, reports_malformed_text) {
    std::string_view out;
    EXPECT_EQ(json_member(R"({"a" 1})", "a", out), json_scan::malformed);
    EXPECT_EQ(json_member(R"({"a": "x)", "a", out), json_scan::malformed);
    EXPECT_EQ(json_element("[1, 2", 5, out), json_scan::malformed);
}

TEST(json_scan, unescapes_strings) {
    std::string s;
    ASSERT_TRUE(json_unescape(R"("a\"b\\c\n\u00e9\ud83d\ude00")", s));
    EXPECT_EQ(s, "a\"b\\c\né😀");
    EXPECT_FALSE(json_unescape(R"("bad\u12")", s));
    EXPECT_FALSE(json_unescape("noquotes", s));
}

}  // namespace
}  // namespace json_scan_test
}  // namespace spate::sql::detail
