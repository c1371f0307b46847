#pragma once

// Internal to src/sql/agg: what the aggregate implementations share (row
// selection of an update, per-slot state vectors, typed value access and
// PostgreSQL's value ordering) and their constructors.

#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sql/agg/aggregate_function.h"
#include "sql/agg/state_codec.h"

namespace spate::sql::agg_detail {

// The rows of one update() call as a function sees them: a row takes part
// when its filter is TRUE and (for strict functions) its argument is not NULL.
struct row_span {
    size_t rows = 0;
    const uint32_t* slots = nullptr;
    const int8_t* diffs = nullptr;    // null: every row +1
    const uint8_t* filter = nullptr;  // boolean values; null: no FILTER
    const uint8_t* filter_nulls = nullptr;
    const uint8_t* nulls = nullptr;  // the argument's null flags; null: NULL rows count

    bool active(size_t i) const {
        if (filter && (filter_nulls[i] != 0 || filter[i] == 0)) return false;
        return nulls == nullptr || nulls[i] == 0;
    }
    int64_t diff(size_t i) const { return diffs ? diffs[i] : 1; }
    // f(row, slot, diff) for every taking part row, in order.
    template <typename F>
    void each(F&& f) const {
        for (size_t i = 0; i < rows; ++i)
            if (active(i)) f(i, slots[i], diff(i));
    }
};

// Checks the shapes of an update() call (caller bugs crash: they are
// invariants) and builds its row_span; `strict_arg` is the argument whose
// NULL rows are skipped, or null.
row_span rows_of(std::span<const column> args, size_t arity, const column* filter,
                 std::span<const uint32_t> slots, std::span<const int8_t> diffs, size_t slot_count,
                 const column* strict_arg);

// A grouped_aggregate keeping one `S` per slot.
template <typename S>
class slot_states : public grouped_aggregate {
  public:
    size_t slots() const override { return _s.size(); }
    void resize(size_t n) override { _s.resize(n); }
    void reserve(size_t n) override { _s.reserve(n); }
    void reset(size_t slot) override { _s[slot] = S{}; }
    void prefetch(size_t slot) const override {
        if (slot < _s.size()) __builtin_prefetch(&_s[slot]);
    }

  protected:
    std::vector<S> _s;
};

// Physical types (types.h) as tags: with_physical(t, f) calls f(phys<P>{})
// with P the element type of a column of type t (std::string_view for
// variable-width types).
template <typename P>
struct phys {
    using type = P;
};

template <typename F>
decltype(auto) with_physical(type_id t, F&& f) {
    switch (t) {
        case type_id::boolean:
            return f(phys<uint8_t>{});
        case type_id::int16:
            return f(phys<int16_t>{});
        case type_id::int32:
        case type_id::date:
            return f(phys<int32_t>{});
        case type_id::int64:
        case type_id::time:
        case type_id::timestamp:
        case type_id::timestamptz:
            return f(phys<int64_t>{});
        case type_id::float32:
            return f(phys<float>{});
        case type_id::float64:
            return f(phys<double>{});
        case type_id::numeric:
            return f(phys<decimal>{});
        case type_id::interval:
            return f(phys<interval_value>{});
        default:
            return f(phys<std::string_view>{});
    }
}

// What a state holds for a value of physical type P.
template <typename P>
using key_type = std::conditional_t<std::is_same_v<P, std::string_view>, std::string, P>;

// Typed reads of a column of physical type P.
template <typename P>
class column_reader {
  public:
    explicit column_reader(const column& c) : _data(c.values<P>().data()) {}
    const P& operator[](size_t i) const { return _data[i]; }

  private:
    const P* _data;
};

template <>
class column_reader<std::string_view> {
  public:
    explicit column_reader(const column& c) : _s(&c.strings()) {}
    std::string_view operator[](size_t i) const { return _s->at(i); }

  private:
    const string_data* _s;
};

template <typename K>
void append_key(column& out, const K& k) {
    if constexpr (std::is_same_v<K, std::string>)
        out.push_string(k);
    else
        out.push<K>(k);
}

// PostgreSQL's interval ordering: 30-day months, 24-hour days.
inline __int128 interval_span(const interval_value& v) {
    return (static_cast<__int128>(v.months) * 30 + v.days) * k_micros_per_day + v.micros;
}

int decimal_compare(const decimal& a, const decimal& b);

// PostgreSQL's ordering of values (also equality: 1.5 = 1.50, -0 = 0,
// NaN = NaN and above every number, '1 mon' = '30 days'); text bytewise.
template <typename K>
struct value_less {
    using is_transparent = void;
    bool operator()(const K& a, const K& b) const {
        if constexpr (std::is_floating_point_v<K>) {
            if (std::isnan(a)) return false;
            if (std::isnan(b)) return true;
            return a < b;
        } else if constexpr (std::is_same_v<K, decimal>) {
            return decimal_compare(a, b) < 0;
        } else if constexpr (std::is_same_v<K, interval_value>) {
            return interval_span(a) < interval_span(b);
        } else {
            return a < b;
        }
    }
    template <typename A, typename B>
    requires std::is_same_v<K, std::string>
    bool operator()(const A& a, const B& b) const {
        return std::string_view(a) < std::string_view(b);
    }
};

// One state tag per layout (the first byte of every saved slot; see
// docs/formats/sql_aggregate_state.md).
enum class state_tag : uint8_t {
    count = 1,
    integer_sum = 2,
    float_sum = 3,
    numeric_sum = 4,
    interval_sum = 5,
    exact_variance = 6,
    float_variance = 7,
    boolean = 8,
    extreme = 9,
    multiset = 10,
};

// The state's tag then nothing else malformed: load()'s common check.
sql_status bad_state(std::string_view what);
bool read_tag(state_reader& r, state_tag want);

sql_error overflow(std::string_view type_word);  // "bigint out of range" etc.

// Constructors (call: bound; argument types accepted by aggregate_result_type).
std::unique_ptr<grouped_aggregate> make_count(const aggregate_call& call);
std::unique_ptr<grouped_aggregate> make_sum(const aggregate_call& call, bool average);
std::unique_ptr<grouped_aggregate> make_variance(const aggregate_call& call, bool sample,
                                                 bool root);
std::unique_ptr<grouped_aggregate> make_bool(const aggregate_call& call, bool all);
// min/max keeping only the extreme: insert-only input.
std::unique_ptr<grouped_aggregate> make_extreme(const aggregate_call& call, bool max);

// The functions over value multisets: min/max under retraction, array_agg,
// string_agg, count(DISTINCT) and other DISTINCT calls (`inner`: the call
// without DISTINCT, fed each distinct value once when a result is asked).
enum class multiset_mode { min, max, array_agg, string_agg, count_distinct, distinct_of };
std::unique_ptr<grouped_aggregate> make_multiset(const aggregate_call& call, multiset_mode mode,
                                                 std::unique_ptr<grouped_aggregate> inner);
// count(DISTINCT x): hashed for integer-like x, else the multiset's.
std::unique_ptr<grouped_aggregate> make_count_distinct(const aggregate_call& call);

}  // namespace spate::sql::agg_detail
