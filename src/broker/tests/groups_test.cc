// Consumer group APIs over TCP: FindCoordinator, the JoinGroup/SyncGroup
// round trip (with KIP-394), Heartbeat, LeaveGroup, OffsetCommit/Fetch,
// ListGroups, DescribeGroups, DeleteGroups.

#include <gtest/gtest.h>

#include "broker/tests/test_client.h"
#include "kafka/protocol/generated/delete_groups_request.h"
#include "kafka/protocol/generated/delete_groups_response.h"
#include "kafka/protocol/generated/describe_groups_request.h"
#include "kafka/protocol/generated/describe_groups_response.h"
#include "kafka/protocol/generated/find_coordinator_request.h"
#include "kafka/protocol/generated/find_coordinator_response.h"
#include "kafka/protocol/generated/heartbeat_request.h"
#include "kafka/protocol/generated/heartbeat_response.h"
#include "kafka/protocol/generated/join_group_request.h"
#include "kafka/protocol/generated/join_group_response.h"
#include "kafka/protocol/generated/leave_group_request.h"
#include "kafka/protocol/generated/leave_group_response.h"
#include "kafka/protocol/generated/list_groups_request.h"
#include "kafka/protocol/generated/list_groups_response.h"
#include "kafka/protocol/generated/offset_commit_request.h"
#include "kafka/protocol/generated/offset_commit_response.h"
#include "kafka/protocol/generated/offset_fetch_request.h"
#include "kafka/protocol/generated/offset_fetch_response.h"
#include "kafka/protocol/generated/sync_group_request.h"
#include "kafka/protocol/generated/sync_group_response.h"

namespace spate::broker::test {
namespace groups_test {
namespace {

using namespace kafka::protocol;

broker_config fast_groups() {
    broker_config cfg;
    cfg.group_initial_rebalance_delay_ms = 0;
    return cfg;
}

join_group_request join_req(const std::string& member) {
    join_group_request j;
    j.group_id = "g";
    j.member_id = member;
    j.session_timeout_ms = 10000;
    j.rebalance_timeout_ms = 10000;
    j.protocol_type = "consumer";
    j.protocols.push_back({"range", {std::byte{1}, std::byte{2}}});
    return j;
}

TEST(groups, find_coordinator_single_and_batched) {
    test_broker tb;
    test_client c(tb.port());
    find_coordinator_request r;
    r.key = "g";
    auto a = c.call<find_coordinator_response>(r, 2);
    EXPECT_EQ(a.error_code, 0);
    EXPECT_EQ(a.host, "127.0.0.1");
    EXPECT_EQ(a.port, tb.port());
    r.coordinator_keys = {"g1", "g2"};
    auto b4 = c.call<find_coordinator_response>(r, 4);
    ASSERT_EQ(b4.coordinators.size(), 2u);
    EXPECT_EQ(b4.coordinators[1].key, "g2");
    EXPECT_EQ(b4.coordinators[1].port, tb.port());
    // Transactional ids are coordinated here too; unknown key types are refused.
    r.key_type = 1;
    auto txn = c.call<find_coordinator_response>(r, 3);
    EXPECT_EQ(txn.error_code, code(error_code::none));
    EXPECT_EQ(txn.port, tb.port());
    r.key_type = 7;
    auto bad = c.call<find_coordinator_response>(r, 3);
    EXPECT_EQ(bad.error_code, code(error_code::invalid_request));
}

// One client's life in group "g" on a broker with topic "t" (2 partitions):
// each step checks one API; the test runs them in order, stopping at the
// first fatal failure.
class groups_member_lifecycle : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(tb.logs().create_topic("t", 2, {}).ok()); }

    // KIP-394: the first v5 join hands out the member id; the second joins
    // generation 1 as the leader.
    void join() {
        auto j0 = c.call<join_group_response>(join_req(""), 5);
        EXPECT_EQ(j0.error_code, code(error_code::member_id_required));
        ASSERT_FALSE(j0.member_id.empty());
        member_id = j0.member_id;
        auto j1 = c.call<join_group_response>(join_req(member_id), 5);
        ASSERT_EQ(j1.error_code, 0);
        EXPECT_EQ(j1.generation_id, 1);
        EXPECT_EQ(j1.leader, member_id);
        EXPECT_EQ(j1.protocol_name, "range");
        ASSERT_EQ(j1.members.size(), 1u);
    }

    // The leader's SyncGroup hands back its own assignment.
    void sync() {
        sync_group_request s;
        s.group_id = "g";
        s.generation_id = 1;
        s.member_id = member_id;
        s.assignments.push_back({member_id, {std::byte{9}}});
        auto s1 = c.call<sync_group_response>(s, 5);
        EXPECT_EQ(s1.error_code, 0);
        EXPECT_EQ(s1.assignment, std::vector<std::byte>{std::byte{9}});
    }

    // A heartbeat of the current generation is accepted, another is not.
    void heartbeat() {
        heartbeat_request h;
        h.group_id = "g";
        h.generation_id = 1;
        h.member_id = member_id;
        EXPECT_EQ(c.call<heartbeat_response>(h, 4).error_code, 0);
        h.generation_id = 7;
        EXPECT_EQ(c.call<heartbeat_response>(h, 4).error_code,
                  code(error_code::illegal_generation));
    }

    // Commits t-0 at 5 ("meta"); unknown partitions and topics and a stale
    // generation are refused per partition.
    void commit() {
        offset_commit_request oc;
        oc.group_id = "g";
        oc.generation_id_or_member_epoch = 1;
        oc.member_id = member_id;
        oc.topics.push_back({"t", {{0, 5, -1, -1, "meta"}, {7, 1, -1, -1, ""}}});
        oc.topics.push_back({"missing", {{0, 5, -1, -1, ""}}});
        auto ocr = c.call<offset_commit_response>(oc, 8);
        ASSERT_EQ(ocr.topics.size(), 2u);
        EXPECT_EQ(ocr.topics[0].partitions[0].error_code, 0);
        EXPECT_EQ(ocr.topics[0].partitions[1].error_code,
                  code(error_code::unknown_topic_or_partition));
        EXPECT_EQ(ocr.topics[1].partitions[0].error_code,
                  code(error_code::unknown_topic_or_partition));
        oc.generation_id_or_member_epoch = 0;
        oc.topics.pop_back();
        auto stale = c.call<offset_commit_response>(oc, 2);
        EXPECT_EQ(stale.topics[0].partitions[0].error_code, code(error_code::illegal_generation));
    }

    // OffsetFetch v7 of t-0 and t-1.
    offset_fetch_request fetch_t() {
        offset_fetch_request of;
        of.group_id = "g";
        of.topics = std::vector<offset_fetch_request::offset_fetch_request_topic>{{"t", {0, 1}}};
        return of;
    }

    void fetch() {
        auto ofr = c.call<offset_fetch_response>(fetch_t(), 7);
        ASSERT_EQ(ofr.topics.size(), 1u);
        ASSERT_EQ(ofr.topics[0].partitions.size(), 2u);
        EXPECT_EQ(ofr.topics[0].partitions[0].committed_offset, 5);
        EXPECT_EQ(ofr.topics[0].partitions[0].metadata, "meta");
        EXPECT_EQ(ofr.topics[0].partitions[1].committed_offset, -1);
        // v8: several groups, null topics = everything committed.
        offset_fetch_request of8;
        of8.groups.push_back({"g", std::nullopt, -1, std::nullopt});
        of8.groups.push_back({"other", std::nullopt, -1, std::nullopt});
        auto of8r = c.call<offset_fetch_response>(of8, 8);
        ASSERT_EQ(of8r.groups.size(), 2u);
        ASSERT_EQ(of8r.groups[0].topics.size(), 1u);
        EXPECT_EQ(of8r.groups[0].topics[0].partitions.at(0).committed_offset, 5);
        EXPECT_TRUE(of8r.groups[1].topics.empty());
    }

    // ListGroups and DescribeGroups show the group Stable with one member.
    void list_and_describe() {
        list_groups_request lg;
        auto lgr = c.call<list_groups_response>(lg, 4);
        ASSERT_EQ(lgr.groups.size(), 1u);
        EXPECT_EQ(lgr.groups[0].group_state, "Stable");
        lg.states_filter = {"empty"};
        EXPECT_TRUE(c.call<list_groups_response>(lg, 4).groups.empty());

        describe_groups_request dg;
        dg.groups = {"g"};
        auto dgr = c.call<describe_groups_response>(dg, 5);
        ASSERT_EQ(dgr.groups.size(), 1u);
        EXPECT_EQ(dgr.groups[0].group_state, "Stable");
        EXPECT_EQ(dgr.groups[0].protocol_data, "range");
        ASSERT_EQ(dgr.groups[0].members.size(), 1u);
    }

    // DeleteGroups is refused while the member is in; LeaveGroup (with an
    // unknown member too) empties the group; then it is deleted with its offsets.
    void leave_and_delete() {
        delete_groups_request del;
        del.groups_names = {"g"};
        EXPECT_EQ(c.call<delete_groups_response>(del, 2).results.at(0).error_code,
                  code(error_code::non_empty_group));

        leave_group_request lv;
        lv.group_id = "g";
        lv.members.push_back({member_id, std::nullopt, std::nullopt});
        lv.members.push_back({"ghost", std::nullopt, std::nullopt});
        auto lvr = c.call<leave_group_response>(lv, 4);
        ASSERT_EQ(lvr.members.size(), 2u);
        EXPECT_EQ(lvr.members[0].error_code, 0);
        EXPECT_EQ(lvr.members[1].error_code, code(error_code::unknown_member_id));

        EXPECT_EQ(c.call<delete_groups_response>(del, 2).results.at(0).error_code, 0);
        auto gone = c.call<offset_fetch_response>(fetch_t(), 7);
        EXPECT_EQ(gone.topics[0].partitions[0].committed_offset, -1);
    }

    test_broker tb{fast_groups()};
    test_client c{tb.port()};
    std::string member_id;
};

TEST_F(groups_member_lifecycle, join_sync_heartbeat_commit_fetch_leave) {
    ASSERT_NO_FATAL_FAILURE(join());
    ASSERT_NO_FATAL_FAILURE(sync());
    ASSERT_NO_FATAL_FAILURE(heartbeat());
    ASSERT_NO_FATAL_FAILURE(commit());
    ASSERT_NO_FATAL_FAILURE(fetch());
    ASSERT_NO_FATAL_FAILURE(list_and_describe());
    ASSERT_NO_FATAL_FAILURE(leave_and_delete());
}

TEST(groups, two_members_join_concurrently) {
    test_broker tb(fast_groups());
    test_client a(tb.port()), b(tb.port());
    auto ja = a.call<join_group_response>(join_req(""), 3);
    ASSERT_EQ(ja.error_code, 0);
    // b's join waits for a to rejoin: send it, then rejoin a.
    int32_t bid = b.send(join_req(""), 3);
    // a learns of the rebalance through its heartbeat.
    heartbeat_request h;
    h.group_id = "g";
    h.generation_id = ja.generation_id;
    h.member_id = ja.member_id;
    int16_t err = 0;
    for (int i = 0; i < 100 && err == 0; ++i)
        err = a.call<heartbeat_response>(h, 3).error_code;
    EXPECT_EQ(err, code(error_code::rebalance_in_progress));
    auto ja2 = a.call<join_group_response>(join_req(ja.member_id), 3);
    auto jb = b.receive<join_group_response>(3, bid);
    ASSERT_EQ(ja2.error_code, 0);
    ASSERT_EQ(jb.error_code, 0);
    EXPECT_EQ(ja2.generation_id, ja.generation_id + 1);
    EXPECT_EQ(jb.generation_id, ja2.generation_id);
    EXPECT_EQ(ja2.leader, ja.member_id);
    EXPECT_EQ(ja2.members.size(), 2u);

    sync_group_request sb;
    sb.group_id = "g";
    sb.generation_id = jb.generation_id;
    sb.member_id = jb.member_id;
    int32_t sid = b.send(sb, 3);
    sync_group_request sa = sb;
    sa.member_id = ja.member_id;
    sa.assignments.push_back({ja.member_id, {std::byte{1}}});
    sa.assignments.push_back({jb.member_id, {std::byte{2}}});
    EXPECT_EQ(a.call<sync_group_response>(sa, 3).assignment, std::vector<std::byte>{std::byte{1}});
    EXPECT_EQ(b.receive<sync_group_response>(3, sid).assignment,
              std::vector<std::byte>{std::byte{2}});
}

}  // namespace
}  // namespace groups_test
}  // namespace spate::broker::test
