#include "storage/log_cleaner.h"

#include <algorithm>
#include <optional>
#include <shared_mutex>
#include <span>
#include <vector>

#include "base/log.h"
#include "model/records.h"

namespace spate::storage {

namespace {

// What a pass works on, snapshotted under the log's shared lock.
struct pass_plan {
    std::vector<compaction::source_segment> cleanable;  // sealed, below the LSO and the lag
    topic_config cfg;
    int64_t first_dirty = 0;
    compaction::aborted_ranges aborted;
    bool due = false;
};

// The cleanable segments: sealed, wholly below the last stable offset (open
// transactions and all after them stay as they are, and every transaction
// with records in the cleaned range is decided), and with
// min.compaction.lag.ms holding no record newer than the lag. Requires s.mu.
std::vector<compaction::source_segment> select_cleanable_locked(const log_state& s,
                                                                int64_t now_ms) {
    std::vector<compaction::source_segment> cleanable;
    const int64_t lso = stable_offset(s.producers, s.end.load());
    for (size_t i = 0; i + 1 < s.segments.size(); ++i) {
        const auto& seg = s.segments[i];
        if (seg->next_offset().value() > lso) break;
        if (s.config.min_compaction_lag_ms > 0 &&
            seg->max_timestamp() > now_ms - s.config.min_compaction_lag_ms) {
            break;
        }
        cleanable.push_back({seg, seg->size(), seg->base_offset(), seg->next_offset()});
    }
    return cleanable;
}

// Whether the plan's dirty section asks for a pass (ratio, lag, horizon).
// Requires s.mu (the segments' indexes are read).
result<bool> pass_due_locked(const pass_plan& p, int64_t now_ms, bool force,
                             int64_t delete_horizon) {
    uint64_t clean_bytes = 0;
    uint64_t dirty_bytes = 0;
    int64_t first_dirty_ts = -1;
    for (const auto& c : p.cleanable) {
        if (c.next.value() <= p.first_dirty) {
            clean_bytes += c.size;
            continue;
        }
        uint64_t pos = 0;
        if (c.base.value() < p.first_dirty) {
            auto b = c.seg->find_batch(model::offset(p.first_dirty));
            if (!b.ok()) return b.err();
            if (*b) pos = (*b)->position;
        }
        if (first_dirty_ts < 0 && pos < c.size) {
            auto h = c.seg->header_at(pos);
            if (!h.ok()) return h.err();
            first_dirty_ts = h->max_timestamp;
        }
        clean_bytes += pos;
        dirty_bytes += c.size - pos;
    }
    double ratio = dirty_bytes == 0 ? 0.0
                                    : static_cast<double>(dirty_bytes) /
                                          static_cast<double>(dirty_bytes + clean_bytes);
    const auto& cfg = p.cfg;
    bool lag_exceeded = cfg.max_compaction_lag_ms < INT64_MAX && dirty_bytes > 0 &&
                        first_dirty_ts >= 0 && first_dirty_ts < now_ms - cfg.max_compaction_lag_ms;
    return force || (dirty_bytes > 0 && ratio >= cfg.min_cleanable_dirty_ratio) || lag_exceeded ||
           delete_horizon <= now_ms;
}

// The pass's snapshot of `s`; nullopt when the log is closed, not compacted
// or has nothing cleanable.
result<std::optional<pass_plan>> plan_pass(const log_state& s, int64_t checkpoint, int64_t now_ms,
                                           bool force, int64_t delete_horizon) {
    std::shared_lock lk(s.mu);
    if (s.closed || !s.config.cleanup_compact) return std::optional<pass_plan>();
    pass_plan p;
    p.cfg = s.config;
    p.cleanable = select_cleanable_locked(s, now_ms);
    if (p.cleanable.empty()) return std::optional<pass_plan>();
    p.aborted = compaction::aborted_ranges::collect(s.segments, p.cleanable.front().base,
                                                    p.cleanable.back().next);
    p.first_dirty = std::clamp(checkpoint, p.cleanable.front().base.value(),
                               std::max(p.cleanable.front().base.value(), s.end.load()));
    auto due = pass_due_locked(p, now_ms, force, delete_horizon);
    if (!due.ok()) return due.err();
    p.due = *due;
    return std::optional<pass_plan>(std::move(p));
}

// Fills `map` with the latest offset of every key in the dirty section, as
// far as `memory_bytes` allows; returns one past the last offset covered.
// Aborted records never count as a key's latest value.
result<int64_t> build_offset_map(const pass_plan& p, const batch_cipher* cipher,
                                 size_t memory_bytes, const std::atomic<bool>& abort,
                                 compaction::offset_map& map) {
    int64_t map_end = p.cleanable.back().next.value();
    std::vector<std::byte> scratch;
    for (const auto& c : p.cleanable) {
        if (c.next.value() <= p.first_dirty) continue;
        compaction::batch_scanner sc(c.seg->data_file(), c.size, cipher);
        for (;;) {
            if (abort.load()) return make_error(errc::shutting_down, "compaction aborted");
            auto b = sc.next();
            if (!b.ok()) return b.err();
            if (!*b) break;
            const auto& v = **b;
            if (v.last_offset().value() < p.first_dirty || v.is_control() || p.aborted.contains(v))
                continue;
            auto reader = model::record_reader::create(v, scratch);
            if (!reader.ok()) return reader.err();
            auto st = reader->for_each([&](const model::record_view& rec) {
                if (rec.key) map.put(*rec.key, reader->offset_of(rec).value());
            });
            if (!st.ok()) return st.err();
            if (map.memory_bytes() >= memory_bytes && v.last_offset().value() + 1 < map_end)
                return v.last_offset().value() + 1;  // the map is full
        }
    }
    return map_end;
}

// Groups of consecutive segments that each fit one segment (segment.bytes
// and the 32-bit relative offset limit).
std::vector<std::span<const compaction::source_segment>> group_segments(
    std::span<const compaction::source_segment> rewrite, int64_t segment_bytes) {
    std::vector<std::span<const compaction::source_segment>> groups;
    for (size_t first = 0; first < rewrite.size();) {
        size_t last = first + 1;
        uint64_t bytes = rewrite[first].size;
        while (last < rewrite.size() &&
               bytes + rewrite[last].size <= static_cast<uint64_t>(segment_bytes) &&
               rewrite[last].next.value() - 1 - rewrite[first].base.value() <= INT32_MAX) {
            bytes += rewrite[last].size;
            ++last;
        }
        groups.push_back(rewrite.subspan(first, last - first));
        first = last;
    }
    return groups;
}

// The cleaned segment keeps the aborted-transaction entries of the segments
// it replaces; its index file is the first source's, so the merge is
// written there before the swap is committed. Requires s.mu exclusively.
status carry_txn_entries(std::span<const std::shared_ptr<segment>> sources) {
    if (std::none_of(sources.begin() + 1, sources.end(),
                     [](const auto& src) { return !src->txns().entries().empty(); })) {
        return {};
    }
    std::vector<aborted_txn_entry> carried;
    for (const auto& src : sources)
        carried.insert(carried.end(), src->txns().entries().begin(), src->txns().entries().end());
    std::stable_sort(carried.begin(), carried.end(),
                     [](const auto& a, const auto& b) { return a.last_offset < b.last_offset; });
    carried.erase(std::unique(carried.begin(), carried.end()), carried.end());
    return sources.front()->txns().rewrite(std::move(carried));
}

// Whether `sources` are still consecutive sealed segments of the log, and
// where the first one sits. Requires s.mu.
std::optional<size_t> locate_sources(const log_state& s,
                                     std::span<const std::shared_ptr<segment>> sources) {
    auto it = std::find(s.segments.begin(), s.segments.end(), sources.front());
    if (it == s.segments.end()) return std::nullopt;
    auto at = static_cast<size_t>(std::distance(s.segments.begin(), it));
    if (at + sources.size() >= s.segments.size()) return std::nullopt;  // reaches the active one
    for (size_t i = 0; i < sources.size(); ++i) {
        if (s.segments[at + i] != sources[i]) return std::nullopt;
    }
    return at;
}

// Swaps the cleaned files of `group` in, on disk and in s.segments. False
// when retention, DeleteRecords or close changed the log meanwhile (the
// cleaned files are discarded). A failure after the on-disk commit closes
// the log: the files are the truth and the in-memory view would be stale.
result<bool> swap_in(log_state& s, std::span<const compaction::source_segment> group,
                     int64_t now_ms, compaction::stop_point stop) {
    std::vector<std::shared_ptr<segment>> sources;
    std::vector<model::offset> bases;
    for (const auto& g : group) {
        sources.push_back(g.seg);
        bases.push_back(g.base);
    }
    const auto base = group.front().base;
    std::unique_lock lk(s.mu);
    auto at = s.closed ? std::nullopt : locate_sources(s, sources);
    status st = at ? carry_txn_entries(sources) : status{};
    // The swap unlinks or renames over the sources' files; readers holding
    // them keep reading the old inodes.
    for (size_t k = 0; at && st.ok() && k < sources.size(); ++k)
        st = sources[k]->data_file()->keep_open();
    if (st.ok() && at) st = compaction::commit_cleaned(s.dir, base);
    if (!at || !st.ok()) {
        lk.unlock();
        compaction::remove_cleaned(s.dir, base);
        if (!st.ok()) return st.err();
        return false;
    }
    auto fail_closed = [&](const error& e) {
        s.closed = true;
        logging::get("storage").error(
            "{}: compaction swap at offset {} failed after its commit, "
            "log closed until reopened: {}",
            s.name, base.value(), e.to_string());
        return e;
    };
    st = compaction::finish_swap(s.dir, base, bases, stop);
    if (!st.ok()) return fail_closed(st.err());
    recovery_stats stats;
    auto seg = segment::open(s.dir, base, s.config.index_interval_bytes, false, now_ms, stats);
    if (!seg.ok()) return fail_closed(seg.err());
    for (size_t k = 1; k < sources.size(); ++k) {
        auto removed = sources[k]->txns().remove();  // carried over
        if (!removed.ok()) {
            logging::get("storage").warn(
                "{}: removing the carried-over transaction index of segment {} failed (the "
                "next open removes it): {}",
                s.name, sources[k]->base_offset().value(), removed.err().to_string());
        }
    }
    auto first = s.segments.begin() + static_cast<ptrdiff_t>(*at);
    s.segments.erase(first, first + static_cast<ptrdiff_t>(sources.size()));
    s.segments.insert(s.segments.begin() + static_cast<ptrdiff_t>(*at), std::move(*seg));
    return true;
}

}  // namespace

result<compaction_result> log_cleaner::compact(log_state& s, int64_t now_ms,
                                               const compaction_options& o,
                                               compaction::stop_point stop) {
    std::lock_guard cl(_pass_mu);
    compaction_result r;
    if (_abort.load()) return r;
    if (_first_dirty < 0) _first_dirty = compaction::read_checkpoint(s.dir).value_or(0);
    auto plan = plan_pass(s, _first_dirty, now_ms, o.force, _delete_horizon.load());
    if (!plan.ok()) return plan.err();
    if (!*plan) return r;
    const pass_plan& p = **plan;
    r.first_dirty = p.first_dirty;
    r.cleaned_to = p.first_dirty;
    if (!p.due) return r;

    compaction::offset_map map;
    // s.cipher never changes after open: read without the lock.
    auto map_end = build_offset_map(p, s.cipher.get(), o.map_memory_bytes, _abort, map);
    if (!map_end.ok()) return map_end.err();
    // Rewrite every cleanable segment that starts below the map's end.
    std::vector<compaction::source_segment> rewrite;
    for (const auto& c : p.cleanable) {
        if (c.base.value() < *map_end) rewrite.push_back(c);
    }
    auto last_of_pid = compaction::last_batch_per_producer(rewrite);
    if (!last_of_pid.ok()) return last_of_pid.err();
    compaction::retention_rule rule{&map, *map_end, now_ms, p.cfg.delete_retention_ms, &p.aborted};
    int64_t min_horizon = INT64_MAX;
    uint64_t removed_bytes = 0;
    for (auto group : group_segments(rewrite, p.cfg.segment_bytes)) {
        auto base = group.front().base;
        auto gr = compaction::write_cleaned_group(
            s.dir, group, rule, *last_of_pid, p.cfg.index_interval_bytes, _abort, s.cipher.get());
        if (!gr.ok()) return gr.err();
        min_horizon = std::min(min_horizon, gr->min_delete_horizon);
        if (!gr->changed) {
            compaction::remove_cleaned(s.dir, base);
            continue;
        }
        if (stop == compaction::stop_point::after_cleaned)
            return make_error(errc::io_error, "simulated crash");
        auto swapped = swap_in(s, group, now_ms, stop);
        if (!swapped.ok()) return swapped.err();
        if (!*swapped) continue;
        r.records_removed += gr->records_removed;
        r.bytes_before += gr->bytes_in;
        r.bytes_after += gr->bytes_out;
        removed_bytes += gr->bytes_in > gr->bytes_out ? gr->bytes_in - gr->bytes_out : 0;
        r.segments_replaced += group.size();
        ++r.segments_written;
    }
    int64_t cleaned_to = std::max(p.first_dirty, *map_end);
    SPATE_TRY(compaction::write_checkpoint(s.dir, cleaned_to));
    _first_dirty = cleaned_to;
    _delete_horizon = min_horizon;
    r.ran = true;
    r.cleaned_to = cleaned_to;
    std::lock_guard lk(_counters_mu);
    ++_counters.passes;
    _counters.bytes_removed += removed_bytes;
    _counters.records_removed += r.records_removed;
    _counters.last_clean_ms = now_ms;
    return r;
}

compaction_counters log_cleaner::counters() const {
    std::lock_guard lk(_counters_mu);
    return _counters;
}

void log_cleaner::stop_and_wait() {
    _abort = true;
    std::lock_guard cl(_pass_mu);
}

}  // namespace spate::storage
