// The aggregates over value multisets: each slot keeps an ordered map from
// value to multiplicity (PostgreSQL's ordering and equality), so a
// retraction removes exactly one occurrence and the result is a function
// of the multiset alone. min/max under retraction read the ends;
// count(DISTINCT) the map's size; array_agg and string_agg list the values
// in ascending order (array_agg: NULLs last); other DISTINCT calls feed each
// distinct value once to the plain function when a result is asked.

#include <map>

#include "sql/agg/agg_detail.h"
#include "sql/expr/array_text.h"
#include "sql/types/text_io.h"

namespace spate::sql::agg_detail {

namespace {

// string_agg's value and delimiter as one key ordered by value, then
// delimiter: the value with 0x00 escaped as 0x00 0x01, 0x00 0x00, the
// delimiter (NULL as empty: both add nothing).
void pair_key(std::string_view v, std::string_view delimiter, std::string& key) {
    key.clear();
    for (char c : v) {
        key += c;
        if (c == '\0') key += '\x01';
    }
    key.append("\0\0", 2);
    key.append(delimiter);
}

void split_pair_key(std::string_view key, std::string& v, std::string_view& delimiter) {
    v.clear();
    size_t i = 0;
    for (; i + 1 < key.size(); ++i) {
        if (key[i] != '\0') {
            v += key[i];
            continue;
        }
        if (key[i + 1] == '\0') break;
        v += '\0';
        ++i;
    }
    delimiter = key.substr(std::min(key.size(), i + 2));
}

template <typename K>
struct multiset_state {
    std::map<K, int64_t, value_less<K>> values;
    int64_t nulls = 0;  // array_agg's NULL inputs
};

template <typename P>
class multiset_aggregate final : public slot_states<multiset_state<key_type<P>>> {
    using K = key_type<P>;
    using state = multiset_state<K>;
    using base = slot_states<state>;
    using base::_s;

  public:
    multiset_aggregate(multiset_mode mode, bool distinct, data_type arg,
                       std::unique_ptr<grouped_aggregate> inner)
        : _mode(mode), _distinct(distinct), _arg(arg), _inner(std::move(inner)) {
        if (_inner) _inner->resize(1);
    }

    sql_status update(std::span<const column> args, const column* filter,
                      std::span<const uint32_t> slots, std::span<const int8_t> diffs) override {
        bool pairs = _mode == multiset_mode::string_agg;
        row_span r = rows_of(args, pairs ? 2 : 1, filter, slots, diffs, _s.size(),
                             _mode == multiset_mode::array_agg ? nullptr : &args[0]);
        column_reader<P> x(args[0]);
        for (size_t i = 0; i < r.rows; ++i) {
            if (!r.active(i)) continue;
            state& st = _s[r.slots[i]];
            int64_t d = r.diff(i);
            if (args[0].is_null(i)) {  // array_agg only
                st.nulls += d;
                if (st.nulls < 0) return unmatched();
                continue;
            }
            if constexpr (std::is_same_v<P, std::string_view>) {
                if (pairs) {
                    pair_key(x[i], args[1].is_null(i) ? "" : args[1].strings().at(i), _key);
                    if (!add(st, std::string_view(_key), d)) return unmatched();
                    continue;
                }
            }
            if (!add(st, x[i], d)) return unmatched();
        }
        return {};
    }
    sql_status merge(size_t into, const grouped_aggregate& other, size_t from) override {
        const state& o = dynamic_cast<const multiset_aggregate&>(other)._s[from];
        state& st = _s[into];
        for (const auto& [k, n] : o.values)
            if (!add(st, k, n)) return unmatched();
        st.nulls += o.nulls;
        return {};
    }
    sql_status result(size_t slot, column& out) const override;
    void save(size_t slot, std::string& out) const override {
        const state& st = _s[slot];
        state_writer w(out);
        w.u8(static_cast<uint8_t>(state_tag::multiset));
        w.u128(st.values.size());
        for (const auto& [k, n] : st.values) {
            put_value(w, k);
            w.i128(n);
        }
        w.i128(st.nulls);
    }
    sql_status load(size_t slot, std::string_view bytes) override {
        state_reader r(bytes);
        if (!read_tag(r, state_tag::multiset)) return bad_state("multiset");
        state st;
        unsigned __int128 entries = r.u128();
        for (unsigned __int128 e = 0; e < entries && r.ok(); ++e) {
            K k = get_value<K>(r);
            int64_t n = r.i64();
            if (n <= 0 || !st.values.emplace(std::move(k), n).second) r.fail();
        }
        st.nulls = r.i64();
        if (!r.done() || st.nulls < 0) return bad_state("multiset");
        _s[slot] = std::move(st);
        return {};
    }
    size_t slot_bytes(size_t slot) const override {
        const state& st = _s[slot];
        size_t bytes = st.values.size() * (sizeof(K) + 48);  // a tree node's share
        if constexpr (std::is_same_v<K, std::string>)
            for (const auto& e : st.values)
                bytes += e.first.capacity() > 15 ? e.first.capacity() : 0;
        return bytes;
    }

  private:
    template <typename V>
    static bool add(state& st, const V& v, int64_t d) {
        auto it = st.values.find(v);
        if (d > 0) {
            if (it == st.values.end())
                st.values.emplace(K(v), d);
            else
                it->second += d;
            return true;
        }
        if (it == st.values.end() || it->second < -d) return false;
        if ((it->second += d) == 0) st.values.erase(it);
        return true;
    }
    static sql_error unmatched() {
        return make_error(sql_errc::internal_error,
                          "aggregate retraction of a value the group does not hold");
    }
    void array_literal(const state& st, std::string& out) const;
    void concatenate(const state& st, std::string& out) const;

    multiset_mode _mode;
    bool _distinct;
    data_type _arg;
    std::unique_ptr<grouped_aggregate> _inner;  // distinct_of: the plain function, 1 slot
    std::string _key;                           // string_agg's key being built
};

template <typename P>
sql_status multiset_aggregate<P>::result(size_t slot, column& out) const {
    const state& st = _s[slot];
    switch (_mode) {
        case multiset_mode::count_distinct:
            out.push<int64_t>(static_cast<int64_t>(st.values.size()));
            return {};
        case multiset_mode::distinct_of: {
            column values(_arg);
            for (const auto& e : st.values)
                append_key(values, e.first);
            std::vector<uint32_t> zeros(values.size(), 0);
            _inner->reset(0);
            if (auto s = _inner->update({&values, 1}, nullptr, zeros, {}); !s.ok()) return s;
            return _inner->result(0, out);
        }
        default:
            break;
    }
    if (st.values.empty() && st.nulls == 0) {
        out.push_null();
        return {};
    }
    if (_mode == multiset_mode::min || _mode == multiset_mode::max) {
        append_key(out, _mode == multiset_mode::min ? st.values.begin()->first
                                                    : st.values.rbegin()->first);
        return {};
    }
    std::string text;
    if (_mode == multiset_mode::array_agg)
        array_literal(st, text);
    else
        concatenate(st, text);
    out.push_string(text);
    return {};
}

template <typename P>
void multiset_aggregate<P>::array_literal(const state& st, std::string& out) const {
    out = "{";
    column element(_arg);
    std::string text;
    bool first = true;
    for (const auto& [k, n] : st.values) {
        element.clear();
        append_key(element, k);
        text.clear();
        format_text(element, 0, text);
        for (int64_t i = 0; i < (_distinct ? 1 : n); ++i) {
            if (!first) out += ',';
            first = false;
            append_array_element(text, out);
        }
    }
    for (int64_t i = 0; i < (_distinct ? std::min<int64_t>(st.nulls, 1) : st.nulls); ++i) {
        if (!first) out += ',';
        first = false;
        out += "NULL";
    }
    out += '}';
}

template <typename P>
void multiset_aggregate<P>::concatenate(const state& st, std::string& out) const {
    if constexpr (std::is_same_v<K, std::string>) {
        std::string v;
        std::string_view delimiter;
        bool first = true;
        for (const auto& [k, n] : st.values) {
            split_pair_key(k, v, delimiter);
            for (int64_t i = 0; i < (_distinct ? 1 : n); ++i) {
                if (!first) out.append(delimiter);
                first = false;
                out.append(v);
            }
        }
    }
}

}  // namespace

std::unique_ptr<grouped_aggregate> make_multiset(const aggregate_call& call, multiset_mode mode,
                                                 std::unique_ptr<grouped_aggregate> inner) {
    data_type arg = call.args[0]->type;
    return with_physical(arg.id, [&]<typename P>(phys<P>) -> std::unique_ptr<grouped_aggregate> {
        return std::make_unique<multiset_aggregate<P>>(mode, call.distinct, arg, std::move(inner));
    });
}

}  // namespace spate::sql::agg_detail
