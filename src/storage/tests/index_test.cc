#include <gtest/gtest.h>

#include <fstream>

#include "storage/index.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace index_test {
namespace {

TEST(offset_index, floor_lookup_at_every_boundary) {
    testing::temp_dir dir;
    offset_index idx(dir.path() / "x.index");
    for (uint32_t i = 0; i < 10; ++i)
        idx.append({i * 10, i * 1000});
    for (uint32_t rel = 0; rel < 120; ++rel) {
        auto e = floor_entry(idx, rel);
        ASSERT_TRUE(e.has_value()) << rel;
        uint32_t expect = std::min<uint32_t>(rel / 10, 9);
        EXPECT_EQ(e->relative_offset, expect * 10) << rel;
        EXPECT_EQ(e->position, expect * 1000) << rel;
    }
}

TEST(offset_index, floor_lookup_below_first_entry_is_empty) {
    testing::temp_dir dir;
    offset_index idx(dir.path() / "x.index");
    idx.append({5, 100});
    EXPECT_FALSE(floor_entry(idx, 4).has_value());
    EXPECT_TRUE(floor_entry(idx, 5).has_value());
}

TEST(time_index, last_entry_before_at_boundaries) {
    testing::temp_dir dir;
    time_index idx(dir.path() / "x.timeindex");
    idx.append({100, 0});
    idx.append({200, 5});
    idx.append({300, 9});
    EXPECT_FALSE(last_entry_before(idx, 100).has_value());
    EXPECT_EQ(last_entry_before(idx, 101)->timestamp, 100);
    EXPECT_EQ(last_entry_before(idx, 200)->timestamp, 100);
    EXPECT_EQ(last_entry_before(idx, 201)->timestamp, 200);
    EXPECT_EQ(last_entry_before(idx, 1000)->timestamp, 300);
}

TEST(index_file, persists_and_reloads_entries) {
    testing::temp_dir dir;
    auto path = dir.path() / "x.index";
    {
        offset_index idx(path);
        idx.append({0, 0});
        idx.append({3, 4096});
        ASSERT_TRUE(idx.flush(true).ok());
        idx.append({7, 9000});
        ASSERT_TRUE(idx.flush(false).ok());
    }
    EXPECT_EQ(std::filesystem::file_size(path), 3 * offset_index_entry::k_size);
    offset_index again(path);
    ASSERT_TRUE(again.load().ok());
    ASSERT_EQ(again.entries().size(), 3u);
    EXPECT_EQ(again.entries()[2], (offset_index_entry{7, 9000}));
}

TEST(index_file, rejects_partial_entries_and_disorder) {
    testing::temp_dir dir;
    auto path = dir.path() / "x.index";
    {
        std::ofstream f(path, std::ios::binary);
        f.write("\0\0\0\1\0\0\0", 7);
    }
    offset_index idx(path);
    EXPECT_EQ(idx.load().err().code, errc::corrupt);
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        const char entries[16] = {0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 4, 0, 0, 0, 10};
        f.write(entries, 16);
    }
    EXPECT_EQ(idx.load().err().code, errc::corrupt);
    offset_index missing(dir.path() / "none.index");
    EXPECT_EQ(missing.load().err().code, errc::not_found);
}

}  // namespace
}  // namespace index_test
}  // namespace spate::storage
