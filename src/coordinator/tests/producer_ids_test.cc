// Producer id allocation: unique across reopen (clean or not), bad files refused.

#include "coordinator/producer_ids.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

namespace spate::coordinator {
namespace producer_ids_test {
namespace {

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        path =
            std::filesystem::temp_directory_path() / ("spate-pids-" + std::to_string(::getpid()) +
                                                      "-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

TEST(producer_ids, ids_stay_unique_across_reopen_even_mid_block) {
    temp_dir dir;
    auto file = dir.path / "producer-ids";
    std::set<int64_t> seen;
    for (int round = 0; round < 4; ++round) {
        auto a = producer_id_allocator::open(file, 3);
        ASSERT_TRUE(a.ok());
        // Take a number of ids that ends mid-block; the rest of the block is
        // abandoned, as after a crash.
        for (int i = 0; i < 4 + round; ++i) {
            auto id = (*a)->next();
            ASSERT_TRUE(id.ok());
            EXPECT_GE(id->value(), 0);
            EXPECT_TRUE(seen.insert(id->value()).second) << id->value();
        }
    }
}

TEST(producer_ids, a_damaged_file_is_refused) {
    temp_dir dir;
    auto file = dir.path / "producer-ids";
    for (const char* bad : {"", "next_block=\n", "next_block=12", "next_block=-4\n",
                            "next_block=1x\n", "other=5\n"}) {
        std::ofstream(file, std::ios::trunc) << bad;
        auto a = producer_id_allocator::open(file);
        ASSERT_FALSE(a.ok()) << bad;
        EXPECT_EQ(a.err().code, errc::corrupt) << bad;
    }
    std::ofstream(file, std::ios::trunc) << "next_block=5000\n";
    auto a = producer_id_allocator::open(file);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ((*a)->next()->value(), 5000);
}

}  // namespace
}  // namespace producer_ids_test
}  // namespace spate::coordinator
