#include <gtest/gtest.h>

#include "sql/catalog/catalog.h"
#include "sql/format/format.h"
#include "sql/parse/parser.h"
#include "sql/plan/binder.h"
#include "sql/plan/optimizer.h"
#include "sql/plan/stream_planner.h"
#include "sql/types/text_io.h"

namespace spate::sql {
namespace binder_test {
namespace {

class binder_test : public ::testing::Test {
  protected:
    void SetUp() override {
        catalog_object o;
        o.kind = catalog_kind::source;
        o.name = "bid";
        o.relation.name = "bid";
        o.relation.topic = "bid";
        o.relation.columns = {{"auction", data_type::of(type_id::int64)},
                              {"price", data_type::of(type_id::int64)},
                              {"channel", data_type::of(type_id::text)},
                              {"url", data_type::of(type_id::text)},
                              {"date_time", data_type::of(type_id::timestamp)}};
        ASSERT_TRUE(_cat.add(o).ok());
    }

    sql_result<plan_ptr> bind(const std::string& sql, std::vector<data_type> hints = {}) {
        auto parsed = parse_sql(sql);
        if (!parsed.ok()) return parsed.error();
        _stmt = parsed.value()[0];
        _ctx = bind_context{};
        _ctx.cat = &_cat;
        _ctx.statement = &_stmt;
        _ctx.parameter_types = std::move(hints);
        auto p = bind_query(_stmt.tree, _ctx);
        if (!p.ok()) return p;
        return optimize(p.value());
    }

    // Runs `sql` as a continuous query over JSON records.
    std::vector<std::string> stream(const std::string& sql,
                                    const std::vector<std::string>& values) {
        auto plan = bind(sql);
        EXPECT_TRUE(plan.ok()) << plan.error().message;
        auto sp = plan_stream(plan.value());
        EXPECT_TRUE(sp.ok()) << sp.error().message;
        const input_spec& in = sp.value().inputs[0];
        auto dec = make_decoder(in.format, in.columns);
        std::vector<record_view> views;
        for (size_t i = 0; i < values.size(); ++i) {
            record_view v;
            v.value = values[i];
            v.offset = static_cast<int64_t>(i);
            views.push_back(v);
        }
        chunk c = make_source_chunk(in.columns);
        std::vector<decode_failure> failures;
        dec.value()->decode(views, c, failures);
        eval_context ctx;
        auto out = in.processor->process(std::move(c), ctx);
        EXPECT_TRUE(out.ok()) << out.error().message;
        auto enc = make_encoder(record_format::json, sp.value().output_columns);
        std::vector<std::string> rows;
        for (size_t r = 0; r < out.value().rows(); ++r) {
            std::string s;
            enc.value()->encode(out.value(), r, s);
            rows.push_back(s);
        }
        return rows;
    }

    catalog _cat;
    parsed_statement _stmt;
    bind_context _ctx;
};

TEST_F(binder_test, select_star_hides_kafka_metadata_columns) {
    auto p = bind("SELECT * FROM bid");
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p.value()->schema.size(), 5u);
    EXPECT_EQ(p.value()->schema[4].name, "date_time");
    auto hidden = bind("SELECT _offset, _partition FROM bid");
    ASSERT_TRUE(hidden.ok()) << hidden.error().message;
    EXPECT_EQ(hidden.value()->schema[0].type.id, type_id::int64);
}

TEST_F(binder_test, unknown_relation_and_column_name_their_position) {
    auto t = bind("SELECT a FROM nope");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().code, sql_errc::undefined_table);
    EXPECT_EQ(t.error().position, 15);
    auto c = bind("SELECT auction, bogus FROM bid");
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, sql_errc::undefined_column);
    EXPECT_EQ(c.error().position, 17);
}

TEST_F(binder_test, numeric_literal_times_bigint_is_numeric) {
    auto p = bind("SELECT 0.908 * price AS price FROM bid");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p.value()->schema[0].name, "price");
    EXPECT_EQ(p.value()->schema[0].type.id, type_id::numeric);
}

TEST_F(binder_test, parameters_take_the_type_of_what_they_are_compared_with) {
    auto p = bind("SELECT channel FROM bid WHERE auction = $1 AND channel = $2");
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(_ctx.parameter_types.size(), 2u);
    EXPECT_EQ(_ctx.parameter_types[0].id, type_id::int64);
    EXPECT_EQ(_ctx.parameter_types[1].id, type_id::text);
}

TEST_F(binder_test, client_parameter_hints_win) {
    auto p = bind("SELECT $1 + 1", {data_type::of(type_id::float64)});
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(_ctx.parameter_types[0].id, type_id::float64);
}

TEST_F(binder_test, scan_decodes_only_the_columns_the_query_reads) {
    auto p = bind("SELECT auction FROM bid WHERE price > 10");
    ASSERT_TRUE(p.ok()) << p.error().message;
    const plan_node* n = p.value().get();
    while (n->kind != plan_kind::scan)
        n = n->inputs[0].get();
    EXPECT_EQ(n->scan_columns, (std::vector<int>{0, 1}));
}

TEST_F(binder_test, where_must_be_boolean) {
    auto p = bind("SELECT auction FROM bid WHERE price");
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, sql_errc::datatype_mismatch);
}

TEST_F(binder_test, group_by_binds_an_aggregate_node_over_the_columns_it_reads) {
    auto agg = bind("SELECT count(*) FROM bid");
    ASSERT_TRUE(agg.ok()) << agg.error().message;
    EXPECT_EQ(agg.value()->inputs[0]->kind, plan_kind::aggregate);
    auto grouped = bind(
        "SELECT auction, count(*), max(price) FILTER (WHERE channel <> 'x') FROM bid "
        "GROUP BY auction HAVING count(DISTINCT url) > 1");
    ASSERT_TRUE(grouped.ok()) << grouped.error().message;
    const plan_node& filter = *grouped.value()->inputs[0];
    ASSERT_EQ(filter.kind, plan_kind::filter);
    const plan_node& a = *filter.inputs[0];
    ASSERT_EQ(a.kind, plan_kind::aggregate);
    EXPECT_EQ(a.group_keys.size(), 1u);
    ASSERT_EQ(a.aggregates.size(), 3u);
    EXPECT_TRUE(a.aggregates[2].distinct);
    EXPECT_NE(a.aggregates[1].filter, nullptr);
    EXPECT_EQ(a.schema.size(), 4u);
    // The scan decodes only auction, price, channel and url.
    const plan_node* scan = a.inputs[0].get();
    while (scan->kind != plan_kind::scan)
        scan = scan->inputs[0].get();
    EXPECT_EQ(scan->scan_columns.size(), 4u);
}

TEST_F(binder_test, union_all_unifies_column_types) {
    auto p = bind("SELECT auction FROM bid UNION ALL SELECT 1");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p.value()->kind, plan_kind::union_all);
    EXPECT_EQ(p.value()->schema[0].type.id, type_id::int64);
}

TEST_F(binder_test, continuous_query_filters_and_projects_records) {
    auto rows =
        stream("SELECT auction, 0.908 * price AS price, date_time FROM bid WHERE auction % 2 = 0",
               {R"({"auction": 1, "price": 100, "date_time": "2024-01-01 00:00:01.5"})",
                R"({"auction": 2, "price": 200, "date_time": "2024-01-01 00:00:02"})",
                R"({"auction": 4, "price": 1, "date_time": 1704067200000})"});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], R"({"auction":2,"price":181.600,"date_time":"2024-01-01 00:00:02"})");
    EXPECT_EQ(rows[1], R"({"auction":4,"price":0.908,"date_time":"2024-01-01 00:00:00"})");
}

TEST_F(binder_test, continuous_query_string_functions) {
    auto rows = stream(
        "SELECT split_part(url, '/', 4) AS dir1, lower(channel) AS c, "
        "CASE WHEN channel ~ '^G' THEN 'g' ELSE 'other' END AS k FROM bid",
        {R"({"url": "https://x.com/a/b/c", "channel": "Google"})",
         R"({"url": "https://x.com", "channel": "Baidu"})"});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], R"({"dir1":"a","c":"google","k":"g"})");
    EXPECT_EQ(rows[1], R"({"dir1":"","c":"baidu","k":"other"})");
}

TEST_F(binder_test, order_by_and_limit_are_refused_in_continuous_queries) {
    auto p = bind("SELECT auction FROM bid ORDER BY auction");
    ASSERT_TRUE(p.ok());
    auto sp = plan_stream(p.value());
    ASSERT_FALSE(sp.ok());
    EXPECT_EQ(sp.error().code, sql_errc::feature_not_supported);
}

}  // namespace
}  // namespace binder_test
}  // namespace spate::sql
