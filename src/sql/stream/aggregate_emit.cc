// The output of the streaming aggregate (aggregate_operator.h): changelog
// pairs for touched groups, closed windows for EMIT ON WINDOW CLOSE.

#include <limits>
#include <utility>

#include "sql/stream/aggregate_operator.h"
#include "sql/stream/continuous_query.h"
#include "sql/stream/row_codec.h"

namespace spate::sql::detail {

namespace codec = stream_codec;

namespace {

// The output columns of `c` (all but the trailing row id) at `rows`.
chunk output_rows(const chunk& c, std::span<const uint32_t> rows) {
    std::vector<column> cols;
    cols.reserve(c.width() - 1);
    for (size_t i = 0; i + 1 < c.width(); ++i)
        cols.push_back(c.at(i).gather(rows));
    chunk out(std::move(cols));
    out.set_rows(rows.size());
    return out;
}

// `c` without its trailing row id column (every row, nothing copied).
chunk without_row_id(chunk c) {
    c.columns().pop_back();
    return c;
}

void append_chunk(chunk& dst, chunk src) {
    if (dst.width() == 0) {
        dst = std::move(src);
        return;
    }
    std::vector<uint32_t> all(src.rows());
    for (uint32_t r = 0; r < all.size(); ++r)
        all[r] = r;
    for (size_t i = 0; i < src.width(); ++i)
        dst.at(i).push_from(src.at(i), all);
    dst.set_rows(dst.rows() + src.rows());
}

}  // namespace

sql_status aggregate_task::results_of(std::span<const uint32_t> slots,
                                      std::vector<column>& cols) const {
    cols.clear();
    for (size_t c = 0; c < _aggs.size(); ++c) {
        cols.emplace_back(_def.calls[c].type);
        for (uint32_t s : slots) {
            if (_slots[s].rows <= 0) {
                cols.back().push_null();
                continue;
            }
            if (auto st = _aggs[c]->result(s, cols.back()); !st.ok()) return st;
        }
    }
    return {};
}

sql_result<chunk> aggregate_task::post(std::vector<column> cols, std::vector<int64_t> ids,
                                       const eval_context& ctx) const {
    column id(data_type::of(type_id::int64));
    id.reserve(ids.size());
    for (int64_t v : ids)
        id.push<int64_t>(v);
    cols.push_back(std::move(id));
    chunk in(std::move(cols));
    in.set_rows(ids.size());
    return _def.post->process(std::move(in), ctx);
}

sql_status aggregate_task::append_keys(std::span<const uint32_t> slots, bool before,
                                       std::vector<column>& keys) const {
    for (uint32_t s : slots) {
        const slot& sl = _slots[s];
        auto st = _layout.decode(*sl.key, keys, before ? sl.old_start : sl.start,
                                 before ? sl.old_end : sl.end);
        if (!st.ok()) return st;
    }
    return {};
}

sql_status aggregate_task::emit_final(std::vector<column> keys, std::span<const uint32_t> slots,
                                      const eval_context& ctx, aggregate_changes& out) {
    std::vector<column> cols;
    if (auto st = results_of(slots, cols); !st.ok()) return st;
    cols.insert(cols.begin(), std::make_move_iterator(keys.begin()),
                std::make_move_iterator(keys.end()));
    std::vector<int64_t> ids(slots.size(), 0);
    auto rows = post(std::move(cols), std::move(ids), ctx);
    if (!rows.ok()) return rows.error();
    size_t n = rows.value().rows();
    append_chunk(out.rows, without_row_id(std::move(rows).value()));
    out.diffs.insert(out.diffs.end(), n, 1);
    _stats.rows_out += static_cast<int64_t>(n);
    return {};
}

sql_status aggregate_task::upserts(const eval_context& ctx, aggregate_changes& out) {
    // Rows now (ids [n, 2n)), then the keys of groups gone (ids [0, n)).
    size_t n = _touched.size();
    std::vector<uint32_t> now, gone;
    std::vector<int64_t> ids;
    for (uint32_t i = 0; i < n; ++i) {
        if (_slots[_touched[i]].rows <= 0) continue;
        now.push_back(_touched[i]);
        ids.push_back(static_cast<int64_t>(n + i));
    }
    for (uint32_t i = 0; i < n; ++i) {
        const slot& sl = _slots[_touched[i]];
        if (sl.rows > 0 || sl.old_rows <= 0) continue;
        gone.push_back(_touched[i]);
        ids.push_back(i);
    }
    std::vector<column> cols = _layout.key_columns();
    for (column& k : cols)
        k.reserve(ids.size());
    if (auto st = append_keys(now, false, cols); !st.ok()) return st;
    if (auto st = append_keys(gone, false, cols); !st.ok()) return st;
    for (size_t c = 0; c < _aggs.size(); ++c) {
        cols.emplace_back(_def.calls[c].type);
        column& col = cols.back();
        col.reserve(ids.size());
        for (uint32_t s : now)
            if (auto st = _aggs[c]->result(s, col); !st.ok()) return st;
        for (size_t i = 0; i < gone.size(); ++i)
            col.push_null();
    }
    auto rows = post(std::move(cols), std::move(ids), ctx);
    if (!rows.ok()) return rows.error();
    const chunk& r = rows.value();
    const auto& id_col = r.at(r.width() - 1).values<int64_t>();
    for (size_t row = 0; row < r.rows(); ++row)
        out.diffs.push_back(static_cast<size_t>(id_col[row]) < n ? int8_t{-1} : int8_t{1});
    _stats.rows_out += static_cast<int64_t>(r.rows());
    append_chunk(out.rows, without_row_id(std::move(rows).value()));
    return {};
}

sql_status aggregate_task::changelog(const eval_context& ctx, aggregate_changes& out) {
    size_t n = _touched.size();
    if (n == 0) return {};
    if (_upserts_only) return upserts(ctx, out);
    // Rows before (ids [0, n)) and after (ids [n, 2n)), existing ones only,
    // built in place: keys, then per call the results before (_old_results:
    // a row per group in `before`, in order) and now.
    std::vector<uint32_t> before, after;  // slots
    std::vector<int64_t> ids;
    for (uint32_t i = 0; i < n; ++i) {
        if (_slots[_touched[i]].old_rows <= 0) continue;
        before.push_back(_touched[i]);
        ids.push_back(i);
    }
    for (uint32_t i = 0; i < n; ++i) {
        if (_slots[_touched[i]].rows <= 0) continue;
        after.push_back(_touched[i]);
        ids.push_back(static_cast<int64_t>(n + i));
    }
    size_t total = before.size() + after.size();
    std::vector<column> cols = _layout.key_columns();
    for (column& k : cols)
        k.reserve(total);
    if (auto st = append_keys(before, _def.has_session, cols); !st.ok()) return st;
    if (auto st = append_keys(after, false, cols); !st.ok()) return st;
    for (size_t c = 0; c < _aggs.size(); ++c) {
        SPATE_ASSERT(_old_results[c].size() == before.size());
        // The next interval's old results get about as many rows.
        column next(_def.calls[c].type);
        next.reserve(before.size());
        cols.push_back(std::exchange(_old_results[c], std::move(next)));
        cols.back().reserve(total);
        for (uint32_t s : after)
            if (auto st = _aggs[c]->result(s, cols.back()); !st.ok()) return st;
    }
    auto rows = post(std::move(cols), std::move(ids), ctx);
    if (!rows.ok()) return rows.error();
    pair_rows(rows.value(), n, out);
    return {};
}

void aggregate_task::pair_rows(const chunk& r, size_t n, aggregate_changes& out) {
    // Where each id's row landed (-1: filtered out by HAVING).
    std::vector<int32_t> at(2 * n, -1);
    const auto& id_col = r.at(r.width() - 1).values<int64_t>();
    for (size_t row = 0; row < r.rows(); ++row)
        at[static_cast<size_t>(id_col[row])] = static_cast<int32_t>(row);
    std::vector<const column*> out_cols;
    for (size_t i = 0; i + 1 < r.width(); ++i)
        out_cols.push_back(&r.at(i));
    std::vector<uint32_t> emit;
    std::string a, b;
    for (size_t i = 0; i < n; ++i) {
        int32_t o = at[i], w = at[n + i];
        if (o >= 0 && w >= 0) {
            a.clear();
            b.clear();
            codec::append_key(out_cols, static_cast<size_t>(o), a);
            codec::append_key(out_cols, static_cast<size_t>(w), b);
            if (a == b) continue;
        }
        if (o >= 0) {
            emit.push_back(static_cast<uint32_t>(o));
            out.diffs.push_back(-1);
        }
        if (w >= 0) {
            emit.push_back(static_cast<uint32_t>(w));
            out.diffs.push_back(1);
        }
    }
    append_chunk(out.rows, output_rows(r, emit));
    _stats.rows_out += static_cast<int64_t>(emit.size());
}

sql_status aggregate_task::close_windows(const eval_context& ctx, aggregate_changes& out) {
    if (!_def.windows_close || !_layout.windowed()) return {};
    std::optional<int64_t> wm = _watermark.value();
    if (!wm || (_closed_through && *wm <= *_closed_through)) return {};
    // Keys of windows ending at or before the watermark: below "g" + end(wm + 1).
    std::string from(1, 'g'), to(1, 'g');
    if (*wm == std::numeric_limits<int64_t>::max())
        to = "h";
    else
        codec::put_ordered_i64(to, *wm + 1);
    std::vector<std::pair<std::string, std::string>> closed;
    auto scanned = _state->scan(from, to, [&](std::string_view k, std::string_view v) {
        closed.emplace_back(std::string(k), std::string(v));
        return true;
    });
    if (!scanned.ok()) return scanned;
    _closed_through = wm;
    if (closed.empty()) return {};
    std::vector<uint32_t> slots;
    for (const auto& [k, v] : closed) {
        std::string_view key = std::string_view(k).substr(1);
        uint32_t found =
            _index.find(key, codec::hash_bytes(key),
                        [this](uint32_t s) -> const std::string& { return _group_keys[s]; });
        if (found != group_index::k_none) {
            slots.push_back(found);
            continue;
        }
        uint32_t s = allocate();
        slots.push_back(s);
        if (auto st = load_group(s, std::string_view(k).substr(1), v); !st.ok()) return st;
    }
    if (_def.emit_on_window_close) {
        std::vector<column> keys = _layout.key_columns();
        for (const auto& [k, v] : closed)
            if (auto st = _layout.decode(std::string_view(k).substr(1), keys); !st.ok()) return st;
        if (auto st = emit_final(std::move(keys), slots, ctx, out); !st.ok()) return st;
    }
    for (size_t i = 0; i < closed.size(); ++i) {
        remove_group(slots[i], std::string_view(closed[i].first).substr(1));
        release(slots[i]);
    }
    return {};
}

}  // namespace spate::sql::detail
