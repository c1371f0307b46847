// State machine tests with a fake clock: join/sync round trips, KIP-394,
// protocol selection, fencing, session expiry, static membership, offsets.

#include "coordinator/group_coordinator.h"

#include <gtest/gtest.h>

namespace spate::coordinator {
namespace {

struct fixture : ::testing::Test {
    int64_t now = 1000;
    group_coordinator gc{make_opts(), [this] { return now; }};

    static group_coordinator::options make_opts() {
        group_coordinator::options o;
        o.initial_rebalance_delay_ms = 100;
        return o;
    }

    static bytes b(const std::string& s) {
        bytes out;
        for (char c : s)
            out.push_back(static_cast<std::byte>(c));
        return out;
    }

    join_request jr(const std::string& member, std::vector<std::string> protocols = {"range"},
                    std::optional<std::string> instance = std::nullopt) {
        join_request r;
        r.group_id = "g";
        r.member_id = member;
        r.instance_id = instance;
        r.client_id = "c";
        r.protocol_type = "consumer";
        for (auto& p : protocols)
            r.protocols.push_back({p, b(p + "-md")});
        r.session_timeout_ms = 10000;
        r.rebalance_timeout_ms = 20000;
        return r;
    }

    // Issues a join; the result lands in the returned slot when completed.
    std::shared_ptr<std::optional<join_result>> join(join_request r) {
        auto slot = std::make_shared<std::optional<join_result>>();
        gc.join_group(std::move(r), [slot](join_result res) { *slot = std::move(res); });
        return slot;
    }
    std::shared_ptr<std::optional<sync_result>> sync(
        const std::string& member, int32_t gen, std::vector<std::pair<std::string, bytes>> a = {}) {
        auto slot = std::make_shared<std::optional<sync_result>>();
        sync_request r;
        r.group_id = "g";
        r.member_id = member;
        r.generation = gen;
        r.assignments = std::move(a);
        gc.sync_group(std::move(r), [slot](sync_result res) { *slot = std::move(res); });
        return slot;
    }
    void advance(int64_t ms) {
        now += ms;
        gc.tick();
    }
    // A new member joining a fresh group alone, synced; returns its id.
    std::string solo_member() {
        auto j = join(jr(""));
        advance(100);
        EXPECT_TRUE(j->has_value());
        auto s = sync((*j)->member_id, (*j)->generation, {{(*j)->member_id, b("A")}});
        EXPECT_TRUE(s->has_value());
        return (*j)->member_id;
    }
};

TEST_F(fixture, single_member_join_waits_for_initial_delay_then_sync) {
    auto j = join(jr(""));
    EXPECT_FALSE(j->has_value());
    EXPECT_EQ(gc.describe_group("g").state, group_state::preparing_rebalance);
    advance(99);
    EXPECT_FALSE(j->has_value());
    advance(1);
    ASSERT_TRUE(j->has_value());
    EXPECT_EQ((*j)->error, group_error::none);
    EXPECT_EQ((*j)->generation, 1);
    EXPECT_EQ((*j)->protocol_name, "range");
    EXPECT_EQ((*j)->leader, (*j)->member_id);
    ASSERT_EQ((*j)->members.size(), 1u);
    EXPECT_EQ(gc.describe_group("g").state, group_state::completing_rebalance);
    auto s = sync((*j)->member_id, 1, {{(*j)->member_id, b("A")}});
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->error, group_error::none);
    EXPECT_EQ((*s)->assignment, b("A"));
    EXPECT_EQ(gc.describe_group("g").state, group_state::stable);
    EXPECT_EQ(gc.heartbeat("g", (*j)->member_id, std::nullopt, 1), group_error::none);
    EXPECT_EQ(gc.heartbeat("g", (*j)->member_id, std::nullopt, 0), group_error::illegal_generation);
    EXPECT_EQ(gc.heartbeat("g", "nobody", std::nullopt, 1), group_error::unknown_member_id);
}

TEST_F(fixture, member_id_required_round_trip) {
    auto r = jr("");
    r.require_known_member_id = true;
    auto j = join(r);
    ASSERT_TRUE(j->has_value());
    EXPECT_EQ((*j)->error, group_error::member_id_required);
    std::string id = (*j)->member_id;
    EXPECT_FALSE(id.empty());
    auto j2 = join(jr(id));
    advance(100);
    ASSERT_TRUE(j2->has_value());
    EXPECT_EQ((*j2)->error, group_error::none);
    EXPECT_EQ((*j2)->member_id, id);
    // An id that was never handed out is unknown.
    auto j3 = join(jr("made-up"));
    ASSERT_TRUE(j3->has_value());
    EXPECT_EQ((*j3)->error, group_error::unknown_member_id);
}

TEST_F(fixture, second_member_triggers_rebalance_and_leader_assigns) {
    std::string a = solo_member();
    auto jb = join(jr("", {"range"}));
    EXPECT_FALSE(jb->has_value());
    EXPECT_EQ(gc.heartbeat("g", a, std::nullopt, 1), group_error::rebalance_in_progress);
    auto ja = join(jr(a));
    ASSERT_TRUE(ja->has_value());
    ASSERT_TRUE(jb->has_value());
    EXPECT_EQ((*ja)->generation, 2);
    EXPECT_EQ((*ja)->leader, a);
    EXPECT_EQ((*ja)->members.size(), 2u);
    EXPECT_TRUE((*jb)->members.empty());
    std::string bid = (*jb)->member_id;
    auto sb = sync(bid, 2);
    EXPECT_FALSE(sb->has_value());
    auto sa = sync(a, 2, {{a, b("A")}, {bid, b("B")}});
    ASSERT_TRUE(sa->has_value());
    ASSERT_TRUE(sb->has_value());
    EXPECT_EQ((*sb)->assignment, b("B"));
    EXPECT_EQ((*sa)->assignment, b("A"));
    // A stale generation is fenced.
    auto stale = sync(a, 1);
    EXPECT_EQ((*stale)->error, group_error::illegal_generation);
}

TEST_F(fixture, protocol_selection_and_inconsistent_protocol) {
    auto j1 = join(jr("", {"roundrobin", "range"}));
    auto j2 = join(jr("", {"range", "roundrobin"}));
    auto j3 = join(jr("", {"range"}));
    advance(100);
    ASSERT_TRUE(j1->has_value());
    EXPECT_EQ((*j1)->protocol_name, "range");
    auto bad = join(jr("", {"sticky"}));
    ASSERT_TRUE(bad->has_value());
    EXPECT_EQ((*bad)->error, group_error::inconsistent_group_protocol);
}

TEST_F(fixture, session_expiry_removes_member_and_rebalances) {
    std::string a = solo_member();
    auto jb = join(jr(""));
    auto ja = join(jr(a));
    ASSERT_TRUE(jb->has_value());
    std::string bid = (*jb)->member_id;
    sync(a, 2, {{a, b("A")}, {bid, b("B")}});
    // a keeps heartbeating, b goes silent.
    for (int i = 0; i < 12; ++i) {
        advance(1000);
        if (i < 11) gc.heartbeat("g", a, std::nullopt, 2);
    }
    EXPECT_EQ(gc.heartbeat("g", bid, std::nullopt, 2), group_error::unknown_member_id);
    EXPECT_EQ(gc.heartbeat("g", a, std::nullopt, 2), group_error::rebalance_in_progress);
    auto ja3 = join(jr(a));
    ASSERT_TRUE(ja3->has_value());
    EXPECT_EQ((*ja3)->generation, 3);
    EXPECT_EQ((*ja3)->members.size(), 1u);
}

TEST_F(fixture, rebalance_timeout_drops_members_that_do_not_rejoin) {
    std::string a = solo_member();
    auto jb = join(jr(""));
    EXPECT_FALSE(jb->has_value());
    // a heartbeats (sees REBALANCE_IN_PROGRESS) but never rejoins.
    for (int i = 0; i < 21; ++i) {
        advance(1000);
        gc.heartbeat("g", a, std::nullopt, 1);
    }
    ASSERT_TRUE(jb->has_value());
    EXPECT_EQ((*jb)->members.size(), 1u);
    EXPECT_EQ((*jb)->leader, (*jb)->member_id);
}

TEST_F(fixture, leave_group_batched) {
    std::string a = solo_member();
    auto errs = gc.leave_group("g", {{a, std::nullopt}, {"ghost", std::nullopt}});
    ASSERT_EQ(errs.size(), 2u);
    EXPECT_EQ(errs[0], group_error::none);
    EXPECT_EQ(errs[1], group_error::unknown_member_id);
    EXPECT_EQ(gc.describe_group("g").state, group_state::empty);
}

TEST_F(fixture, static_member_rejoins_without_rebalance) {
    auto ja = join(jr("", {"range"}, "inst-a"));
    auto jb = join(jr("", {"range"}, "inst-b"));
    advance(100);
    ASSERT_TRUE(ja->has_value());
    ASSERT_TRUE(jb->has_value());
    std::string a = (*ja)->member_id, bm = (*jb)->member_id;
    std::string leader = (*ja)->leader;
    std::string follower = leader == a ? bm : a;
    std::string follower_inst = leader == a ? "inst-b" : "inst-a";
    sync(follower, 1);
    sync(leader, 1, {{a, b("A")}, {bm, b("B")}});
    // The follower restarts: it comes back with no member id.
    auto again = join(jr("", {"range"}, follower_inst));
    ASSERT_TRUE(again->has_value());
    EXPECT_EQ((*again)->error, group_error::none);
    EXPECT_EQ((*again)->generation, 1);
    EXPECT_NE((*again)->member_id, follower);
    EXPECT_EQ(gc.describe_group("g").state, group_state::stable);
    auto s = sync((*again)->member_id, 1);
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->assignment, leader == a ? b("B") : b("A"));
    // The old incarnation is fenced.
    EXPECT_EQ(gc.heartbeat("g", follower, follower_inst, 1), group_error::fenced_instance_id);
}

TEST_F(fixture, offsets_commit_fetch_and_generation_checks) {
    offset_commit_request simple;
    simple.group_id = "simple";
    simple.offsets.push_back({{"t", 0}, {42, -1, "md", 5}});
    auto errs = gc.commit_offsets(simple);
    ASSERT_EQ(errs.size(), 1u);
    EXPECT_EQ(errs[0], group_error::none);
    auto got = gc.fetch_offsets("simple", std::nullopt);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got.begin()->second.offset, 42);
    EXPECT_EQ(got.begin()->second.metadata, "md");

    std::string a = solo_member();
    offset_commit_request c;
    c.group_id = "g";
    c.member_id = a;
    c.generation = 1;
    c.offsets.push_back({{"t", 3}, {7, -1, "", 0}});
    EXPECT_EQ(gc.commit_offsets(c)[0], group_error::none);
    c.generation = 0;
    EXPECT_EQ(gc.commit_offsets(c)[0], group_error::illegal_generation);
    c.generation = 1;
    c.member_id = "x";
    EXPECT_EQ(gc.commit_offsets(c)[0], group_error::unknown_member_id);
    offset_commit_request s2;
    s2.group_id = "g";
    s2.offsets.push_back({{"t", 3}, {9, -1, "", 0}});
    EXPECT_EQ(gc.commit_offsets(s2)[0], group_error::unknown_member_id);
    auto f = gc.fetch_offsets("g", std::vector<topic_partition>{{"t", 3}, {"t", 4}});
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f.at({"t", 3}).offset, 7);
}

TEST_F(fixture, delete_and_list_groups) {
    std::string a = solo_member();
    EXPECT_EQ(gc.delete_group("g"), group_error::non_empty_group);
    EXPECT_EQ(gc.delete_group("nope"), group_error::group_id_not_found);
    gc.leave_group("g", {{a, std::nullopt}});
    auto l = gc.list_groups();
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].state, group_state::empty);
    EXPECT_EQ(gc.delete_group("g"), group_error::none);
    EXPECT_TRUE(gc.list_groups().empty());
}

}  // namespace
}  // namespace spate::coordinator
