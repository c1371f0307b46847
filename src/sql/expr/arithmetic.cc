// Arithmetic operators on the numeric types: + - * / % and unary - +.

#include <cmath>
#include <limits>

#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

template <typename T>
const char* range_message() {
    if constexpr (sizeof(T) == 2) return "smallint out of range";
    if constexpr (sizeof(T) == 4) return "integer out of range";
    return "bigint out of range";
}

template <typename T>
type_id type_of() {
    if constexpr (std::is_same_v<T, int16_t>) return type_id::int16;
    if constexpr (std::is_same_v<T, int32_t>) return type_id::int32;
    if constexpr (std::is_same_v<T, int64_t>) return type_id::int64;
    if constexpr (std::is_same_v<T, float>) return type_id::float32;
    if constexpr (std::is_same_v<T, double>) return type_id::float64;
    return type_id::numeric;
}

template <typename T>
void register_integer(registry& r) {
    const type_id t = type_of<T>();
    r.add("+", {t, t}, t, fallible<T, T, T>([](T& out, sql_error& e, T a, T b) {
              if (__builtin_add_overflow(a, b, &out)) {
                  e = out_of_range(range_message<T>());
                  return false;
              }
              return true;
          }));
    r.add("-", {t, t}, t, fallible<T, T, T>([](T& out, sql_error& e, T a, T b) {
              if (__builtin_sub_overflow(a, b, &out)) {
                  e = out_of_range(range_message<T>());
                  return false;
              }
              return true;
          }));
    r.add("*", {t, t}, t, fallible<T, T, T>([](T& out, sql_error& e, T a, T b) {
              if (__builtin_mul_overflow(a, b, &out)) {
                  e = out_of_range(range_message<T>());
                  return false;
              }
              return true;
          }));
    r.add("/", {t, t}, t, fallible<T, T, T>([](T& out, sql_error& e, T a, T b) {
              if (b == 0) {
                  e = division_by_zero();
                  return false;
              }
              if (b == -1) {
                  if (a == std::numeric_limits<T>::min()) {
                      e = out_of_range(range_message<T>());
                      return false;
                  }
                  out = static_cast<T>(-a);
                  return true;
              }
              out = static_cast<T>(a / b);
              return true;
          }));
    r.add("%", {t, t}, t, fallible<T, T, T>([](T& out, sql_error& e, T a, T b) {
              if (b == 0) {
                  e = division_by_zero();
                  return false;
              }
              out = b == -1 ? T(0) : static_cast<T>(a % b);
              return true;
          }));
    r.add("-", {t}, t, fallible<T, T>([](T& out, sql_error& e, T a) {
              if (a == std::numeric_limits<T>::min()) {
                  e = out_of_range(range_message<T>());
                  return false;
              }
              out = static_cast<T>(-a);
              return true;
          }));
    r.add("+", {t}, t, pure<T, T>([](T a) { return a; }));
}

// Float results that overflowed to infinity from finite inputs are errors.
template <typename T>
bool check_float(T result, T a, T b, sql_error& e) {
    if (std::isinf(result) && !std::isinf(a) && !std::isinf(b)) {
        e = out_of_range("value out of range: overflow");
        return false;
    }
    return true;
}

template <typename T>
void register_float(registry& r) {
    const type_id t = type_of<T>();
    r.add("+", {t, t}, t, fallible<T, T, T>([](T& out, sql_error& e, T a, T b) {
              out = a + b;
              return check_float(out, a, b, e);
          }));
    r.add("-", {t, t}, t, fallible<T, T, T>([](T& out, sql_error& e, T a, T b) {
              out = a - b;
              return check_float(out, a, b, e);
          }));
    r.add("*", {t, t}, t, fallible<T, T, T>([](T& out, sql_error& e, T a, T b) {
              out = a * b;
              return check_float(out, a, b, e);
          }));
    r.add("/", {t, t}, t, fallible<T, T, T>([](T& out, sql_error& e, T a, T b) {
              if (b == 0) {
                  e = division_by_zero();
                  return false;
              }
              out = a / b;
              return check_float(out, a, b, e);
          }));
    r.add("-", {t}, t, pure<T, T>([](T a) { return -a; }));
    r.add("+", {t}, t, pure<T, T>([](T a) { return a; }));
}

bool numeric_overflow(sql_error& e) {
    e = out_of_range("value overflows numeric format");
    return false;
}

void register_numeric(registry& r) {
    const type_id t = type_id::numeric;
    r.add("+", {t, t}, t,
          fallible<decimal, decimal, decimal>([](decimal& out, sql_error& e, decimal a, decimal b) {
              return decimal_add(a, b, out) || numeric_overflow(e);
          }));
    r.add("-", {t, t}, t,
          fallible<decimal, decimal, decimal>([](decimal& out, sql_error& e, decimal a, decimal b) {
              return decimal_sub(a, b, out) || numeric_overflow(e);
          }));
    r.add("*", {t, t}, t,
          fallible<decimal, decimal, decimal>([](decimal& out, sql_error& e, decimal a, decimal b) {
              return decimal_mul(a, b, out) || numeric_overflow(e);
          }));
    r.add("/", {t, t}, t,
          fallible<decimal, decimal, decimal>([](decimal& out, sql_error& e, decimal a, decimal b) {
              if (b.unscaled == 0) {
                  e = division_by_zero();
                  return false;
              }
              return decimal_div(a, b, out) || numeric_overflow(e);
          }));
    r.add("%", {t, t}, t,
          fallible<decimal, decimal, decimal>([](decimal& out, sql_error& e, decimal a, decimal b) {
              if (b.unscaled == 0) {
                  e = division_by_zero();
                  return false;
              }
              int s = std::max(a.scale, b.scale);
              if (!decimal_rescale(a, s) || !decimal_rescale(b, s)) return numeric_overflow(e);
              out.unscaled = a.unscaled % b.unscaled;
              out.scale = s;
              return true;
          }));
    r.add("-", {t}, t, pure<decimal, decimal>([](decimal a) {
              a.unscaled = -a.unscaled;
              return a;
          }));
    r.add("+", {t}, t, pure<decimal, decimal>([](decimal a) { return a; }));
}

}  // namespace

void register_arithmetic(registry& r) {
    register_integer<int16_t>(r);
    register_integer<int32_t>(r);
    register_integer<int64_t>(r);
    register_float<float>(r);
    register_float<double>(r);
    register_numeric(r);
}

}  // namespace spate::sql::detail
