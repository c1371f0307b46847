#include "sql/stream/combiner.h"

#include "sql/stream/row_codec.h"

namespace spate::sql::detail {

namespace codec = stream_codec;

namespace {

sql_error corrupt_body(const std::string& what) {
    return make_error(sql_errc::internal_error, "corrupt aggregate state: " + what);
}

bool is_float(const aggregate_call& call) {
    if (call.args.empty()) return false;
    type_id t = call.args[0]->type.id;
    return t == type_id::float32 || t == type_id::float64;
}

// Exact, order-free merge (see combinable()).
bool call_combines(const aggregate_call& call) {
    const std::string& n = call.name;
    if (n == "count" || n == "min" || n == "max" || n == "bool_and" || n == "bool_or" ||
        n == "every")
        return true;
    if (n == "string_agg" || n == "array_agg") return false;
    // sum, avg, stddev/variance: exact over integers, numeric and intervals,
    // rounding differs with the order of additions over floats.
    return !is_float(call);
}

}  // namespace

void save_group_body(const aggregate_set& aggs, size_t slot, int64_t rows, std::string& out) {
    codec::put_ordered_i64(out, rows);
    for (const auto& a : aggs) {
        // The call's state goes after a varint of its length: reserve one
        // byte, grow it when the state is 128 bytes or more.
        size_t at = out.size();
        out.push_back('\0');
        a->save(slot, out);
        size_t n = out.size() - at - 1;
        if (n < 0x80) {
            out[at] = static_cast<char>(n);
            continue;
        }
        std::string len;
        codec::put_varint(len, n);
        out.replace(at, 1, len);
    }
}

sql_status load_group_body(aggregate_set& aggs, size_t slot, std::string_view body, int64_t& rows) {
    if (body.size() < 8) return corrupt_body("short group");
    rows = codec::get_ordered_i64(body);
    body.remove_prefix(8);
    for (auto& a : aggs) {
        uint64_t n = 0;
        if (!codec::get_varint(body, n) || n > body.size()) return corrupt_body("bad call state");
        if (auto st = a->load(slot, body.substr(0, n)); !st.ok()) return st;
        body.remove_prefix(n);
    }
    if (!body.empty()) return corrupt_body("trailing bytes");
    return {};
}

sql_result<aggregate_set> make_aggregate_set(const aggregate_def& def) {
    aggregate_set out;
    for (const auto& call : def.calls) {
        auto a = make_grouped_aggregate(call, def.input_retracts);
        if (!a.ok()) return a.error();
        out.push_back(std::move(a.value()));
    }
    return out;
}

bool combinable(const aggregate_def& def) {
    if (def.input_retracts || def.has_session) return false;
    for (const auto& call : def.calls)
        if (!call_combines(call)) return false;
    return true;
}

sql_result<std::unique_ptr<combiner>> combiner::create(const aggregate_def& def) {
    SPATE_ASSERT(combinable(def));
    std::unique_ptr<combiner> c(new combiner(def));
    auto aggs = make_aggregate_set(def);
    if (!aggs.ok()) return aggs.error();
    c->_aggs = std::move(aggs).value();
    c->_table.assign(1024, entry{});
    return c;
}

void combiner::grow_table() {
    std::vector<entry> bigger(_table.size() * 2, entry{});
    size_t mask = bigger.size() - 1;
    for (const entry& e : _table) {
        if (e.group == k_empty) continue;
        size_t i = e.hash & mask;
        while (bigger[i].group != k_empty)
            i = (i + 1) & mask;
        bigger[i] = e;
    }
    _table = std::move(bigger);
}

uint32_t combiner::find_or_add(std::string_view k, uint64_t h) {
    size_t mask = _table.size() - 1;
    auto h32 = static_cast<uint32_t>(h);
    size_t i = h32 & mask;
    for (;; i = (i + 1) & mask) {
        const entry& e = _table[i];
        if (e.group == k_empty) break;
        if (e.hash == h32 && key(e.group) == k) return e.group;
    }
    auto g = static_cast<uint32_t>(_hashes.size());
    _table[i] = entry{h32, g};
    _arena.append(k);
    _key_ends.push_back(static_cast<uint32_t>(_arena.size()));
    _hashes.push_back(h);
    _rows.push_back(0);
    if (!_aggs.empty() && _aggs[0]->slots() <= g) {
        size_t want = std::max<size_t>(64, 2 * _aggs[0]->slots());
        for (auto& a : _aggs)
            a->resize(want);
    }
    if (_hashes.size() * 2 > _table.size()) grow_table();
    return g;
}

sql_status combiner::add(const chunk& pre, std::string_view keys, std::span<const uint32_t> ends) {
    size_t n = pre.rows();
    SPATE_ASSERT(ends.size() == n);
    _slots.resize(n);
    uint32_t begin = 0;
    for (size_t r = 0; r < n; ++r) {
        std::string_view k = keys.substr(begin, ends[r] - begin);
        begin = ends[r];
        uint32_t g = find_or_add(k, codec::hash_bytes(k));
        _slots[r] = g;
        ++_rows[g];
    }
    for (size_t c = 0; c < _aggs.size(); ++c) {
        const auto& args = _def.call_args[c];
        std::span<const column> arg_cols;
        if (!args.empty())
            arg_cols = std::span<const column>(pre.columns())
                           .subspan(static_cast<size_t>(args.front()), args.size());
        int f = _def.call_filters[c];
        const column* filter = f >= 0 ? &pre.at(static_cast<size_t>(f)) : nullptr;
        if (auto s = _aggs[c]->update(arg_cols, filter, _slots, {}); !s.ok()) return s;
    }
    return {};
}

void combiner::save(size_t g, std::string& out) const {
    save_group_body(_aggs, g, _rows[g], out);
}

void combiner::clear() {
    // The next interval's groups reuse these slots: clear() keeps buffers.
    for (size_t g = 0; g < _hashes.size(); ++g)
        for (auto& a : _aggs)
            a->clear(g);
    std::fill(_table.begin(), _table.end(), entry{});
    _arena.clear();
    _key_ends.clear();
    _hashes.clear();
    _rows.clear();
}

}  // namespace spate::sql::detail
