#include "storage/txn_index.h"

#include <array>

#include "base/assert.h"
#include "base/log.h"
#include "bytes/endian.h"

namespace spate::storage {

static_assert(txn_index::k_entry_size == 34, "Kafka's aborted-transaction entry is 34 bytes");

void txn_index::encode(const aborted_txn_entry& e, std::byte* out) {
    bytes::store_be(out, k_version);
    bytes::store_be(out + 2, e.producer_id);
    bytes::store_be(out + 10, e.first_offset);
    bytes::store_be(out + 18, e.last_offset);
    bytes::store_be(out + 26, e.last_stable_offset);
}

status txn_index::ensure_open() {
    if (_file) return {};
    std::error_code ec;
    bool existed = std::filesystem::exists(_path, ec);
    auto f = file::open(_path, file::mode::read_write_create);
    if (!f.ok()) return f.err();
    _file = std::move(*f);
    // A new file's directory entry must survive a crash like its content.
    if (!existed) SPATE_TRY(fsync_dir(std::filesystem::path(_path).parent_path()));
    return {};
}

status txn_index::load() {
    std::lock_guard lk(_file_mu);
    _entries.clear();
    _file.reset();
    std::error_code ec;
    if (!std::filesystem::exists(_path, ec)) return {};
    SPATE_TRY(ensure_open());
    auto size = _file->size();
    if (!size.ok()) return size.err();
    std::vector<std::byte> buf(*size);
    auto n = _file->pread(buf, 0);
    if (!n.ok()) return n.err();
    size_t valid = 0;
    for (size_t at = 0; at + k_entry_size <= *n; at += k_entry_size) {
        const std::byte* p = buf.data() + at;
        if (bytes::load_be<int16_t>(p) != k_version) break;
        aborted_txn_entry e{bytes::load_be<int64_t>(p + 2), bytes::load_be<int64_t>(p + 10),
                            bytes::load_be<int64_t>(p + 18), bytes::load_be<int64_t>(p + 26)};
        if (e.producer_id < 0 || e.first_offset < 0 || e.last_offset < e.first_offset ||
            (!_entries.empty() && e.last_offset < _entries.back().last_offset))
            break;
        _entries.push_back(e);
        valid = at + k_entry_size;
    }
    if (valid != *size) {
        SPATE_TRY(_file->truncate(valid));
        SPATE_TRY(_file->datasync());
    }
    return {};
}

status txn_index::append(const aborted_txn_entry& e) {
    SPATE_ASSERT(_entries.empty() || e.last_offset >= _entries.back().last_offset);
    std::lock_guard lk(_file_mu);
    SPATE_TRY(ensure_open());
    std::array<std::byte, k_entry_size> buf;
    encode(e, buf.data());
    auto at = static_cast<uint64_t>(_entries.size() * k_entry_size);
    auto s = _file->pwrite_all(buf, at);
    if (!s.ok()) {
        auto cut = _file->truncate(at);
        if (!cut.ok()) {
            // load() cuts a torn tail on the next open.
            logging::get("storage").warn("{}: removing a partial entry at byte {} failed: {}",
                                         _path, at, cut.err().to_string());
        }
        return s;
    }
    _entries.push_back(e);
    _dirty = true;
    return {};
}

status txn_index::truncate_from(model::offset o) {
    size_t keep = _entries.size();
    while (keep > 0 && _entries[keep - 1].last_offset >= o.value())
        --keep;
    if (keep == _entries.size()) return {};
    std::lock_guard lk(_file_mu);
    SPATE_TRY(ensure_open());
    SPATE_TRY(_file->truncate(keep * k_entry_size));
    _entries.resize(keep);
    _dirty = true;
    return {};
}

status txn_index::rewrite(std::vector<aborted_txn_entry> entries) {
    std::vector<std::byte> buf(entries.size() * k_entry_size);
    for (size_t i = 0; i < entries.size(); ++i)
        encode(entries[i], buf.data() + i * k_entry_size);
    std::lock_guard lk(_file_mu);
    _file.reset();
    SPATE_TRY(write_file_atomic(_path, buf));
    _entries = std::move(entries);
    _dirty = false;
    return {};
}

status txn_index::sync() {
    std::shared_ptr<file> f;
    {
        std::lock_guard lk(_file_mu);
        if (!_dirty || !_file) return {};
        f = _file;
        _dirty = false;
    }
    // Appends racing with the sync set _dirty again; on failure the next
    // sync must retry.
    auto s = f->datasync();
    if (!s.ok()) {
        std::lock_guard lk(_file_mu);
        _dirty = true;
    }
    return s;
}

status txn_index::remove() {
    std::lock_guard lk(_file_mu);
    _file.reset();
    _entries.clear();
    _dirty = false;
    std::error_code ec;
    std::filesystem::remove(_path, ec);
    if (ec) return make_error(errc::io_error, "remove " + _path + ": " + ec.message());
    return {};
}

}  // namespace spate::storage
