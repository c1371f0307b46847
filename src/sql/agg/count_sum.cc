// count(*), count(x), sum(x) and avg(x): counts and exact sums per slot
// (int128 for integers, NUMERIC as decimal, intervals per field; floats
// summed in double).

#include <limits>

#include "sql/agg/agg_detail.h"
#include "sql/expr/kernels.h"

namespace spate::sql::agg_detail {

namespace {

class count_aggregate final : public slot_states<int64_t> {
  public:
    explicit count_aggregate(bool star) : _star(star) {}

    sql_status update(std::span<const column> args, const column* filter,
                      std::span<const uint32_t> slots, std::span<const int8_t> diffs) override {
        row_span r = rows_of(args, _star ? 0 : 1, filter, slots, diffs, _s.size(),
                             _star ? nullptr : &args[0]);
        int64_t* s = _s.data();
        r.each([s](size_t, uint32_t slot, int64_t d) { s[slot] += d; });
        return {};
    }
    sql_status merge(size_t into, const grouped_aggregate& other, size_t from) override {
        _s[into] += dynamic_cast<const count_aggregate&>(other)._s[from];
        return {};
    }
    sql_status result(size_t slot, column& out) const override {
        out.push<int64_t>(_s[slot]);
        return {};
    }
    void save(size_t slot, std::string& out) const override {
        state_writer w(out);
        w.u8(static_cast<uint8_t>(state_tag::count));
        w.i128(_s[slot]);
    }
    sql_status load(size_t slot, std::string_view bytes) override {
        state_reader r(bytes);
        if (!read_tag(r, state_tag::count)) return bad_state("count");
        int64_t v = r.i64();
        if (!r.done()) return bad_state("count");
        _s[slot] = v;
        return {};
    }
    size_t slot_bytes(size_t) const override { return 0; }

  private:
    bool _star;
};

// The state of sum/avg over physical type P.
template <typename P>
struct sum_state {
    std::conditional_t<std::is_integral_v<P>, __int128,
                       std::conditional_t<std::is_floating_point_v<P>, double, P>>
        sum{};
    int64_t n = 0;
};
template <>
struct sum_state<interval_value> {
    __int128 months = 0, days = 0, micros = 0;
    int64_t n = 0;
};

template <typename P>
constexpr state_tag sum_tag = std::is_integral_v<P>         ? state_tag::integer_sum
                              : std::is_floating_point_v<P> ? state_tag::float_sum
                              : std::is_same_v<P, decimal>  ? state_tag::numeric_sum
                                                            : state_tag::interval_sum;

sql_error numeric_overflow() {
    return make_error(sql_errc::numeric_value_out_of_range, "value overflows numeric format");
}

template <typename P>
class sum_aggregate final : public slot_states<sum_state<P>> {
    using base = slot_states<sum_state<P>>;
    using base::_s;

  public:
    explicit sum_aggregate(bool average) : _average(average) {}

    sql_status update(std::span<const column> args, const column* filter,
                      std::span<const uint32_t> slots, std::span<const int8_t> diffs) override {
        row_span r = rows_of(args, 1, filter, slots, diffs, _s.size(), &args[0]);
        column_reader<P> x(args[0]);
        sum_state<P>* s = _s.data();
        if constexpr (std::is_same_v<P, decimal>) {
            for (size_t i = 0; i < r.rows; ++i) {
                if (!r.active(i)) continue;
                auto& st = s[r.slots[i]];
                bool ok = r.diff(i) > 0 ? detail::decimal_add(st.sum, x[i], st.sum)
                                        : detail::decimal_sub(st.sum, x[i], st.sum);
                if (!ok) return numeric_overflow();
                st.n += r.diff(i);
                if (st.n == 0) st = {};
            }
        } else {
            r.each([s, &x](size_t i, uint32_t slot, int64_t d) { add(s[slot], x[i], d); });
        }
        return {};
    }
    sql_status merge(size_t into, const grouped_aggregate& other, size_t from) override {
        const auto& o = dynamic_cast<const sum_aggregate&>(other)._s[from];
        auto& st = _s[into];
        if constexpr (std::is_same_v<P, interval_value>) {
            st.months += o.months;
            st.days += o.days;
            st.micros += o.micros;
        } else if constexpr (std::is_same_v<P, decimal>) {
            if (!detail::decimal_add(st.sum, o.sum, st.sum)) return numeric_overflow();
        } else {
            st.sum += o.sum;
        }
        st.n += o.n;
        if (st.n == 0) st = {};
        return {};
    }
    sql_status result(size_t slot, column& out) const override;
    void save(size_t slot, std::string& out) const override {
        const auto& st = _s[slot];
        state_writer w(out);
        w.u8(static_cast<uint8_t>(sum_tag<P>));
        w.i128(st.n);
        if constexpr (std::is_same_v<P, interval_value>) {
            w.i128(st.months);
            w.i128(st.days);
            w.i128(st.micros);
        } else if constexpr (std::is_floating_point_v<P>) {
            w.f64(st.sum);
        } else if constexpr (std::is_same_v<P, decimal>) {
            put_value(w, st.sum);
        } else {
            w.i128(st.sum);
        }
    }
    sql_status load(size_t slot, std::string_view bytes) override {
        state_reader r(bytes);
        if (!read_tag(r, sum_tag<P>)) return bad_state("sum");
        sum_state<P> st;
        st.n = r.i64();
        if constexpr (std::is_same_v<P, interval_value>) {
            st.months = r.i128();
            st.days = r.i128();
            st.micros = r.i128();
        } else if constexpr (std::is_floating_point_v<P>) {
            st.sum = r.f64();
        } else if constexpr (std::is_same_v<P, decimal>) {
            st.sum = get_value<decimal>(r);
        } else {
            st.sum = r.i128();
        }
        if (!r.done()) return bad_state("sum");
        _s[slot] = st;
        return {};
    }
    size_t slot_bytes(size_t) const override { return 0; }

  private:
    static void add(sum_state<P>& st, const P& v, int64_t d) {
        if constexpr (std::is_same_v<P, interval_value>) {
            st.months += d * v.months;
            st.days += d * v.days;
            st.micros += static_cast<__int128>(d) * v.micros;
        } else if constexpr (std::is_floating_point_v<P>) {
            st.sum += static_cast<double>(d) * static_cast<double>(v);
        } else {
            st.sum += static_cast<__int128>(d) * v;
        }
        st.n += d;
        // The last retraction leaves an exact zero (no float residue).
        if (st.n == 0) st = {};
    }

    bool _average;
};

template <typename P>
sql_status sum_aggregate<P>::result(size_t slot, column& out) const {
    const auto& st = _s[slot];
    if (st.n <= 0) {
        out.push_null();
        return {};
    }
    if constexpr (std::is_same_v<P, interval_value>) {
        interval_value v;
        if (st.months < std::numeric_limits<int32_t>::min() ||
            st.months > std::numeric_limits<int32_t>::max() ||
            st.days < std::numeric_limits<int32_t>::min() ||
            st.days > std::numeric_limits<int32_t>::max() ||
            st.micros < std::numeric_limits<int64_t>::min() ||
            st.micros > std::numeric_limits<int64_t>::max())
            return make_error(sql_errc::datetime_field_overflow, "interval out of range");
        v.months = static_cast<int32_t>(st.months);
        v.days = static_cast<int32_t>(st.days);
        v.micros = static_cast<int64_t>(st.micros);
        out.push<interval_value>(v);
    } else if constexpr (std::is_floating_point_v<P>) {
        if (_average)
            out.push<double>(st.sum / static_cast<double>(st.n));
        else
            out.push<P>(static_cast<P>(st.sum));
    } else {
        decimal sum;
        if constexpr (std::is_same_v<P, decimal>) {
            sum = st.sum;
        } else {
            sum.unscaled = st.sum;
            if (!_average && !std::is_same_v<P, int64_t>) {
                if (st.sum < std::numeric_limits<int64_t>::min() ||
                    st.sum > std::numeric_limits<int64_t>::max())
                    return overflow("bigint");
                out.push<int64_t>(static_cast<int64_t>(st.sum));
                return {};
            }
            if (detail::decimal_digits(st.sum) > k_max_numeric_digits) return numeric_overflow();
        }
        if (_average) {
            decimal n{st.n, 0};
            if (!detail::decimal_div(sum, n, sum)) return numeric_overflow();
        }
        out.push<decimal>(sum);
    }
    return {};
}

}  // namespace

std::unique_ptr<grouped_aggregate> make_count(const aggregate_call& call) {
    return std::make_unique<count_aggregate>(call.star);
}

std::unique_ptr<grouped_aggregate> make_sum(const aggregate_call& call, bool average) {
    return with_physical(
        call.args[0]->type.id,
        [average]<typename P>(phys<P>) -> std::unique_ptr<grouped_aggregate> {
            if constexpr (std::is_same_v<P, std::string_view> || std::is_same_v<P, uint8_t>) {
                SPATE_ASSERT(false && "sum of a non-number");
                return nullptr;
            } else {
                return std::make_unique<sum_aggregate<P>>(average);
            }
        });
}

}  // namespace spate::sql::agg_detail
