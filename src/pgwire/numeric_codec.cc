#include <vector>

#include "pgwire/binary_codec.h"
#include "pgwire/message.h"

namespace spate::pgwire {

namespace {

using u128 = unsigned __int128;

constexpr uint16_t k_positive = 0x0000;
constexpr uint16_t k_negative = 0x4000;
constexpr int k_max_dscale = 0x3FFF;

std::string to_decimal_digits(u128 v) {
    if (v == 0) return "0";
    std::string s;
    while (v != 0) {
        s.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    }
    return std::string(s.rbegin(), s.rend());
}

sql::sql_error bad(std::string what) {
    return sql::make_error(sql::sql_errc::invalid_text_representation,
                           "invalid binary numeric: " + std::move(what));
}

// Four decimal digits of one base-10000 group.
void append_group(std::string& s, int digit) {
    char buf[4];
    for (int k = 3; k >= 0; --k) {
        buf[k] = static_cast<char>('0' + digit % 10);
        digit /= 10;
    }
    s.append(buf, 4);
}

}  // namespace

void encode_numeric(const sql::decimal& d, std::string& out) {
    const bool neg = d.unscaled < 0;
    u128 mag = neg ? u128{0} - static_cast<u128>(d.unscaled) : static_cast<u128>(d.unscaled);
    std::string s = to_decimal_digits(mag);
    int scale = d.scale;
    if (scale < 0) {
        if (mag != 0) s.append(static_cast<size_t>(-scale), '0');
        scale = 0;
    }
    if (s.size() <= static_cast<size_t>(scale)) s.insert(0, scale + 1 - s.size(), '0');
    std::string int_part = s.substr(0, s.size() - scale);
    std::string frac = s.substr(s.size() - scale);
    int_part.insert(0, (4 - int_part.size() % 4) % 4, '0');
    frac.append((4 - frac.size() % 4) % 4, '0');

    std::vector<int16_t> digits;
    const std::string all = int_part + frac;
    for (size_t i = 0; i < all.size(); i += 4)
        digits.push_back(static_cast<int16_t>(std::stoi(all.substr(i, 4))));
    int weight = static_cast<int>(int_part.size() / 4) - 1;
    size_t first = 0;
    while (first < digits.size() && digits[first] == 0) {
        ++first;
        --weight;
    }
    size_t last = digits.size();
    while (last > first && digits[last - 1] == 0)
        --last;
    if (first == last) weight = 0;

    append_be16(out, static_cast<uint16_t>(last - first));
    append_be16(out, static_cast<uint16_t>(static_cast<int16_t>(weight)));
    append_be16(out, (neg && first != last) ? k_negative : k_positive);
    append_be16(out, static_cast<uint16_t>(scale));
    for (size_t i = first; i < last; ++i)
        append_be16(out, static_cast<uint16_t>(digits[i]));
}

sql::sql_result<sql::decimal> decode_numeric(std::string_view bytes) {
    if (bytes.size() < 8) return bad("short header");
    const int ndigits = static_cast<int16_t>(load_be16(bytes.data()));
    const int weight = static_cast<int16_t>(load_be16(bytes.data() + 2));
    const uint16_t sign = load_be16(bytes.data() + 4);
    const int dscale = static_cast<int16_t>(load_be16(bytes.data() + 6));
    if (ndigits < 0 || bytes.size() != 8 + 2 * static_cast<size_t>(ndigits))
        return bad("length does not match ndigits");
    if (sign != k_positive && sign != k_negative) return bad("NaN and infinity are not supported");
    if (dscale < 0 || dscale > k_max_dscale) return bad("dscale out of range");
    if (dscale > sql::k_max_numeric_digits)
        return sql::make_error(sql::sql_errc::numeric_value_out_of_range,
                               "numeric scale exceeds 38 digits");
    std::vector<int> digits(static_cast<size_t>(ndigits));
    for (int i = 0; i < ndigits; ++i) {
        digits[i] = load_be16(bytes.data() + 8 + 2 * i);
        if (digits[i] > 9999) return bad("digit out of range");
    }
    auto group = [&](int power) {  // digit of 10000^power
        int i = weight - power;
        return (i >= 0 && i < ndigits) ? digits[i] : 0;
    };
    std::string s;
    for (int p = weight; p >= 0; --p)
        append_group(s, group(p));
    std::string frac;
    for (int p = -1; static_cast<int>(frac.size()) < dscale; --p)
        append_group(frac, group(p));
    frac.resize(static_cast<size_t>(dscale));
    s += frac;
    size_t nz = s.find_first_not_of('0');
    s = nz == std::string::npos ? "" : s.substr(nz);
    if (s.size() > static_cast<size_t>(sql::k_max_numeric_digits))
        return sql::make_error(sql::sql_errc::numeric_value_out_of_range,
                               "numeric value has more than 38 digits");
    u128 mag = 0;
    for (char c : s)
        mag = mag * 10 + static_cast<u128>(c - '0');
    sql::decimal d;
    d.unscaled = sign == k_negative ? -static_cast<__int128>(mag) : static_cast<__int128>(mag);
    d.scale = dscale;
    return d;
}

}  // namespace spate::pgwire
