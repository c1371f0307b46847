#include "http/uri.h"

#include <gtest/gtest.h>

namespace spate::http {
namespace uri_test {
namespace {

TEST(percent_decode, decodes_escapes_in_either_case) {
    EXPECT_EQ(percent_decode("a%2Fb%2fc", false).value(), "a/b/c");
    EXPECT_EQ(percent_decode("%3A.ctx%3Asubject", false).value(), ":.ctx:subject");
}

TEST(percent_decode, plus_is_a_space_only_when_asked) {
    EXPECT_EQ(percent_decode("a+b", true).value(), "a b");
    EXPECT_EQ(percent_decode("a+b", false).value(), "a+b");
}

TEST(percent_decode, keeps_nul_and_high_bytes) {
    auto s = percent_decode("%00%FF", false);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s.value(), std::string("\0\xff", 2));
}

TEST(percent_decode, refuses_truncated_or_non_hex_escapes) {
    EXPECT_FALSE(percent_decode("%", false).ok());
    EXPECT_FALSE(percent_decode("%4", false).ok());
    EXPECT_FALSE(percent_decode("%zz", false).ok());
    EXPECT_FALSE(percent_decode("abc%G1", false).ok());
}

TEST(percent_encode, escapes_all_but_unreserved_bytes_and_round_trips) {
    EXPECT_EQ(percent_encode("a-b_c.d~9"), "a-b_c.d~9");
    EXPECT_EQ(percent_encode(":.ctx:a/b c"), "%3A.ctx%3Aa%2Fb%20c");
    const std::string all = std::string("\0\xff+%?&=#", 9);
    EXPECT_EQ(percent_decode(percent_encode(all), false).value(), all);
}

TEST(parse_target, splits_before_decoding_so_escaped_slashes_stay_in_a_segment) {
    auto t = parse_target("/subjects/a%2Fb/versions");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->segments, (std::vector<std::string>{"subjects", "a/b", "versions"}));
    EXPECT_TRUE(t->query.empty());
}

TEST(parse_target, root_has_no_segments_and_one_trailing_slash_is_ignored) {
    EXPECT_TRUE(parse_target("/")->segments.empty());
    EXPECT_EQ(parse_target("/subjects/")->segments, (std::vector<std::string>{"subjects"}));
    EXPECT_EQ(parse_target("/a//b")->segments, (std::vector<std::string>{"a", "", "b"}));
}

TEST(parse_target, decodes_query_parameters_in_order) {
    auto t = parse_target("/subjects?deleted=true&subjectPrefix=a+b%26c&flag&=x&&last=");
    ASSERT_TRUE(t.ok());
    param_list want{
        {"deleted", "true"}, {"subjectPrefix", "a b&c"}, {"flag", ""}, {"", "x"}, {"last", ""}};
    EXPECT_EQ(t->query, want);
}

TEST(parse_target, refuses_targets_not_starting_with_a_slash_and_bad_escapes) {
    EXPECT_FALSE(parse_target("").ok());
    EXPECT_FALSE(parse_target("subjects").ok());
    EXPECT_FALSE(parse_target("http://host/subjects").ok());
    EXPECT_FALSE(parse_target("/subjects/%zz").ok());
    EXPECT_FALSE(parse_target("/subjects?a=%").ok());
}

}  // namespace
}  // namespace uri_test
}  // namespace spate::http
