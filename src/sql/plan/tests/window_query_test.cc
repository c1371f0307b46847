// Window table functions in FROM: binding, errors, EXPLAIN, filter and
// projection pushdown, and batch execution over in-memory rows.

#include <gtest/gtest.h>

#include "sql/exec/batch.h"
#include "sql/parse/parser.h"
#include "sql/plan/bind_from.h"
#include "sql/plan/binder.h"
#include "sql/plan/optimizer.h"
#include "sql/types/text_io.h"

namespace spate::sql {
namespace window_query_test {
namespace {

using rows = std::vector<std::string>;

class window_query_test : public ::testing::Test {
  protected:
    void SetUp() override {
        catalog_object o;
        o.kind = catalog_kind::source;
        o.name = "bid";
        o.id = "bid-id";
        o.relation.name = "bid";
        o.relation.topic = "bid";
        o.relation.columns = {{"auction", data_type::of(type_id::int64)},
                              {"bidder", data_type::of(type_id::int64)},
                              {"price", data_type::of(type_id::int64)},
                              {"date_time", data_type::of(type_id::timestamp)},
                              {"extra", data_type::of(type_id::text)}};
        ASSERT_TRUE(_cat.add(o).ok());
    }

    // The bound, not yet optimised plan.
    sql_result<plan_ptr> bind(const std::string& sql) {
        auto parsed = parse_sql(sql);
        if (!parsed.ok()) return parsed.error();
        _stmt = parsed.value()[0];
        _ctx = bind_context{};
        _ctx.cat = &_cat;
        _ctx.statement = &_stmt;
        return bind_query(_stmt.tree, _ctx);
    }

    std::string explain_of(const std::string& sql) {
        auto p = bind(sql);
        if (!p.ok()) return "ERROR: " + p.error().message;
        return explain(*optimize(p.value()));
    }

    // Rows as "a|b|c" strings (NULL as "NULL"), or "ERROR: message".
    rows run(const std::string& sql) {
        auto plan = bind(sql);
        if (!plan.ok()) return {"ERROR: " + plan.error().message};
        batch_env env;
        env.chunk_rows = 3;
        plan_ptr optimized = optimize(plan.value());  // operators refer to its nodes
        auto op = build_batch(optimized, env);
        if (!op.ok()) return {"ERROR: " + op.error().message};
        rows out;
        for (;;) {
            auto c = op.value()->next();
            if (!c.ok()) return {"ERROR: " + c.error().message};
            if (!c.value()) break;
            const chunk& ch = *c.value();
            for (size_t r = 0; r < ch.rows(); ++r) {
                std::string line;
                for (size_t i = 0; i < ch.width(); ++i) {
                    if (i) line += "|";
                    if (ch.at(i).is_null(r)) {
                        line += "NULL";
                    } else {
                        format_text(ch.at(i), r, line);
                    }
                }
                out.push_back(line);
            }
        }
        return out;
    }

    static const plan_node* find_window(const plan_ptr& p) {
        if (p->kind == plan_kind::window) return p.get();
        for (const auto& i : p->inputs)
            if (const plan_node* w = find_window(i)) return w;
        return nullptr;
    }

    catalog _cat;
    parsed_statement _stmt;
    bind_context _ctx;
};

// Seconds -12, -6, 0, 6, 12 after the epoch, and a NULL time (g = 99).
const std::string k_times =
    "(SELECT g, TIMESTAMP '1970-01-01 00:00:00' + g * INTERVAL '1 second' AS ts "
    "FROM generate_series(-12, 12, 6) AS g UNION ALL SELECT 99, NULL::timestamp)";

TEST_F(window_query_test, tumble_adds_window_start_and_end_after_the_relation_columns) {
    auto p = bind("SELECT * FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)");
    ASSERT_TRUE(p.ok()) << p.error().message;
    const auto& s = p.value()->schema;
    ASSERT_EQ(s.size(), 7u);  // hidden Kafka columns stay out of *
    EXPECT_EQ(s[4].name, "extra");
    EXPECT_EQ(s[5].name, "window_start");
    EXPECT_EQ(s[6].name, "window_end");
    EXPECT_EQ(s[6].type.id, type_id::timestamp);
    const plan_node* w = find_window(p.value());
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->window.kind, window_kind::tumble);
    EXPECT_EQ(w->window.time_column, 3);
    EXPECT_EQ(w->window.size_us, 10 * k_micros_per_second);
    EXPECT_EQ(w->inputs[0]->kind, plan_kind::scan);
    EXPECT_EQ(_ctx.relations, (std::vector<std::string>{"bid"}));
}

TEST_F(window_query_test, names_are_case_insensitive_and_columns_qualify_by_alias_or_relation) {
    auto a = bind(
        "SELECT t.window_start, t.auction, t._offset FROM Tumble(bid, date_time, "
        "INTERVAL '10' SECOND) AS t");
    ASSERT_TRUE(a.ok()) << a.error().message;
    EXPECT_EQ(a.value()->schema[0].name, "window_start");
    auto b = bind(
        "SELECT bid.window_end FROM HOP(bid, date_time, INTERVAL '5' SECOND, "
        "INTERVAL '10' SECOND)");
    ASSERT_TRUE(b.ok()) << b.error().message;
    auto c = bind("SELECT x.window_end FROM TUMBLE(bid, date_time, INTERVAL '1' MINUTE) t");
    ASSERT_FALSE(c.ok());
}

TEST_F(window_query_test, sizes_slides_and_offsets_are_folded_and_offsets_normalised) {
    auto p = bind(
        "SELECT 1 FROM HOP(bid, date_time, INTERVAL '2' SECOND, '6 seconds', "
        "INTERVAL '-1' SECOND)");
    ASSERT_TRUE(p.ok()) << p.error().message;
    const plan_node* w = find_window(p.value());
    EXPECT_EQ(w->window.slide_us, 2 * k_micros_per_second);
    EXPECT_EQ(w->window.size_us, 6 * k_micros_per_second);
    EXPECT_EQ(w->window.offset_us, 1 * k_micros_per_second);  // -1 s = +1 s every 2 s
    auto c = bind("SELECT 1 FROM CUMULATE(bid, date_time, INTERVAL '1' HOUR, INTERVAL '1' DAY)");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(find_window(c.value())->window.size_us, k_micros_per_day);
    auto s = bind("SELECT 1 FROM SESSION(bid, date_time, INTERVAL '30' SECOND)");
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(find_window(s.value())->window.kind, window_kind::session);
    EXPECT_EQ(find_window(s.value())->window.size_us, 30 * k_micros_per_second);
}

TEST_F(window_query_test, bad_arguments_are_errors_at_the_argument) {
    auto type = bind("SELECT 1 FROM TUMBLE(bid, auction, INTERVAL '10' SECOND)");
    ASSERT_FALSE(type.ok());
    EXPECT_EQ(type.error().code, sql_errc::datatype_mismatch);
    EXPECT_EQ(type.error().position, 27);
    auto months = bind("SELECT 1 FROM TUMBLE(bid, date_time, INTERVAL '1' MONTH)");
    ASSERT_FALSE(months.ok());
    EXPECT_EQ(months.error().code, sql_errc::invalid_parameter_value);
    EXPECT_EQ(months.error().position, 38);
    EXPECT_NE(months.error().message.find("months"), std::string::npos);
    auto zero = bind("SELECT 1 FROM TUMBLE(bid, date_time, INTERVAL '0' SECOND)");
    ASSERT_FALSE(zero.ok());
    EXPECT_NE(zero.error().message.find("positive"), std::string::npos);
    auto hop = bind("SELECT 1 FROM HOP(bid, date_time, INTERVAL '4' SECOND, INTERVAL '10' SECOND)");
    ASSERT_FALSE(hop.ok());
    EXPECT_NE(hop.error().message.find("multiple of its slide"), std::string::npos);
    EXPECT_EQ(hop.error().position, 56);
    auto cum = bind(
        "SELECT 1 FROM CUMULATE(bid, date_time, INTERVAL '3' SECOND, "
        "INTERVAL '10' SECOND)");
    ASSERT_FALSE(cum.ok());
    EXPECT_NE(cum.error().message.find("multiple of its step"), std::string::npos);
    auto many = bind("SELECT 1 FROM HOP(bid, date_time, INTERVAL '1' SECOND, INTERVAL '1' DAY)");
    ASSERT_FALSE(many.ok());
    EXPECT_NE(many.error().message.find("at most 10000 times"), std::string::npos);
    auto column_size = bind("SELECT 1 FROM TUMBLE(bid, date_time, price * INTERVAL '1' SECOND)");
    ASSERT_FALSE(column_size.ok());
    EXPECT_EQ(column_size.error().code, sql_errc::feature_not_supported);
    auto args = bind("SELECT 1 FROM SESSION(bid, date_time)");
    ASSERT_FALSE(args.ok());
    EXPECT_EQ(args.error().code, sql_errc::undefined_function);
    EXPECT_NE(args.error().message.find("SESSION(relation, time, gap)"), std::string::npos);
    auto rel = bind("SELECT 1 FROM TUMBLE(nope, date_time, INTERVAL '1' SECOND)");
    ASSERT_FALSE(rel.ok());
    EXPECT_EQ(rel.error().code, sql_errc::undefined_table);
    EXPECT_EQ(rel.error().position, 22);
    auto literal = bind("SELECT 1 FROM TUMBLE('bid', date_time, INTERVAL '1' SECOND)");
    ASSERT_FALSE(literal.ok());
    EXPECT_EQ(literal.error().code, sql_errc::syntax_error);
}

TEST_F(window_query_test, time_expressions_become_a_hidden_column) {
    auto p = bind("SELECT * FROM TUMBLE(bid, date_time + INTERVAL '1' HOUR, INTERVAL '1' MINUTE)");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p.value()->schema.size(), 7u);
    const plan_node* w = find_window(p.value());
    ASSERT_EQ(w->inputs[0]->kind, plan_kind::project);
    EXPECT_EQ(w->inputs[0]->schema[static_cast<size_t>(w->window.time_column)].name,
              "_window_time");
    auto tz = bind("SELECT window_end FROM TUMBLE(bid, _timestamp, INTERVAL '1' MINUTE)");
    ASSERT_TRUE(tz.ok()) << tz.error().message;
    EXPECT_EQ(tz.value()->schema[0].type.id, type_id::timestamptz);
}

TEST_F(window_query_test, explain_names_the_window) {
    EXPECT_NE(explain_of("SELECT auction FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)")
                  .find("Window tumble(date_time, 10s)"),
              std::string::npos);
    EXPECT_NE(explain_of("SELECT auction FROM HOP(bid, date_time, INTERVAL '90' SECOND, "
                         "INTERVAL '3' MINUTE, INTERVAL '1' SECOND)")
                  .find("Window hop(date_time, slide 90s, size 3m, offset 1s)"),
              std::string::npos);
    EXPECT_NE(explain_of("SELECT auction FROM CUMULATE(bid, date_time, INTERVAL '1' HOUR, "
                         "INTERVAL '1' DAY)")
                  .find("Window cumulate(date_time, step 1h, size 1d)"),
              std::string::npos);
    EXPECT_NE(explain_of("SELECT auction FROM SESSION(bid, date_time, INTERVAL '0.5' SECOND)")
                  .find("Window session(date_time, gap 500ms)"),
              std::string::npos);
}

TEST_F(window_query_test, filters_on_input_columns_go_below_the_window_the_others_stay_above) {
    std::string e = explain_of(
        "SELECT auction, window_start FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) "
        "WHERE auction > 5 AND window_start >= TIMESTAMP '2015-07-15 00:00:00' AND "
        "random() < 2");
    size_t window = e.find("Window");
    size_t input_filter = e.find("Filter (auction > 5)");
    size_t scan = e.find("Scan bid");
    ASSERT_NE(window, std::string::npos) << e;
    ASSERT_NE(input_filter, std::string::npos) << e;
    EXPECT_LT(window, input_filter) << e;
    EXPECT_LT(input_filter, scan) << e;
    size_t above = e.find("Filter");
    EXPECT_LT(above, window) << e;
    EXPECT_NE(e.find("window_start", above), std::string::npos) << e;
    EXPECT_NE(e.find("random()", above), std::string::npos) << e;
    EXPECT_LT(e.find("random()", above), window) << e;
}

TEST_F(window_query_test, projection_pushdown_keeps_the_time_column) {
    std::string e =
        explain_of("SELECT auction, window_end FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)");
    EXPECT_NE(e.find("columns [auction, date_time]"), std::string::npos) << e;
    std::string only_window =
        explain_of("SELECT window_end FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)");
    EXPECT_NE(only_window.find("columns [date_time]"), std::string::npos) << only_window;
}

TEST_F(window_query_test, session_filters_go_below_only_on_session_keys) {
    auto p = bind(
        "SELECT bidder FROM SESSION(bid, date_time, INTERVAL '10' SECOND) "
        "WHERE bidder = 3 AND price > 10");
    ASSERT_TRUE(p.ok()) << p.error().message;
    std::string no_keys = explain(*optimize(p.value()));
    EXPECT_LT(no_keys.find("Filter"), no_keys.find("Window")) << no_keys;
    EXPECT_EQ(no_keys.find("Filter", no_keys.find("Window")), std::string::npos) << no_keys;

    auto q = bind(
        "SELECT bidder FROM SESSION(bid, date_time, INTERVAL '10' SECOND) "
        "WHERE bidder = 3 AND price > 10");
    ASSERT_TRUE(q.ok());
    // What the aggregate binder does for GROUP BY bidder, window_start
    // (bind_window_keys.h).
    plan_ptr from = q.value()->inputs[0]->inputs[0];
    ASSERT_EQ(from->kind, plan_kind::window);
    from->window.session_keys = {1};
    std::string keyed = explain(*optimize(q.value()));
    EXPECT_NE(keyed.find("keys [bidder]"), std::string::npos) << keyed;
    size_t window = keyed.find("Window");
    EXPECT_NE(keyed.find("Filter (bidder = 3)", window), std::string::npos) << keyed;
    EXPECT_LT(keyed.find("Filter (price > 10)"), window) << keyed;
}

TEST_F(window_query_test, tumble_rows_over_a_subquery) {
    EXPECT_EQ(run("SELECT g, window_start, window_end FROM TUMBLE(" + k_times +
                  ", ts, INTERVAL '10' SECOND)"),
              (rows{"-12|1969-12-31 23:59:40|1969-12-31 23:59:50",
                    "-6|1969-12-31 23:59:50|1970-01-01 00:00:00",
                    "0|1970-01-01 00:00:00|1970-01-01 00:00:10",
                    "6|1970-01-01 00:00:00|1970-01-01 00:00:10",
                    "12|1970-01-01 00:00:10|1970-01-01 00:00:20"}));
}

TEST_F(window_query_test, hop_and_cumulate_rows_over_a_subquery) {
    EXPECT_EQ(run("SELECT g, extract(epoch from window_start), extract(epoch from window_end) "
                  "FROM HOP(" +
                  k_times + ", ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) WHERE g >= 0"),
              (rows{"0|-5.000000|5.000000", "0|0.000000|10.000000", "6|0.000000|10.000000",
                    "6|5.000000|15.000000", "12|5.000000|15.000000", "12|10.000000|20.000000"}));
    EXPECT_EQ(run("SELECT g, extract(epoch from window_end) FROM CUMULATE(" + k_times +
                  ", ts, INTERVAL '4' SECOND, INTERVAL '12' SECOND) WHERE g IN (-6, 0)"),
              (rows{"-6|-4.000000", "-6|0.000000", "0|4.000000", "0|8.000000", "0|12.000000"}));
}

TEST_F(window_query_test, session_rows_over_a_subquery) {
    EXPECT_EQ(run("SELECT g, extract(epoch from window_start), extract(epoch from window_end) "
                  "FROM SESSION(" +
                  k_times + ", ts, INTERVAL '6' SECOND)"),
              (rows{"-12|-12.000000|-6.000000", "-6|-6.000000|0.000000", "0|0.000000|6.000000",
                    "6|6.000000|12.000000", "12|12.000000|18.000000"}));
    EXPECT_EQ(
        run("SELECT g, extract(epoch from window_end) FROM SESSION(" + k_times +
            ", ts, INTERVAL '7' SECOND) s"),
        (rows{"-12|19.000000", "-6|19.000000", "0|19.000000", "6|19.000000", "12|19.000000"}));
}

}  // namespace
}  // namespace window_query_test
}  // namespace spate::sql
