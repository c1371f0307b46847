#pragma once

// Internal to src/sql/agg: an unsigned 256-bit integer for exact sums of
// squares (variance and stddev of integers and NUMERIC). Operations that
// can overflow return false and leave the value unspecified.

#include <array>
#include <cstdint>
#include <string>

namespace spate::sql::agg_detail {

class u256 {
  public:
    u256() = default;
    explicit u256(unsigned __int128 v)
        : _w{static_cast<uint64_t>(v), static_cast<uint64_t>(v >> 64), 0, 0} {}

    static u256 from_halves(unsigned __int128 low, unsigned __int128 high) {
        u256 r(low);
        r._w[2] = static_cast<uint64_t>(high);
        r._w[3] = static_cast<uint64_t>(high >> 64);
        return r;
    }

    bool is_zero() const { return (_w[0] | _w[1] | _w[2] | _w[3]) == 0; }
    // The low 128 bits, and whether the value fits them.
    unsigned __int128 low() const { return (static_cast<unsigned __int128>(_w[1]) << 64) | _w[0]; }
    unsigned __int128 high() const { return (static_cast<unsigned __int128>(_w[3]) << 64) | _w[2]; }
    bool fits_128() const { return (_w[2] | _w[3]) == 0; }
    uint64_t limb(int i) const { return _w[static_cast<size_t>(i)]; }

    friend int compare(const u256& a, const u256& b) {
        for (int i = 3; i >= 0; --i)
            if (a._w[static_cast<size_t>(i)] != b._w[static_cast<size_t>(i)])
                return a._w[static_cast<size_t>(i)] < b._w[static_cast<size_t>(i)] ? -1 : 1;
        return 0;
    }
    friend bool operator==(const u256& a, const u256& b) = default;

    bool add(const u256& b) {
        unsigned __int128 carry = 0;
        for (size_t i = 0; i < 4; ++i) {
            carry += static_cast<unsigned __int128>(_w[i]) + b._w[i];
            _w[i] = static_cast<uint64_t>(carry);
            carry >>= 64;
        }
        return carry == 0;
    }
    bool sub(const u256& b) {
        uint64_t borrow = 0;
        for (size_t i = 0; i < 4; ++i) {
            uint64_t x = _w[i], y = b._w[i];
            uint64_t d = x - y - borrow;
            borrow = (x < y || (x == y && borrow)) ? 1 : 0;
            _w[i] = d;
        }
        return borrow == 0;
    }
    bool mul(uint64_t m) {
        unsigned __int128 carry = 0;
        for (size_t i = 0; i < 4; ++i) {
            carry += static_cast<unsigned __int128>(_w[i]) * m;
            _w[i] = static_cast<uint64_t>(carry);
            carry >>= 64;
        }
        return carry == 0;
    }
    // *this *= m (any 128-bit m).
    bool mul(unsigned __int128 m) {
        u256 hi = *this;
        if (!mul(static_cast<uint64_t>(m))) return false;
        auto top = static_cast<uint64_t>(m >> 64);
        if (top == 0) return true;
        if (!hi.mul(top) || hi._w[3] != 0) return false;
        hi = hi.shifted_left_64();
        return add(hi);
    }
    // a * b, exactly.
    static u256 product(unsigned __int128 a, unsigned __int128 b) {
        u256 r(a);
        bool ok = r.mul(b);
        (void)ok;  // 128 x 128 bits always fit 256
        return r;
    }
    bool mul_pow10(int n) {
        for (; n >= 19; n -= 19)
            if (!mul(static_cast<uint64_t>(10'000'000'000'000'000'000ull))) return false;
        uint64_t p = 1;
        for (int i = 0; i < n; ++i)
            p *= 10;
        return mul(p);
    }
    // *this = *this / d (d non-zero), returning the remainder.
    uint64_t div_small(uint64_t d) {
        unsigned __int128 rem = 0;
        for (int i = 3; i >= 0; --i) {
            unsigned __int128 cur = (rem << 64) | _w[static_cast<size_t>(i)];
            _w[static_cast<size_t>(i)] = static_cast<uint64_t>(cur / d);
            rem = cur % d;
        }
        return static_cast<uint64_t>(rem);
    }
    // Quotient of *this / d (d non-zero), rounded half up.
    u256 div_round(const u256& d) const {
        u256 q, r;
        for (int bit = 255; bit >= 0; --bit) {
            r = r.shifted_left_1();
            if (test(bit)) r._w[0] |= 1;
            if (compare(r, d) >= 0) {
                r.sub(d);
                q._w[static_cast<size_t>(bit / 64)] |= uint64_t{1} << (bit % 64);
            }
        }
        // Round half up: 2r >= d.
        u256 twice = r;
        if (!twice.add(r) || compare(twice, d) >= 0) q.add(u256(1));
        return q;
    }
    // floor(sqrt(*this)).
    u256 isqrt() const {
        u256 n = *this, res, bit;
        int top = highest_bit();
        if (top < 0) return res;
        bit.set(top & ~1);
        while (!bit.is_zero()) {
            u256 t = res;
            t.add(bit);
            res = res.shifted_right_1();
            if (compare(n, t) >= 0) {
                n.sub(t);
                res.add(bit);
            }
            bit = bit.shifted_right_1().shifted_right_1();
        }
        return res;
    }
    std::string to_string() const {
        std::string digits;
        u256 v = *this;
        do {
            uint64_t chunk = v.div_small(10'000'000'000'000'000'000ull);
            for (int i = 0; i < 19; ++i) {
                digits.push_back(static_cast<char>('0' + chunk % 10));
                chunk /= 10;
            }
        } while (!v.is_zero());
        while (digits.size() > 1 && digits.back() == '0')
            digits.pop_back();
        return std::string(digits.rbegin(), digits.rend());
    }

  private:
    bool test(int bit) const { return (_w[static_cast<size_t>(bit / 64)] >> (bit % 64)) & 1; }
    void set(int bit) { _w[static_cast<size_t>(bit / 64)] |= uint64_t{1} << (bit % 64); }
    int highest_bit() const {
        for (int i = 3; i >= 0; --i)
            if (_w[static_cast<size_t>(i)] != 0)
                return i * 64 + 63 - __builtin_clzll(_w[static_cast<size_t>(i)]);
        return -1;
    }
    u256 shifted_left_1() const {
        u256 r;
        for (size_t i = 0; i < 4; ++i)
            r._w[i] = (_w[i] << 1) | (i ? _w[i - 1] >> 63 : 0);
        return r;
    }
    u256 shifted_right_1() const {
        u256 r;
        for (size_t i = 0; i < 4; ++i)
            r._w[i] = (_w[i] >> 1) | (i < 3 ? _w[i + 1] << 63 : 0);
        return r;
    }
    u256 shifted_left_64() const {
        u256 r;
        r._w = {0, _w[0], _w[1], _w[2]};
        return r;
    }

    std::array<uint64_t, 4> _w{};
};

}  // namespace spate::sql::agg_detail
