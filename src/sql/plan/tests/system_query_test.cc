// Binding and executing queries over system tables: joins, subqueries,
// qualified names, catalog functions.

#include <gtest/gtest.h>

#include "sql/catalog/system_tables.h"
#include "sql/exec/batch.h"
#include "sql/parse/parser.h"
#include "sql/plan/binder.h"
#include "sql/plan/optimizer.h"
#include "sql/types/text_io.h"

namespace spate::sql {
namespace system_query_test {
namespace {

class system_query_test : public ::testing::Test {
  protected:
    void SetUp() override {
        add("bid", catalog_kind::source,
            {{"auction", data_type::of(type_id::int64)},
             {"price", data_type::numeric(10, 2)},
             {"ts", data_type::of(type_id::timestamptz)}});
        add("totals", catalog_kind::view, {{"auction", data_type::of(type_id::int64)}});
        catalog_object sink;
        sink.kind = catalog_kind::sink;
        sink.name = "out";
        sink.id = "sink-1";
        ASSERT_TRUE(_cat.add(sink).ok());
    }

    void add(const std::string& name, catalog_kind k, std::vector<column_def> cols) {
        catalog_object o;
        o.kind = k;
        o.name = name;
        o.id = name + "-id";
        o.relation.kind = k;
        o.relation.name = name;
        o.relation.topic = name;
        o.relation.columns = std::move(cols);
        if (k == catalog_kind::view) o.query_sql = "SELECT auction FROM bid";
        ASSERT_TRUE(_cat.add(o).ok());
    }

    // Rows as "a|b|c" strings (NULL as "NULL"), or "ERROR: message".
    std::vector<std::string> run(const std::string& sql) {
        auto parsed = parse_sql(sql);
        if (!parsed.ok()) return {"ERROR: " + parsed.error().message};
        const parsed_statement& ps = parsed.value()[0];
        bind_context ctx;
        ctx.cat = &_cat;
        ctx.statement = &ps;
        ctx.tree_offset = ps.tree_offset;
        auto plan = bind_query(ps.tree, ctx);
        if (!plan.ok()) return {"ERROR: " + plan.error().message};
        plan_ptr p = optimize(plan.value());
        batch_env env;
        auto op = build_batch(p, env);
        if (!op.ok()) return {"ERROR: " + op.error().message};
        std::vector<std::string> rows;
        for (;;) {
            auto c = op.value()->next();
            if (!c.ok()) return {"ERROR: " + c.error().message};
            if (!c.value()) break;
            const chunk& ch = *c.value();
            for (size_t r = 0; r < ch.rows(); ++r) {
                std::string line;
                for (size_t i = 0; i < ch.width(); ++i) {
                    if (i) line += "|";
                    if (ch.at(i).is_null(r))
                        line += "NULL";
                    else
                        format_text(ch.at(i), r, line);
                }
                rows.push_back(line);
            }
        }
        return rows;
    }

    catalog _cat;
};

using rows = std::vector<std::string>;

TEST_F(system_query_test, pg_class_lists_sources_as_tables_and_views_as_matviews) {
    EXPECT_EQ(run("SELECT relname, relkind FROM pg_catalog.pg_class ORDER BY 1"),
              (rows{"bid|r", "totals|m"}));
}

TEST_F(system_query_test, left_join_with_qualified_columns_and_aliases) {
    EXPECT_EQ(run("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
                  "LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                  "LEFT JOIN pg_catalog.pg_am am ON am.oid = 12345 "
                  "WHERE c.relkind IN ('r','p','') AND n.nspname !~ '^pg_toast' "
                  "AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1, 2"),
              (rows{"public|bid"}));
}

TEST_F(system_query_test, left_join_keeps_unmatched_rows_with_nulls) {
    EXPECT_EQ(run("SELECT n.nspname, am.amname FROM pg_namespace n LEFT JOIN pg_am am "
                  "ON am.oid = n.oid ORDER BY 1"),
              (rows{"information_schema|NULL", "pg_catalog|NULL", "public|NULL"}));
}

TEST_F(system_query_test, comma_join_filters_pairs_by_where) {
    EXPECT_EQ(run("SELECT c.relname, a.attname FROM pg_class c, pg_attribute a "
                  "WHERE a.attrelid = c.oid AND a.attnum > 0 AND c.relname = 'bid' "
                  "ORDER BY a.attnum"),
              (rows{"bid|auction", "bid|price", "bid|ts"}));
}

TEST_F(system_query_test, correlated_scalar_subquery_runs_per_row) {
    EXPECT_EQ(run("SELECT c.relname, (SELECT count_me.attname FROM pg_attribute count_me "
                  "WHERE count_me.attrelid = c.oid AND count_me.attnum = 1) "
                  "FROM pg_class c ORDER BY 1"),
              (rows{"bid|auction", "totals|auction"}));
}

TEST_F(system_query_test, scalar_subquery_without_rows_is_null_and_exists_is_false) {
    EXPECT_EQ(run("SELECT (SELECT adbin FROM pg_attrdef d WHERE d.adrelid = c.oid), "
                  "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid) "
                  "FROM pg_class c WHERE c.relname = 'bid'"),
              (rows{"NULL|f"}));
}

TEST_F(system_query_test, scalar_subquery_with_two_rows_fails) {
    auto r = run("SELECT (SELECT nspname FROM pg_namespace) FROM pg_class WHERE relname = 'bid'");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_NE(r[0].find("more than one row"), std::string::npos) << r[0];
}

TEST_F(system_query_test, subquery_in_where_filters_rows) {
    EXPECT_EQ(run("SELECT relname FROM pg_class c WHERE EXISTS (SELECT 1 FROM pg_attribute a "
                  "WHERE a.attrelid = c.oid AND a.attname = 'price')"),
              (rows{"bid"}));
}

TEST_F(system_query_test, format_type_names_postgres_types) {
    EXPECT_EQ(run("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) "
                  "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                  "WHERE c.relname = 'bid' AND a.attnum > 0 ORDER BY a.attnum"),
              (rows{"auction|bigint", "price|numeric(10,2)", "ts|timestamp with time zone"}));
}

TEST_F(system_query_test, information_schema_columns_and_tables) {
    EXPECT_EQ(run("SELECT table_name, table_type FROM information_schema.tables ORDER BY 1"),
              (rows{"bid|BASE TABLE", "totals|VIEW"}));
    EXPECT_EQ(run("SELECT column_name, data_type, ordinal_position FROM "
                  "information_schema.columns WHERE table_name = 'bid' ORDER BY 3"),
              (rows{"auction|bigint|1", "price|numeric|2", "ts|timestamp with time zone|3"}));
}

TEST_F(system_query_test, subquery_in_from_with_alias) {
    EXPECT_EQ(run("SELECT t.n FROM (SELECT relname AS n FROM pg_class) t WHERE t.n = 'totals'"),
              (rows{"totals"}));
}

TEST_F(system_query_test, unknown_system_relation_and_qualifier_fail) {
    EXPECT_EQ(run("SELECT * FROM pg_catalog.nope"),
              (rows{"ERROR: relation \"pg_catalog.nope\" does not exist"}));
    EXPECT_EQ(run("SELECT x.relname FROM pg_class c"),
              (rows{"ERROR: column \"x.relname\" does not exist"}));
}

TEST_F(system_query_test, oid_casts_and_regex_operator) {
    EXPECT_EQ(run("SELECT c.relname FROM pg_class c WHERE c.relname OPERATOR(pg_catalog.~) "
                  "'^(bid)$' COLLATE pg_catalog.default AND c.oid = '" +
                  std::to_string(object_oid(*_cat.find("bid"))) + "'::pg_catalog.oid"),
              (rows{"bid"}));
}

TEST_F(system_query_test, join_on_true_pairs_every_row) {
    EXPECT_EQ(run("SELECT n.nspname, a.amname FROM pg_namespace n JOIN pg_am a ON true "
                  "ORDER BY 1"),
              (rows{"information_schema|heap", "pg_catalog|heap", "public|heap"}));
    EXPECT_EQ(run("SELECT count_rows.relname FROM pg_class count_rows CROSS JOIN pg_am "
                  "WHERE false"),
              (rows{}));
}

TEST_F(system_query_test, union_removes_duplicates_and_union_all_keeps_them) {
    EXPECT_EQ(run("SELECT nspname FROM pg_namespace WHERE oid = 11 UNION "
                  "SELECT nspname FROM pg_namespace UNION SELECT 'public' ORDER BY 1"),
              (rows{"information_schema", "pg_catalog", "public"}));
    EXPECT_EQ(run("SELECT 'a' UNION ALL SELECT 'a'"), (rows{"a", "a"}));
}

TEST_F(system_query_test, ungrouped_aggregates_over_all_rows) {
    EXPECT_EQ(run("SELECT count(*), count(relname), min(relname), max(relname), "
                  "string_agg(relname, ', ') FROM pg_class"),
              (rows{"2|2|bid|totals|bid, totals"}));
    EXPECT_EQ(run("SELECT count(*), string_agg(relname, ',') FROM pg_class WHERE false"),
              (rows{"0|NULL"}));
}

TEST_F(system_query_test, column_outside_aggregate_without_group_by_fails) {
    auto r = run("SELECT relname, count(*) FROM pg_class");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_NE(r[0].find("GROUP BY"), std::string::npos) << r[0];
}

TEST_F(system_query_test, generate_series_in_from_with_correlated_bounds) {
    EXPECT_EQ(run("SELECT s FROM generate_series(2, 4) s"), (rows{"2", "3", "4"}));
    EXPECT_EQ(run("SELECT c.relname, (SELECT string_agg(a.attname, ',') FROM "
                  "generate_series(1, c.relnatts) s, pg_attribute a "
                  "WHERE a.attrelid = c.oid AND a.attnum = s) FROM pg_class c ORDER BY 1"),
              (rows{"bid|auction,price,ts", "totals|auction"}));
}

TEST_F(system_query_test, arrays_are_text_literals_with_subscripts_and_any) {
    EXPECT_EQ(run("SELECT array_upper('{3,1}'::int2[], 1), ('{3,1}'::int2[])[2] + 1, "
                  "pg_catalog.array_to_string(ARRAY(SELECT nspname FROM pg_namespace "
                  "WHERE oid = ANY ('{11,2200}') ORDER BY 1), ',')"),
              (rows{"2|2|pg_catalog,public"}));
}

TEST_F(system_query_test, regclass_literals_name_relations_and_system_tables) {
    std::string bid = std::to_string(object_oid(*_cat.find("bid")));
    EXPECT_EQ(run("SELECT relname FROM pg_class WHERE oid = 'public.bid'::regclass"),
              (rows{"bid"}));
    EXPECT_EQ(run("SELECT 'pg_catalog.pg_class'::regclass, '" + bid + "'::regclass = " + bid),
              (rows{"1259|t"}));
    EXPECT_EQ(run("SELECT 'nope'::regclass"), (rows{"ERROR: relation \"nope\" does not exist"}));
}

TEST_F(system_query_test, unnest_in_from_yields_array_elements) {
    EXPECT_EQ(run("SELECT 'toast.' || x FROM pg_catalog.unnest('{a,\"b c\"}'::text[]) x"),
              (rows{"toast.a", "toast.b c"}));
}

TEST_F(system_query_test, aggregates_in_a_subquery_belong_to_it) {
    EXPECT_EQ(run("SELECT c.relname, (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid "
                  "AND a.attnum > 0) FROM pg_class c ORDER BY 1"),
              (rows{"bid|3", "totals|1"}));
    auto r = run("SELECT relname FROM pg_class WHERE count(*) > 1");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].rfind("ERROR", 0), 0u) << r[0];
}

TEST_F(system_query_test, joins_explain_as_nested_loops_over_system_tables) {
    auto parsed = parse_sql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace");
    ASSERT_TRUE(parsed.ok());
    bind_context ctx;
    ctx.cat = &_cat;
    ctx.statement = &parsed.value()[0];
    auto plan = bind_query(parsed.value()[0].tree, ctx);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    std::string text = explain(*optimize(plan.value()));
    EXPECT_NE(text.find("NestedLoopJoin inner"), std::string::npos) << text;
    EXPECT_NE(text.find("SystemTable pg_catalog.pg_class"), std::string::npos) << text;
}

TEST_F(system_query_test, sizes_are_zero_and_pretty_printed) {
    EXPECT_EQ(run("SELECT pg_catalog.pg_size_pretty(pg_catalog.pg_table_size(c.oid)), "
                  "pg_size_pretty(20480), pg_size_pretty(10000) FROM pg_class c "
                  "WHERE relname = 'bid'"),
              (rows{"0 bytes|20 kB|10000 bytes"}));
}

TEST_F(system_query_test, pg_get_viewdef_returns_a_views_query) {
    std::string totals = std::to_string(object_oid(*_cat.find("totals")));
    EXPECT_EQ(run("SELECT pg_catalog.pg_get_viewdef('" + totals + "'::pg_catalog.oid, true)"),
              (rows{"SELECT auction FROM bid"}));
    EXPECT_EQ(run("SELECT pg_get_viewdef('bid'::regclass)"), (rows{"NULL"}));
}

TEST_F(system_query_test, view_definition_comes_from_the_create_statement) {
    catalog_object v;
    v.kind = catalog_kind::view;
    v.name = "big";
    v.id = "big-id";
    v.create_sql = "CREATE MATERIALIZED VIEW big WITH (topic = 'x') AS\n  SELECT 1 AS one";
    v.relation.kind = catalog_kind::view;
    v.relation.name = "big";
    ASSERT_TRUE(_cat.add(v).ok());
    EXPECT_EQ(view_definition("big", _cat), "SELECT 1 AS one");
    EXPECT_EQ(view_definition("bid", _cat), std::nullopt);
}

TEST_F(system_query_test, in_and_not_in_subqueries_follow_sql_null_rules) {
    EXPECT_EQ(run("SELECT relname FROM pg_class c WHERE c.oid IN (SELECT attrelid FROM "
                  "pg_attribute WHERE attname = 'price')"),
              (rows{"bid"}));
    EXPECT_EQ(run("SELECT relname FROM pg_class c WHERE c.oid NOT IN (SELECT attrelid FROM "
                  "pg_attribute WHERE attname = 'price')"),
              (rows{"totals"}));
    EXPECT_EQ(run("SELECT 1 IN (SELECT NULL::int), 1 NOT IN (SELECT NULL::int), "
                  "1 = ANY (SELECT 1), 2 > ALL (SELECT 1 UNION ALL SELECT 3)"),
              (rows{"NULL|NULL|t|f"}));
}

}  // namespace
}  // namespace system_query_test
}  // namespace spate::sql
