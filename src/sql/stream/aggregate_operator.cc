#include "sql/stream/aggregate_operator.h"

#include <algorithm>

#include "base/assert.h"
#include "base/log.h"
#include "sql/stream/row_codec.h"

namespace spate::sql::detail {

namespace codec = stream_codec;

namespace {

// State keys: 'g' + group key bytes -> the group; 'w' -> the watermark.
constexpr char k_group_prefix = 'g';
constexpr std::string_view k_watermark_key = "w";
// The defaults of limit_groups_in_memory(): the groups a task keeps are
// bounded by their estimated memory (memory_bytes(): about 300 bytes per
// group of q17's eight calls) more than by their count.
constexpr size_t k_max_cached_groups = 4'000'000;
constexpr size_t k_max_cached_bytes = size_t{512} << 20;

sql_error corrupt_state(const std::string& what) {
    return make_error(sql_errc::internal_error, "corrupt aggregate state: " + what);
}

}  // namespace

size_t aggregate_task::key_hash::operator()(std::string_view k) const {
    return static_cast<size_t>(codec::hash_bytes(k));
}

aggregate_task::aggregate_task(const aggregate_def& def, std::unique_ptr<task_state> state,
                               int32_t source_partitions)
    : _def(def)
    , _state(std::move(state))
    , _layout(def)
    , _source_partitions(source_partitions)
    , _watermark(source_partitions) {
    limit_groups_in_memory(k_max_cached_groups, k_max_cached_bytes);
}

void aggregate_task::limit_groups_in_memory(size_t max_groups, size_t max_bytes) {
    _max_groups = max_groups;
    _max_bytes = max_bytes;
}

size_t aggregate_task::slot_bytes() const {
    return sizeof(slot) + 16 * _aggs.size();
}

size_t aggregate_task::bytes_per_group() const {
    // Its slot; its key's string and index entry.
    return slot_bytes() + sizeof(std::string) + 2 * sizeof(void*) + sizeof(uint32_t);
}

size_t aggregate_task::groups_to_keep() const {
    size_t groups = groups_in_memory();
    size_t bytes = _key_bytes + groups * bytes_per_group();
    if (groups <= _max_groups && bytes <= _max_bytes) return groups;
    // Three quarters of whichever limit it passed.
    size_t by_count = _max_groups * 3 / 4;
    auto by_bytes =
        static_cast<size_t>(static_cast<double>(groups) * 0.75 * static_cast<double>(_max_bytes) /
                            static_cast<double>(bytes));
    return std::min(by_count, by_bytes);
}

aggregate_task::~aggregate_task() = default;

sql_result<std::unique_ptr<aggregate_task>> aggregate_task::create(
    const aggregate_def& def, std::unique_ptr<task_state> state, int32_t source_partitions) {
    std::unique_ptr<aggregate_task> t(new aggregate_task(def, std::move(state), source_partitions));
    if (auto s = t->init(); !s.ok()) return s.error();
    return t;
}

sql_status aggregate_task::init() {
    for (aggregate_set* set : {&_aggs, &_partial_aggs, &_delta_aggs}) {
        auto made = make_aggregate_set(_def);
        if (!made.ok()) return made.error();
        *set = std::move(made).value();
    }
    for (const auto& call : _def.calls)
        _old_results.emplace_back(call.type);
    for (auto& a : _partial_aggs)
        a->resize(1);
    auto wm = _state->get(k_watermark_key);
    if (!wm.ok()) return wm.error();
    _watermark = watermark_merger(_source_partitions);
    if (wm.value()) {
        if (auto s = _watermark.load(*wm.value()); !s.ok()) return s;
    }
    _closed_through.reset();
    // A task opened over a state without groups holds every group in memory
    // until drop_memory(): a key missing from _index is then not stored.
    bool any_group = false;
    auto scanned = _state->scan(std::string(1, k_group_prefix),
                                std::string(1, static_cast<char>(k_group_prefix + 1)),
                                [&any_group](std::string_view, std::string_view) {
                                    any_group = true;
                                    return false;
                                });
    if (!scanned.ok()) return scanned;
    _stored_groups_known = !any_group;
    return {};
}

const std::string& aggregate_task::state_key(std::string_view key) {
    _key_buf.assign(1, k_group_prefix);
    _key_buf.append(key);
    return _key_buf;
}

uint32_t aggregate_task::allocate() {
    if (!_free.empty()) {
        uint32_t s = _free.back();
        _free.pop_back();
        return s;
    }
    auto s = static_cast<uint32_t>(_slots.size());
    if (s == 0) {
        // Room for the groups a task keeps (and a quarter more, touched
        // before a commit releases some), reserved, not touched: growing
        // then neither copies the slots and aggregates nor faults their
        // pages in twice.
        size_t most = std::min(_max_groups, _max_bytes / bytes_per_group());
        size_t room = most + most / 4;
        _slots.reserve(room);
        for (auto& a : _aggs)
            a->reserve(room);
    }
    _slots.emplace_back();
    _group_keys.emplace_back();
    // Grow the aggregates geometrically with the slots.
    if (_aggs.empty() || _aggs[0]->slots() <= s) {
        size_t want = std::max<size_t>(64, 2 * _slots.size());
        for (auto& a : _aggs)
            a->resize(want);
    }
    return s;
}

void aggregate_task::release(uint32_t s) {
    free_delta(s);
    slot& sl = _slots[s];
    if (sl.indexed) {
        _key_bytes -= sl.key->size();
        _index.erase(codec::hash_bytes(*sl.key), s);
        _group_keys[s].clear();
    }
    sl = slot{};
    for (auto& a : _aggs)
        a->reset(s);
    _free.push_back(s);
}

void aggregate_task::hash_keys(std::span<const std::string_view> keys) {
    _key_hashes.resize(keys.size());
    _key_candidates.assign(keys.size(), group_index::k_none);
    for (size_t i = 0; i < keys.size(); ++i)
        _key_hashes[i] = codec::hash_bytes(keys[i]);
}

// Three steps ahead of the lookups of _key_hashes (a few keys apart, each
// step's loads hit what the one before fetched): the index entry, then the
// slot, its key string and the aggregates' states (the slot found is kept
// in _key_candidates), then the key's bytes.
void aggregate_task::prefetch_groups(size_t i) {
    constexpr size_t k_step = 4;
    size_t n = _key_hashes.size();
    if (i + 3 * k_step < n) _index.prefetch(_key_hashes[i + 3 * k_step]);
    if (i + 2 * k_step < n) {
        uint32_t s = _index.candidate(_key_hashes[i + 2 * k_step]);
        _key_candidates[i + 2 * k_step] = s;
        if (s != group_index::k_none) {
            __builtin_prefetch(&_slots[s]);
            __builtin_prefetch(&_group_keys[s]);
            for (const auto& a : _aggs)
                a->prefetch(s);
        }
    }
    if (i + k_step < n) {
        uint32_t s = _key_candidates[i + k_step];
        if (s != group_index::k_none) __builtin_prefetch(_group_keys[s].data());
    }
}

sql_result<uint32_t> aggregate_task::find_or_load(std::string_view key) {
    return find_or_load(key, codec::hash_bytes(key));
}

sql_result<uint32_t> aggregate_task::find_or_load(std::string_view key, uint64_t hash) {
    uint32_t found =
        _index.find(key, hash, [this](uint32_t s) -> const std::string& { return _group_keys[s]; });
    if (found != group_index::k_none) return found;
    uint32_t s = allocate();
    _group_keys[s].assign(key);
    _index.insert(hash, s);
    _slots[s].key = &_group_keys[s];
    _slots[s].indexed = true;
    _key_bytes += key.size();
    if (!maybe_stored(hash)) return s;
    auto stored = _state->get_into(state_key(key), _value_buf);
    if (!stored.ok()) return stored.error();
    if (stored.value()) {
        if (auto st = load_group(s, key, _value_buf); !st.ok()) return st.error();
    }
    return s;
}

// A group's body: rows (8 bytes, ordered), then per call: varint length,
// its save() (the 'g' value wraps it: group_state.cc).
void aggregate_task::save_slot(uint32_t s, std::string& out) const {
    out.clear();
    save_group_body(_aggs, s, _slots[s].rows, out);
}

sql_status aggregate_task::load_slot(uint32_t s, std::string_view value) {
    return load_group_body(_aggs, s, value, _slots[s].rows);
}

bool aggregate_task::maybe_stored(uint64_t hash) const {
    return !_stored_groups_known || std::binary_search(_evicted.begin(), _evicted.end(), hash);
}

void aggregate_task::touch(uint32_t s) {
    slot& sl = _slots[s];
    sl.last_interval = _interval;
    if (sl.touched >= 0) return;
    sl.touched = static_cast<int32_t>(_touched.size());
    _touched.push_back(s);
    sl.old_rows = sl.rows;
    sl.old_start = sl.start;
    sl.old_end = sl.end;
    start_delta(s);
    // Only a group with rows emitted a row before: _old_results holds the
    // results of those groups, in touch order.
    if (_def.emit_on_window_close || _upserts_only || sl.rows <= 0) return;
    size_t row = _old_results.empty() ? 0 : _old_results[0].size();
    for (size_t c = 0; c < _aggs.size(); ++c) {
        column& old = _old_results[c];
        // A result error (e.g. overflow): null.
        if (_aggs[c]->result(s, old).ok()) continue;
        if (old.size() <= row) old.push_null();
    }
}

sql_status aggregate_task::apply(const repartition_rows& rows) {
    if (!rows.partials.empty()) return apply_partials(rows);
    if (_def.has_session) return apply_sessions(rows);
    size_t n = rows.keys.size();
    _row_slots.clear();
    _keep.assign(n, 1);
    bool dropped = false;
    std::optional<int64_t> wm = _watermark.value();
    bool check_late = _layout.windowed() && _def.windows_close && wm.has_value();
    hash_keys(rows.keys);
    for (size_t i = 0; i < n; ++i) {
        std::string_view key = rows.keys[i];
        prefetch_groups(i);
        if (check_late && _layout.window_end(key) <= *wm) {
            _keep[i] = 0;
            dropped = true;
            ++_stats.late_rows;
            continue;
        }
        auto s = find_or_load(key, _key_hashes[i]);
        if (!s.ok()) return s.error();
        touch(s.value());
        _slots[s.value()].rows += rows.diffs.empty() ? 1 : rows.diffs[i];
        _row_slots.push_back(s.value());
    }
    _stats.rows_in += static_cast<int64_t>(_row_slots.size());
    if (!dropped) {
        buffer_deltas(rows.values, rows.diffs);
        return update_calls(rows.values, rows.diffs, _row_slots);
    }
    chunk kept = rows.values.filter(_keep);
    kept.set_rows(_row_slots.size());
    std::vector<int8_t> diffs;
    for (size_t i = 0; i < rows.diffs.size(); ++i)
        if (_keep[i]) diffs.push_back(rows.diffs[i]);
    buffer_deltas(kept, diffs);
    return update_calls(kept, diffs, _row_slots);
}

sql_status aggregate_task::update_calls(const chunk& values, std::span<const int8_t> diffs,
                                        std::span<const uint32_t> slots) {
    if (slots.empty()) return {};
    size_t keys = _def.key_types.size();
    for (size_t c = 0; c < _aggs.size(); ++c) {
        const auto& args = _def.call_args[c];
        std::span<const column> arg_cols;
        if (!args.empty()) {
            size_t first = static_cast<size_t>(args.front()) - keys;
            arg_cols = std::span<const column>(values.columns()).subspan(first, args.size());
        }
        int f = _def.call_filters[c];
        const column* filter = f >= 0 ? &values.at(static_cast<size_t>(f) - keys) : nullptr;
        if (auto s = _aggs[c]->update(arg_cols, filter, slots, diffs); !s.ok()) return s;
    }
    return {};
}

sql_status aggregate_task::apply_partials(const repartition_rows& rows) {
    if (_def.has_session) return corrupt_state("partial aggregates for SESSION windows");
    std::optional<int64_t> wm = _watermark.value();
    bool check_late = _layout.windowed() && _def.windows_close && wm.has_value();
    hash_keys(rows.keys);
    for (size_t i = 0; i < rows.keys.size(); ++i) {
        std::string_view key = rows.keys[i];
        std::string_view partial = rows.partials[i];
        prefetch_groups(i);
        if (check_late && _layout.window_end(key) <= *wm) {
            if (partial.size() >= 8) _stats.late_rows += codec::get_ordered_i64(partial);
            continue;
        }
        // Loading the group may replay its partials through _partial_aggs:
        // the group first, then this partial.
        auto s = find_or_load(key, _key_hashes[i]);
        if (!s.ok()) return s.error();
        int64_t n = 0;
        if (auto st = load_group_body(_partial_aggs, 0, partial, n); !st.ok()) return st;
        touch(s.value());
        if (auto st = merge_partial(s.value(), n, partial); !st.ok()) return st;
        _stats.rows_in += n;
    }
    return {};
}

sql_status aggregate_task::merge_partial(uint32_t s, int64_t rows, std::string_view bytes) {
    _slots[s].rows += rows;
    for (size_t c = 0; c < _aggs.size(); ++c)
        if (auto st = _aggs[c]->merge(s, *_partial_aggs[c], 0); !st.ok()) return st;
    int32_t b = _slots[s].delta_buf;
    if (bytes.empty() || b < 0) return {};
    delta_buffer& buf = _delta_bufs[static_cast<size_t>(b)];
    auto index = static_cast<size_t>(b);
    buf.partial_rows += rows;
    if (!buf.has_partial) {
        // Usually the only one of the interval: kept as received, no merge.
        buf.has_partial = true;
        buf.partial_as_bytes = true;
        buf.partial_bytes.assign(bytes);
        return {};
    }
    if (buf.partial_as_bytes) {
        int64_t first_rows = 0;
        auto st = load_group_body(_delta_aggs, index, buf.partial_bytes, first_rows);
        if (!st.ok()) return st;
        buf.partial_as_bytes = false;
    }
    for (size_t c = 0; c < _delta_aggs.size(); ++c)
        if (auto st = _delta_aggs[c]->merge(index, *_partial_aggs[c], 0); !st.ok()) return st;
    return {};
}

void aggregate_task::apply_marker(const watermark_marker& m) {
    _watermark.apply(m);
    _watermark_dirty = true;
}

sql_status aggregate_task::save_touched() {
    for (uint32_t s : _touched) {
        slot& sl = _slots[s];
        sl.touched = -1;
        if (sl.rows == 0) {
            remove_group(s, *sl.key);
            release(s);
            continue;
        }
        write_group(s, *sl.key);
    }
    _touched.clear();
    for (auto& c : _old_results)
        c.clear();
    return {};
}

sql_status aggregate_task::flush(const eval_context& ctx, aggregate_changes& out) {
    out.rows = chunk();
    out.diffs.clear();
    if (!_def.emit_on_window_close) {
        if (auto s = changelog(ctx, out); !s.ok()) return s;
    }
    if (auto s = _def.has_session ? save_sessions() : save_touched(); !s.ok()) return s;
    if (_watermark_dirty) {
        _state->put(k_watermark_key, _watermark.save());
        _watermark_dirty = false;
    }
    if (_def.has_session) return close_sessions(ctx, out);
    return close_windows(ctx, out);
}

void aggregate_task::evict_cold(size_t keep) {
    std::vector<uint32_t> ages;  // intervals since the last touch, per indexed slot
    ages.reserve(_index.size());
    for (const slot& sl : _slots)
        if (sl.indexed) ages.push_back(_interval - sl.last_interval);
    if (ages.size() <= keep) return;
    auto nth = ages.begin() + static_cast<std::ptrdiff_t>(keep);
    std::nth_element(ages.begin(), nth, ages.end());
    // Released: older than the keep-th youngest, and those as old as it
    // when that alone would release nothing.
    uint32_t cut = *nth;
    bool strictly = std::any_of(ages.begin(), ages.end(), [cut](uint32_t a) { return a > cut; });
    size_t first_new = _evicted.size();
    for (uint32_t s = 0; s < _slots.size(); ++s) {
        const slot& sl = _slots[s];
        if (!sl.indexed) continue;
        SPATE_ASSERT(sl.touched < 0);  // between intervals only
        uint32_t age = _interval - sl.last_interval;
        if (strictly ? age <= cut : age < cut) continue;
        if (sl.stored) _evicted.push_back(codec::hash_bytes(*sl.key));
        release(s);
    }
    auto mid = _evicted.begin() + static_cast<std::ptrdiff_t>(first_new);
    std::sort(mid, _evicted.end());
    std::inplace_merge(_evicted.begin(), mid, _evicted.end());
    // A group reloaded and released again is remembered once.
    _evicted.erase(std::unique(_evicted.begin(), _evicted.end()), _evicted.end());
}

void aggregate_task::drop_memory() {
    _stored_groups_known = false;
    _evicted.clear();
    _evicted.shrink_to_fit();
    _index.clear();
    _group_keys.clear();
    _sessions.clear();
    _touched_groups.clear();
    _merged.clear();
    _slots.clear();
    _free.clear();
    _touched.clear();
    _key_bytes = 0;
    for (auto& c : _old_results)
        c.clear();
    for (auto& a : _aggs)
        a->resize(0);
    for (auto& a : _delta_aggs)
        a->resize(0);
    _delta_bufs.clear();
    _free_delta_bufs.clear();
}

size_t aggregate_task::memory_bytes() const {
    // Slots released by an eviction stay allocated for the next groups.
    return _key_bytes + _slots.size() * slot_bytes() +
           groups_in_memory() * (bytes_per_group() - slot_bytes());
}

void aggregate_task::committed() {
    ++_interval;
    size_t keep = groups_to_keep();
    if (keep == groups_in_memory()) return;
    // A session group's sessions are released together: all of them.
    if (_def.has_session)
        drop_memory();
    else
        evict_cold(keep);
}

void aggregate_task::aborted() {
    _state->rollback();
    drop_memory();
    _watermark_dirty = false;
    auto wm = _state->get(k_watermark_key);
    _watermark = watermark_merger(_source_partitions);
    if (wm.ok() && wm.value()) {
        if (auto s = _watermark.load(*wm.value()); !s.ok())
            logging::get("sql").error("aggregate watermark not reloaded: {}", s.error().message);
    }
    _closed_through.reset();
}

}  // namespace spate::sql::detail
