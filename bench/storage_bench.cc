// Storage engine benchmark: append and sequential-read throughput of one
// partition log, each printed next to the raw sequential bandwidth of the same
// disk measured in the same run (same file system, same fsync cadence).
//
// usage: storage_bench [--dir DIR] [--mib N] [--flush-ms N]
//
// The raw baseline writes 1 MiB blocks with write(2) and calls fdatasync every
// flush-ms milliseconds; the log appends pre-built batches through
// log_manager with flush.ms=flush-ms (background group-commit flusher). Reads
// evict the page cache for the file(s) first (posix_fadvise DONTNEED), then
// read sequentially in 1 MiB requests.

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "model/record_batch_builder.h"
#include "storage/log_manager.h"

using namespace spate;
using clk = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double seconds_since(clk::time_point t0) {
    return std::chrono::duration<double>(clk::now() - t0).count();
}

void evict(const fs::path& p) {
    int fd = ::open(p.c_str(), O_RDONLY);
    if (fd < 0) return;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

void evict_dir(const fs::path& dir) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) evict(e.path());
    }
}

// Raw sequential write: one thread writes blocks of `block_size` while a second thread
// calls fdatasync every `flush_ms` ms, the same cadence and threading as the
// log's background flusher; timed up to the final fdatasync. Returns MB/s.
double raw_write(const fs::path& file, size_t total, int flush_ms, size_t block_size) {
    std::vector<char> block(block_size);
    for (size_t i = 0; i < block.size(); ++i)
        block[i] = static_cast<char>(i * 7 + 3);
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        std::perror("open");
        std::exit(1);
    }
    std::atomic<bool> done{false};
    auto t0 = clk::now();
    std::thread syncer([&] {
        while (!done.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(flush_ms));
            ::fdatasync(fd);
        }
    });
    for (size_t written = 0; written < total; written += block.size()) {
        if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
            std::perror("write");
            std::exit(1);
        }
    }
    done = true;
    syncer.join();
    ::fdatasync(fd);
    double s = seconds_since(t0);
    ::close(fd);
    return static_cast<double>(total) / s / 1e6;
}

double raw_read(const fs::path& file) {
    evict(file);
    std::vector<char> block(1 << 20);
    int fd = ::open(file.c_str(), O_RDONLY);
    size_t total = 0;
    auto t0 = clk::now();
    ssize_t n;
    while ((n = ::read(fd, block.data(), block.size())) > 0)
        total += static_cast<size_t>(n);
    double s = seconds_since(t0);
    ::close(fd);
    return static_cast<double>(total) / s / 1e6;
}

struct result_row {
    std::string name;
    double records_per_s;
    double mb_per_s;
};

// Appends `total` bytes of batches, each `per_batch` records of `record_size`-byte values.
result_row log_append(const fs::path& dir, size_t total, size_t record_size, int per_batch,
                      int flush_ms, size_t& batch_bytes_out) {
    storage::log_manager_options o;
    o.data_dir = dir;
    auto m = storage::log_manager::open(o);
    if (!m.ok()) {
        std::fprintf(stderr, "%s\n", m.err().to_string().c_str());
        std::exit(1);
    }
    auto t = (*m)->create_topic("bench", 1, {{"flush.ms", std::to_string(flush_ms)}});
    if (!t.ok()) std::exit(1);
    auto l = (*m)->get("bench", 0);

    // A pool of distinct pre-built batches, as a broker receives them.
    std::vector<std::vector<std::byte>> pool;
    std::vector<std::byte> value(record_size, std::byte{'v'});
    model::record_batch_builder b;
    for (int k = 0; k < 64; ++k) {
        for (int i = 0; i < per_batch; ++i) {
            value[0] = static_cast<std::byte>(k + i);
            std::string key = "key-" + std::to_string(i);
            b.add(1700000000000 + i,
                  std::span<const std::byte>(reinterpret_cast<const std::byte*>(key.data()),
                                             key.size()),
                  value);
        }
        pool.push_back(b.finish());
    }
    size_t batch_bytes = pool[0].size();
    batch_bytes_out = batch_bytes;
    size_t batches = total / batch_bytes;
    auto t0 = clk::now();
    for (size_t i = 0; i < batches; ++i) {
        auto r = l->append(pool[i % pool.size()]);
        if (!r.ok()) {
            std::fprintf(stderr, "append: %s\n", r.err().to_string().c_str());
            std::exit(1);
        }
    }
    if (!l->sync().ok()) std::exit(1);
    double s = seconds_since(t0);
    double records = static_cast<double>(batches) * per_batch;
    (void)(*m)->close();
    return {std::to_string(record_size) + " B records, " + std::to_string(per_batch) + "/batch",
            records / s, static_cast<double>(batches * batch_bytes) / s / 1e6};
}

result_row log_read(const fs::path& dir) {
    storage::log_manager_options o;
    o.data_dir = dir;
    auto m = storage::log_manager::open(o);
    if (!m.ok()) std::exit(1);
    auto l = (*m)->get("bench", 0);
    evict_dir(dir);
    std::vector<std::byte> buf;
    buf.reserve(2 << 20);
    size_t bytes = 0;
    auto t0 = clk::now();
    model::offset next = l->log_start_offset();
    while (next < l->log_end_offset()) {
        auto r = l->read(next, 1 << 20);
        if (!r.ok() || !r->chunk) std::exit(1);
        buf.clear();
        if (!r->copy_to(buf).ok()) std::exit(1);
        bytes += buf.size();
        // Step to the offset after the last batch in the chunk.
        size_t pos = 0, last = 0;
        while (pos < buf.size()) {
            auto sz = model::record_batch_view::peek_size(
                std::span<const std::byte>(buf).subspan(pos), SIZE_MAX);
            last = pos;
            pos += *sz;
        }
        auto v = model::record_batch_view::parse_unchecked_crc(
            std::span<const std::byte>(buf).subspan(last));
        next = v->last_offset() + 1;
    }
    double s = seconds_since(t0);
    (void)(*m)->close();
    return {"sequential read", 0, static_cast<double>(bytes) / s / 1e6};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    fs::path dir = fs::temp_directory_path() / "spate-bench";
    size_t mib = 512;
    int flush_ms = 10;
    int rounds = 3;
    CLI::App app{"storage_bench: append throughput of the storage engine against raw writes"};
    std::string dir_arg = dir.string();
    app.add_option("--dir", dir_arg, "Scratch directory (emptied first)")->capture_default_str();
    app.add_option("--mib", mib, "MiB written per run")
        ->check(CLI::Range(size_t(1), size_t(1) << 30))
        ->capture_default_str();
    app.add_option("--flush-ms", flush_ms, "fsync cadence (ms)")
        ->check(CLI::Range(0, 1 << 30))
        ->capture_default_str();
    app.add_option("--rounds", rounds, "Alternating rounds (median reported)")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    dir = dir_arg;
    fs::remove_all(dir);
    fs::create_directories(dir);
    size_t total = mib << 20;
    std::printf(
        "storage_bench: %zu MiB per run in %s, fsync every %d ms, median of %d alternating "
        "rounds\n",
        mib, dir.c_str(), flush_ms, rounds);
    std::printf("(the raw baseline writes blocks of the batch size with the same fsync cadence)\n");

    struct cfg {
        size_t record;
        int per_batch;
    };
    for (cfg c : {cfg{1024, 16}, cfg{1024, 64}, cfg{100, 160}, cfg{100, 640}}) {
        std::vector<double> raw, mb, recs;
        auto run_dir = dir / "log";
        for (int r = 0; r < rounds; ++r) {
            fs::remove_all(run_dir);
            size_t batch_bytes = 0;
            auto row = log_append(run_dir, total, c.record, c.per_batch, flush_ms, batch_bytes);
            mb.push_back(row.mb_per_s);
            recs.push_back(row.records_per_s);
            raw.push_back(raw_write(dir / "raw.bin", total, flush_ms, batch_bytes));
            fs::remove(dir / "raw.bin");
        }
        double raw_w = median(raw), log_w = median(mb);
        std::printf(
            "append %4zu B records, %3d/batch  %11.0f rec/s %8.1f MB/s | raw %8.1f MB/s | "
            "%5.1f%%\n",
            c.record, c.per_batch, median(recs), log_w, raw_w, 100.0 * log_w / raw_w);
        if (c.record == 1024 && c.per_batch == 64) {
            std::vector<double> lr, rr;
            raw_write(dir / "raw.bin", total, flush_ms, 1 << 20);
            for (int r = 0; r < rounds; ++r) {
                lr.push_back(log_read(run_dir).mb_per_s);
                rr.push_back(raw_read(dir / "raw.bin"));
            }
            fs::remove(dir / "raw.bin");
            std::printf(
                "read   1024 B records, 64/batch (cold) %20s %8.1f MB/s | raw %8.1f MB/s | "
                "%5.1f%%\n",
                "", median(lr), median(rr), 100.0 * median(lr) / median(rr));
        }
        fs::remove_all(run_dir);
    }
    fs::remove_all(dir);
    return 0;
}
