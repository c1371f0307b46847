#include "cli/format.h"

#include <gtest/gtest.h>

namespace spate::cli {
namespace format_test {
namespace {

TEST(format_record, value_only_by_default) {
    consume_args a;
    record_fields r;
    r.key = "k";
    r.value = "hello";
    EXPECT_EQ(format_record(a, r), "hello\n");
}

TEST(format_record, fields_in_order_with_nulls) {
    consume_args a;
    a.print_key = a.print_timestamp = a.print_headers = true;
    a.separator = "|";
    record_fields r;
    r.timestamp_ms = 1234;
    r.value = "v";
    r.headers = {{"a", "1"}, {"b", std::nullopt}};
    EXPECT_EQ(format_record(a, r), "1234|null|a=1,b=null|v\n");
    r.key = "";
    r.value.reset();
    r.headers.clear();
    EXPECT_EQ(format_record(a, r), "1234|||null\n");
}

TEST(split_key_value, first_separator_only) {
    auto kv = split_key_value("k::v::w", "::");
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->first, "k");
    EXPECT_EQ(kv->second, "v::w");
    EXPECT_FALSE(split_key_value("novalue", ":"));
    kv = split_key_value(":v", ":");
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->first, "");
}

TEST(format_topic_description, partitions_sorted_configs_marked) {
    topic_description t;
    t.name = "orders";
    t.partitions = {{1, 1, {1}, {1}, ""}, {0, 1, {1}, {1}, "LEADER_NOT_AVAILABLE"}};
    t.configs = {{"segment.bytes", "1024", false, false, false},
                 {"cleanup.policy", "delete", true, false, false},
                 {"secret", "x", false, true, true}};
    EXPECT_EQ(format_topic_description(t),
              "Topic: orders\tPartitions: 2\n"
              "\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tError: LEADER_NOT_AVAILABLE\n"
              "\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1\n"
              "Configs:\n"
              "\tcleanup.policy=delete (default)\n"
              "\tsecret=(sensitive) (read-only)\n"
              "\tsegment.bytes=1024\n");
}

TEST(format_topic_list, sorted_lines) {
    EXPECT_EQ(format_topic_list({"b", "a", "c"}), "a\nb\nc\n");
    EXPECT_EQ(format_topic_list({}), "");
}

TEST(merge_config_overrides, applies_set_and_delete) {
    auto m = merge_config_overrides({{"retention.ms", "1"}, {"segment.bytes", "2"}},
                                    {{"retention.ms", "5"}, {"flush.ms", "3"}}, {"segment.bytes"});
    std::vector<std::pair<std::string, std::string>> want = {{"flush.ms", "3"},
                                                             {"retention.ms", "5"}};
    EXPECT_EQ(m, want);
    EXPECT_TRUE(merge_config_overrides({{"a", "1"}}, {}, {"a"}).empty());
}

}  // namespace
}  // namespace format_test
}  // namespace spate::cli
