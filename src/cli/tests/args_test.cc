#include "cli/args.h"

#include <gtest/gtest.h>

namespace spate::cli {
namespace args_test {
namespace {

using v = std::vector<std::string>;

TEST(parse_int, bounds_and_garbage) {
    EXPECT_EQ(*parse_int("42", 0, 100, "n"), 42);
    EXPECT_FALSE(parse_int("101", 0, 100, "n").ok());
    EXPECT_FALSE(parse_int("-1", 0, 100, "n").ok());
    EXPECT_FALSE(parse_int("4x", 0, 100, "n").ok());
    EXPECT_FALSE(parse_int("", 0, 100, "n").ok());
}

TEST(parse_key_value, splits_at_first_equals) {
    auto kv = parse_key_value("a=b=c");
    ASSERT_TRUE(kv.ok());
    EXPECT_EQ(kv->first, "a");
    EXPECT_EQ(kv->second, "b=c");
    EXPECT_EQ(parse_key_value("a=")->second, "");
    EXPECT_FALSE(parse_key_value("=b").ok());
    EXPECT_FALSE(parse_key_value("ab").ok());
}

TEST(topic_create, defaults_and_options) {
    auto a = parse_topic_create(v{"t1"});
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->name, "t1");
    EXPECT_EQ(a->partitions, 1);
    EXPECT_EQ(a->bootstrap, "127.0.0.1:9092");
    a = parse_topic_create(v{"t1", "--partitions", "3", "--config", "retention.ms=100", "--config",
                             "cleanup.policy=delete", "--bootstrap", "h:1"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->partitions, 3);
    EXPECT_EQ(a->bootstrap, "h:1");
    ASSERT_EQ(a->configs.size(), 2u);
    EXPECT_EQ(a->configs[1].first, "cleanup.policy");
    EXPECT_FALSE(parse_topic_create(v{}).ok());
    EXPECT_FALSE(parse_topic_create(v{"a", "b"}).ok());
    EXPECT_FALSE(parse_topic_create(v{"a", "--partitions", "0"}).ok());
    EXPECT_FALSE(parse_topic_create(v{"a", "--config", "novalue"}).ok());
}

TEST(topic_name, list_takes_no_name_describe_needs_one) {
    EXPECT_TRUE(parse_topic_name(v{}, false).ok());
    EXPECT_FALSE(parse_topic_name(v{"x"}, false).ok());
    EXPECT_FALSE(parse_topic_name(v{}, true).ok());
    EXPECT_EQ(parse_topic_name(v{"x"}, true)->name, "x");
}

TEST(topic_alter_config, set_and_delete) {
    auto a = parse_topic_alter_config(v{"t", "--set", "a=1", "--delete", "b", "--set", "c=2"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->set.size(), 2u);
    EXPECT_EQ(a->remove, v{"b"});
    EXPECT_FALSE(parse_topic_alter_config(v{"t"}).ok());
    EXPECT_FALSE(parse_topic_alter_config(v{"t", "--set", "a=1", "--delete", "a"}).ok());
}

TEST(topic_delete_records, both_required) {
    auto a = parse_topic_delete_records(v{"t", "--partition", "0", "--before", "100"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->before, 100);
    EXPECT_EQ(parse_topic_delete_records(v{"t", "--partition", "0", "--before", "-1"})->before, -1);
    EXPECT_FALSE(parse_topic_delete_records(v{"t", "--partition", "0"}).ok());
    EXPECT_FALSE(parse_topic_delete_records(v{"t", "--before", "1"}).ok());
    EXPECT_FALSE(parse_topic_delete_records(v{"t", "--partition", "0", "--before", "-2"}).ok());
}

TEST(produce, options) {
    auto a = parse_produce(v{"t"});
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->acks, "all");
    EXPECT_EQ(a->compression, "none");
    EXPECT_EQ(a->partition, -1);
    EXPECT_FALSE(a->key_separator);
    a = parse_produce(v{"t", "--key-separator", ":", "--header", "h=1", "--header", "g=2",
                        "--partition", "2", "--acks", "0", "--compression", "zstd"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(*a->key_separator, ":");
    EXPECT_EQ(a->headers.size(), 2u);
    EXPECT_EQ(a->partition, 2);
    EXPECT_EQ(a->acks, "0");
    EXPECT_EQ(a->compression, "zstd");
    EXPECT_EQ(parse_produce(v{"t", "--acks", "-1"})->acks, "all");
    EXPECT_EQ(parse_produce(v{"t", "--acks=1"})->acks, "1");
    EXPECT_FALSE(parse_produce(v{"t", "--acks", "2"}).ok());
    EXPECT_FALSE(parse_produce(v{"t", "--compression", "brotli"}).ok());
    EXPECT_FALSE(parse_produce(v{"t", "--key-separator", ""}).ok());
    EXPECT_FALSE(parse_produce(v{"t", "--partition", "-1"}).ok());
}

TEST(consume, start_positions_are_exclusive) {
    auto a = parse_consume(v{"t"});
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->start, start_position::end);
    EXPECT_EQ(a->timeout_ms, -1);
    EXPECT_EQ(parse_consume(v{"t", "--from-beginning"})->start, start_position::beginning);
    a = parse_consume(v{"t", "--offset", "17"});
    EXPECT_EQ(a->start, start_position::offset);
    EXPECT_EQ(a->start_value, 17);
    a = parse_consume(v{"t", "--timestamp", "1700000000000"});
    EXPECT_EQ(a->start, start_position::timestamp);
    EXPECT_EQ(a->start_value, 1700000000000);
    EXPECT_FALSE(parse_consume(v{"t", "--from-beginning", "--offset", "1"}).ok());
    EXPECT_FALSE(parse_consume(v{"t", "--offset", "1", "--timestamp", "1"}).ok());
    EXPECT_FALSE(parse_consume(v{"t", "--count", "0"}).ok());
}

TEST(options, unknown_repeated_and_missing_values_are_refused) {
    EXPECT_FALSE(parse_topic_create(v{"t", "--nope"}).ok());
    EXPECT_FALSE(parse_topic_create(v{"t", "--partitions"}).ok());
    EXPECT_FALSE(parse_topic_create(v{"t", "--partitions", "2", "--partitions", "3"}).ok());
    EXPECT_FALSE(parse_topic_create(v{"t", "--partitions", "x"}).ok());
    auto e = parse_topic_create(v{"t", "--nope"});
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.err().code, errc::invalid_argument);
    EXPECT_NE(e.err().message.find("--nope"), std::string::npos) << e.err().message;
}

TEST(options, equals_form_and_double_dash) {
    auto a = parse_topic_create(v{"--partitions=4", "--bootstrap=h:2", "--", "--odd-name"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->partitions, 4);
    EXPECT_EQ(a->bootstrap, "h:2");
    EXPECT_EQ(a->name, "--odd-name");
}

TEST(consume, output_options) {
    auto a = parse_consume(v{"t", "--partition", "1", "--count", "5", "--print-key",
                             "--print-timestamp", "--timeout-ms", "250", "--separator", "|"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->partition, 1);
    EXPECT_EQ(a->count, 5);
    EXPECT_TRUE(a->print_key);
    EXPECT_TRUE(a->print_timestamp);
    EXPECT_FALSE(a->print_headers);
    EXPECT_EQ(a->timeout_ms, 250);
    EXPECT_EQ(a->separator, "|");
}

}  // namespace
}  // namespace args_test
}  // namespace spate::cli
