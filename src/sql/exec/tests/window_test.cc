// Window assignment (sql/exec/window.h): TUMBLE, HOP, CUMULATE, SESSION
// boundaries, the chunk transform and the batch SESSION operator.

#include "sql/exec/window.h"

#include <gtest/gtest.h>

#include <limits>

#include "sql/exec/transform.h"

namespace spate::sql {
namespace window_test {
namespace {

constexpr int64_t k_s = k_micros_per_second;

window_def tumble(int64_t size, int64_t offset = 0) {
    window_def w;
    w.kind = window_kind::tumble;
    w.time_column = 0;
    w.size_us = size;
    w.offset_us = offset;
    return w;
}

window_def hop(int64_t slide, int64_t size, int64_t offset = 0) {
    window_def w = tumble(size, offset);
    w.kind = window_kind::hop;
    w.slide_us = slide;
    return w;
}

window_def cumulate(int64_t step, int64_t size) {
    window_def w = tumble(size);
    w.kind = window_kind::cumulate;
    w.slide_us = step;
    return w;
}

std::vector<time_window> of(const window_def& w, int64_t t) {
    std::vector<time_window> out;
    EXPECT_TRUE(windows_of(w, t, out)) << t;
    return out;
}

using wins = std::vector<time_window>;

TEST(window_math, tumble_aligns_to_the_epoch_and_puts_boundary_events_in_the_next_window) {
    EXPECT_EQ(of(tumble(10 * k_s), 0), (wins{{0, 10 * k_s}}));
    EXPECT_EQ(of(tumble(10 * k_s), 10 * k_s - 1), (wins{{0, 10 * k_s}}));
    EXPECT_EQ(of(tumble(10 * k_s), 10 * k_s), (wins{{10 * k_s, 20 * k_s}}));
    EXPECT_EQ(of(tumble(10 * k_s), 25 * k_s + 7), (wins{{20 * k_s, 30 * k_s}}));
}

TEST(window_math, tumble_before_the_epoch_floors_toward_minus_infinity) {
    EXPECT_EQ(of(tumble(10 * k_s), -1), (wins{{-10 * k_s, 0}}));
    EXPECT_EQ(of(tumble(10 * k_s), -10 * k_s), (wins{{-10 * k_s, 0}}));
    EXPECT_EQ(of(tumble(10 * k_s), -10 * k_s - 1), (wins{{-20 * k_s, -10 * k_s}}));
}

TEST(window_math, tumble_offset_shifts_the_boundaries) {
    EXPECT_EQ(of(tumble(10 * k_s, 3 * k_s), 2 * k_s), (wins{{-7 * k_s, 3 * k_s}}));
    EXPECT_EQ(of(tumble(10 * k_s, 3 * k_s), 3 * k_s), (wins{{3 * k_s, 13 * k_s}}));
    EXPECT_EQ(of(tumble(10 * k_s, 3 * k_s), -8 * k_s), (wins{{-17 * k_s, -7 * k_s}}));
}

TEST(window_math, hop_gives_size_over_slide_windows_in_start_order) {
    EXPECT_EQ(of(hop(2 * k_s, 6 * k_s), 5 * k_s),
              (wins{{0, 6 * k_s}, {2 * k_s, 8 * k_s}, {4 * k_s, 10 * k_s}}));
    // Exactly at a slide boundary: the window starting there, not the one ending there.
    EXPECT_EQ(of(hop(2 * k_s, 6 * k_s), 6 * k_s),
              (wins{{2 * k_s, 8 * k_s}, {4 * k_s, 10 * k_s}, {6 * k_s, 12 * k_s}}));
    EXPECT_EQ(of(hop(2 * k_s, 6 * k_s), -1),
              (wins{{-6 * k_s, 0}, {-4 * k_s, 2 * k_s}, {-2 * k_s, 4 * k_s}}));
    EXPECT_EQ(of(hop(2 * k_s, 4 * k_s, k_s), 2 * k_s), (wins{{-k_s, 3 * k_s}, {k_s, 5 * k_s}}));
    EXPECT_EQ(of(hop(5 * k_s, 5 * k_s), 7 * k_s), (wins{{5 * k_s, 10 * k_s}}));
}

TEST(window_math, cumulate_windows_share_the_start_and_grow_by_the_step) {
    EXPECT_EQ(of(cumulate(2 * k_s, 6 * k_s), 0), (wins{{0, 2 * k_s}, {0, 4 * k_s}, {0, 6 * k_s}}));
    EXPECT_EQ(of(cumulate(2 * k_s, 6 * k_s), 3 * k_s), (wins{{0, 4 * k_s}, {0, 6 * k_s}}));
    // At a step boundary: the windows ending there do not hold it.
    EXPECT_EQ(of(cumulate(2 * k_s, 6 * k_s), 4 * k_s), (wins{{0, 6 * k_s}}));
    EXPECT_EQ(of(cumulate(2 * k_s, 6 * k_s), 6 * k_s),
              (wins{{6 * k_s, 8 * k_s}, {6 * k_s, 10 * k_s}, {6 * k_s, 12 * k_s}}));
    EXPECT_EQ(of(cumulate(2 * k_s, 6 * k_s), -1), (wins{{-6 * k_s, 0}}));
}

TEST(window_math, infinite_times_and_windows_past_the_range_have_no_window) {
    constexpr int64_t max = std::numeric_limits<int64_t>::max();
    constexpr int64_t min = std::numeric_limits<int64_t>::min();
    std::vector<time_window> out;
    EXPECT_FALSE(windows_of(tumble(10 * k_s), max, out));
    EXPECT_FALSE(windows_of(tumble(10 * k_s), min, out));
    EXPECT_FALSE(windows_of(tumble(10 * k_s), max - 5, out));
    EXPECT_FALSE(windows_of(hop(k_s, 10 * k_s), min + 5, out));
    EXPECT_FALSE(windows_of(cumulate(k_s, 10 * k_s), max - 1, out));
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(session_of_event(max - 5, 10).has_value());
    EXPECT_FALSE(session_of_event(min, 10).has_value());
}

TEST(window_math, sessions_extend_while_the_next_event_is_before_the_end) {
    std::vector<int64_t> times{-5, -1, 4, 8, 13, 30, 30, 34};
    std::vector<time_window> sessions;
    std::vector<uint32_t> session_of;
    assign_sessions(times, 5, sessions, session_of);
    // -1 + 5 = 4: the event at 4 is exactly at the end, so it starts a new session.
    EXPECT_EQ(sessions, (wins{{-5, 4}, {4, 13}, {13, 18}, {30, 39}}));
    EXPECT_EQ(session_of, (std::vector<uint32_t>{0, 0, 1, 1, 2, 3, 3, 3}));
    EXPECT_TRUE(sessions_overlap({0, 5}, {4, 9}));
    EXPECT_FALSE(sessions_overlap({0, 5}, {5, 10}));
    EXPECT_EQ(merge_sessions({4, 9}, {0, 5}), (time_window{0, 9}));
}

chunk times_chunk(const std::vector<std::optional<int64_t>>& ts, const std::vector<int64_t>& ids) {
    column t(data_type::of(type_id::timestamp));
    column id(data_type::of(type_id::int64));
    for (size_t i = 0; i < ts.size(); ++i) {
        if (ts[i]) {
            t.push<int64_t>(*ts[i]);
        } else {
            t.push_null();
        }
        id.push<int64_t>(ids[i]);
    }
    std::vector<column> cols;
    cols.push_back(std::move(t));
    cols.push_back(std::move(id));
    chunk c(std::move(cols));
    c.set_rows(ts.size());
    return c;
}

plan_ptr window_node(window_def w) {
    auto in = std::make_shared<plan_node>();
    in->kind = plan_kind::memory;
    in->schema = {{"ts", data_type::of(type_id::timestamp)}, {"id", data_type::of(type_id::int64)}};
    auto p = std::make_shared<plan_node>();
    p->kind = plan_kind::window;
    p->inputs = {in};
    p->schema = in->schema;
    p->schema.push_back({"window_start", data_type::of(type_id::timestamp)});
    p->schema.push_back({"window_end", data_type::of(type_id::timestamp)});
    p->window = std::move(w);
    return p;
}

// "id:start-end" per output row.
std::vector<std::string> rows_of(const chunk& c) {
    std::vector<std::string> out;
    for (size_t r = 0; r < c.rows(); ++r)
        out.push_back(std::to_string(c.at(1).values<int64_t>()[r]) + ":" +
                      std::to_string(c.at(2).values<int64_t>()[r]) + "-" +
                      std::to_string(c.at(3).values<int64_t>()[r]));
    return out;
}

TEST(window_assign, tumble_keeps_every_row_once_and_drops_null_times) {
    auto t = make_window_assign(*window_node(tumble(10)));
    eval_context ctx;
    auto out = t->apply(times_chunk({5, 10, std::nullopt, -1}, {1, 2, 3, 4}), ctx);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out.value().width(), 4u);
    EXPECT_EQ(rows_of(out.value()), (std::vector<std::string>{"1:0-10", "2:10-20", "4:-10-0"}));
    EXPECT_EQ(out.value().at(2).type().id, type_id::timestamp);
    auto all = t->apply(times_chunk({1, 2}, {7, 8}), ctx);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(rows_of(all.value()), (std::vector<std::string>{"7:0-10", "8:0-10"}));
}

TEST(window_assign, hop_and_cumulate_expand_rows_in_input_order) {
    eval_context ctx;
    auto h = make_window_assign(*window_node(hop(5, 10)));
    auto out = h->apply(times_chunk({7, std::nullopt, 10}, {1, 2, 3}), ctx);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(rows_of(out.value()),
              (std::vector<std::string>{"1:0-10", "1:5-15", "3:5-15", "3:10-20"}));
    auto c = make_window_assign(*window_node(cumulate(5, 15)));
    auto cum = c->apply(times_chunk({7, 0}, {1, 2}), ctx);
    ASSERT_TRUE(cum.ok()) << cum.error().message;
    EXPECT_EQ(rows_of(cum.value()),
              (std::vector<std::string>{"1:0-10", "1:0-15", "2:0-5", "2:0-10", "2:0-15"}));
    auto empty = c->apply(times_chunk({}, {}), ctx);
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty.value().rows(), 0u);
    EXPECT_EQ(empty.value().width(), 4u);
}

// Yields its chunks in order.
class chunks_op final : public batch_operator {
  public:
    explicit chunks_op(std::vector<chunk> c) : _chunks(std::move(c)) {}
    sql_result<std::optional<chunk>> next() override {
        if (_i >= _chunks.size()) return std::optional<chunk>();
        return std::optional<chunk>(std::move(_chunks[_i++]));
    }

  private:
    std::vector<chunk> _chunks;
    size_t _i = 0;
};

std::vector<std::string> run_session(window_def w, std::vector<chunk> input, size_t chunk_rows) {
    batch_env env;
    env.chunk_rows = chunk_rows;
    auto op =
        make_session_window(std::make_unique<chunks_op>(std::move(input)), *window_node(w), env);
    std::vector<std::string> out;
    for (;;) {
        auto c = op->next();
        EXPECT_TRUE(c.ok());
        if (!c.ok() || !c.value()) break;
        for (auto& r : rows_of(*c.value()))
            out.push_back(r);
    }
    return out;
}

TEST(session_window, one_global_session_stream_without_keys) {
    window_def w;
    w.kind = window_kind::session;
    w.time_column = 0;
    w.size_us = 5;
    std::vector<chunk> in;
    in.push_back(times_chunk({12, 0, std::nullopt}, {1, 2, 3}));
    in.push_back(times_chunk({3, 7, -20}, {4, 5, 6}));
    auto rows = run_session(w, std::move(in), 2);
    // 0, 3, 7 form [0, 12); 12 is at that end and opens its own session.
    EXPECT_EQ(rows,
              (std::vector<std::string>{"6:-20--15", "2:0-12", "4:0-12", "5:0-12", "1:12-17"}));
}

TEST(session_window, sessions_form_per_key_with_nulls_as_one_key) {
    window_def w;
    w.kind = window_kind::session;
    w.time_column = 0;
    w.size_us = 5;
    w.session_keys = {1};
    // Column 1 doubles as the key: ids 1 and 2 each have their own sessions.
    column t(data_type::of(type_id::timestamp));
    column k(data_type::of(type_id::int64));
    for (auto [ts, key] : std::vector<std::pair<int64_t, int64_t>>{
             {0, 1}, {3, 2}, {4, 1}, {10, 2}, {8, 1}, {20, -1}, {22, -1}}) {
        t.push<int64_t>(ts);
        if (key < 0) {
            k.push_null();
        } else {
            k.push<int64_t>(key);
        }
    }
    std::vector<column> cols;
    cols.push_back(std::move(t));
    cols.push_back(std::move(k));
    chunk c(std::move(cols));
    c.set_rows(7);
    std::vector<chunk> in;
    in.push_back(std::move(c));
    auto rows = run_session(w, std::move(in), 100);
    // NULL keys sort first; key 1: 0, 4, 8 (8 < 4 + 5) one session; key 2: 3 and 10 apart.
    EXPECT_EQ(rows, (std::vector<std::string>{"0:20-27", "0:20-27", "1:0-13", "1:0-13", "1:0-13",
                                              "2:3-8", "2:10-15"}));
}

}  // namespace
}  // namespace window_test
}  // namespace spate::sql
