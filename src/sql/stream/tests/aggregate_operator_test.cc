#include "sql/stream/aggregate_operator.h"

#include <gtest/gtest.h>

#include "sql/plan/stream_planner.h"
#include "sql/stream/tests/memory_state.h"
#include "sql/stream/tests/plan_builders.h"
#include "sql/types/text_io.h"

namespace spate::sql::detail {
namespace aggregate_operator_test {
namespace {

using namespace test_support;
namespace kc = kafka::client;

constexpr int64_t k_second = 1'000'000;

// Runs an aggregate task over a plan: JSON rows go through the input's
// pipeline (sub-topology A), the repartition encoding (combined into
// partials when the calls allow it and `combine`) and into the task.
class harness {
  public:
    explicit harness(const plan_ptr& plan, bool eowc = false, bool combine = true) {
        auto p = plan_stream(plan, {.emit_on_window_close = eowc});
        EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
        _plan = std::move(p).value();
        _writer = std::make_unique<repartition_writer>(*_plan.aggregate, "r", 1);
        if (combine && combinable(*_plan.aggregate)) {
            EXPECT_TRUE(_writer->combine().ok());
        }
        reopen();
    }

    // A task over the committed state so far (a restart).
    void reopen() {
        _task.reset();
        auto s = std::make_unique<memory_state>(&_committed);
        _state = s.get();
        auto t = aggregate_task::create(*_plan.aggregate, std::move(s), 1);
        ASSERT_TRUE(t.ok()) << t.error().message;
        _task = std::move(t).value();
        _task->emit_upserts_only(_upserts_only);
    }
    void emit_upserts_only() {
        _upserts_only = true;
        _task->emit_upserts_only(true);
    }
    const aggregate_def& def() const { return *_plan.aggregate; }

    void add(const std::vector<std::string>& json, int8_t diff = 1) {
        const input_spec& in = _plan.inputs[0];
        auto decoder = make_decoder(in.format, in.columns);
        ASSERT_TRUE(decoder.ok());
        chunk src = make_source_chunk(in.columns);
        std::vector<record_view> views(json.size());
        for (size_t i = 0; i < json.size(); ++i)
            views[i].value = json[i];
        std::vector<decode_failure> failures;
        decoder.value()->decode(views, src, failures);
        ASSERT_TRUE(failures.empty()) << failures[0].reason;
        src.sync_rows();
        auto pre = in.processor->process(std::move(src), eval_context{});
        ASSERT_TRUE(pre.ok()) << pre.error().message;
        std::vector<int8_t> diffs(pre.value().rows(), diff);
        std::vector<std::string> values;
        auto sink = [&](const kc::outgoing_record& r) {
            values.emplace_back(*r.value);
            return status{};
        };
        ASSERT_TRUE(_writer->write(pre.value(), diffs, sink).ok());
        ASSERT_TRUE(_writer->flush(sink).ok());
        _records.clear();
        for (const auto& v : values) {
            repartition_rows rows;
            ASSERT_TRUE(decode_repartition(v, *_plan.aggregate, rows).ok());
            _records.push_back({rows.keys.size(), rows.partials.size()});
            auto s = _task->apply(rows);
            ASSERT_TRUE(s.ok()) << s.error().message;
        }
    }
    // The repartition records of the last add(): (keys, partials) each.
    const std::vector<std::pair<size_t, size_t>>& records() const { return _records; }

    void watermark(int64_t micros) { _task->apply_marker({0, false, micros}); }

    // The interval's changes as "+auction,window_end,n" lines, committed.
    std::vector<std::string> flush(bool commit = true) {
        aggregate_changes out;
        auto s = _task->flush(eval_context{}, out);
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
        std::vector<std::string> lines;
        for (size_t r = 0; r < out.diffs.size(); ++r) {
            std::string line = out.diffs[r] > 0 ? "+" : "-";
            for (size_t c = 0; c < out.rows.width(); ++c) {
                const column& col = out.rows.at(c);
                if (c) line += ",";
                if (col.is_null(r)) {
                    line += "null";
                } else if (col.type().id == type_id::numeric) {
                    format_text(col, r, line);
                } else {
                    line += std::to_string(col.values<int64_t>()[r]);
                }
            }
            lines.push_back(line);
        }
        if (commit) {
            EXPECT_TRUE(
                _state->log_pending([](const kc::outgoing_record&) { return status{}; }).ok());
            EXPECT_TRUE(_state->commit().ok());
            _task->committed();
        }
        return lines;
    }

    size_t group_keys() const { return keys_with('g'); }
    size_t keys_with(char prefix) const {
        size_t n = 0;
        for (const auto& [k, v] : _committed)
            n += k[0] == prefix;
        return n;
    }
    std::optional<std::string> value_of_first(char prefix) const {
        for (const auto& [k, v] : _committed)
            if (k[0] == prefix) return v;
        return std::nullopt;
    }
    aggregate_task& task() { return *_task; }
    int64_t state_gets() const { return _state->gets; }

  private:
    stream_plan _plan;
    std::unique_ptr<repartition_writer> _writer;
    std::map<std::string, std::string> _committed;
    memory_state* _state = nullptr;
    std::unique_ptr<aggregate_task> _task;
    bool _upserts_only = false;
    std::vector<std::pair<size_t, size_t>> _records;
};

std::string bid(int64_t auction, int64_t price, int seconds = 0) {
    return R"({"auction": )" + std::to_string(auction) + R"(, "price": )" + std::to_string(price) +
           R"(, "date_time": "1970-01-01 00:00:)" + (seconds < 10 ? "0" : "") +
           std::to_string(seconds) + R"("})";
}

// SELECT auction, count(*) AS n, sum(price) FROM bid GROUP BY auction [HAVING count(*) > 1]
plan_ptr count_by_auction(bool having = false) {
    auto s = scan(bid_relation(), {0, 2});
    plan_ptr a = aggregate(s, {col(0, t_int())}, {count_star(), sum_of(col(1, t_int()))},
                           {"auction", "n", "total"});
    if (having) a = filter(a, op(">", col(1, t_int()), int_const(1)));
    return a;
}

// SELECT auction, window_end, count(*) FROM TUMBLE(bid, date_time, 10 s) GROUP BY 1, 2
plan_ptr windowed_count() {
    auto s = scan(bid_relation(), {0, 4});
    auto w = window(s, window_kind::tumble, 1, 10 * k_second);
    return aggregate(w, {col(0, t_int()), col(3, t_ts())}, {count_star()},
                     {"auction", "window_end", "n"}, 1);
}

// SELECT bidder, window_start, window_end, count(*) FROM SESSION(bid, date_time, 5 s)
// GROUP BY 1, 2, 3
plan_ptr sessions() {
    auto s = scan(bid_relation(), {1, 4});
    auto w = window(s, window_kind::session, 1, 5 * k_second);
    return aggregate(w, {col(0, t_int()), col(2, t_ts()), col(3, t_ts())}, {count_star()},
                     {"bidder", "window_start", "window_end", "n"});
}

std::string bidder_at(int64_t bidder, int seconds) {
    return R"({"bidder": )" + std::to_string(bidder) + R"(, "date_time": "1970-01-01 00:00:)" +
           (seconds < 10 ? "0" : "") + std::to_string(seconds) + R"("})";
}

TEST(aggregate_operator, a_changelog_retracts_the_row_it_emitted_before) {
    harness h(count_by_auction());
    h.add({bid(1, 10), bid(2, 5)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,1,10", "+2,1,5"}));
    h.add({bid(1, 20)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,1,10", "+1,2,30"}));
    // Both rows of auction 1 retracted: the group is deleted, its state too.
    h.add({bid(1, 10), bid(1, 20)}, -1);
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,2,30"}));
    EXPECT_EQ(h.group_keys(), 1u);
    EXPECT_TRUE(h.flush().empty());
}

TEST(aggregate_operator, an_unchanged_row_emits_nothing) {
    harness h(count_by_auction());
    h.add({bid(1, 10)});
    h.flush();
    h.add({bid(1, 7)});
    h.add({bid(1, 7)}, -1);
    EXPECT_TRUE(h.flush().empty());
}

TEST(aggregate_operator, one_interval_emits_new_changed_and_deleted_groups_in_touch_order) {
    harness h(count_by_auction());
    h.add({bid(1, 10)});
    h.add({bid(2, 5)});
    h.add({bid(3, 7)});
    h.flush();
    h.add({bid(4, 1)});      // new
    h.add({bid(1, 20)});     // changed
    h.add({bid(3, 7)}, -1);  // deleted
    h.add({bid(2, 9)});      // unchanged in the end
    h.add({bid(2, 9)}, -1);
    h.add({bid(5, 2)});  // new
    EXPECT_EQ(h.flush(),
              (std::vector<std::string>{"+4,1,1", "-1,1,10", "+1,2,30", "-3,1,7", "+5,1,2"}));
    h.reopen();
    h.add({bid(4, 1)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-4,1,1", "+4,2,2"}));
}

TEST(aggregate_operator, keyed_by_its_groups_a_task_emits_rows_now_and_deletions_only) {
    harness h(count_by_auction());
    h.emit_upserts_only();
    h.add({bid(1, 10)});
    h.add({bid(2, 5)});
    h.add({bid(3, 7)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,1,10", "+2,1,5", "+3,1,7"}));
    h.add({bid(4, 1)});      // new
    h.add({bid(1, 20)});     // changed: no retraction of its row before
    h.add({bid(3, 7)}, -1);  // deleted: its key, null results
    h.add({bid(2, 9)});      // unchanged in the end: its row again
    h.add({bid(2, 9)}, -1);
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+4,1,1", "+1,2,30", "+2,1,5", "-3,null,null"}));
    h.reopen();
    h.add({bid(4, 1)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+4,2,2"}));
}

TEST(aggregate_operator, the_plan_names_the_group_key_columns_and_a_having_filter) {
    harness plain(count_by_auction());
    EXPECT_EQ(plain.def().output_key, (std::vector<int>{0}));
    EXPECT_FALSE(plain.def().post_filters);
    harness having(count_by_auction(true));
    EXPECT_TRUE(having.def().post_filters);
}

TEST(aggregate_operator, having_flips_rows_in_and_out) {
    harness h(count_by_auction(true));
    h.add({bid(1, 10)});
    EXPECT_TRUE(h.flush().empty());  // count 1: filtered
    h.add({bid(1, 5)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,2,15"}));
    h.add({bid(1, 5)}, -1);
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,2,15"}));
}

TEST(aggregate_operator, groups_reload_from_the_state_after_a_restart) {
    harness h(count_by_auction());
    h.add({bid(1, 10)});
    h.flush();
    h.reopen();
    h.add({bid(1, 1)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,1,10", "+1,2,11"}));
}

TEST(aggregate_operator, an_aborted_interval_leaves_no_trace) {
    harness h(count_by_auction());
    h.add({bid(1, 10)});
    h.flush();
    h.add({bid(1, 3)});
    EXPECT_EQ(h.flush(false), (std::vector<std::string>{"-1,1,10", "+1,2,13"}));
    h.task().aborted();
    // The interval is re-read: the same output, not a double count.
    h.add({bid(1, 3)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,1,10", "+1,2,13"}));
}

TEST(aggregate_operator, new_groups_skip_the_state_while_every_group_is_in_memory) {
    harness h(count_by_auction());
    int64_t at_open = h.state_gets();
    h.add({bid(1, 10), bid(2, 5)});
    h.flush();
    h.add({bid(3, 1)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+3,1,1"}));
    EXPECT_EQ(h.state_gets(), at_open);
    // Opened over stored groups: a key not in memory may be stored.
    h.reopen();
    at_open = h.state_gets();
    h.add({bid(4, 1), bid(1, 1)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+4,1,1", "-1,1,10", "+1,2,11"}));
    EXPECT_EQ(h.state_gets(), at_open + 2);
    // After an abort the groups in memory are gone: they reload.
    h.add({bid(2, 1)});
    h.task().aborted();
    h.add({bid(2, 1)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-2,1,5", "+2,2,6"}));
}

TEST(aggregate_operator, past_its_limit_a_task_releases_the_groups_touched_longest_ago) {
    harness h(count_by_auction());
    h.task().limit_groups_in_memory(4);  // keeps 3
    h.add({bid(1, 10), bid(2, 5)});
    h.flush();
    h.add({bid(3, 1)});
    h.flush();
    h.add({bid(4, 1), bid(5, 1)});
    h.flush();
    EXPECT_EQ(h.task().groups_in_memory(), 3u);  // 1 and 2 released
    int64_t gets = h.state_gets();
    // A key never stored is still known to be new: no lookup.
    h.add({bid(6, 1)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+6,1,1"}));
    EXPECT_EQ(h.state_gets(), gets);
    // A released group reloads from the state and goes on from there.
    h.add({bid(1, 1), bid(3, 2)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,1,10", "+1,2,11", "-3,1,1", "+3,2,3"}));
    EXPECT_EQ(h.state_gets(), gets + 1);
    // Released again and again: the counts stay whole.
    for (int64_t a = 7; a < 20; ++a) {
        h.add({bid(a, 1), bid(2, 1)});
        h.flush();
    }
    EXPECT_LE(h.task().groups_in_memory(), 4u);
    h.add({bid(1, 1), bid(2, 1), bid(7, 1)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,2,11", "+1,3,12", "-2,14,18", "+2,15,19",
                                                   "-7,1,1", "+7,2,2"}));
}

TEST(aggregate_operator, past_its_memory_limit_a_task_releases_the_groups_touched_longest_ago) {
    harness h(count_by_auction());
    h.add({bid(1, 10), bid(2, 5)});
    h.flush();
    h.add({bid(3, 1), bid(4, 1)});
    h.flush();
    size_t four = h.task().memory_bytes();  // four groups, no slot released yet
    ASSERT_GT(four, 0u);
    // Room for three groups by their memory, for any number by their count.
    h.task().limit_groups_in_memory(1000, four * 3 / 4 + 1);
    h.add({bid(5, 1)});
    h.flush();
    // Past the limit: down to three quarters of it, the oldest first.
    size_t kept = h.task().groups_in_memory();
    EXPECT_GE(kept, 1u);
    EXPECT_LE(kept, 3u);
    h.add({bid(6, 1)});
    h.flush();
    int64_t gets = h.state_gets();
    // A released group reloads from the state and goes on from there.
    h.add({bid(1, 1)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,1,10", "+1,2,11"}));
    EXPECT_EQ(h.state_gets(), gets + 1);
}

TEST(aggregate_operator, emit_on_window_close_emits_each_window_once_when_it_closes) {
    harness h(windowed_count(), true);
    h.add({bid(1, 0, 1), bid(1, 0, 5), bid(1, 0, 12), bid(2, 0, 3)});
    EXPECT_TRUE(h.flush().empty());
    h.watermark(9 * k_second);
    EXPECT_TRUE(h.flush().empty());
    h.watermark(10 * k_second);  // [0 s, 10 s) closes
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,10000000,2", "+2,10000000,1"}));
    EXPECT_EQ(h.group_keys(), 1u);  // only [10 s, 20 s) is left
    // A row of the closed window is late here: dropped.
    h.add({bid(1, 0, 2)});
    EXPECT_EQ(h.task().stats().late_rows, 1);
    h.watermark(30 * k_second);
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,20000000,1"}));
    EXPECT_EQ(h.group_keys(), 0u);
}

TEST(aggregate_operator, a_changelog_purges_closed_windows_without_output) {
    harness h(windowed_count());
    h.add({bid(1, 0, 1), bid(1, 0, 12)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,10000000,1", "+1,20000000,1"}));
    h.watermark(15 * k_second);
    EXPECT_TRUE(h.flush().empty());
    EXPECT_EQ(h.group_keys(), 1u);
    // The watermark survives a restart (it is in the state).
    h.reopen();
    EXPECT_EQ(h.task().watermark(), 15 * k_second);
}

TEST(aggregate_operator, sessions_grow_and_merge_with_a_changelog) {
    harness h(sessions());
    h.add({bidder_at(1, 1), bidder_at(1, 3), bidder_at(2, 4)});
    EXPECT_EQ(h.flush(),
              (std::vector<std::string>{"+1,1000000,8000000,2", "+2,4000000,9000000,1"}));
    h.add({bidder_at(1, 10)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,10000000,15000000,1"}));
    // 6 s reaches both sessions of bidder 1: they merge.
    h.add({bidder_at(1, 6)});
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,1000000,8000000,2", "+1,1000000,15000000,4",
                                                   "-1,10000000,15000000,1"}));
    // The merged session is what a restart loads.
    h.reopen();
    h.add({bidder_at(1, 14)});
    EXPECT_EQ(h.flush(),
              (std::vector<std::string>{"-1,1000000,15000000,4", "+1,1000000,19000000,5"}));
}

TEST(aggregate_operator, sessions_close_with_the_watermark) {
    harness h(sessions(), true);
    h.add({bidder_at(1, 1), bidder_at(1, 3), bidder_at(2, 9)});
    EXPECT_TRUE(h.flush().empty());
    h.watermark(8 * k_second);  // [1 s, 8 s) closes; [9 s, 14 s) does not
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,1000000,8000000,2"}));
    // A row whose session would have closed already is late.
    h.add({bidder_at(3, 2)});
    EXPECT_EQ(h.task().stats().late_rows, 1);
    // One that joins an open session is not.
    h.add({bidder_at(2, 7)});
    EXPECT_EQ(h.task().stats().late_rows, 1);
    h.watermark(20 * k_second);
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+2,7000000,14000000,2"}));
    h.reopen();
    h.watermark(30 * k_second);
    EXPECT_TRUE(h.flush().empty());
}

// SELECT auction, count(DISTINCT bidder) FROM bid GROUP BY auction
plan_ptr distinct_bidders() {
    auto s = scan(bid_relation(), {0, 1});
    aggregate_call c;
    c.name = "count";
    c.args = {col(1, t_int())};
    c.distinct = true;
    c.type = t_int();
    return aggregate(s, {col(0, t_int())}, {c}, {"auction", "n"});
}

// Bidders first .. first + count - 1, spread out (their state is a few
// bytes per value).
std::vector<std::string> bidders(int64_t first, int64_t count) {
    std::vector<std::string> out;
    for (int64_t b = first; b < first + count; ++b)
        out.push_back(R"({"auction": 1, "bidder": )" + std::to_string(b * 1000003) + "}");
    return out;
}

TEST(aggregate_operator, a_large_group_logs_its_rows_until_a_new_snapshot_pays_off) {
    harness h(distinct_bidders());
    h.add(bidders(0, 20000));  // a state of 20000 distinct values: over 64 kB
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,20000"}));
    auto snapshot = h.value_of_first('g');
    ASSERT_TRUE(snapshot);
    EXPECT_EQ(h.keys_with('d'), 0u);
    h.add(bidders(20000, 100));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,20000", "+1,20100"}));
    // Only the interval's rows were written; the snapshot stays.
    EXPECT_EQ(h.keys_with('d'), 1u);
    EXPECT_TRUE(h.value_of_first('g') == snapshot);
    // A restart replays the delta.
    h.reopen();
    h.add(bidders(20100, 1));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,20100", "+1,20101"}));
    EXPECT_EQ(h.keys_with('d'), 2u);
    // Deltas as large as the snapshot: a new snapshot replaces them.
    h.add(bidders(30000, 20000));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,20101", "+1,40101"}));
    EXPECT_EQ(h.keys_with('d'), 0u);
    EXPECT_FALSE(h.value_of_first('g') == snapshot);
    h.reopen();
    h.add(bidders(0, 1));  // a value it already has
    EXPECT_TRUE(h.flush().empty());
}

TEST(aggregate_operator, a_snapshot_over_half_a_megabyte_is_split_into_chunks) {
    harness h(distinct_bidders());
    h.add(bidders(0, 150000));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,150000"}));
    EXPECT_GE(h.keys_with('c'), 2u);
    h.reopen();
    h.add(bidders(150000, 1));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,150000", "+1,150001"}));
    // Every row retracted: no record of the group is left.
    h.add(bidders(0, 150001), -1);
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,150001"}));
    EXPECT_EQ(h.keys_with('g') + h.keys_with('c') + h.keys_with('d'), 0u);
}

aggregate_call call_of(const std::string& name, expr_ptr arg, data_type type,
                       expr_ptr filter = nullptr, bool distinct = false) {
    aggregate_call c;
    c.name = name;
    c.args = {std::move(arg)};
    c.type = type;
    c.filter = std::move(filter);
    c.distinct = distinct;
    return c;
}

// SELECT auction, count(*), sum(price), min(price), max(price),
//   count(DISTINCT bidder) FILTER (WHERE price > 50) FROM bid GROUP BY auction
// [windowed: TUMBLE 10 s, window_end a key]
plan_ptr auction_statistics(bool windowed = false) {
    auto s = scan(bid_relation(), {0, 1, 2, 4});
    std::vector<expr_ptr> keys = {col(0, t_int())};
    std::vector<std::string> names = {"auction"};
    int end_key = -1;
    if (windowed) {
        s = window(s, window_kind::tumble, 3, 10 * k_second);
        keys.push_back(col(5, t_ts()));
        names.push_back("window_end");
        end_key = 1;
    }
    auto price = [] { return col(2, t_int()); };
    std::vector<aggregate_call> calls = {
        count_star(), sum_of(price()), call_of("min", price(), t_int()),
        call_of("max", price(), t_int()),
        call_of("count", col(1, t_int()), t_int(), op(">", price(), int_const(50)), true)};
    for (const char* n : {"n", "total", "low", "high", "bidders"})
        names.push_back(n);
    return aggregate(s, std::move(keys), std::move(calls), names, end_key);
}

std::string full_bid(int64_t auction, int64_t bidder, int64_t price, int seconds) {
    return R"({"auction": )" + std::to_string(auction) + R"(, "bidder": )" +
           std::to_string(bidder) + R"(, "price": )" + std::to_string(price) +
           R"(, "date_time": "1970-01-01 00:00:)" + (seconds < 10 ? "0" : "") +
           std::to_string(seconds) + R"("})";
}

TEST(aggregate_operator, combinable_calls_are_exact_and_order_free) {
    auto def = [](const plan_ptr& p) {
        auto s = plan_stream(p, {});
        EXPECT_TRUE(s.ok());
        return *s.value().aggregate;
    };
    EXPECT_TRUE(combinable(def(auction_statistics())));
    EXPECT_TRUE(combinable(def(distinct_bidders())));
    EXPECT_FALSE(combinable(def(sessions())));  // sessions merge by time
    auto s = scan(bid_relation(), {0, 3});
    auto text = data_type::of(type_id::text);
    aggregate_call agg = call_of("string_agg", col(1, text), text);
    agg.args.push_back(expr::make_constant(value::text(",")));
    EXPECT_FALSE(combinable(def(aggregate(s, {col(0, t_int())}, {agg}, {"auction", "channels"}))));
}

TEST(aggregate_operator, rows_of_one_group_cross_as_one_partial) {
    harness h(auction_statistics());
    h.add({full_bid(1, 7, 10, 0), full_bid(1, 8, 60, 1), full_bid(2, 9, 70, 2),
           full_bid(1, 8, 80, 3)});
    ASSERT_EQ(h.records().size(), 1u);
    EXPECT_EQ(h.records()[0], (std::pair<size_t, size_t>(2, 2)));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"+1,3,150,10,80,1", "+2,1,70,70,70,1"}));
    // Uncombined, the same rows go one by one.
    harness rows(auction_statistics(), false, false);
    rows.add({full_bid(1, 7, 10, 0), full_bid(1, 8, 60, 1)});
    EXPECT_EQ(rows.records()[0], (std::pair<size_t, size_t>(2, 0)));
}

// Random bids through a combining and a row-by-row harness: the same
// changelog every interval, across restarts and an aborted interval.
void expect_same_as_rows(bool windowed, bool eowc) {
    harness combined(auction_statistics(windowed), eowc),
        rows(auction_statistics(windowed), eowc, false);
    uint64_t x = 88172645463325252ULL;
    auto next = [&x](uint64_t n) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return static_cast<int64_t>(x % n);
    };
    for (int interval = 0; interval < 12; ++interval) {
        std::vector<std::string> batch;
        for (int i = 0; i < 300; ++i)
            batch.push_back(full_bid(next(40), next(25), next(100),
                                     std::max<int>(0, interval * 4 + next(4) - next(12))));
        for (harness* h : {&combined, &rows}) {
            h->add(std::vector<std::string>(batch.begin(), batch.begin() + 150));
            h->add(std::vector<std::string>(batch.begin() + 150, batch.end()));
            if (windowed) h->watermark((interval * 4 - 6) * k_second);
        }
        bool abort = interval == 5;
        auto a = combined.flush(!abort), b = rows.flush(!abort);
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        EXPECT_EQ(a, b) << "interval " << interval;
        if (abort) {
            combined.task().aborted();
            rows.task().aborted();
        }
        if (interval == 7) {
            combined.reopen();
            rows.reopen();
        }
    }
    EXPECT_EQ(combined.task().stats().rows_in, rows.task().stats().rows_in);
    EXPECT_EQ(combined.task().stats().late_rows, rows.task().stats().late_rows);
}

TEST(aggregate_operator, partials_give_the_changelog_of_the_rows) {
    expect_same_as_rows(false, false);
}

TEST(aggregate_operator, partials_give_the_closed_windows_of_the_rows) {
    expect_same_as_rows(true, true);
    expect_same_as_rows(true, false);
}

TEST(aggregate_operator, a_large_group_logs_one_merged_partial_per_interval) {
    harness h(distinct_bidders());
    h.add(bidders(0, 20000));
    h.flush();
    h.add(bidders(20000, 50));
    h.add(bidders(20050, 50));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,20000", "+1,20100"}));
    ASSERT_EQ(h.keys_with('d'), 1u);
    auto delta = h.value_of_first('d');
    ASSERT_TRUE(delta && !delta->empty());
    EXPECT_EQ((*delta)[0], '\0');  // a partial, not rows
    // Rows (a retraction is never combined) and partials mix in one group.
    h.add(bidders(20000, 1), -1);
    h.add(bidders(50000, 1));
    EXPECT_TRUE(h.flush().empty());  // one bidder less, one more
    EXPECT_EQ(h.keys_with('d'), 3u);
    h.reopen();
    h.add(bidders(20000, 1));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,20100", "+1,20101"}));
}

TEST(aggregate_operator, a_large_group_logs_a_lone_partial_as_received_and_replays_it) {
    harness h(distinct_bidders());
    h.add(bidders(0, 20000));
    h.flush();
    // One partial per interval: each 'd' record is that partial.
    h.add(bidders(20000, 30));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,20000", "+1,20030"}));
    h.add(bidders(20030, 30));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,20030", "+1,20060"}));
    EXPECT_EQ(h.keys_with('d'), 2u);
    h.reopen();
    h.add(bidders(0, 1));  // already counted
    EXPECT_TRUE(h.flush().empty());
    h.add(bidders(20060, 1));
    EXPECT_EQ(h.flush(), (std::vector<std::string>{"-1,20060", "+1,20061"}));
}

}  // namespace
}  // namespace aggregate_operator_test
}  // namespace spate::sql::detail
