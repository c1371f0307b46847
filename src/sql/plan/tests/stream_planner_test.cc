#include "sql/plan/stream_planner.h"

#include <gtest/gtest.h>

#include "sql/stream/tests/plan_builders.h"

namespace spate::sql {
namespace stream_planner_test {
namespace {

using namespace test_support;

constexpr int64_t k_10s = 10'000'000;

// SELECT auction, window_end, count(*) AS n FROM TUMBLE(bid, date_time, 10 s)
// GROUP BY auction, window_end (+ sum(price) [FILTER (WHERE price > 10)]).
plan_ptr windowed_count(bool filtered_sum = false) {
    auto s = scan(bid_relation(), {0, 2, 4});  // auction, price, date_time
    auto w = window(s, window_kind::tumble, 2, k_10s);
    expr_ptr price = col(1, t_int(), "price");
    auto sum = filtered_sum ? sum_of(price, op(">", price, int_const(10))) : sum_of(price);
    auto a = aggregate(w, {col(0, t_int(), "auction"), col(4, t_ts(), "window_end")},
                       {count_star(), sum}, {"auction", "window_end", "n", "total"}, 1);
    return project(a, {col(0, t_int()), col(1, t_ts()), col(2, t_int())},
                   {"auction", "window_end", "n"});
}

TEST(stream_planner, an_aggregation_splits_into_a_pre_aggregate_chunk_and_the_aggregate) {
    auto p = plan_stream(windowed_count(true));
    ASSERT_TRUE(p.ok()) << p.error().message;
    const stream_plan& sp = p.value();
    ASSERT_TRUE(sp.aggregate);
    const aggregate_def& d = *sp.aggregate;
    ASSERT_EQ(d.key_types.size(), 2u);
    ASSERT_EQ(d.pre_columns.size(), 4u);  // auction, window_end, price, the filter
    EXPECT_EQ(d.pre_columns[3].type.id, type_id::boolean);
    EXPECT_EQ(d.call_args, (std::vector<std::vector<int>>{{}, {2}}));
    EXPECT_EQ(d.call_filters, (std::vector<int>{-1, 3}));
    EXPECT_EQ(d.window_end_key, 1);
    EXPECT_FALSE(d.has_session);
    EXPECT_TRUE(d.windows_close);  // over the source's WATERMARK column
    EXPECT_FALSE(d.emit_on_window_close);
    EXPECT_FALSE(sp.append_only);  // a changelog
    EXPECT_EQ(sp.unique_key, (std::vector<int>{0, 1}));
    ASSERT_EQ(sp.inputs.size(), 1u);
    EXPECT_TRUE(sp.inputs[0].event_time.time);
    EXPECT_TRUE(sp.inputs[0].event_time.watermark);
    EXPECT_EQ(sp.output_columns.size(), 3u);
}

TEST(stream_planner, an_input_reads_record_headers_only_when_the_query_selects_headers) {
    // bid has 5 declared columns; the hidden ones follow (format.h).
    int headers = 5 + 4;
    ASSERT_EQ(hidden_columns()[4].name, "_headers");
    auto without = plan_stream(scan(bid_relation(), {0, 2, 5}));  // auction, price, _partition
    ASSERT_TRUE(without.ok()) << without.error().message;
    ASSERT_EQ(without.value().inputs.size(), 1u);
    EXPECT_FALSE(without.value().inputs[0].read_headers);
    EXPECT_EQ(without.value().inputs[0].decoding.hidden_read, 1u);  // _partition only
    auto with = plan_stream(scan(bid_relation(), {0, headers}));
    ASSERT_TRUE(with.ok()) << with.error().message;
    EXPECT_TRUE(with.value().inputs[0].read_headers);
    EXPECT_EQ(with.value().inputs[0].decoding.hidden_read, 16u);
    // Stateful queries decode their input the same way.
    EXPECT_FALSE(plan_stream(windowed_count()).value().inputs[0].read_headers);
    // ... and fill every hidden column (a watermark may read them).
    EXPECT_EQ(plan_stream(windowed_count()).value().inputs[0].decoding.hidden_read,
              k_all_hidden_columns);
}

TEST(stream_planner, emit_on_window_close_makes_the_output_append_only) {
    auto p = plan_stream(windowed_count(), {.emit_on_window_close = true});
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p.value().append_only);
    EXPECT_TRUE(p.value().aggregate->emit_on_window_close);
}

TEST(stream_planner, emit_on_window_close_without_a_closing_window_is_refused) {
    // GROUP BY auction: no window.
    auto s = scan(bid_relation(), {0});
    auto a = aggregate(s, {col(0, t_int())}, {count_star()}, {"auction", "n"});
    auto p = plan_stream(a, {.emit_on_window_close = true});
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, sql_errc::feature_not_supported);
    EXPECT_NE(p.error().message.find("EMIT ON WINDOW CLOSE"), std::string::npos);
    // A window over a column other than the watermark's never closes.
    auto s2 = scan(bid_relation("bid", false), {0, 4});
    auto w = window(s2, window_kind::tumble, 1, k_10s);
    auto a2 = aggregate(w, {col(3, t_ts())}, {count_star()}, {"window_end", "n"}, 0);
    auto p2 = plan_stream(a2, {.emit_on_window_close = true});
    ASSERT_FALSE(p2.ok());
    EXPECT_NE(p2.error().message.find("WATERMARK"), std::string::npos);
    // A stateless query cannot emit on window close either.
    auto p3 = plan_stream(scan(bid_relation(), {0}), {.emit_on_window_close = true});
    EXPECT_FALSE(p3.ok());
}

TEST(stream_planner, the_unique_key_needs_every_group_key_selected) {
    auto s = scan(bid_relation(), {0, 1});
    auto a = aggregate(s, {col(0, t_int()), col(1, t_int())}, {count_star()},
                       {"auction", "bidder", "n"});
    // HAVING count(*) > 1, SELECT n, bidder, auction
    auto f = filter(a, op(">", col(2, t_int()), int_const(1)));
    auto all =
        project(f, {col(2, t_int()), col(1, t_int()), col(0, t_int())}, {"n", "bidder", "auction"});
    auto p = plan_stream(all);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p.value().unique_key, (std::vector<int>{2, 1}));
    auto some = project(f, {col(2, t_int()), col(0, t_int())}, {"n", "auction"});
    auto q = plan_stream(some);
    ASSERT_TRUE(q.ok());
    EXPECT_TRUE(q.value().unique_key.empty());
    EXPECT_FALSE(q.value().aggregate->windows_close);
}

TEST(stream_planner, sessions_are_left_to_the_aggregate) {
    auto s = scan(bid_relation(), {1, 2, 4});  // bidder, price, date_time
    auto w = window(s, window_kind::session, 2, k_10s);
    auto a = aggregate(w, {col(0, t_int()), col(3, t_ts()), col(4, t_ts())}, {count_star()},
                       {"bidder", "window_start", "window_end", "n"});
    auto p = plan_stream(a, {.emit_on_window_close = true});
    ASSERT_TRUE(p.ok()) << p.error().message;
    const aggregate_def& d = *p.value().aggregate;
    EXPECT_TRUE(d.has_session);
    EXPECT_EQ(d.session.gap_us, k_10s);
    EXPECT_EQ(d.session.start_key, 1);
    EXPECT_EQ(d.session.end_key, 2);
    EXPECT_EQ(d.session.time_column, static_cast<int>(d.pre_columns.size()) - 1);
    EXPECT_EQ(d.window_end_key, -1);
    EXPECT_TRUE(d.windows_close);
}

TEST(stream_planner, session_bounds_cannot_be_computed_on_before_the_aggregate) {
    auto s = scan(bid_relation(), {1, 4});
    auto w = window(s, window_kind::session, 1, k_10s);
    // WHERE window_end > date_time: the session's end is not known yet.
    auto f = filter(w, op(">", col(3, t_ts()), col(1, t_ts())));
    auto a = aggregate(f, {col(0, t_int()), col(2, t_ts()), col(3, t_ts())}, {count_star()},
                       {"bidder", "window_start", "window_end", "n"});
    auto p = plan_stream(a);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, sql_errc::feature_not_supported);
    EXPECT_NE(p.error().message.find("SESSION"), std::string::npos);
}

TEST(stream_planner, an_aggregation_over_union_all_is_refused_by_name) {
    auto u = std::make_shared<plan_node>();
    u->kind = plan_kind::union_all;
    u->inputs = {scan(bid_relation("a"), {0}), scan(bid_relation("b"), {0})};
    u->schema = u->inputs[0]->schema;
    auto a = aggregate(u, {col(0, t_int())}, {count_star()}, {"auction", "n"});
    auto p = plan_stream(a);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, sql_errc::feature_not_supported);
    EXPECT_NE(p.error().message.find("UNION ALL"), std::string::npos);
}

TEST(stream_planner, the_watermark_columns_are_decoded_even_when_the_query_does_not_read_them) {
    auto s = scan(bid_relation(), {0});
    auto a = aggregate(s, {col(0, t_int())}, {count_star()}, {"auction", "n"});
    auto p = plan_stream(a);
    ASSERT_TRUE(p.ok()) << p.error().message;
    const input_spec& in = p.value().inputs[0];
    ASSERT_EQ(in.columns.size(), 2u);
    EXPECT_EQ(in.columns[0].name, "auction");
    EXPECT_EQ(in.columns[1].name, "date_time");
    // The event time reads decoded column 1; the pipeline yields the keys.
    ASSERT_TRUE(in.event_time.time);
    EXPECT_EQ(in.event_time.time->column, 1);
    auto decoder = make_decoder(in.format, in.columns);
    ASSERT_TRUE(decoder.ok());
    chunk src = make_source_chunk(in.columns);
    std::string v = R"({"auction": 7, "date_time": "2024-01-01 00:00:10"})";
    record_view rv;
    rv.value = v;
    std::vector<decode_failure> failures;
    decoder.value()->decode(std::span(&rv, 1), src, failures);
    ASSERT_TRUE(failures.empty());
    src.sync_rows();
    auto pre = in.processor->process(std::move(src), eval_context{});
    ASSERT_TRUE(pre.ok()) << pre.error().message;
    ASSERT_EQ(pre.value().width(), 1u);
    EXPECT_EQ(pre.value().at(0).values<int64_t>()[0], 7);
}

TEST(stream_planner, windows_over_proctime_use_processing_time) {
    relation_def r = bid_relation();
    int proctime = static_cast<int>(r.columns.size()) + 5;  // hidden _proctime
    ASSERT_EQ(hidden_columns()[5].name, "_proctime");
    auto s = scan(r, {0, proctime});
    auto w = window(s, window_kind::tumble, 1, k_10s);
    auto a = aggregate(w, {col(0, t_int()), col(3, data_type::of(type_id::timestamptz))},
                       {count_star()}, {"auction", "window_end", "n"}, 1);
    auto p = plan_stream(a, {.emit_on_window_close = true});
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p.value().inputs[0].event_time.processing_time);
    EXPECT_FALSE(p.value().inputs[0].event_time.time);
    EXPECT_TRUE(p.value().aggregate->windows_close);
}

// bid as an updating view (an upsert changelog keyed by auction), without
// a watermark.
relation_def updating_bids() {
    relation_def r = bid_relation("__spate_view_bids", false);
    r.kind = catalog_kind::view;
    r.upsert_key = {0};
    return r;
}

TEST(stream_planner, an_aggregation_over_an_updating_view_normalises_its_input_and_retracts) {
    auto s = scan(updating_bids(), {0, 2});
    auto p = plan_stream(aggregate(s, {col(0, t_int())}, {count_star(), sum_of(col(1, t_int()))},
                                   {"auction", "n", "total"}));
    ASSERT_TRUE(p.ok()) << p.error().message;
    ASSERT_EQ(p.value().inputs.size(), 1u);
    EXPECT_TRUE(p.value().inputs[0].upsert);
    EXPECT_TRUE(p.value().aggregate->input_retracts);
    EXPECT_FALSE(p.value().append_only);
    // An append-only source stays insert-only.
    auto plain = plan_stream(aggregate(scan(bid_relation(), {0, 2}), {col(0, t_int())},
                                       {count_star()}, {"auction", "n"}));
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_FALSE(plain.value().inputs[0].upsert);
    EXPECT_FALSE(plain.value().aggregate->input_retracts);
}

TEST(stream_planner, an_updating_view_without_aggregation_or_in_a_session_window_is_refused) {
    auto stateless = plan_stream(scan(updating_bids(), {0, 2}));
    ASSERT_FALSE(stateless.ok());
    EXPECT_EQ(stateless.error().code, sql_errc::feature_not_supported);
    EXPECT_NE(stateless.error().message.find("without GROUP BY"), std::string::npos)
        << stateless.error().message;
    auto s = scan(updating_bids(), {0, 4});
    auto w = window(s, window_kind::session, 1, k_10s);
    auto sessions =
        plan_stream(aggregate(w, {col(0, t_int()), col(2, t_ts()), col(3, t_ts())}, {count_star()},
                              {"auction", "window_start", "window_end", "n"}));
    ASSERT_FALSE(sessions.ok());
    EXPECT_EQ(sessions.error().code, sql_errc::feature_not_supported);
    EXPECT_NE(sessions.error().message.find("whose rows update"), std::string::npos)
        << sessions.error().message;
}

TEST(stream_planner, an_aggregation_over_an_aggregation_names_the_view_workaround) {
    auto inner = aggregate(scan(bid_relation(), {0, 2}), {col(0, t_int())}, {count_star()},
                           {"auction", "n"});
    auto outer = aggregate(inner, {col(1, t_int())}, {count_star()}, {"n", "auctions"});
    auto p = plan_stream(outer);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("materialized view"), std::string::npos) << p.error().message;
}

}  // namespace
}  // namespace stream_planner_test
}  // namespace spate::sql
