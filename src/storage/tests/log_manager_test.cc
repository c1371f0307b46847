#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "storage/log_manager.h"
#include "storage/testing.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace log_manager_test {
namespace {

using testing::make_batch;
using testing::temp_dir;
namespace fs = std::filesystem;

std::unique_ptr<log_manager> open_manager(const fs::path& dir, config_map defaults = {}) {
    log_manager_options o;
    o.data_dir = dir;
    o.broker_defaults = std::move(defaults);
    auto m = log_manager::open(o);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.err().to_string());
    return m.ok() ? std::move(*m) : nullptr;
}

TEST(log_manager, creates_topics_with_partitions_and_reopens_them) {
    temp_dir d;
    storage::topic_id id{};
    {
        auto m = open_manager(d.path());
        auto t = m->create_topic("orders", 4, {{"retention.ms", "1000"}});
        ASSERT_TRUE(t.ok());
        id = t->id;
        for (int p = 0; p < 4; ++p) {
            auto b = make_batch(p + 1, 10, 1);
            ASSERT_TRUE(m->get("orders", p)->append(b).ok());
        }
        EXPECT_EQ(m->get("orders", 4), nullptr);
        EXPECT_EQ(m->get("nope", 0), nullptr);
        ASSERT_TRUE(m->close().ok());
    }
    auto m = open_manager(d.path());
    EXPECT_TRUE(m->opened_after_clean_shutdown());
    auto t = m->describe("orders");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->partitions, 4);
    EXPECT_EQ(t->id, id);
    EXPECT_EQ(t->overrides.at("retention.ms"), "1000");
    EXPECT_EQ(m->get("orders", 0)->config().retention_ms, 1000);
    for (int p = 0; p < 4; ++p)
        EXPECT_EQ(m->get("orders", p)->log_end_offset(), model::offset(p + 1));
}

TEST(log_manager, detects_unclean_shutdown_and_recovers) {
    temp_dir d;
    auto live = d.path() / "live";
    auto crashed = d.path() / "crashed";
    auto m = open_manager(live);
    ASSERT_TRUE(m->create_topic("a", 1, {}).ok());
    auto b = make_batch(4, 10, 1);
    ASSERT_TRUE(m->get("a", 0)->append(b).ok());
    ASSERT_TRUE(m->get("a", 0)->sync().ok());
    // A copy of the directory while the manager runs is what a crash leaves behind.
    fs::copy(live, crashed, fs::copy_options::recursive);
    ASSERT_TRUE(m->close().ok());
    auto after_crash = open_manager(crashed);
    EXPECT_FALSE(after_crash->opened_after_clean_shutdown());
    EXPECT_EQ(after_crash->get("a", 0)->log_end_offset(), model::offset(4));
    auto after_clean = open_manager(live);
    EXPECT_TRUE(after_clean->opened_after_clean_shutdown());
}

TEST(log_manager, validates_names_partitions_and_configs) {
    temp_dir d;
    auto m = open_manager(d.path());
    EXPECT_EQ(m->create_topic("", 1, {}).err().code, errc::invalid_argument);
    EXPECT_EQ(m->create_topic("..", 1, {}).err().code, errc::invalid_argument);
    EXPECT_EQ(m->create_topic("a/b", 1, {}).err().code, errc::invalid_argument);
    EXPECT_EQ(m->create_topic(std::string(250, 'x'), 1, {}).err().code, errc::invalid_argument);
    EXPECT_EQ(m->create_topic("ok", 0, {}).err().code, errc::invalid_argument);
    EXPECT_EQ(m->create_topic("ok", 1, {{"retention.ms", "x"}}).err().code, errc::invalid_argument);
    ASSERT_TRUE(m->create_topic("ok", 1, {}).ok());
    EXPECT_EQ(m->create_topic("ok", 1, {}).err().code, errc::already_exists);
    EXPECT_TRUE(m->list_topics().size() == 1);
}

TEST(log_manager, deletes_topics_and_their_data) {
    temp_dir d;
    auto m = open_manager(d.path());
    ASSERT_TRUE(m->create_topic("gone", 2, {}).ok());
    auto l = m->get("gone", 1);
    auto b = make_batch(1, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    ASSERT_TRUE(m->delete_topic("gone").ok());
    EXPECT_FALSE(fs::exists(d.path() / "gone-0"));
    EXPECT_FALSE(fs::exists(d.path() / "gone-1"));
    EXPECT_FALSE(m->describe("gone").has_value());
    EXPECT_EQ(m->delete_topic("gone").err().code, errc::not_found);
    // Re-creating starts from offset 0 again.
    ASSERT_TRUE(m->create_topic("gone", 1, {}).ok());
    EXPECT_EQ(m->get("gone", 0)->log_end_offset(), model::offset(0));
}

TEST(log_manager, grows_partitions_and_changes_config) {
    temp_dir d;
    auto m = open_manager(d.path());
    ASSERT_TRUE(m->create_topic("t", 1, {}).ok());
    ASSERT_TRUE(m->create_partitions("t", 3).ok());
    EXPECT_NE(m->get("t", 2), nullptr);
    EXPECT_EQ(m->create_partitions("t", 2).err().code, errc::invalid_argument);
    ASSERT_TRUE(m->set_topic_config("t", {{"retention.bytes", "100"}}).ok());
    EXPECT_EQ(m->get("t", 0)->config().retention_bytes, 100);
    EXPECT_FALSE(m->set_topic_config("t", {{"retention.bytes", "-7"}}).ok());
    ASSERT_TRUE(m->close().ok());
    auto again = open_manager(d.path());
    EXPECT_EQ(again->describe("t")->partitions, 3);
    EXPECT_EQ(again->get("t", 2)->config().retention_bytes, 100);
}

TEST(log_manager, broker_defaults_change_at_run_time_under_topic_overrides) {
    temp_dir d;
    auto m = open_manager(d.path(), {{"retention.ms", "5000"}});
    ASSERT_TRUE(m->create_topic("plain", 2, {}).ok());
    ASSERT_TRUE(m->create_topic("own", 1, {{"retention.ms", "777"}}).ok());
    ASSERT_TRUE(m->set_broker_defaults({{"retention.ms", "9000"}, {"segment.bytes", "4096"}}).ok());
    EXPECT_EQ(m->broker_defaults().at("retention.ms"), "9000");
    for (int p = 0; p < 2; ++p) {
        EXPECT_EQ(m->get("plain", p)->config().retention_ms, 9000);
        EXPECT_EQ(m->get("plain", p)->config().segment_bytes, 4096);
    }
    EXPECT_EQ(m->get("own", 0)->config().retention_ms, 777);
    EXPECT_EQ(m->get("own", 0)->config().segment_bytes, 4096);
    // An invalid default changes nothing.
    EXPECT_FALSE(m->set_broker_defaults({{"retention.ms", "-7"}}).ok());
    EXPECT_EQ(m->get("plain", 0)->config().retention_ms, 9000);
    EXPECT_EQ(m->broker_defaults().at("retention.ms"), "9000");
}

TEST(log_manager, removes_partition_dirs_left_by_an_interrupted_create) {
    temp_dir d;
    {
        auto m = open_manager(d.path());
        ASSERT_TRUE(m->close().ok());
    }
    fs::create_directories(d.path() / "half-0");
    std::ofstream(d.path() / "half-0" / "00000000000000000000.log") << "x";
    auto m = open_manager(d.path());
    EXPECT_FALSE(fs::exists(d.path() / "half-0"));
}

TEST(log_manager, refuses_a_foreign_non_empty_directory) {
    temp_dir d;
    std::ofstream(d.path() / "precious.txt") << "data";
    log_manager_options o;
    o.data_dir = d.path();
    auto m = log_manager::open(o);
    ASSERT_FALSE(m.ok());
    EXPECT_TRUE(fs::exists(d.path() / "precious.txt"));
}

TEST(log_manager, background_flusher_honours_flush_ms_and_durability_waiters) {
    temp_dir d;
    auto m = open_manager(d.path());
    ASSERT_TRUE(m->create_topic("f", 1, {{"flush.ms", "5"}}).ok());
    ASSERT_TRUE(m->create_topic("w", 1, {}).ok());
    auto f = m->get("f", 0);
    auto b = make_batch(3, 10, 1);
    ASSERT_TRUE(f->append(b).ok());
    for (int i = 0; i < 2000 && f->durable_offset() < model::offset(3); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(f->durable_offset(), model::offset(3));

    auto w = m->get("w", 0);
    b = make_batch(2, 10, 1);
    ASSERT_TRUE(w->append(b).ok());
    std::mutex mu;
    std::condition_variable cv;
    bool called = false;
    w->when_durable(model::offset(2), [&](status s) {
        EXPECT_TRUE(s.ok());
        std::lock_guard lk(mu);
        called = true;
        cv.notify_all();
    });
    std::unique_lock lk(mu);
    EXPECT_TRUE(cv.wait_for(lk, std::chrono::seconds(10), [&] { return called; }));
    EXPECT_EQ(w->durable_offset(), model::offset(2));
}

// A durability waiter's completion time (steady clock), once called back.
struct durable_probe {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<std::chrono::steady_clock::time_point> at;

    std::function<void(status)> callback() {
        return [this](status s) {
            EXPECT_TRUE(s.ok());
            std::lock_guard lk(mu);
            at = std::chrono::steady_clock::now();
            cv.notify_all();
        };
    }
    bool wait() {
        std::unique_lock lk(mu);
        return cv.wait_for(lk, std::chrono::seconds(10), [&] { return at.has_value(); });
    }
};

TEST(log_manager, group_commit_interval_holds_the_next_sync_of_a_log_until_it_has_passed) {
    temp_dir d;
    log_manager_options o;
    o.data_dir = d.path();
    o.sync_min_interval = std::chrono::milliseconds(300);
    auto m = log_manager::open(o);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE((*m)->create_topic("paced", 1, {}).ok());
    ASSERT_TRUE((*m)->create_topic("other", 1, {}).ok());
    auto l = (*m)->get("paced", 0);
    auto other = (*m)->get("other", 0);

    auto b = make_batch(2, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    durable_probe first;
    l->when_durable(model::offset(2), first.callback());  // never synced: at once
    ASSERT_TRUE(first.wait());
    const auto first_start = l->last_sync_start();

    // Two waiters inside the interval share one sync that starts after it.
    b = make_batch(3, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    durable_probe second;
    l->when_durable(model::offset(5), second.callback());
    b = make_batch(6, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    durable_probe third;
    l->when_durable(model::offset(11), third.callback());
    // Another log is not held back by this one's interval.
    b = make_batch(1, 10, 1);
    ASSERT_TRUE(other->append(b).ok());
    durable_probe unrelated;
    other->when_durable(model::offset(1), unrelated.callback());
    ASSERT_TRUE(unrelated.wait());

    ASSERT_TRUE(second.wait());
    ASSERT_TRUE(third.wait());
    EXPECT_GE(l->last_sync_start() - first_start, o.sync_min_interval);
    EXPECT_GE(*second.at - first_start, o.sync_min_interval);
    EXPECT_LT(*unrelated.at - first_start, o.sync_min_interval);
    EXPECT_EQ(l->durable_offset(), model::offset(11));
}

// Waits until the flush ticker has run `n` more ticks (false after 10 s).
bool wait_ticks(const log_manager& m, uint64_t n) {
    uint64_t target = log_manager_test_access::flush_stats(m).ticks + n;
    for (int i = 0; i < 10000 && log_manager_test_access::flush_stats(m).ticks < target; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return log_manager_test_access::flush_stats(m).ticks >= target;
}

bool wait_durable_offset(const log& l, int64_t o) {
    for (int i = 0; i < 10000 && l.durable_offset() < model::offset(o); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return l.durable_offset() == model::offset(o);
}

// The ticker evaluates a flush policy only for logs that have one and hold
// unsynced data: a log never appended to is never checked nor synced, and a
// log of a topic without a flush policy is left to its durability waiters.
TEST(log_manager, flush_ticker_checks_only_logs_with_a_policy_and_unsynced_data) {
    temp_dir d;
    auto m = open_manager(d.path());
    ASSERT_TRUE(m->create_topic("idle", 20, {{"flush.ms", "5"}}).ok());
    ASSERT_TRUE(m->create_topic("plain", 10, {}).ok());
    auto plain = m->get("plain", 0);
    auto b = make_batch(2, 10, 1);
    ASSERT_TRUE(plain->append(b).ok());
    ASSERT_TRUE(wait_ticks(*m, 30));
    auto s = log_manager_test_access::flush_stats(*m);
    EXPECT_EQ(s.policy_checks, 0u);
    EXPECT_EQ(s.syncs_scheduled, 0u);
    EXPECT_EQ(plain->durable_offset(), model::offset(0));  // no policy: not flushed
    for (int p = 0; p < 20; ++p)
        EXPECT_EQ(m->get("idle", p)->durable_offset(), model::offset(0));

    // An append makes its log due under flush.ms; once synced it is not
    // checked any more.
    auto idle = m->get("idle", 7);
    b = make_batch(3, 10, 1);
    ASSERT_TRUE(idle->append(b).ok());
    ASSERT_TRUE(wait_durable_offset(*idle, 3));
    EXPECT_GE(log_manager_test_access::flush_stats(*m).syncs_scheduled, 1u);
    EXPECT_GE(log_manager_test_access::flush_stats(*m).policy_checks, 1u);
    ASSERT_TRUE(wait_ticks(*m, 2));  // a tick that saw the data unsynced has ended
    auto checks = log_manager_test_access::flush_stats(*m).policy_checks;
    ASSERT_TRUE(wait_ticks(*m, 20));
    EXPECT_EQ(log_manager_test_access::flush_stats(*m).policy_checks, checks);
    EXPECT_EQ(plain->durable_offset(), model::offset(0));

    // A waiter still gets its sync on a log without a flush policy.
    std::mutex mu;
    std::condition_variable cv;
    bool called = false;
    plain->when_durable(model::offset(2), [&](status st) {
        EXPECT_TRUE(st.ok());
        std::lock_guard lk(mu);
        called = true;
        cv.notify_all();
    });
    std::unique_lock lk(mu);
    EXPECT_TRUE(cv.wait_for(lk, std::chrono::seconds(10), [&] { return called; }));
    EXPECT_EQ(plain->durable_offset(), model::offset(2));
}

TEST(log_manager, flush_ticker_applies_flush_messages_and_config_changes) {
    temp_dir d;
    auto m = open_manager(d.path());
    ASSERT_TRUE(m->create_topic("m", 2, {{"flush.messages", "3"}}).ok());
    auto l = m->get("m", 0);
    auto b = make_batch(2, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    ASSERT_TRUE(wait_ticks(*m, 20));
    EXPECT_EQ(l->durable_offset(), model::offset(0));  // 2 < flush.messages
    b = make_batch(1, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    EXPECT_TRUE(wait_durable_offset(*l, 3));

    // A topic that gets a policy later is watched from then on.
    ASSERT_TRUE(m->create_topic("late", 1, {}).ok());
    auto late = m->get("late", 0);
    b = make_batch(1, 10, 1);
    ASSERT_TRUE(late->append(b).ok());
    ASSERT_TRUE(wait_ticks(*m, 20));
    EXPECT_EQ(late->durable_offset(), model::offset(0));
    ASSERT_TRUE(m->set_topic_config("late", {{"flush.ms", "0"}}).ok());
    EXPECT_TRUE(wait_durable_offset(*late, 1));
    // ... and no longer once the policy is removed.
    ASSERT_TRUE(m->set_topic_config("late", {}).ok());
    b = make_batch(1, 10, 1);
    ASSERT_TRUE(late->append(b).ok());
    ASSERT_TRUE(wait_ticks(*m, 20));
    EXPECT_EQ(late->durable_offset(), model::offset(1));
}

TEST(log_manager, retention_runs_over_all_topics) {
    temp_dir d;
    int64_t now = 100'000'000;
    log_manager_options o;
    o.data_dir = d.path();
    o.clock = [&] { return now; };
    auto m = log_manager::open(o);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE(
        (*m)->create_topic("r", 2, {{"retention.ms", "1000"}, {"segment.bytes", "1024"}}).ok());
    for (int p = 0; p < 2; ++p) {
        for (int i = 0; i < 20; ++i) {
            auto b = make_batch(1, 100, now - 10'000);
            ASSERT_TRUE((*m)->get("r", p)->append(b).ok());
        }
    }
    EXPECT_GT(log_manager_test_access::enforce_retention_now(**m), 2u);
    EXPECT_EQ((*m)->get("r", 0)->log_start_offset(), model::offset(20));
}

}  // namespace
}  // namespace log_manager_test
}  // namespace spate::storage
