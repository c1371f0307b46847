#include "sql/exec/transform.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sql/expr/tests/expr_test_util.h"

namespace spate::sql {
namespace transform_test {
namespace {

using sql::testing::call;
using sql::testing::cast;
using sql::testing::lit_int;
using sql::testing::test_context;

chunk two_columns() {
    std::vector<column> cols{column(data_type::of(type_id::int64)),
                             column(data_type::of(type_id::text))};
    cols[0].push<int64_t>(1);
    cols[0].push<int64_t>(2);
    cols[1].push_string("a");
    cols[1].push_null();
    return chunk(std::move(cols));
}

std::string cell(const chunk& c, size_t col, size_t row) {
    if (c.at(col).is_null(row)) return "NULL";
    std::string out;
    format_text(c.at(col), row, out);
    return out;
}

TEST(project_transform, repeated_and_computed_references_see_the_input_columns) {
    auto id = [] { return expr::make_column(0, data_type::of(type_id::int64), "id"); };
    auto name = [] { return expr::make_column(1, data_type::of(type_id::text), "name"); };
    // name, id + 1, id, name, id: a computed column after a moved reference
    // and columns referenced twice.
    std::vector<expr_ptr> exprs;
    exprs.push_back(name());
    exprs.push_back(call("+", {id(), cast(lit_int(1), data_type::of(type_id::int64))}));
    exprs.push_back(id());
    exprs.push_back(name());
    exprs.push_back(id());
    auto t = make_project(std::move(exprs));
    auto out = t->apply(two_columns(), test_context());
    ASSERT_TRUE(out.ok()) << out.error().message;
    const chunk& c = out.value();
    ASSERT_EQ(c.width(), 5u);
    ASSERT_EQ(c.rows(), 2u);
    for (const column& col : c.columns())
        EXPECT_EQ(col.size(), 2u);
    EXPECT_EQ(cell(c, 0, 0), "a");
    EXPECT_EQ(cell(c, 0, 1), "NULL");
    EXPECT_EQ(cell(c, 1, 0), "2");
    EXPECT_EQ(cell(c, 1, 1), "3");
    EXPECT_EQ(cell(c, 2, 1), "2");
    EXPECT_EQ(cell(c, 3, 0), "a");
    EXPECT_EQ(cell(c, 4, 0), "1");
}

}  // namespace
}  // namespace transform_test
}  // namespace spate::sql
