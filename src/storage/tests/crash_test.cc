// Kills a writer process with SIGKILL at random moments, many times, and
// checks after each recovery that every append it reported durable is present
// at its offset with its content, with no gaps and no corrupt batch.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "storage/log.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace {

struct acked {
    uint64_t seed;
    int count;
};

// Runs the writer for `run_ms`, SIGKILLs it, returns the complete lines it printed.
std::string run_and_kill(const std::filesystem::path& dir, uint64_t seed_base, int run_ms) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        auto seed = std::to_string(seed_base);
        execl(SPATE_CRASH_WRITER, SPATE_CRASH_WRITER, dir.c_str(), seed.c_str(), nullptr);
        _exit(127);
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms));
    kill(pid, SIGKILL);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        out.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) << "writer exited on its own: " << st;
    // Drop a torn last line.
    auto last_nl = out.rfind('\n');
    return last_nl == std::string::npos ? std::string() : out.substr(0, last_nl + 1);
}

TEST(crash, sigkill_at_random_moments_never_loses_a_durable_append) {
    testing::temp_dir d;
    auto dir = d.path() / "crash-0";
    std::map<int64_t, acked> acknowledged;  // base offset -> what was written there
    std::mt19937 rng(12345);
    const int iterations = 40;
    for (int it = 0; it < iterations; ++it) {
        int run_ms = std::uniform_int_distribution<int>(1, 150)(rng);
        auto lines = run_and_kill(dir, static_cast<uint64_t>(it + 1), run_ms);
        std::istringstream in(lines);
        std::string tag;
        int64_t base;
        uint64_t seed;
        int count;
        while (in >> tag >> base >> seed >> count) {
            ASSERT_EQ(tag, "A");
            ASSERT_FALSE(acknowledged.count(base)) << "offset " << base << " acknowledged twice";
            acknowledged[base] = {seed, count};
        }

        // Recover and verify.
        auto cfg =
            testing::config_with({{"segment.bytes", "65536"}, {"index.interval.bytes", "1024"}});
        auto l = log::open(dir, cfg, false);
        ASSERT_TRUE(l.ok()) << l.err().to_string();
        auto all = testing::read_all(**l, model::offset(0));
        int64_t expect_next = 0;
        std::map<int64_t, const testing::stored_batch*> by_base;
        for (const auto& b : all) {
            ASSERT_EQ(b.base.value(), expect_next) << "gap or overlap in iteration " << it;
            expect_next = b.last.value() + 1;
            by_base[b.base.value()] = &b;
        }
        EXPECT_EQ(expect_next, (*l)->log_end_offset().value());
        for (const auto& [off, a] : acknowledged) {
            auto found = by_base.find(off);
            ASSERT_NE(found, by_base.end())
                << "durable batch at " << off << " lost in iteration " << it;
            auto values = testing::values_of(*found->second);
            ASSERT_EQ(values.size(), static_cast<size_t>(a.count));
            EXPECT_EQ(values.back(),
                      testing::expected_value(a.seed, a.count - 1, 50 + a.seed % 300));
        }
    }
    std::cout << "crash test: " << iterations << " kills, " << acknowledged.size()
              << " durable batches verified\n";
    EXPECT_GT(acknowledged.size(), 100u) << "the writer made too little progress to prove anything";
}

}  // namespace
}  // namespace spate::storage
