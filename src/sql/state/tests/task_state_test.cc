#include "sql/state/task_state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "kafka/client/admin.h"
#include "sql/state/tests/state_test_util.h"

namespace spate::sql {
namespace task_state_test {
namespace {

using namespace test_support;

// Sorts log[from, to) by key: one interval's records, logged in no order.
void sort_by_key(std::vector<logged_record>& log, size_t from, size_t to) {
    ASSERT_LE(to, log.size());
    std::sort(log.begin() + static_cast<std::ptrdiff_t>(from),
              log.begin() + static_cast<std::ptrdiff_t>(to),
              [](const logged_record& a, const logged_record& b) { return a.key < b.key; });
}

TEST_F(task_state_test, buffered_changes_are_read_at_once_and_merged_over_committed_ones) {
    auto st = open();
    ASSERT_NE(st, nullptr);
    EXPECT_FALSE(st->has_pending());
    st->put("a", "1");
    st->put("b", "2");
    st->put("d", "4");
    EXPECT_TRUE(st->has_pending());
    EXPECT_EQ(get(*st, "b"), "2");
    auto w = writer();
    ASSERT_TRUE(w.commit(*st, 0));
    EXPECT_FALSE(st->has_pending());

    st->put("b", "20");  // overrides a committed value
    st->put("c", "3");   // new
    st->remove("d");     // hides a committed key
    st->put("e", "5");
    st->remove("e");  // a buffered put then removal
    EXPECT_EQ(get(*st, "a"), "1");
    EXPECT_EQ(get(*st, "b"), "20");
    EXPECT_EQ(get(*st, "d"), std::nullopt);
    EXPECT_EQ(get(*st, "e"), std::nullopt);
    EXPECT_EQ(get(*st, "zz"), std::nullopt);
    EXPECT_EQ(scan(*st), (kv{{"a", "1"}, {"b", "20"}, {"c", "3"}}));
    EXPECT_EQ(scan(*st, "b", "d"), (kv{{"b", "20"}, {"c", "3"}}));
    EXPECT_EQ(scan(*st, "a", "", 2), (kv{{"a", "1"}, {"b", "20"}}));  // the visitor stops it
    EXPECT_EQ(scan(*st, "c"), (kv{{"c", "3"}}));

    std::string buf = "previous contents";
    auto found = st->get_into("b", buf);
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE(found.value());
    EXPECT_EQ(buf, "20");
    found = st->get_into("d", buf);
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found.value());
}

TEST_F(task_state_test, keys_are_bytes_in_bytewise_order) {
    auto st = open();
    ASSERT_NE(st, nullptr);
    const std::string zero("k\0x", 3), high("k\xff", 2), plain("k");
    st->put(high, std::string("v\0", 2));
    st->put(zero, "z");
    auto w = writer();
    ASSERT_TRUE(w.commit(*st, 0));
    st->put(plain, "p");
    EXPECT_EQ(scan(*st), (kv{{plain, "p"}, {zero, "z"}, {high, std::string("v\0", 2)}}));
    EXPECT_EQ(get(*st, high), std::string("v\0", 2));
}

TEST_F(task_state_test, committed_changes_survive_a_reopen_without_replay) {
    auto w = writer();
    {
        auto st = open();
        ASSERT_NE(st, nullptr);
        st->put("x", "1");
        st->put("y", "2");
        ASSERT_TRUE(w.commit(*st, 0));
        st->put("x", "10");
        ASSERT_TRUE(w.commit(*st, 0));
    }
    auto st = open();
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(scan(*st), (kv{{"x", "10"}, {"y", "2"}}));
    // The checkpoint is the changelog end the last commit() was given.
    EXPECT_EQ(st->stats().restored_records, 0);
}

TEST_F(task_state_test, the_next_interval_reads_and_overrides_changes_still_being_written) {
    auto w = writer();
    constexpr int k_keys = 20000;  // a write long enough to overlap the reads
    auto key = [](int i) { return "k" + std::to_string(100000 + i); };
    {
        auto st = open();
        ASSERT_NE(st, nullptr);
        for (int i = 0; i < k_keys; ++i)
            st->put(key(i), "v" + std::to_string(i));
        ASSERT_TRUE(w.commit(*st, 0));
        // commit() returned with the write started: reads see every change.
        EXPECT_EQ(get(*st, key(0)), "v0");
        EXPECT_EQ(get(*st, key(k_keys - 1)), "v" + std::to_string(k_keys - 1));
        st->put(key(1), "new");  // overrides a change being written
        st->remove(key(2));      // hides one
        EXPECT_EQ(get(*st, key(1)), "new");
        EXPECT_EQ(get(*st, key(2)), std::nullopt);
        EXPECT_EQ(get(*st, key(3)), "v3");
        ASSERT_TRUE(w.commit(*st, 0));  // after the first write, in order
        EXPECT_EQ(get(*st, key(1)), "new");
        EXPECT_EQ(get(*st, key(2)), std::nullopt);
    }
    auto st = open();
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(st->stats().restored_records, 0);  // both writes checkpointed
    size_t n = 0;
    auto scanned = st->scan("", "", [&](std::string_view k, std::string_view v) {
        int i = std::stoi(std::string(k.substr(1))) - 100000;
        EXPECT_NE(i, 2);
        EXPECT_EQ(v, i == 1 ? "new" : "v" + std::to_string(i));
        ++n;
        return true;
    });
    ASSERT_TRUE(scanned.ok()) << scanned.error().message;
    EXPECT_EQ(n, static_cast<size_t>(k_keys - 1));
}

TEST_F(task_state_test, log_pending_writes_each_changed_key_once_and_tombstones_to_the_partition) {
    auto st = open(1);
    ASSERT_NE(st, nullptr);
    st->put("b", "2");
    st->put("a", "0");
    st->put("a", "1");
    auto w = writer();
    ASSERT_TRUE(w.commit(*st, 1));
    st->remove("a");
    ASSERT_TRUE(w.commit(*st, 1));
    auto log = read_changelog(client(), _topic, 1);
    ASSERT_EQ(log.size(), 3u);
    // Within an interval in no particular order; intervals in commit order.
    sort_by_key(log, 0, 2);
    EXPECT_EQ(log[0].key, "a");
    EXPECT_EQ(log[0].value, "1");
    EXPECT_EQ(log[1].key, "b");
    EXPECT_EQ(log[1].value, "2");
    EXPECT_EQ(log[2].key, "a");
    EXPECT_EQ(log[2].value, std::nullopt);  // a removal is a tombstone
    EXPECT_TRUE(read_changelog(client(), _topic, 0).empty());
}

TEST_F(task_state_test, a_new_key_put_and_removed_within_the_interval_leaves_no_record) {
    auto st = open(1);
    ASSERT_NE(st, nullptr);
    st->put("old", "1");
    auto w = writer();
    ASSERT_TRUE(w.commit(*st, 1));
    st->put_new("new", "2");
    EXPECT_EQ(get(*st, "new"), "2");
    st->remove("new");
    EXPECT_FALSE(st->has_pending());
    EXPECT_EQ(get(*st, "new"), std::nullopt);
    // A key with a buffered removal is not new: its removal stays.
    st->remove("old");
    st->put_new("old", "3");
    EXPECT_EQ(get(*st, "old"), "3");
    st->remove("old");
    st->put_new("kept", "4");
    ASSERT_TRUE(w.commit(*st, 1));
    auto log = read_changelog(client(), _topic, 1);
    ASSERT_EQ(log.size(), 3u);
    sort_by_key(log, 1, 3);
    EXPECT_EQ(log[1].key, "kept");
    EXPECT_EQ(log[2].key, "old");
    EXPECT_EQ(log[2].value, std::nullopt);
    EXPECT_EQ(scan(*st), (kv{{"kept", "4"}}));
    // Nothing left to log: the commit needs no log_pending().
    st->put_new("x", "1");
    st->remove("x");
    EXPECT_TRUE(st->commit().ok());
    EXPECT_EQ(scan(*st), (kv{{"kept", "4"}}));
}

TEST_F(task_state_test, keys_written_after_a_commit_or_rollback_keep_only_their_own_bytes) {
    // The buffers of committed changes serve the next ones: longer keys and
    // values first, then shorter ones, removals and fresh keys over them.
    auto st = open(1);
    ASSERT_NE(st, nullptr);
    auto w = writer();
    for (int i = 0; i < 20; ++i)
        st->put("long-key-" + std::to_string(i) + std::string(40, 'k'), std::string(100, 'v'));
    ASSERT_TRUE(w.commit(*st, 1));
    st->put("a", "1");
    st->put_new("b", "2");
    st->remove("long-key-0" + std::string(40, 'k'));
    st->put_new("c", "3");
    st->remove("c");
    EXPECT_EQ(get(*st, "a"), "1");
    EXPECT_EQ(get(*st, "long-key-0" + std::string(40, 'k')), std::nullopt);
    ASSERT_TRUE(w.commit(*st, 1));
    st->put("rolled-back", "x");
    st->rollback();
    st->put_new("d", "4");
    st->remove("zz");
    ASSERT_TRUE(w.commit(*st, 1));
    auto all = scan(*st);
    EXPECT_EQ(all.size(), 22u);
    EXPECT_EQ(all[0], (std::pair<std::string, std::string>{"a", "1"}));
    EXPECT_EQ(all[1], (std::pair<std::string, std::string>{"b", "2"}));
    EXPECT_EQ(all[2], (std::pair<std::string, std::string>{"d", "4"}));
    EXPECT_EQ(get(*st, "rolled-back"), std::nullopt);
    auto log = read_changelog(client(), _topic, 1);
    ASSERT_EQ(log.size(), 25u);
    EXPECT_EQ(log[20].key, "a");
    EXPECT_EQ(log[21].key, "b");
    EXPECT_EQ(log[21].value, "2");
    EXPECT_EQ(log[22].key, "long-key-0" + std::string(40, 'k'));
    EXPECT_EQ(log[22].value, std::nullopt);
    EXPECT_EQ(log[23].key, "d");
    EXPECT_EQ(log[23].value, "4");
    EXPECT_EQ(log[24].key, "zz");
    EXPECT_EQ(log[24].value, std::nullopt);
    // A commit with a large value keeps no spares; the next one writes anew.
    st->put("e", std::string(5000, 'e'));
    ASSERT_TRUE(w.commit(*st, 1));
    st->put("f", "6");
    ASSERT_TRUE(w.commit(*st, 1));
    EXPECT_EQ(get(*st, "e"), std::string(5000, 'e'));
    EXPECT_EQ(get(*st, "f"), "6");
    EXPECT_EQ(read_changelog(client(), _topic, 1).size(), 27u);
}

TEST_F(task_state_test, an_aborted_transaction_is_rolled_back_and_never_restored) {
    auto w = writer();
    {
        auto st = open();
        ASSERT_NE(st, nullptr);
        st->put("kept", "1");
        ASSERT_TRUE(w.commit(*st, 0));
        st->put("lost", "2");
        st->remove("kept");
        ASSERT_TRUE(w.producer().begin_transaction().ok());
        ASSERT_TRUE(st->log_pending([&](const kc::outgoing_record& r) {
                          return w.producer().produce(r);
                      }).ok());
        ASSERT_TRUE(w.producer().flush(10000).ok());  // the aborted records are in the log
        ASSERT_TRUE(w.producer().abort_transaction(10000).ok());
        st->rollback();
        EXPECT_FALSE(st->has_pending());
        EXPECT_EQ(scan(*st), (kv{{"kept", "1"}}));
    }
    // From the checkpoint and from the start: the aborted records (and the
    // marker after them) are skipped and the restore ends.
    auto st = open();
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(scan(*st), (kv{{"kept", "1"}}));
    st = nullptr;
    std::filesystem::remove_all(_dir.path());
    st = open();
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(scan(*st), (kv{{"kept", "1"}}));
    EXPECT_EQ(st->stats().restored_records, 1);
}

TEST_F(task_state_test, a_crash_after_the_transaction_committed_is_repaired_from_the_changelog) {
    auto w = writer();
    {
        auto st = open();
        ASSERT_NE(st, nullptr);
        st->put("before", "1");
        ASSERT_TRUE(w.commit(*st, 0));
        st->put("after", "2");
        st->remove("before");
        ASSERT_TRUE(w.log_and_commit(*st));
        // The process dies here: commit() never runs.
    }
    auto st = open();
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(scan(*st), (kv{{"after", "2"}}));
    EXPECT_EQ(st->stats().restored_records, 2);
}

TEST_F(task_state_test, commit_without_a_changelog_end_keeps_the_checkpoint_and_replays_more) {
    auto w = writer();
    {
        auto st = open();
        ASSERT_NE(st, nullptr);
        for (int i = 0; i < 3; ++i) {
            st->put("k" + std::to_string(i), "v");
            ASSERT_TRUE(w.log_and_commit(*st));
            ASSERT_TRUE(st->commit().ok());
        }
    }
    auto st = open();
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(scan(*st).size(), 3u);
    EXPECT_EQ(st->stats().restored_records, 3);  // idempotent replay over applied changes
    st = nullptr;
    st = open();  // the replay moved the checkpoint to the end
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(st->stats().restored_records, 0);
}

TEST_F(task_state_test, a_wiped_directory_rebuilds_the_same_state) {
    auto w = writer();
    kv expected;
    {
        auto st = open();
        ASSERT_NE(st, nullptr);
        for (int round = 0; round < 3; ++round) {
            for (int i = 0; i < 10; ++i)
                st->put("key" + std::to_string(i), std::to_string(round * 100 + i));
            ASSERT_TRUE(w.commit(*st, 0));
        }
        st->remove("key1");
        st->remove("key5");
        ASSERT_TRUE(w.commit(*st, 0));
        expected = scan(*st);
        EXPECT_EQ(expected.size(), 8u);
    }
    std::filesystem::remove_all(_dir.path());
    auto st = open();
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(scan(*st), expected);
    EXPECT_EQ(st->stats().restored_records, 32);
    EXPECT_EQ(get(*st, "key1"), std::nullopt);  // removed, and stays removed
}

TEST_F(task_state_test, a_task_moved_away_and_back_catches_up_from_its_checkpoint) {
    temp_dir other;  // the other server's data directory
    {
        auto w = writer("-a");
        auto a = open();
        ASSERT_NE(a, nullptr);
        a->put("k1", "a");
        a->put("k2", "a");
        ASSERT_TRUE(w.commit(*a, 0));
    }
    {
        auto w = writer("-b");
        auto b = open(options(other.path()));
        ASSERT_NE(b, nullptr);
        EXPECT_EQ(scan(*b), (kv{{"k1", "a"}, {"k2", "a"}}));
        b->remove("k1");
        b->put("k3", "b");
        ASSERT_TRUE(w.commit(*b, 0));
    }
    auto a = open();
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(scan(*a), (kv{{"k2", "a"}, {"k3", "b"}}));
    EXPECT_EQ(a->stats().restored_records, 2);  // only what the other server wrote
}

TEST_F(task_state_test, open_waits_for_a_transaction_left_open_below_the_end) {
    auto other = writer("-other");
    ASSERT_TRUE(other.producer().begin_transaction().ok());
    std::string key = "pending", value = "1";
    kc::outgoing_record r;
    r.topic = _topic;
    r.partition = 0;
    r.key = key;
    r.value = value;
    ASSERT_TRUE(other.producer().produce(r).ok());
    ASSERT_TRUE(other.producer().flush(10000).ok());
    auto o = options(_dir.path());
    o.timeout_ms = 1500;
    auto failed = task_state::open(o);
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.error().message.find("made no progress"), std::string::npos)
        << failed.error().message;
    ASSERT_TRUE(other.producer().commit_transaction(10000).ok());
    auto st = open();
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(get(*st, "pending"), "1");
}

TEST_F(task_state_test, a_checkpoint_older_than_the_limit_rebuilds_from_the_start) {
    auto w = writer();
    {
        auto st = open();
        ASSERT_NE(st, nullptr);
        st->put("a", "1");
        ASSERT_TRUE(w.commit(*st, 0));
    }
    auto o = options(_dir.path());
    o.max_checkpoint_age_ms = -1;  // every checkpoint is too old
    auto st = open(o);
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(st->stats().restored_records, 1);
    EXPECT_EQ(get(*st, "a"), "1");
}

TEST_F(task_state_test, a_directory_of_another_changelog_is_rebuilt) {
    auto w = writer();
    {
        auto st = open(1);
        ASSERT_NE(st, nullptr);
        st->put("p1", "1");
        ASSERT_TRUE(w.commit(*st, 1));
    }
    // Partition 0's directory gets partition 1's RocksDB.
    std::filesystem::rename(_dir.path() + "/p1", _dir.path() + "/p0");
    auto st = open(0);
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(scan(*st), kv{});
}

TEST_F(task_state_test, stats_count_keys_and_bytes) {
    auto st = open();
    ASSERT_NE(st, nullptr);
    st->put("a", std::string(100, 'x'));
    st->put("b", std::string(100, 'y'));
    auto s = st->stats();
    EXPECT_EQ(s.keys, 2);
    EXPECT_GE(s.bytes, 200);
    auto w = writer();
    ASSERT_TRUE(w.commit(*st, 0));
    s = st->stats();
    EXPECT_GE(s.keys, 2);
    EXPECT_GT(s.bytes, 0);
}

TEST_F(task_state_test, open_fails_on_a_missing_topic_a_bad_option_or_a_directory_in_use) {
    auto o = options(_dir.path());
    o.changelog_topic = "no-such-changelog";
    auto missing = task_state::open(o);
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("no-such-changelog"), std::string::npos)
        << missing.error().message;
    o = options(_dir.path());
    o.partition = 7;  // the topic has 2
    EXPECT_FALSE(task_state::open(o).ok());
    o = options("");
    EXPECT_EQ(task_state::open(o).error().code, sql_errc::invalid_parameter_value);
    auto first = open();
    ASSERT_NE(first, nullptr);
    auto second = task_state::open(options(_dir.path()));
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.error().message.find(_dir.path()), std::string::npos)
        << second.error().message;
}

TEST_F(task_state_test, ensure_changelog_topic_creates_compacts_and_grows) {
    auto admin = kc::admin::connect(client());
    ASSERT_TRUE(admin.ok());
    auto md = admin->topic(_topic);
    ASSERT_TRUE(md.ok());
    EXPECT_EQ(md->partitions.size(), 2u);
    auto cfg = admin->describe_configs(kc::resource_type::topic, _topic);
    ASSERT_TRUE(cfg.ok());
    bool compact = false;
    for (const auto& e : *cfg)
        if (e.name == "cleanup.policy") compact = e.value == "compact";
    EXPECT_TRUE(compact);
    ASSERT_TRUE(task_state::ensure_changelog_topic(client(), _topic, 2).ok());
    ASSERT_TRUE(task_state::ensure_changelog_topic(client(), _topic, 4).ok());
    ASSERT_TRUE(task_state::ensure_changelog_topic(client(), _topic, 3).ok());  // never shrinks
    md = admin->topic(_topic);
    ASSERT_TRUE(md.ok());
    EXPECT_EQ(md->partitions.size(), 4u);

    ASSERT_TRUE(admin->create_topic({_topic + "-delete", 1, 1, {}}).ok());
    auto refused = task_state::ensure_changelog_topic(client(), _topic + "-delete", 1);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("cleanup.policy"), std::string::npos);
}

}  // namespace
}  // namespace task_state_test
}  // namespace spate::sql
