// A writer process for the crash test: appends batches to a log from several
// threads and, after each batch is durable, prints "A <base> <seed> <count>"
// on stdout. The test kills it with SIGKILL at random moments.
//
// usage: storage_crash_writer <log-dir> <seed-base>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/log.h"
#include "storage/tests/test_util.h"

using namespace spate;

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    std::filesystem::path dir = argv[1];
    uint64_t seed_base = std::strtoull(argv[2], nullptr, 10);
    auto cfg = storage::testing::config_with(
        {{"segment.bytes", "65536"}, {"index.interval.bytes", "1024"}});
    auto l = storage::log::open(dir, cfg, false);
    if (!l.ok()) {
        std::fprintf(stderr, "open failed: %s\n", l.err().to_string().c_str());
        return 1;
    }
    std::mutex out_mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
            for (uint64_t i = 0;; ++i) {
                uint64_t seed = seed_base * 1000000 + static_cast<uint64_t>(t) * 100000 + i;
                int count = 1 + static_cast<int>(seed % 7);
                auto b = storage::testing::make_batch(count, 50 + seed % 300,
                                                      static_cast<int64_t>(seed), seed);
                auto r = (*l)->append(b);
                if (!r.ok()) std::abort();
                if (!(*l)->wait_durable(r->last_offset + 1).ok()) std::abort();
                std::lock_guard lk(out_mu);
                std::printf("A %lld %llu %d\n", static_cast<long long>(r->base_offset.value()),
                            static_cast<unsigned long long>(seed), count);
                std::fflush(stdout);
            }
        });
    }
    for (auto& t : threads)
        t.join();
    return 0;
}
