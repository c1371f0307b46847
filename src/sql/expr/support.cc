// NUMERIC arithmetic and calendar helpers shared by the kernels (kernels.h).

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sql/expr/kernels.h"

namespace spate::sql::detail {

namespace {

constexpr std::array<__int128, 39> make_pow10() {
    std::array<__int128, 39> t{};
    __int128 v = 1;
    for (size_t i = 0; i < t.size(); ++i) {
        t[i] = v;
        if (i + 1 < t.size()) v *= 10;
    }
    return t;
}
constexpr std::array<__int128, 39> k_pow10 = make_pow10();

unsigned __int128 abs_u(__int128 v) {
    return v < 0 ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(v)
                 : static_cast<unsigned __int128>(v);
}

bool in_bounds(__int128 v) {
    return abs_u(v) < static_cast<unsigned __int128>(k_pow10[38]);
}

// q rounded half away from zero given remainder r of n / d.
__int128 round_quotient(__int128 q, __int128 r, __int128 d, bool negative) {
    if (r == 0) return q;
    if (abs_u(r) >= abs_u(d) - abs_u(r)) return negative ? q - 1 : q + 1;
    return q;
}

}  // namespace

__int128 pow10_i128(int n) {
    SPATE_ASSERT(n >= 0 && n <= 38);
    return k_pow10[static_cast<size_t>(n)];
}

int decimal_digits(__int128 v) {
    // Comparisons with the powers of ten, not a 128-bit division per digit.
    unsigned __int128 a = abs_u(v);
    int d = 0;
    while (d < static_cast<int>(k_pow10.size()) &&
           a >= static_cast<unsigned __int128>(k_pow10[static_cast<size_t>(d)]))
        ++d;
    return d;
}

bool decimal_rescale(decimal& d, int scale) {
    if (scale == d.scale) return true;
    if (scale > d.scale) {
        int diff = scale - d.scale;
        if (d.unscaled == 0) {
            d.scale = scale;
            return true;
        }
        if (diff > 38) return false;
        __int128 r;
        if (__builtin_mul_overflow(d.unscaled, k_pow10[static_cast<size_t>(diff)], &r)) {
            return false;
        }
        if (!in_bounds(r)) return false;
        d.unscaled = r;
        d.scale = scale;
        return true;
    }
    int diff = d.scale - scale;
    if (diff > 38) {
        d.unscaled = 0;
    } else {
        __int128 p = k_pow10[static_cast<size_t>(diff)];
        d.unscaled = round_quotient(d.unscaled / p, d.unscaled % p, p, d.unscaled < 0);
    }
    d.scale = scale;
    return true;
}

bool decimal_add(decimal a, decimal b, decimal& r) {
    int s = std::max(a.scale, b.scale);
    if (!decimal_rescale(a, s) || !decimal_rescale(b, s)) return false;
    r.scale = s;
    return !__builtin_add_overflow(a.unscaled, b.unscaled, &r.unscaled) && in_bounds(r.unscaled);
}

bool decimal_sub(decimal a, decimal b, decimal& r) {
    int s = std::max(a.scale, b.scale);
    if (!decimal_rescale(a, s) || !decimal_rescale(b, s)) return false;
    r.scale = s;
    return !__builtin_sub_overflow(a.unscaled, b.unscaled, &r.unscaled) && in_bounds(r.unscaled);
}

bool decimal_mul(decimal a, decimal b, decimal& r) {
    r.scale = a.scale + b.scale;
    if (__builtin_mul_overflow(a.unscaled, b.unscaled, &r.unscaled)) return false;
    if (r.scale > 38) decimal_rescale(r, 38);
    return in_bounds(r.unscaled);
}

namespace {

// PostgreSQL's base-10000 weight and first base-10000 digit of a value.
void nbase_weight(decimal d, int& weight, __int128& first) {
    if (d.unscaled == 0) {
        weight = 0;
        first = 0;
        return;
    }
    int e = decimal_digits(d.unscaled) - 1 - d.scale;
    weight = static_cast<int>(floor_div(e, 4));
    int shift = d.scale + 4 * weight;
    __int128 u = static_cast<__int128>(abs_u(d.unscaled));
    first = shift >= 0 ? u / k_pow10[static_cast<size_t>(shift)]
                       : u * k_pow10[static_cast<size_t>(-shift)];
}

}  // namespace

// Result scale as PostgreSQL's select_div_scale: at least 16 significant
// digits, at least either input's scale; narrowed when 38 digits do not hold it.
bool decimal_div(decimal a, decimal b, decimal& r) {
    SPATE_ASSERT(b.unscaled != 0);
    int w1, w2;
    __int128 f1, f2;
    nbase_weight(a, w1, f1);
    nbase_weight(b, w2, f2);
    int qweight = w1 - w2;
    if (f1 <= f2) --qweight;
    int rscale = std::max({16 - qweight * 4, a.scale, b.scale, 0});
    rscale = std::min(rscale, 38);
    const int min_scale = std::max(a.scale, b.scale);
    for (; rscale >= min_scale; --rscale) {
        int k = rscale - a.scale + b.scale;
        if (k < 0 || k > 38) continue;
        __int128 n;
        if (__builtin_mul_overflow(a.unscaled, k_pow10[static_cast<size_t>(k)], &n)) continue;
        bool negative = (n < 0) != (b.unscaled < 0);
        __int128 q = round_quotient(n / b.unscaled, n % b.unscaled, b.unscaled, negative);
        if (!in_bounds(q)) return false;
        r.unscaled = q;
        r.scale = rscale;
        return true;
    }
    return false;
}

int decimal_cmp(decimal a, decimal b) {
    auto split = [](decimal d, __int128& ip, __int128& fp) {
        if (d.scale <= 0) {
            ip = d.unscaled;  // scale never negative in practice
            fp = 0;
            return;
        }
        __int128 p = k_pow10[static_cast<size_t>(std::min(d.scale, 38))];
        ip = d.unscaled / p;
        fp = d.unscaled % p;
    };
    __int128 ia, fa, ib, fb;
    split(a, ia, fa);
    split(b, ib, fb);
    if (ia != ib) return ia < ib ? -1 : 1;
    int s = std::max(a.scale, b.scale);
    if (fa != 0) fa *= k_pow10[static_cast<size_t>(s - a.scale)];
    if (fb != 0) fb *= k_pow10[static_cast<size_t>(s - b.scale)];
    if (fa != fb) return fa < fb ? -1 : 1;
    return 0;
}

double decimal_to_double(decimal d) {
    char buf[64];
    unsigned __int128 a = abs_u(d.unscaled);
    char digits[48];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + static_cast<int>(a % 10));
        a /= 10;
    } while (a != 0);
    int pos = 0;
    if (d.unscaled < 0) buf[pos++] = '-';
    while (n > 0)
        buf[pos++] = digits[--n];
    std::snprintf(buf + pos, sizeof(buf) - static_cast<size_t>(pos), "e%d", -d.scale);
    return std::strtod(buf, nullptr);
}

bool decimal_from_double(double v, decimal& r, int digits) {
    if (!std::isfinite(v)) return false;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*e", digits - 1, v);
    // d.ddddddddddddddde[+-]x
    __int128 u = 0;
    int frac_digits = 0;
    bool seen_point = false;
    const char* p = buf;
    bool negative = *p == '-';
    if (negative) ++p;
    for (; *p && *p != 'e'; ++p) {
        if (*p == '.') {
            seen_point = true;
            continue;
        }
        u = u * 10 + (*p - '0');
        if (seen_point) ++frac_digits;
    }
    int exp = *p == 'e' ? std::atoi(p + 1) : 0;
    while (frac_digits > 0 && u % 10 == 0) {
        u /= 10;
        --frac_digits;
    }
    r.unscaled = negative ? -u : u;
    int scale = frac_digits - exp;
    if (scale < 0) {
        r.scale = 0;
        if (-scale > 38) return false;
        if (__builtin_mul_overflow(r.unscaled, k_pow10[static_cast<size_t>(-scale)], &r.unscaled)) {
            return false;
        }
        return in_bounds(r.unscaled);
    }
    r.scale = scale;
    if (scale > 38) decimal_rescale(r, 38);
    return true;
}

bool decimal_from_int(int64_t v, decimal& r) {
    r.unscaled = v;
    r.scale = 0;
    return true;
}

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

namespace {

unsigned days_in_month(int64_t y, unsigned m) {
    static constexpr unsigned k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return k_days[m - 1];
}

}  // namespace

bool timestamp_add_interval(int64_t ts, interval_value iv, int64_t& out) {
    if (iv.months != 0) {
        int64_t day = floor_div(ts, k_micros_per_day);
        int64_t tod = ts - day * k_micros_per_day;
        int64_t y;
        unsigned m, d;
        civil_from_days(day, y, m, d);
        int64_t total = y * 12 + (m - 1) + iv.months;
        y = floor_div(total, 12);
        m = static_cast<unsigned>(total - y * 12 + 1);
        d = std::min(d, days_in_month(y, m));
        if (y < -4713 || y > 294276) return false;
        ts = days_from_civil(y, m, d) * k_micros_per_day + tod;
    }
    int64_t day_micros;
    if (__builtin_mul_overflow(static_cast<int64_t>(iv.days), k_micros_per_day, &day_micros)) {
        return false;
    }
    if (__builtin_add_overflow(ts, day_micros, &ts)) return false;
    return !__builtin_add_overflow(ts, iv.micros, &out);
}

sql_error out_of_range(const char* what) {
    return make_error(sql_errc::numeric_value_out_of_range, what);
}

sql_error division_by_zero() {
    return make_error(sql_errc::division_by_zero, "division by zero");
}

}  // namespace spate::sql::detail
