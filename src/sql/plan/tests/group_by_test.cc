// GROUP BY, HAVING and aggregates from SQL text to results (binder, optimizer
// and the batch hash aggregate over generate_series), and the binder's
// grouping errors.

#include <gtest/gtest.h>

#include "sql/catalog/catalog.h"
#include "sql/exec/batch.h"
#include "sql/parse/parser.h"
#include "sql/plan/binder.h"
#include "sql/plan/optimizer.h"
#include "sql/types/text_io.h"

namespace spate::sql {
namespace group_by_test {
namespace {

using rows = std::vector<std::string>;

// v: 1, 2, NULL, 4, 5 (s = 1..5) with k = s % 2 and t = 'x' || s.
const char* k_values =
    "(SELECT s % 2 AS k, CASE WHEN s = 3 THEN NULL ELSE s END AS v, 'x' || s AS t "
    "FROM generate_series(1, 5) s) d";

class group_by_test : public ::testing::Test {
  protected:
    sql_result<plan_ptr> bind(const std::string& sql) {
        auto parsed = parse_sql(sql);
        if (!parsed.ok()) return parsed.error();
        _stmt = parsed.value()[0];
        bind_context ctx;
        ctx.cat = &_cat;
        ctx.statement = &_stmt;
        ctx.tree_offset = _stmt.tree_offset;
        auto plan = bind_query(_stmt.tree, ctx);
        if (!plan.ok()) return plan;
        return optimize(plan.value());
    }

    // Rows as "a|b" (NULL as "NULL"), or "ERROR: message".
    rows run(const std::string& sql) {
        auto p = bind(sql);
        if (!p.ok()) return {"ERROR: " + p.error().message};
        batch_env env;
        env.chunk_rows = 3;  // several input and output chunks
        auto op = build_batch(p.value(), env);
        if (!op.ok()) return {"ERROR: " + op.error().message};
        rows out;
        for (;;) {
            auto c = op.value()->next();
            if (!c.ok()) return {"ERROR: " + c.error().message};
            if (!c.value()) break;
            for (size_t r = 0; r < c.value()->rows(); ++r) {
                std::string line;
                for (size_t i = 0; i < c.value()->width(); ++i) {
                    if (i) line += "|";
                    const column& col = c.value()->at(i);
                    if (col.is_null(r))
                        line += "NULL";
                    else
                        format_text(col, r, line);
                }
                out.push_back(line);
            }
        }
        return out;
    }

    // The error of binding `sql`: code and 1-based position.
    sql_error error(const std::string& sql) {
        auto p = bind(sql);
        EXPECT_FALSE(p.ok()) << sql;
        return p.ok() ? sql_error{} : p.error();
    }

    catalog _cat;
    parsed_statement _stmt;
};

TEST_F(group_by_test, groups_by_ordinal_output_name_and_expression) {
    rows want{"0|3|18", "1|4|22", "2|3|15"};
    EXPECT_EQ(run("SELECT s % 3, count(*), sum(s) FROM generate_series(1, 10) s GROUP BY 1 "
                  "ORDER BY 1"),
              want);
    EXPECT_EQ(run("SELECT s % 3 AS r, count(*), sum(s) FROM generate_series(1, 10) s GROUP BY r "
                  "ORDER BY r"),
              want);
    EXPECT_EQ(run("SELECT s % 3, count(*), sum(s) FROM generate_series(1, 10) s "
                  "GROUP BY s % 3 ORDER BY s % 3"),
              want);
    // An expression over a key; a key not selected.
    EXPECT_EQ(run("SELECT (s % 3) * 10 + 1, max(s) FROM generate_series(1, 10) s GROUP BY s % 3 "
                  "ORDER BY 1"),
              (rows{"1|9", "11|10", "21|8"}));
    EXPECT_EQ(run("SELECT count(*) FROM generate_series(1, 10) s GROUP BY s % 3 ORDER BY 1"),
              (rows{"3", "3", "4"}));
    // A bare name that is an input column groups by the input column.
    EXPECT_EQ(run("SELECT s % 2 AS s, count(*) FROM generate_series(1, 4) s GROUP BY s").size(),
              4u);
}

TEST_F(group_by_test, having_and_order_by_read_aggregates) {
    EXPECT_EQ(run("SELECT s % 3, count(*) FROM generate_series(1, 10) s GROUP BY 1 "
                  "HAVING count(*) > 3"),
              (rows{"1|4"}));
    EXPECT_EQ(run("SELECT s % 3 FROM generate_series(1, 10) s GROUP BY 1 "
                  "HAVING s % 3 <> 2 AND min(s) < 3 ORDER BY 1"),
              (rows{"1"}));
    EXPECT_EQ(run("SELECT s % 3 FROM generate_series(1, 10) s GROUP BY 1 ORDER BY sum(s) DESC"),
              (rows{"1", "0", "2"}));
    EXPECT_EQ(run("SELECT 1 FROM generate_series(1, 3) s HAVING count(*) = 3"), (rows{"1"}));
    EXPECT_EQ(run("SELECT 1 FROM generate_series(1, 3) s HAVING count(*) = 2"), (rows{}));
}

TEST_F(group_by_test, without_keys_one_row_even_over_no_rows) {
    EXPECT_EQ(run("SELECT count(*), count(s), sum(s), min(s), avg(s), bool_or(s > 0), "
                  "array_agg(s) FROM generate_series(1, 0) s"),
              (rows{"0|0|NULL|NULL|NULL|NULL|NULL"}));
    EXPECT_EQ(run("SELECT count(*) FROM generate_series(1, 0) s GROUP BY s % 2"), (rows{}));
    EXPECT_EQ(run("SELECT count(*) FROM generate_series(1, 5) s GROUP BY ()"), (rows{"5"}));
}

TEST_F(group_by_test, nulls_form_one_group_and_numeric_keys_group_by_value) {
    EXPECT_EQ(
        run(std::string("SELECT v % 2, count(*) FROM ") + k_values + " GROUP BY 1 ORDER BY 1"),
        (rows{"0|2", "1|2", "NULL|1"}));
    EXPECT_EQ(run("SELECT x, count(*) FROM (SELECT CASE WHEN s % 2 = 0 THEN 1.5 ELSE 1.50 END AS x "
                  "FROM generate_series(1, 4) s) n GROUP BY x"),
              (rows{"1.50|4"}));
}

TEST_F(group_by_test, every_function_over_values_with_nulls) {
    std::string from = std::string(" FROM ") + k_values;
    EXPECT_EQ(run("SELECT count(*), count(v), sum(v), min(v), max(v), avg(v)" + from),
              (rows{"5|4|12|1|5|3.0000000000000000"}));
    EXPECT_EQ(run("SELECT var_samp(v), var_pop(v), stddev(v), stddev_pop(v), variance(v)" + from),
              (rows{"3.3333333333333333|2.5000000000000000|1.8257418583505537|"
                    "1.5811388300841897|3.3333333333333333"}));
    EXPECT_EQ(run("SELECT bool_and(v > 1), bool_or(v > 1), every(v < 9), string_agg(t, ','), "
                  "array_agg(v), sum(v::float8), avg(v::real)" +
                  from),
              (rows{"f|t|t|x1,x2,x3,x4,x5|{1,2,4,5,NULL}|12|3"}));
    EXPECT_EQ(run("SELECT k, count(v), sum(v), string_agg(t, '-'), array_agg(t)" + from +
                  " GROUP BY k ORDER BY k"),
              (rows{"0|2|6|x2-x4|{x2,x4}", "1|2|6|x1-x3-x5|{x1,x3,x5}"}));
}

TEST_F(group_by_test, distinct_and_filter) {
    std::string from = " FROM generate_series(1, 10) s";
    EXPECT_EQ(run("SELECT count(DISTINCT s % 3), sum(DISTINCT s % 3), count(*) FILTER "
                  "(WHERE s % 3 = 1), count(DISTINCT s % 3) FILTER (WHERE s % 3 > 0), "
                  "array_agg(DISTINCT s % 3), string_agg(DISTINCT (s % 3)::text, '-'), "
                  "avg(DISTINCT s % 3)" +
                  from),
              (rows{"3|3|4|2|{0,1,2}|0-1-2|1.00000000000000000000"}));
    EXPECT_EQ(run("SELECT s % 2, count(*) FILTER (WHERE s > 5), max(s) FILTER (WHERE s < 5)" +
                  from + " GROUP BY 1 ORDER BY 1"),
              (rows{"0|3|4", "1|2|3"}));
}

TEST_F(group_by_test, overflow_is_an_error) {
    EXPECT_EQ(run("SELECT sum(x) FROM (SELECT 99999999999999999999999999999999999999::numeric AS x "
                  "FROM generate_series(1, 2) s) n"),
              (rows{"ERROR: value overflows numeric format"}));
}

TEST_F(group_by_test, grouping_errors_name_the_column_at_its_position) {
    auto e = error("SELECT s, count(*) FROM generate_series(1, 3) s");
    EXPECT_EQ(e.code, sql_errc::grouping_error);
    EXPECT_EQ(e.message,
              "column \"s.s\" must appear in the GROUP BY clause or be used in an aggregate "
              "function");
    EXPECT_EQ(e.position, 8);
    e = error("SELECT s % 2, s FROM generate_series(1, 3) s GROUP BY s % 2");
    EXPECT_EQ(e.code, sql_errc::grouping_error);
    EXPECT_EQ(e.position, 15);
    e = error("SELECT s % 2 FROM generate_series(1, 3) s GROUP BY 1 HAVING s > 1");
    EXPECT_EQ(e.code, sql_errc::grouping_error);
    EXPECT_EQ(e.position, 61);
    e = error("SELECT s % 2 FROM generate_series(1, 3) s GROUP BY 1 ORDER BY s");
    EXPECT_EQ(e.code, sql_errc::grouping_error);
    EXPECT_EQ(e.position, 63);
}

TEST_F(group_by_test, aggregates_where_they_are_not_allowed) {
    auto e = error("SELECT 1 FROM generate_series(1, 3) s WHERE count(*) > 1");
    EXPECT_EQ(e.code, sql_errc::grouping_error);
    EXPECT_EQ(e.message, "aggregate functions are not allowed in WHERE");
    EXPECT_EQ(e.position, 45);
    e = error("SELECT sum(count(*)) FROM generate_series(1, 3) s");
    EXPECT_EQ(e.message, "aggregate function calls cannot be nested");
    EXPECT_EQ(e.position, 12);
    e = error("SELECT count(*) FROM generate_series(1, 3) s GROUP BY 1");
    EXPECT_EQ(e.message, "aggregate functions are not allowed in GROUP BY");
    e = error("SELECT 1 FROM generate_series(1, 3) s GROUP BY count(*)");
    EXPECT_EQ(e.message, "aggregate functions are not allowed in GROUP BY");
    e = error("SELECT count(*) FILTER (WHERE max(s) > 1) FROM generate_series(1, 3) s");
    EXPECT_EQ(e.message, "aggregate functions are not allowed in FILTER");
}

TEST_F(group_by_test, other_binding_errors) {
    auto e = error("SELECT s FROM generate_series(1, 3) s GROUP BY 2");
    EXPECT_EQ(e.message, "GROUP BY position 2 is not in select list");
    e = error("SELECT s FROM generate_series(1, 3) s GROUP BY ROLLUP (s)");
    EXPECT_EQ(e.code, sql_errc::feature_not_supported);
    e = error("SELECT sum('a'::text) FROM generate_series(1, 3) s");
    EXPECT_EQ(e.code, sql_errc::undefined_function);
    EXPECT_EQ(e.message, "function sum(text) does not exist");
    EXPECT_EQ(e.position, 8);
    e = error("SELECT 1 FROM generate_series(1, 3) s HAVING sum(s)");
    EXPECT_EQ(e.code, sql_errc::datatype_mismatch);
    e = error("SELECT string_agg(s::text, ',' ORDER BY s) FROM generate_series(1, 3) s");
    EXPECT_EQ(e.code, sql_errc::feature_not_supported);
    e = error("SELECT count(*) FILTER (WHERE s) FROM generate_series(1, 3) s");
    EXPECT_EQ(e.code, sql_errc::datatype_mismatch);
}

TEST_F(group_by_test, equal_calls_share_one_column_and_the_input_is_pruned) {
    auto p = bind(
        "SELECT count(*), count(*) + 1, s % 2 FROM generate_series(1, 3) s, "
        "generate_series(1, 2) u GROUP BY s % 2");
    ASSERT_TRUE(p.ok()) << p.error().message;
    const plan_node* agg = p.value()->inputs[0].get();
    ASSERT_EQ(agg->kind, plan_kind::aggregate);
    EXPECT_EQ(agg->aggregates.size(), 1u);
    EXPECT_EQ(agg->group_keys.size(), 1u);
    // Only s reaches the aggregate.
    EXPECT_EQ(agg->inputs[0]->kind, plan_kind::project);
    EXPECT_EQ(agg->inputs[0]->schema.size(), 1u);
    EXPECT_EQ(agg->window_end_key, -1);
    EXPECT_EQ(run("SELECT count(*), count(*) + 1, s % 2 FROM generate_series(1, 3) s, "
                  "generate_series(1, 2) u GROUP BY s % 2 ORDER BY 3"),
              (rows{"2|3|0", "4|5|1"}));
}

}  // namespace
}  // namespace group_by_test
}  // namespace spate::sql
