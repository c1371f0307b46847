// Serving through a session against a real broker: SELECT of an updating
// view from the replica (full scans and key lookups), SUBSCRIBE (streamed
// and through DECLARE/FETCH), query cursors, sink types and EXPLAIN ANALYZE.
//
// Until GROUP BY runs as a continuous query, the updating view is planted:
// its catalog record (with the upsert key) and its changelog records are
// written before the engine starts; its query then fails to resume, which
// leaves the view readable.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "kafka/client/admin.h"
#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "kafka/client/testing/broker_process.h"
#include "sql/catalog/catalog_log.h"
#include "sql/engine/engine.h"
#include "sql/engine/subscribe.h"
#include "sql/stream/key_partitioner.h"
#include "sql/types/text_io.h"

namespace spate::sql {
namespace serving_session_test {
namespace {

namespace kc = kafka::client;
using namespace std::chrono_literals;
using rows = std::vector<std::vector<std::string>>;

constexpr const char* k_view_topic = "__spate_view_counts";

class serving_session_test : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(_broker.start()) << _broker.error(); }
    void TearDown() override {
        _session.reset();
        if (_engine) _engine->stop();
    }

    void create_topic(const std::string& name, int32_t partitions, kc::property_list cfg = {}) {
        auto admin = kc::admin::connect(_broker.client());
        ASSERT_TRUE(admin.ok());
        ASSERT_TRUE(admin->create_topic({name, partitions, 1, std::move(cfg)}).ok());
    }

    // Records (key, value) to `topic`; keyed ones in their murmur2 partition.
    void produce(const std::string& topic, int32_t partitions,
                 const std::vector<std::pair<std::string, std::optional<std::string>>>& recs) {
        kc::producer_options o;
        o.client = _broker.client();
        o.idempotent = true;
        auto p = kc::producer::create(o);
        ASSERT_TRUE(p.ok());
        for (const auto& [key, value] : recs) {
            kc::outgoing_record r;
            r.topic = topic;
            if (!key.empty()) {
                r.key = key;
                r.partition = kafka_key_partition(key, partitions);
            } else {
                r.partition = 0;
            }
            if (value) r.value = *value;
            ASSERT_TRUE(p->produce(r).ok());
        }
        ASSERT_TRUE(p->flush(10000).ok());
        ASSERT_EQ(p->failed(), 0);
    }

    void upsert_counts(const std::vector<std::pair<int64_t, std::optional<int64_t>>>& changes) {
        std::vector<std::pair<std::string, std::optional<std::string>>> recs;
        for (const auto& [auction, bids] : changes) {
            std::optional<std::string> v;
            if (bids)
                v = "{\"auction\":" + std::to_string(auction) +
                    ",\"bids\":" + std::to_string(*bids) + "}";
            recs.emplace_back("{\"auction\":" + std::to_string(auction) + "}", v);
        }
        produce(k_view_topic, 2, recs);
    }

    // The catalog record of view `counts` (auction BIGINT, bids BIGINT)
    // keyed by auction, as CREATE of an updating view writes it.
    void plant_counts_view() {
        create_topic(k_view_topic, 2, {{"cleanup.policy", "compact"}});
        catalog_object o;
        o.kind = catalog_kind::view;
        o.name = "counts";
        o.id = "test";
        o.create_sql =
            "CREATE MATERIALIZED VIEW counts AS SELECT auction, count(*) AS bids FROM bid "
            "GROUP BY auction";
        o.output_topic = k_view_topic;
        o.depends_on = {"bid"};
        o.relation.kind = catalog_kind::view;
        o.relation.name = "counts";
        o.relation.topic = k_view_topic;
        o.relation.columns = {{"auction", data_type::of(type_id::int64)},
                              {"bids", data_type::of(type_id::int64)}};
        o.relation.upsert_key = {0};
        auto log = catalog_log::open(_broker.client());
        ASSERT_TRUE(log.ok());
        ASSERT_TRUE(log.value()->put({catalog_key(o), to_json(o)}).ok());
    }

    void start_engine() {
        engine_options o;
        o.kafka = _broker.client();
        auto e = engine::start(o);
        ASSERT_TRUE(e.ok()) << e.error().message;
        _engine = e.value();
        auto s = _engine->open({"spate", "spate", "test", {}});
        ASSERT_TRUE(s.ok());
        _session = std::move(s).value();
    }

    static void append_rows(const chunk& c, rows& out) {
        for (size_t r = 0; r < c.rows(); ++r) {
            std::vector<std::string> row;
            for (size_t col = 0; col < c.width(); ++col) {
                std::string v;
                if (c.at(col).is_null(r))
                    v = "NULL";
                else
                    format_text(c.at(col), r, v);
                row.push_back(v);
            }
            out.push_back(std::move(row));
        }
    }

    // Runs every statement of `sql`; the rows and tag of the last one.
    sql_result<rows> run(const std::string& sql, std::vector<value> params = {},
                         std::string* tag = nullptr) {
        auto stmts = _session->prepare_all(sql);
        if (!stmts.ok()) return stmts.error();
        rows out;
        for (auto& st : stmts.value()) {
            out.clear();
            auto c = _session->execute(st, params);
            if (!c.ok()) return c.error();
            for (;;) {
                auto n = c.value()->next(0);
                if (!n.ok()) return n.error();
                if (!n.value()) break;
                append_rows(*n.value(), out);
            }
            if (tag) *tag = c.value()->command_tag();
        }
        return out;
    }

    rows ok(const std::string& sql, std::vector<value> params = {}) {
        auto r = run(sql, std::move(params));
        EXPECT_TRUE(r.ok()) << sql << ": " << (r.ok() ? "" : r.error().message);
        return r.ok() ? r.value() : rows{};
    }

    // Rows of a SUBSCRIBE cursor until `n` arrived (or a deadline). Its
    // next() does not wait (an empty chunk: nothing yet); take() does.
    static rows stream(cursor& c, size_t n) {
        rows out;
        auto* sub = dynamic_cast<subscribe_cursor*>(&c);
        EXPECT_NE(sub, nullptr);
        if (!sub) return out;
        auto deadline = std::chrono::steady_clock::now() + 20s;
        while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
            auto next = sub->take(100, 200ms);
            EXPECT_TRUE(next.ok()) << (next.ok() ? "" : next.error().message);
            if (!next.ok()) break;
            append_rows(next.value(), out);
        }
        return out;
    }

    kc::testing::broker_process _broker{SPATE_BINARY};
    std::shared_ptr<engine> _engine;
    std::unique_ptr<session> _session;
};

// Rows without their first column (SUBSCRIBE's ts).
rows without_ts(rows r) {
    for (auto& row : r)
        row.erase(row.begin());
    return r;
}

TEST_F(serving_session_test, select_reads_an_updating_view_from_the_replica_with_key_lookups) {
    plant_counts_view();
    upsert_counts({{1, 10}, {2, 20}, {3, 30}, {4, 40}, {5, 50}, {2, 21}, {5, std::nullopt}});
    start_engine();
    EXPECT_EQ(ok("SELECT * FROM counts"),
              (rows{{"1", "10"}, {"2", "21"}, {"3", "30"}, {"4", "40"}}));
    EXPECT_EQ(ok("SELECT bids FROM counts WHERE auction = 2"), (rows{{"21"}}));
    EXPECT_EQ(ok("SELECT auction FROM counts WHERE auction >= 2 AND auction < 4"),
              (rows{{"2"}, {"3"}}));
    EXPECT_EQ(ok("SELECT auction FROM counts WHERE auction BETWEEN 3 AND 9"), (rows{{"3"}, {"4"}}));
    EXPECT_EQ(ok("SELECT auction FROM counts WHERE auction > 1 AND bids > 25"),
              (rows{{"3"}, {"4"}}));
    EXPECT_EQ(ok("SELECT auction FROM counts WHERE auction IN (4, 1, 99)"), (rows{{"1"}, {"4"}}));
    EXPECT_EQ(ok("SELECT count(*) FROM counts WHERE auction = 5"), (rows{{"0"}}));
    EXPECT_EQ(ok("SELECT bids FROM counts WHERE auction = $1", {value::int64(3)}), (rows{{"30"}}));

    // A point lookup through the session: parse, plan, catch-up check, seek.
    std::vector<double> ms;
    for (int i = 0; i < 50; ++i) {
        auto start = std::chrono::steady_clock::now();
        EXPECT_EQ(ok("SELECT bids FROM counts WHERE auction = 4"), (rows{{"40"}}));
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("[ figure ] SELECT ... WHERE auction = c through a session: median %.3f ms\n",
                ms[ms.size() / 2]);

    // EXPLAIN ANALYZE runs the query: the plan, its row count, server time.
    auto analyzed = ok("EXPLAIN ANALYZE SELECT bids FROM counts WHERE auction >= 2");
    ASSERT_GE(analyzed.size(), 3u);
    EXPECT_EQ(analyzed[analyzed.size() - 2][0], "Rows: 3");
    EXPECT_EQ(analyzed.back()[0].rfind("Execution Time: ", 0), 0u) << analyzed.back()[0];
    auto planned = ok("EXPLAIN (ANALYZE false) SELECT bids FROM counts WHERE auction >= 2");
    EXPECT_EQ(planned.size(), analyzed.size() - 2);

    // A read right after more changes were written sees them.
    upsert_counts({{1, std::nullopt}, {6, 60}});
    EXPECT_EQ(ok("SELECT auction, bids FROM counts"),
              (rows{{"2", "21"}, {"3", "30"}, {"4", "40"}, {"6", "60"}}));
}

TEST_F(serving_session_test, subscribe_streams_the_snapshot_then_changes_until_cancelled) {
    plant_counts_view();
    upsert_counts({{1, 10}, {2, 20}});
    start_engine();
    auto st = _session->prepare_all("SUBSCRIBE TO counts");
    ASSERT_TRUE(st.ok()) << st.error().message;
    const auto& cols = st.value()[0]->result_columns();
    ASSERT_EQ(cols.size(), 4u);
    EXPECT_EQ(cols[0].name, "ts");
    EXPECT_EQ(cols[1].name, "diff");
    EXPECT_EQ(cols[2].name, "auction");
    auto c = _session->execute(st.value()[0], {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(without_ts(stream(*c.value(), 2)), (rows{{"1", "1", "10"}, {"1", "2", "20"}}));
    upsert_counts({{1, 11}});
    EXPECT_EQ(without_ts(stream(*c.value(), 2)), (rows{{"-1", "1", "10"}, {"1", "1", "11"}}));
    auto idle = c.value()->next(100);  // nothing new: at once, no rows
    ASSERT_TRUE(idle.ok());
    ASSERT_TRUE(idle.value());
    EXPECT_EQ(idle.value()->rows(), 0u);
    _session->cancel();
    auto end = c.value()->next(100);
    ASSERT_FALSE(end.ok());
    EXPECT_EQ(end.error().code, sql_errc::query_canceled);
}

TEST_F(serving_session_test, a_subscribe_cursor_fetches_what_arrived_within_the_timeout) {
    plant_counts_view();
    upsert_counts({{1, 10}, {2, 20}, {3, 30}});
    start_engine();
    ok("SET spate.fetch_timeout_ms = 200");
    ok("BEGIN");
    std::string tag;
    ASSERT_TRUE(run("DECLARE c CURSOR FOR SUBSCRIBE TO counts", {}, &tag).ok());
    EXPECT_EQ(tag, "DECLARE CURSOR");
    EXPECT_EQ(without_ts(ok("FETCH 2 c")), (rows{{"1", "1", "10"}, {"1", "2", "20"}}));
    EXPECT_EQ(without_ts(ok("FETCH ALL FROM c")), (rows{{"1", "3", "30"}}));
    auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(ok("FETCH ALL c").empty());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
    upsert_counts({{3, std::nullopt}});
    rows got;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (got.empty() && std::chrono::steady_clock::now() < deadline)
        got = ok("FETCH 10 c");
    EXPECT_EQ(without_ts(got), (rows{{"-1", "3", "30"}}));
    ASSERT_TRUE(run("CLOSE c", {}, &tag).ok());
    EXPECT_EQ(tag, "CLOSE CURSOR");
    auto gone = run("FETCH 1 c");
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().code, sql_errc::invalid_cursor_name);
    ok("COMMIT");
}

TEST_F(serving_session_test, query_cursors_fetch_in_steps_and_close_with_the_transaction) {
    start_engine();
    ok("BEGIN");
    ok("DECLARE q CURSOR FOR SELECT * FROM generate_series(1, 5) AS g(n)");
    EXPECT_EQ(ok("FETCH 2 q"), (rows{{"1"}, {"2"}}));
    std::string tag;
    ASSERT_TRUE(run("MOVE 1 q", {}, &tag).ok());
    EXPECT_EQ(tag, "MOVE 1");
    EXPECT_EQ(ok("FETCH ALL q"), (rows{{"4"}, {"5"}}));
    EXPECT_TRUE(ok("FETCH 3 q").empty());
    ok("DECLARE h CURSOR WITH HOLD FOR SELECT 1");
    auto dup = run("DECLARE q CURSOR FOR SELECT 1");
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().code, sql_errc::duplicate_cursor);
    ok("COMMIT");
    EXPECT_FALSE(run("FETCH 1 q").ok());
    EXPECT_EQ(ok("FETCH 1 h"), (rows{{"1"}}));
    ok("CLOSE ALL");
    EXPECT_FALSE(run("FETCH 1 h").ok());
}

TEST_F(serving_session_test, subscribe_to_a_source_reads_its_topic_then_new_records) {
    create_topic("events", 1);
    produce("events", 1, {{"", std::string("{\"id\":1}")}, {"", std::string("{\"id\":2}")}});
    start_engine();
    ok("CREATE SOURCE events (id BIGINT) WITH (topic = 'events', format = 'json')");
    auto st = _session->prepare_all("SUBSCRIBE events");
    ASSERT_TRUE(st.ok());
    auto c = _session->execute(st.value()[0], {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto snap = stream(*c.value(), 2);
    ASSERT_EQ(snap.size(), 2u);
    EXPECT_EQ(snap[0][0], snap[1][0]);  // one snapshot time
    EXPECT_EQ(without_ts(snap), (rows{{"1", "1"}, {"1", "2"}}));
    produce("events", 1, {{"", std::string("{\"id\":3}")}});
    auto more = stream(*c.value(), 1);
    ASSERT_EQ(more.size(), 1u);
    EXPECT_EQ(without_ts(more), (rows{{"1", "3"}}));
    EXPECT_GE(std::stoll(more[0][0]), std::stoll(snap[0][0]));
}

TEST_F(serving_session_test, sink_types_are_checked_at_create_and_keyed_records_written) {
    create_topic("events", 1);
    produce("events", 1,
            {{"", std::string("{\"id\":1,\"who\":\"a\"}")},
             {"", std::string("{\"id\":2,\"who\":\"b\"}")}});
    start_engine();
    ok("CREATE SOURCE events (id BIGINT, who TEXT) WITH (topic = 'events', format = 'json')");
    auto no_key =
        run("CREATE SINK s AS SELECT id, who FROM events WITH (topic = 'o', type = 'upsert')");
    ASSERT_FALSE(no_key.ok());
    EXPECT_NE(no_key.error().message.find("needs primary_key"), std::string::npos);
    auto bad_col =
        run("CREATE SINK s AS SELECT id, who FROM events WITH (topic = 'o', type = 'upsert', "
            "primary_key = 'nope')");
    ASSERT_FALSE(bad_col.ok());
    EXPECT_EQ(bad_col.error().code, sql_errc::undefined_column);
    EXPECT_NE(bad_col.error().message.find("\"nope\""), std::string::npos);
    auto csv =
        run("CREATE SINK s AS SELECT id, who FROM events WITH (topic = 'o', type = 'debezium', "
            "primary_key = 'id', format = 'csv')");
    ASSERT_FALSE(csv.ok());
    ok("CREATE SINK s AS SELECT id, who FROM events WITH (topic = 'o', type = 'upsert', "
       "primary_key = 'id')");

    // The keyed records land in the key's murmur2 partition of `o`.
    kc::consumer_options co;
    co.client = _broker.client();
    co.group_id = "reader";
    co.isolation = kc::isolation::read_committed;
    auto cons = kc::consumer::create(co);
    ASSERT_TRUE(cons.ok());
    std::vector<int32_t> parts;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto p = cons->partitions_of("o");
        if (p.ok()) {
            parts = p.value();
            break;
        }
    }
    ASSERT_FALSE(parts.empty());
    std::vector<kc::partition_offset> assign;
    for (int32_t p : parts)
        assign.push_back({"o", p, kc::k_offset_beginning, {}});
    ASSERT_TRUE(cons->assign(assign).ok());
    std::vector<std::pair<std::string, int32_t>> got;
    while (got.size() < 2 && std::chrono::steady_clock::now() < deadline) {
        auto b = cons->poll_batch(10, 100);
        ASSERT_TRUE(b.ok());
        for (const auto& m : b.value()) {
            ASSERT_TRUE(m.key());
            got.emplace_back(std::string(*m.key()), m.partition());
        }
    }
    ASSERT_EQ(got.size(), 2u);
    for (const auto& [key, partition] : got)
        EXPECT_EQ(partition, kafka_key_partition(key, static_cast<int32_t>(parts.size())));

    auto ops = ok("EXPLAIN ANALYZE SINK s");
    ASSERT_GE(ops.size(), 2u);
    EXPECT_EQ(ops.front()[0], "Source events");
    EXPECT_EQ(ops.back()[0], "Sink o");
    EXPECT_EQ(ops.back()[3], "NULL");  // stateless
    auto wrong = run("EXPLAIN ANALYZE MATERIALIZED VIEW s");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, sql_errc::undefined_object);
}

}  // namespace
}  // namespace serving_session_test
}  // namespace spate::sql
