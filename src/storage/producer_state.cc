#include "storage/producer_state.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "base/assert.h"
#include "bytes/crc32c.h"
#include "bytes/endian.h"
#include "storage/file.h"
#include "storage/segment.h"

namespace spate::storage {

namespace {

// Snapshot layout (docs/formats/producer-state.md), all big-endian:
//   header: magic u32 | version i16 | crc32c u32 (of everything after it) |
//           next_offset i64 | producer count i32
//   entry:  pid i64 | epoch i16 | last_timestamp i64 | last_offset i64 |
//           txn_first_offset i64 | batch count i8
//   batch:  first_seq i32 | last_seq i32 | first_offset i64 | last_offset i64 | timestamp i64
constexpr uint32_t k_magic = 0x53505053;  // "SPPS"
constexpr int16_t k_version = 1;
constexpr size_t k_header_size = 4 + 2 + 4 + 8 + 4;
constexpr size_t k_entry_size = 8 + 2 + 8 + 8 + 8 + 1;
constexpr size_t k_batch_size = 4 + 4 + 8 + 8 + 8;
static_assert(k_header_size == 22);
static_assert(k_entry_size == 35);
static_assert(k_batch_size == 32);
constexpr const char* k_extension = ".snapshot";

bool in_sequence(int32_t last, int32_t next) {
    return (last == INT32_MAX && next == 0) || static_cast<int64_t>(next) == int64_t{last} + 1;
}

struct out_buf {
    std::vector<std::byte>& v;
    template <typename T>
    void put(T x) {
        size_t at = v.size();
        v.resize(at + sizeof(T));
        bytes::store_be(v.data() + at, x);
    }
};

struct in_buf {
    std::span<const std::byte> d;
    size_t at = 0;
    bool ok = true;
    template <typename T>
    T get() {
        if (d.size() - at < sizeof(T)) {
            ok = false;
            return T{};
        }
        T x = bytes::load_be<T>(d.data() + at);
        at += sizeof(T);
        return x;
    }
};

std::optional<int64_t> snapshot_offset(const std::filesystem::path& p) {
    if (p.extension() != k_extension) return std::nullopt;
    auto stem = p.stem().string();
    int64_t v = -1;
    auto [end, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), v);
    if (ec != std::errc() || end != stem.data() + stem.size() || v < 0) return std::nullopt;
    return v;
}

// Snapshot files in `dir`, newest first.
result<std::vector<std::pair<int64_t, std::filesystem::path>>> list_snapshots(
    const std::filesystem::path& dir) {
    std::vector<std::pair<int64_t, std::filesystem::path>> out;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (auto o = snapshot_offset(it->path())) out.emplace_back(*o, it->path());
    }
    if (ec) return make_error(errc::io_error, "cannot list " + dir.string() + ": " + ec.message());
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    return out;
}

}  // namespace

producer_batch_info producer_batch_info::from(const model::record_batch_view& b) {
    producer_batch_info i;
    i.pid = b.producer_id();
    i.epoch = b.producer_epoch();
    i.first_seq = b.base_sequence();
    i.last_seq =
        i.first_seq < 0 ? model::k_no_sequence : last_sequence(i.first_seq, b.last_offset_delta());
    i.max_timestamp = b.max_timestamp();
    i.transactional = b.is_transactional();
    i.control = b.is_control();
    return i;
}

producer_batch_info producer_batch_info::from_header(std::span<const std::byte> h) {
    namespace L = model::batch_layout;
    SPATE_ASSERT(h.size() >= L::header_size);
    producer_batch_info i;
    auto attributes = bytes::load_be<int16_t>(h.data() + L::attributes);
    int32_t delta = bytes::load_be<int32_t>(h.data() + L::last_offset_delta);
    i.pid = model::producer_id(bytes::load_be<int64_t>(h.data() + L::producer_id));
    i.epoch = model::producer_epoch(bytes::load_be<int16_t>(h.data() + L::producer_epoch));
    i.first_seq = bytes::load_be<int32_t>(h.data() + L::base_sequence);
    i.last_seq = i.first_seq < 0 ? model::k_no_sequence : last_sequence(i.first_seq, delta);
    i.max_timestamp = bytes::load_be<int64_t>(h.data() + L::max_timestamp);
    i.transactional = attributes & model::batch_attr::transactional;
    i.control = attributes & model::batch_attr::control;
    return i;
}

int32_t last_sequence(int32_t first_seq, int32_t delta) {
    int64_t last = int64_t{first_seq} + delta;
    if (last > INT32_MAX) last -= int64_t{INT32_MAX} + 1;
    return static_cast<int32_t>(last);
}

producer_check producer_state::check(const producer_batch_info& b) const {
    producer_check c;
    if (!b.has_producer()) return c;
    auto it = _producers.find(b.pid.value());
    if (it == _producers.end()) return c;  // unknown producer: any sequence
    const producer_entry& e = it->second;
    if (b.epoch < e.epoch) {
        c.verdict = producer_verdict::invalid_producer_epoch;
        return c;
    }
    // Markers and coordinator-written transactional batches (transactional
    // offset commits) carry no sequence: only the epoch is checked.
    if (b.control || b.first_seq < 0) return c;
    if (b.epoch > e.epoch) {
        // A bumped epoch starts its sequences again (a producer that has
        // only written markers so far has no sequence to continue).
        if (b.first_seq != 0 && !e.batches.empty())
            c.verdict = producer_verdict::out_of_order_sequence;
        return c;
    }
    for (const auto& m : e.batches) {
        if (m.first_seq == b.first_seq && m.last_seq == b.last_seq) {
            c.verdict = producer_verdict::duplicate;
            c.first_offset = model::offset(m.first_offset);
            c.last_offset = model::offset(m.last_offset);
            return c;
        }
    }
    if (!e.batches.empty() && !in_sequence(e.batches.back().last_seq, b.first_seq))
        c.verdict = producer_verdict::out_of_order_sequence;
    return c;
}

void producer_state::update(const producer_batch_info& b, model::offset first, model::offset last) {
    if (!b.has_producer()) return;
    producer_entry& e = _producers[b.pid.value()];
    if (b.epoch != e.epoch) {
        e.batches.clear();
        e.epoch = b.epoch;
    }
    e.last_timestamp = std::max(e.last_timestamp, b.max_timestamp);
    e.last_offset = last.value();
    if (b.control) {
        // A marker ends the open transaction.
        if (e.txn_first_offset >= 0) _open_txns.erase({e.txn_first_offset, b.pid.value()});
        e.txn_first_offset = -1;
        return;
    }
    if (b.transactional && e.txn_first_offset < 0) {
        e.txn_first_offset = first.value();
        _open_txns.emplace(e.txn_first_offset, b.pid.value());
    }
    if (b.first_seq < 0) return;
    e.batches.push_back({b.first_seq, b.last_seq, first.value(), last.value(), b.max_timestamp});
    while (e.batches.size() > k_batches_retained)
        e.batches.pop_front();
}

size_t producer_state::expire(int64_t now_ms, int64_t expiry_ms) {
    size_t n = 0;
    for (auto it = _producers.begin(); it != _producers.end();) {
        if (it->second.txn_first_offset < 0 && it->second.last_timestamp + expiry_ms < now_ms) {
            it = _producers.erase(it);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

void producer_state::drop_below(model::offset start) {
    for (auto it = _producers.begin(); it != _producers.end();) {
        if (it->second.last_offset < start.value() && it->second.txn_first_offset < 0) {
            it = _producers.erase(it);
        } else {
            ++it;
        }
    }
}

std::optional<model::offset> producer_state::first_open_txn_offset() const {
    if (_open_txns.empty()) return std::nullopt;
    return model::offset(_open_txns.begin()->first);
}

const producer_entry* producer_state::find(model::producer_id pid) const {
    auto it = _producers.find(pid.value());
    return it == _producers.end() ? nullptr : &it->second;
}

std::vector<std::byte> producer_state::encode(model::offset next_offset) const {
    std::vector<std::byte> v;
    v.reserve(k_header_size + _producers.size() * (k_entry_size + 2 * k_batch_size));
    out_buf o{v};
    o.put(k_magic);
    o.put(k_version);
    o.put(uint32_t{0});  // crc, filled in below
    o.put(next_offset.value());
    o.put(static_cast<int32_t>(_producers.size()));
    for (const auto& [pid, e] : _producers) {
        o.put(pid);
        o.put(e.epoch.value());
        o.put(e.last_timestamp);
        o.put(e.last_offset);
        o.put(e.txn_first_offset);
        o.put(static_cast<uint8_t>(e.batches.size()));
        for (const auto& m : e.batches) {
            o.put(m.first_seq);
            o.put(m.last_seq);
            o.put(m.first_offset);
            o.put(m.last_offset);
            o.put(m.timestamp);
        }
    }
    uint32_t crc = bytes::crc32c(std::span<const std::byte>(v).subspan(10));
    bytes::store_be(v.data() + 6, crc);
    return v;
}

result<producer_state::decoded> producer_state::decode(std::span<const std::byte> data) {
    auto bad = [](const char* what) {
        return make_error(errc::corrupt, std::string("producer snapshot: ") + what);
    };
    in_buf in{data};
    if (in.get<uint32_t>() != k_magic || !in.ok) return bad("bad magic");
    if (in.get<int16_t>() != k_version || !in.ok) return bad("unknown version");
    uint32_t crc = in.get<uint32_t>();
    if (!in.ok || bytes::crc32c(data.subspan(10)) != crc) return bad("crc mismatch");
    decoded d;
    d.next_offset = model::offset(in.get<int64_t>());
    int32_t count = in.get<int32_t>();
    if (!in.ok || count < 0 || static_cast<size_t>(count) > (data.size() - in.at) / k_entry_size)
        return bad("bad producer count");
    for (int32_t i = 0; i < count; ++i) {
        int64_t pid = in.get<int64_t>();
        producer_entry e;
        e.epoch = model::producer_epoch(in.get<int16_t>());
        e.last_timestamp = in.get<int64_t>();
        e.last_offset = in.get<int64_t>();
        e.txn_first_offset = in.get<int64_t>();
        uint8_t n = in.get<uint8_t>();
        if (!in.ok || n > k_batches_retained || pid < 0) return bad("bad producer entry");
        for (uint8_t k = 0; k < n; ++k) {
            producer_batch_meta m;
            m.first_seq = in.get<int32_t>();
            m.last_seq = in.get<int32_t>();
            m.first_offset = in.get<int64_t>();
            m.last_offset = in.get<int64_t>();
            m.timestamp = in.get<int64_t>();
            e.batches.push_back(m);
        }
        if (!in.ok) return bad("truncated");
        if (e.txn_first_offset >= 0) d.state._open_txns.emplace(e.txn_first_offset, pid);
        if (!d.state._producers.emplace(pid, std::move(e)).second) return bad("duplicate producer");
    }
    if (in.at != data.size()) return bad("trailing bytes");
    return d;
}

status write_producer_snapshot(const std::filesystem::path& dir, const producer_state& s,
                               model::offset next_offset) {
    auto bytes = s.encode(next_offset);
    return write_file_atomic(dir / segment_file_name(next_offset, k_extension), bytes);
}

result<std::optional<producer_state::decoded>> load_producer_snapshot(
    const std::filesystem::path& dir, model::offset max_offset) {
    auto files = list_snapshots(dir);
    if (!files.ok()) return files.err();
    for (const auto& [o, p] : *files) {
        if (o > max_offset.value()) continue;
        auto content = read_small_file(p, size_t{1} << 30);
        if (!content.ok()) continue;  // unreadable: fall back to an older one
        auto d = producer_state::decode(std::as_bytes(std::span(*content)));
        if (!d.ok() || d->next_offset.value() != o) continue;
        return std::optional<producer_state::decoded>(std::move(*d));
    }
    return std::optional<producer_state::decoded>();
}

status prune_producer_snapshots(const std::filesystem::path& dir, model::offset max_offset,
                                size_t keep) {
    auto files = list_snapshots(dir);
    if (!files.ok()) return files.err();
    size_t kept = 0;
    for (const auto& [o, p] : *files) {
        if (o <= max_offset.value() && kept < keep) {
            ++kept;
            continue;
        }
        std::error_code ec;
        std::filesystem::remove(p, ec);
        if (ec) return make_error(errc::io_error, "cannot remove " + p.string());
    }
    return {};
}

}  // namespace spate::storage
