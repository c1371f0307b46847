#include <gtest/gtest.h>

#include "storage/log.h"
#include "storage/testing.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace retention_test {
namespace {

using testing::config_with;
using testing::make_batch;
using testing::read_all;
using testing::temp_dir;

struct fixture {
    temp_dir d;
    int64_t now = 10'000'000;
    std::shared_ptr<log> l;

    explicit fixture(config_map cfg) {
        cfg.emplace("segment.bytes", "2048");
        auto opened = log::open(d.path() / "t-0", config_with(cfg), true, [this] { return now; });
        EXPECT_TRUE(opened.ok());
        l = *opened;
    }
    // Appends `n` batches of 2 records stamped `ts`.
    void append(int n, int64_t ts) {
        for (int i = 0; i < n; ++i) {
            auto b = make_batch(2, 100, ts, static_cast<uint64_t>(i));
            ASSERT_TRUE(l->append(b).ok());
        }
    }
};

TEST(retention, by_time_deletes_closed_segments_older_than_retention_ms) {
    fixture f(config_map{{"retention.ms", "60000"}});
    f.append(30, f.now - 120'000);  // old data
    auto old_end = f.l->log_end_offset();
    f.append(30, f.now);  // fresh data
    size_t before = log_test_access::segment_count(*f.l);
    auto n = f.l->enforce_retention(f.now);
    ASSERT_TRUE(n.ok());
    EXPECT_GT(*n, 0u);
    EXPECT_EQ(log_test_access::segment_count(*f.l), before - *n);
    EXPECT_GT(f.l->log_start_offset(), model::offset(0));
    EXPECT_LE(f.l->log_start_offset(), old_end) << "only whole old segments go";
    auto all = read_all(*f.l, f.l->log_start_offset());
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.back().last, f.l->log_end_offset() - 1);
    for (const auto& b : all) {
        if (b.base >= old_end) {
            EXPECT_GE(b.max_timestamp, f.now);
        }
    }
    EXPECT_EQ(f.l->read(model::offset(0), 100).err().code, errc::out_of_range);
}

TEST(retention, by_time_keeps_everything_newer) {
    fixture f(config_map{{"retention.ms", "60000"}});
    f.append(40, f.now - 59'000);
    ASSERT_EQ(*f.l->enforce_retention(f.now), 0u);
    EXPECT_EQ(f.l->log_start_offset(), model::offset(0));
}

TEST(retention, expired_active_segment_is_rolled_and_deleted) {
    fixture f(config_map{{"retention.ms", "1000"}});
    f.append(3, f.now - 5000);
    ASSERT_EQ(log_test_access::segment_count(*f.l), 1u);
    auto n = f.l->enforce_retention(f.now);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 1u);
    EXPECT_EQ(f.l->log_start_offset(), model::offset(6));
    EXPECT_EQ(f.l->log_end_offset(), model::offset(6));
    f.append(1, f.now);
    EXPECT_EQ(read_all(*f.l, model::offset(6)).size(), 1u);
}

TEST(retention, by_size_keeps_total_under_retention_bytes) {
    fixture f(config_map{{"retention.bytes", "5000"}});
    f.append(100, f.now);
    ASSERT_GT(f.l->size_bytes(), 5000u);
    auto n = f.l->enforce_retention(f.now);
    ASSERT_TRUE(n.ok());
    EXPECT_GT(*n, 0u);
    EXPECT_LE(f.l->size_bytes(), 5000u + 2048u) << "at most one segment over the limit";
    EXPECT_GE(f.l->size_bytes(), 5000u - 2048u) << "no more deleted than needed";
    EXPECT_EQ(read_all(*f.l, f.l->log_start_offset()).back().last, f.l->log_end_offset() - 1);
}

TEST(retention, compact_only_topics_are_not_deleted_by_retention) {
    fixture f(config_map{{"retention.ms", "1000"}, {"cleanup.policy", "compact"}});
    f.append(30, f.now - 100'000);
    EXPECT_EQ(*f.l->enforce_retention(f.now), 0u);
}

TEST(delete_records, moves_log_start_and_deletes_whole_segments_below) {
    fixture f(config_map{});
    f.append(60, f.now);
    size_t before = log_test_access::segment_count(*f.l);
    ASSERT_TRUE(f.l->delete_records_before(model::offset(51)).ok());
    EXPECT_EQ(f.l->log_start_offset(), model::offset(51));
    EXPECT_LT(log_test_access::segment_count(*f.l), before);
    EXPECT_EQ(f.l->read(model::offset(50), 10).err().code, errc::out_of_range);
    auto r = f.l->read(model::offset(51), 10);
    ASSERT_TRUE(r.ok() && r->chunk);
    // Moving backwards is a no-op; beyond the end is an error.
    ASSERT_TRUE(f.l->delete_records_before(model::offset(10)).ok());
    EXPECT_EQ(f.l->log_start_offset(), model::offset(51));
    EXPECT_EQ(f.l->delete_records_before(model::offset(121)).err().code, errc::out_of_range);
}

TEST(delete_records, up_to_log_end_empties_the_log_and_appends_continue) {
    fixture f(config_map{});
    f.append(5, f.now);
    ASSERT_TRUE(f.l->delete_records_before(model::offset(10)).ok());
    EXPECT_EQ(f.l->log_start_offset(), model::offset(10));
    EXPECT_EQ(log_test_access::segment_count(*f.l), 1u);
    EXPECT_EQ(f.l->size_bytes(), 0u);
    f.append(1, f.now);
    auto all = read_all(*f.l, model::offset(10));
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].base, model::offset(10));
}

}  // namespace
}  // namespace retention_test
}  // namespace spate::storage
