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

#include "model/records.h"
#include "storage/log.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace crash_test {
namespace {

struct acked {
    uint64_t seed;
    int count;
};

// Runs the writer for `run_ms`, SIGKILLs it, returns the complete lines it printed.
std::string run_and_kill(const std::filesystem::path& dir, uint64_t seed_base, int run_ms,
                         const char* writer = SPATE_CRASH_WRITER) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        auto seed = std::to_string(seed_base);
        execl(writer, writer, dir.c_str(), seed.c_str(), nullptr);
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
    // 40 kills at 1-150 ms; on a loaded machine (the writer's start-up under
    // sanitizers takes most of that) further kills with longer runs, up to
    // 1 s, until enough durable appends were made to prove something.
    const int min_iterations = 40;
    const int max_iterations = 120;
    int iterations = 0;
    for (int it = 0; it < max_iterations; ++it) {
        if (it >= min_iterations && acknowledged.size() > 100u) break;
        iterations = it + 1;
        const int longest = it < min_iterations ? 150 : 1000;
        int run_ms = std::uniform_int_distribution<int>(1, longest)(rng);
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

// A write the compaction writer acknowledged.
struct acked_write {
    int64_t offset = -1;
    std::string value;  // "-": tombstone
};

// Reads the compaction writer's output: "C" after each pass, "A <key>
// <offset> <value>" after each acknowledged write (recorded in `latest`).
void parse_compaction_writer_output(const std::string& lines,
                                    std::map<std::string, acked_write>& latest, size_t& passes,
                                    size_t& acks) {
    std::istringstream in(lines);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string tag;
        ls >> tag;
        if (tag == "C") {
            ++passes;
            continue;
        }
        ASSERT_EQ(tag, "A") << line;
        std::string key;
        acked_write w;
        ls >> key >> w.offset >> w.value;
        ASSERT_GT(w.offset, latest[key].offset) << line;
        latest[key] = w;
        ++acks;
    }
}

// Whether a kill left a pass's cleaned or swap files behind in `dir`.
bool has_compaction_leftovers(const std::filesystem::path& dir) {
    std::error_code ec;  // the writer may not even have created the directory yet
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        auto ext = e.path().extension().string();
        if (ext == ".cleaned" || ext == ".swap") return true;
    }
    return false;
}

// Reopens the killed writer's log and checks it: no leftover files, whole
// batches with increasing offsets, and for every key its latest
// acknowledged write or a later one.
void verify_compacted_log(const std::filesystem::path& dir,
                          const std::map<std::string, acked_write>& latest, int iteration) {
    auto cfg = testing::config_with({{"cleanup.policy", "compact"},
                                     {"segment.bytes", "16384"},
                                     {"index.interval.bytes", "512"}});
    auto l = log::open(dir, cfg, false);
    ASSERT_TRUE(l.ok()) << l.err().to_string();
    ASSERT_FALSE(has_compaction_leftovers(dir)) << "left behind in iteration " << iteration;
    std::map<std::string, acked_write> found;  // key -> last record in the log
    int64_t prev = -1;
    for (const auto& b : testing::read_all(**l, (*l)->log_start_offset())) {
        auto v = model::record_batch_view::parse(b.bytes);
        ASSERT_TRUE(v.ok());
        auto reader = model::record_reader::create(*v);
        ASSERT_TRUE(reader.ok());
        auto st = reader->for_each([&](const model::record_view& r) {
            int64_t o = reader->offset_of(r).value();
            EXPECT_GT(o, prev);
            prev = o;
            std::string key(reinterpret_cast<const char*>(r.key->data()), r.key->size());
            found[key] = {o, r.value ? std::string(reinterpret_cast<const char*>(r.value->data()),
                                                   r.value->size())
                                     : std::string("-")};
        });
        ASSERT_TRUE(st.ok()) << st.err().to_string();
    }
    for (const auto& [key, w] : latest) {
        auto f = found.find(key);
        ASSERT_NE(f, found.end()) << key << " lost in iteration " << iteration;
        ASSERT_GE(f->second.offset, w.offset) << key << " went back in iteration " << iteration;
        if (f->second.offset == w.offset) {
            EXPECT_EQ(f->second.value, w.value) << key << " in iteration " << iteration;
        }
    }
    ASSERT_TRUE((*l)->close().ok());
}

// The compaction writer updates 40 keys (some with tombstones) while another
// thread compacts back to back; after every kill the log must reopen, validate
// (whole CRC-valid batches, increasing offsets, no leftover .cleaned/.swap
// files) and hold, for every key, its latest acknowledged write or a later one.
TEST(CompactionCrash, sigkill_during_compaction_keeps_every_keys_latest_acked_value) {
    testing::temp_dir d;
    auto dir = d.path() / "compact-0";
    std::map<std::string, acked_write> latest;  // key -> latest acknowledged write
    std::mt19937 rng(4242);
    // At least 40 kills, more (up to 200) until the writer has shown enough
    // compaction activity (slow sanitizer builds need more).
    const int min_iterations = 40;
    const int max_iterations = 200;
    int iterations = 0;
    size_t passes = 0;
    size_t acks = 0;
    size_t mid_pass_kills = 0;  // kills that left cleaned or swap files behind
    auto enough = [&] { return passes >= 2 && mid_pass_kills >= 10 && acks >= 200; };
    for (int it = 0; it < max_iterations && (it < min_iterations || !enough()); ++it) {
        iterations = it + 1;
        // A loaded machine spends short runs starting up: after the first
        // kills, longer runs let the writer reach its compaction passes.
        const int longest_ms = it < min_iterations ? 250 : 1000;
        int run_ms = std::uniform_int_distribution<int>(20, longest_ms)(rng);
        auto lines =
            run_and_kill(dir, static_cast<uint64_t>(it + 1), run_ms, SPATE_COMPACTION_CRASH_WRITER);
        ASSERT_NO_FATAL_FAILURE(parse_compaction_writer_output(lines, latest, passes, acks));
        if (has_compaction_leftovers(dir)) ++mid_pass_kills;
        ASSERT_NO_FATAL_FAILURE(verify_compacted_log(dir, latest, it));
    }
    std::cout << "compaction crash test: " << iterations << " kills, " << acks << " acks, "
              << passes << " passes, " << mid_pass_kills << " kills mid-pass\n";
    EXPECT_TRUE(enough()) << "too little compaction activity to prove anything";
}

}  // namespace
}  // namespace crash_test
}  // namespace spate::storage
