// A writer process for the compaction crash test: one thread appends updates
// (and some tombstones) to a small key space of a compacted log and, after
// each is durable, prints "A <key> <offset> <value-or-->" on stdout; another
// thread runs forced compaction passes back to back and prints "C" after each
// pass that ran. The test kills it with SIGKILL at random moments.
//
// usage: storage_compaction_crash_writer <log-dir> <seed>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "model/record_batch_builder.h"
#include "storage/log.h"
#include "storage/tests/test_util.h"

using namespace spate;

namespace {
std::span<const std::byte> as_bytes(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    std::filesystem::path dir = argv[1];
    uint64_t seed = std::strtoull(argv[2], nullptr, 10);
    auto cfg = storage::testing::config_with({{"cleanup.policy", "compact"},
                                              {"segment.bytes", "16384"},
                                              {"index.interval.bytes", "512"}});
    auto l = storage::log::open(dir, cfg, false);
    if (!l.ok()) {
        std::fprintf(stderr, "open failed: %s\n", l.err().to_string().c_str());
        return 1;
    }
    std::mutex out_mu;
    std::thread compactor([&] {
        storage::compaction_options o;
        o.force = true;
        for (;;) {
            auto r = (*l)->compact(storage::system_now_ms(), o);
            if (!r.ok()) {
                std::fprintf(stderr, "compact failed: %s\n", r.err().to_string().c_str());
                std::abort();
            }
            if (r->ran) {
                std::lock_guard lk(out_mu);
                std::printf("C\n");
                std::fflush(stdout);
            }
        }
    });
    std::mt19937_64 rng(seed);
    for (uint64_t i = 0;; ++i) {
        model::record_batch_builder b;
        int count = 1 + static_cast<int>(rng() % 4);
        std::vector<std::pair<std::string, std::optional<std::string>>> recs;
        for (int j = 0; j < count; ++j) {
            std::string key = "key-" + std::to_string(rng() % 40);
            std::optional<std::string> value;
            if (rng() % 10 != 0)
                value = "s" + std::to_string(seed) + "-" + std::to_string(i) + "-" +
                        std::to_string(j) + std::string(rng() % 100, 'x');
            recs.emplace_back(key, value);
            std::optional<std::span<const std::byte>> v;
            if (recs.back().second) v = as_bytes(*recs.back().second);
            b.add(storage::system_now_ms(), as_bytes(recs.back().first), v);
        }
        auto bytes = b.finish();
        auto r = (*l)->append(bytes);
        if (!r.ok()) std::abort();
        if (!(*l)->wait_durable(r->last_offset + 1).ok()) std::abort();
        std::lock_guard lk(out_mu);
        for (int j = 0; j < count; ++j) {
            std::printf("A %s %lld %s\n", recs[static_cast<size_t>(j)].first.c_str(),
                        static_cast<long long>(r->base_offset.value() + j),
                        recs[static_cast<size_t>(j)].second
                            ? recs[static_cast<size_t>(j)].second->c_str()
                            : "-");
        }
        std::fflush(stdout);
    }
}
