// count(DISTINCT x) over integer-like x (boolean, smallint, integer, bigint,
// date, time, timestamp[tz]): per slot an open-addressing hash table from
// value to multiplicity (equality is bitwise for these types), so an update
// costs one probe instead of an ordered map's walk. Its saved state is the
// multiset layout (docs/formats/sql_aggregate_state.md, tag 10: values in
// ascending order), byte for byte what multiset.cc saves for the same rows,
// so either reads the other's state.

#include <algorithm>
#include <array>
#include <utility>

#include "sql/agg/agg_detail.h"

namespace spate::sql::agg_detail {

namespace {

// Linear probing with backward-shift deletion; a count of 0 marks a free
// entry (present values have multiplicity > 0).
class int_multiset {
  public:
    size_t size() const { return _n; }
    size_t capacity() const { return _t.size(); }

    // Adds `d` occurrences of `k` (d < 0 removes); false when a removal
    // finds fewer occurrences than it removes (nothing changes then).
    bool add(int64_t k, int64_t d) {
        if (d > 0) {
            if ((_n + 1) * 4 > _t.size() * 3) grow();
            size_t i = find(k);
            if (_t[i].count == 0) {
                _t[i].key = k;
                ++_n;
            }
            _t[i].count += d;
            return true;
        }
        if (_t.empty()) return false;
        size_t i = find(k);
        if (_t[i].count == 0 || _t[i].count < -d) return false;
        if ((_t[i].count += d) == 0) erase(i);
        return true;
    }

    // Empties the set; its table keeps the size the values it held would
    // grow it to (a set refilled with about as many values grows no more).
    void clear() {
        size_t size = table_size_for(_n);
        if (size == _t.size())
            std::fill(_t.begin(), _t.end(), entry{});
        else
            _t.assign(size, entry{});
        _n = 0;
    }

    // An empty set sized for `n` values (no growth while they are added).
    void reserve_empty(size_t n) {
        SPATE_ASSERT(_n == 0);
        _t.assign(table_size_for(n), entry{});
    }

    template <typename F>
    void each(F&& f) const {
        for (const auto& e : _t)
            if (e.count != 0) f(e.key, e.count);
    }

  private:
    struct entry {
        int64_t key = 0;
        int64_t count = 0;
    };

    // The table size add() reaches holding n values.
    static size_t table_size_for(size_t n) {
        size_t size = 8;
        while ((n + 1) * 4 > size * 3)
            size *= 2;
        return size;
    }
    size_t home(int64_t k) const {
        uint64_t x = static_cast<uint64_t>(k) * 0x9e3779b97f4a7c15ULL;
        return static_cast<size_t>(x ^ (x >> 29)) & (_t.size() - 1);
    }
    size_t find(int64_t k) const {
        size_t mask = _t.size() - 1;
        size_t i = home(k);
        while (_t[i].count != 0 && _t[i].key != k)
            i = (i + 1) & mask;
        return i;
    }
    void grow() {
        std::vector<entry> old = std::move(_t);
        _t.assign(old.empty() ? 8 : old.size() * 2, entry{});
        for (const auto& e : old)
            if (e.count != 0) _t[find(e.key)] = e;
    }
    void erase(size_t hole) {
        size_t mask = _t.size() - 1;
        for (size_t j = (hole + 1) & mask; _t[j].count != 0; j = (j + 1) & mask) {
            size_t h = home(_t[j].key);
            // Entry j stays when its home lies cyclically in (hole, j].
            bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
            if (stays) continue;
            _t[hole] = _t[j];
            hole = j;
        }
        _t[hole] = entry{};
        --_n;
    }

    std::vector<entry> _t;  // power-of-two size, or empty
    size_t _n = 0;
};

using value_count = std::pair<int64_t, int64_t>;

// Sorts (value, count) pairs by value (values are unique). Many pairs: a
// least-significant-digit radix sort on bytes of the value with its sign
// bit flipped, skipping a byte every value shares (the high bytes of ids in
// one range), so ids of one range take two or three passes.
void sort_by_value(std::vector<value_count>& v, std::vector<value_count>& scratch) {
    if (v.size() < 64) {
        std::sort(v.begin(), v.end(),
                  [](const value_count& x, const value_count& y) { return x.first < y.first; });
        return;
    }
    auto ordered = [](int64_t k) { return static_cast<uint64_t>(k) ^ (uint64_t{1} << 63); };
    // Every byte's histogram in one read of the values.
    std::vector<std::array<size_t, 256>> counts(8);
    for (auto& c : counts)
        c.fill(0);
    for (const auto& e : v) {
        uint64_t u = ordered(e.first);
        for (size_t b = 0; b < 8; ++b)
            ++counts[b][(u >> (8 * b)) & 0xff];
    }
    scratch.resize(v.size());
    for (size_t b = 0; b < 8; ++b) {
        auto& c = counts[b];
        if (c[(ordered(v[0].first) >> (8 * b)) & 0xff] == v.size()) continue;
        size_t at = 0;
        for (size_t& n : c)
            at += std::exchange(n, at);
        for (const auto& e : v)
            scratch[c[(ordered(e.first) >> (8 * b)) & 0xff]++] = e;
        v.swap(scratch);
    }
}

struct distinct_state {
    int_multiset values;
    int64_t nulls = 0;  // saved as the multiset layout's NULL count (always 0 here)
};

template <typename P>
class count_distinct_aggregate final : public slot_states<distinct_state> {
    using base = slot_states<distinct_state>;
    using base::_s;

  public:
    sql_status update(std::span<const column> args, const column* filter,
                      std::span<const uint32_t> slots, std::span<const int8_t> diffs) override {
        row_span r = rows_of(args, 1, filter, slots, diffs, _s.size(), &args[0]);
        column_reader<P> x(args[0]);
        for (size_t i = 0; i < r.rows; ++i) {
            if (!r.active(i)) continue;
            if (!_s[r.slots[i]].values.add(static_cast<int64_t>(x[i]), r.diff(i)))
                return unmatched();
        }
        return {};
    }
    sql_status merge(size_t into, const grouped_aggregate& other, size_t from) override {
        const distinct_state& o = dynamic_cast<const count_distinct_aggregate&>(other)._s[from];
        distinct_state& st = _s[into];
        bool ok = true;
        o.values.each([&](int64_t k, int64_t n) { ok = st.values.add(k, n) && ok; });
        if (!ok) return unmatched();
        st.nulls += o.nulls;
        return {};
    }
    void clear(size_t slot) override {
        _s[slot].values.clear();
        _s[slot].nulls = 0;
    }
    sql_status result(size_t slot, column& out) const override {
        out.push<int64_t>(static_cast<int64_t>(_s[slot].values.size()));
        return {};
    }
    void save(size_t slot, std::string& out) const override {
        const distinct_state& st = _s[slot];
        _sorted.clear();
        st.values.each([&](int64_t k, int64_t n) { _sorted.emplace_back(k, n); });
        sort_by_value(_sorted, _scratch);
        state_writer w(out);
        w.u8(static_cast<uint8_t>(state_tag::multiset));
        w.u128(_sorted.size());
        for (const auto& [k, n] : _sorted) {
            put_value(w, static_cast<P>(k));
            w.i128(n);
        }
        w.i128(st.nulls);
    }
    sql_status load(size_t slot, std::string_view bytes) override {
        state_reader r(bytes);
        if (!read_tag(r, state_tag::multiset)) return bad_state("multiset");
        distinct_state st;
        unsigned __int128 entries = r.u128();
        // Sized once (a corrupt count is checked against the bytes first).
        if (entries <= bytes.size()) st.values.reserve_empty(static_cast<size_t>(entries));
        for (unsigned __int128 e = 0; e < entries && r.ok(); ++e) {
            auto k = static_cast<int64_t>(get_value<P>(r));
            int64_t n = r.i64();
            size_t before = st.values.size();
            if (n <= 0 || !st.values.add(k, n) || st.values.size() == before) r.fail();
        }
        st.nulls = r.i64();
        if (!r.done() || st.nulls < 0 || st.values.size() != entries) return bad_state("multiset");
        _s[slot] = std::move(st);
        return {};
    }
    size_t slot_bytes(size_t slot) const override { return _s[slot].values.capacity() * 16; }

  private:
    static sql_error unmatched() {
        return make_error(sql_errc::internal_error,
                          "aggregate retraction of a value the group does not hold");
    }

    mutable std::vector<value_count> _sorted, _scratch;  // save()'s
};

}  // namespace

std::unique_ptr<grouped_aggregate> make_count_distinct(const aggregate_call& call) {
    return with_physical(call.args[0]->type.id,
                         [&]<typename P>(phys<P>) -> std::unique_ptr<grouped_aggregate> {
                             if constexpr (std::is_integral_v<P>)
                                 return std::make_unique<count_distinct_aggregate<P>>();
                             else
                                 return make_multiset(call, multiset_mode::count_distinct, nullptr);
                         });
}

}  // namespace spate::sql::agg_detail
