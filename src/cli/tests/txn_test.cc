#include <gtest/gtest.h>

#include "cli/args.h"
#include "cli/txn_format.h"

namespace spate::cli {
namespace txn_test {
namespace {

using v = std::vector<std::string>;

TEST(parse_txn_state, case_insensitive_canonical) {
    EXPECT_EQ(*parse_txn_state("ongoing"), "Ongoing");
    EXPECT_EQ(*parse_txn_state("COMPLETECOMMIT"), "CompleteCommit");
    EXPECT_EQ(*parse_txn_state("prepareAbort"), "PrepareAbort");
    EXPECT_EQ(*parse_txn_state("PrepareEpochFence"), "PrepareEpochFence");
    EXPECT_EQ(*parse_txn_state("empty"), "Empty");
    EXPECT_FALSE(parse_txn_state("committed").ok());
    EXPECT_NE(parse_txn_state("x").err().message.find("CompleteAbort"), std::string::npos);
}

TEST(parse_txn_list, filters) {
    auto a = parse_txn_list(v{"--state", "ongoing", "--state=Ongoing", "--producer-id", "7",
                              "--producer-id=3", "--producer-id", "7", "--state", "completecommit",
                              "--bootstrap", "h:1"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->states, (v{"Ongoing", "CompleteCommit"}));
    EXPECT_EQ(a->producer_ids, (std::vector<int64_t>{7, 3}));
    EXPECT_EQ(a->bootstrap, "h:1");
    auto d = parse_txn_list(v{});
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(d->states.empty());
    EXPECT_TRUE(d->producer_ids.empty());
    EXPECT_EQ(d->bootstrap, "127.0.0.1:9092");
}

TEST(parse_txn_list, rejects_bad_input) {
    EXPECT_FALSE(parse_txn_list(v{"--state", "running"}).ok());
    EXPECT_FALSE(parse_txn_list(v{"--producer-id", "-1"}).ok());
    EXPECT_FALSE(parse_txn_list(v{"--producer-id", "x"}).ok());
    EXPECT_FALSE(parse_txn_list(v{"--producer-id"}).ok());
    EXPECT_FALSE(parse_txn_list(v{"extra"}).ok());
    EXPECT_FALSE(parse_txn_list(v{"--frob"}).ok());
}

TEST(parse_txn_describe, ids) {
    auto a = parse_txn_describe(v{"t1", "--bootstrap", "h:1", "t2", "t1"});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->transactional_ids, (v{"t1", "t2"}));
    EXPECT_EQ(a->bootstrap, "h:1");
    EXPECT_FALSE(parse_txn_describe(v{}).ok());
    EXPECT_FALSE(parse_txn_describe(v{""}).ok());
    EXPECT_FALSE(parse_txn_describe(v{"t", "--state", "x"}).ok());
}

TEST(format_utc_ms, iso_8601) {
    EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(format_utc_ms(1795428000123), "2026-11-23T10:00:00.123Z");
    EXPECT_EQ(format_utc_ms(1709164800000 + 86'399'999), "2024-02-29T23:59:59.999Z");
    EXPECT_EQ(format_utc_ms(951782400000), "2000-02-29T00:00:00.000Z");
}

TEST(format_txn_list, sorted_table) {
    std::string out = format_txn_list({{"tx-b", 1001, "Ongoing"},
                                       {"tx-a", 1000, "CompleteCommit"},
                                       {"a-long-transactional-id", 7, ""}});
    EXPECT_EQ(out,
              "TRANSACTIONAL-ID         PRODUCER-ID  STATE\n"
              "a-long-transactional-id  7            -\n"
              "tx-a                     1000         CompleteCommit\n"
              "tx-b                     1001         Ongoing\n");
    EXPECT_EQ(format_txn_list({}), "TRANSACTIONAL-ID  PRODUCER-ID  STATE\n");
}

TEST(format_txn_description, ongoing) {
    txn_details t;
    t.transactional_id = "tx-1";
    t.state = "Ongoing";
    t.producer_id = 1000;
    t.producer_epoch = 2;
    t.timeout_ms = 60000;
    t.start_time_ms = 1795428000123;
    t.coordinator = {0, "127.0.0.1", 9092};
    t.partitions = {{"orders", 1}, {"audit", 0}, {"orders", 0}, {"orders", 1}};
    EXPECT_EQ(format_txn_description(t, 1795428001623),
              "Transactional id: tx-1\n"
              "State: Ongoing\n"
              "Producer id: 1000\n"
              "Producer epoch: 2\n"
              "Timeout: 60000 ms\n"
              "Start time: 2026-11-23T10:00:00.123Z (1.5 s ago)\n"
              "Coordinator: 127.0.0.1:9092 (id 0)\n"
              "Partitions: 3\n"
              "\n"
              "TOPIC   PARTITION\n"
              "audit   0\n"
              "orders  0\n"
              "orders  1\n");
    EXPECT_NE(format_txn_description(t, 1795428000123 + 200'000).find("(3 min 20 s ago)"),
              std::string::npos);
    EXPECT_NE(format_txn_description(t, 1795428000123 + 7'500'000).find("(2 h 5 min ago)"),
              std::string::npos);
}

TEST(format_txn_description, no_open_transaction) {
    txn_details t;
    t.transactional_id = "tx-2";
    t.state = "CompleteCommit";
    t.producer_id = 5;
    t.producer_epoch = 0;
    t.timeout_ms = 10000;
    std::string out = format_txn_description(t, 0);
    EXPECT_NE(out.find("Start time: -\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Coordinator: -\n"), std::string::npos) << out;
    EXPECT_NE(out.find("Partitions: 0\n\nTOPIC  PARTITION\n"), std::string::npos) << out;
    EXPECT_EQ(out.substr(out.size() - std::string("PARTITION\n").size()), "PARTITION\n");
}

}  // namespace
}  // namespace txn_test
}  // namespace spate::cli
