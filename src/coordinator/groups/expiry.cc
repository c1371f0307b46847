#include "coordinator/groups/expiry.h"

namespace spate::coordinator::groups {

bool expiry_timer::due(int64_t now_ms) {
    std::lock_guard lk(_mu);
    if (_last_ms == 0) _last_ms = now_ms;
    if (now_ms - _last_ms < _interval_ms) return false;
    _last_ms = now_ms;
    return true;
}

int64_t expiry_timer::next_due(int64_t now_ms) {
    std::lock_guard lk(_mu);
    return (_last_ms == 0 ? now_ms : _last_ms) + _interval_ms;
}

expiry_result expire_group(group& g, int64_t now_ms, int64_t keep_ms, const persistence& store) {
    expiry_result res;
    if (g.state != group_state::empty || g.has_members()) return res;
    bool whole_group = !g.protocol_type.empty() && g.state_timestamp_ms >= 0;
    auto changes = g.offsets.expired(
        now_ms, keep_ms, whole_group ? std::optional<int64_t>(g.state_timestamp_ms) : std::nullopt);
    if (!changes.empty()) {
        if (!store.write_offsets(g.id, changes, "expired offsets").ok()) return res;
        g.offsets.apply(changes);
        res.removed = changes.size();
    }
    bool forget = g.offsets.empty() && !g.has_members() && !g.protocol_type.empty();
    if (forget) {
        if (!store.write_group(g.id, std::nullopt, "expired group").ok()) return res;
        g.protocol_type.clear();
    }
    res.settled = true;
    return res;
}

}  // namespace spate::coordinator::groups
