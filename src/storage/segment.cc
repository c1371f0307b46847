#include "storage/segment.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <vector>

#include "base/log.h"
#include "bytes/endian.h"
#include "model/record_batch.h"

namespace spate::storage {

namespace bl = model::batch_layout;

std::string segment_file_name(model::offset base, const char* extension) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%020lld%s", static_cast<long long>(base.value()), extension);
    return buf;
}

segment::segment(const std::filesystem::path& dir, model::offset base, int64_t index_interval_bytes,
                 const std::string& suffix)
    : _dir(dir.string())
    , _base(base)
    , _next(base)
    , _max_timestamp_offset(base)
    , _index_interval(index_interval_bytes)
    , _offset_index(dir / (segment_file_name(base, ".index") + suffix))
    , _time_index(dir / (segment_file_name(base, ".timeindex") + suffix))
    , _txn_index(dir / (segment_file_name(base, ".txnindex") + suffix)) {}

result<std::shared_ptr<segment>> segment::create(const std::filesystem::path& dir,
                                                 model::offset base, int64_t index_interval_bytes,
                                                 int64_t now_ms, const std::string& suffix) {
    std::shared_ptr<segment> s(new segment(dir, base, index_interval_bytes, suffix));
    auto f = file::open_cached(dir / (segment_file_name(base, ".log") + suffix),
                               file::mode::read_write_create, fd_cache::global());
    if (!f.ok()) return f.err();
    s->_log = std::move(*f);
    SPATE_TRY(s->_log->truncate(0));
    // Stale files from a segment of the same base go; the indexes are
    // created by their first flush with entries (open() treats a missing
    // index of an empty segment as empty).
    SPATE_TRY(s->_txn_index.remove());
    SPATE_TRY(s->_offset_index.remove());
    SPATE_TRY(s->_time_index.remove());
    // The directory entry becomes durable with the segment's first sync
    // (sync_data): creating a partition costs no fsync, and a crash before
    // that sync loses only an empty segment, which the next open recreates.
    s->_dir_unsynced = true;
    s->_first_append_ms = now_ms;
    return s;
}

namespace {
std::atomic<uint64_t> g_writeback_bytes{k_default_writeback_bytes};
}  // namespace

void set_writeback_bytes(uint64_t bytes) {
    g_writeback_bytes.store(bytes, std::memory_order_relaxed);
}

uint64_t writeback_bytes() {
    return g_writeback_bytes.load(std::memory_order_relaxed);
}

result<std::shared_ptr<segment>> segment::open(const std::filesystem::path& dir, model::offset base,
                                               int64_t index_interval_bytes, bool full_check,
                                               int64_t now_ms, recovery_stats& stats) {
    std::shared_ptr<segment> s(new segment(dir, base, index_interval_bytes));
    auto f = file::open_cached(dir / segment_file_name(base, ".log"), file::mode::read_write_create,
                               fd_cache::global());
    if (!f.ok()) return f.err();
    s->_log = std::move(*f);
    s->_first_append_ms = now_ms;
    SPATE_TRY(s->_txn_index.load());
    if (full_check) {
        SPATE_TRY(s->full_scan(stats));
    } else {
        SPATE_TRY(s->load_indexes_and_tail(stats));
    }
    s->_writeback_from = s->_size;  // what an earlier run wrote is the kernel's to write back
    return s;
}

namespace {
// Decodes the fields of a batch header the log needs; validates only what
// header-level navigation relies on (length, magic, offsets).
result<batch_position> decode_header(std::span<const std::byte> h, uint64_t pos,
                                     uint64_t bytes_left) {
    SPATE_ASSERT(h.size() >= bl::header_size);
    int32_t len = bytes::load_be<int32_t>(h.data() + bl::batch_length);
    if (len < static_cast<int32_t>(bl::header_size - bl::log_overhead) ||
        static_cast<uint64_t>(len) + bl::log_overhead > bytes_left ||
        static_cast<uint64_t>(len) + bl::log_overhead > segment::k_max_batch_bytes) {
        return make_error(errc::corrupt,
                          "batch length out of bounds at position " + std::to_string(pos));
    }
    if (static_cast<int8_t>(h[bl::magic]) != model::k_magic_v2) {
        return make_error(errc::corrupt, "bad magic at position " + std::to_string(pos));
    }
    int32_t delta = bytes::load_be<int32_t>(h.data() + bl::last_offset_delta);
    if (delta < 0) return make_error(errc::corrupt, "negative offset delta");
    batch_position b;
    b.base_offset = model::offset(bytes::load_be<int64_t>(h.data() + bl::base_offset));
    b.last_offset = b.base_offset + delta;
    b.max_timestamp = bytes::load_be<int64_t>(h.data() + bl::max_timestamp);
    b.position = pos;
    b.size = static_cast<uint32_t>(len) + bl::log_overhead;
    return b;
}
}  // namespace

result<batch_position> segment::header_at(uint64_t pos) const {
    std::byte h[bl::header_size];
    if (pos + bl::header_size > _size)
        return make_error(errc::corrupt, "batch header past segment end");
    auto n = _log->pread(h, pos);
    if (!n.ok()) return n.err();
    if (*n < bl::header_size) return make_error(errc::corrupt, "short read of batch header");
    return decode_header(h, pos, _size - pos);
}

void segment::index_batch(const batch_position& b) {
    uint32_t rel = static_cast<uint32_t>(b.base_offset - _base);
    if (b.max_timestamp > _max_timestamp) {
        _max_timestamp = b.max_timestamp;
        _max_timestamp_offset = b.base_offset;
    }
    if (_offset_index.empty() || _bytes_since_index >= static_cast<uint64_t>(_index_interval)) {
        _offset_index.append({rel, static_cast<uint32_t>(b.position)});
        _bytes_since_index = 0;
        if (_max_timestamp >= 0 &&
            (_time_index.empty() || _time_index.back().timestamp < _max_timestamp)) {
            _time_index.append(
                {_max_timestamp, static_cast<uint32_t>(_max_timestamp_offset - _base)});
        }
    }
    _bytes_since_index += b.size;
    _next = b.last_offset + 1;
    _size = b.position + b.size;
}

void segment::seal() {
    if (_max_timestamp >= 0 &&
        (_time_index.empty() || _time_index.back().timestamp < _max_timestamp)) {
        uint32_t rel = static_cast<uint32_t>(_max_timestamp_offset - _base);
        if (_time_index.empty() || _time_index.back().relative_offset < rel) {
            _time_index.append({_max_timestamp, rel});
        }
    }
}

status segment::append(std::span<const std::byte> data, std::span<const batch_position> batches,
                       int64_t now_ms) {
    SPATE_ASSERT(!batches.empty());
    SPATE_ASSERT(batches.front().base_offset >= _next);
    uint64_t start = _size;
    SPATE_TRY(_log->pwrite_all(data, start));
    if (_size == 0) _first_append_ms = now_ms;
    for (auto b : batches) {
        b.position += start;
        index_batch(b);
    }
    const uint64_t every = writeback_bytes();
    if (every != 0 && _size - _writeback_from >= every) {
        // Advisory: a failure costs a later sync time, not data. Logged.
        if (auto w = _log->start_writeback(_writeback_from, _size - _writeback_from); !w.ok())
            logging::get("storage").warn("{}", w.err().message);
        _writeback_from = _size;
    }
    return {};
}

status segment::full_scan(recovery_stats& stats) {
    auto file_size = _log->size();
    if (!file_size.ok()) return file_size.err();
    _offset_index.clear();
    _time_index.clear();
    _size = 0;
    _next = _base;
    _max_timestamp = -1;
    _max_timestamp_offset = _base;
    _bytes_since_index = 0;
    stats.index_rebuilt = true;

    std::vector<std::byte> buf(1 << 20);
    uint64_t buf_pos = 0;  // file position of buf[0]
    size_t buf_len = 0;
    uint64_t pos = 0;
    while (pos < *file_size) {
        // Make sure the whole batch at `pos` is in the buffer.
        auto ensure = [&](size_t need) -> status {
            if (pos >= buf_pos && pos + need <= buf_pos + buf_len) return {};
            if (buf.size() < need) buf.resize(need);
            auto n = _log->pread(std::span<std::byte>(buf.data(), buf.size()), pos);
            if (!n.ok()) return n.err();
            buf_pos = pos;
            buf_len = *n;
            return {};
        };
        SPATE_TRY(ensure(bl::header_size));
        if (pos + bl::header_size > buf_pos + buf_len) break;  // torn header
        auto h =
            decode_header(std::span<const std::byte>(buf.data() + (pos - buf_pos), bl::header_size),
                          pos, *file_size - pos);
        if (!h.ok()) break;
        SPATE_TRY(ensure(h->size));
        if (pos + h->size > buf_pos + buf_len) break;
        auto view = model::record_batch_view::parse(
            std::span<const std::byte>(buf.data() + (pos - buf_pos), h->size));
        if (!view.ok()) break;
        if (h->base_offset < _next || h->last_offset - _base > static_cast<int64_t>(UINT32_MAX))
            break;
        index_batch(*h);
        ++stats.batches_checked;
        pos += h->size;
    }
    if (_size < *file_size) {
        stats.bytes_truncated += *file_size - _size;
        SPATE_TRY(_log->truncate(_size));
        SPATE_TRY(_log->datasync());
    }
    return flush_indexes(true);
}

status segment::load_indexes_and_tail(recovery_stats& stats) {
    auto file_size = _log->size();
    if (!file_size.ok()) return file_size.err();
    auto oi = _offset_index.load();
    auto ti = _time_index.load();
    if (!oi.ok() || !ti.ok() || (*file_size > 0 && _offset_index.empty())) return full_scan(stats);
    const auto& entries = _offset_index.entries();
    if (!entries.empty() && (entries.back().position >= *file_size)) return full_scan(stats);
    // Walk batch headers from the last indexed batch to the end of the file.
    _size = *file_size;
    uint64_t pos = entries.empty() ? 0 : entries.back().position;
    _next = _base;
    if (!_time_index.empty()) {
        _max_timestamp = _time_index.back().timestamp;
        _max_timestamp_offset = _base + _time_index.back().relative_offset;
    }
    bool first = true;
    while (pos < *file_size) {
        auto h = header_at(pos);
        if (!h.ok()) return full_scan(stats);
        if (first && !entries.empty() && h->base_offset != _base + entries.back().relative_offset) {
            return full_scan(stats);
        }
        if (h->base_offset < _next) return full_scan(stats);
        first = false;
        if (h->max_timestamp > _max_timestamp) {
            _max_timestamp = h->max_timestamp;
            _max_timestamp_offset = h->base_offset;
        }
        _next = h->last_offset + 1;
        pos += h->size;
    }
    if (!_time_index.empty() && _base + _time_index.back().relative_offset >= _next)
        return full_scan(stats);
    _bytes_since_index = entries.empty() ? _size : _size - entries.back().position;
    return {};
}

result<std::optional<batch_position>> segment::find_batch(model::offset o) const {
    if (o >= _next) return std::optional<batch_position>();
    uint64_t pos = 0;
    if (o > _base) {
        auto e = floor_entry(_offset_index, static_cast<uint32_t>(o - _base));
        if (e) pos = e->position;
    }
    while (pos < _size) {
        auto h = header_at(pos);
        if (!h.ok()) return h.err();
        if (h->last_offset >= o) return std::optional<batch_position>(*h);
        pos += h->size;
    }
    return std::optional<batch_position>();
}

result<std::optional<batch_position>> segment::find_by_timestamp(int64_t ts) const {
    if (_size == 0 || _max_timestamp < ts) return std::optional<batch_position>();
    uint64_t pos = 0;
    if (auto e = last_entry_before(_time_index, ts)) {
        auto start = find_batch(_base + e->relative_offset);
        if (!start.ok()) return start.err();
        if (*start) pos = (*start)->position;
    }
    while (pos < _size) {
        auto h = header_at(pos);
        if (!h.ok()) return h.err();
        if (h->max_timestamp >= ts) return std::optional<batch_position>(*h);
        pos += h->size;
    }
    return std::optional<batch_position>();
}

result<uint64_t> segment::read_end(uint64_t start, size_t max_bytes, model::offset limit) const {
    uint64_t end = start;
    // Jump close to the byte budget with the index, then walk headers.
    const auto& entries = _offset_index.entries();
    uint64_t target = start + max_bytes;
    auto it =
        std::upper_bound(entries.begin(), entries.end(), target,
                         [](uint64_t t, const offset_index_entry& e) { return t < e.position; });
    uint64_t pos = start;
    if (it != entries.begin()) {
        auto e = *std::prev(it);
        if (e.position > start && _base + e.relative_offset < limit) pos = e.position;
    }
    if (pos != start) {
        // Every batch between start and pos fits the budget and ends below the
        // index entry's base offset, so below `limit`.
        end = pos;
    }
    while (end < _size) {
        auto h = header_at(end);
        if (!h.ok()) return h.err();
        if (h->last_offset >= limit) break;
        if (end != start && end + h->size - start > max_bytes) break;
        end += h->size;
    }
    return end;
}

status segment::flush_indexes(bool sync) {
    SPATE_TRY(_offset_index.flush(sync));
    return _time_index.flush(sync);
}

status segment::sync_data() {
    SPATE_TRY(_log->datasync());
    SPATE_TRY(_txn_index.sync());
    if (!_dir_unsynced.load()) return {};
    // Concurrent syncs (group commit, a roll) all return after the fsync.
    std::lock_guard lk(_dir_sync_mu);
    if (!_dir_unsynced.load()) return {};
    SPATE_TRY(fsync_dir(_dir));
    _dir_unsynced = false;
    return {};
}

status segment::remove_files() {
    // Readers that still hold this segment keep reading the unlinked inode.
    SPATE_TRY(_log->keep_open());
    SPATE_TRY(_txn_index.remove());
    SPATE_TRY(_offset_index.remove());
    SPATE_TRY(_time_index.remove());
    std::error_code ec;
    std::filesystem::remove(_log->path(), ec);
    if (ec)
        return make_error(errc::io_error, "remove " + _log->path().string() + ": " + ec.message());
    return {};
}

}  // namespace spate::storage
