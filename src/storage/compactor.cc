#include "storage/compactor.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "base/log.h"
#include "bytes/crc32c.h"
#include "bytes/endian.h"
#include "bytes/varint.h"
#include "model/compression.h"

namespace spate::storage::compaction {

namespace bl = model::batch_layout;
namespace fs = std::filesystem;

namespace {

constexpr size_t k_read_buffer = size_t{1} << 20;
constexpr size_t k_write_buffer = size_t{1} << 20;
constexpr const char* k_checkpoint_prefix = "first_dirty_offset=";

uint64_t hash_bytes(std::span<const std::byte> key) {
    // FNV-1a, then a 64-bit finaliser so that linear probing sees mixed low bits.
    uint64_t h = 0xcbf29ce484222325ull;
    for (auto b : key) {
        h ^= static_cast<uint8_t>(b);
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

int64_t wrapping_add(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrapping_sub(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t saturating_add(int64_t a, int64_t b) {
    return b > 0 && a > INT64_MAX - b ? INT64_MAX : a + b;
}

size_t nullable_size(const std::optional<std::span<const std::byte>>& b) {
    if (!b) return bytes::varint32_size(-1);
    return bytes::varint32_size(static_cast<int32_t>(b->size())) + b->size();
}

std::byte* put_nullable(std::byte* p, const std::optional<std::span<const std::byte>>& b) {
    if (!b) return p + bytes::put_varint32(p, -1);
    p += bytes::put_varint32(p, static_cast<int32_t>(b->size()));
    if (!b->empty()) std::memcpy(p, b->data(), b->size());
    return p + b->size();
}

fs::path file_of(const fs::path& dir, model::offset base, const char* ext, const char* suffix) {
    return dir / (segment_file_name(base, ext) + suffix);
}

constexpr const char* k_extensions[] = {".index", ".timeindex", ".log"};  // .log last: commit

status rename_file(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) return make_error(errc::io_error, "rename " + from.string() + ": " + ec.message());
    return {};
}

status remove_file(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
    if (ec) return make_error(errc::io_error, "remove " + p.string() + ": " + ec.message());
    return {};
}

// Reusable buffers for filtering batches.
struct filter_scratch {
    std::vector<std::byte> decompressed;
    std::vector<model::record_view> kept;
    std::vector<int64_t> kept_ts;
    std::vector<std::byte> records;
};

enum class outcome { copy, rewritten, drop };

void write_header(std::byte* h, size_t total, const model::record_batch_view& b, int16_t attrs,
                  int64_t base_ts, int64_t max_ts, int32_t count) {
    bytes::store_be<int64_t>(h + bl::base_offset, b.base_offset().value());
    bytes::store_be<int32_t>(h + bl::batch_length, static_cast<int32_t>(total - bl::log_overhead));
    bytes::store_be<int32_t>(h + bl::partition_leader_epoch, b.partition_leader_epoch());
    bytes::store_be<int8_t>(h + bl::magic, model::k_magic_v2);
    bytes::store_be<int16_t>(h + bl::attributes, attrs);
    bytes::store_be<int32_t>(h + bl::last_offset_delta, b.last_offset_delta());
    bytes::store_be<int64_t>(h + bl::base_timestamp, base_ts);
    bytes::store_be<int64_t>(h + bl::max_timestamp, max_ts);
    bytes::store_be<int64_t>(h + bl::producer_id, b.producer_id().value());
    bytes::store_be<int16_t>(h + bl::producer_epoch, b.producer_epoch().value());
    bytes::store_be<int32_t>(h + bl::base_sequence, b.base_sequence());
    bytes::store_be<int32_t>(h + bl::records_count, count);
    uint32_t c =
        bytes::crc32c(std::span<const std::byte>(h + bl::attributes, total - bl::attributes));
    bytes::store_be<uint32_t>(h + bl::crc, c);
}

// Appends `b` emptied: header only (records count 0, no compression, no
// delete horizon, base = max timestamp = b's max timestamp), which keeps its
// offset range and producer fields (and so the producer state).
void append_empty(const model::record_batch_view& b, std::vector<std::byte>& out) {
    const size_t start = out.size();
    auto attrs = static_cast<int16_t>(b.attributes() & ~(model::batch_attr::compression_mask |
                                                         model::batch_attr::delete_horizon));
    out.resize(start + bl::header_size);
    write_header(out.data() + start, bl::header_size, b, attrs, b.max_timestamp(),
                 b.max_timestamp(), 0);
}

// Appends to `out` batch `b` holding only the records in s.kept (at least
// one), re-encoded with their original offset deltas. With `horizon` the
// batch carries that delete horizon as its base timestamp (KIP-534);
// without, the flag is cleared.
status append_kept(const model::record_batch_view& b, filter_scratch& s,
                   std::optional<int64_t> horizon, std::vector<std::byte>& out) {
    const bool flagged = horizon.has_value();
    const auto kept = static_cast<int32_t>(s.kept.size());
    const size_t start = out.size();
    int16_t attrs = b.attributes();

    const bool log_append = attrs & model::batch_attr::timestamp_log_append;
    int64_t min_ts = s.kept_ts.front();
    int64_t max_ts = s.kept_ts.front();
    for (int64_t ts : s.kept_ts) {
        min_ts = std::min(min_ts, ts);
        max_ts = std::max(max_ts, ts);
    }
    const int64_t base_ts = flagged ? *horizon : min_ts;
    if (log_append) max_ts = b.max_timestamp();
    attrs = static_cast<int16_t>(flagged ? (attrs | model::batch_attr::delete_horizon)
                                         : (attrs & ~model::batch_attr::delete_horizon));

    // Records, re-encoded with their original offset deltas.
    const bool compressed = b.compression_type() != model::compression::none;
    std::vector<std::byte>& rec = compressed ? s.records : out;
    if (compressed) {
        rec.clear();
    } else {
        rec.resize(start + bl::header_size);
    }
    for (size_t i = 0; i < s.kept.size(); ++i) {
        const auto& kr = s.kept[i];
        int64_t ts_delta = wrapping_sub(s.kept_ts[i], base_ts);
        auto raw_headers = kr.headers.raw();
        size_t body = 1 + bytes::varint64_size(ts_delta) + bytes::varint32_size(kr.offset_delta) +
                      nullable_size(kr.key) + nullable_size(kr.value) +
                      bytes::varint32_size(kr.headers.size()) + raw_headers.size();
        size_t at = rec.size();
        rec.resize(at + bytes::varint32_size(static_cast<int32_t>(body)) + body);
        std::byte* p = rec.data() + at;
        p += bytes::put_varint32(p, static_cast<int32_t>(body));
        *p++ = static_cast<std::byte>(kr.attributes);
        p += bytes::put_varint64(p, ts_delta);
        p += bytes::put_varint32(p, kr.offset_delta);
        p = put_nullable(p, kr.key);
        p = put_nullable(p, kr.value);
        p += bytes::put_varint32(p, kr.headers.size());
        if (!raw_headers.empty()) std::memcpy(p, raw_headers.data(), raw_headers.size());
        p += raw_headers.size();
        SPATE_ASSERT(p == rec.data() + rec.size());
    }
    if (compressed) {
        out.resize(start + bl::header_size);
        SPATE_TRY(model::compress(b.compression_type(), rec, out));
    }
    write_header(out.data() + start, out.size() - start, b, attrs, base_ts, max_ts, kept);
    return {};
}

// Decides the fate of one batch. For `rewritten` the new batch has been
// appended to `out`; for `copy` the caller appends the original bytes.
result<outcome> filter_batch(const model::record_batch_view& b, const retention_rule& rule,
                             bool keep_if_empty, filter_scratch& s, std::vector<std::byte>& out,
                             group_result& gr) {
    if (b.is_control()) return outcome::copy;  // markers are never removed (compaction.md)
    if (rule.aborted && rule.aborted->contains(b)) {
        // An aborted transaction's batch goes whole (compaction.md).
        gr.records_removed += static_cast<uint64_t>(std::max(0, b.records_count()));
        if (!keep_if_empty) return outcome::drop;
        if (b.records_count() == 0 && !(b.attributes() & model::batch_attr::delete_horizon))
            return outcome::copy;  // already an empty header
        append_empty(b, out);
        return outcome::rewritten;
    }
    const bool had_horizon = b.attributes() & model::batch_attr::delete_horizon;
    const int64_t old_horizon = b.base_timestamp();
    auto reader = model::record_reader::create(b, s.decompressed);
    if (!reader.ok()) return reader.err();
    s.kept.clear();
    s.kept_ts.clear();
    bool tombstone_kept = false;
    int32_t total = 0;
    model::record_view r;
    for (;;) {
        auto more = reader->next(r);
        if (!more.ok()) return more.err();
        if (!*more) break;
        ++total;
        if (r.key) {
            auto latest = rule.map->get(*r.key);
            int64_t o = b.base_offset().value() + r.offset_delta;
            if (latest && *latest > o) continue;  // superseded by a later record of the key
            if (!r.value) {
                if (had_horizon && rule.now_ms >= old_horizon) continue;  // expired tombstone
                tombstone_kept = true;
            }
        }
        s.kept.push_back(r);
        s.kept_ts.push_back(wrapping_add(b.base_timestamp(), r.timestamp_delta));
    }
    const auto kept = static_cast<int32_t>(s.kept.size());
    gr.records_removed += static_cast<uint64_t>(total - kept);
    // A horizon is set only on batches the map covered (see retention_rule).
    const bool covered = b.last_offset().value() < rule.map_end;
    const bool needs_horizon = tombstone_kept && !had_horizon && covered;
    const int64_t horizon =
        had_horizon ? old_horizon : saturating_add(rule.now_ms, rule.delete_retention_ms);
    const bool flagged = tombstone_kept && (had_horizon || covered);
    if (flagged) gr.min_delete_horizon = std::min(gr.min_delete_horizon, horizon);
    if (kept == total && !needs_horizon) return outcome::copy;

    if (kept == 0) {
        if (!keep_if_empty) return outcome::drop;
        append_empty(b, out);
        return outcome::rewritten;
    }
    SPATE_TRY(append_kept(b, s, flagged ? std::optional<int64_t>(horizon) : std::nullopt, out));
    return outcome::rewritten;
}

// One past the last offset of the batches in `path`, or `base` when empty.
result<int64_t> scan_end(const fs::path& path, model::offset base) {
    auto f = file::open(path, file::mode::read_only);
    if (!f.ok()) return f.err();
    auto size = (*f)->size();
    if (!size.ok()) return size.err();
    batch_scanner sc(*f, *size);
    int64_t end = base.value();
    for (;;) {
        auto b = sc.next();
        if (!b.ok()) return b.err();
        if (!*b) break;
        end = (*b)->last_offset().value() + 1;
    }
    return end;
}

std::optional<int64_t> parse_base(const std::string& stem) {
    if (stem.size() != 20) return std::nullopt;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), v);
    if (ec != std::errc() || p != stem.data() + stem.size() || v < 0) return std::nullopt;
    return v;
}

}  // namespace

// ---- offset_map ----

size_t offset_map::find(std::span<const std::byte> key, uint64_t hash) const {
    size_t mask = _slots.size() - 1;
    size_t i = static_cast<size_t>(hash) & mask;
    for (;;) {
        const slot& s = _slots[i];
        if (s.offset < 0) return i;
        if (s.hash == hash && s.key_len == key.size() &&
            (key.empty() || std::memcmp(_keys.data() + s.key_at, key.data(), key.size()) == 0)) {
            return i;
        }
        i = (i + 1) & mask;
    }
}

void offset_map::grow() {
    std::vector<slot> old = std::move(_slots);
    _slots.assign(std::max<size_t>(1024, old.size() * 2), slot{});
    size_t mask = _slots.size() - 1;
    for (const slot& s : old) {
        if (s.offset < 0) continue;
        size_t i = static_cast<size_t>(s.hash) & mask;
        while (_slots[i].offset >= 0)
            i = (i + 1) & mask;
        _slots[i] = s;
    }
}

void offset_map::put(std::span<const std::byte> key, int64_t offset) {
    SPATE_ASSERT(offset >= 0);
    SPATE_ASSERT(key.size() <= UINT32_MAX);
    if (_slots.empty() || (_size + 1) * 4 > _slots.size() * 3) grow();
    uint64_t h = hash_bytes(key);
    slot& s = _slots[find(key, h)];
    if (s.offset < 0) {
        s.hash = h;
        s.key_at = _keys.size();
        s.key_len = static_cast<uint32_t>(key.size());
        _keys.insert(_keys.end(), key.begin(), key.end());
        ++_size;
    }
    s.offset = offset;
}

std::optional<int64_t> offset_map::get(std::span<const std::byte> key) const {
    if (_slots.empty()) return std::nullopt;
    const slot& s = _slots[find(key, hash_bytes(key))];
    if (s.offset < 0) return std::nullopt;
    return s.offset;
}

size_t offset_map::memory_bytes() const {
    return _slots.capacity() * sizeof(slot) + _keys.capacity();
}

// ---- aborted_ranges ----

aborted_ranges aborted_ranges::collect(std::span<const std::shared_ptr<segment>> segments,
                                       model::offset from, model::offset upto) {
    aborted_ranges out;
    if (upto <= from) return out;
    for (const auto& s : segments) {
        if (s->next_offset() <= from) continue;  // its markers are all below `from`
        for (const auto& e : s->txns().entries()) {
            if (e.last_offset >= from.value() && e.first_offset < upto.value())
                out.add(e.producer_id, e.first_offset, e.last_offset);
            if (e.last_stable_offset >= upto.value()) return out;
        }
    }
    return out;
}

void aborted_ranges::add(int64_t pid, int64_t first, int64_t last) {
    auto& v = _by_pid[pid];
    auto at = std::lower_bound(v.begin(), v.end(), std::pair{first, last});
    if (at != v.end() && *at == std::pair{first, last}) return;
    v.insert(at, {first, last});
}

bool aborted_ranges::contains(const model::record_batch_view& b) const {
    if (!b.is_transactional() || b.is_control() || _by_pid.empty()) return false;
    auto it = _by_pid.find(b.producer_id().value());
    if (it == _by_pid.end()) return false;
    const auto& v = it->second;
    int64_t o = b.base_offset().value();
    // The last range starting at or before the batch.
    auto r = std::upper_bound(v.begin(), v.end(), o,
                              [](int64_t x, const auto& range) { return x < range.first; });
    return r != v.begin() && o <= std::prev(r)->second;
}

// ---- batch_scanner ----

batch_scanner::batch_scanner(std::shared_ptr<file> f, uint64_t size, const batch_cipher* cipher)
    : _file(std::move(f)), _size(size), _cipher(cipher) {}

result<std::optional<model::record_batch_view>> batch_scanner::next() {
    if (_pos >= _size) return std::optional<model::record_batch_view>();
    auto ensure = [&](size_t need) -> status {
        if (_pos + need > _size)
            return make_error(errc::corrupt, _file->path().string() + ": batch past end of file");
        if (_pos >= _buf_pos && _pos + need <= _buf_pos + _buf_len) return {};
        _buf.resize(std::max(need, k_read_buffer));
        size_t want = static_cast<size_t>(std::min<uint64_t>(_buf.size(), _size - _pos));
        auto n = _file->pread(std::span<std::byte>(_buf.data(), want), _pos);
        if (!n.ok()) return n.err();
        _buf_pos = _pos;
        _buf_len = *n;
        if (*n < need) return make_error(errc::io_error, _file->path().string() + ": short read");
        return {};
    };
    SPATE_TRY(ensure(bl::log_overhead));
    auto at = [&] {
        return std::span<const std::byte>(_buf.data() + (_pos - _buf_pos),
                                          _buf_len - (_pos - _buf_pos));
    };
    auto size = model::record_batch_view::peek_size(at(), segment::k_max_batch_bytes);
    if (!size.ok())
        return make_error(errc::corrupt, _file->path().string() + ": " + size.err().message);
    SPATE_TRY(ensure(*size));
    auto view = model::record_batch_view::parse(at().subspan(0, *size));
    if (!view.ok())
        return make_error(errc::corrupt, _file->path().string() + " at " + std::to_string(_pos) +
                                             ": " + view.err().message);
    if (_cipher && is_sealed_batch(view->bytes())) {
        // Opened in the read buffer: nothing reads these bytes again.
        auto frame = std::span<std::byte>(_buf.data() + (_pos - _buf_pos), *size);
        auto plain = _cipher->open_in_place(frame);
        if (!plain.ok())
            return make_error(errc::corrupt, _file->path().string() + ": " + plain.err().message);
        view = model::record_batch_view::parse_unchecked_crc(frame.subspan(0, *plain));
        if (!view.ok()) return view.err();
    }
    _pos += *size;
    return std::optional<model::record_batch_view>(*view);
}

// ---- the pass ----

result<std::unordered_map<int64_t, int64_t>> last_batch_per_producer(
    std::span<const source_segment> segments) {
    std::unordered_map<int64_t, int64_t> last;
    std::byte h[bl::header_size];
    for (const auto& s : segments) {
        uint64_t pos = 0;
        while (pos < s.size) {
            auto n = s.seg->data_file()->pread(h, pos);
            if (!n.ok()) return n.err();
            if (*n < bl::header_size) return make_error(errc::corrupt, "short batch header");
            int32_t len = bytes::load_be<int32_t>(h + bl::batch_length);
            if (len < static_cast<int32_t>(bl::header_size - bl::log_overhead))
                return make_error(errc::corrupt, "bad batch length");
            int64_t pid = bytes::load_be<int64_t>(h + bl::producer_id);
            if (pid >= 0) last[pid] = bytes::load_be<int64_t>(h + bl::base_offset);
            pos += static_cast<uint64_t>(len) + bl::log_overhead;
        }
    }
    return last;
}

result<group_result> write_cleaned_group(const fs::path& dir, std::span<const source_segment> group,
                                         const retention_rule& rule,
                                         const std::unordered_map<int64_t, int64_t>& last_of_pid,
                                         int64_t index_interval_bytes,
                                         const std::atomic<bool>& abort,
                                         const batch_cipher* cipher) {
    SPATE_ASSERT(!group.empty());
    const model::offset base = group.front().base;
    remove_cleaned(dir, base);
    auto fail = [&](error e) -> result<group_result> {
        remove_cleaned(dir, base);
        return e;
    };
    auto seg = segment::create(dir, base, index_interval_bytes, rule.now_ms, k_cleaned_suffix);
    if (!seg.ok()) return fail(seg.err());

    group_result gr;
    gr.changed = group.size() > 1;  // merging segments is worth a swap by itself
    filter_scratch scratch;
    std::vector<std::byte> out;
    out.reserve(k_write_buffer + (64 << 10));
    std::vector<batch_position> positions;
    std::vector<std::byte> sealed;
    auto flush = [&]() -> status {
        if (positions.empty()) return {};
        if (cipher) {
            cipher->seal_batches(out, positions, sealed);
            SPATE_TRY((*seg)->append(sealed, positions, rule.now_ms));
        } else {
            SPATE_TRY((*seg)->append(out, positions, rule.now_ms));
        }
        out.clear();
        positions.clear();
        return {};
    };
    for (size_t gi = 0; gi < group.size(); ++gi) {
        const auto& src = group[gi];
        gr.bytes_in += src.size;
        batch_scanner sc(src.seg->data_file(), src.size, cipher);
        for (;;) {
            if (abort.load()) return fail(make_error(errc::shutting_down, "compaction aborted"));
            auto b = sc.next();
            if (!b.ok()) return fail(b.err());
            if (!*b) break;
            const auto& v = **b;
            bool last_in_group = gi + 1 == group.size() && v.last_offset() + 1 == src.next;
            bool producer_last = false;
            if (v.producer_id().value() >= 0) {
                auto it = last_of_pid.find(v.producer_id().value());
                producer_last = it != last_of_pid.end() && it->second == v.base_offset().value();
            }
            size_t at = out.size();
            auto o = filter_batch(v, rule, last_in_group || producer_last, scratch, out, gr);
            if (!o.ok()) return fail(o.err());
            if (*o == outcome::drop) {
                gr.changed = true;
                continue;
            }
            if (*o == outcome::copy) {
                out.insert(out.end(), v.bytes().begin(), v.bytes().end());
            } else {
                gr.changed = true;
            }
            batch_position p;
            p.base_offset = v.base_offset();
            p.last_offset = v.last_offset();
            p.max_timestamp = bytes::load_be<int64_t>(out.data() + at + bl::max_timestamp);
            p.position = at;
            p.size = static_cast<uint32_t>(out.size() - at);
            positions.push_back(p);
            if (out.size() >= k_write_buffer) {
                auto s = flush();
                if (!s.ok()) return fail(s.err());
            }
        }
    }
    auto s = flush();
    if (!s.ok()) return fail(s.err());
    (*seg)->seal();
    // Unchanged output is discarded by the caller: syncing it would be wasted.
    s = (*seg)->flush_indexes(gr.changed);
    if (s.ok() && gr.changed) s = (*seg)->sync_data();
    if (!s.ok()) return fail(s.err());
    gr.bytes_out = (*seg)->size();
    return gr;
}

void remove_cleaned(const fs::path& dir, model::offset base) {
    std::vector<fs::path> doomed;
    for (const char* ext : k_extensions)
        doomed.push_back(file_of(dir, base, ext, k_cleaned_suffix));
    // Index swaps are uncommitted while the log swap does not exist.
    if (!fs::exists(file_of(dir, base, ".log", k_swap_suffix))) {
        doomed.push_back(file_of(dir, base, ".index", k_swap_suffix));
        doomed.push_back(file_of(dir, base, ".timeindex", k_swap_suffix));
    }
    for (const auto& p : doomed) {
        auto s = remove_file(p);
        if (!s.ok()) {
            // recover() removes it on the next open.
            logging::get("storage").warn("{}: discarding an uncommitted compaction output: {}",
                                         dir.filename().string(), s.err().to_string());
        }
    }
}

status commit_cleaned(const fs::path& dir, model::offset base) {
    for (const char* ext : k_extensions) {
        // An index without entries has no file (index_file): an empty one
        // must still replace the old segment's.
        auto cleaned = file_of(dir, base, ext, k_cleaned_suffix);
        if (std::string(ext) != ".log" && !fs::exists(cleaned)) {
            auto f = file::open(cleaned, file::mode::read_write_create);
            if (!f.ok()) return f.err();
        }
        SPATE_TRY(rename_file(file_of(dir, base, ext, k_cleaned_suffix),
                              file_of(dir, base, ext, k_swap_suffix)));
    }
    return fsync_dir(dir);
}

status finish_swap(const fs::path& dir, model::offset base, std::span<const model::offset> replaced,
                   stop_point stop) {
    auto simulated = [] { return make_error(errc::io_error, "simulated crash"); };
    if (stop == stop_point::after_commit) return simulated();
    for (auto r : replaced) {
        if (r == base) continue;
        for (const char* ext : k_extensions)
            SPATE_TRY(remove_file(file_of(dir, r, ext, "")));
    }
    SPATE_TRY(fsync_dir(dir));
    if (stop == stop_point::after_delete) return simulated();
    for (const char* ext : k_extensions) {
        if (stop == stop_point::after_index_rename && std::string(ext) == ".log")
            return simulated();
        auto swap = file_of(dir, base, ext, k_swap_suffix);
        // An index swap is already gone when a crash interrupted this loop.
        if (std::string(ext) != ".log" && !fs::exists(swap)) continue;
        SPATE_TRY(rename_file(swap, file_of(dir, base, ext, "")));
    }
    return fsync_dir(dir);
}

status recover(const fs::path& dir) {
    std::set<int64_t> log_swaps;
    std::vector<std::pair<int64_t, fs::path>> index_swaps;
    std::set<int64_t> segments;
    bool removed = false;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const auto& p = entry.path();
        auto ext = p.extension().string();
        if (ext == k_cleaned_suffix) {
            SPATE_TRY(remove_file(p));
            removed = true;
            continue;
        }
        fs::path inner = ext == k_swap_suffix ? p.stem() : p;  // strip ".swap"
        auto base = parse_base(inner.stem().string());
        if (!base) continue;
        auto inner_ext = inner.extension().string();
        if (ext == k_swap_suffix) {
            if (inner_ext == ".log") {
                log_swaps.insert(*base);
            } else {
                index_swaps.emplace_back(*base, p);
            }
        } else if (ext == ".log") {
            segments.insert(*base);
        }
    }
    for (const auto& [base, p] : index_swaps) {
        if (!log_swaps.count(base)) {
            SPATE_TRY(remove_file(p));
            removed = true;
        }
    }
    for (int64_t b : log_swaps) {
        auto base = model::offset(b);
        auto end = scan_end(file_of(dir, base, ".log", k_swap_suffix), base);
        if (!end.ok()) return end.err();
        std::vector<model::offset> replaced;
        for (auto it = segments.upper_bound(b); it != segments.end() && *it < *end; ++it)
            replaced.push_back(model::offset(*it));
        SPATE_TRY(finish_swap(dir, base, replaced));
        for (auto r : replaced)
            segments.erase(r.value());
        removed = false;
    }
    if (removed) SPATE_TRY(fsync_dir(dir));
    return {};
}

std::optional<int64_t> read_checkpoint(const fs::path& dir) {
    auto p = dir / k_checkpoint_file;
    if (!fs::exists(p)) return std::nullopt;
    auto content = read_small_file(p, 4096);
    if (!content.ok()) return std::nullopt;
    const std::string& s = *content;
    std::string prefix = k_checkpoint_prefix;
    if (s.rfind(prefix, 0) != 0 || s.back() != '\n') return std::nullopt;
    int64_t v = 0;
    const char* first = s.data() + prefix.size();
    const char* last = s.data() + s.size() - 1;
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || v < 0) return std::nullopt;
    return v;
}

status write_checkpoint(const fs::path& dir, int64_t first_dirty) {
    return write_file_atomic(dir / k_checkpoint_file,
                             std::string(k_checkpoint_prefix) + std::to_string(first_dirty) + "\n");
}

}  // namespace spate::storage::compaction
