// What an idle partition costs on disk and in descriptors: a new log holds a
// segment data file and nothing else, closing it unchanged writes nothing,
// and index files appear with the first indexed batch.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "storage/fd_cache.h"
#include "storage/log.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace idle_partition_test {
namespace {

using testing::config_with;
using testing::make_batch;
using testing::read_all;
using testing::temp_dir;

std::set<std::string> extensions_in(const std::filesystem::path& dir) {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        out.insert(e.path().extension().string());
    return out;
}

TEST(idle_partition, a_new_log_has_only_its_data_file_before_and_after_close) {
    temp_dir d;
    auto l = log::open(d.path() / "t-0", config_with(), true);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(extensions_in(d.path() / "t-0"), std::set<std::string>{".log"});
    ASSERT_TRUE((*l)->close().ok());
    EXPECT_EQ(extensions_in(d.path() / "t-0"), std::set<std::string>{".log"})
        << "no index, snapshot or metadata file for a partition that never had data";
    auto again = log::open(d.path() / "t-0", config_with(), true);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->log_end_offset(), model::offset(0));
    ASSERT_TRUE((*again)->close().ok());
}

TEST(idle_partition, indexes_and_snapshot_appear_with_data_and_reopen_cleanly) {
    temp_dir d;
    auto l = log::open(d.path() / "t-0", config_with(), true);
    ASSERT_TRUE(l.ok());
    for (int i = 0; i < 3; ++i) {
        auto batch = make_batch(2, 50, 1000 + i, uint64_t(i));
        ASSERT_TRUE((*l)->append(batch).ok());
    }
    ASSERT_TRUE((*l)->close().ok());
    auto ext = extensions_in(d.path() / "t-0");
    EXPECT_TRUE(ext.count(".index"));
    EXPECT_TRUE(ext.count(".timeindex"));
    EXPECT_TRUE(ext.count(".snapshot"));
    auto again = log::open(d.path() / "t-0", config_with(), true);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(read_all(**again, model::offset(0)).size(), 3u);
    auto more = make_batch(1, 50, 2000, 9);
    ASSERT_TRUE((*again)->append(more).ok());
    EXPECT_EQ((*again)->log_end_offset(), model::offset(7));
    ASSERT_TRUE((*again)->close().ok());
}

TEST(idle_partition, idle_logs_hold_no_descriptor_beyond_the_cache) {
    temp_dir d;
    auto& cache = fd_cache::global();
    const size_t saved = cache.capacity();
    cache.set_capacity(4);
    {
        std::vector<std::shared_ptr<log>> logs;
        for (int p = 0; p < 40; ++p) {
            auto l = log::open(d.path() / ("t-" + std::to_string(p)), config_with(), true);
            ASSERT_TRUE(l.ok());
            logs.push_back(*l);
            EXPECT_LE(cache.open_count(), 4u);
        }
        for (auto& l : logs)
            ASSERT_TRUE(l->close().ok());
    }
    cache.set_capacity(saved);
}

}  // namespace
}  // namespace idle_partition_test
}  // namespace spate::storage
