// KIP-848 consumer groups with a fake clock: joins, target assignments,
// incremental revocation, epochs and fencing, static members, regex
// subscriptions, partition count changes, sessions, offset commit checks,
// classic/consumer conversion, and the deadlines tick() reports.

#include <gtest/gtest.h>

#include "coordinator/group_coordinator.h"

namespace spate::coordinator {
namespace consumer_group_test {
namespace {

struct consumer_fixture : ::testing::Test {
    int64_t now = 1000;
    std::vector<topic_meta> topics{{"t", {1, 1}, 6}, {"u", {2, 2}, 2}, {"other", {3, 3}, 1}};
    group_coordinator gc{make_opts(), [this] { return now; }};

    consumer_fixture() {
        gc.set_topic_source([this] { return topics; });
    }

    static group_coordinator::options make_opts() {
        group_coordinator::options o;
        o.initial_rebalance_delay_ms = 0;
        o.consumer_session_timeout_ms = 1000;
        o.consumer_heartbeat_interval_ms = 100;
        return o;
    }

    consumer_heartbeat_request join_req(const std::string& id,
                                        std::vector<std::string> subs = {"t"}) {
        consumer_heartbeat_request r;
        r.group_id = "g";
        r.member_id = id;
        r.member_epoch = 0;
        r.rebalance_timeout_ms = 500;
        r.subscribed_topic_names = std::move(subs);
        r.owned = partition_set{};
        return r;
    }
    consumer_heartbeat_result hb(const std::string& id, int32_t epoch,
                                 std::optional<partition_set> owned) {
        consumer_heartbeat_request r;
        r.group_id = "g";
        r.member_id = id;
        r.member_epoch = epoch;
        r.owned = std::move(owned);
        return gc.consumer_heartbeat(r);
    }
    static size_t count(const partition_set& ps) {
        size_t n = 0;
        for (const auto& [t, p] : ps)
            n += p.size();
        return n;
    }
};

TEST_F(consumer_fixture, a_lone_member_gets_every_partition_at_epoch_one) {
    auto r = gc.consumer_heartbeat(join_req("a"));
    ASSERT_EQ(r.error, error_code::none);
    EXPECT_EQ(r.member_id, "a");
    EXPECT_EQ(r.member_epoch, 1);
    EXPECT_EQ(r.heartbeat_interval_ms, 100);
    ASSERT_TRUE(r.assignment);
    EXPECT_EQ((*r.assignment)["t"], (std::set<int32_t>{0, 1, 2, 3, 4, 5}));
    auto d = gc.describe_consumer_group("g");
    EXPECT_EQ(d.state_name, "Stable");
    EXPECT_EQ(d.group_epoch, 1);
    EXPECT_EQ(d.assignor_name, "uniform");
}

TEST_F(consumer_fixture, server_generates_a_member_id_when_none_is_given) {
    auto r = gc.consumer_heartbeat(join_req(""));
    ASSERT_EQ(r.error, error_code::none);
    EXPECT_EQ(r.member_id.size(), 22u);
}

TEST_F(consumer_fixture, a_new_member_gets_partitions_only_after_the_owner_revokes_them) {
    auto a = gc.consumer_heartbeat(join_req("a"));
    auto b = gc.consumer_heartbeat(join_req("b"));
    ASSERT_EQ(b.error, error_code::none);
    EXPECT_EQ(b.member_epoch, 2);
    EXPECT_TRUE(b.assignment->empty());  // a still holds everything
    // a is asked to give up three partitions and keeps the other three.
    auto a2 = hb("a", a.member_epoch, *a.assignment);
    EXPECT_EQ(a2.member_epoch, 1);  // not bumped until it revokes
    EXPECT_EQ(count(*a2.assignment), 3u);
    auto kept = (*a2.assignment)["t"];
    EXPECT_TRUE(std::includes(a.assignment->at("t").begin(), a.assignment->at("t").end(),
                              kept.begin(), kept.end()));
    EXPECT_EQ(gc.describe_consumer_group("g").state_name, "Reconciling");
    // b still waits while a has not revoked.
    EXPECT_TRUE(hb("b", 2, partition_set{}).assignment->empty());
    // a revokes: its epoch moves on, and b gets the released partitions.
    auto a3 = hb("a", 1, *a2.assignment);
    EXPECT_EQ(a3.member_epoch, 2);
    EXPECT_EQ(*a3.assignment, *a2.assignment);
    auto b2 = hb("b", 2, partition_set{});
    EXPECT_EQ(count(*b2.assignment), 3u);
    for (int32_t p : (*b2.assignment)["t"])
        EXPECT_FALSE(kept.count(p));
    EXPECT_EQ(gc.describe_consumer_group("g").state_name, "Stable");
}

TEST_F(consumer_fixture, a_leaving_member_frees_its_partitions_for_the_others) {
    auto a = gc.consumer_heartbeat(join_req("a"));
    auto b = gc.consumer_heartbeat(join_req("b"));
    auto a2 = hb("a", 1, *a.assignment);
    hb("a", 1, *a2.assignment);
    hb("b", 2, partition_set{});
    auto leave = hb("b", -1, std::nullopt);
    EXPECT_EQ(leave.error, error_code::none);
    EXPECT_EQ(leave.member_epoch, -1);
    auto a3 = hb("a", 2, *a2.assignment);
    EXPECT_EQ(a3.member_epoch, 3);
    EXPECT_EQ(count(*a3.assignment), 6u);
}

TEST_F(consumer_fixture, wrong_epochs_are_fenced_and_unknown_members_rejected) {
    auto a = gc.consumer_heartbeat(join_req("a"));
    EXPECT_EQ(hb("a", 7, std::nullopt).error, error_code::fenced_member_epoch);
    EXPECT_EQ(hb("zz", 1, std::nullopt).error, error_code::unknown_member_id);
    // Lost response: the previous epoch with owned partitions within the
    // assignment is accepted.
    gc.consumer_heartbeat(join_req("b"));
    auto a2 = hb("a", 1, *a.assignment);
    hb("a", 1, *a2.assignment);  // now epoch 2, previous 1
    EXPECT_EQ(hb("a", 1, *a2.assignment).error, error_code::none);
}

TEST_F(consumer_fixture, a_silent_member_is_removed_when_its_session_ends) {
    gc.consumer_heartbeat(join_req("a"));
    EXPECT_EQ(gc.tick(), now + 1000);  // the session deadline
    now += 999;
    gc.tick();
    EXPECT_EQ(gc.describe_consumer_group("g").members.size(), 1u);
    now += 1;
    gc.tick();
    EXPECT_TRUE(gc.describe_consumer_group("g").members.empty());
    EXPECT_EQ(gc.describe_consumer_group("g").state_name, "Empty");
}

TEST_F(consumer_fixture, a_member_that_does_not_revoke_in_time_is_removed) {
    auto a = gc.consumer_heartbeat(join_req("a"));
    gc.consumer_heartbeat(join_req("b"));
    hb("a", 1, *a.assignment);  // asked to revoke, rebalance timeout 500 ms
    now += 400;
    hb("b", 2, partition_set{});
    hb("a", 1, *a.assignment);  // still holding them
    now += 100;
    gc.tick();
    auto d = gc.describe_consumer_group("g");
    ASSERT_EQ(d.members.size(), 1u);
    EXPECT_EQ(d.members[0].member_id, "b");
}

TEST_F(consumer_fixture, a_static_member_rejoining_keeps_its_assignment_and_epoch) {
    auto j = join_req("a1");
    j.instance_id = "inst";
    auto a = gc.consumer_heartbeat(j);
    EXPECT_EQ(hb("a1", -2, std::nullopt).member_epoch, -2);
    auto again = join_req("a2");
    again.instance_id = "inst";
    auto a2 = gc.consumer_heartbeat(again);
    ASSERT_EQ(a2.error, error_code::none);
    EXPECT_EQ(a2.member_id, "a2");
    EXPECT_EQ(a2.member_epoch, a.member_epoch);
    EXPECT_EQ(*a2.assignment, *a.assignment);
    // Another instance with the same id while a2 is active is refused.
    auto dup = join_req("a3");
    dup.instance_id = "inst";
    EXPECT_EQ(gc.consumer_heartbeat(dup).error, error_code::unreleased_instance_id);
}

TEST_F(consumer_fixture, regex_subscriptions_follow_topics_and_partition_counts) {
    auto j = join_req("a", {});
    j.subscribed_topic_names.reset();
    j.subscribed_topic_regex = "t|u";
    auto a = gc.consumer_heartbeat(j);
    EXPECT_EQ(count(*a.assignment), 8u);
    topics[0].partitions = 8;  // CreatePartitions on t
    auto a2 = hb("a", a.member_epoch, *a.assignment);
    EXPECT_EQ(a2.member_epoch, a.member_epoch + 1);
    EXPECT_EQ(count(*a2.assignment), 10u);
    auto bad = join_req("b");
    bad.subscribed_topic_regex = "(";
    EXPECT_EQ(gc.consumer_heartbeat(bad).error, error_code::invalid_regular_expression);
}

TEST_F(consumer_fixture, the_range_assignor_gives_contiguous_ranges) {
    auto ja = join_req("a");
    ja.server_assignor = "range";
    auto jb = join_req("b");
    jb.server_assignor = "range";
    auto a = gc.consumer_heartbeat(ja);
    gc.consumer_heartbeat(jb);
    auto a2 = hb("a", a.member_epoch, *a.assignment);
    EXPECT_EQ((*a2.assignment)["t"], (std::set<int32_t>{0, 1, 2}));
    EXPECT_EQ(gc.describe_consumer_group("g").assignor_name, "range");
    auto bad = join_req("c");
    bad.server_assignor = "sticky";
    EXPECT_EQ(gc.consumer_heartbeat(bad).error, error_code::unsupported_assignor);
}

TEST_F(consumer_fixture, offset_commits_check_the_member_epoch) {
    auto a = gc.consumer_heartbeat(join_req("a"));
    offset_commit_request c;
    c.group_id = "g";
    c.member_id = "a";
    c.generation = a.member_epoch;
    c.offsets.push_back({{"t", 0}, committed_offset{5, -1, "", now}});
    EXPECT_EQ(gc.commit_offsets(c)[0], error_code::none);
    c.generation = a.member_epoch + 1;
    EXPECT_EQ(gc.commit_offsets(c)[0], error_code::stale_member_epoch);
    c.member_id = "nobody";
    EXPECT_EQ(gc.commit_offsets(c)[0], error_code::unknown_member_id);
    c.member_id.clear();
    c.generation = -1;  // an admin commit while the group has members
    EXPECT_EQ(gc.commit_offsets(c)[0], error_code::unknown_member_id);
    EXPECT_EQ(gc.check_fetcher("g", std::string("a"), a.member_epoch), error_code::none);
    EXPECT_EQ(gc.check_fetcher("g", std::string("a"), 99), error_code::stale_member_epoch);
}

TEST_F(consumer_fixture, empty_groups_convert_between_protocols) {
    // A classic group with a member refuses consumer members...
    join_request jr;
    jr.group_id = "g";
    jr.client_id = "c";
    jr.protocol_type = "consumer";
    jr.protocols.push_back({"range", {}});
    jr.session_timeout_ms = 10000;
    jr.rebalance_timeout_ms = 10000;
    std::optional<join_result> joined;
    gc.join_group(jr, [&](join_result r) { joined = r; });
    ASSERT_TRUE(joined);
    EXPECT_EQ(gc.consumer_heartbeat(join_req("a")).error, error_code::group_id_not_found);
    EXPECT_EQ(gc.list_groups()[0].type, group_type::classic);
    // ...and once empty converts to a consumer group.
    gc.leave_group("g", {{joined->member_id, std::nullopt}});
    ASSERT_EQ(gc.consumer_heartbeat(join_req("a")).error, error_code::none);
    auto l = gc.list_groups();
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].type, group_type::consumer);
    EXPECT_EQ(l[0].state_name, "Stable");
    EXPECT_EQ(gc.describe_group("g").protocol_type, "consumer");
    // A classic join while the consumer group has members is refused...
    std::optional<join_result> refused;
    gc.join_group(jr, [&](join_result r) { refused = r; });
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->error, error_code::inconsistent_group_protocol);
    // ...and accepted once it is empty again.
    hb("a", 1, std::nullopt);
    hb("a", -1, std::nullopt);
    std::optional<join_result> back;
    gc.join_group(jr, [&](join_result r) { back = r; });
    ASSERT_TRUE(back);
    EXPECT_EQ(back->error, error_code::none);
    EXPECT_EQ(gc.list_groups()[0].type, group_type::classic);
}

TEST_F(consumer_fixture, a_replayed_snapshot_keeps_members_epochs_and_assignments) {
    std::map<std::string, std::optional<bytes>> stored;
    gc.set_consumer_persistence([&](const std::string& g, const std::optional<bytes>& snap) {
        stored[g] = snap;
        return status{};
    });
    auto a = gc.consumer_heartbeat(join_req("a"));
    auto j = join_req("b");
    j.subscribed_topic_names.reset();
    j.subscribed_topic_regex = "t";
    j.instance_id = "ib";
    gc.consumer_heartbeat(j);
    auto a2 = hb("a", a.member_epoch, *a.assignment);  // revoking half
    ASSERT_TRUE(stored["g"]);
    group_coordinator restarted{make_opts(), [this] { return now; }};
    restarted.set_topic_source([this] { return topics; });
    restarted.load_consumer_group("g", stored["g"]);
    auto d = restarted.describe_consumer_group("g");
    ASSERT_EQ(d.members.size(), 2u);
    EXPECT_EQ(d.members[1].instance_id, "ib");
    EXPECT_EQ(d.members[1].subscribed_topic_regex, "t");
    // a goes on with its epoch: it still has to revoke, then b gets the rest.
    consumer_heartbeat_request r;
    r.group_id = "g";
    r.member_id = "a";
    r.member_epoch = a2.member_epoch;
    r.owned = *a2.assignment;
    auto a3 = restarted.consumer_heartbeat(r);
    ASSERT_EQ(a3.error, error_code::none);
    EXPECT_EQ(*a3.assignment, *a2.assignment);
    r.member_id = "b";
    r.member_epoch = d.members[1].member_epoch;
    r.owned = partition_set{};
    auto b = restarted.consumer_heartbeat(r);
    ASSERT_EQ(b.error, error_code::none);
    EXPECT_EQ(count(*b.assignment), 3u);
    // Once every member left, the snapshot is a tombstone.
    hb("a", -1, std::nullopt);
    hb("b", -1, std::nullopt);
    EXPECT_FALSE(stored["g"]);
}

TEST_F(consumer_fixture, earlier_deadlines_wake_the_caller) {
    std::vector<int64_t> wakes;
    gc.set_wakeup([&](int64_t d) { wakes.push_back(d); });
    gc.tick();
    gc.consumer_heartbeat(join_req("a"));
    ASSERT_FALSE(wakes.empty());
    EXPECT_EQ(wakes.back(), now + 1000);
}

}  // namespace
}  // namespace consumer_group_test
}  // namespace spate::coordinator
