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

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "model/record_batch_builder.h"
#include "storage/log_manager.h"

using namespace spate;
using clk = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double seconds_since(clk::time_point t0) { return std::chrono::duration<double>(clk::now() - t0).count(); }

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

// Raw sequential write: returns MB/s.
double raw_write(const fs::path& file, size_t total, int flush_ms) {
    std::vector<char> block(1 << 20, 'x');
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        std::perror("open");
        std::exit(1);
    }
    auto t0 = clk::now();
    auto last_sync = t0;
    for (size_t done = 0; done < total; done += block.size()) {
        if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
            std::perror("write");
            std::exit(1);
        }
        if (clk::now() - last_sync >= std::chrono::milliseconds(flush_ms)) {
            ::fdatasync(fd);
            last_sync = clk::now();
        }
    }
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
    while ((n = ::read(fd, block.data(), block.size())) > 0) total += static_cast<size_t>(n);
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
result_row log_append(const fs::path& dir, size_t total, size_t record_size, int per_batch, int flush_ms) {
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
                  std::span<const std::byte>(reinterpret_cast<const std::byte*>(key.data()), key.size()), value);
        }
        pool.push_back(b.finish());
    }
    size_t batch_bytes = pool[0].size();
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
            auto sz = model::record_batch_view::peek_size(std::span<const std::byte>(buf).subspan(pos), SIZE_MAX);
            last = pos;
            pos += *sz;
        }
        auto v = model::record_batch_view::parse_unchecked_crc(std::span<const std::byte>(buf).subspan(last));
        next = v->last_offset() + 1;
    }
    double s = seconds_since(t0);
    (void)(*m)->close();
    return {"sequential read", 0, static_cast<double>(bytes) / s / 1e6};
}

}  // namespace

int main(int argc, char** argv) {
    fs::path dir = fs::temp_directory_path() / "spate-bench";
    size_t mib = 1024;
    int flush_ms = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--dir") dir = argv[i + 1];
        else if (a == "--mib") mib = std::stoul(argv[i + 1]);
        else if (a == "--flush-ms") flush_ms = std::stoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: storage_bench [--dir DIR] [--mib N] [--flush-ms N]\n");
            return 2;
        }
    }
    fs::remove_all(dir);
    fs::create_directories(dir);
    size_t total = mib << 20;
    std::printf("storage_bench: %zu MiB per run in %s, fsync every %d ms\n", mib, dir.c_str(), flush_ms);

    double raw_w = raw_write(dir / "raw.bin", total, flush_ms);
    double raw_r = raw_read(dir / "raw.bin");
    fs::remove(dir / "raw.bin");
    std::printf("%-40s %12s %10.1f MB/s\n", "raw disk sequential write (baseline)", "", raw_w);
    std::printf("%-40s %12s %10.1f MB/s\n", "raw disk sequential read (baseline)", "", raw_r);

    struct cfg {
        size_t record;
        int per_batch;
    };
    for (cfg c : {cfg{1024, 16}, cfg{1024, 64}, cfg{100, 160}, cfg{100, 640}}) {
        auto run_dir = dir / ("log-" + std::to_string(c.record) + "-" + std::to_string(c.per_batch));
        auto row = log_append(run_dir, total, c.record, c.per_batch, flush_ms);
        std::printf("append %-33s %9.0f rec/s %10.1f MB/s  %5.1f%% of raw write\n", row.name.c_str(),
                    row.records_per_s, row.mb_per_s, 100.0 * row.mb_per_s / raw_w);
        if (c.record == 1024 && c.per_batch == 64) {
            auto rd = log_read(run_dir);
            std::printf("read   %-33s %12s %10.1f MB/s  %5.1f%% of raw read\n", "1024 B records, 64/batch", "",
                        rd.mb_per_s, 100.0 * rd.mb_per_s / raw_r);
        }
        fs::remove_all(run_dir);
    }
    fs::remove_all(dir);
    return 0;
}
