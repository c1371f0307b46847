// Comparison operators = <> < <= > >= on every type. Strings compare
// bytewise (C collation); floats order NaN above every other value and equal
// to itself (as PostgreSQL); intervals compare by their span with 30-day
// months and 24-hour days.

#include <cmath>
#include <string_view>

#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

template <typename T, typename Cmp>
void register_ops(registry& r, type_id t, Cmp cmp) {
    const type_id b = type_id::boolean;
    r.add("=", {t, t}, b, pure<uint8_t, T, T>([cmp](T x, T y) { return uint8_t(cmp(x, y) == 0); }));
    r.add("<>", {t, t}, b,
          pure<uint8_t, T, T>([cmp](T x, T y) { return uint8_t(cmp(x, y) != 0); }));
    r.add("<", {t, t}, b, pure<uint8_t, T, T>([cmp](T x, T y) { return uint8_t(cmp(x, y) < 0); }));
    r.add("<=", {t, t}, b,
          pure<uint8_t, T, T>([cmp](T x, T y) { return uint8_t(cmp(x, y) <= 0); }));
    r.add(">", {t, t}, b, pure<uint8_t, T, T>([cmp](T x, T y) { return uint8_t(cmp(x, y) > 0); }));
    r.add(">=", {t, t}, b,
          pure<uint8_t, T, T>([cmp](T x, T y) { return uint8_t(cmp(x, y) >= 0); }));
}

template <typename T>
int plain_cmp(T a, T b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

template <typename T>
int float_cmp(T a, T b) {
    bool na = std::isnan(a), nb = std::isnan(b);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
    return plain_cmp(a, b);
}

__int128 interval_span(interval_value v) {
    return (static_cast<__int128>(v.months) * 30 + v.days) * k_micros_per_day + v.micros;
}

}  // namespace

int compare_strings(std::string_view a, std::string_view b) {
    int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

void register_comparison(registry& r) {
    register_ops<uint8_t>(r, type_id::boolean, plain_cmp<uint8_t>);
    register_ops<int16_t>(r, type_id::int16, plain_cmp<int16_t>);
    register_ops<int32_t>(r, type_id::int32, plain_cmp<int32_t>);
    register_ops<int64_t>(r, type_id::int64, plain_cmp<int64_t>);
    register_ops<float>(r, type_id::float32, float_cmp<float>);
    register_ops<double>(r, type_id::float64, float_cmp<double>);
    register_ops<decimal>(r, type_id::numeric, decimal_cmp);
    register_ops<std::string_view>(r, type_id::text, compare_strings);
    register_ops<std::string_view>(r, type_id::bytea, compare_strings);
    register_ops<std::string_view>(r, type_id::jsonb, compare_strings);
    register_ops<int32_t>(r, type_id::date, plain_cmp<int32_t>);
    register_ops<int64_t>(r, type_id::time, plain_cmp<int64_t>);
    register_ops<int64_t>(r, type_id::timestamp, plain_cmp<int64_t>);
    register_ops<int64_t>(r, type_id::timestamptz, plain_cmp<int64_t>);
    register_ops<interval_value>(r, type_id::interval, [](interval_value a, interval_value b) {
        return plain_cmp(interval_span(a), interval_span(b));
    });
}

}  // namespace spate::sql::detail
