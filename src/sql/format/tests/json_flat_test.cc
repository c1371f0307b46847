#include "sql/format/json_flat.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sql/format/format_detail.h"
#include "sql/types/text_io.h"

namespace spate::sql {
namespace json_flat_test {
namespace {

using format_detail::json_flat_decoder;

const std::vector<column_def> k_bid{
    {"auction", data_type::of(type_id::int64)},
    {"bidder", data_type::of(type_id::int32)},
    {"price", data_type::of(type_id::int16)},
    {"channel", data_type{type_id::text, 12, -1, true}},
    {"url", data_type::of(type_id::text)},
    {"date_time", data_type::of(type_id::timestamp)},
    {"tz", data_type::of(type_id::timestamptz)},
    {"ok", data_type::of(type_id::boolean)},
    {"amount", data_type::numeric(10, 2)},
    {"f", data_type::of(type_id::float64)},
    {"doc", data_type::of(type_id::jsonb)},
    {"day", data_type::of(type_id::date)},
};

std::string cell(const chunk& c, size_t col, size_t row) {
    if (c.at(col).is_null(row)) return "NULL";
    std::string out;
    format_text(c.at(col), row, out);
    return out;
}

// Every declared cell of every row, and each failure as "index: reason".
std::vector<std::string> dump(const chunk& c, const std::vector<decode_failure>& failures) {
    std::vector<std::string> out;
    for (size_t r = 0; r < c.rows(); ++r)
        for (size_t col = 0; col < k_bid.size(); ++col)
            out.push_back(cell(c, col, r));
    for (const auto& f : failures)
        out.push_back(std::to_string(f.index) + ": " + f.reason);
    return out;
}

// Decodes `texts` with the fast path first and with simdjson only.
std::pair<std::vector<std::string>, std::vector<std::string>> both_paths(
    const std::vector<std::string>& texts) {
    std::vector<record_view> rs;
    for (const auto& t : texts) {
        record_view r;
        r.value = t;
        r.proctime_micros = 1;
        rs.push_back(r);
    }
    std::pair<std::vector<std::string>, std::vector<std::string>> out;
    for (bool flat : {true, false}) {
        auto d = format_detail::make_json_decoder(k_bid, flat);
        chunk c = make_source_chunk(k_bid);
        std::vector<decode_failure> failures;
        d->decode(rs, c, failures);
        for (const column& col : c.columns())
            EXPECT_EQ(col.size(), c.rows());
        for (size_t i = 0; i < k_bid.size(); ++i) {
            const column& col = c.at(i);
            if (col.type().id == type_id::text || col.type().id == type_id::jsonb) {
                EXPECT_EQ(col.strings().bytes.size(), col.strings().offsets.back());
            }
        }
        (flat ? out.first : out.second) = dump(c, failures);
    }
    return out;
}

TEST(json_flat_decoder, decodes_a_flat_bid_from_its_bytes) {
    json_flat_decoder d(k_bid);
    chunk c = make_source_chunk(k_bid);
    std::string a =
        R"({"auction":1000,"bidder":-2017,"price":1720,"channel":"channel-4329",)"
        R"("url":"https://www.nexmark.com/a/item.htm?query=1","date_time":"2015-07-14 23:59:59.055",)"
        R"("tz":"2015-07-15T00:00:01","ok":false,"amount":12.345,"f":-1.5e3,"extra":"x"})";
    std::string b = R"( { "BIDDER" : 7 , "url" : "say \"hi\"\n\\ caf)"
                    "\xc3\xa9"
                    R"(", "date_time": 1436918400000, "day": null } )";
    ASSERT_TRUE(d.decode(a, c, 0));
    ASSERT_TRUE(d.decode(b, c, 1));
    EXPECT_EQ(cell(c, 0, 0), "1000");
    EXPECT_EQ(cell(c, 1, 0), "-2017");
    EXPECT_EQ(cell(c, 2, 0), "1720");
    EXPECT_EQ(cell(c, 3, 0), "channel-4329");
    EXPECT_EQ(cell(c, 5, 0), "2015-07-14 23:59:59.055");
    EXPECT_EQ(cell(c, 6, 0), "2015-07-15 00:00:01+00");
    EXPECT_EQ(cell(c, 7, 0), "f");
    EXPECT_EQ(cell(c, 8, 0), "12.35");
    EXPECT_EQ(cell(c, 9, 0), "-1500");
    EXPECT_EQ(cell(c, 10, 0), "NULL");
    EXPECT_EQ(cell(c, 0, 1), "NULL");
    EXPECT_EQ(cell(c, 1, 1), "7");
    EXPECT_EQ(cell(c, 4, 1), "say \"hi\"\n\\ caf\xc3\xa9");
    EXPECT_EQ(cell(c, 5, 1), "2015-07-15 00:00:00");
    EXPECT_EQ(cell(c, 11, 1), "NULL");
}

TEST(json_flat_decoder, declines_what_the_general_path_must_decide_and_leaves_no_trace) {
    json_flat_decoder d(k_bid);
    chunk c = make_source_chunk(k_bid);
    for (std::string text : {
             R"({"auction": 1, "doc": {"a": 1}})",  // nested value
             R"({"auction": 1, "url": "\u00e9"})",  // \u escape
             R"({"auction": 1, "auction": 2})",     // repeated key
             R"({"auction": 1, "x": [1]})",         // nested unknown field
             R"({"auction": 1.0})",                 // not an integer token
             R"({"price": 40000})",                 // smallint range
             R"({"channel": "thirteen chars"})",    // varchar(12)
             R"({"auction": 01})",                  // not strict JSON
             R"({"auction": 1,})",                  // trailing comma
             R"({"auction": 1} x)",                 // trailing content
             "{\"url\": \"a\tb\"}",                 // raw control character
             "{\"url\": \"\xc3\"}",                 // invalid UTF-8
             R"({"auction": 1)",                    // incomplete
             R"({"ok": "maybe"})",                  // boolean refuses the text
         }) {
        EXPECT_FALSE(d.decode(text, c, 0)) << text;
        for (size_t i = 0; i < k_bid.size(); ++i)
            EXPECT_EQ(c.at(i).size(), 0u) << text;
        EXPECT_EQ(c.at(3).strings().bytes, "") << text;
    }
}

TEST(json_flat_decoder, agrees_with_the_general_path_on_edge_cases) {
    std::vector<std::string> texts{
        R"({})",
        R"({"auction": -0, "bidder": 2147483647, "price": -32768})",
        R"({"bidder": 2147483648})",
        R"({"auction": 9223372036854775807})",
        R"({"auction": 9223372036854775808})",
        R"({"auction": "12"})",
        R"({"auction": true})",
        R"({"auction": 1e3})",
        R"({"url": 12.50, "channel": true})",
        R"({"url": "a\/b\b\f\r\t"})",
        R"({"url": "\ud83d\ude00"})",
        R"({"url": "\x"})",
        R"({"Url": "case", "URL": "again"})",
        R"({"date_time": "2015-07-14 23:59:59"})",
        R"({"date_time": "2015-07-14 23:59:59."})",
        R"({"date_time": "2015-07-14 23:59:59.1234567"})",
        R"({"date_time": "2015-07-14 24:00:00"})",
        R"({"date_time": "2015-02-29 00:00:00"})",
        R"({"date_time": "2016-02-29 00:00:00.5"})",
        R"({"date_time": "2015-07-14t23:59:59"})",
        R"({"date_time": "2015-07-14 23:59:59+02"})",
        R"({"date_time": " 2015-07-14 23:59:59"})",
        R"({"date_time": "0000-01-01 00:00:00"})",
        R"({"date_time": "epoch"})",
        R"({"date_time": -1})",
        R"({"date_time": 9223372036854775})",
        R"({"tz": "2015-07-14 23:59:59.999999"})",
        R"({"ok": true, "amount": "1.005", "f": "NaN"})",
        R"({"amount": 123456789.5})",
        R"({"f": 1E400})",
        R"({"doc": null, "day": "2015-07-14"})",
        R"({"day": 5})",
        R"([])",
        R"("text")",
        "",
        "   ",
        R"({"auction" 1})",
        R"({auction: 1})",
        R"({"auction": nul})",
        R"({"auction": nullx})",
        R"({"x": tru, "auction": 1})",
        R"({"x": -, "auction": 1})",
        R"({"x": 1.e5})",
        R"({"x": "\u0041", "auction": 3})",
        "{\"channel\": \"\xe4\xb8\xad\xe6\x96\x87\"}",
        "{\"channel\": \"\xed\xa0\x80\"}",
        "{\"x\": \"\xf4\x90\x80\x80\"}",
    };
    auto [fast, general] = both_paths(texts);
    EXPECT_EQ(fast, general);
}

// Random edits of valid records: both paths decode or refuse each the same.
TEST(json_flat_decoder, agrees_with_the_general_path_on_mutated_records) {
    std::mt19937 rng(20261203);
    const std::string bases[] = {
        R"({"auction":1000,"bidder":2017,"price":1720,"channel":"channel-4329","url":"https://x.com/a?q=1","date_time":"2015-07-14 23:59:59.055","extra":"say \"hi\""})",
        R"({"tz": "2015-07-15 00:00:00", "ok": true, "amount": -12.5, "f": 0.25, "doc": null, "day": "2015-07-15"})",
    };
    const std::string alphabet = "{}[]\":,.-+eE0123456789 \t\\/ntrufalsx\x01\xc3\xa9\x80u";
    std::vector<std::string> texts;
    for (int i = 0; i < 20000; ++i) {
        std::string t = bases[static_cast<size_t>(i) % 2];
        int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits && !t.empty(); ++e) {
            size_t at = rng() % t.size();
            char ch = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
                case 0:
                    t[at] = ch;
                    break;
                case 1:
                    t.insert(at, 1, ch);
                    break;
                default:
                    t.erase(at, 1);
            }
        }
        texts.push_back(std::move(t));
    }
    auto [fast, general] = both_paths(texts);
    ASSERT_EQ(fast.size(), general.size());
    for (size_t i = 0; i < fast.size(); ++i)
        ASSERT_EQ(fast[i], general[i]) << "entry " << i;
}

}  // namespace
}  // namespace json_flat_test
}  // namespace spate::sql
