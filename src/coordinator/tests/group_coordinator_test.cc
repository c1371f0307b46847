// State machine tests with a fake clock: join/sync round trips, KIP-394,
// protocol selection, fencing, session expiry, static membership, offsets.

#include "coordinator/group_coordinator.h"

#include <gtest/gtest.h>

namespace spate::coordinator {
namespace group_coordinator_test {
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
    EXPECT_EQ((*j)->error, error_code::none);
    EXPECT_EQ((*j)->generation, 1);
    EXPECT_EQ((*j)->protocol_name, "range");
    EXPECT_EQ((*j)->leader, (*j)->member_id);
    ASSERT_EQ((*j)->members.size(), 1u);
    EXPECT_EQ(gc.describe_group("g").state, group_state::completing_rebalance);
    auto s = sync((*j)->member_id, 1, {{(*j)->member_id, b("A")}});
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->error, error_code::none);
    EXPECT_EQ((*s)->assignment, b("A"));
    EXPECT_EQ(gc.describe_group("g").state, group_state::stable);
    EXPECT_EQ(gc.heartbeat("g", (*j)->member_id, std::nullopt, 1), error_code::none);
    EXPECT_EQ(gc.heartbeat("g", (*j)->member_id, std::nullopt, 0), error_code::illegal_generation);
    EXPECT_EQ(gc.heartbeat("g", "nobody", std::nullopt, 1), error_code::unknown_member_id);
}

TEST_F(fixture, member_id_required_round_trip) {
    auto r = jr("");
    r.require_known_member_id = true;
    auto j = join(r);
    ASSERT_TRUE(j->has_value());
    EXPECT_EQ((*j)->error, error_code::member_id_required);
    std::string id = (*j)->member_id;
    EXPECT_FALSE(id.empty());
    auto j2 = join(jr(id));
    advance(100);
    ASSERT_TRUE(j2->has_value());
    EXPECT_EQ((*j2)->error, error_code::none);
    EXPECT_EQ((*j2)->member_id, id);
    // An id that was never handed out is unknown.
    auto j3 = join(jr("made-up"));
    ASSERT_TRUE(j3->has_value());
    EXPECT_EQ((*j3)->error, error_code::unknown_member_id);
}

TEST_F(fixture, second_member_triggers_rebalance_and_leader_assigns) {
    std::string a = solo_member();
    auto jb = join(jr("", {"range"}));
    EXPECT_FALSE(jb->has_value());
    EXPECT_EQ(gc.heartbeat("g", a, std::nullopt, 1), error_code::rebalance_in_progress);
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
    EXPECT_EQ((*stale)->error, error_code::illegal_generation);
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
    EXPECT_EQ((*bad)->error, error_code::inconsistent_group_protocol);
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
    EXPECT_EQ(gc.heartbeat("g", bid, std::nullopt, 2), error_code::unknown_member_id);
    EXPECT_EQ(gc.heartbeat("g", a, std::nullopt, 2), error_code::rebalance_in_progress);
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
    EXPECT_EQ(errs[0], error_code::none);
    EXPECT_EQ(errs[1], error_code::unknown_member_id);
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
    EXPECT_EQ((*again)->error, error_code::none);
    EXPECT_EQ((*again)->generation, 1);
    EXPECT_NE((*again)->member_id, follower);
    EXPECT_EQ(gc.describe_group("g").state, group_state::stable);
    auto s = sync((*again)->member_id, 1);
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->assignment, leader == a ? b("B") : b("A"));
    // The old incarnation is fenced.
    EXPECT_EQ(gc.heartbeat("g", follower, follower_inst, 1), error_code::fenced_instance_id);
}

TEST_F(fixture, offsets_commit_fetch_and_generation_checks) {
    offset_commit_request simple;
    simple.group_id = "simple";
    simple.offsets.push_back({{"t", 0}, {42, -1, "md", 5}});
    auto errs = gc.commit_offsets(simple);
    ASSERT_EQ(errs.size(), 1u);
    EXPECT_EQ(errs[0], error_code::none);
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
    EXPECT_EQ(gc.commit_offsets(c)[0], error_code::none);
    c.generation = 0;
    EXPECT_EQ(gc.commit_offsets(c)[0], error_code::illegal_generation);
    c.generation = 1;
    c.member_id = "x";
    EXPECT_EQ(gc.commit_offsets(c)[0], error_code::unknown_member_id);
    offset_commit_request s2;
    s2.group_id = "g";
    s2.offsets.push_back({{"t", 3}, {9, -1, "", 0}});
    EXPECT_EQ(gc.commit_offsets(s2)[0], error_code::unknown_member_id);
    auto f = gc.fetch_offsets("g", std::vector<topic_partition>{{"t", 3}, {"t", 4}});
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f.at({"t", 3}).offset, 7);
}

TEST_F(fixture, delete_and_list_groups) {
    std::string a = solo_member();
    EXPECT_EQ(gc.delete_group("g"), error_code::non_empty_group);
    EXPECT_EQ(gc.delete_group("nope"), error_code::group_id_not_found);
    gc.leave_group("g", {{a, std::nullopt}});
    auto l = gc.list_groups();
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].state, group_state::empty);
    EXPECT_EQ(gc.delete_group("g"), error_code::none);
    EXPECT_TRUE(gc.list_groups().empty());
}

// ConsumerProtocolSubscription v0 naming `topics`, with null user data.
bytes subscription(const std::vector<std::string>& topics) {
    bytes out{std::byte{0}, std::byte{0}};
    uint32_t n = static_cast<uint32_t>(topics.size());
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::byte>((n >> shift) & 0xff));
    for (const auto& t : topics) {
        out.push_back(static_cast<std::byte>(t.size() >> 8));
        out.push_back(static_cast<std::byte>(t.size() & 0xff));
        for (char c : t)
            out.push_back(static_cast<std::byte>(c));
    }
    for (int i = 0; i < 4; ++i)
        out.push_back(std::byte{0xff});
    return out;
}

TEST_F(fixture, offset_delete_refuses_subscribed_topics_of_an_active_group) {
    auto r = jr("");
    r.protocols = {{"range", subscription({"t"})}};
    auto j = join(r);
    advance(100);
    ASSERT_TRUE(j->has_value());
    std::string m = (*j)->member_id;
    sync(m, (*j)->generation, {{m, b("A")}});
    offset_commit_request c;
    c.group_id = "g";
    c.generation = (*j)->generation;
    c.member_id = m;
    c.offsets = {{{"t", 0}, {5, -1, "", 0}}, {{"u", 0}, {6, -1, "", 0}}};
    ASSERT_EQ(gc.commit_offsets(c), (std::vector<error_code>{error_code::none, error_code::none}));
    auto [top, errs] = gc.delete_offsets("g", {{"t", 0}, {"u", 0}});
    EXPECT_EQ(top, error_code::none);
    EXPECT_EQ(errs,
              (std::vector<error_code>{error_code::group_subscribed_to_topic, error_code::none}));
    auto left = gc.fetch_offsets("g", std::nullopt);
    EXPECT_EQ(left.size(), 1u);
    EXPECT_TRUE(left.count({"t", 0}));
    // Once the group is empty every offset may go.
    gc.leave_group("g", {{m, std::nullopt}});
    EXPECT_EQ(gc.delete_offsets("g", {{"t", 0}}).first, error_code::none);
    EXPECT_TRUE(gc.fetch_offsets("g", std::nullopt).empty());
    EXPECT_EQ(gc.delete_offsets("nope", {{"t", 0}}).first, error_code::group_id_not_found);
}

TEST_F(fixture, offset_delete_of_a_non_consumer_group_with_members_is_non_empty_group) {
    auto r = jr("");
    r.protocol_type = "connect";
    auto j = join(r);
    advance(100);
    ASSERT_TRUE(j->has_value());
    EXPECT_EQ(gc.delete_offsets("g", {{"t", 0}}).first, error_code::non_empty_group);
}

TEST_F(fixture, empty_group_offsets_expire_after_retention_since_it_became_empty) {
    group_coordinator::options o;
    o.initial_rebalance_delay_ms = 0;
    o.offsets_retention_ms = 1000;
    o.offsets_retention_check_interval_ms = 100;
    group_coordinator g2(o, [this] { return now; });
    std::optional<join_result> jres;
    g2.join_group(jr(""), [&](join_result r) { jres = r; });
    ASSERT_TRUE(jres);
    offset_commit_request c;
    c.group_id = "g";
    c.generation = jres->generation;
    c.member_id = jres->member_id;
    c.offsets = {{{"t", 0}, {5, -1, "", 0}}};
    std::optional<sync_result> sres;
    sync_request s;
    s.group_id = "g";
    s.member_id = jres->member_id;
    s.generation = jres->generation;
    g2.sync_group(s, [&](sync_result r) { sres = r; });
    ASSERT_EQ(g2.commit_offsets(c)[0], error_code::none);
    now += 5000;  // a stable group's offsets never expire
    EXPECT_EQ(g2.expire_offsets(), 0u);
    g2.leave_group("g", {{jres->member_id, std::nullopt}});
    now += 999;
    EXPECT_EQ(g2.expire_offsets(), 0u);
    now += 1;
    EXPECT_EQ(g2.expire_offsets(), 1u);
    EXPECT_TRUE(g2.fetch_offsets("g", std::nullopt).empty());
    EXPECT_TRUE(g2.list_groups().empty());
    // Simple commits (no members ever) expire one by one by commit time.
    offset_commit_request simple;
    simple.group_id = "s";
    simple.offsets = {{{"t", 0}, {1, -1, "", now}}, {{"t", 1}, {1, -1, "", now + 500}}};
    g2.commit_offsets(simple);
    now += 1000;
    EXPECT_EQ(g2.expire_offsets(), 1u);
    now += 500;
    g2.tick();  // the first tick starts the periodic check's clock
    EXPECT_EQ(g2.fetch_offsets("s", std::nullopt).size(), 1u);
    now += 100;
    g2.tick();  // one check interval later, tick() runs the expiry
    EXPECT_TRUE(g2.fetch_offsets("s", std::nullopt).empty());
}

TEST_F(fixture, deleting_a_topic_removes_its_offsets_from_every_group) {
    offset_commit_request c;
    c.group_id = "a";
    c.offsets = {{{"t", 0}, {1, -1, "", 0}}, {{"u", 0}, {2, -1, "", 0}}};
    gc.commit_offsets(c);
    c.group_id = "b";
    c.offsets = {{{"t", 3}, {1, -1, "", 0}}};
    gc.commit_offsets(c);
    gc.delete_topic_offsets("t");
    auto a = gc.fetch_offsets("a", std::nullopt);
    EXPECT_EQ(a.size(), 1u);
    EXPECT_TRUE(a.count({"u", 0}));
    EXPECT_TRUE(gc.fetch_offsets("b", std::nullopt).empty());
    EXPECT_EQ(gc.describe_group("b").state, group_state::dead);
}

TEST_F(fixture, a_failed_write_fails_the_commit_and_keeps_the_old_offset) {
    bool fail = false;
    std::vector<size_t> batch_sizes;
    gc.set_persistence(
        [&](const std::string&, const std::vector<offset_change>& ch) -> status {
            if (fail) return make_error(errc::io_error, "disk");
            batch_sizes.push_back(ch.size());
            return {};
        },
        [](const std::string&, const std::optional<group_snapshot>&) -> status { return {}; });
    offset_commit_request c;
    c.group_id = "g";
    c.offsets = {{{"t", 0}, {1, -1, "", 0}}, {{"t", 1}, {2, -1, "", 0}}};
    gc.commit_offsets(c);
    EXPECT_EQ(batch_sizes, std::vector<size_t>{2});  // one write per commit
    fail = true;
    c.offsets = {{{"t", 0}, {9, -1, "", 0}}};
    EXPECT_EQ(gc.commit_offsets(c)[0], error_code::coordinator_not_available);
    EXPECT_EQ(gc.fetch_offsets("g", std::nullopt).at({"t", 0}).offset, 1);
}

TEST_F(fixture, completed_generations_and_empty_groups_are_persisted) {
    std::vector<std::optional<group_snapshot>> written;
    gc.set_persistence(
        [](const std::string&, const std::vector<offset_change>&) -> status { return {}; },
        [&](const std::string&, const std::optional<group_snapshot>& g) -> status {
            written.push_back(g);
            return {};
        });
    std::string a = solo_member();
    ASSERT_EQ(written.size(), 1u);
    ASSERT_TRUE(written[0]);
    EXPECT_EQ(written[0]->generation, 1);
    ASSERT_EQ(written[0]->members.size(), 1u);
    EXPECT_EQ(written[0]->members[0].member_id, a);
    EXPECT_EQ(written[0]->members[0].assignment, b("A"));
    gc.leave_group("g", {{a, std::nullopt}});
    advance(1);
    ASSERT_EQ(written.size(), 2u);
    EXPECT_TRUE(written[1]->members.empty());
    EXPECT_EQ(written[1]->generation, 2);
    EXPECT_EQ(gc.delete_group("g"), error_code::none);
    ASSERT_EQ(written.size(), 3u);
    EXPECT_FALSE(written[2]);
}

TEST_F(fixture, a_loaded_stable_group_expires_members_that_do_not_return) {
    group_snapshot snap;
    snap.protocol_type = "consumer";
    snap.generation = 4;
    snap.protocol_name = "range";
    snap.leader = "m1";
    snap.members.push_back({"m1", std::nullopt, "c", "h", 20000, 10000, b("md"), b("A")});
    snap.members.push_back({"m2", "i2", "c", "h", 20000, 10000, b("md"), b("B")});
    gc.load_group("g", snap);
    EXPECT_EQ(gc.describe_group("g").state, group_state::stable);
    EXPECT_EQ(gc.heartbeat("g", "m2", std::string("i2"), 4), error_code::none);
    EXPECT_EQ(gc.heartbeat("g", "m2", std::string("other"), 4), error_code::none);
    auto s = sync("m1", 4);
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->assignment, b("A"));
    advance(9000);
    EXPECT_EQ(gc.heartbeat("g", "m1", std::nullopt, 4), error_code::none);
    advance(2000);  // m2 went silent for 11 s: it is removed, a rebalance starts
    EXPECT_EQ(gc.heartbeat("g", "m2", std::nullopt, 4), error_code::unknown_member_id);
    EXPECT_EQ(gc.heartbeat("g", "m1", std::nullopt, 4), error_code::rebalance_in_progress);
}

}  // namespace
}  // namespace group_coordinator_test
}  // namespace spate::coordinator
