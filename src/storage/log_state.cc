#include "storage/log_state.h"

#include <algorithm>

#include "base/log.h"

namespace spate::storage {

log_state::log_state(std::filesystem::path d, topic_config c, clock_fn clk)
    : dir(std::move(d))
    , name(dir.filename().string())
    , clock(std::move(clk))
    , config(std::move(c))
    , durability(
          end, appended_bytes,
          [this] {
              std::shared_lock lk(mu);
              return group_commit::sync_target{segments.back(), end.load(), appended_bytes.load()};
          },
          clock, config) {}

size_t log_state::segment_index_for(model::offset o) const {
    auto it = std::upper_bound(
        segments.begin(), segments.end(), o,
        [](model::offset v, const std::shared_ptr<segment>& s) { return v < s->base_offset(); });
    return it == segments.begin() ? 0
                                  : static_cast<size_t>(std::distance(segments.begin(), it) - 1);
}

bool log_state::roll_due_locked(uint64_t bytes, int64_t last_offset, int64_t now_ms) const {
    const auto& active = *segments.back();
    if (active.empty()) return false;
    // A compacted topic also rolls by max.compaction.lag.ms, so that its
    // records become cleanable in time.
    int64_t roll_ms = config.cleanup_compact
                          ? std::min(config.segment_ms, config.max_compaction_lag_ms)
                          : config.segment_ms;
    return active.size() + bytes > static_cast<uint64_t>(config.segment_bytes) ||
           now_ms - active.first_append_ms() >= roll_ms ||
           last_offset - active.base_offset().value() >= INT32_MAX;
}

status log_state::roll_locked(int64_t now_ms) {
    auto& active = segments.back();
    active->seal();
    SPATE_TRY(active->flush_indexes(true));
    SPATE_TRY(active->sync_data());
    auto next = active->next_offset();
    durability.advance(next.value());
    auto seg = segment::create(dir, next, config.index_interval_bytes, now_ms);
    if (!seg.ok()) return seg.err();
    segments.push_back(std::move(*seg));
    // A missing snapshot only lengthens the replay on open.
    auto s = snapshot_producers_locked();
    if (!s.ok()) {
        logging::get("storage").warn("{}: producer snapshot at offset {} failed on roll: {}", name,
                                     next.value(), s.err().to_string());
    }
    return {};
}

status log_state::snapshot_producers_locked() {
    model::offset at(end.load());
    // Nothing appended since the last snapshot (or ever): it would be the same.
    if (at.value() == snapshot_offset || (at.value() == 0 && producers.size() == 0)) return {};
    SPATE_TRY(write_producer_snapshot(dir, producers, at));
    snapshot_offset = at.value();
    return prune_producer_snapshots(dir, at, 2);
}

status log_state::persist_start_offset(int64_t start_offset) {
    return write_file_atomic(dir / k_partition_meta,
                             "log_start_offset=" + std::to_string(start_offset) + "\n");
}

void log_state::remove_segments(std::vector<std::shared_ptr<segment>> doomed) const {
    for (auto& s : doomed) {
        auto st = s->remove_files();
        if (!st.ok()) {
            logging::get("storage").warn(
                "{}: deleting segment {} (below the log start) failed: {}; the next open retries",
                name, s->base_offset().value(), st.err().to_string());
        }
    }
}

int64_t stable_offset(const producer_state& p, int64_t end) {
    auto f = p.first_open_txn_offset();
    return f ? std::min(f->value(), end) : end;
}

}  // namespace spate::storage
