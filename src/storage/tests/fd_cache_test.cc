#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "storage/fd_cache.h"
#include "storage/file.h"
#include "storage/log.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace fd_cache_test {
namespace {

using testing::config_with;
using testing::make_batch;
using testing::read_all;
using testing::temp_dir;

std::shared_ptr<file> make_file(fd_cache& cache, const std::filesystem::path& p,
                                const std::string& content) {
    auto f = file::open_cached(p, file::mode::read_write_create, cache);
    EXPECT_TRUE(f.ok());
    auto bytes = std::as_bytes(std::span(content.data(), content.size()));
    EXPECT_TRUE((*f)->pwrite_all(bytes, 0).ok());
    return *f;
}

std::string read_back(const file& f, size_t n) {
    std::string s(n, '\0');
    auto r = f.pread(std::as_writable_bytes(std::span(s.data(), s.size())), 0);
    EXPECT_TRUE(r.ok());
    s.resize(r.ok() ? *r : 0);
    return s;
}

TEST(fd_cache, keeps_at_most_capacity_descriptors_open_and_reopens_on_use) {
    temp_dir d;
    fd_cache cache(4);
    std::vector<std::shared_ptr<file>> files;
    for (int i = 0; i < 20; ++i) {
        files.push_back(
            make_file(cache, d.path() / std::to_string(i), "file " + std::to_string(i)));
        EXPECT_LE(cache.open_count(), 4u);
    }
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 20; ++i) {
            EXPECT_EQ(read_back(*files[i], 64), "file " + std::to_string(i));
            EXPECT_LE(cache.open_count(), 4u);
        }
    }
    files.clear();
    EXPECT_EQ(cache.open_count(), 0u);
}

TEST(fd_cache, evicts_the_least_recently_used_descriptor) {
    temp_dir d;
    fd_cache cache(2);
    auto a = make_file(cache, d.path() / "a", "a");
    auto b = make_file(cache, d.path() / "b", "b");
    EXPECT_EQ(read_back(*a, 8), "a");  // a is now the most recently used
    auto c = make_file(cache, d.path() / "c", "c");
    EXPECT_EQ(cache.open_count(), 2u);
    auto pa = a->acquire();
    ASSERT_TRUE(pa.ok());
    EXPECT_GE(pa->fd(), 0);
    pa->reset();
    EXPECT_EQ(cache.open_count(), 2u) << "a was open: no reopen, nothing evicted";
}

TEST(fd_cache, pinned_descriptors_are_never_closed_and_capacity_is_soft) {
    temp_dir d;
    fd_cache cache(1);
    auto a = make_file(cache, d.path() / "a", "a");
    auto b = make_file(cache, d.path() / "b", "b");
    auto pa = a->acquire();
    auto pb = b->acquire();
    ASSERT_TRUE(pa.ok() && pb.ok());
    EXPECT_EQ(cache.open_count(), 2u);
    // Both descriptors stay usable while pinned.
    EXPECT_NE(::fcntl(pa->fd(), F_GETFD), -1);
    EXPECT_NE(::fcntl(pb->fd(), F_GETFD), -1);
    pa->reset();
    pb->reset();
    EXPECT_EQ(cache.open_count(), 1u);
}

TEST(fd_cache, reopen_never_creates_a_removed_file) {
    temp_dir d;
    fd_cache cache(1);
    auto a = make_file(cache, d.path() / "a", "a");
    auto b = make_file(cache, d.path() / "b", "b");  // evicts a
    std::filesystem::remove(d.path() / "a");
    EXPECT_FALSE(a->acquire().ok());
    EXPECT_FALSE(std::filesystem::exists(d.path() / "a"));
}

TEST(fd_cache, keep_open_reads_the_old_inode_after_unlink_and_rename_over) {
    temp_dir d;
    fd_cache cache(1);
    auto a = make_file(cache, d.path() / "a", "old");
    ASSERT_TRUE(a->keep_open().ok());
    auto b = make_file(cache, d.path() / "b", "new");
    std::filesystem::rename(d.path() / "b", d.path() / "a");
    // Other files come and go; a's descriptor is never evicted.
    for (int i = 0; i < 5; ++i)
        make_file(cache, d.path() / ("x" + std::to_string(i)), "x");
    EXPECT_EQ(read_back(*a, 8), "old");
}

TEST(fd_cache, raise_fd_limit_reaches_the_hard_limit) {
    uint64_t soft = raise_fd_limit();
    struct rlimit rl {};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
    EXPECT_EQ(soft, rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : rl.rlim_cur);
    EXPECT_EQ(rl.rlim_cur, rl.rlim_max);
}

// Logs through the process's cache with a capacity far below the number of
// segments: every read and append still sees the right bytes, and retention
// deleting a segment a reader holds does not break that reader.
TEST(fd_cache, many_logs_share_a_small_cache) {
    temp_dir d;
    auto& cache = fd_cache::global();
    const size_t saved = cache.capacity();
    cache.set_capacity(3);
    {
        std::vector<std::shared_ptr<log>> logs;
        for (int p = 0; p < 12; ++p) {
            auto l = log::open(d.path() / ("t-" + std::to_string(p)),
                               config_with({{"segment.bytes", "2048"}}), true);
            ASSERT_TRUE(l.ok());
            logs.push_back(*l);
        }
        for (int round = 0; round < 10; ++round) {
            for (auto& l : logs) {
                auto b = make_batch(2, 100, 1000 + round, static_cast<uint64_t>(round));
                ASSERT_TRUE(l->append(b).ok());
                ASSERT_TRUE(l->sync().ok());
            }
        }
        EXPECT_LE(cache.open_count(), 3u);
        for (auto& l : logs) {
            auto all = read_all(*l, model::offset(0));
            ASSERT_EQ(all.size(), 10u);
            EXPECT_EQ(all.back().last, model::offset(19));
        }
        // A read chunk taken before DeleteRecords removes its segment still
        // reads the same bytes afterwards, even with the cache thrashing.
        auto& l = logs[0];
        auto before = l->read(model::offset(0), 100);
        ASSERT_TRUE(before.ok() && before->chunk);
        std::vector<std::byte> first;
        ASSERT_TRUE(before->copy_to(first).ok());
        ASSERT_TRUE(l->delete_records_before(model::offset(18)).ok());
        for (auto& other : logs)
            (void)read_all(*other, other->log_start_offset());
        std::vector<std::byte> again;
        ASSERT_TRUE(before->copy_to(again).ok());
        EXPECT_EQ(first, again);
        for (auto& x : logs)
            ASSERT_TRUE(x->close().ok());
    }
    cache.set_capacity(saved);
}

}  // namespace
}  // namespace fd_cache_test
}  // namespace spate::storage
