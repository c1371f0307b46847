// Date/time functions: date_trunc, extract/date_part, date_bin, now() and
// friends, to_timestamp, make_date. to_char lives in functions_to_char.cc.
// Time zone is always UTC: timestamptz and timestamp share arithmetic.

#include <cmath>
#include <string>
#include <string_view>

#include "sql/expr/datetime_fields.h"
#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

using sv = std::string_view;
using namespace sig;

sql_error unit_error(sv unit, const data_type& t, bool extract) {
    return make_error(sql_errc::invalid_parameter_value,
                      std::string(extract ? "unit \"" : "unit \"") + std::string(unit) +
                          "\" not recognized for type " + type_name(t));
}

bool trunc_timestamp(dt_unit u, int64_t ts, int64_t& out) {
    auto floor_to = [&](int64_t step) { out = floor_div(ts, step) * step; };
    switch (u) {
        case dt_unit::microseconds:
            out = ts;
            return true;
        case dt_unit::milliseconds:
            floor_to(1000);
            return true;
        case dt_unit::second:
            floor_to(k_micros_per_second);
            return true;
        case dt_unit::minute:
            floor_to(60 * k_micros_per_second);
            return true;
        case dt_unit::hour:
            floor_to(3600 * k_micros_per_second);
            return true;
        case dt_unit::day:
            floor_to(k_micros_per_day);
            return true;
        case dt_unit::week: {
            int64_t day = floor_div(ts, k_micros_per_day);
            int64_t isodow = ((day + 3) % 7 + 7) % 7;  // Monday 0
            out = (day - isodow) * k_micros_per_day;
            return true;
        }
        default:
            break;
    }
    civil c = to_civil(ts);
    int64_t y = c.year;
    unsigned m = 1;
    switch (u) {
        case dt_unit::month:
            m = c.month;
            break;
        case dt_unit::quarter:
            m = (c.month - 1) / 3 * 3 + 1;
            break;
        case dt_unit::year:
            break;
        case dt_unit::decade:
            y = floor_div(y, 10) * 10;
            break;
        case dt_unit::century:
            y = y > 0 ? (y + 99) / 100 * 100 - 99 : -((99 - (y - 1)) / 100 * 100 - 1);
            break;
        case dt_unit::millennium:
            y = y > 0 ? (y + 999) / 1000 * 1000 - 999 : -((999 - (y - 1)) / 1000 * 1000 - 1);
            break;
        default:
            return false;
    }
    out = days_from_civil(y, m, 1) * k_micros_per_day;
    return true;
}

bool trunc_interval(dt_unit u, interval_value v, interval_value& out) {
    out = v;
    auto floor_micros = [&](int64_t step) { out.micros = v.micros / step * step; };
    switch (u) {
        case dt_unit::microseconds:
            return true;
        case dt_unit::milliseconds:
            floor_micros(1000);
            return true;
        case dt_unit::second:
            floor_micros(k_micros_per_second);
            return true;
        case dt_unit::minute:
            floor_micros(60 * k_micros_per_second);
            return true;
        case dt_unit::hour:
            floor_micros(3600 * k_micros_per_second);
            return true;
        case dt_unit::day:
            out.micros = 0;
            return true;
        case dt_unit::month:
        case dt_unit::quarter:
        case dt_unit::year:
        case dt_unit::decade:
        case dt_unit::century:
        case dt_unit::millennium: {
            int step = u == dt_unit::month     ? 1
                       : u == dt_unit::quarter ? 3
                       : u == dt_unit::year    ? 12
                       : u == dt_unit::decade  ? 120
                       : u == dt_unit::century ? 1200
                                               : 12000;
            out = interval_value{v.months / step * step, 0, 0};
            return true;
        }
        default:
            return false;
    }
}

void register_date_trunc(registry& r) {
    for (type_id t : {TSTZ, TS}) {
        r.add("date_trunc", {T, t}, t,
              fallible<int64_t, sv, int64_t>([t](int64_t& out, sql_error& e, sv unit, int64_t ts) {
                  dt_unit u;
                  if (parse_unit(unit, u) && trunc_timestamp(u, ts, out)) return true;
                  e = unit_error(unit, data_type::of(t), false);
                  return false;
              }));
    }
    r.add("date_trunc", {T, IV}, IV,
          fallible<interval_value, sv, interval_value>(
              [](interval_value& out, sql_error& e, sv unit, interval_value v) {
                  dt_unit u;
                  if (parse_unit(unit, u) && trunc_interval(u, v, out)) return true;
                  e = unit_error(unit, data_type::of(IV), false);
                  return false;
              }));
}

// extract() returns numeric, date_part() double precision.
template <typename In, typename F>
void register_field(registry& r, type_id t, F field_of) {
    r.add("extract", {T, t}, type_id::numeric,
          fallible<decimal, sv, In>([t, field_of](decimal& out, sql_error& e, sv unit, In v) {
              dt_unit u;
              if (parse_unit(unit, u) && field_of(u, v, out)) return true;
              e = unit_error(unit, data_type::of(t), true);
              return false;
          }));
    r.add("date_part", {T, t}, type_id::float64,
          fallible<double, sv, In>([t, field_of](double& out, sql_error& e, sv unit, In v) {
              dt_unit u;
              decimal d;
              if (parse_unit(unit, u) && field_of(u, v, d)) {
                  out = decimal_to_double(d);
                  return true;
              }
              e = unit_error(unit, data_type::of(t), true);
              return false;
          }));
}

void register_extract(registry& r) {
    auto ts_field = [](dt_unit u, int64_t ts, decimal& out) { return timestamp_field(u, ts, out); };
    register_field<int64_t>(r, TSTZ, ts_field);
    register_field<int64_t>(r, TS, ts_field);
    register_field<int32_t>(r, type_id::date, [](dt_unit u, int32_t d, decimal& out) {
        return timestamp_field(u, d * k_micros_per_day, out);
    });
    register_field<int64_t>(
        r, type_id::time, [](dt_unit u, int64_t t, decimal& out) { return time_field(u, t, out); });
    register_field<interval_value>(r, IV, interval_field);
}

bool date_bin(interval_value stride, int64_t source, int64_t origin, int64_t& out, sql_error& e) {
    if (stride.months != 0) {
        e = make_error(sql_errc::feature_not_supported,
                       "timestamps cannot be binned into intervals containing months or years");
        return false;
    }
    __int128 step = static_cast<__int128>(stride.days) * k_micros_per_day + stride.micros;
    if (step <= 0) {
        e = make_error(sql_errc::invalid_parameter_value, "stride must be greater than zero");
        return false;
    }
    __int128 diff = static_cast<__int128>(source) - origin;
    __int128 q = diff / step;
    if (diff % step < 0) --q;
    __int128 result = origin + q * step;
    if (result < INT64_MIN || result > INT64_MAX) {
        e = make_error(sql_errc::datetime_field_overflow, "timestamp out of range");
        return false;
    }
    out = static_cast<int64_t>(result);
    return true;
}

kernel_fn statement_time(bool date_only) {
    return [date_only](std::span<const column* const>, size_t rows, column& out,
                       const eval_context& ctx) -> sql_status {
        for (size_t i = 0; i < rows; ++i) {
            if (date_only) {
                out.push<int32_t>(
                    static_cast<int32_t>(floor_div(ctx.statement_time_micros, k_micros_per_day)));
            } else {
                out.push<int64_t>(ctx.statement_time_micros);
            }
        }
        return {};
    };
}

void register_misc(registry& r) {
    for (type_id t : {TSTZ, TS}) {
        r.add("date_bin", {IV, t, t}, t,
              fallible<int64_t, interval_value, int64_t, int64_t>(
                  [](int64_t& out, sql_error& e, interval_value s, int64_t src, int64_t origin) {
                      return date_bin(s, src, origin, out, e);
                  }));
    }
    for (const char* name : {"now", "current_timestamp", "transaction_timestamp",
                             "statement_timestamp", "clock_timestamp"}) {
        r.add(name, {}, TSTZ, statement_time(false), null_handling::custom).volatile_ = true;
    }
    r.add("localtimestamp", {}, TS, statement_time(false), null_handling::custom).volatile_ = true;
    r.add("current_date", {}, type_id::date, statement_time(true), null_handling::custom)
        .volatile_ = true;
    r.add("to_timestamp", {type_id::float64}, TSTZ,
          fallible<int64_t, double>([](int64_t& out, sql_error& e, double secs) {
              double micros = std::round(secs * 1e6);
              if (!std::isfinite(micros) || std::fabs(micros) > 9.2e18) {
                  e = make_error(sql_errc::datetime_field_overflow, "timestamp out of range");
                  return false;
              }
              out = static_cast<int64_t>(micros);
              return true;
          }));
    r.add("make_date", {type_id::int32, type_id::int32, type_id::int32}, type_id::date,
          fallible<int32_t, int32_t, int32_t, int32_t>(
              [](int32_t& out, sql_error& e, int32_t y, int32_t m, int32_t d) {
                  if (y == 0 || m < 1 || m > 12 || d < 1 || d > 31 || y < -4713 || y > 5874897 ||
                      to_civil(days_from_civil(y < 0 ? y + 1 : y, static_cast<unsigned>(m),
                                               static_cast<unsigned>(d)) *
                               k_micros_per_day)
                              .day != static_cast<unsigned>(d)) {
                      e = make_error(sql_errc::datetime_field_overflow,
                                     "date field value out of range: " + std::to_string(y) + "-" +
                                         std::to_string(m) + "-" + std::to_string(d));
                      return false;
                  }
                  out = static_cast<int32_t>(days_from_civil(
                      y < 0 ? y + 1 : y, static_cast<unsigned>(m), static_cast<unsigned>(d)));
                  return true;
              }));
}

}  // namespace

void register_to_char(registry& r);
void register_to_char_number(registry& r);
void register_to_timestamp(registry& r);

void register_datetime(registry& r) {
    register_date_trunc(r);
    register_extract(r);
    register_misc(r);
    register_to_char(r);
    register_to_char_number(r);
    register_to_timestamp(r);
}

}  // namespace spate::sql::detail
