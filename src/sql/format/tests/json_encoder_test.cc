#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/format/format.h"
#include "sql/types/text_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql {
namespace json_encoder_test {
namespace {

// The encoder keeps a day's date text for the rows after it: every
// timestamp still reads exactly as its text form, across days, eras and
// the infinities, in either order.
TEST(json_encoder, timestamps_read_as_their_text_form_across_days_and_eras) {
    const int64_t day = k_micros_per_day;
    std::vector<int64_t> values{0,
                                1,
                                -1,
                                day - 1,
                                day,
                                1'436'918'399'055'000,
                                1'436'918'399'999'999,
                                1'436'918'400'000'000,
                                -719162 * day,
                                -719162 * day - 1,
                                -719163 * day + 500'000,
                                2932896 * day + day - 1,
                                2932897 * day,
                                -62'000'000'000'000'000,
                                INT64_MAX,
                                INT64_MIN,
                                1'436'918'400'000'000};
    for (type_id id : {type_id::timestamp, type_id::timestamptz}) {
        std::vector<column_def> cols{{"t", data_type::of(id)}};
        auto e = make_encoder(record_format::json, cols);
        ASSERT_TRUE(e.ok());
        column c(data_type::of(id));
        for (int64_t v : values)
            c.push<int64_t>(v);
        chunk in({c});
        for (size_t row = 0; row < values.size(); ++row) {
            std::string text;
            format_text(in.at(0), row, text);
            std::string want = "{\"t\":";
            text_detail::append_json_string(text, want);
            want += "}";
            std::string got;
            e.value()->encode(in, row, got);
            EXPECT_EQ(got, want) << values[row];
        }
    }
}

// json_plain_length finds the first byte JSON must escape at any position
// of an 8-byte word, in the tail and never past the given length.
TEST(json_encoder, plain_length_stops_at_the_first_byte_to_escape) {
    for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\x80', '\xff'}) {
        for (size_t len = 0; len < 20; ++len) {
            for (size_t at = 0; at <= len; ++at) {
                std::string s(len, 'x');
                if (at < len) s[at] = special;
                s += std::string(8, special);  // past the length: must not be read as part of it
                EXPECT_EQ(text_detail::json_plain_length(s.data(), len), at)
                    << int(special) << " " << len << " " << at;
            }
        }
    }
    EXPECT_EQ(text_detail::json_plain_length("a ~\x7f", 4), 4u);
}

}  // namespace
}  // namespace json_encoder_test
}  // namespace spate::sql
