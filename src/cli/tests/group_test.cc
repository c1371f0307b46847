#include <gtest/gtest.h>

#include "cli/args.h"
#include "cli/group_format.h"

namespace spate::cli {
namespace group_test {
namespace {

using v = std::vector<std::string>;

TEST(parse_datetime_ms, iso_8601_with_zone) {
    EXPECT_EQ(*parse_datetime_ms("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(*parse_datetime_ms("2026-11-23T10:00:00Z"), 1795428000000);
    EXPECT_EQ(*parse_datetime_ms("2026-11-23T10:00Z"), 1795428000000);
    EXPECT_EQ(*parse_datetime_ms("2026-11-23T10:00:00.5Z"), 1795428000500);
    EXPECT_EQ(*parse_datetime_ms("2026-11-23T10:00:00.123456z"), 1795428000123);
    EXPECT_EQ(*parse_datetime_ms("2026-11-23T11:00:00+01:00"), 1795428000000);
    EXPECT_EQ(*parse_datetime_ms("2026-11-23T05:30:00-0430"), 1795428000000);
    EXPECT_EQ(*parse_datetime_ms("2024-02-29T00:00:00Z"), 1709164800000);
}

TEST(parse_datetime_ms, epoch_millis) {
    EXPECT_EQ(*parse_datetime_ms("0"), 0);
    EXPECT_EQ(*parse_datetime_ms("1795428000123"), 1795428000123);
}

TEST(parse_datetime_ms, rejects_malformed) {
    EXPECT_FALSE(parse_datetime_ms("").ok());
    EXPECT_FALSE(parse_datetime_ms("2026-11-23T10:00:00").ok());  // no zone
    EXPECT_NE(parse_datetime_ms("2026-11-23T10:00:00").err().message.find("time zone"),
              std::string::npos);
    EXPECT_FALSE(parse_datetime_ms("2026-11-23").ok());
    EXPECT_FALSE(parse_datetime_ms("2026-02-30T00:00:00Z").ok());
    EXPECT_FALSE(parse_datetime_ms("2025-02-29T00:00:00Z").ok());
    EXPECT_FALSE(parse_datetime_ms("2026-11-23T24:00:00Z").ok());
    EXPECT_FALSE(parse_datetime_ms("2026-11-23T10:60:00Z").ok());
    EXPECT_FALSE(parse_datetime_ms("2026-11-23T10:00:00.Z").ok());
    EXPECT_FALSE(parse_datetime_ms("2026-11-23T10:00:00Zx").ok());
    EXPECT_FALSE(parse_datetime_ms("2026-11-23T10:00:00+1").ok());
    EXPECT_FALSE(parse_datetime_ms("1969-12-31T23:59:59Z").ok());
    EXPECT_FALSE(parse_datetime_ms("-5").ok());
    EXPECT_FALSE(parse_datetime_ms("yesterday").ok());
}

TEST(parse_group_state, case_insensitive_canonical) {
    EXPECT_EQ(*parse_group_state("stable"), "Stable");
    EXPECT_EQ(*parse_group_state("EMPTY"), "Empty");
    EXPECT_EQ(*parse_group_state("preparingrebalance"), "PreparingRebalance");
    EXPECT_FALSE(parse_group_state("running").ok());
}

TEST(parse_topic_selection, topic_and_partitions) {
    auto s = parse_topic_selection("orders");
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->topic, "orders");
    EXPECT_TRUE(s->partitions.empty());
    s = parse_topic_selection("orders:3,1,3,0");
    ASSERT_TRUE(s.ok()) << s.err().message;
    EXPECT_EQ(s->partitions, (std::vector<int32_t>{0, 1, 3}));
    EXPECT_FALSE(parse_topic_selection("orders:").ok());
    EXPECT_FALSE(parse_topic_selection(":1").ok());
    EXPECT_FALSE(parse_topic_selection("orders:1,,2").ok());
    EXPECT_FALSE(parse_topic_selection("orders:-1").ok());
    EXPECT_FALSE(parse_topic_selection("orders:x").ok());
}

TEST(parse_group_list, states) {
    auto a = parse_group_list(v{"--state", "stable", "--state=Empty", "--state", "STABLE"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->states, (v{"Stable", "Empty"}));
    EXPECT_EQ(a->bootstrap, "127.0.0.1:9092");
    EXPECT_FALSE(parse_group_list(v{"--state", "nope"}).ok());
    EXPECT_FALSE(parse_group_list(v{"g"}).ok());
}

TEST(parse_group_describe, group_and_members_flag) {
    auto a = parse_group_describe(v{"g1", "--members", "--bootstrap", "h:1"});
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->group, "g1");
    EXPECT_TRUE(a->members);
    EXPECT_EQ(a->bootstrap, "h:1");
    EXPECT_FALSE(parse_group_describe(v{}).ok());
    EXPECT_FALSE(parse_group_describe(v{"a", "b"}).ok());
}

TEST(parse_group_reset, targets_and_topics) {
    auto a = parse_group_reset(v{"g", "--topic", "t1", "--topic", "t2:0,2", "--to-earliest"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->group, "g");
    ASSERT_EQ(a->topics.size(), 2u);
    EXPECT_EQ(a->topics[1].partitions, (std::vector<int32_t>{0, 2}));
    EXPECT_EQ(a->target, reset_target::earliest);
    EXPECT_FALSE(a->dry_run);

    a = parse_group_reset(v{"g", "--all-topics", "--to-offset", "42", "--dry-run"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_TRUE(a->all_topics);
    EXPECT_EQ(a->target, reset_target::offset);
    EXPECT_EQ(a->value, 42);
    EXPECT_TRUE(a->dry_run);

    a = parse_group_reset(v{"g", "--topic", "t", "--to-datetime", "1970-01-01T00:00:01Z"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->target, reset_target::datetime);
    EXPECT_EQ(a->value, 1000);

    a = parse_group_reset(v{"g", "--topic", "t", "--to-latest"});
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->target, reset_target::latest);
}

TEST(parse_group_reset, rejects_bad_combinations) {
    EXPECT_FALSE(parse_group_reset(v{"g", "--to-earliest"}).ok());             // no topic
    EXPECT_FALSE(parse_group_reset(v{"g", "--topic", "t"}).ok());              // no target
    EXPECT_FALSE(parse_group_reset(v{"--topic", "t", "--to-earliest"}).ok());  // no group
    EXPECT_FALSE(parse_group_reset(v{"g", "--topic", "t", "--to-earliest", "--to-latest"}).ok());
    EXPECT_FALSE(parse_group_reset(v{"g", "--topic", "t", "--all-topics", "--to-earliest"}).ok());
    EXPECT_FALSE(parse_group_reset(v{"g", "--topic", "t", "--topic", "t:1", "--to-earliest"}).ok());
    EXPECT_FALSE(parse_group_reset(v{"g", "--topic", "t", "--to-offset", "-1"}).ok());
    auto e = parse_group_reset(v{"g", "--topic", "t", "--to-datetime", "2026-11-23"});
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.err().message.rfind("--to-datetime: ", 0), 0u) << e.err().message;
}

TEST(parse_group_delete, groups) {
    auto a = parse_group_delete(v{"a", "b", "a"});
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->groups, (v{"a", "b"}));
    EXPECT_FALSE(parse_group_delete(v{}).ok());
    EXPECT_FALSE(parse_group_delete(v{"--bootstrap", "h:1"}).ok());
}

TEST(plan_reset_offset, targets_and_clamping) {
    offset_bounds b{10, 50};
    EXPECT_EQ(plan_reset_offset(reset_target::earliest, 0, b), 10);
    EXPECT_EQ(plan_reset_offset(reset_target::latest, 0, b), 50);
    EXPECT_EQ(plan_reset_offset(reset_target::offset, 30, b), 30);
    EXPECT_EQ(plan_reset_offset(reset_target::offset, 3, b), 10);
    EXPECT_EQ(plan_reset_offset(reset_target::offset, 99, b), 50);
    EXPECT_EQ(plan_reset_offset(reset_target::datetime, 20, b), 20);
    EXPECT_EQ(plan_reset_offset(reset_target::datetime, -1, b), 50);  // nothing that late
    EXPECT_EQ(plan_reset_offset(reset_target::offset, 7, offset_bounds{0, 0}), 0);
}

TEST(format_table, aligns_columns_without_trailing_spaces) {
    EXPECT_EQ(format_table({"A", "BB", "C"}, {{"xxx", "y", ""}, {"z"}}),
              "A    BB  C\n"
              "xxx  y\n"
              "z\n");
    EXPECT_EQ(format_table({"ONLY"}, {}), "ONLY\n");
}

TEST(format_group_list, sorted_with_dash_for_simple_groups) {
    EXPECT_EQ(format_group_list({{"b", "Stable", "consumer"}, {"a", "Empty", ""}}),
              "GROUP  STATE   PROTOCOL-TYPE\n"
              "a      Empty   -\n"
              "b      Stable  consumer\n");
}

TEST(build_lag_rows, merges_assignment_committed_and_log_end) {
    std::vector<group_member> members{{"m1", "c1", "/10.0.0.1", {{"t", 0}, {"t", 1}}}};
    std::map<topic_partition_key, int64_t> committed{{{"t", 0}, 5}, {{"u", 0}, 7}};
    std::map<topic_partition_key, int64_t> ends{{{"t", 0}, 8}, {{"t", 1}, 4}, {{"u", 0}, 7}};
    auto rows = build_lag_rows(members, committed, ends);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].topic, "t");
    EXPECT_EQ(rows[0].partition, 0);
    EXPECT_EQ(rows[0].current, 5);
    EXPECT_EQ(rows[0].log_end, 8);
    EXPECT_EQ(rows[0].lag, 3);
    EXPECT_EQ(rows[0].member, &members[0]);
    EXPECT_EQ(rows[1].partition, 1);  // assigned, never committed
    EXPECT_FALSE(rows[1].current);
    EXPECT_FALSE(rows[1].lag);
    EXPECT_EQ(rows[2].topic, "u");  // committed, unassigned
    EXPECT_EQ(rows[2].member, nullptr);
    EXPECT_EQ(rows[2].lag, 0);

    group_summary g{"g", "Stable", "range", "127.0.0.1:9092 (id 0)", members};
    EXPECT_EQ(format_group_offsets(g, rows),
              "Group: g\nState: Stable\nProtocol: range\nCoordinator: 127.0.0.1:9092 (id 0)\n"
              "Members: 1\n\n"
              "TOPIC  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  MEMBER-ID  CLIENT-ID  HOST\n"
              "t      0          5               8               3    m1         c1         "
              "/10.0.0.1\n"
              "t      1          -               4               -    m1         c1         "
              "/10.0.0.1\n"
              "u      0          7               7               0    -          -          -\n");
}

TEST(format_group_members, assignment_grouped_by_topic) {
    group_summary g{"g",
                    "Stable",
                    "range",
                    "",
                    {{"m2", "c", "h", {{"t", 1}, {"a", 0}, {"t", 0}}}, {"m1", "c", "h", {}}}};
    auto out = format_group_members(g);
    EXPECT_NE(out.find("Coordinator: -\n"), std::string::npos);
    EXPECT_NE(out.find("MEMBER-ID  CLIENT-ID  HOST  PARTITIONS  ASSIGNMENT\n"
                       "m1         c          h     0           -\n"
                       "m2         c          h     3           a:0;t:0,1\n"),
              std::string::npos)
        << out;
}

TEST(format_reset_plan, sorted) {
    EXPECT_EQ(format_reset_plan({{"t", 1, 5}, {"t", 0, 12}, {"a", 0, 0}}),
              "TOPIC  PARTITION  NEW-OFFSET\n"
              "a      0          0\n"
              "t      0          12\n"
              "t      1          5\n");
}

}  // namespace
}  // namespace group_test
}  // namespace spate::cli
