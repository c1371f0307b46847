#include "storage/log_recovery.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <vector>

#include "bytes/endian.h"
#include "model/record_batch.h"
#include "model/records.h"
#include "storage/compactor.h"

namespace spate::storage {

namespace {

std::optional<int64_t> parse_segment_base(const std::filesystem::path& p) {
    auto stem = p.stem().string();
    if (stem.size() != 20) return std::nullopt;
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), v);
    if (ec != std::errc() || ptr != stem.data() + stem.size() || v < 0) return std::nullopt;
    return v;
}

// The log start offset persisted by DeleteRecords / retention; 0 if none.
result<int64_t> read_stored_start(const std::filesystem::path& dir) {
    const auto path = dir / k_partition_meta;
    if (!std::filesystem::exists(path)) return int64_t{0};
    auto meta = read_small_file(path, 4096);
    if (!meta.ok()) return meta.err();
    const std::string prefix = "log_start_offset=";
    const std::string& s = *meta;
    if (s.rfind(prefix, 0) != 0 || s.empty() || s.back() != '\n')
        return make_error(errc::corrupt, path.string() + ": unreadable");
    auto digits = s.substr(prefix.size(), s.size() - prefix.size() - 1);
    int64_t start = 0;
    auto [p, e] = std::from_chars(digits.data(), digits.data() + digits.size(), start);
    if (e != std::errc() || p != digits.data() + digits.size() || start < 0)
        return make_error(errc::corrupt, path.string() + ": bad offset");
    return start;
}

// Base offsets of the segment files in `dir`, sorted; removes temporary
// files and indexes left behind by a deleted segment.
std::vector<int64_t> list_segments(const std::filesystem::path& dir) {
    std::vector<int64_t> bases;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const auto& p = entry.path();
        auto ext = p.extension().string();
        if (ext == ".tmp") {
            std::filesystem::remove(p);
            continue;
        }
        auto base = parse_segment_base(p);
        if (!base) continue;
        if (ext == ".log") {
            bases.push_back(*base);
        } else if ((ext == ".index" || ext == ".timeindex" || ext == ".txnindex") &&
                   !std::filesystem::exists(dir /
                                            segment_file_name(model::offset(*base), ".log"))) {
            std::filesystem::remove(p);
        }
    }
    std::sort(bases.begin(), bases.end());
    return bases;
}

// The marker of the control batch of `size` bytes at `pos`; nullopt for a
// control record that is not a transaction marker.
result<std::optional<model::control_marker>> read_marker(const segment& seg, uint64_t pos,
                                                         uint32_t size) {
    std::vector<std::byte> buf(size);
    auto n = seg.data_file()->pread(buf, pos);
    if (!n.ok()) return n.err();
    if (*n != size) return make_error(errc::corrupt, "short control batch");
    auto view = model::record_batch_view::parse_unchecked_crc(buf);
    if (!view.ok()) return view.err();
    std::vector<std::byte> scratch;
    auto reader = model::record_reader::create(*view, scratch);
    if (!reader.ok()) return reader.err();
    model::record_view rec;
    auto got = reader->next(rec);
    if (!got.ok()) return got.err();
    if (!*got) return std::optional<model::control_marker>();
    auto m = model::parse_control_marker(rec);
    if (!m.ok()) {
        if (m.err().code == errc::unsupported) return std::optional<model::control_marker>();
        return m.err();
    }
    return std::optional<model::control_marker>(*m);
}

// Replays the batch headers of `seg` from offset `from` into s.producers,
// adding the aborts past the end of the segment's transaction index (the
// index holds a prefix of the segment's aborts).
status replay_segment(log_state& s, segment& seg, model::offset from) {
    namespace bl = model::batch_layout;
    auto first = seg.find_batch(from);
    if (!first.ok()) return first.err();
    if (!*first) return {};
    std::array<std::byte, bl::header_size> header;
    for (uint64_t pos = (*first)->position; pos < seg.size();) {
        auto n = seg.data_file()->pread(header, pos);
        if (!n.ok()) return n.err();
        if (*n != header.size())
            return make_error(errc::corrupt, seg.data_file()->path().string() +
                                                 ": short batch header at " + std::to_string(pos));
        auto info = producer_batch_info::from_header(header);
        auto base = bytes::load_be<int64_t>(header.data() + bl::base_offset);
        auto length = bytes::load_be<int32_t>(header.data() + bl::batch_length);
        auto delta = bytes::load_be<int32_t>(header.data() + bl::last_offset_delta);
        uint32_t size = bl::log_overhead + static_cast<uint32_t>(length);
        int64_t txn_first = -1;
        if (info.has_producer() && info.control) {
            const auto* e = s.producers.find(info.pid);
            if (e && e->txn_first_offset >= 0) {
                auto m = read_marker(seg, pos, size);
                if (!m.ok()) return m.err();
                if (*m && (*m)->type == model::control_record_type::abort)
                    txn_first = e->txn_first_offset;
            }
        }
        if (info.has_producer())
            s.producers.update(info, model::offset(base), model::offset(base + delta));
        const auto& known = seg.txns().entries();
        if (txn_first >= 0 && (known.empty() || known.back().last_offset < base)) {
            SPATE_TRY(seg.txns().append(
                {info.pid.value(), txn_first, base, stable_offset(s.producers, base + 1)}));
        }
        pos += size;
    }
    return {};
}

// Rebuilds s.producers from the newest usable snapshot plus the batch
// headers after it, and repairs the transaction indexes of the replayed
// segments: entries at or past the log end are dropped, and aborts past an
// index's last entry are re-derived from the markers.
status rebuild_producer_state(log_state& s) {
    model::offset end(s.end.load());
    model::offset from(s.start.load());
    s.producers = producer_state();
    auto snap = load_producer_snapshot(s.dir, end);
    if (!snap.ok()) return snap.err();
    if (*snap && (*snap)->next_offset >= from) {
        s.producers = std::move((*snap)->state);
        from = (*snap)->next_offset;
        if (from == end) s.snapshot_offset = end.value();
    }
    SPATE_TRY(prune_producer_snapshots(s.dir, end, 2));
    size_t first_replayed = s.segment_index_for(from);
    for (size_t i = first_replayed; i < s.segments.size(); ++i)
        SPATE_TRY(s.segments[i]->txns().truncate_from(end));
    for (size_t i = first_replayed; i < s.segments.size(); ++i)
        SPATE_TRY(replay_segment(s, *s.segments[i], from));
    s.producers.drop_below(model::offset(s.start.load()));
    return {};
}

// Opens the segments `bases`, the last one fully validated unless the
// shutdown was clean.
status open_segments(log_state& s, const std::vector<int64_t>& bases, bool clean_shutdown,
                     int64_t now) {
    for (size_t i = 0; i < bases.size(); ++i) {
        bool last = i + 1 == bases.size();
        recovery_stats stats;
        auto seg = segment::open(s.dir, model::offset(bases[i]), s.config.index_interval_bytes,
                                 last && !clean_shutdown, now, stats);
        if (!seg.ok()) return seg.err();
        if (!s.segments.empty() && s.segments.back()->next_offset() > (*seg)->base_offset()) {
            return make_error(errc::corrupt, s.dir.string() + ": segments overlap at offset " +
                                                 std::to_string(bases[i]));
        }
        s.segments.push_back(std::move(*seg));
    }
    return {};
}

}  // namespace

status recover_log(log_state& s, bool clean_shutdown) {
    int64_t now = s.clock();
    auto stored_start = read_stored_start(s.dir);
    if (!stored_start.ok()) return stored_start.err();
    // Finish or undo a compaction swap interrupted by a crash.
    SPATE_TRY(compaction::recover(s.dir));
    SPATE_TRY(open_segments(s, list_segments(s.dir), clean_shutdown, now));
    // Segments wholly below the stored log start were deleted logically before a crash.
    std::vector<std::shared_ptr<segment>> doomed;
    while (s.segments.size() > 1 && s.segments.front()->next_offset().value() <= *stored_start &&
           s.segments[1]->base_offset().value() <= *stored_start) {
        doomed.push_back(s.segments.front());
        s.segments.erase(s.segments.begin());
    }
    s.remove_segments(std::move(doomed));
    if (s.segments.empty()) {
        auto seg = segment::create(s.dir, model::offset(*stored_start),
                                   s.config.index_interval_bytes, now);
        if (!seg.ok()) return seg.err();
        s.segments.push_back(std::move(*seg));
    }
    int64_t end = s.segments.back()->next_offset().value();
    s.start = std::min(std::max(*stored_start, s.segments.front()->base_offset().value()), end);
    s.end = end;
    if (!clean_shutdown) SPATE_TRY(s.segments.back()->sync_data());
    s.durability.reset(end, now);
    return rebuild_producer_state(s);
}

}  // namespace spate::storage
