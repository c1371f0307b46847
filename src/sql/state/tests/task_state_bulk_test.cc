#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "sql/state/task_state.h"
#include "sql/state/tests/state_test_util.h"

namespace spate::sql {
namespace task_state_bulk_test {
namespace {

using namespace test_support;

constexpr int k_keys = 100000;

int64_t ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 t)
        .count();
}

// Also the micro figures of the part's README: printed, not asserted
// (machines differ), except that the restore ends within its deadline.
TEST_F(task_state_test, a_hundred_thousand_keys_commit_and_restore_within_the_deadline) {
    auto w = writer();
    char key[32], value[32];
    {
        auto st = open();
        ASSERT_NE(st, nullptr);
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < k_keys; ++i) {
            int kn = std::snprintf(key, sizeof key, "key-%08d", i);
            int vn = std::snprintf(value, sizeof value, "value-%d", i * 7);
            st->put(std::string_view(key, static_cast<size_t>(kn)),
                    std::string_view(value, static_cast<size_t>(vn)));
        }
        auto put_ms = ms_since(t0);
        auto t1 = std::chrono::steady_clock::now();
        ASSERT_TRUE(w.log_and_commit(*st));
        auto log_ms = ms_since(t1);
        auto t2 = std::chrono::steady_clock::now();
        auto s = st->commit(w.end_of(0));
        ASSERT_TRUE(s.ok()) << s.error().message;
        auto commit_ms = ms_since(t2);
        auto t3 = std::chrono::steady_clock::now();
        std::string buf;
        for (int i = 0; i < k_keys; i += 10) {
            int kn = std::snprintf(key, sizeof key, "key-%08d", i);
            auto found = st->get_into(std::string_view(key, static_cast<size_t>(kn)), buf);
            ASSERT_TRUE(found.ok() && found.value()) << key;
        }
        auto get_ms = ms_since(t3);
        std::printf(
            "[ figures  ] %d puts %lld ms; log_pending + transaction commit %lld ms; "
            "RocksDB commit %lld ms; %d gets %lld ms\n",
            k_keys, static_cast<long long>(put_ms), static_cast<long long>(log_ms),
            static_cast<long long>(commit_ms), k_keys / 10, static_cast<long long>(get_ms));
    }
    std::filesystem::remove_all(_dir.path());
    auto t = std::chrono::steady_clock::now();
    auto o = options(_dir.path());
    o.timeout_ms = 20000;
    auto st = open(o);
    ASSERT_NE(st, nullptr);
    auto restore_ms = ms_since(t);
    std::printf("[ figures  ] restore of %d records %lld ms\n", k_keys,
                static_cast<long long>(restore_ms));
    EXPECT_EQ(st->stats().restored_records, k_keys);
    EXPECT_NEAR(static_cast<double>(st->stats().keys), k_keys, k_keys * 0.1);
    EXPECT_EQ(get(*st, "key-00012345"), "value-86415");
    int64_t n = 0;
    auto s = st->scan("key-00050000", "key-00050100", [&](std::string_view, std::string_view) {
        ++n;
        return true;
    });
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(n, 100);
}

}  // namespace
}  // namespace task_state_bulk_test
}  // namespace spate::sql
