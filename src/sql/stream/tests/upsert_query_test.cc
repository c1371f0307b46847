// A stateful query over an updating relation (an upsert topic, as an
// updating view writes it) against a real broker: updates and deletes
// retract, and the normaliser's state survives a restart and a wiped state
// directory (restored from its changelog topic).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include "kafka/client/admin.h"
#include "kafka/client/testing/broker_process.h"
#include "sql/plan/stream_planner.h"
#include "sql/stream/continuous_query.h"
#include "sql/stream/tests/plan_builders.h"
#include "sql/stream/tests/stream_test_util.h"

namespace spate::sql {
namespace upsert_query_test {
namespace {

using namespace test_support;
using json = nlohmann::json;
namespace kc = kafka::client;

bool wait_for(const std::function<bool()>& cond, int timeout_ms = 30000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!cond()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling with a deadline
    }
    return true;
}

// acct (id BIGINT, grp BIGINT, x BIGINT): an upsert changelog keyed by id.
relation_def acct_relation() {
    relation_def r;
    r.name = "acct";
    r.topic = "acct";
    r.columns = {{"id", t_int()}, {"grp", t_int()}, {"x", t_int()}};
    r.upsert_key = {0};
    return r;
}

aggregate_call max_of(expr_ptr arg) {
    aggregate_call c;
    c.name = "max";
    c.type = arg->type;
    c.args = {std::move(arg)};
    return c;
}

// SELECT grp, count(*) AS n, sum(x) AS total, max(x) AS top FROM acct GROUP BY grp
plan_ptr stats_by_group() {
    auto s = scan(acct_relation(), {1, 2});
    return aggregate(s, {col(0, t_int())},
                     {count_star(), sum_of(col(1, t_int())), max_of(col(1, t_int()))},
                     {"grp", "n", "total", "top"});
}

class upsert_query_test : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(_broker.start()) << _broker.error();
        create_topic(_broker.client(), "acct", 2);
        _state_dir = std::filesystem::temp_directory_path() /
                     ("spate-sql-upsert-test-" + std::to_string(::getpid()));
        std::filesystem::remove_all(_state_dir);
    }
    void TearDown() override { std::filesystem::remove_all(_state_dir); }

    query_spec spec() {
        auto p = plan_stream(stats_by_group());
        EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
        stream_plan sp = std::move(p).value();
        query_spec s;
        s.name = "q";
        s.group_id = "q-group";
        s.transactional_id = "q-txn";
        s.group_instance_id = "q-member";
        s.inputs = std::move(sp.inputs);
        s.output_topic = "out";
        s.output_columns = sp.output_columns;
        s.aggregate = sp.aggregate;
        s.query_id = "u1";
        s.state_dir = (_state_dir / "a").string();
        s.commit_interval_ms = 50;
        s.client = _broker.client();
        s.client.properties.emplace_back("heartbeat.interval.ms", "100");
        s.output_type = sink_type::upsert;
        s.key_columns = sp.unique_key;
        return s;
    }

    std::unique_ptr<continuous_query> start() {
        auto q = continuous_query::start(spec());
        EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
        return q.ok() ? std::move(q).value() : nullptr;
    }

    // Upserts (x set) or deletes (no x) row `id`; a key's records go to one
    // partition, as an upsert topic's do.
    void change(int64_t id, std::optional<std::pair<int64_t, int64_t>> grp_x) {
        if (grp_x)
            _rows[id] = *grp_x;
        else
            _rows.erase(id);
        std::string key = json{{"id", id}}.dump();
        std::optional<std::string> value;
        if (grp_x) value = json{{"id", id}, {"grp", grp_x->first}, {"x", grp_x->second}}.dump();
        _pending.push_back({static_cast<int32_t>(id % 2), key, value});
    }

    void produce() {
        kc::producer_options o;
        o.client = _broker.client();
        o.idempotent = true;
        auto p = kc::producer::create(o);
        ASSERT_TRUE(p.ok()) << p.err().message;
        for (const auto& r : _pending) {
            kc::outgoing_record out;
            out.topic = "acct";
            out.partition = r.partition;
            out.key = r.key;
            if (r.value) out.value = *r.value;
            ASSERT_TRUE(p->produce(out).ok());
        }
        ASSERT_TRUE(p->flush(10000).ok());
        ASSERT_EQ(p->failed(), 0) << p->first_failure();
        _pending.clear();
    }

    // The batch result over the rows now: grp -> {n, total, top}.
    std::map<int64_t, json> expected() const {
        std::map<int64_t, json> out;
        for (const auto& [id, gx] : _rows) {
            json& g = out[gx.first];
            if (g.is_null())
                g = json{{"grp", gx.first}, {"n", 0}, {"total", 0}, {"top", gx.second}};
            g["n"] = g["n"].get<int64_t>() + 1;
            g["total"] = g["total"].get<int64_t>() + gx.second;
            g["top"] = std::max(g["top"].get<int64_t>(), gx.second);
        }
        return out;
    }

    // The upsert output folded: grp -> row.
    std::map<int64_t, json> table() {
        std::map<int64_t, json> out;
        for (const auto& r : read_committed(_broker.client(), "out", 1, 3000)) {
            int64_t grp = json::parse(r.key.value_or("{}")).value("grp", int64_t(-1));
            if (r.value) {
                json v = json::parse(*r.value);
                // sum(bigint) is numeric: compare as integers.
                v["total"] = std::stoll(v["total"].is_string() ? v["total"].get<std::string>()
                                                               : v["total"].dump());
                out[grp] = v;
            } else {
                out.erase(grp);
            }
        }
        return out;
    }

    void expect_converges() {
        std::map<int64_t, json> got;
        auto want = expected();
        bool ok = wait_for([&] {
            got = table();
            return got == want;
        });
        EXPECT_TRUE(ok) << "got " << json(got).dump() << "\nwant " << json(want).dump();
    }

    struct pending {
        int32_t partition;
        std::string key;
        std::optional<std::string> value;
    };
    kc::testing::broker_process _broker{SPATE_BINARY};
    std::filesystem::path _state_dir;
    std::map<int64_t, std::pair<int64_t, int64_t>> _rows;  // id -> (grp, x)
    std::vector<pending> _pending;
};

TEST_F(upsert_query_test, updates_and_deletes_retract_their_old_rows) {
    for (int64_t id = 0; id < 20; ++id)
        change(id, std::make_pair(id % 4, id * 10));
    produce();
    auto q = start();
    ASSERT_NE(q, nullptr);
    expect_converges();
    // Every group's maximum moves to another group, some rows go.
    for (int64_t id = 16; id < 20; ++id)
        change(id, std::make_pair((id + 1) % 4, 1));
    change(0, std::nullopt);
    change(4, std::nullopt);
    change(8, std::make_pair(3, 5));
    change(8, std::make_pair(2, 7));  // two changes of one key
    produce();
    expect_converges();
    EXPECT_EQ(q->last_error(), "");
    // EXPLAIN ANALYZE shows the normaliser and its state (published at commits).
    ASSERT_TRUE(wait_for([&] { return q->operators()[1].state_keys > 0; }));
    auto ops = q->operators();
    ASSERT_EQ(ops.size(), 5u);
    EXPECT_EQ(ops[1].name, "Normalise " + input_changelog_topic("u1"));
    EXPECT_GE(ops[1].rows_out, 20);
    q->stop();
}

TEST_F(upsert_query_test, a_wiped_state_directory_restores_the_previous_rows_from_the_changelog) {
    for (int64_t id = 0; id < 20; ++id)
        change(id, std::make_pair(id % 4, id));
    produce();
    auto q = start();
    ASSERT_NE(q, nullptr);
    expect_converges();
    q->stop();
    std::filesystem::remove_all(_state_dir);
    // Without the previous rows these updates could not retract anything.
    for (int64_t id = 0; id < 20; id += 2)
        change(id, std::make_pair(7, 100 + id));
    for (int64_t id = 1; id < 20; id += 4)
        change(id, std::nullopt);
    produce();
    q = start();
    ASSERT_NE(q, nullptr);
    expect_converges();
    auto admin = kc::admin::connect(_broker.client());
    ASSERT_TRUE(admin.ok());
    EXPECT_TRUE(admin->topic(input_changelog_topic("u1")).ok());
    q->stop();
    // DROP takes the input state with the other internal topics.
    discard_query_state(spec());
    EXPECT_FALSE(admin->topic(input_changelog_topic("u1")).ok());
    EXPECT_FALSE(std::filesystem::exists(_state_dir / "a" / "input"));
}

}  // namespace
}  // namespace upsert_query_test
}  // namespace spate::sql
