#include <gtest/gtest.h>

#include "sql/expr/tests/expr_test_util.h"

namespace spate::sql::testing {
namespace string_functions_test {
namespace {

expr_ptr t(std::string s) {
    return lit_text(std::move(s));
}
expr_ptr i(int32_t v) {
    return lit_int(v);
}

TEST(string_functions, case_mapping_and_lengths) {
    EXPECT_EQ(run_call("lower", {t("HeLLo")}), "hello");
    EXPECT_EQ(run_call("upper", {t("straße")}), "STRAßE");  // ASCII only, as the C locale
    EXPECT_EQ(run_call("initcap", {t("hello wORLD-foo")}), "Hello World-Foo");
    EXPECT_EQ(run_call("length", {t("héllo")}), "5");
    EXPECT_EQ(run_call("char_length", {t("")}), "0");
    EXPECT_EQ(run_call("octet_length", {t("héllo")}), "6");
}

TEST(string_functions, substring_uses_postgres_positions) {
    EXPECT_EQ(run_call("substring", {t("hello"), i(2), i(3)}), "ell");
    EXPECT_EQ(run_call("substring", {t("hello"), i(0), i(3)}), "he");
    EXPECT_EQ(run_call("substring", {t("hello"), i(-5), i(3)}), "");
    EXPECT_EQ(run_call("substr", {t("héllo"), i(2)}), "éllo");
    EXPECT_EQ(run_call("substring", {t("hello"), i(2), i(-1)}),
              "ERROR: negative substring length not allowed");
    EXPECT_EQ(run_call("left", {t("abcde"), i(2)}), "ab");
    EXPECT_EQ(run_call("left", {t("abcde"), i(-2)}), "abc");
    EXPECT_EQ(run_call("right", {t("abcde"), i(2)}), "de");
    EXPECT_EQ(run_call("right", {t("abcde"), i(-2)}), "cde");
}

TEST(string_functions, split_part_counts_from_either_end) {
    EXPECT_EQ(run_call("split_part", {t("a,b,c"), t(","), i(2)}), "b");
    EXPECT_EQ(run_call("split_part", {t("a,b,c"), t(","), i(-1)}), "c");
    EXPECT_EQ(run_call("split_part", {t("a,b,c"), t(","), i(4)}), "");
    EXPECT_EQ(run_call("split_part", {t("a,b"), t(","), i(0)}),
              "ERROR: field position must not be zero");
}

TEST(string_functions, concat_skips_nulls_but_the_operator_does_not) {
    EXPECT_EQ(run_call("concat", {t("a"), lit_null(type_id::text), i(1)}), "a1");
    EXPECT_EQ(run_call("concat_ws", {t(","), t("a"), lit_null(type_id::text), t("b")}), "a,b");
    EXPECT_EQ(run_call("concat_ws", {lit_null(type_id::text), t("a")}), "NULL");
    EXPECT_EQ(run_call("||", {t("a"), i(1)}), "a1");
    EXPECT_EQ(run_call("||", {lit_unknown("x"), lit_unknown("y")}), "xy");
    EXPECT_EQ(run_call("||", {t("a"), lit_null(type_id::text)}), "NULL");
}

TEST(string_functions, trim_pad_replace_repeat_reverse) {
    EXPECT_EQ(run_call("btrim", {t("  x  ")}), "x");
    EXPECT_EQ(run_call("ltrim", {t("xxaxx"), t("x")}), "axx");
    EXPECT_EQ(run_call("rtrim", {t("xxaxy"), t("xy")}), "xxa");
    EXPECT_EQ(run_call("lpad", {t("hi"), i(5), t("xy")}), "xyxhi");
    EXPECT_EQ(run_call("rpad", {t("hello"), i(3)}), "hel");
    EXPECT_EQ(run_call("rpad", {t("hi"), i(4)}), "hi  ");
    EXPECT_EQ(run_call("replace", {t("abcabc"), t("b"), t("XY")}), "aXYcaXYc");
    EXPECT_EQ(run_call("repeat", {t("ab"), i(3)}), "ababab");
    EXPECT_EQ(run_call("repeat", {t("ab"), i(-1)}), "");
    EXPECT_EQ(run_call("reverse", {t("héllo")}), "olléh");
    EXPECT_EQ(run_call("btrim", {t("éxé"), t("é")}), "x");
    EXPECT_EQ(run_call("btrim", {t("   "), t(" ")}), "");
    EXPECT_EQ(run_call("lpad", {t("x"), i(4), t("é")}), "éééx");
    EXPECT_EQ(run_call("split_part", {t("a,b,c"), t(","), i(-4)}), "");
    EXPECT_EQ(run_call("split_part", {t("a,,c"), t(","), i(-2)}), "");
    EXPECT_EQ(run_call("strpos", {t("héllo"), t("l")}), "3");
    EXPECT_EQ(run_call("position", {t("abc"), t("z")}), "0");
    EXPECT_EQ(run_call("starts_with", {t("abc"), t("ab")}), "t");
}

TEST(string_functions, character_functions) {
    EXPECT_EQ(run_call("translate", {t("12345"), t("143"), t("ax")}), "a2x5");
    EXPECT_EQ(run_call("translate", {t("héllo"), t("él"), t("EL")}), "hELLo");
    EXPECT_EQ(run_call("ascii", {t("x")}), "120");
    EXPECT_EQ(run_call("ascii", {t("é")}), "233");
    EXPECT_EQ(run_call("chr", {i(233)}), "é");
    EXPECT_EQ(run_call("chr", {i(0)}), "ERROR: null character not permitted");
    EXPECT_EQ(run_call("to_hex", {i(255)}), "ff");
    EXPECT_EQ(run_call("to_hex", {i(-1)}), "ffffffff");
    EXPECT_EQ(run_call("to_hex", {expr::make_constant(value::int64(-1))}), "ffffffffffffffff");
}

TEST(string_functions, md5_matches_reference_digests) {
    EXPECT_EQ(run_call("md5", {t("")}), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(run_call("md5", {t("abc")}), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(run_call("md5", {t(std::string(100, 'a'))}), "36a92cc94a9e0fa21f625f8bfb007adf");
}

TEST(pattern, like_handles_wildcards_and_escapes) {
    EXPECT_EQ(run_call("~~", {t("abc"), t("a%")}), "t");
    EXPECT_EQ(run_call("~~", {t("abc"), t("a_c")}), "t");
    EXPECT_EQ(run_call("~~", {t("abc"), t("a_")}), "f");
    EXPECT_EQ(run_call("~~", {t(""), t("%")}), "t");
    EXPECT_EQ(run_call("~~", {t("aab"), t("%%b")}), "t");
    EXPECT_EQ(run_call("~~", {t("abcbd"), t("%b_")}), "t");
    EXPECT_EQ(run_call("~~", {t("a%c"), t("a\\%c")}), "t");
    EXPECT_EQ(run_call("~~", {t("abc"), t("a\\%c")}), "f");
    EXPECT_EQ(run_call("~~", {t("é"), t("_")}), "t");
    EXPECT_EQ(run_call("!~~", {t("abc"), t("b%")}), "t");
    EXPECT_EQ(run_call("~~*", {t("ABC"), t("a%c")}), "t");
    EXPECT_EQ(run_call("!~~*", {t("ABC"), t("a%c")}), "f");
    EXPECT_EQ(run_call("~~", {t("abc"), t("ab\\")}),
              "ERROR: LIKE pattern must not end with escape character");
    EXPECT_EQ(run_call("~~", {lit_null(type_id::text), t("%")}), "NULL");
}

TEST(pattern, like_escape_rewrites_custom_escape_characters) {
    auto like = [](std::string s, std::string p, std::string esc) {
        return run_call("~~", {t(s), call("like_escape", {t(p), t(esc)})});
    };
    EXPECT_EQ(like("10%", "10#%", "#"), "t");
    EXPECT_EQ(like("100", "10#%", "#"), "f");
    EXPECT_EQ(like("a\\b", "a\\b", ""), "t");
    EXPECT_EQ(like("a_b", "a\\_b", "\\"), "t");
    EXPECT_EQ(like("axb", "a\\_b", "\\"), "f");
    EXPECT_EQ(run_call("like_escape", {t("x"), t("ab")}), "ERROR: invalid escape string");
}

TEST(pattern, like_over_a_column_with_changing_patterns) {
    column text(data_type::of(type_id::text)), pat(data_type::of(type_id::text));
    for (auto [s, p] : {std::pair{"abc", "a%"}, {"xbc", "a%"}, {"xbc", "%c"}, {"xbd", "%c"}}) {
        text.push_string(s);
        pat.push_string(p);
    }
    chunk in({text, pat});
    auto e =
        call("~~", {expr::make_column(0, text.type(), "s"), expr::make_column(1, pat.type(), "p")});
    EXPECT_EQ(eval_texts(e, in), (std::vector<std::string>{"t", "f", "t", "f"}));
}

TEST(pattern, posix_regex_via_re2) {
    EXPECT_EQ(run_call("~", {t("abc"), t("b")}), "t");
    EXPECT_EQ(run_call("~", {t("abc"), t("^B")}), "f");
    EXPECT_EQ(run_call("~*", {t("abc"), t("^B")}), "f");
    EXPECT_EQ(run_call("~*", {t("abc"), t("^A")}), "t");
    EXPECT_EQ(run_call("!~", {t("abc"), t("z")}), "t");
    EXPECT_EQ(run_call("!~*", {t("abc"), t("B")}), "f");
    auto bad = call("~", {t("abc"), t("(")});
    EXPECT_EQ(error_of(bad), sql_errc::invalid_regular_expression);
}

TEST(pattern, substring_from_a_regex) {
    EXPECT_EQ(run_call("substring", {t("foobar"), t("o.b")}), "oob");
    EXPECT_EQ(run_call("substring", {t("foobar"), t("o(.)b")}), "o");
    EXPECT_EQ(run_call("substring", {t("foobar"), t("z")}), "NULL");
    // An integer start position still picks the positional overload.
    EXPECT_EQ(run_call("substring", {lit_unknown("foobar"), i(4)}), "bar");
}

TEST(pattern, regexp_replace_with_flags_and_backreferences) {
    EXPECT_EQ(run_call("regexp_replace", {t("foobarbaz"), t("b(..)"), t("X\\1Y")}), "fooXarYbaz");
    EXPECT_EQ(run_call("regexp_replace", {t("foobarbaz"), t("b(..)"), t("X\\1Y"), t("g")}),
              "fooXarYXazY");
    EXPECT_EQ(run_call("regexp_replace", {t("ABab"), t("a"), t("-"), t("gi")}), "-B-b");
    EXPECT_EQ(run_call("regexp_replace", {t("abc"), t("b"), t("[\\&]")}), "a[b]c");
    EXPECT_EQ(run_call("regexp_replace", {t("abc"), t("b"), t("x"), t("q")}),
              "ERROR: invalid regular expression option: \"q\"");
}

}  // namespace
}  // namespace string_functions_test
}  // namespace spate::sql::testing
