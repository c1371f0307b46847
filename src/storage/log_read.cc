#include "storage/log_read.h"

#include <algorithm>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>

#include "base/assert.h"
#include "model/record_batch.h"
#include "model/records.h"

namespace spate::storage {

status read_result::copy_to(std::vector<std::byte>& out) const {
    if (!chunk) return {};
    const size_t old = out.size();
    out.resize(old + chunk->size);
    auto n = copy_into(std::span<std::byte>(out.data() + old, chunk->size));
    if (!n.ok()) {
        out.resize(old);
        return n.err();
    }
    out.resize(old + *n);
    return {};
}

result<size_t> read_result::copy_into(std::span<std::byte> dest) const {
    if (!chunk) return size_t{0};
    SPATE_ASSERT(dest.size() >= chunk->size);
    dest = dest.first(chunk->size);
    auto n = chunk->data_file->pread(dest, chunk->position);
    if (!n.ok()) return n.err();
    if (*n != chunk->size)
        return make_error(errc::io_error, "short read from " + chunk->data_file->path().string());
    if (!chunk->cipher) return chunk->size;
    auto plain = chunk->cipher->open_all_in_place(dest);
    if (!plain.ok())
        return make_error(plain.err().code,
                          chunk->data_file->path().string() + ": " + plain.err().message);
    return *plain;
}

result<read_result> read_batches(const log_state& s, model::offset from, size_t max_bytes,
                                 std::optional<model::offset> limit) {
    std::shared_lock lk(s.mu);
    read_result r;
    r.log_start_offset = model::offset(s.start.load());
    r.log_end_offset = model::offset(s.end.load());
    if (from < r.log_start_offset || from > r.log_end_offset) {
        return make_error(errc::out_of_range,
                          "offset " + std::to_string(from.value()) + " outside [" +
                              std::to_string(r.log_start_offset.value()) + ", " +
                              std::to_string(r.log_end_offset.value()) + "]");
    }
    model::offset upper = limit ? std::min(*limit, r.log_end_offset) : r.log_end_offset;
    if (from >= upper) return r;
    for (size_t i = s.segment_index_for(from); i < s.segments.size(); ++i) {
        const auto& seg = s.segments[i];
        auto b = seg->find_batch(from);
        if (!b.ok()) return b.err();
        if (!*b) continue;
        auto end = seg->read_end((*b)->position, max_bytes, upper);
        if (!end.ok()) return end.err();
        if (*end > (*b)->position) {
            r.chunk = read_chunk{seg->data_file(), (*b)->position,
                                 static_cast<size_t>(*end - (*b)->position), s.cipher};
        }
        break;
    }
    return r;
}

namespace {

// The first offset with a timestamp >= ts in `seg`, from the batch `b` on.
// Later batches of the segment may hold the record: a compacted batch can be
// empty (header only) while its max timestamp is >= ts.
result<std::optional<model::offset>> scan_segment_for_timestamp(const segment& seg,
                                                                const batch_cipher* cipher,
                                                                batch_position b, int64_t ts) {
    std::vector<std::byte> buf;
    std::vector<std::byte> scratch;
    while (b.position < seg.size()) {
        if (b.max_timestamp >= ts) {
            buf.resize(b.size);
            auto n = seg.data_file()->pread(buf, b.position);
            if (!n.ok()) return n.err();
            if (*n != buf.size()) return make_error(errc::io_error, "short read of batch");
            if (cipher && is_sealed_batch(buf)) {
                auto plain = cipher->open_in_place(buf);
                if (!plain.ok()) return plain.err();
                buf.resize(*plain);
            }
            auto view = model::record_batch_view::parse_unchecked_crc(buf);
            if (!view.ok()) return view.err();
            auto o = model::first_offset_with_timestamp_at_least(*view, ts, scratch);
            if (!o.ok()) return o.err();
            if (*o) return *o;
        }
        if (b.position + b.size >= seg.size()) break;
        auto next = seg.header_at(b.position + b.size);
        if (!next.ok()) return next.err();
        b = *next;
    }
    return std::optional<model::offset>();
}

}  // namespace

result<std::optional<model::offset>> offset_at_timestamp(const log_state& s, int64_t ts) {
    std::shared_lock lk(s.mu);
    for (const auto& seg : s.segments) {
        if (seg->empty() || seg->max_timestamp() < ts) continue;
        auto found = seg->find_by_timestamp(ts);
        if (!found.ok()) return found.err();
        if (!*found) continue;
        auto o = scan_segment_for_timestamp(*seg, s.cipher.get(), **found, ts);
        if (!o.ok()) return o.err();
        if (*o) return std::optional<model::offset>(std::max(**o, model::offset(s.start.load())));
    }
    return std::optional<model::offset>();
}

model::offset last_stable_offset_of(const log_state& s) {
    std::shared_lock lk(s.mu);
    return model::offset(std::max(stable_offset(s.producers, s.end.load()), s.start.load()));
}

result<std::vector<aborted_transaction>> aborted_in_range(const log_state& s, model::offset from,
                                                          model::offset upto) {
    std::shared_lock lk(s.mu);
    std::vector<aborted_transaction> out;
    // A crash during a compaction swap can leave an entry in two indexes.
    std::set<std::pair<int64_t, int64_t>> seen;
    if (upto <= from) return out;
    for (size_t i = s.segment_index_for(from); i < s.segments.size(); ++i) {
        for (const auto& e : s.segments[i]->txns().entries()) {
            if (e.last_offset >= from.value() && e.first_offset < upto.value() &&
                seen.emplace(e.producer_id, e.first_offset).second) {
                out.push_back({model::producer_id(e.producer_id), model::offset(e.first_offset)});
            }
            // No transaction open at this point started below `upto`: every
            // later abort began at or after it.
            if (e.last_stable_offset >= upto.value()) return out;
        }
    }
    return out;
}

}  // namespace spate::storage
