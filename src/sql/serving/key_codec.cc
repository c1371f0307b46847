#include "sql/serving/key_codec.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace spate::sql {

namespace {

constexpr char k_value_tag = 0x01;
constexpr char k_null_tag = 0x02;

template <typename U>
void put_big_endian(U v, std::string& out) {
    for (int shift = static_cast<int>(sizeof(U) * 8) - 8; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>(static_cast<uint8_t>(v >> shift)));
}

template <typename T>
void put_int(T v, std::string& out) {
    using U = std::make_unsigned_t<T>;
    U u = static_cast<U>(v) ^ (U(1) << (sizeof(T) * 8 - 1));
    put_big_endian(u, out);
}

void put_int128(__int128 v, std::string& out) {
    using U = unsigned __int128;
    U u = static_cast<U>(v) ^ (U(1) << 127);
    put_big_endian(u, out);
}

template <typename F, typename U>
void put_float(F v, std::string& out) {
    if (std::isnan(v)) v = std::numeric_limits<F>::quiet_NaN();
    if (v == 0) v = 0;  // -0 equals 0
    U bits;
    std::memcpy(&bits, &v, sizeof bits);
    constexpr U k_sign = U(1) << (sizeof(U) * 8 - 1);
    bits = (bits & k_sign) ? ~bits : (bits | k_sign);
    put_big_endian(bits, out);
}

// Sign byte (0x01 negative, 0x02 zero, 0x03 positive); then for non-zero
// values the exponent E (value = 0.d1d2... * 10^E, d1 != 0) as a sign-flipped
// int16, the digits as bytes 1..10 and a 0 terminator; negative values
// invert every byte after the sign, so larger magnitudes sort first.
void put_decimal(const decimal& d, std::string& out) {
    if (d.unscaled == 0) {
        out.push_back(0x02);
        return;
    }
    bool negative = d.unscaled < 0;
    unsigned __int128 m = negative ? -static_cast<unsigned __int128>(d.unscaled)
                                   : static_cast<unsigned __int128>(d.unscaled);
    char digits[40];
    int n = 0;
    while (m > 0) {
        digits[n++] = static_cast<char>(m % 10);
        m /= 10;
    }
    // digits[n-1] is the most significant; drop trailing zeros (digits[0..]).
    int low = 0;
    while (digits[low] == 0)
        ++low;
    int exponent = n - d.scale;
    out.push_back(negative ? 0x01 : 0x03);
    size_t begin = out.size();
    put_int(static_cast<int16_t>(exponent), out);
    for (int i = n - 1; i >= low; --i)
        out.push_back(static_cast<char>(digits[i] + 1));
    out.push_back(0);
    if (negative)
        for (size_t i = begin; i < out.size(); ++i)
            out[i] = static_cast<char>(~static_cast<uint8_t>(out[i]));
}

void put_interval(const interval_value& v, std::string& out) {
    put_int128((static_cast<__int128>(v.months) * 30 + v.days) * k_micros_per_day + v.micros, out);
}

void put_string(std::string_view s, std::string& out) {
    for (char c : s) {
        out.push_back(c);
        if (c == 0) out.push_back(static_cast<char>(0xFF));
    }
    out.push_back(0);
    out.push_back(0x01);
}

// Appends the value (not its tag) read by `get` as the physical type of `t`.
template <typename Get>
void put_typed(type_id t, Get&& get, std::string& out) {
    switch (t) {
        case type_id::boolean:
            out.push_back(get.template as<uint8_t>() ? 1 : 0);
            return;
        case type_id::int16:
            return put_int(get.template as<int16_t>(), out);
        case type_id::int32:
        case type_id::date:
            return put_int(get.template as<int32_t>(), out);
        case type_id::int64:
        case type_id::time:
        case type_id::timestamp:
        case type_id::timestamptz:
            return put_int(get.template as<int64_t>(), out);
        case type_id::float32:
            return put_float<float, uint32_t>(get.template as<float>(), out);
        case type_id::float64:
            return put_float<double, uint64_t>(get.template as<double>(), out);
        case type_id::numeric:
            return put_decimal(get.template as<decimal>(), out);
        case type_id::interval:
            return put_interval(get.template as<interval_value>(), out);
        case type_id::unknown:
        case type_id::text:
        case type_id::bytea:
        case type_id::jsonb:
            return put_string(get.string(), out);
    }
    SPATE_ASSERT_MSG(false, "unknown type in a key");
}

struct column_getter {
    const column& c;
    size_t row;
    template <typename T>
    T as() const {
        return c.values<T>()[row];
    }
    std::string_view string() const { return c.strings().at(row); }
};

struct value_getter {
    const value& v;
    template <typename T>
    T as() const {
        return v.get<T>();
    }
    std::string_view string() const { return v.get<std::string>(); }
};

}  // namespace

void encode_key_column(const column& c, size_t row, std::string& out) {
    if (c.is_null(row)) {
        out.push_back(k_null_tag);
        return;
    }
    out.push_back(k_value_tag);
    put_typed(c.type().id, column_getter{c, row}, out);
}

void encode_key_value(const value& v, std::string& out) {
    if (v.is_null()) {
        out.push_back(k_null_tag);
        return;
    }
    out.push_back(k_value_tag);
    put_typed(v.type().id, value_getter{v}, out);
}

std::string prefix_successor(std::string_view prefix) {
    std::string s(prefix);
    while (!s.empty()) {
        auto last = static_cast<uint8_t>(s.back());
        if (last != 0xFF) {
            s.back() = static_cast<char>(last + 1);
            return s;
        }
        s.pop_back();
    }
    return s;
}

}  // namespace spate::sql
