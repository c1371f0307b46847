#include "pgwire/message.h"

#include <gtest/gtest.h>

namespace spate::pgwire {
namespace message_test {
namespace {

TEST(message_writer, a_message_is_type_then_length_including_itself_then_body) {
    std::string out;
    message_writer w(out);
    w.begin('C');
    w.put_cstring("SELECT 1");
    w.end();
    EXPECT_EQ(out, std::string("C\0\0\0\x0dSELECT 1\0", 14));
}

TEST(message_writer, integers_are_big_endian) {
    std::string out;
    message_writer w(out);
    w.put_i16(-2);
    w.put_i32(0x01020304);
    w.put_i64(5);
    EXPECT_EQ(out, std::string("\xff\xfe\x01\x02\x03\x04\0\0\0\0\0\0\0\x05", 14));
}

TEST(message_reader, reads_fields_and_reports_truncation) {
    std::string body("ab\0\x00\x07\x00\x00\x00\x09x", 10);
    message_reader r(body);
    EXPECT_EQ(r.cstring(), "ab");
    EXPECT_EQ(r.i16(), 7);
    EXPECT_EQ(r.i32(), 9);
    EXPECT_FALSE(r.i16().has_value());
    EXPECT_EQ(r.bytes(1), "x");
    EXPECT_TRUE(r.at_end());
    EXPECT_FALSE(r.u8().has_value());
}

TEST(message_reader, a_string_without_nul_is_malformed) {
    message_reader r("abc");
    EXPECT_FALSE(r.cstring().has_value());
}

TEST(valid_utf8, accepts_utf8_and_rejects_overlongs_surrogates_and_truncation) {
    EXPECT_TRUE(valid_utf8("plain ascii"));
    EXPECT_TRUE(valid_utf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));
    EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
    EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
    EXPECT_FALSE(valid_utf8("\xe2\x82"));          // truncated
    EXPECT_FALSE(valid_utf8("\xff"));              // never valid
    EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
}

}  // namespace
}  // namespace message_test
}  // namespace spate::pgwire
