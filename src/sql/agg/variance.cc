// variance, var_samp, var_pop, stddev, stddev_samp, stddev_pop.
//
// Integers and NUMERIC: count, exact sum (int128) and exact sum of squares
// (256 bits) at the largest input scale; the result is PostgreSQL's
// (N * sum(x^2) - sum(x)^2) / (N * (N - 1)) (or N * N for _pop) at
// select_div_scale's scale, the square root rounded at the same scale.
// Floats: sums of (x - K) and (x - K)^2 in double, K the slot's first
// value (shifted data: no cancellation when values are far from zero).

#include <algorithm>
#include <cmath>

#include "sql/agg/agg_detail.h"
#include "sql/agg/wide_uint.h"
#include "sql/expr/kernels.h"

namespace spate::sql::agg_detail {

namespace {

struct exact_state {
    __int128 sum = 0;
    u256 squares;
    int64_t n = 0;
    int32_t scale = 0;
};

struct float_state {
    double shift = 0, s1 = 0, s2 = 0;
    int64_t n = 0;
};

sql_error numeric_overflow() {
    return make_error(sql_errc::numeric_value_out_of_range, "value overflows numeric format");
}

unsigned __int128 magnitude(__int128 v) {
    return v < 0 ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
}

// Raises the state's scale to `scale` (exactly; false on overflow).
bool rescale(exact_state& st, int32_t scale) {
    if (scale <= st.scale) return true;
    int diff = scale - st.scale;
    if (diff > 38 || __builtin_mul_overflow(st.sum, detail::pow10_i128(diff), &st.sum))
        return false;
    if (!st.squares.mul_pow10(2 * diff)) return false;
    st.scale = scale;
    return true;
}

// Adds d * x (x an unscaled value at the state's scale).
bool add_exact(exact_state& st, __int128 x, int64_t d) {
    u256 sq = u256::product(magnitude(x), magnitude(x));
    if (d > 0) {
        if (__builtin_add_overflow(st.sum, x, &st.sum) || !st.squares.add(sq)) return false;
    } else {
        if (__builtin_sub_overflow(st.sum, x, &st.sum) || !st.squares.sub(sq)) return false;
    }
    st.n += d;
    if (st.n == 0) st = {};
    return true;
}

// PostgreSQL's base-10000 weight and first base-10000 digit of the value
// with decimal `digits` at `scale`.
void nbase_weight(const std::string& digits, int scale, int& weight, int& first) {
    if (digits == "0") {
        weight = 0;
        first = 0;
        return;
    }
    int e = static_cast<int>(digits.size()) - 1 - scale;
    weight = static_cast<int>(detail::floor_div(e, 4));
    int k = e - 4 * weight + 1;  // digits in the first group, 1..4
    int take = std::min<int>(k, static_cast<int>(digits.size()));
    first = std::stoi(digits.substr(0, static_cast<size_t>(take)));
    for (int i = take; i < k; ++i)
        first *= 10;
}

// round(num * 10^-num_scale / den) at select_div_scale's scale, narrowed
// until 38 digits hold it.
sql_result<decimal> divide(const u256& num, int num_scale, unsigned __int128 den) {
    int w1, f1, w2, f2;
    nbase_weight(num.to_string(), num_scale, w1, f1);
    nbase_weight(u256(den).to_string(), 0, w2, f2);
    int qweight = w1 - w2;
    if (f1 <= f2) --qweight;
    int rscale = std::min(std::max({16 - qweight * 4, num_scale, 0}), 38);
    for (; rscale >= 0; --rscale) {
        u256 n = num, d(den);
        if (rscale >= num_scale ? !n.mul_pow10(rscale - num_scale)
                                : !d.mul_pow10(num_scale - rscale))
            continue;
        u256 q = n.div_round(d);
        if (!q.fits_128() || q.low() >= static_cast<unsigned __int128>(detail::pow10_i128(38)))
            continue;
        return decimal{static_cast<__int128>(q.low()), rscale};
    }
    return numeric_overflow();
}

sql_status exact_result(const exact_state& st, bool sample, bool root, column& out) {
    if (st.n <= 0 || (sample && st.n == 1)) {
        out.push_null();
        return {};
    }
    u256 num = st.squares;
    if (!num.mul(static_cast<unsigned __int128>(st.n))) return numeric_overflow();
    u256 sq = u256::product(magnitude(st.sum), magnitude(st.sum));
    if (compare(num, sq) <= 0) {  // all values equal
        out.push<decimal>(decimal{0, 0});
        return {};
    }
    num.sub(sq);
    auto n = static_cast<unsigned __int128>(st.n);
    auto v = divide(num, 2 * st.scale, n * (sample ? n - 1 : n));
    if (!v.ok()) return v.error();
    decimal r = v.value();
    if (root) {
        u256 t(static_cast<unsigned __int128>(r.unscaled));
        if (t.mul_pow10(r.scale + 2)) {  // one more digit, rounded half up
            t = t.isqrt();
            t.add(u256(5));
            t.div_small(10);
        } else {
            t = u256(static_cast<unsigned __int128>(r.unscaled));
            t.mul_pow10(r.scale);
            t = t.isqrt();
        }
        r.unscaled = static_cast<__int128>(t.low());
    }
    out.push<decimal>(r);
    return {};
}

template <typename P>
constexpr bool k_exact = !std::is_floating_point_v<P>;

template <typename P>
class variance_aggregate final
    : public slot_states<std::conditional_t<k_exact<P>, exact_state, float_state>> {
    using state = std::conditional_t<k_exact<P>, exact_state, float_state>;
    using base = slot_states<state>;
    using base::_s;

  public:
    variance_aggregate(bool sample, bool root) : _sample(sample), _root(root) {}

    sql_status update(std::span<const column> args, const column* filter,
                      std::span<const uint32_t> slots, std::span<const int8_t> diffs) override {
        row_span r = rows_of(args, 1, filter, slots, diffs, _s.size(), &args[0]);
        column_reader<P> x(args[0]);
        state* s = _s.data();
        if constexpr (std::is_floating_point_v<P>) {
            r.each([s, &x](size_t i, uint32_t slot, int64_t d) {
                add_float(s[slot], static_cast<double>(x[i]), d);
            });
        } else {
            for (size_t i = 0; i < r.rows; ++i) {
                if (!r.active(i)) continue;
                exact_state& st = s[r.slots[i]];
                __int128 v;
                if constexpr (std::is_same_v<P, decimal>) {
                    if (!rescale(st, x[i].scale)) return numeric_overflow();
                    int up = st.scale - x[i].scale;
                    if (__builtin_mul_overflow(x[i].unscaled, detail::pow10_i128(up), &v))
                        return numeric_overflow();
                } else {
                    v = x[i];
                }
                if (!add_exact(st, v, r.diff(i))) return numeric_overflow();
            }
        }
        return {};
    }
    sql_status merge(size_t into, const grouped_aggregate& other, size_t from) override;
    sql_status result(size_t slot, column& out) const override {
        const state& st = _s[slot];
        if constexpr (k_exact<P>) {
            return exact_result(st, _sample, _root, out);
        } else {
            if (st.n <= 0 || (_sample && st.n == 1)) {
                out.push_null();
                return {};
            }
            double n = static_cast<double>(st.n);
            double m2 = std::max(0.0, st.s2 - st.s1 * st.s1 / n);
            double v = m2 / (_sample ? n - 1 : n);
            out.push<double>(_root ? std::sqrt(v) : v);
            return {};
        }
    }
    void save(size_t slot, std::string& out) const override;
    sql_status load(size_t slot, std::string_view bytes) override;
    size_t slot_bytes(size_t) const override { return 0; }

  private:
    static void add_float(float_state& st, double x, int64_t d) {
        if (st.n == 0) st.shift = x;
        double dx = x - st.shift;
        st.s1 += static_cast<double>(d) * dx;
        st.s2 += static_cast<double>(d) * dx * dx;
        st.n += d;
        if (st.n == 0) st = {};
    }

    bool _sample, _root;
};

template <typename P>
sql_status variance_aggregate<P>::merge(size_t into, const grouped_aggregate& other, size_t from) {
    state o = dynamic_cast<const variance_aggregate&>(other)._s[from];
    state& st = _s[into];
    if (o.n == 0) return {};
    if (st.n == 0) {
        st = o;
        return {};
    }
    if constexpr (k_exact<P>) {
        int32_t scale = std::max(st.scale, o.scale);
        if (!rescale(st, scale) || !rescale(o, scale)) return numeric_overflow();
        if (__builtin_add_overflow(st.sum, o.sum, &st.sum) || !st.squares.add(o.squares))
            return numeric_overflow();
    } else {
        // Re-centre the other slot's sums on this slot's shift.
        double d = o.shift - st.shift, n = static_cast<double>(o.n);
        st.s2 += o.s2 + 2 * d * o.s1 + n * d * d;
        st.s1 += o.s1 + n * d;
    }
    st.n += o.n;
    if (st.n == 0) st = {};
    return {};
}

template <typename P>
void variance_aggregate<P>::save(size_t slot, std::string& out) const {
    const state& st = _s[slot];
    state_writer w(out);
    if constexpr (k_exact<P>) {
        w.u8(static_cast<uint8_t>(state_tag::exact_variance));
        w.i128(st.n);
        w.i128(st.scale);
        w.i128(st.sum);
        w.u128(st.squares.low());
        w.u128(st.squares.high());
    } else {
        w.u8(static_cast<uint8_t>(state_tag::float_variance));
        w.i128(st.n);
        w.f64(st.shift);
        w.f64(st.s1);
        w.f64(st.s2);
    }
}

template <typename P>
sql_status variance_aggregate<P>::load(size_t slot, std::string_view bytes) {
    state_reader r(bytes);
    state st;
    if constexpr (k_exact<P>) {
        if (!read_tag(r, state_tag::exact_variance)) return bad_state("variance");
        st.n = r.i64();
        int64_t scale = r.i64();
        if (scale < 0 || scale > 38) r.fail();
        st.scale = static_cast<int32_t>(scale);
        st.sum = r.i128();
        unsigned __int128 low = r.u128();
        st.squares = u256::from_halves(low, r.u128());
    } else {
        if (!read_tag(r, state_tag::float_variance)) return bad_state("variance");
        st.n = r.i64();
        st.shift = r.f64();
        st.s1 = r.f64();
        st.s2 = r.f64();
    }
    if (!r.done()) return bad_state("variance");
    _s[slot] = st;
    return {};
}

}  // namespace

std::unique_ptr<grouped_aggregate> make_variance(const aggregate_call& call, bool sample,
                                                 bool root) {
    return with_physical(call.args[0]->type.id,
                         [sample, root]<typename P>(phys<P>) -> std::unique_ptr<grouped_aggregate> {
                             if constexpr (std::is_same_v<P, std::string_view> ||
                                           std::is_same_v<P, uint8_t> ||
                                           std::is_same_v<P, interval_value>) {
                                 SPATE_ASSERT(false && "variance of a non-number");
                                 return nullptr;
                             } else {
                                 return std::make_unique<variance_aggregate<P>>(sample, root);
                             }
                         });
}

}  // namespace spate::sql::agg_detail
