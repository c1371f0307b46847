// __consumer_offsets persistence: record layouts and replay after reopen.

#include "coordinator/offset_store.h"

#include <gtest/gtest.h>

#include "coordinator/tests/test_logs.h"

namespace spate::coordinator {
namespace offset_store_test {
namespace {

using test::open_logs;
using test::temp_dir;

TEST(offset_store, key_and_value_round_trip) {
    auto key = encode_offset_key("grp", {"topic", 7});
    auto value = encode_offset_value({42, 3, "meta", 1234});
    auto d = decode_offset_record(key, std::span<const std::byte>(value));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->group, "grp");
    EXPECT_EQ(d->tp, (topic_partition{"topic", 7}));
    ASSERT_TRUE(d->value);
    EXPECT_EQ(d->value->offset, 42);
    EXPECT_EQ(d->value->leader_epoch, 3);
    EXPECT_EQ(d->value->metadata, "meta");
    EXPECT_EQ(d->value->commit_timestamp_ms, 1234);
    auto tomb = decode_offset_record(key, std::nullopt);
    ASSERT_TRUE(tomb.ok());
    EXPECT_FALSE(tomb->value);
    // Kafka's group metadata key (version 2) is not an offset record.
    std::vector<std::byte> v2 = key;
    v2[1] = std::byte{2};
    EXPECT_FALSE(decode_offset_record(v2, std::nullopt).ok());
    std::vector<std::byte> short_key(key.begin(), key.begin() + 5);
    EXPECT_FALSE(decode_offset_record(short_key, std::nullopt).ok());
}

TEST(offset_store, commits_survive_reopen) {
    temp_dir dir;
    {
        auto logs = open_logs(dir.path);
        offset_store store(*logs);
        group_coordinator gc({}, [] { return int64_t{0}; });
        // Nothing to replay, and no topic until the first commit.
        ASSERT_TRUE(store.load_into(gc).ok());
        EXPECT_FALSE(logs->describe(k_offsets_topic));
        gc.set_persistence(
            [&](const std::string& g, const std::vector<offset_change>& c) {
                return store.append_offsets(g, c);
            },
            [&](const std::string& g, const std::optional<group_snapshot>& s) {
                return store.append_group(g, s);
            });
        offset_commit_request c;
        c.group_id = "a";
        c.offsets.push_back({{"t", 0}, {10, -1, "x", 1}});
        c.offsets.push_back({{"t", 1}, {20, -1, "", 1}});
        EXPECT_EQ(gc.commit_offsets(c)[0], error_code::none);
        c.offsets = {{{"t", 0}, {11, -1, "y", 2}}};
        gc.commit_offsets(c);
        c.group_id = "b";
        gc.commit_offsets(c);
        EXPECT_EQ(gc.delete_group("b"), error_code::none);
        auto t = logs->describe(k_offsets_topic);
        ASSERT_TRUE(t);
        EXPECT_EQ(t->overrides.at("cleanup.policy"), "compact");
        ASSERT_TRUE(logs->close().ok());
    }
    auto logs = open_logs(dir.path);
    offset_store store(*logs);
    group_coordinator gc({}, [] { return int64_t{0}; });
    ASSERT_TRUE(store.load_into(gc).ok());
    auto a = gc.fetch_offsets("a", std::nullopt);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a.at({"t", 0}).offset, 11);
    EXPECT_EQ(a.at({"t", 0}).metadata, "y");
    EXPECT_EQ(a.at({"t", 1}).offset, 20);
    EXPECT_TRUE(gc.fetch_offsets("b", std::nullopt).empty());
    ASSERT_TRUE(logs->close().ok());
}

TEST(offset_store, transactional_offsets_count_only_after_their_commit_marker_across_reopen) {
    temp_dir dir;
    auto commit_txn = [](group_coordinator& gc, int64_t pid, int64_t offset) {
        txn_offset_commit_request r;
        r.group_id = "g";
        r.producer_id = pid;
        r.producer_epoch = 0;
        r.offsets.push_back({{"t", 0}, {offset, -1, "", 1}});
        return gc.txn_commit_offsets(r)[0];
    };
    {
        auto logs = open_logs(dir.path);
        offset_store store(*logs);
        group_coordinator gc({}, [] { return int64_t{0}; });
        gc.set_persistence(
            [&](const std::string& g, const std::vector<offset_change>& c) {
                return store.append_offsets(g, c);
            },
            [&](const std::string& g, const std::optional<group_snapshot>& s) {
                return store.append_group(g, s);
            },
            [&](const std::string& g, int64_t pid, int16_t epoch,
                const std::vector<offset_change>& c) {
                return store.append_txn_offsets(g, pid, epoch, c);
            });
        offset_commit_request c;
        c.group_id = "g";
        c.offsets.push_back({{"t", 0}, {5, -1, "", 1}});
        ASSERT_EQ(gc.commit_offsets(c)[0], error_code::none);
        // Producer 100 commits 10, producer 200 aborts 99, producer 300 is
        // still open with 50 when the store is closed.
        ASSERT_EQ(commit_txn(gc, 100, 10), error_code::none);
        ASSERT_EQ(commit_txn(gc, 200, 99), error_code::none);
        ASSERT_EQ(commit_txn(gc, 300, 50), error_code::none);
        EXPECT_EQ(gc.fetch_offsets("g", std::nullopt).at({"t", 0}).offset, 5);
        EXPECT_EQ(gc.unstable_offsets("g").size(), 1u);
        auto l = store.topic().partition(false);
        ASSERT_TRUE(l.ok() && *l);
        ASSERT_TRUE(
            (*l)->append_marker(model::producer_id(200), model::producer_epoch(0), false, 0).ok());
        gc.complete_txn(200, false);
        EXPECT_EQ(gc.fetch_offsets("g", std::nullopt).at({"t", 0}).offset, 5);
        ASSERT_TRUE(
            (*l)->append_marker(model::producer_id(100), model::producer_epoch(0), true, 0).ok());
        gc.complete_txn(100, true);
        EXPECT_EQ(gc.fetch_offsets("g", std::nullopt).at({"t", 0}).offset, 10);
        ASSERT_TRUE(logs->close().ok());
    }
    auto logs = open_logs(dir.path);
    offset_store store(*logs);
    group_coordinator gc({}, [] { return int64_t{0}; });
    ASSERT_TRUE(store.load_into(gc).ok());
    EXPECT_EQ(gc.fetch_offsets("g", std::nullopt).at({"t", 0}).offset, 10);
    // The open transaction's offset is pending again, and lands on commit.
    EXPECT_EQ(gc.unstable_offsets("g"), (std::set<topic_partition>{{"t", 0}}));
    gc.complete_txn(300, true);
    EXPECT_EQ(gc.fetch_offsets("g", std::nullopt).at({"t", 0}).offset, 50);
    EXPECT_TRUE(gc.unstable_offsets("g").empty());
    ASSERT_TRUE(logs->close().ok());
}

group_snapshot sample_group() {
    group_snapshot g;
    g.protocol_type = "consumer";
    g.generation = 7;
    g.protocol_name = "range";
    g.leader = "m1";
    g.state_timestamp_ms = 99;
    g.members.push_back({"m1",
                         std::nullopt,
                         "c1",
                         "/127.0.0.1",
                         30000,
                         10000,
                         {std::byte{1}, std::byte{2}},
                         {std::byte{3}}});
    g.members.push_back({"m2", "static-2", "c2", "/127.0.0.2", 30000, 10000, {}, {std::byte{4}}});
    return g;
}

TEST(offset_store, group_record_round_trips_and_rejects_damage) {
    auto key = encode_group_key("grp");
    auto value = encode_group_value(sample_group());
    auto d = decode_group_record(key, std::span<const std::byte>(value));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->group, "grp");
    ASSERT_TRUE(d->value);
    EXPECT_EQ(*d->value, sample_group());
    auto tomb = decode_group_record(key, std::nullopt);
    ASSERT_TRUE(tomb.ok());
    EXPECT_FALSE(tomb->value);
    // An offset key is not a group key, and neither decoder takes the other's.
    EXPECT_FALSE(decode_group_record(encode_offset_key("grp", {"t", 0}), std::nullopt).ok());
    EXPECT_FALSE(decode_offset_record(key, std::nullopt).ok());
    // Every truncation of the value is rejected, never read past its end.
    for (size_t n = 0; n < value.size(); ++n) {
        std::span<const std::byte> cut(value.data(), n);
        EXPECT_FALSE(decode_group_record(key, cut).ok()) << n;
    }
    // A member count far beyond the bytes present is corrupt, not a huge allocation.
    auto huge = value;
    size_t count_at = 2 + 2 + 8 + 4 + 2 + 5 + 2 + 2 + 8;  // up to the member count
    huge[count_at] = std::byte{0x7f};
    EXPECT_FALSE(decode_group_record(key, huge).ok());
}

TEST(offset_store, membership_survives_reopen_so_members_keep_their_generation) {
    temp_dir dir;
    std::string leader;
    int32_t generation = 0;
    {
        auto logs = open_logs(dir.path);
        offset_store store(*logs);
        group_coordinator::options o;
        o.initial_rebalance_delay_ms = 0;
        group_coordinator gc(o, [] { return int64_t{1000}; });
        gc.set_persistence(
            [&](const std::string& g, const std::vector<offset_change>& c) {
                return store.append_offsets(g, c);
            },
            [&](const std::string& g, const std::optional<group_snapshot>& s) {
                return store.append_group(g, s);
            });
        join_request j;
        j.group_id = "g";
        j.client_id = "c";
        j.protocol_type = "consumer";
        j.protocols = {{"range", {std::byte{9}}}};
        j.session_timeout_ms = 10000;
        std::optional<join_result> jr;
        gc.join_group(j, [&](join_result r) { jr = r; });
        ASSERT_TRUE(jr);
        ASSERT_EQ(jr->error, error_code::none);
        leader = jr->member_id;
        generation = jr->generation;
        sync_request s;
        s.group_id = "g";
        s.member_id = leader;
        s.generation = generation;
        s.assignments = {{leader, {std::byte{5}}}};
        std::optional<sync_result> sr;
        gc.sync_group(s, [&](sync_result r) { sr = r; });
        ASSERT_TRUE(sr);
        ASSERT_EQ(sr->error, error_code::none);
        // A second group that is deleted leaves nothing behind.
        offset_commit_request c;
        c.group_id = "gone";
        c.offsets.push_back({{"t", 0}, {1, -1, "", 1}});
        gc.commit_offsets(c);
        EXPECT_EQ(gc.delete_group("gone"), error_code::none);
        ASSERT_TRUE(logs->close().ok());
    }
    auto logs = open_logs(dir.path);
    offset_store store(*logs);
    group_coordinator gc({}, [] { return int64_t{5000}; });
    ASSERT_TRUE(store.load_into(gc).ok());
    auto d = gc.describe_group("g");
    EXPECT_EQ(d.state, group_state::stable);
    ASSERT_EQ(d.members.size(), 1u);
    EXPECT_EQ(d.members[0].member_id, leader);
    EXPECT_EQ(d.members[0].assignment, bytes{std::byte{5}});
    EXPECT_EQ(gc.heartbeat("g", leader, std::nullopt, generation), error_code::none);
    EXPECT_EQ(gc.heartbeat("g", leader, std::nullopt, generation - 1),
              error_code::illegal_generation);
    EXPECT_EQ(gc.describe_group("gone").state, group_state::dead);
    ASSERT_TRUE(logs->close().ok());
}

TEST(offset_store, a_consumer_group_snapshot_survives_reopen_and_its_tombstone_removes_it) {
    temp_dir dir;
    std::vector<topic_meta> topics{{"t", {1, 2}, 4}};
    consumer_heartbeat_request join;
    join.group_id = "cg";
    join.member_id = "m1";
    join.member_epoch = 0;
    join.rebalance_timeout_ms = 1000;
    join.subscribed_topic_names = std::vector<std::string>{"t"};
    join.owned = partition_set{};
    consumer_heartbeat_result joined;
    {
        auto logs = open_logs(dir.path);
        offset_store store(*logs);
        group_coordinator gc({}, [] { return int64_t{0}; });
        ASSERT_TRUE(store.load_into(gc).ok());
        gc.set_topic_source([&] { return topics; });
        gc.set_consumer_persistence([&](const std::string& g, const std::optional<bytes>& snap) {
            return store.append_consumer_group(g, snap);
        });
        joined = gc.consumer_heartbeat(join);
        ASSERT_EQ(joined.error, error_code::none);
    }
    {
        auto logs = open_logs(dir.path);
        offset_store store(*logs);
        group_coordinator gc({}, [] { return int64_t{0}; });
        ASSERT_TRUE(store.load_into(gc).ok());
        auto d = gc.describe_consumer_group("cg");
        ASSERT_EQ(d.error, error_code::none);
        ASSERT_EQ(d.members.size(), 1u);
        EXPECT_EQ(d.members[0].member_id, "m1");
        EXPECT_EQ(d.members[0].member_epoch, joined.member_epoch);
        EXPECT_EQ(d.members[0].assignment, *joined.assignment);
        gc.set_topic_source([&] { return topics; });
        gc.set_consumer_persistence([&](const std::string& g, const std::optional<bytes>& snap) {
            return store.append_consumer_group(g, snap);
        });
        consumer_heartbeat_request leave;
        leave.group_id = "cg";
        leave.member_id = "m1";
        leave.member_epoch = -1;
        ASSERT_EQ(gc.consumer_heartbeat(leave).error, error_code::none);
    }
    auto logs = open_logs(dir.path);
    offset_store store(*logs);
    group_coordinator gc({}, [] { return int64_t{0}; });
    ASSERT_TRUE(store.load_into(gc).ok());
    EXPECT_EQ(gc.describe_consumer_group("cg").error, error_code::group_id_not_found);
    // A damaged snapshot is skipped (and logged), not installed.
    gc.load_consumer_group("bad", bytes{std::byte{0}, std::byte{0}, std::byte{1}});
    EXPECT_EQ(gc.describe_consumer_group("bad").error, error_code::group_id_not_found);
}

}  // namespace
}  // namespace offset_store_test
}  // namespace spate::coordinator
