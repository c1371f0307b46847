#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "sql/types/text_detail.h"

namespace spate::sql::text_detail {

namespace {

using u128 = unsigned __int128;

u128 pow10_u128(int n) {
    u128 r = 1;
    for (int i = 0; i < n; ++i)
        r *= 10;
    return r;
}

// 10^38 - 1 is the largest magnitude a decimal holds.
const u128 k_max_magnitude = pow10_u128(k_max_numeric_digits) - 1;

// |v| without overflow at the int128 minimum.
u128 magnitude(__int128 v) {
    return v < 0 ? u128{0} - static_cast<u128>(v) : static_cast<u128>(v);
}

sql_error out_of_range_numeric() {
    return make_error(sql_errc::numeric_value_out_of_range, "value overflows numeric format");
}

// The decimal digits of `v` into `buf` (48 bytes), least significant
// first; returns how many. 64-bit divisions (a multiply each) for all but
// the top 128-bit ones, one per 19 digits.
int reversed_digits(u128 v, char* buf) {
    constexpr uint64_t k_1e19 = 10'000'000'000'000'000'000ULL;
    int n = 0;
    while (v > UINT64_MAX) {
        auto low = static_cast<uint64_t>(v % k_1e19);
        v /= k_1e19;
        for (int i = 0; i < 19; ++i, low /= 10)
            buf[n++] = static_cast<char>('0' + static_cast<int>(low % 10));
    }
    auto w = static_cast<uint64_t>(v);
    do {
        buf[n++] = static_cast<char>('0' + static_cast<int>(w % 10));
        w /= 10;
    } while (w != 0);
    return n;
}

}  // namespace

void append_u128(u128 v, std::string& out) {
    char buf[48];
    int n = reversed_digits(v, buf);
    while (n > 0)
        out.push_back(buf[--n]);
}

sql_result<decimal> parse_decimal(std::string_view text) {
    std::string_view s = trim(text);
    size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    if (iequals(s.substr(i), "nan") || iequals(s.substr(i), "infinity") ||
        iequals(s.substr(i), "inf")) {
        return make_error(sql_errc::feature_not_supported,
                          "NaN and infinite numeric values are not supported");
    }
    u128 mag = 0;
    int digits = 0;       // significant digits accumulated in mag
    int frac_digits = 0;  // digits after the point
    bool any_digit = false;
    bool point = false;
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9') break;
        any_digit = true;
        if (point) ++frac_digits;
        if (mag == 0 && c == '0') continue;
        if (++digits > k_max_numeric_digits) return out_of_range_numeric();
        mag = mag * 10 + static_cast<unsigned>(c - '0');
    }
    if (!any_digit) return bad_input("numeric", text);
    int64_t exponent = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
        size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            exponent = exponent * 10 + (s[i] - '0');
            if (exponent > 1000) return out_of_range_numeric();
            ++i;
        }
        if (i == start) return bad_input("numeric", text);
        if (exp_negative) exponent = -exponent;
    }
    if (i != s.size()) return bad_input("numeric", text);
    int64_t scale = frac_digits - exponent;
    if (scale < 0) {
        for (int64_t k = 0; k < -scale; ++k) {
            if (mag != 0 && ++digits > k_max_numeric_digits) return out_of_range_numeric();
            mag *= 10;
        }
        scale = 0;
    }
    if (scale > k_max_numeric_digits) return out_of_range_numeric();
    decimal d;
    d.unscaled = negative ? -static_cast<__int128>(mag) : static_cast<__int128>(mag);
    d.scale = static_cast<int32_t>(scale);
    return d;
}

sql_status fit_numeric(decimal& d, const data_type& t) {
    if (t.id != type_id::numeric || t.precision < 0) return {};
    int target = t.scale >= 0 ? t.scale : 0;
    bool negative = d.unscaled < 0;
    u128 mag = magnitude(d.unscaled);
    if (d.scale > target) {
        u128 div = pow10_u128(d.scale - target);
        u128 q = mag / div;
        u128 r = mag % div;
        if (r * 2 >= div) ++q;
        mag = q;
    } else {
        for (int k = d.scale; k < target; ++k) {
            if (mag > k_max_magnitude / 10) return out_of_range_numeric();
            mag *= 10;
        }
    }
    if (t.precision < k_max_numeric_digits && mag >= pow10_u128(t.precision)) {
        sql_error e = make_error(sql_errc::numeric_value_out_of_range, "numeric field overflow");
        e.detail = "A field with precision " + std::to_string(t.precision) + ", scale " +
                   std::to_string(target) + " must round to an absolute value less than " +
                   (t.precision - target == 0 ? std::string("1")
                                              : "10^" + std::to_string(t.precision - target)) +
                   ".";
        return e;
    }
    if (mag > k_max_magnitude) return out_of_range_numeric();
    d.unscaled = negative ? -static_cast<__int128>(mag) : static_cast<__int128>(mag);
    d.scale = target;
    return {};
}

void format_decimal(const decimal& d, std::string& out) {
    bool negative = d.unscaled < 0;
    u128 mag = magnitude(d.unscaled);
    char buf[48];
    int n = reversed_digits(mag, buf);
    int scale = d.scale > 0 ? d.scale : 0;
    while (n <= scale)
        buf[n++] = '0';  // at least one integer digit
    if (negative) out.push_back('-');
    for (int k = n - 1; k >= 0; --k) {
        out.push_back(buf[k]);
        if (k == scale && k != 0) out.push_back('.');
    }
}

namespace {

// PostgreSQL prints the shortest round-trip digits, in %g style: plain
// notation when the decimal exponent is in [-4, max_plain), else d.ddde+XX.
template <typename F>
void format_shortest(F v, int max_plain, std::string& out) {
    if (std::isnan(v)) {
        out += "NaN";
        return;
    }
    if (std::isinf(v)) {
        out += v < 0 ? "-Infinity" : "Infinity";
        return;
    }
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
    size_t e_pos = sci.find('e');
    int exp10 = 0;
    std::from_chars(sci.data() + e_pos + (sci[e_pos + 1] == '+' ? 2 : 1), sci.data() + sci.size(),
                    exp10);
    if (exp10 < -4 || exp10 >= max_plain) {
        out += sci;
        return;
    }
    std::string_view mant = sci.substr(0, e_pos);
    if (mant.front() == '-') {
        out.push_back('-');
        mant.remove_prefix(1);
    }
    char digits[32];
    int nd = 0;
    for (char c : mant) {
        if (c != '.') digits[nd++] = c;
    }
    if (exp10 < 0) {
        out += "0.";
        out.append(static_cast<size_t>(-exp10 - 1), '0');
        out.append(digits, static_cast<size_t>(nd));
        return;
    }
    int int_digits = exp10 + 1;
    for (int k = 0; k < int_digits; ++k)
        out.push_back(k < nd ? digits[k] : '0');
    if (nd > int_digits) {
        out.push_back('.');
        out.append(digits + int_digits, static_cast<size_t>(nd - int_digits));
    }
}

}  // namespace

void format_float64(double v, std::string& out) {
    format_shortest(v, 15, out);
}
void format_float32(float v, std::string& out) {
    format_shortest(v, 6, out);
}

}  // namespace spate::sql::text_detail
