// SESSION windows in the streaming aggregate (aggregate_operator.h): per
// session key a list of sessions, each [first event, last event + gap) with
// its accumulators in a slot. A row whose [time, time + gap) overlaps
// sessions joins them (they merge into the first, grouped_aggregate::merge);
// otherwise it starts a session. A retraction leaves the session it falls in
// (a session never splits).
//
// State: 's' + session key -> the sessions (docs/formats/sql_repartition.md);
// 'e' + end (8 bytes, ordered) + session key -> "" for every session, so the
// sessions the watermark closes are a range scan.

#include <algorithm>
#include <limits>

#include "base/log.h"
#include "sql/stream/aggregate_operator.h"
#include "sql/stream/row_codec.h"

namespace spate::sql::detail {

namespace codec = stream_codec;

namespace {

constexpr char k_session_prefix = 's';
constexpr char k_end_prefix = 'e';

sql_error corrupt_sessions(const std::string& what) {
    return make_error(sql_errc::internal_error, "corrupt session state: " + what);
}

std::string end_key(int64_t end, std::string_view key) {
    std::string k(1, k_end_prefix);
    codec::put_ordered_i64(k, end);
    k.append(key);
    return k;
}

}  // namespace

sql_result<aggregate_task::session_group*> aggregate_task::find_or_load_sessions(
    std::string_view key) {
    auto it = _sessions.find(key);
    if (it != _sessions.end()) return &it->second;
    auto [pos, fresh] = _sessions.emplace(std::string(key), session_group{});
    session_group& g = pos->second;
    _key_buf.assign(1, k_session_prefix);
    _key_buf.append(key);
    auto stored = _state->get_into(_key_buf, _value_buf);
    if (!stored.ok()) {
        _sessions.erase(pos);
        return stored.error();
    }
    if (!stored.value()) return &g;
    g.stored = true;
    // Value: varint count; per session: start, end (8 bytes, ordered),
    // varint length, the group value (save_slot).
    std::string_view in = _value_buf;
    uint64_t n = 0;
    if (!codec::get_varint(in, n)) return corrupt_sessions("count");
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t len = 0;
        if (in.size() < 16) return corrupt_sessions("bounds");
        int64_t start = codec::get_ordered_i64(in), end = codec::get_ordered_i64(in.substr(8));
        in.remove_prefix(16);
        if (!codec::get_varint(in, len) || len > in.size()) return corrupt_sessions("length");
        uint32_t s = allocate();
        slot& sl = _slots[s];
        sl.key = &pos->first;
        sl.start = sl.old_start = start;
        sl.end = sl.old_end = end;
        if (auto st = load_slot(s, in.substr(0, len)); !st.ok()) return st.error();
        in.remove_prefix(len);
        g.sessions.push_back(s);
        g.indexed_ends.push_back(end);
    }
    return &g;
}

sql_result<uint32_t> aggregate_task::session_for(const std::string& key, session_group& g,
                                                 int64_t time, int8_t diff) {
    int64_t gap = _def.session.gap_us;
    if (diff < 0) {
        for (uint32_t s : g.sessions)
            if (_slots[s].start <= time && time < _slots[s].end) return s;
        logging::get("sql").warn("a retraction at {} matches no session; dropped", time);
        return k_no_slot;
    }
    std::vector<uint32_t> joined;
    for (uint32_t s : g.sessions)
        if (time < _slots[s].end && _slots[s].start < time + gap) joined.push_back(s);
    if (joined.empty()) {
        auto wm = _watermark.value();
        if (_def.windows_close && wm && time + gap <= *wm) return k_no_slot;  // late
        uint32_t s = allocate();
        _slots[s].key = &key;
        touch(s);
        _slots[s].start = time;
        _slots[s].end = time + gap;
        auto at = std::find_if(g.sessions.begin(), g.sessions.end(),
                               [&](uint32_t o) { return _slots[o].start > time; });
        g.sessions.insert(at, s);
        return s;
    }
    uint32_t into = joined.front();
    touch(into);
    slot& target = _slots[into];
    target.start = std::min(target.start, time);
    target.end = std::max(target.end, time + gap);
    for (size_t i = 1; i < joined.size(); ++i) {
        uint32_t o = joined[i];
        touch(o);
        for (auto& a : _aggs)
            if (auto st = a->merge(into, *a, o); !st.ok()) return st.error();
        target.rows += _slots[o].rows;
        target.start = std::min(target.start, _slots[o].start);
        target.end = std::max(target.end, _slots[o].end);
        _slots[o].rows = 0;  // retracted at flush, then freed
        _merged.emplace_back(o, into);
        g.sessions.erase(std::find(g.sessions.begin(), g.sessions.end(), o));
    }
    return into;
}

sql_status aggregate_task::apply_sessions(const repartition_rows& rows) {
    size_t n = rows.keys.size();
    size_t keys = _def.key_types.size();
    const column& time = rows.values.at(static_cast<size_t>(_def.session.time_column) - keys);
    _row_slots.clear();
    _merged.clear();
    _keep.assign(n, 1);
    bool dropped = false;
    for (size_t i = 0; i < n; ++i) {
        int8_t diff = rows.diffs.empty() ? 1 : rows.diffs[i];
        uint32_t s = k_no_slot;
        if (!time.is_null(i)) {
            auto g = find_or_load_sessions(rows.keys[i]);
            if (!g.ok()) return g.error();
            auto pos = _sessions.find(rows.keys[i]);
            auto r = session_for(pos->first, *g.value(), time.values<int64_t>()[i], diff);
            if (!r.ok()) return r.error();
            s = r.value();
            if (!g.value()->touched) {
                g.value()->touched = true;
                _touched_groups.emplace_back(&pos->first, g.value());
            }
        }
        if (s == k_no_slot) {
            _keep[i] = 0;
            dropped = true;
            if (!time.is_null(i) && diff > 0) ++_stats.late_rows;
            continue;
        }
        _slots[s].rows += diff;
        _row_slots.push_back(s);
    }
    // Rows of a session that merged later in the batch go to the one it joined.
    for (auto& s : _row_slots)
        for (bool moved = true; moved;) {
            moved = false;
            for (const auto& [from, to] : _merged)
                if (s == from) {
                    s = to;
                    moved = true;
                }
        }
    _stats.rows_in += static_cast<int64_t>(_row_slots.size());
    if (!dropped) return update_calls(rows.values, rows.diffs, _row_slots);
    chunk kept = rows.values.filter(_keep);
    kept.set_rows(_row_slots.size());
    std::vector<int8_t> diffs;
    for (size_t i = 0; i < rows.diffs.size(); ++i)
        if (_keep[i]) diffs.push_back(rows.diffs[i]);
    return update_calls(kept, diffs, _row_slots);
}

void aggregate_task::save_session_group(const std::string& key, session_group& g) {
    std::vector<int64_t> ends;
    std::string value, one;
    codec::put_varint(value, g.sessions.size());
    for (uint32_t s : g.sessions) {
        const slot& sl = _slots[s];
        codec::put_ordered_i64(value, sl.start);
        codec::put_ordered_i64(value, sl.end);
        save_slot(s, one);
        codec::put_varint(value, one.size());
        value.append(one);
        ends.push_back(sl.end);
    }
    _key_buf.assign(1, k_session_prefix);
    _key_buf.append(key);
    // Keys first stored in this interval go in with put_new: a session that
    // opens and closes within one interval then leaves no record.
    if (g.sessions.empty()) {
        if (g.stored) _state->remove(_key_buf);
    } else if (g.stored) {
        _state->put(_key_buf, value);
    } else {
        _state->put_new(_key_buf, value);
    }
    g.stored = !g.sessions.empty();
    for (int64_t e : g.indexed_ends)
        if (std::find(ends.begin(), ends.end(), e) == ends.end()) _state->remove(end_key(e, key));
    // An end not in the index has no committed key (unless removed above).
    for (int64_t e : ends)
        if (std::find(g.indexed_ends.begin(), g.indexed_ends.end(), e) == g.indexed_ends.end())
            _state->put_new(end_key(e, key), "");
    g.indexed_ends = std::move(ends);
}

sql_status aggregate_task::save_sessions() {
    for (auto [key, g] : _touched_groups) {
        g->touched = false;
        std::erase_if(g->sessions, [&](uint32_t s) { return _slots[s].rows <= 0; });
        save_session_group(*key, *g);
    }
    for (uint32_t s : _touched) {
        _slots[s].touched = -1;
        if (_slots[s].rows <= 0) release(s);
    }
    for (auto [key, g] : _touched_groups) {
        if (!g->sessions.empty()) continue;
        auto it = _sessions.find(*key);
        if (it != _sessions.end()) _sessions.erase(it);
    }
    _touched_groups.clear();
    _touched.clear();
    for (auto& c : _old_results)
        c.clear();
    return {};
}

sql_status aggregate_task::close_sessions(const eval_context& ctx, aggregate_changes& out) {
    if (!_def.windows_close) return {};
    std::optional<int64_t> wm = _watermark.value();
    if (!wm || (_closed_through && *wm <= *_closed_through)) return {};
    std::string from(1, k_end_prefix), to(1, k_end_prefix);
    if (*wm == std::numeric_limits<int64_t>::max())
        to = std::string(1, k_end_prefix + 1);
    else
        codec::put_ordered_i64(to, *wm + 1);
    std::vector<std::string> keys;
    auto scanned = _state->scan(from, to, [&](std::string_view k, std::string_view) {
        std::string_view key = k.substr(9);
        if (keys.empty() || keys.back() != key) keys.emplace_back(key);
        return true;
    });
    if (!scanned.ok()) return scanned;
    _closed_through = wm;
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::vector<uint32_t> closed;
    std::vector<column> key_cols = _layout.key_columns();
    for (const auto& key : keys) {
        auto g = find_or_load_sessions(key);
        if (!g.ok()) return g.error();
        auto pos = _sessions.find(key);
        for (uint32_t s : g.value()->sessions) {
            if (_slots[s].end > *wm) continue;
            closed.push_back(s);
            if (auto st = _layout.decode(key, key_cols, _slots[s].start, _slots[s].end); !st.ok())
                return st;
        }
        std::erase_if(g.value()->sessions, [&](uint32_t s) { return _slots[s].end <= *wm; });
        save_session_group(pos->first, *g.value());
    }
    if (_def.emit_on_window_close && !closed.empty()) {
        if (auto st = emit_final(std::move(key_cols), closed, ctx, out); !st.ok()) return st;
    }
    for (uint32_t s : closed)
        release(s);
    for (const auto& key : keys) {
        auto it = _sessions.find(key);
        if (it != _sessions.end() && it->second.sessions.empty()) _sessions.erase(it);
    }
    return {};
}

}  // namespace spate::sql::detail
