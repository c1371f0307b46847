// A group's records in the task state (aggregate_operator.h; layout:
// docs/formats/sql_repartition.md). A small group is one 'g' value,
// rewritten whenever it changes. A large one (count(DISTINCT) over many
// values, string_agg) would make every commit rewrite and log all of it, and
// could pass Kafka's record size: once its saved state reaches
// k_delta_threshold, an interval writes only the rows the group received
// (a 'd' record, replayed on load) until those deltas add up to the
// snapshot's size, when a new snapshot replaces them (each byte is then
// written about twice). A snapshot above k_chunk_bytes is split into 'c'
// records. Partials (combiner.h) a group in delta mode received are merged
// into one partial per interval, its 'd' record a 0 byte then the group
// body (a rows delta never starts with 0: it has rows).

#include "sql/stream/aggregate_operator.h"
#include "sql/stream/row_codec.h"

namespace spate::sql::detail {

namespace codec = stream_codec;

namespace {

constexpr size_t k_delta_threshold = 64 * 1024;
constexpr size_t k_chunk_bytes = 512 * 1024;
// 'g' value flags.
constexpr uint8_t k_may_have_deltas = 1;
constexpr uint8_t k_chunked = 2;

std::string record_key(char prefix, std::string_view key, uint32_t seq) {
    std::string k(1, prefix);
    k.append(key);
    for (int shift = 24; shift >= 0; shift -= 8)
        k.push_back(static_cast<char>((seq >> shift) & 0xff));
    return k;
}

sql_error corrupt_group(const std::string& what) {
    return make_error(sql_errc::internal_error, "corrupt aggregate state: " + what);
}

}  // namespace

void aggregate_task::start_delta(uint32_t s) {
    slot& sl = _slots[s];
    if (_def.has_session || sl.delta_buf >= 0 ||
        sl.snapshot_bytes < static_cast<int64_t>(k_delta_threshold))
        return;
    if (_free_delta_bufs.empty()) {
        _free_delta_bufs.push_back(static_cast<int32_t>(_delta_bufs.size()));
        _delta_bufs.emplace_back();
    }
    sl.delta_buf = _free_delta_bufs.back();
    _free_delta_bufs.pop_back();
    delta_buffer& b = _delta_bufs[static_cast<size_t>(sl.delta_buf)];
    b.values.clear();
    for (size_t c = _def.key_types.size(); c < _def.pre_columns.size(); ++c)
        b.values.emplace_back(_def.pre_columns[c].type);
    b.diffs.clear();
    b.has_partial = false;
    b.partial_rows = 0;
    b.partial_as_bytes = false;
    auto index = static_cast<size_t>(sl.delta_buf);
    for (auto& a : _delta_aggs) {
        if (a->slots() <= index) a->resize(_delta_bufs.size());
        a->clear(index);  // keeps buffers: a large group refills it every interval
    }
}

void aggregate_task::free_delta(uint32_t s) {
    slot& sl = _slots[s];
    if (sl.delta_buf < 0) return;
    _free_delta_bufs.push_back(sl.delta_buf);
    sl.delta_buf = -1;
}

void aggregate_task::buffer_deltas(const chunk& values, std::span<const int8_t> diffs) {
    for (size_t i = 0; i < _row_slots.size(); ++i) {
        int32_t b = _slots[_row_slots[i]].delta_buf;
        if (b < 0) continue;
        delta_buffer& buf = _delta_bufs[static_cast<size_t>(b)];
        for (size_t c = 0; c < values.width(); ++c)
            buf.values[c].push_from(values.at(c), i);
        buf.diffs.push_back(diffs.empty() ? int8_t{1} : diffs[i]);
    }
}

sql_status aggregate_task::load_group(uint32_t s, std::string_view key, std::string_view stored) {
    if (stored.empty()) return corrupt_group("empty group");
    auto flags = static_cast<uint8_t>(stored[0]);
    stored.remove_prefix(1);
    slot& sl = _slots[s];
    sl.stored = true;
    std::string body_buf, part;
    std::string_view body = stored;
    if (flags & k_chunked) {
        uint64_t n = 0;
        if (!codec::get_varint(stored, n)) return corrupt_group("chunk count");
        for (uint32_t i = 0; i < n; ++i) {
            auto got = _state->get_into(record_key('c', key, i), part);
            if (!got.ok()) return got.error();
            if (!got.value()) return corrupt_group("missing chunk");
            body_buf += part;
        }
        body = body_buf;
        sl.chunks = static_cast<uint32_t>(n);
    }
    if (auto st = load_slot(s, body); !st.ok()) return st;
    sl.snapshot_bytes = static_cast<int64_t>(body.size());
    if (!(flags & k_may_have_deltas)) return {};
    std::vector<uint32_t> slots;
    for (;; ++sl.deltas) {
        auto got = _state->get_into(record_key('d', key, sl.deltas), part);
        if (!got.ok()) return got.error();
        if (!got.value()) break;
        sl.delta_bytes += static_cast<int64_t>(part.size());
        if (!part.empty() && part[0] == '\0') {
            // A partial: 0, then a group body.
            int64_t rows = 0;
            auto st = load_group_body(_partial_aggs, 0, std::string_view(part).substr(1), rows);
            if (!st.ok()) return st;
            if (st = merge_partial(s, rows, {}); !st.ok()) return st;
            continue;
        }
        // Value: varint rows, the columns (stream_codec batch), a diff per row.
        std::string_view in = part;
        uint64_t n = 0;
        if (!codec::get_varint(in, n) || n > in.size()) return corrupt_group("delta rows");
        std::vector<column> cols;
        for (size_t c = _def.key_types.size(); c < _def.pre_columns.size(); ++c)
            cols.emplace_back(_def.pre_columns[c].type);
        if (auto st = codec::decode_batch(in, n, cols); !st.ok()) return st;
        if (in.size() != n) return corrupt_group("delta diffs");
        std::vector<int8_t> diffs(n);
        for (size_t i = 0; i < n; ++i) {
            diffs[i] = static_cast<int8_t>(in[i]);
            sl.rows += diffs[i];
        }
        chunk values(std::move(cols));
        values.set_rows(n);
        slots.assign(n, s);
        if (auto st = update_calls(values, diffs, slots); !st.ok()) return st;
    }
    return {};
}

void aggregate_task::write_group(uint32_t s, std::string_view key) {
    slot& sl = _slots[s];
    std::string& value = _group_buf;
    value.clear();
    if (sl.delta_buf >= 0) {
        delta_buffer& b = _delta_bufs[static_cast<size_t>(sl.delta_buf)];
        if (!b.diffs.empty()) {
            codec::put_varint(value, b.diffs.size());
            std::vector<const column*> cols;
            for (const auto& c : b.values)
                cols.push_back(&c);
            std::vector<uint32_t> rows(b.diffs.size());
            for (uint32_t i = 0; i < rows.size(); ++i)
                rows[i] = i;
            codec::encode_batch(cols, rows, value);
            for (int8_t d : b.diffs)
                value.push_back(static_cast<char>(d));
        }
        std::string partial;
        if (b.has_partial) {
            partial.assign(1, '\0');
            if (b.partial_as_bytes)
                partial += b.partial_bytes;
            else
                save_group_body(_delta_aggs, static_cast<size_t>(sl.delta_buf), b.partial_rows,
                                partial);
        }
        free_delta(s);
        auto bytes = static_cast<int64_t>(value.size() + partial.size());
        if (sl.delta_bytes + bytes <= sl.snapshot_bytes) {
            if (!value.empty()) _state->put(record_key('d', key, sl.deltas++), value);
            if (!partial.empty()) _state->put(record_key('d', key, sl.deltas++), partial);
            sl.delta_bytes += bytes;
            return;
        }
    }
    // A new snapshot.
    std::string& body = _body_buf;
    save_slot(s, body);
    value.assign(1, static_cast<char>(body.size() >= k_delta_threshold ? k_may_have_deltas : 0));
    uint32_t chunks = 0;
    if (body.size() > k_chunk_bytes) {
        value[0] = static_cast<char>(value[0] | k_chunked);
        chunks = static_cast<uint32_t>((body.size() + k_chunk_bytes - 1) / k_chunk_bytes);
        codec::put_varint(value, chunks);
        for (uint32_t i = 0; i < chunks; ++i)
            _state->put(record_key('c', key, i),
                        std::string_view(body).substr(i * k_chunk_bytes, k_chunk_bytes));
    } else {
        value += body;
    }
    for (uint32_t i = chunks; i < sl.chunks; ++i)
        _state->remove(record_key('c', key, i));
    for (uint32_t i = 0; i < sl.deltas; ++i)
        _state->remove(record_key('d', key, i));
    // A group first stored now: put_new, so a window opened and closed
    // within the interval leaves no record.
    if (sl.stored)
        _state->put(state_key(key), value);
    else
        _state->put_new(state_key(key), value);
    sl.stored = true;
    sl.chunks = chunks;
    sl.deltas = 0;
    sl.delta_bytes = 0;
    sl.snapshot_bytes = static_cast<int64_t>(body.size());
}

void aggregate_task::remove_group(uint32_t s, std::string_view key) {
    slot& sl = _slots[s];
    for (uint32_t i = 0; i < sl.chunks; ++i)
        _state->remove(record_key('c', key, i));
    for (uint32_t i = 0; i < sl.deltas; ++i)
        _state->remove(record_key('d', key, i));
    if (sl.stored) _state->remove(state_key(key));
    sl.stored = false;
    sl.chunks = sl.deltas = 0;
}

}  // namespace spate::sql::detail
