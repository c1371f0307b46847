// `spate quota` flags → entity, changes and filter, and the listing.

#include <gtest/gtest.h>

#include "cli/quota_args.h"

namespace spate::cli {
namespace quota_test {
namespace {

namespace kc = kafka::client;

TEST(quota_args, flags_name_the_entity_with_defaults_as_unset_names) {
    auto a = parse_quota({"--user", "alice", "--client-default", "--add-config",
                          "producer_byte_rate=1048576,request_percentage=50.5"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    auto e = quota_entity(*a);
    ASSERT_TRUE(e.ok());
    ASSERT_EQ(e->size(), 2u);
    EXPECT_EQ((*e)[0], (kc::quota_entity_part{"user", "alice"}));
    EXPECT_EQ((*e)[1], (kc::quota_entity_part{"client-id", std::nullopt}));
    auto ops = quota_ops(*a);
    ASSERT_TRUE(ops.ok()) << ops.err().message;
    ASSERT_EQ(ops->size(), 2u);
    EXPECT_EQ((*ops)[0].key, "producer_byte_rate");
    EXPECT_EQ((*ops)[0].value, 1048576);
    EXPECT_EQ((*ops)[1].value, 50.5);
    EXPECT_FALSE((*ops)[1].remove);
}

TEST(quota_args, bad_combinations_and_values_are_refused) {
    auto both = parse_quota({"--user", "a", "--user-default"});
    ASSERT_TRUE(both.ok());
    EXPECT_FALSE(quota_entity(*both).ok());
    auto nan = parse_quota({"--user", "a", "--add-config", "producer_byte_rate=fast"});
    ASSERT_TRUE(nan.ok());
    EXPECT_FALSE(quota_ops(*nan).ok());
    auto twice = parse_quota({"--user", "a", "--add-config", "producer_byte_rate=1",
                              "--delete-config", "producer_byte_rate"});
    ASSERT_TRUE(twice.ok());
    EXPECT_FALSE(quota_ops(*twice).ok());
    auto none = parse_quota({"--user", "a"});
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(quota_ops(*none).ok());
    EXPECT_FALSE(parse_quota({"--bogus"}).ok());
}

TEST(quota_args, describe_filters_exactly_the_parts_given) {
    auto a = parse_quota({"--user-default", "--client-id", "app"});
    ASSERT_TRUE(a.ok());
    auto f = quota_filter(*a);
    ASSERT_TRUE(f.ok());
    ASSERT_EQ(f->size(), 2u);
    EXPECT_EQ((*f)[0].match_type, 1);
    EXPECT_EQ((*f)[1].match_type, 0);
    EXPECT_EQ((*f)[1].match, "app");
    auto all = parse_quota({});
    ASSERT_TRUE(all.ok());
    EXPECT_TRUE(quota_filter(*all)->empty());
}

TEST(quota_args, the_listing_reads_like_kafka_configs) {
    std::vector<kc::quota_entry> entries = {
        {{{"user", "alice"}}, {{"producer_byte_rate", 1048576}}},
        {{{"user", std::nullopt}, {"client-id", "app"}},
         {{"consumer_byte_rate", 2048}, {"request_percentage", 12.5}}}};
    EXPECT_EQ(format_quotas(entries),
              "Quota configs for user-principal 'alice' are producer_byte_rate=1048576.0\n"
              "Quota configs for the default user-principal, client-id 'app' are "
              "consumer_byte_rate=2048.0, request_percentage=12.5\n");
}

}  // namespace
}  // namespace quota_test
}  // namespace spate::cli
