#include "storage/log_retention.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

namespace spate::storage {

status move_log_start(log_state& s, model::offset o) {
    std::vector<std::shared_ptr<segment>> doomed;
    {
        std::unique_lock lk(s.mu);
        if (s.closed) return make_error(errc::shutting_down, "log is closed");
        if (o.value() > s.end.load() || o.value() < 0) {
            return make_error(errc::out_of_range, "delete offset " + std::to_string(o.value()) +
                                                      " beyond log end " +
                                                      std::to_string(s.end.load()));
        }
        if (o.value() <= s.start.load()) return {};
        if (o.value() == s.end.load() && !s.segments.back()->empty())
            SPATE_TRY(s.roll_locked(s.clock()));
        SPATE_TRY(s.persist_start_offset(o.value()));
        s.start = o.value();
        s.producers.drop_below(o);
        while (s.segments.size() > 1 && s.segments.front()->next_offset() <= o) {
            doomed.push_back(s.segments.front());
            s.segments.erase(s.segments.begin());
        }
    }
    s.remove_segments(std::move(doomed));
    return {};
}

namespace {

// How many leading segments retention deletes (never the active one); rolls
// an expired active segment first so that it can go too. Requires s.mu
// exclusively.
result<size_t> expired_prefix_locked(log_state& s, int64_t now_ms) {
    const auto& cfg = s.config;
    uint64_t total = 0;
    for (const auto& seg : s.segments)
        total += seg->size();
    auto expired_by_time = [&](const segment& seg) {
        return cfg.retention_ms >= 0 && !seg.empty() && seg.max_timestamp() >= 0 &&
               seg.max_timestamp() < now_ms - cfg.retention_ms;
    };
    auto over_size = [&](const segment& seg) {
        return cfg.retention_bytes >= 0 &&
               total - seg.size() >= static_cast<uint64_t>(cfg.retention_bytes);
    };
    bool all_closed_expire = std::all_of(s.segments.begin(), s.segments.end() - 1,
                                         [&](const auto& seg) { return expired_by_time(*seg); });
    if (all_closed_expire && expired_by_time(*s.segments.back())) SPATE_TRY(s.roll_locked(now_ms));
    size_t n = 0;
    while (n + 1 < s.segments.size() &&
           (expired_by_time(*s.segments[n]) || over_size(*s.segments[n]))) {
        total -= s.segments[n]->size();
        ++n;
    }
    return n;
}

}  // namespace

result<size_t> apply_retention(log_state& s, int64_t now_ms) {
    std::vector<std::shared_ptr<segment>> doomed;
    {
        std::unique_lock lk(s.mu);
        if (s.closed) return size_t{0};
        s.producers.expire(now_ms, k_producer_id_expiration_ms);
        if (!s.config.cleanup_delete) return size_t{0};
        auto n = expired_prefix_locked(s, now_ms);
        if (!n.ok()) return n.err();
        if (*n == 0) return size_t{0};
        int64_t new_start = std::max(s.start.load(), s.segments[*n]->base_offset().value());
        SPATE_TRY(s.persist_start_offset(new_start));
        s.start = new_start;
        s.producers.drop_below(model::offset(new_start));
        auto last = s.segments.begin() + static_cast<ptrdiff_t>(*n);
        doomed.assign(s.segments.begin(), last);
        s.segments.erase(s.segments.begin(), last);
    }
    size_t n = doomed.size();
    s.remove_segments(std::move(doomed));
    return n;
}

}  // namespace spate::storage
