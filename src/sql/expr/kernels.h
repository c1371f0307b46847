#pragma once

// Internal to src/sql/expr: the function registry's shape and the helpers
// that turn per-value lambdas into vectorised kernels. Not a public API.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "sql/expr/functions.h"
#include "sql/types/column.h"
#include "sql/types/error.h"

namespace spate::sql::detail {

// A parameter accepting any type (an unknown literal becomes text).
inline constexpr type_id k_any = static_cast<type_id>(255);

struct signature {
    std::vector<type_id> params;
    bool variadic = false;  // the last parameter repeats (one or more times)
    data_type ret;
    bool ret_is_first_arg = false;  // the return type is the first argument's type
    kernel_fn kernel;
    null_handling nulls = null_handling::strict;
    bool volatile_ = false;
};

class registry {
  public:
    signature& add(std::string_view name, std::vector<type_id> params, type_id ret, kernel_fn k,
                   null_handling nulls = null_handling::strict) {
        auto& list = _functions[std::string(name)];
        signature s;
        s.params = std::move(params);
        s.ret = data_type::of(ret);
        s.kernel = std::move(k);
        s.nulls = nulls;
        list.push_back(std::move(s));
        return list.back();
    }
    const std::vector<signature>* find(std::string_view name) const {
        auto it = _functions.find(name);
        return it == _functions.end() ? nullptr : &it->second;
    }

  private:
    std::map<std::string, std::vector<signature>, std::less<>> _functions;
};

const registry& functions();

void register_arithmetic(registry& r);
void register_session(registry& r);
void register_datetime_arithmetic(registry& r);
void register_comparison(registry& r);
void register_string(registry& r);
void register_pattern(registry& r);
void register_math(registry& r);
void register_datetime(registry& r);
void register_json(registry& r);
void register_pg_catalog(registry& r);  // functions_pg.cc

// Reads values of physical type T from a column; std::string_view for
// variable-width types.
template <typename T>
class col_in {
  public:
    explicit col_in(const column& c) : _data(c.values<T>().data()) {}
    T operator[](size_t i) const { return _data[i]; }

  private:
    const T* _data;
};

template <>
class col_in<std::string_view> {
  public:
    explicit col_in(const column& c) : _s(&c.strings()) {}
    std::string_view operator[](size_t i) const { return _s->at(i); }

  private:
    const string_data* _s;
};

template <typename R>
inline void put(column& out, const R& v) {
    out.push<R>(v);
}
inline void put(column& out, const std::string& v) {
    out.push_string(v);
}
inline void put(column& out, const std::string_view& v) {
    out.push_string(v);
}

template <typename R, typename... A, typename F, size_t... I>
sql_status map_impl(std::span<const column* const> args, size_t rows, column& out, F& f,
                    std::index_sequence<I...>) {
    SPATE_ASSERT(args.size() == sizeof...(A));
    std::tuple<col_in<A>...> in{col_in<A>(*args[I])...};
    R result{};
    sql_error err;
    for (size_t i = 0; i < rows; ++i) {
        if ((args[I]->is_null(i) || ... || false)) {
            out.push_null();
            continue;
        }
        if (!f(result, err, std::get<I>(in)[i]...)) return err;
        put(out, result);
    }
    return {};
}

// A strict kernel from f(R& result, sql_error& err, A... args) -> bool
// (false: err is the row's error). Null rows are not computed.
template <typename R, typename... A, typename F>
sql_status map_values(std::span<const column* const> args, size_t rows, column& out, F f) {
    return map_impl<R, A...>(args, rows, out, f, std::index_sequence_for<A...>{});
}

// A strict kernel from an infallible g(A... args) -> R.
template <typename R, typename... A, typename G>
kernel_fn pure(G g) {
    return [g](std::span<const column* const> args, size_t rows, column& out,
               const eval_context&) -> sql_status {
        return map_values<R, A...>(args, rows, out, [&g](R& r, sql_error&, A... a) {
            r = g(a...);
            return true;
        });
    };
}

// A strict kernel from a fallible f(R&, sql_error&, A...) -> bool.
template <typename R, typename... A, typename F>
kernel_fn fallible(F f) {
    return
        [f](std::span<const column* const> args, size_t rows, column& out,
            const eval_context&) -> sql_status { return map_values<R, A...>(args, rows, out, f); };
}

// NUMERIC helpers (decimal: unscaled int128 * 10^-scale).
__int128 pow10_i128(int n);                   // n in [0, 38]
bool decimal_rescale(decimal& d, int scale);  // rounds half away from zero; false: overflow
bool decimal_add(decimal a, decimal b, decimal& r);
bool decimal_sub(decimal a, decimal b, decimal& r);
bool decimal_mul(decimal a, decimal b, decimal& r);
// false: overflow; the caller checks b != 0.
bool decimal_div(decimal a, decimal b, decimal& r);
int decimal_cmp(decimal a, decimal b);
double decimal_to_double(decimal d);
// Keeps `digits` significant digits (15 for float8, 6 for float4, as PostgreSQL).
bool decimal_from_double(double v, decimal& r, int digits = 15);
bool decimal_from_int(int64_t v, decimal& r);
int decimal_digits(__int128 v);  // digits of |v|, 0 for 0

// Calendar helpers (proleptic Gregorian, days since 1970-01-01).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d);
int64_t floor_div(int64_t a, int64_t b);
// timestamp micros + interval; false: out of range.
bool timestamp_add_interval(int64_t ts, interval_value iv, int64_t& out);

int compare_strings(std::string_view a, std::string_view b);

// UTF-8: characters in s, and the byte length of its first `chars` characters.
inline size_t utf8_length(std::string_view s) {
    size_t n = 0;
    for (char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}
inline size_t utf8_prefix(std::string_view s, size_t chars) {
    size_t i = 0;
    while (i < s.size() && chars > 0) {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
            ++i;
        --chars;
    }
    return i;
}
// Short type names for the function tables' signatures (functions_*.cc
// bring them in with `using namespace sig;`).
namespace sig {
inline constexpr type_id T = type_id::text;
inline constexpr type_id I4 = type_id::int32;
inline constexpr type_id F8 = type_id::float64;
inline constexpr type_id N = type_id::numeric;
inline constexpr type_id TS = type_id::timestamp;
inline constexpr type_id TSTZ = type_id::timestamptz;
inline constexpr type_id IV = type_id::interval;
}  // namespace sig

}  // namespace spate::sql::detail

namespace spate::sql {
// Rounds d to the scale of NUMERIC(p,s) t; false (e set) when p digits do not hold it.
bool apply_numeric_typmod(decimal& d, const data_type& t, sql_error& e);
}  // namespace spate::sql

namespace spate::sql::detail {

sql_error out_of_range(const char* what);
sql_error division_by_zero();

}  // namespace spate::sql::detail
