// Mathematical functions, and greatest/least (which ignore nulls).

#include <cmath>
#include <limits>
#include <random>

#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

using namespace sig;

sql_error power_error(const char* msg) {
    return make_error(sql_errc::invalid_parameter_value, msg);
}

enum class rounding { half_away, floor, ceil, trunc };

// d rounded to `scale` digits after the point (negative: left of it).
bool numeric_round(decimal d, int scale, rounding mode, decimal& out) {
    if (scale >= d.scale) {
        out = d;
        return true;
    }
    if (mode == rounding::half_away) {
        if (!decimal_rescale(d, scale)) return false;
    } else {
        int diff = d.scale - scale;
        if (diff > 38) {
            d.unscaled = mode == rounding::floor && d.unscaled < 0  ? -1
                         : mode == rounding::ceil && d.unscaled > 0 ? 1
                                                                    : 0;
        } else {
            __int128 p = pow10_i128(diff);
            __int128 q = d.unscaled / p, r = d.unscaled % p;
            if (mode == rounding::floor && r < 0) --q;
            if (mode == rounding::ceil && r > 0) ++q;
            d.unscaled = q;
        }
        d.scale = scale;
    }
    if (scale < 0) {
        if (-scale > 38 || __builtin_mul_overflow(d.unscaled, pow10_i128(-scale), &d.unscaled)) {
            return false;
        }
        d.scale = 0;
    }
    out = d;
    return true;
}

kernel_fn numeric_rounder(rounding mode) {
    return fallible<decimal, decimal>([mode](decimal& o, sql_error& e, decimal d) {
        if (numeric_round(d, 0, mode, o)) return true;
        e = out_of_range("value overflows numeric format");
        return false;
    });
}

template <typename T>
void register_abs_int(registry& r, type_id t, const char* msg) {
    r.add("abs", {t}, t, fallible<T, T>([msg](T& o, sql_error& e, T a) {
              if (a == std::numeric_limits<T>::min()) {
                  e = out_of_range(msg);
                  return false;
              }
              o = static_cast<T>(a < 0 ? -a : a);
              return true;
          }));
}

void register_rounding(registry& r) {
    register_abs_int<int16_t>(r, type_id::int16, "smallint out of range");
    register_abs_int<int32_t>(r, type_id::int32, "integer out of range");
    register_abs_int<int64_t>(r, type_id::int64, "bigint out of range");
    r.add("abs", {type_id::float32}, type_id::float32,
          pure<float, float>([](float a) { return std::fabs(a); }));
    r.add("abs", {F8}, F8, pure<double, double>([](double a) { return std::fabs(a); }));
    r.add("abs", {N}, N, pure<decimal, decimal>([](decimal a) {
              if (a.unscaled < 0) a.unscaled = -a.unscaled;
              return a;
          }));
    r.add("round", {F8}, F8, pure<double, double>([](double a) { return std::nearbyint(a); }));
    r.add("round", {N}, N, numeric_rounder(rounding::half_away));
    r.add("round", {N, I4}, N,
          fallible<decimal, decimal, int32_t>([](decimal& o, sql_error& e, decimal d, int32_t s) {
              if (numeric_round(d, std::clamp(s, -40, 38), rounding::half_away, o)) return true;
              e = out_of_range("value overflows numeric format");
              return false;
          }));
    for (const char* name : {"ceil", "ceiling"}) {
        r.add(name, {F8}, F8, pure<double, double>([](double a) { return std::ceil(a); }));
        r.add(name, {N}, N, numeric_rounder(rounding::ceil));
    }
    r.add("floor", {F8}, F8, pure<double, double>([](double a) { return std::floor(a); }));
    r.add("floor", {N}, N, numeric_rounder(rounding::floor));
    r.add("trunc", {F8}, F8, pure<double, double>([](double a) { return std::trunc(a); }));
    r.add("trunc", {N}, N, numeric_rounder(rounding::trunc));
    r.add("trunc", {N, I4}, N,
          fallible<decimal, decimal, int32_t>([](decimal& o, sql_error& e, decimal d, int32_t s) {
              if (numeric_round(d, std::clamp(s, -40, 38), rounding::trunc, o)) return true;
              e = out_of_range("value overflows numeric format");
              return false;
          }));
    r.add("sign", {F8}, F8,
          pure<double, double>([](double a) { return a > 0 ? 1.0 : (a < 0 ? -1.0 : 0.0); }));
    r.add("sign", {N}, N, pure<decimal, decimal>([](decimal a) {
              return decimal{a.unscaled > 0 ? 1 : (a.unscaled < 0 ? -1 : 0), 0};
          }));
}

void register_transcendental(registry& r) {
    r.add("sqrt", {F8}, F8, fallible<double, double>([](double& o, sql_error& e, double a) {
              if (a < 0) {
                  e = power_error("cannot take square root of a negative number");
                  return false;
              }
              o = std::sqrt(a);
              return true;
          }));
    auto logarithm = [](double (*fn)(double)) {
        return fallible<double, double>([fn](double& o, sql_error& e, double a) {
            if (a <= 0) {
                e = make_error(sql_errc::invalid_parameter_value,
                               a == 0 ? "cannot take logarithm of zero"
                                      : "cannot take logarithm of a negative number");
                return false;
            }
            o = fn(a);
            return true;
        });
    };
    r.add("ln", {F8}, F8, logarithm([](double a) { return std::log(a); }));
    r.add("log", {F8}, F8, logarithm([](double a) { return std::log10(a); }));
    r.add("log10", {F8}, F8, logarithm([](double a) { return std::log10(a); }));
    r.add("log", {F8, F8}, F8,
          fallible<double, double, double>([](double& o, sql_error& e, double b, double x) {
              if (b <= 0 || x <= 0 || b == 1) {
                  e = make_error(
                      sql_errc::invalid_parameter_value,
                      b == 1 ? "division by zero" : "cannot take logarithm of a negative number");
                  if (b == 1) e.code = sql_errc::division_by_zero;
                  return false;
              }
              o = std::log(x) / std::log(b);
              return true;
          }));
    r.add("exp", {F8}, F8, fallible<double, double>([](double& o, sql_error& e, double a) {
              o = std::exp(a);
              if (std::isinf(o) && !std::isinf(a)) {
                  e = out_of_range("value out of range: overflow");
                  return false;
              }
              return true;
          }));
}

void register_power(registry& r) {
    auto power = fallible<double, double, double>([](double& o, sql_error& e, double a, double b) {
        if (a == 0 && b < 0) {
            e = power_error("zero raised to a negative power is undefined");
            return false;
        }
        if (a < 0 && std::floor(b) != b) {
            e = power_error(
                "a negative number raised to a non-integer power yields a complex result");
            return false;
        }
        o = std::pow(a, b);
        if (std::isinf(o) && !std::isinf(a) && !std::isinf(b)) {
            e = out_of_range("value out of range: overflow");
            return false;
        }
        return true;
    });
    r.add("power", {F8, F8}, F8, power);
    r.add("pow", {F8, F8}, F8, power);
    r.add("pi", {}, F8,
          [](std::span<const column* const>, size_t rows, column& out,
             const eval_context&) -> sql_status {
              for (size_t i = 0; i < rows; ++i)
                  out.push<double>(M_PI);
              return {};
          });
    r.add("random", {}, F8,
          [](std::span<const column* const>, size_t rows, column& out,
             const eval_context&) -> sql_status {
              thread_local std::mt19937_64 gen{std::random_device{}()};
              std::uniform_real_distribution<double> dist(0.0, 1.0);
              for (size_t i = 0; i < rows; ++i)
                  out.push<double>(dist(gen));
              return {};
          })
        .volatile_ = true;
}

void register_mod(registry& r) {
    for (type_id t : {type_id::int16, type_id::int32, type_id::int64, N}) {
        const auto* ops = r.find("%");
        for (const auto& s : *ops) {
            if (s.params.size() == 2 && s.params[0] == t) {
                r.add("mod", {t, t}, t, s.kernel);
                break;
            }
        }
    }
}

// greatest/least over values of physical type T compared by `cmp`.
template <typename T, typename Cmp>
kernel_fn extremum(Cmp cmp, bool greatest) {
    return [cmp, greatest](std::span<const column* const> args, size_t rows, column& out,
                           const eval_context&) -> sql_status {
        std::vector<col_in<T>> in;
        for (const column* a : args)
            in.emplace_back(*a);
        for (size_t i = 0; i < rows; ++i) {
            int best = -1;
            for (size_t a = 0; a < args.size(); ++a) {
                if (args[a]->is_null(i)) continue;
                if (best < 0) {
                    best = static_cast<int>(a);
                    continue;
                }
                int c = cmp(in[a][i], in[static_cast<size_t>(best)][i]);
                if (greatest ? c > 0 : c < 0) best = static_cast<int>(a);
            }
            if (best < 0) {
                out.push_null();
            } else {
                put(out, in[static_cast<size_t>(best)][i]);
            }
        }
        return {};
    };
}

template <typename T, typename Cmp>
void register_extremum(registry& r, type_id t, Cmp cmp) {
    auto& g = r.add("greatest", {t}, t, extremum<T>(cmp, true), null_handling::custom);
    g.variadic = true;
    g.ret_is_first_arg = true;
    auto& l = r.add("least", {t}, t, extremum<T>(cmp, false), null_handling::custom);
    l.variadic = true;
    l.ret_is_first_arg = true;
}

template <typename T>
int less_cmp(T a, T b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

void register_extrema(registry& r) {
    register_extremum<int16_t>(r, type_id::int16, less_cmp<int16_t>);
    register_extremum<int32_t>(r, type_id::int32, less_cmp<int32_t>);
    register_extremum<int64_t>(r, type_id::int64, less_cmp<int64_t>);
    register_extremum<decimal>(r, N, decimal_cmp);
    register_extremum<float>(r, type_id::float32, less_cmp<float>);
    register_extremum<double>(r, F8, less_cmp<double>);
    register_extremum<std::string_view>(r, type_id::text, compare_strings);
    register_extremum<int32_t>(r, type_id::date, less_cmp<int32_t>);
    register_extremum<int64_t>(r, type_id::timestamp, less_cmp<int64_t>);
    register_extremum<int64_t>(r, type_id::timestamptz, less_cmp<int64_t>);
    register_extremum<int64_t>(r, type_id::time, less_cmp<int64_t>);
}

}  // namespace

void register_math(registry& r) {
    register_rounding(r);
    register_transcendental(r);
    register_power(r);
    register_mod(r);
    register_extrema(r);
}

}  // namespace spate::sql::detail
