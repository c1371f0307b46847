#include "sql/catalog/catalog_log.h"

#include <gtest/gtest.h>

#include "kafka/client/admin.h"
#include "kafka/client/testing/broker_process.h"

namespace spate::sql {
namespace catalog_log_test {
namespace {

class catalog_log_test : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(_broker.start()) << _broker.error(); }

    std::unique_ptr<catalog_log> open() {
        auto log = catalog_log::open(_broker.client());
        EXPECT_TRUE(log.ok()) << (log.ok() ? "" : log.error().message);
        return log.ok() ? std::move(log).value() : nullptr;
    }

    kafka::client::testing::broker_process _broker{SPATE_BINARY};
};

std::vector<std::string> keys(const std::vector<catalog_record>& rs) {
    std::vector<std::string> out;
    for (const auto& r : rs)
        out.push_back(r.key);
    return out;
}

TEST_F(catalog_log_test, open_creates_a_compacted_single_partition_topic) {
    auto log = open();
    ASSERT_NE(log, nullptr);
    auto admin = kafka::client::admin::connect(_broker.client());
    ASSERT_TRUE(admin.ok());
    auto md = admin->topic(k_catalog_topic);
    ASSERT_TRUE(md.ok()) << md.err().message;
    EXPECT_EQ(md->partitions.size(), 1u);
    auto cfg = admin->describe_configs(kafka::client::resource_type::topic, k_catalog_topic);
    ASSERT_TRUE(cfg.ok()) << cfg.err().message;
    bool compact = false;
    for (const auto& e : *cfg)
        if (e.name == "cleanup.policy") compact = e.value == "compact";
    EXPECT_TRUE(compact);
    // A second open finds the topic there.
    EXPECT_NE(open(), nullptr);
}

TEST_F(catalog_log_test, load_of_an_empty_catalog_is_empty) {
    auto log = open();
    ASSERT_NE(log, nullptr);
    auto rs = log->load();
    ASSERT_TRUE(rs.ok()) << rs.error().message;
    EXPECT_TRUE(rs.value().empty());
}

TEST_F(catalog_log_test, last_write_wins_tombstones_remove_and_order_follows_last_write) {
    auto log = open();
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(log->put({"source/a", "{\"v\":1}"}).ok());
    ASSERT_TRUE(log->put({"source/b", "{\"v\":1}"}).ok());
    ASSERT_TRUE(log->put({"sink/c", "{\"v\":1}"}).ok());
    ASSERT_TRUE(log->put({"source/a", "{\"v\":2}"}).ok());
    ASSERT_TRUE(log->remove("source/b").ok());
    auto rs = log->load();
    ASSERT_TRUE(rs.ok()) << rs.error().message;
    EXPECT_EQ(keys(rs.value()), (std::vector<std::string>{"sink/c", "source/a"}));
    EXPECT_EQ(rs.value()[1].definition, "{\"v\":2}");
}

TEST_F(catalog_log_test, a_reopened_catalog_loads_what_an_earlier_one_wrote) {
    {
        auto log = open();
        ASSERT_NE(log, nullptr);
        ASSERT_TRUE(log->put({"source/x", "X"}).ok());
        ASSERT_TRUE(log->put({"view/y", "Y"}).ok());
        ASSERT_TRUE(log->remove("view/y").ok());
        ASSERT_TRUE(log->put({"view/y", "Y2"}).ok());
    }
    auto log = open();
    ASSERT_NE(log, nullptr);
    auto rs = log->load();
    ASSERT_TRUE(rs.ok()) << rs.error().message;
    ASSERT_EQ(keys(rs.value()), (std::vector<std::string>{"source/x", "view/y"}));
    EXPECT_EQ(rs.value()[1].definition, "Y2");
    // Removing everything leaves an empty catalog.
    ASSERT_TRUE(log->remove("source/x").ok());
    ASSERT_TRUE(log->remove("view/y").ok());
    auto empty = log->load();
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty.value().empty());
}

}  // namespace
}  // namespace catalog_log_test
}  // namespace spate::sql
