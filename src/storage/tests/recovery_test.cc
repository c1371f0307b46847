#include <gtest/gtest.h>

#include <fstream>

#include "storage/log.h"
#include "storage/segment.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace recovery_test {
namespace {

using testing::config_with;
using testing::make_batch;
using testing::read_all;
using testing::temp_dir;

namespace fs = std::filesystem;

const config_map k_small = {{"segment.bytes", "4096"}, {"index.interval.bytes", "256"}};

// Writes `n` batches of 3 records and closes uncleanly (no close()).
std::vector<size_t> write_batches(const fs::path& dir, int n, const config_map& cfg = k_small) {
    auto l = log::open(dir, config_with(cfg), true);
    EXPECT_TRUE(l.ok());
    std::vector<size_t> sizes;
    for (int i = 0; i < n; ++i) {
        auto b = make_batch(3, 40, 100 + i * 3, static_cast<uint64_t>(i));
        sizes.push_back(b.size());
        EXPECT_TRUE((*l)->append(b).ok());
    }
    EXPECT_TRUE((*l)->sync().ok());
    return sizes;
}

fs::path last_segment(const fs::path& dir) {
    fs::path last;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".log" && (last.empty() || e.path() > last)) last = e.path();
    }
    return last;
}

void expect_batches(const log& l, int n) {
    auto all = read_all(l, model::offset(0));
    ASSERT_EQ(all.size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        EXPECT_EQ(all[i].base, model::offset(i * 3));
        EXPECT_EQ(testing::values_of(all[i])[1],
                  testing::expected_value(static_cast<uint64_t>(i), 1, 40));
    }
    EXPECT_EQ(l.log_end_offset(), model::offset(n * 3));
}

TEST(recovery, tail_truncated_at_every_byte_of_the_last_batch_recovers_previous_batches) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    auto sizes = write_batches(dir, 30);
    auto seg = last_segment(dir);
    auto full = fs::file_size(seg);
    size_t last = sizes.back();
    // Keep a pristine copy and cut it at every byte position of the last batch.
    auto pristine = d.path() / "pristine";
    fs::copy(dir, pristine, fs::copy_options::recursive);
    for (size_t cut = 1; cut < last; ++cut) {
        fs::remove_all(dir);
        fs::copy(pristine, dir, fs::copy_options::recursive);
        fs::resize_file(seg, full - cut);
        auto l = log::open(dir, config_with(k_small), false);
        ASSERT_TRUE(l.ok()) << cut;
        expect_batches(**l, 29);
        EXPECT_EQ(fs::file_size(seg), full - last) << "torn tail is truncated away";
        // The recovered log keeps taking appends at the right offset.
        auto b = make_batch(3, 40, 1, 29);
        auto r = (*l)->append(b);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->base_offset, model::offset(87));
    }
}

TEST(recovery, flipped_bit_in_last_batch_truncates_it) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    auto sizes = write_batches(dir, 12);
    auto seg = last_segment(dir);
    auto full = fs::file_size(seg);
    auto pristine = d.path() / "pristine";
    fs::copy(dir, pristine, fs::copy_options::recursive);
    // Flip a bit in the magic, the CRC and CRC-covered bytes of the last batch (stride keeps it
    // quick).
    for (size_t at = full - sizes.back() + 16; at < full; at += 5) {
        fs::remove_all(dir);
        fs::copy(pristine, dir, fs::copy_options::recursive);
        {
            std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
            f.seekg(static_cast<std::streamoff>(at));
            char c;
            f.get(c);
            f.seekp(static_cast<std::streamoff>(at));
            f.put(static_cast<char>(c ^ 0x10));
        }
        auto l = log::open(dir, config_with(k_small), false);
        ASSERT_TRUE(l.ok());
        expect_batches(**l, 11);
    }
}

TEST(recovery, corrupt_length_prefix_is_truncated_not_trusted) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    auto sizes = write_batches(dir, 5);
    auto seg = last_segment(dir);
    auto full = fs::file_size(seg);
    {
        std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(full - sizes.back() + 8));
        const char huge[4] = {0x7f, 0x7f, 0x7f, 0x7f};
        f.write(huge, 4);
    }
    auto l = log::open(dir, config_with(k_small), false);
    ASSERT_TRUE(l.ok());
    expect_batches(**l, 4);
}

TEST(recovery, garbage_appended_after_the_last_batch_is_removed) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    write_batches(dir, 5);
    auto seg = last_segment(dir);
    auto full = fs::file_size(seg);
    {
        std::ofstream f(seg, std::ios::app | std::ios::binary);
        std::string zeros(100, '\0');
        f << zeros;
    }
    auto l = log::open(dir, config_with(k_small), false);
    ASSERT_TRUE(l.ok());
    expect_batches(**l, 5);
    EXPECT_EQ(fs::file_size(seg), full);
}

TEST(recovery, missing_or_damaged_index_files_are_rebuilt) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    write_batches(dir, 60);
    {
        auto l = log::open(dir, config_with(k_small), true);
        ASSERT_TRUE(l.ok());
        ASSERT_TRUE((*l)->close().ok());
    }
    int removed = 0, damaged = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".index" && removed++ % 2 == 0) {
            fs::remove(e.path());
        } else if (e.path().extension() == ".timeindex" && damaged++ % 2 == 0) {
            fs::resize_file(e.path(),
                            fs::file_size(e.path()) > 5 ? fs::file_size(e.path()) - 5 : 3);
        }
    }
    ASSERT_GT(removed, 2);
    // Clean open: closed segments are not scanned, but damaged indexes are detected and rebuilt.
    auto l = log::open(dir, config_with(k_small), true);
    ASSERT_TRUE(l.ok());
    expect_batches(**l, 60);
    for (int64_t o = 0; o < 180; o += 7) {
        auto r = (*l)->read(model::offset(o), 1);
        ASSERT_TRUE(r.ok());
        ASSERT_TRUE(r->chunk);
    }
    auto ts = (*l)->offset_for_timestamp(100 + 90);
    ASSERT_TRUE(ts.ok() && ts->has_value());
    EXPECT_EQ(ts->value(), model::offset(90));
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() == ".log") {
            auto stem = e.path().stem().string();
            EXPECT_TRUE(fs::exists(dir / (stem + ".index"))) << stem;
        }
    }
}

TEST(recovery, index_pointing_past_the_data_is_rebuilt) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    write_batches(dir, 8, {{"index.interval.bytes", "100"}});
    {
        auto l = log::open(dir, config_with({{"index.interval.bytes", "100"}}), true);
        ASSERT_TRUE((*l)->close().ok());
    }
    auto seg = last_segment(dir);
    auto idx = seg;
    idx.replace_extension(".index");
    {
        std::ofstream f(idx, std::ios::app | std::ios::binary);
        const char entry[8] = {0, 0, 0, 100, 0, 0x7f, 0, 0};
        f.write(entry, 8);
    }
    auto l = log::open(dir, config_with({{"index.interval.bytes", "100"}}), true);
    ASSERT_TRUE(l.ok());
    expect_batches(**l, 8);
}

TEST(recovery, log_start_offset_survives_restart) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    write_batches(dir, 40);
    {
        auto l = log::open(dir, config_with(k_small), true);
        ASSERT_TRUE(l.ok());
        ASSERT_TRUE((*l)->delete_records_before(model::offset(50)).ok());
    }
    auto l = log::open(dir, config_with(k_small), false);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ((*l)->log_start_offset(), model::offset(50));
    EXPECT_EQ((*l)->read(model::offset(10), 100).err().code, errc::out_of_range);
    EXPECT_TRUE((*l)->read(model::offset(50), 100).ok());
}

TEST(recovery, many_partitions_open_at_once) {
    temp_dir d;
    std::vector<std::shared_ptr<log>> logs;
    for (int p = 0; p < 300; ++p) {
        auto l = log::open(d.path() / ("t-" + std::to_string(p)), config_with(), false);
        ASSERT_TRUE(l.ok()) << p;
        auto b = make_batch(1 + p % 5, 20, p, static_cast<uint64_t>(p));
        ASSERT_TRUE((*l)->append(b).ok());
        logs.push_back(*l);
    }
    for (int p = 0; p < 300; ++p) {
        auto all = read_all(*logs[static_cast<size_t>(p)], model::offset(0));
        ASSERT_EQ(all.size(), 1u);
        EXPECT_EQ(all[0].last, model::offset(p % 5));
    }
}

}  // namespace
}  // namespace recovery_test
}  // namespace spate::storage
