#include "storage/index.h"

#include <algorithm>

#include "bytes/endian.h"

namespace spate::storage {

namespace {
void encode(const offset_index_entry& e, std::byte* p) {
    bytes::store_be<uint32_t>(p, e.relative_offset);
    bytes::store_be<uint32_t>(p + 4, e.position);
}
void decode(const std::byte* p, offset_index_entry& e) {
    e.relative_offset = bytes::load_be<uint32_t>(p);
    e.position = bytes::load_be<uint32_t>(p + 4);
}
void encode(const time_index_entry& e, std::byte* p) {
    bytes::store_be<int64_t>(p, e.timestamp);
    bytes::store_be<uint32_t>(p + 8, e.relative_offset);
}
void decode(const std::byte* p, time_index_entry& e) {
    e.timestamp = bytes::load_be<int64_t>(p);
    e.relative_offset = bytes::load_be<uint32_t>(p + 8);
}
bool increasing(const offset_index_entry& a, const offset_index_entry& b) {
    return b.relative_offset > a.relative_offset && b.position > a.position;
}
bool increasing(const time_index_entry& a, const time_index_entry& b) {
    return b.timestamp > a.timestamp && b.relative_offset > a.relative_offset;
}
}  // namespace

template <typename Entry>
status index_file<Entry>::load() {
    _entries.clear();
    _on_disk = 0;
    std::error_code ec;
    if (!std::filesystem::exists(_path, ec)) return make_error(errc::not_found, _path);
    auto content = read_small_file(_path, size_t{1} << 31);
    if (!content.ok()) return content.err();
    if (content->size() % Entry::k_size != 0) {
        return make_error(errc::corrupt, _path + ": size is not a multiple of the entry size");
    }
    size_t n = content->size() / Entry::k_size;
    _entries.resize(n);
    const auto* p = reinterpret_cast<const std::byte*>(content->data());
    for (size_t i = 0; i < n; ++i) {
        decode(p + i * Entry::k_size, _entries[i]);
        if (i > 0 && !increasing(_entries[i - 1], _entries[i])) {
            _entries.clear();
            return make_error(errc::corrupt, _path + ": entries out of order");
        }
    }
    _on_disk = n;
    return {};
}

template <typename Entry>
void index_file<Entry>::append(const Entry& e) {
    SPATE_ASSERT(_entries.empty() || increasing(_entries.back(), e));
    _entries.push_back(e);
}

template <typename Entry>
void index_file<Entry>::clear() {
    _entries.clear();
    _on_disk = 0;
    _rewrite = true;
}

template <typename Entry>
status index_file<Entry>::flush(bool sync) {
    const size_t pending = _entries.size() - _on_disk;
    // Nothing written since the last sync: an idle partition's close costs
    // no fdatasync.
    if (pending == 0 && !_rewrite && (!sync || !_unsynced)) return {};
    if (pending == 0 && _rewrite && _entries.empty()) {
        // Emptied: no file rather than an empty one (see remove()).
        SPATE_TRY(remove());
        _unsynced = false;
        return {};
    }
    // Opened per flush (rolls, close): an idle partition holds no descriptor.
    auto f = file::open(_path, file::mode::read_write_create);
    if (!f.ok()) return f.err();
    auto& out = *f;
    if (_rewrite) {
        auto size = out->size();
        if (!size.ok()) return size.err();
        if (*size > 0) {
            SPATE_TRY(out->truncate(0));
            _unsynced = true;  // stale entries must not come back after a crash
        }
        _rewrite = false;
    }
    if (pending > 0) {
        std::vector<std::byte> buf(pending * Entry::k_size);
        for (size_t i = 0; i < pending; ++i)
            encode(_entries[_on_disk + i], buf.data() + i * Entry::k_size);
        SPATE_TRY(out->pwrite_all(buf, _on_disk * Entry::k_size));
        _on_disk = _entries.size();
        _unsynced = true;
    }
    if (sync && _unsynced) {
        SPATE_TRY(out->datasync());
        _unsynced = false;
    }
    return {};
}

template <typename Entry>
status index_file<Entry>::remove() {
    _entries.clear();
    _on_disk = 0;
    _rewrite = false;
    std::error_code ec;
    std::filesystem::remove(_path, ec);
    if (ec) return make_error(errc::io_error, "remove " + _path + ": " + ec.message());
    return {};
}

template class index_file<offset_index_entry>;
template class index_file<time_index_entry>;

std::optional<offset_index_entry> floor_entry(const offset_index& idx, uint32_t rel) {
    const auto& v = idx.entries();
    auto it = std::upper_bound(
        v.begin(), v.end(), rel,
        [](uint32_t r, const offset_index_entry& e) { return r < e.relative_offset; });
    if (it == v.begin()) return std::nullopt;
    return *std::prev(it);
}

std::optional<time_index_entry> last_entry_before(const time_index& idx, int64_t ts) {
    const auto& v = idx.entries();
    auto it = std::lower_bound(v.begin(), v.end(), ts, [](const time_index_entry& e, int64_t t) {
        return e.timestamp < t;
    });
    if (it == v.begin()) return std::nullopt;
    return *std::prev(it);
}

}  // namespace spate::storage
