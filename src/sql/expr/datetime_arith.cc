// Date/time arithmetic operators: timestamp +/- interval, timestamp -
// timestamp, date +/- integer, date - date, interval arithmetic.

#include <cmath>
#include <limits>

#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

using iv = interval_value;

sql_error timestamp_range() {
    return make_error(sql_errc::datetime_field_overflow, "timestamp out of range");
}
sql_error interval_range() {
    return make_error(sql_errc::datetime_field_overflow, "interval out of range");
}
sql_error date_range() {
    return make_error(sql_errc::datetime_field_overflow, "date out of range");
}

iv negate(iv a) {
    return iv{-a.months, -a.days, -a.micros};
}

bool interval_add(iv a, iv b, iv& out) {
    return !__builtin_add_overflow(a.months, b.months, &out.months) &&
           !__builtin_add_overflow(a.days, b.days, &out.days) &&
           !__builtin_add_overflow(a.micros, b.micros, &out.micros);
}

// PostgreSQL's interval_mul: fractional months spill into days (30 per
// month), fractional days into time (24 hours per day).
bool interval_scale(iv a, double f, iv& out) {
    if (std::isnan(f)) return false;
    double months = a.months * f;
    double days = a.days * f;
    if (std::fabs(months) >= 2147483647.0 || std::fabs(days) >= 2147483647.0) return false;
    out.months = static_cast<int32_t>(std::trunc(months));
    double month_rem_days = (months - out.months) * 30.0;
    double all_days = days + month_rem_days;
    if (std::fabs(all_days) >= 2147483647.0) return false;
    out.days = static_cast<int32_t>(std::trunc(all_days));
    double micros = static_cast<double>(a.micros) * f +
                    (all_days - out.days) * static_cast<double>(k_micros_per_day);
    if (std::fabs(micros) >= 9.2e18) return false;
    out.micros = static_cast<int64_t>(std::llround(micros));
    return true;
}

// ts1 - ts2 as an interval of days and time (no months), as PostgreSQL.
bool timestamp_diff(int64_t a, int64_t b, iv& out) {
    int64_t d;
    if (__builtin_sub_overflow(a, b, &d)) return false;
    out.months = 0;
    out.days = static_cast<int32_t>(d / k_micros_per_day);
    out.micros = d % k_micros_per_day;
    return true;
}

void register_timestamp_ops(registry& r, type_id ts) {
    r.add("+", {ts, type_id::interval}, ts,
          fallible<int64_t, int64_t, iv>([](int64_t& out, sql_error& e, int64_t a, iv b) {
              if (timestamp_add_interval(a, b, out)) return true;
              e = timestamp_range();
              return false;
          }));
    r.add("+", {type_id::interval, ts}, ts,
          fallible<int64_t, iv, int64_t>([](int64_t& out, sql_error& e, iv b, int64_t a) {
              if (timestamp_add_interval(a, b, out)) return true;
              e = timestamp_range();
              return false;
          }));
    r.add("-", {ts, type_id::interval}, ts,
          fallible<int64_t, int64_t, iv>([](int64_t& out, sql_error& e, int64_t a, iv b) {
              if (b.micros != std::numeric_limits<int64_t>::min() &&
                  timestamp_add_interval(a, negate(b), out)) {
                  return true;
              }
              e = timestamp_range();
              return false;
          }));
    r.add("-", {ts, ts}, type_id::interval,
          fallible<iv, int64_t, int64_t>([](iv& out, sql_error& e, int64_t a, int64_t b) {
              if (timestamp_diff(a, b, out)) return true;
              e = interval_range();
              return false;
          }));
}

void register_date_ops(registry& r) {
    const type_id d = type_id::date, i4 = type_id::int32;
    auto add_days = [](int32_t& out, sql_error& e, int32_t a, int32_t b) {
        if (!__builtin_add_overflow(a, b, &out)) return true;
        e = date_range();
        return false;
    };
    r.add("+", {d, i4}, d, fallible<int32_t, int32_t, int32_t>(add_days));
    r.add("+", {i4, d}, d, fallible<int32_t, int32_t, int32_t>(add_days));
    r.add("-", {d, i4}, d,
          fallible<int32_t, int32_t, int32_t>([](int32_t& out, sql_error& e, int32_t a, int32_t b) {
              if (!__builtin_sub_overflow(a, b, &out)) return true;
              e = date_range();
              return false;
          }));
    r.add("-", {d, d}, i4, pure<int32_t, int32_t, int32_t>([](int32_t a, int32_t b) {
              return static_cast<int32_t>(static_cast<int64_t>(a) - b);
          }));
    r.add("+", {d, type_id::time}, type_id::timestamp,
          pure<int64_t, int32_t, int64_t>(
              [](int32_t a, int64_t t) { return a * k_micros_per_day + t; }));
    r.add("+", {d, type_id::interval}, type_id::timestamp,
          fallible<int64_t, int32_t, iv>([](int64_t& out, sql_error& e, int32_t a, iv b) {
              if (timestamp_add_interval(a * k_micros_per_day, b, out)) return true;
              e = timestamp_range();
              return false;
          }));
    r.add("-", {d, type_id::interval}, type_id::timestamp,
          fallible<int64_t, int32_t, iv>([](int64_t& out, sql_error& e, int32_t a, iv b) {
              if (b.micros != std::numeric_limits<int64_t>::min() &&
                  timestamp_add_interval(a * k_micros_per_day, negate(b), out)) {
                  return true;
              }
              e = timestamp_range();
              return false;
          }));
}

int64_t wrap_time(int64_t t) {
    int64_t r = t % k_micros_per_day;
    return r < 0 ? r + k_micros_per_day : r;
}

void register_time_ops(registry& r) {
    const type_id t = type_id::time, i = type_id::interval;
    r.add("+", {t, i}, t, pure<int64_t, int64_t, iv>([](int64_t a, iv b) {
              return wrap_time(a + wrap_time(b.micros));
          }));
    r.add("-", {t, i}, t, pure<int64_t, int64_t, iv>([](int64_t a, iv b) {
              return wrap_time(a - wrap_time(b.micros));
          }));
    r.add("-", {t, t}, i, pure<iv, int64_t, int64_t>([](int64_t a, int64_t b) {
              return iv{0, 0, a - b};
          }));
}

void register_interval_ops(registry& r) {
    const type_id i = type_id::interval, f8 = type_id::float64;
    r.add("+", {i, i}, i, fallible<iv, iv, iv>([](iv& out, sql_error& e, iv a, iv b) {
              if (interval_add(a, b, out)) return true;
              e = interval_range();
              return false;
          }));
    r.add("-", {i, i}, i, fallible<iv, iv, iv>([](iv& out, sql_error& e, iv a, iv b) {
              if (b.months != std::numeric_limits<int32_t>::min() &&
                  b.days != std::numeric_limits<int32_t>::min() &&
                  b.micros != std::numeric_limits<int64_t>::min() &&
                  interval_add(a, negate(b), out)) {
                  return true;
              }
              e = interval_range();
              return false;
          }));
    r.add("-", {i}, i, fallible<iv, iv>([](iv& out, sql_error& e, iv a) {
              if (a.months != std::numeric_limits<int32_t>::min() &&
                  a.days != std::numeric_limits<int32_t>::min() &&
                  a.micros != std::numeric_limits<int64_t>::min()) {
                  out = negate(a);
                  return true;
              }
              e = interval_range();
              return false;
          }));
    r.add("+", {i}, i, pure<iv, iv>([](iv a) { return a; }));
    auto mul = [](iv& out, sql_error& e, iv a, double f) {
        if (interval_scale(a, f, out)) return true;
        e = interval_range();
        return false;
    };
    r.add("*", {i, f8}, i, fallible<iv, iv, double>(mul));
    r.add("*", {f8, i}, i, fallible<iv, double, iv>([mul](iv& out, sql_error& e, double f, iv a) {
              return mul(out, e, a, f);
          }));
    r.add("/", {i, f8}, i, fallible<iv, iv, double>([mul](iv& out, sql_error& e, iv a, double f) {
              if (f == 0) {
                  e = division_by_zero();
                  return false;
              }
              return mul(out, e, a, 1.0 / f);
          }));
}

}  // namespace

void register_datetime_arithmetic(registry& r) {
    register_timestamp_ops(r, type_id::timestamp);
    register_timestamp_ops(r, type_id::timestamptz);
    register_date_ops(r);
    register_time_ops(r);
    register_interval_ops(r);
}

}  // namespace spate::sql::detail
