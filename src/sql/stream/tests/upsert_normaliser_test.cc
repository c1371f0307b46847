// The upsert normaliser (an updating relation -> retractions and
// insertions) and the streaming aggregate over its output: every aggregate
// stays exact when rows are updated and deleted.

#include "sql/stream/upsert_normaliser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <list>
#include <map>
#include <set>

#include "sql/plan/stream_planner.h"
#include "sql/stream/aggregate_operator.h"
#include "sql/stream/repartition.h"
#include "sql/stream/tests/memory_state.h"
#include "sql/stream/tests/plan_builders.h"
#include "sql/types/text_io.h"

namespace spate::sql::detail {
namespace upsert_normaliser_test {
namespace {

using namespace test_support;
namespace kc = kafka::client;

struct change {
    std::string key;
    std::optional<std::string> value;  // none: a delete
};

std::vector<record_view> views_of(const std::vector<change>& run, int64_t first_offset = 0) {
    std::vector<record_view> out(run.size());
    for (size_t i = 0; i < run.size(); ++i) {
        out[i].key = run[i].key;
        out[i].value = run[i].value;
        out[i].offset = first_offset + static_cast<int64_t>(i);
        out[i].timestamp_ms = 1000 + static_cast<int64_t>(i);
    }
    return out;
}

std::vector<std::string> values_of(const std::vector<record_view>& views) {
    std::vector<std::string> out;
    for (const auto& v : views)
        out.emplace_back(*v.value);
    return out;
}

class normaliser_test : public ::testing::Test {
  protected:
    void SetUp() override { reopen(); }
    // A normaliser over the committed state so far (a restart).
    void reopen() {
        auto s = std::make_unique<memory_state>(&_committed);
        _state = s.get();
        _n = std::make_unique<upsert_normaliser>(std::move(s));
    }
    void run(const std::vector<change>& changes) {
        // The views point into the run's strings: keep every run alive.
        _runs.push_back(changes);
        _views = views_of(_runs.back(), _offset);
        _offset += static_cast<int64_t>(changes.size());
        auto s = _n->normalise(_views, _retract, _insert);
        ASSERT_TRUE(s.ok()) << s.error().message;
    }
    std::vector<std::string> inserted() const {
        std::vector<std::string> out;
        for (uint32_t i : _insert)
            out.emplace_back(*_views[i].value);
        return out;
    }
    void commit() {
        ASSERT_TRUE(_state->log_pending([](const kc::outgoing_record&) { return status{}; }).ok());
        ASSERT_TRUE(_state->commit().ok());
    }

    std::map<std::string, std::string> _committed;
    memory_state* _state = nullptr;
    std::unique_ptr<upsert_normaliser> _n;
    int64_t _offset = 0;
    std::list<std::vector<change>> _runs;
    std::vector<record_view> _views, _retract;
    std::vector<uint32_t> _insert;
};

TEST_F(normaliser_test, a_new_key_is_inserted_without_a_retraction) {
    run({{"a", "A1"}, {"b", "B1"}});
    EXPECT_TRUE(_retract.empty());
    EXPECT_EQ(inserted(), (std::vector<std::string>{"A1", "B1"}));
}

TEST_F(normaliser_test, an_update_retracts_the_previous_row_then_inserts_the_new_one) {
    run({{"a", "A1"}, {"b", "B1"}});
    run({{"a", "A2"}});
    EXPECT_EQ(values_of(_retract), (std::vector<std::string>{"A1"}));
    EXPECT_EQ(_retract[0].offset, 0);  // the retracted record's own offset and time
    EXPECT_EQ(_retract[0].timestamp_ms, 1000);
    EXPECT_EQ(inserted(), (std::vector<std::string>{"A2"}));
}

TEST_F(normaliser_test, a_delete_retracts_the_previous_row_and_forgets_the_key) {
    run({{"a", "A1"}});
    run({{"a", std::nullopt}});
    EXPECT_EQ(values_of(_retract), (std::vector<std::string>{"A1"}));
    EXPECT_TRUE(_insert.empty());
    run({{"a", "A2"}});  // inserted again: nothing left to retract
    EXPECT_TRUE(_retract.empty());
    EXPECT_EQ(inserted(), (std::vector<std::string>{"A2"}));
}

TEST_F(normaliser_test, a_delete_of_an_unknown_key_retracts_nothing) {
    run({{"zz", std::nullopt}});
    EXPECT_TRUE(_retract.empty());
    EXPECT_TRUE(_insert.empty());
    EXPECT_FALSE(_state->has_pending());
}

TEST_F(normaliser_test, repeated_changes_of_a_key_in_one_run_collapse) {
    run({{"a", "A1"}, {"b", "B1"}});
    run({{"a", "A2"}, {"b", std::nullopt}, {"a", "A3"}, {"c", "C1"}, {"c", "C2"}, {"a", "A4"}});
    // One retraction per key that existed before the run; one insertion per
    // key alive after it: its last value.
    EXPECT_EQ(values_of(_retract), (std::vector<std::string>{"B1", "A1"}));
    EXPECT_EQ(inserted(), (std::vector<std::string>{"C2", "A4"}));
    run({{"b", "B2"}, {"b", std::nullopt}});  // inserted and deleted within a run
    EXPECT_TRUE(_retract.empty());
    EXPECT_TRUE(_insert.empty());
}

TEST_F(normaliser_test, a_record_without_a_key_is_inserted_and_never_retracted) {
    std::vector<record_view> views(2);
    views[0].value = "X";
    views[1].key = "k";
    views[1].value = "K";
    ASSERT_TRUE(_n->normalise(views, _retract, _insert).ok());
    EXPECT_EQ(_insert, (std::vector<uint32_t>{0, 1}));
    EXPECT_TRUE(_retract.empty());
}

TEST_F(normaliser_test, a_restart_restores_the_previous_rows_from_the_committed_state) {
    run({{"a", "A1"}, {"b", "B1"}});
    commit();
    run({{"a", "A2"}});  // never committed: rolled back by the restart
    reopen();
    run({{"a", "A3"}, {"b", std::nullopt}});
    EXPECT_EQ(values_of(_retract), (std::vector<std::string>{"A1", "B1"}));
    EXPECT_EQ(inserted(), (std::vector<std::string>{"A3"}));
    // The state holds one record per live key.
    commit();
    EXPECT_EQ(_committed.size(), 1u);
}

// acct (id BIGINT, grp BIGINT, x BIGINT, tag TEXT), an updating relation
// keyed by id (as an upsert view's topic is).
relation_def acct_relation() {
    relation_def r;
    r.name = "acct";
    r.topic = "acct";
    r.columns = {
        {"id", t_int()}, {"grp", t_int()}, {"x", t_int()}, {"tag", data_type::of(type_id::text)}};
    r.upsert_key = {0};
    return r;
}

aggregate_call call(const std::string& name, expr_ptr arg, bool distinct = false) {
    aggregate_call c;
    c.name = name;
    data_type types[] = {arg->type};
    auto t = aggregate_result_type(name, types, false);
    EXPECT_TRUE(t.ok()) << name;
    c.type = t.ok() ? t.value() : t_int();
    c.args = {std::move(arg)};
    c.distinct = distinct;
    return c;
}

// SELECT grp, count(*), sum(x), avg(x), min(x), max(x), count(DISTINCT tag)
// FROM acct GROUP BY grp
plan_ptr stats_by_group() {
    auto s = scan(acct_relation(), {1, 2, 3});
    data_type text = data_type::of(type_id::text);
    return aggregate(s, {col(0, t_int())},
                     {count_star(), call("sum", col(1, t_int())), call("avg", col(1, t_int())),
                      call("min", col(1, t_int())), call("max", col(1, t_int())),
                      call("count", col(2, text), true)},
                     {"grp", "n", "total", "mean", "lo", "hi", "tags"});
}

std::string acct(int64_t id, int64_t grp, int64_t x, const std::string& tag) {
    return R"({"id": )" + std::to_string(id) + R"(, "grp": )" + std::to_string(grp) + R"(, "x": )" +
           std::to_string(x) + R"(, "tag": ")" + tag + R"("})";
}

// Sub-topology A (normaliser, decode, pre-aggregate, repartition encoding)
// and B (the aggregate task) in process, both over memory states; the
// aggregate's changelog folded into the view it maintains.
class upsert_aggregate_harness {
  public:
    upsert_aggregate_harness() {
        auto p = plan_stream(stats_by_group());
        EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
        _plan = std::move(p).value();
        EXPECT_TRUE(_plan.inputs[0].upsert);
        EXPECT_TRUE(_plan.aggregate->input_retracts);
        _writer = std::make_unique<repartition_writer>(*_plan.aggregate, "r", 1);
        restart();
    }

    void restart() {
        _task.reset();
        auto in = std::make_unique<memory_state>(&_input_committed);
        _input_state = in.get();
        _normaliser = std::make_unique<upsert_normaliser>(std::move(in));
        auto agg = std::make_unique<memory_state>(&_agg_committed);
        _agg_state = agg.get();
        auto t = aggregate_task::create(*_plan.aggregate, std::move(agg), 1);
        ASSERT_TRUE(t.ok()) << t.error().message;
        _task = std::move(t).value();
    }

    // One run of the input; the batch reference follows it.
    void run(const std::vector<change>& changes) {
        for (const auto& c : changes) {
            if (c.value)
                _table[c.key] = *c.value;
            else
                _table.erase(c.key);
        }
        auto views = views_of(changes, _offset);
        _offset += static_cast<int64_t>(changes.size());
        std::vector<record_view> retract;
        std::vector<uint32_t> insert;
        ASSERT_TRUE(_normaliser->normalise(views, retract, insert).ok());
        feed(retract, -1);
        std::vector<record_view> inserts;
        for (uint32_t i : insert)
            inserts.push_back(views[i]);
        feed(inserts, 1);
    }

    // Ends the interval: the aggregate's changes go into the view, both
    // states commit.
    void flush() {
        aggregate_changes out;
        auto s = _task->flush(eval_context{}, out);
        ASSERT_TRUE(s.ok()) << s.error().message;
        for (size_t r = 0; r < out.diffs.size(); ++r) {
            std::string key, row;
            format_text(out.rows.at(0), r, key);
            for (size_t c = 0; c < out.rows.width(); ++c) {
                if (c) row += "|";
                if (out.rows.at(c).is_null(r))
                    row += "null";
                else
                    format_text(out.rows.at(c), r, row);
            }
            if (out.diffs[r] < 0) {
                ASSERT_EQ(_view[key], row) << "a retraction of a row the view does not hold";
                _view.erase(key);
            } else {
                ASSERT_EQ(_view.count(key), 0u) << "an insertion over a live row: " << row;
                _view[key] = row;
            }
        }
        auto ignore = [](const kc::outgoing_record&) { return status{}; };
        for (memory_state* st : {_input_state, _agg_state}) {
            ASSERT_TRUE(st->log_pending(ignore).ok());
            ASSERT_TRUE(st->commit().ok());
        }
        _task->committed();
    }

    std::map<std::string, std::string> view() const { return _view; }

    // The same query over the input's current rows (a batch computation;
    // avg through a batch aggregate over the group's values).
    std::map<std::string, std::string> expected() const {
        struct group {
            std::vector<int64_t> xs;
            std::set<std::string> tags;
        };
        std::map<int64_t, group> groups;
        for (const auto& [k, v] : _table) {
            row r = parse(v);
            groups[r.grp].xs.push_back(r.x);
            groups[r.grp].tags.insert(r.tag);
        }
        std::map<std::string, std::string> out;
        for (const auto& [grp, g] : groups) {
            int64_t total = 0;
            for (int64_t x : g.xs)
                total += x;
            out[std::to_string(grp)] = std::to_string(grp) + "|" + std::to_string(g.xs.size()) +
                                       "|" + std::to_string(total) + "|" + batch_avg(g.xs) + "|" +
                                       std::to_string(*std::min_element(g.xs.begin(), g.xs.end())) +
                                       "|" +
                                       std::to_string(*std::max_element(g.xs.begin(), g.xs.end())) +
                                       "|" + std::to_string(g.tags.size());
        }
        return out;
    }

  private:
    struct row {
        int64_t grp = 0, x = 0;
        std::string tag;
    };
    // The test's rows are acct()'s: fields in a fixed order.
    static row parse(const std::string& v) {
        row r;
        auto num = [&](const std::string& field) {
            return std::stoll(v.substr(v.find(field) + field.size()));
        };
        r.grp = num("\"grp\": ");
        r.x = num("\"x\": ");
        size_t t = v.find("\"tag\": \"") + 8;
        r.tag = v.substr(t, v.find('"', t) - t);
        return r;
    }
    static std::string batch_avg(const std::vector<int64_t>& xs) {
        aggregate_call avg = call("avg", col(0, t_int()));
        auto a = make_grouped_aggregate(avg, false);
        EXPECT_TRUE(a.ok());
        grouped_aggregate& g = *a.value();
        g.resize(1);
        std::vector<column> args(1, column(t_int()));
        for (int64_t x : xs)
            args[0].push<int64_t>(x);
        std::vector<uint32_t> slots(xs.size(), 0);
        EXPECT_TRUE(g.update(args, nullptr, slots, {}).ok());
        column res(avg.type);
        EXPECT_TRUE(g.result(0, res).ok());
        std::string out;
        format_text(res, 0, out);
        return out;
    }

    void feed(const std::vector<record_view>& views, int8_t diff) {
        if (views.empty()) return;
        const input_spec& in = _plan.inputs[0];
        auto decoder = make_decoder(in.format, in.columns);
        ASSERT_TRUE(decoder.ok());
        chunk src = make_source_chunk(in.columns);
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
        for (const auto& v : values) {
            repartition_rows rows;
            ASSERT_TRUE(decode_repartition(v, *_plan.aggregate, rows).ok());
            auto s = _task->apply(rows);
            ASSERT_TRUE(s.ok()) << s.error().message;
        }
    }

    stream_plan _plan;
    std::unique_ptr<repartition_writer> _writer;
    std::map<std::string, std::string> _input_committed, _agg_committed;
    memory_state* _input_state = nullptr;
    memory_state* _agg_state = nullptr;
    std::unique_ptr<upsert_normaliser> _normaliser;
    std::unique_ptr<aggregate_task> _task;
    int64_t _offset = 0;
    std::map<std::string, std::string> _table;  // the input's rows now
    std::map<std::string, std::string> _view;   // the aggregate's output folded
};

// A view row without its avg field (checked against the batch run).
std::string fields(const std::string& row) {
    size_t a = 0;
    for (int i = 0; i < 3; ++i)
        a = row.find('|', a) + 1;
    return row.substr(0, a) + row.substr(row.find('|', a) + 1);
}

TEST(upsert_aggregate, updates_and_deletes_keep_every_aggregate_exact) {
    upsert_aggregate_harness h;
    h.run({{"1", acct(1, 10, 5, "a")},
           {"2", acct(2, 10, 9, "b")},
           {"3", acct(3, 10, 7, "a")},
           {"4", acct(4, 20, 1, "c")}});
    h.flush();
    EXPECT_EQ(h.view(), h.expected());
    EXPECT_EQ(fields(h.view()["10"]), "10|3|21|5|9|2");
    // The maximum of group 10 lowered, then moved to group 20: max falls
    // back to the next value, group 20's rises.
    h.run({{"2", acct(2, 10, 6, "b")}});
    h.flush();
    EXPECT_EQ(h.view(), h.expected());
    EXPECT_EQ(fields(h.view()["10"]), "10|3|18|5|7|2");
    h.run({{"3", acct(3, 20, 7, "c")}});
    h.flush();
    EXPECT_EQ(h.view(), h.expected());
    EXPECT_EQ(fields(h.view()["10"]), "10|2|11|5|6|2");
    EXPECT_EQ(fields(h.view()["20"]), "20|2|8|1|7|1");
    // The minimum deleted, a tag's last holder gone: count(DISTINCT) drops.
    h.run({{"1", std::nullopt}});
    h.flush();
    EXPECT_EQ(h.view(), h.expected());
    EXPECT_EQ(fields(h.view()["10"]), "10|1|6|6|6|1");
}

TEST(upsert_aggregate, a_group_whose_rows_all_leave_is_deleted) {
    upsert_aggregate_harness h;
    h.run({{"1", acct(1, 10, 5, "a")}, {"2", acct(2, 20, 9, "b")}});
    h.flush();
    h.run({{"1", acct(1, 20, 5, "a")}});
    h.flush();
    EXPECT_EQ(h.view().count("10"), 0u);
    EXPECT_EQ(h.view(), h.expected());
}

TEST(upsert_aggregate, many_changes_per_key_in_one_run_and_across_restarts_match_a_batch_run) {
    upsert_aggregate_harness h;
    uint64_t rng = 12345;
    auto next = [&rng](uint64_t n) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        return (rng >> 33) % n;
    };
    const char* tags[] = {"a", "b", "c", "d"};
    for (int round = 0; round < 40; ++round) {
        std::vector<change> changes;
        for (int i = 0; i < 30; ++i) {
            int64_t id = static_cast<int64_t>(next(25));
            if (next(5) == 0) {
                changes.push_back({std::to_string(id), std::nullopt});
                continue;
            }
            changes.push_back(
                {std::to_string(id), acct(id, static_cast<int64_t>(next(4)),
                                          static_cast<int64_t>(next(100)) - 20, tags[next(4)])});
        }
        h.run(changes);
        h.flush();
        ASSERT_EQ(h.view(), h.expected()) << "round " << round;
        if (round % 7 == 6) h.restart();
    }
}

}  // namespace
}  // namespace upsert_normaliser_test
}  // namespace spate::sql::detail
