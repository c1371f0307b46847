// The parts behind the group coordinator facade, each on its own: the
// committed-offset table, the pending transactional offsets, the registry's
// forgetting of unused groups, the expiry pass and its timer.

#include <gtest/gtest.h>

#include "coordinator/groups/expiry.h"
#include "coordinator/groups/offset_table.h"
#include "coordinator/groups/persistence.h"
#include "coordinator/groups/registry.h"
#include "coordinator/groups/txn_offset_table.h"

namespace spate::coordinator::groups {
namespace group_parts_test {
namespace {

committed_offset at(int64_t offset, int64_t committed_ms = 0) {
    committed_offset o;
    o.offset = offset;
    o.commit_timestamp_ms = committed_ms;
    return o;
}

const topic_partition k_a0{"a", 0};
const topic_partition k_a1{"a", 1};
const topic_partition k_b0{"b", 0};

TEST(offset_table, apply_sets_offsets_and_removes_those_without_one) {
    offset_table t;
    t.apply({{k_a0, at(5)}, {k_a1, at(7)}});
    t.apply({{k_a0, std::nullopt}, {k_b0, at(9)}});
    EXPECT_FALSE(t.contains(k_a0));
    ASSERT_EQ(t.all().size(), 2u);
    EXPECT_EQ(t.all().at(k_a1).offset, 7);
    EXPECT_EQ(t.all().at(k_b0).offset, 9);
}

TEST(offset_table, get_answers_only_known_partitions) {
    offset_table t;
    t.set(k_a0, at(5));
    auto got = t.get({k_a0, k_b0});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got.at(k_a0).offset, 5);
}

TEST(offset_table, removals_of_topic_name_only_that_topic) {
    offset_table t;
    t.apply({{k_a0, at(1)}, {k_a1, at(2)}, {k_b0, at(3)}});
    auto changes = t.removals_of_topic("a");
    ASSERT_EQ(changes.size(), 2u);
    for (const auto& [tp, o] : changes) {
        EXPECT_EQ(tp.topic, "a");
        EXPECT_FALSE(o.has_value());
    }
    EXPECT_EQ(t.removals().size(), 3u);
}

TEST(offset_table, expiry_counts_from_empty_since_when_given_else_from_each_commit) {
    offset_table t;
    t.apply({{k_a0, at(1, /*committed_ms=*/100)}, {k_a1, at(2, /*committed_ms=*/500)}});
    EXPECT_EQ(t.expired(/*now=*/600, /*keep=*/200, std::nullopt).size(), 1u);
    EXPECT_EQ(t.expired(600, 200, /*empty_since=*/300).size(), 2u);
    EXPECT_TRUE(t.expired(600, 200, /*empty_since=*/450).empty());
}

TEST(accepted_offsets, oversized_metadata_is_refused_and_the_rest_kept_in_order) {
    committed_offset big = at(1);
    big.metadata = std::string(11, 'x');
    std::vector<error_code> errors(3, error_code::none);
    auto changes = accepted_offsets({{k_a0, at(1)}, {k_a1, big}, {k_b0, at(3)}}, 10, errors);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].first, k_a0);
    EXPECT_EQ(changes[1].first, k_b0);
    EXPECT_EQ(errors[1], error_code::offset_metadata_too_large);
    fail_accepted(errors, error_code::coordinator_not_available);
    EXPECT_EQ(errors[0], error_code::coordinator_not_available);
    EXPECT_EQ(errors[1], error_code::offset_metadata_too_large);
    EXPECT_EQ(errors[2], error_code::coordinator_not_available);
}

TEST(txn_offset_table, commit_moves_a_producers_offsets_into_the_committed_table) {
    txn_offset_table pending;
    offset_table committed;
    pending.add(7, {{k_a0, at(10)}});
    pending.add(8, {{k_a1, at(20)}});
    EXPECT_EQ(pending.partitions(), (std::set<topic_partition>{k_a0, k_a1}));
    EXPECT_TRUE(pending.complete(7, /*commit=*/true, committed));
    EXPECT_EQ(committed.all().at(k_a0).offset, 10);
    EXPECT_EQ(pending.partitions(), (std::set<topic_partition>{k_a1}));
}

TEST(txn_offset_table, abort_drops_them_and_an_unknown_producer_changes_nothing) {
    txn_offset_table pending;
    offset_table committed;
    pending.load(7, k_a0, at(10));
    EXPECT_FALSE(pending.complete(9, true, committed));
    EXPECT_TRUE(pending.complete(7, /*commit=*/false, committed));
    EXPECT_TRUE(committed.empty());
    EXPECT_TRUE(pending.empty());
}

TEST(registry, forgets_an_unused_group_but_keeps_one_with_offsets) {
    registry r;
    auto g = r.find_or_create("g");
    auto h = r.find_or_create("h");
    h->offsets.set(k_a0, at(1));
    r.drop_if_unused(g);
    r.drop_if_unused(h);
    EXPECT_EQ(r.find("g"), nullptr);
    EXPECT_EQ(g->state, group_state::dead);
    EXPECT_EQ(r.find("h"), h);
}

TEST(registry, remove_leaves_a_group_that_replaced_the_removed_one) {
    registry r;
    auto old = r.find_or_create("g");
    r.remove(old);
    auto fresh = r.find_or_create("g");
    r.remove(old);
    EXPECT_EQ(r.find("g"), fresh);
}

TEST(expiry_timer, is_due_once_per_interval_from_the_first_check) {
    expiry_timer t(100);
    EXPECT_FALSE(t.due(1000));
    EXPECT_FALSE(t.due(1099));
    EXPECT_TRUE(t.due(1100));
    EXPECT_FALSE(t.due(1150));
    EXPECT_TRUE(t.due(1200));
}

TEST(expire_group, a_failed_write_keeps_the_offsets_for_the_next_pass) {
    persistence store;
    bool fail = true;
    int writes = 0;
    store.set(
        [&](const std::string&, const std::vector<offset_change>&) -> status {
            ++writes;
            if (fail) return make_error(errc::io_error, "disk full");
            return {};
        },
        [](const std::string&, const std::optional<group_snapshot>&) -> status { return {}; }, {});
    group g;
    g.id = "g";
    g.protocol_type = "consumer";
    g.state_timestamp_ms = 0;
    g.offsets.set(k_a0, at(1));
    auto r = expire_group(g, /*now=*/1000, /*keep=*/100, store);
    EXPECT_FALSE(r.settled);
    EXPECT_EQ(r.removed, 0u);
    EXPECT_TRUE(g.offsets.contains(k_a0));
    fail = false;
    r = expire_group(g, 1000, 100, store);
    EXPECT_TRUE(r.settled);
    EXPECT_EQ(r.removed, 1u);
    EXPECT_TRUE(g.unused());
    EXPECT_TRUE(g.protocol_type.empty());
    EXPECT_EQ(writes, 2);
}

TEST(expire_group, leaves_a_group_with_members_alone) {
    persistence store;
    group g;
    g.state = group_state::stable;
    g.offsets.set(k_a0, at(1));
    auto r = expire_group(g, 1'000'000, 1, store);
    EXPECT_FALSE(r.settled);
    EXPECT_TRUE(g.offsets.contains(k_a0));
}

}  // namespace
}  // namespace group_parts_test
}  // namespace spate::coordinator::groups
