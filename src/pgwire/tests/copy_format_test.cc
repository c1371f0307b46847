#include "pgwire/copy_format.h"

#include <gtest/gtest.h>

namespace spate::pgwire {
namespace copy_format_test {
namespace {

using sql::column;
using sql::data_type;
using sql::type_id;

sql::chunk text_chunk(std::vector<std::optional<std::string>> values) {
    column id(data_type::of(type_id::int32));
    column s(data_type::of(type_id::text));
    int32_t n = 0;
    for (auto& v : values) {
        id.push<int32_t>(++n);
        if (v)
            s.push_string(*v);
        else
            s.push_null();
    }
    std::vector<column> cols;
    cols.push_back(std::move(id));
    cols.push_back(std::move(s));
    return sql::chunk(std::move(cols));
}

std::string all_rows(const sql::chunk& c, const sql::copy_out_options& o) {
    std::string out;
    for (size_t r = 0; r < c.rows(); ++r)
        append_copy_row(c, r, o, out);
    return out;
}

TEST(copy_format, text_escapes_control_characters_and_writes_null_as_backslash_n) {
    auto c = text_chunk({"a\tb", std::nullopt, "back\\slash\nnew\rret"});
    EXPECT_EQ(all_rows(c, {}), "1\ta\\tb\n2\t\\N\n3\tback\\\\slash\\nnew\\rret\n");
}

TEST(copy_format, text_escapes_a_custom_delimiter) {
    auto c = text_chunk({"x|y"});
    EXPECT_EQ(all_rows(c, {false, '|', false}), "1|x\\|y\n");
}

TEST(copy_format, csv_quotes_only_when_needed_and_null_is_empty) {
    auto c = text_chunk({"plain", "has,comma", "say \"hi\"", "", std::nullopt, "two\nlines"});
    EXPECT_EQ(all_rows(c, {true, ',', false}),
              "1,plain\n2,\"has,comma\"\n3,\"say \"\"hi\"\"\"\n4,\"\"\n5,\n6,\"two\nlines\"\n");
}

TEST(copy_format, csv_header_lists_the_column_names) {
    std::string out;
    append_copy_header(
        {{"id", data_type::of(type_id::int32)}, {"a,b", data_type::of(type_id::text)}},
        {true, ',', true}, out);
    EXPECT_EQ(out, "id,\"a,b\"\n");
}

}  // namespace
}  // namespace copy_format_test
}  // namespace spate::pgwire
