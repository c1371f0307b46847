// Transaction coordinator state machine with a fake clock, an in-memory
// transaction log and a marker writer the tests complete by hand.

#include "coordinator/txn_coordinator.h"

#include <gtest/gtest.h>

#include <deque>

#include "coordinator/txn_log.h"

namespace spate::coordinator {
namespace txn_coordinator_test {
namespace {

struct harness {
    int64_t now = 1000000;
    int64_t next_pid = 100;
    // Marker writes in order; `auto_complete` answers them at once.
    struct marker_call {
        marker_request req;
        txn_coordinator::marker_done done;
    };
    std::deque<marker_call> markers;
    std::vector<marker_request> written;  // every marker request seen
    bool auto_complete = true;
    bool fail_writes = false;
    // The persisted log, as encoded records.
    std::vector<std::pair<bytes, std::optional<bytes>>> log;
    txn_coordinator tc;

    explicit harness(txn_coordinator::options o = {})
        : tc(
              o, [this] { return now; }, [this]() -> result<int64_t> { return next_pid++; },
              [this](const marker_request& r, txn_coordinator::marker_done d) {
                  written.push_back(r);
                  if (auto_complete)
                      d({});
                  else
                      markers.push_back({r, std::move(d)});
              }) {
        tc.set_persistence([this](const std::string& id, const std::optional<txn_metadata>& md) {
            if (fail_writes) return status(make_error(errc::io_error, "disk full"));
            log.emplace_back(encode_txn_key(id),
                             md ? std::optional<bytes>(encode_txn_value(*md)) : std::nullopt);
            return status();
        });
    }

    init_producer_id_result init(const std::string& id, int32_t timeout = 60000,
                                 int64_t expected_pid = -1, int16_t expected_epoch = -1) {
        std::optional<init_producer_id_result> out;
        tc.init_producer_id({id, timeout, expected_pid, expected_epoch, false},
                            [&](init_producer_id_result r) { out = r; });
        EXPECT_TRUE(out) << "init did not complete";
        return out.value_or(init_producer_id_result{error_code::unknown_server_error});
    }

    txn_state state(const std::string& id) {
        auto d = tc.describe(id);
        EXPECT_TRUE(d);
        return d ? d->state : txn_state::dead;
    }

    // Replays the persisted log into a fresh coordinator sharing this clock.
    void replay_into(txn_coordinator& other) {
        for (const auto& [k, v] : log) {
            auto d = decode_txn_record(
                k, v ? std::optional<std::span<const std::byte>>(*v) : std::nullopt);
            ASSERT_TRUE(d.ok());
            other.load(d->transactional_id, d->value);
        }
    }
};

const std::vector<topic_partition> k_parts = {{"t", 0}, {"t", 1}, {"u", 2}};

TEST(txn_coordinator, fresh_init_allocates_producer_id) {
    harness h;
    auto r = h.init("a");
    EXPECT_EQ(r.error, error_code::none);
    EXPECT_EQ(r.producer_id, 100);
    EXPECT_EQ(r.producer_epoch, 0);
    EXPECT_EQ(h.state("a"), txn_state::empty);
    EXPECT_EQ(h.log.size(), 1u);
    auto other = h.init("b");
    EXPECT_EQ(other.producer_id, 101);
    // No transactional id: an idempotent producer, nothing stored.
    std::optional<init_producer_id_result> idem;
    h.tc.init_producer_id({std::nullopt, 0, -1, -1, false},
                          [&](init_producer_id_result x) { idem = x; });
    ASSERT_TRUE(idem);
    EXPECT_EQ(idem->producer_id, 102);
    EXPECT_EQ(h.log.size(), 2u);
}

TEST(txn_coordinator, invalid_timeout_rejected) {
    harness h;
    EXPECT_EQ(h.init("a", 0).error, error_code::invalid_transaction_timeout);
    EXPECT_EQ(h.init("a", 900001).error, error_code::invalid_transaction_timeout);
    EXPECT_EQ(h.init("a", 900000).error, error_code::none);
}

TEST(txn_coordinator, reinit_bumps_epoch_and_fences_old_epoch) {
    harness h;
    auto first = h.init("a");
    auto second = h.init("a");
    EXPECT_EQ(second.producer_id, first.producer_id);
    EXPECT_EQ(second.producer_epoch, 1);
    auto errs = h.tc.add_partitions("a", first.producer_id, first.producer_epoch, k_parts);
    EXPECT_EQ(errs, std::vector<error_code>(3, error_code::producer_fenced));
    errs = h.tc.add_partitions("a", first.producer_id, first.producer_epoch, k_parts, true);
    EXPECT_EQ(errs, std::vector<error_code>(3, error_code::invalid_producer_epoch));
    EXPECT_EQ(h.tc.end_txn("a", first.producer_id, first.producer_epoch, true),
              error_code::producer_fenced);
    EXPECT_EQ(h.tc.add_offsets("a", first.producer_id, 0, "g", true),
              error_code::invalid_producer_epoch);
    // Unknown id or other producer id.
    EXPECT_EQ(h.tc.add_partitions("zz", 1, 0, k_parts)[0], error_code::invalid_producer_id_mapping);
    EXPECT_EQ(h.tc.end_txn("a", 999, 1, true), error_code::invalid_producer_id_mapping);
    EXPECT_EQ(h.tc.add_partitions("a", second.producer_id, 1, k_parts)[0], error_code::none);
}

TEST(txn_coordinator, kip360_expected_epoch) {
    harness h;
    auto r0 = h.init("a");
    auto r1 = h.init("a", 60000, r0.producer_id, r0.producer_epoch);
    EXPECT_EQ(r1.error, error_code::none);
    EXPECT_EQ(r1.producer_epoch, 1);
    // A retry of that bump (same expectation) gets the same answer.
    auto retry = h.init("a", 60000, r0.producer_id, r0.producer_epoch);
    EXPECT_EQ(retry.error, error_code::none);
    EXPECT_EQ(retry.producer_epoch, 1);
    // A stale epoch or a foreign producer id is fenced.
    auto r2 = h.init("a", 60000, r1.producer_id, r1.producer_epoch);
    EXPECT_EQ(r2.producer_epoch, 2);
    EXPECT_EQ(h.init("a", 60000, r0.producer_id, 0).error, error_code::producer_fenced);
    EXPECT_EQ(h.init("a", 60000, 555, 2).error, error_code::producer_fenced);
    EXPECT_EQ(h.init("a", 60000, r0.producer_id, -1).error, error_code::invalid_request);
}

TEST(txn_coordinator, exhausted_epoch_rotates_producer_id) {
    harness h;
    auto r = h.init("a");
    txn_metadata md;
    md.producer_id = r.producer_id;
    md.producer_epoch = 32766;
    md.timeout_ms = 60000;
    h.tc.load("a", md);
    auto next = h.init("a", 60000, r.producer_id, 32766);
    EXPECT_EQ(next.error, error_code::none);
    EXPECT_NE(next.producer_id, r.producer_id);
    EXPECT_EQ(next.producer_epoch, 0);
    // The retry with the old pair gets the new id back.
    auto retry = h.init("a", 60000, r.producer_id, 32766);
    EXPECT_EQ(retry.error, error_code::none);
    EXPECT_EQ(retry.producer_id, next.producer_id);
}

TEST(txn_coordinator, commit_writes_markers_to_exactly_the_partitions) {
    harness h;
    auto p = h.init("a");
    EXPECT_EQ(h.tc.add_partitions("a", p.producer_id, p.producer_epoch, k_parts),
              std::vector<error_code>(3, error_code::none));
    auto d = h.tc.describe("a");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->state, txn_state::ongoing);
    EXPECT_EQ(d->start_ms, h.now);
    h.now += 10;
    EXPECT_EQ(h.tc.add_offsets("a", p.producer_id, p.producer_epoch, "grp"), error_code::none);
    EXPECT_EQ(h.tc.add_partitions("a", p.producer_id, p.producer_epoch, {{"t", 0}})[0],
              error_code::none);
    EXPECT_EQ(h.tc.describe("a")->start_ms, h.now - 10);
    h.auto_complete = false;
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, true), error_code::none);
    EXPECT_EQ(h.state("a"), txn_state::prepare_commit);
    ASSERT_EQ(h.markers.size(), 1u);
    const auto& req = h.markers.front().req;
    EXPECT_TRUE(req.commit);
    EXPECT_EQ(req.producer_id, p.producer_id);
    EXPECT_EQ(req.producer_epoch, p.producer_epoch);
    std::vector<topic_partition> want = {{"__consumer_offsets", 0}, {"t", 0}, {"t", 1}, {"u", 2}};
    EXPECT_EQ(req.partitions, want);
    // Retried EndTxn while markers are written.
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, true),
              error_code::concurrent_transactions);
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, false),
              error_code::invalid_txn_state);
    EXPECT_EQ(h.tc.add_partitions("a", p.producer_id, p.producer_epoch, k_parts)[0],
              error_code::concurrent_transactions);
    EXPECT_EQ(h.init("a").error, error_code::concurrent_transactions);
    h.markers.front().done({});
    h.markers.pop_front();
    d = h.tc.describe("a");
    EXPECT_EQ(d->state, txn_state::complete_commit);
    EXPECT_TRUE(d->partitions.empty());
    // Idempotent retry of the same outcome; the opposite one is refused.
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, true), error_code::none);
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, false),
              error_code::invalid_txn_state);
    // The next transaction starts from CompleteCommit.
    EXPECT_EQ(h.tc.add_partitions("a", p.producer_id, p.producer_epoch, {{"v", 0}})[0],
              error_code::none);
    EXPECT_EQ(h.tc.describe("a")->partitions, (std::vector<topic_partition>{{"v", 0}}));
}

TEST(txn_coordinator, abort_path_and_empty_end) {
    harness h;
    auto p = h.init("a");
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, false),
              error_code::invalid_txn_state);
    h.tc.add_partitions("a", p.producer_id, p.producer_epoch, {{"t", 0}});
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, false), error_code::none);
    ASSERT_EQ(h.written.size(), 1u);
    EXPECT_FALSE(h.written[0].commit);
    EXPECT_EQ(h.written[0].partitions, (std::vector<topic_partition>{{"t", 0}}));
    EXPECT_EQ(h.state("a"), txn_state::complete_abort);
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, false), error_code::none);
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, true),
              error_code::invalid_txn_state);
}

TEST(txn_coordinator, failed_markers_are_retried_by_tick) {
    harness h;
    auto p = h.init("a");
    h.tc.add_partitions("a", p.producer_id, p.producer_epoch, k_parts);
    h.auto_complete = false;
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, true), error_code::none);
    ASSERT_EQ(h.markers.size(), 1u);
    h.markers.front().done(make_error(errc::io_error, "leader moved"));
    h.markers.pop_front();
    h.tc.tick();
    EXPECT_TRUE(h.markers.empty());  // backoff not over
    h.now += 100;
    h.tc.tick();
    ASSERT_EQ(h.markers.size(), 1u);
    EXPECT_EQ(h.markers.front().req.partitions.size(), 3u);
    h.markers.front().done({});
    h.markers.pop_front();
    EXPECT_EQ(h.state("a"), txn_state::complete_commit);
}

TEST(txn_coordinator, reinit_during_ongoing_aborts_first) {
    harness h;
    auto p = h.init("a");
    h.tc.add_partitions("a", p.producer_id, p.producer_epoch, k_parts);
    h.auto_complete = false;
    std::optional<init_producer_id_result> answer;
    h.tc.init_producer_id({"a", 30000, -1, -1, false},
                          [&](init_producer_id_result r) { answer = r; });
    EXPECT_FALSE(answer);
    EXPECT_EQ(h.state("a"), txn_state::prepare_abort);
    ASSERT_EQ(h.markers.size(), 1u);
    EXPECT_FALSE(h.markers.front().req.commit);
    EXPECT_EQ(h.markers.front().req.producer_epoch, p.producer_epoch + 1);  // fenced
    EXPECT_EQ(h.markers.front().req.partitions, k_parts);
    // The old producer is fenced already; a second init waits its turn.
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, true),
              error_code::producer_fenced);
    EXPECT_EQ(h.init("a").error, error_code::concurrent_transactions);
    h.markers.front().done({});
    h.markers.pop_front();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->error, error_code::none);
    EXPECT_EQ(answer->producer_id, p.producer_id);
    EXPECT_EQ(answer->producer_epoch, p.producer_epoch + 2);
    auto d = h.tc.describe("a");
    EXPECT_EQ(d->state, txn_state::empty);
    EXPECT_EQ(d->timeout_ms, 30000);
    EXPECT_TRUE(d->partitions.empty());
}

TEST(txn_coordinator, timeout_aborts_and_fences) {
    harness h;
    auto p = h.init("a", 1000);
    h.tc.add_partitions("a", p.producer_id, p.producer_epoch, k_parts);
    h.now += 999;
    h.tc.tick();
    EXPECT_EQ(h.state("a"), txn_state::ongoing);
    h.now += 1;
    h.tc.tick();
    EXPECT_EQ(h.state("a"), txn_state::complete_abort);
    ASSERT_EQ(h.written.size(), 1u);
    EXPECT_FALSE(h.written[0].commit);
    EXPECT_EQ(h.written[0].producer_epoch, p.producer_epoch + 1);
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, p.producer_epoch, true),
              error_code::producer_fenced);
    EXPECT_EQ(h.tc.add_partitions("a", p.producer_id, p.producer_epoch, k_parts)[0],
              error_code::producer_fenced);
    // The timed-out producer's KIP-360 re-init is fenced as well.
    EXPECT_EQ(h.init("a", 1000, p.producer_id, p.producer_epoch).error,
              error_code::producer_fenced);
    EXPECT_EQ(h.init("a", 1000).producer_epoch, p.producer_epoch + 2);
}

TEST(txn_coordinator, persistence_failure_keeps_state) {
    harness h;
    h.fail_writes = true;
    EXPECT_EQ(h.init("a").error, error_code::coordinator_not_available);
    EXPECT_FALSE(h.tc.describe("a"));
    h.fail_writes = false;
    auto p = h.init("a");
    h.fail_writes = true;
    EXPECT_EQ(h.init("a").error, error_code::coordinator_not_available);
    EXPECT_EQ(h.tc.describe("a")->producer_epoch, 0);
    EXPECT_EQ(h.tc.add_partitions("a", p.producer_id, 0, k_parts)[0],
              error_code::coordinator_not_available);
    EXPECT_EQ(h.state("a"), txn_state::empty);
    h.fail_writes = false;
    h.tc.add_partitions("a", p.producer_id, 0, k_parts);
    h.fail_writes = true;
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, 0, true), error_code::coordinator_not_available);
    EXPECT_EQ(h.state("a"), txn_state::ongoing);
    EXPECT_TRUE(h.written.empty());
    // Complete* write failing: stays Prepare*, retried on tick.
    h.fail_writes = false;
    h.auto_complete = false;
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, 0, true), error_code::none);
    h.fail_writes = true;
    h.markers.front().done({});
    h.markers.pop_front();
    EXPECT_EQ(h.state("a"), txn_state::prepare_commit);
    h.fail_writes = false;
    h.auto_complete = true;
    h.now += 100;
    h.tc.tick();
    EXPECT_EQ(h.state("a"), txn_state::complete_commit);
}

TEST(txn_coordinator, failed_fence_write_answers_unavailable) {
    harness h;
    auto p = h.init("a");
    h.tc.add_partitions("a", p.producer_id, 0, k_parts);
    h.fail_writes = true;
    EXPECT_EQ(h.init("a").error, error_code::coordinator_not_available);
    auto d = h.tc.describe("a");
    EXPECT_EQ(d->state, txn_state::ongoing);
    EXPECT_EQ(d->producer_epoch, 0);
    EXPECT_TRUE(h.written.empty());
    // The producer is not fenced: it can still commit.
    h.fail_writes = false;
    EXPECT_EQ(h.tc.end_txn("a", p.producer_id, 0, true), error_code::none);
    EXPECT_EQ(h.state("a"), txn_state::complete_commit);
}

TEST(txn_coordinator, replay_reproduces_state) {
    harness h;
    auto a = h.init("a");
    auto b = h.init("b");
    h.init("c");
    h.tc.add_partitions("a", a.producer_id, 0, k_parts);
    h.tc.add_partitions("b", b.producer_id, 0, {{"t", 0}});
    h.tc.end_txn("b", b.producer_id, 0, false);
    txn_coordinator fresh(
        {}, [&] { return h.now; }, []() -> result<int64_t> { return 1; },
        [](const marker_request&, txn_coordinator::marker_done d) { d({}); });
    h.replay_into(fresh);
    for (const char* id : {"a", "b", "c"}) {
        auto x = h.tc.describe(id);
        auto y = fresh.describe(id);
        ASSERT_TRUE(x && y) << id;
        EXPECT_EQ(x->state, y->state) << id;
        EXPECT_EQ(x->producer_id, y->producer_id) << id;
        EXPECT_EQ(x->producer_epoch, y->producer_epoch) << id;
        EXPECT_EQ(x->timeout_ms, y->timeout_ms) << id;
        EXPECT_EQ(x->start_ms, y->start_ms) << id;
        EXPECT_EQ(x->partitions, y->partitions) << id;
    }
    EXPECT_EQ(fresh.describe("a")->state, txn_state::ongoing);
    EXPECT_EQ(fresh.describe("b")->state, txn_state::complete_abort);
    fresh.load("c", std::nullopt);
    EXPECT_FALSE(fresh.describe("c"));
}

TEST(txn_coordinator, prepare_found_at_load_is_completed) {
    harness h;
    auto p = h.init("a");
    h.tc.add_partitions("a", p.producer_id, 0, k_parts);
    h.auto_complete = false;
    h.tc.end_txn("a", p.producer_id, 0, true);  // crash before markers finish

    harness restarted;
    restarted.auto_complete = false;
    h.replay_into(restarted.tc);
    EXPECT_EQ(restarted.state("a"), txn_state::prepare_commit);
    EXPECT_EQ(restarted.tc.resume_pending(), 1u);
    EXPECT_EQ(restarted.tc.resume_pending(), 0u);  // already writing
    ASSERT_EQ(restarted.markers.size(), 1u);
    EXPECT_TRUE(restarted.markers.front().req.commit);
    EXPECT_EQ(restarted.markers.front().req.partitions, k_parts);
    restarted.markers.front().done({});
    restarted.markers.pop_front();
    EXPECT_EQ(restarted.state("a"), txn_state::complete_commit);
    // Without resume_pending(), tick() completes it too.
    harness ticked;
    h.replay_into(ticked.tc);
    ticked.tc.tick();
    EXPECT_EQ(ticked.state("a"), txn_state::complete_commit);
}

TEST(txn_coordinator, describe_and_list) {
    harness h;
    auto a = h.init("a", 5000);
    auto b = h.init("b");
    h.now += 7;
    h.tc.add_partitions("a", a.producer_id, 0, {{"x", 1}, {"w", 0}});
    auto d = h.tc.describe("a");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->transactional_id, "a");
    EXPECT_EQ(d->timeout_ms, 5000);
    EXPECT_EQ(d->start_ms, h.now);
    EXPECT_EQ(d->producer_id, a.producer_id);
    EXPECT_EQ(d->producer_epoch, 0);
    EXPECT_EQ(d->partitions, (std::vector<topic_partition>{{"w", 0}, {"x", 1}}));
    EXPECT_FALSE(h.tc.describe("nope"));
    EXPECT_EQ(h.tc.list({}, {}).size(), 2u);
    auto ongoing = h.tc.list({txn_state::ongoing}, {});
    ASSERT_EQ(ongoing.size(), 1u);
    EXPECT_EQ(ongoing[0].transactional_id, "a");
    auto by_pid = h.tc.list({}, {b.producer_id});
    ASSERT_EQ(by_pid.size(), 1u);
    EXPECT_EQ(by_pid[0].transactional_id, "b");
    EXPECT_EQ(by_pid[0].state, txn_state::empty);
    EXPECT_TRUE(h.tc.list({txn_state::prepare_abort}, {}).empty());
    EXPECT_EQ(parse_txn_state("CompleteCommit"), txn_state::complete_commit);
    EXPECT_FALSE(parse_txn_state("Bogus"));
}

TEST(txn_coordinator, idle_ids_expire_with_tombstone) {
    txn_coordinator::options o;
    o.id_expiration_ms = 10000;
    o.expiration_check_interval_ms = 1000;
    harness h(o);
    auto a = h.init("a");
    h.init("b");
    h.tc.add_partitions("a", a.producer_id, 0, k_parts);  // Ongoing: never expires
    h.now += 10000;
    h.tc.tick();
    EXPECT_FALSE(h.tc.describe("b"));
    ASSERT_FALSE(h.log.empty());
    EXPECT_FALSE(h.log.back().second);  // tombstone
    EXPECT_TRUE(h.tc.describe("a"));
}

TEST(txn_coordinator, drop_waiters_discards_pending_init) {
    harness h;
    auto p = h.init("a");
    h.tc.add_partitions("a", p.producer_id, 0, k_parts);
    h.auto_complete = false;
    bool called = false;
    h.tc.init_producer_id({"a", 1000, -1, -1, false},
                          [&](init_producer_id_result) { called = true; });
    h.tc.drop_waiters();
    h.markers.front().done({});
    h.markers.pop_front();
    EXPECT_FALSE(called);
    EXPECT_EQ(h.state("a"), txn_state::complete_abort);
}

}  // namespace
}  // namespace txn_coordinator_test
}  // namespace spate::coordinator
