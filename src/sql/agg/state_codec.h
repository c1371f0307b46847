#pragma once

// Internal to src/sql/agg: the primitives of the aggregate state bytes
// (docs/formats/sql_aggregate_state.md): LEB128 varints, zigzag for signed
// values, IEEE doubles little-endian, length-prefixed byte strings.

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "sql/types/types.h"

namespace spate::sql::agg_detail {

static_assert(std::endian::native == std::endian::little, "state bytes copy floats as stored");
static_assert(sizeof(double) == 8 && sizeof(float) == 4);

class state_writer {
  public:
    explicit state_writer(std::string& out) : _out(out) {}

    void u8(uint8_t v) { _out.push_back(static_cast<char>(v)); }
    void u128(unsigned __int128 v) {
        while (v >= 0x80) {
            _out.push_back(static_cast<char>(static_cast<uint8_t>(v) | 0x80));
            v >>= 7;
        }
        _out.push_back(static_cast<char>(v));
    }
    void i128(__int128 v) {
        auto u = static_cast<unsigned __int128>(v);
        u128((u << 1) ^ (v < 0 ? ~static_cast<unsigned __int128>(0) : 0));
    }
    void f64(double v) { _out.append(reinterpret_cast<const char*>(&v), 8); }
    void f32(float v) { _out.append(reinterpret_cast<const char*>(&v), 4); }
    void bytes(std::string_view v) {
        u128(v.size());
        _out.append(v);
    }

  private:
    std::string& _out;
};

// Reads what state_writer wrote; any malformed input makes ok() false (and
// every later read return zero).
class state_reader {
  public:
    explicit state_reader(std::string_view in) : _in(in) {}

    bool ok() const { return _ok; }
    // True when every byte was read and nothing was malformed.
    bool done() const { return _ok && _pos == _in.size(); }
    void fail() { _ok = false; }

    uint8_t u8() {
        if (!need(1)) return 0;
        return static_cast<uint8_t>(_in[_pos++]);
    }
    unsigned __int128 u128() {
        unsigned __int128 v = 0;
        for (int shift = 0; shift < 128; shift += 7) {
            if (!need(1)) return 0;
            auto b = static_cast<uint8_t>(_in[_pos++]);
            v |= static_cast<unsigned __int128>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return v;
        }
        _ok = false;
        return 0;
    }
    __int128 i128() {
        unsigned __int128 u = u128();
        return static_cast<__int128>((u >> 1) ^ (~(u & 1) + 1));
    }
    int64_t i64() {
        __int128 v = i128();
        if (v < std::numeric_limits<int64_t>::min() || v > std::numeric_limits<int64_t>::max())
            _ok = false;
        return _ok ? static_cast<int64_t>(v) : 0;
    }
    double f64() {
        double v = 0;
        if (need(8)) std::memcpy(&v, _in.data() + _pos, 8), _pos += 8;
        return v;
    }
    float f32() {
        float v = 0;
        if (need(4)) std::memcpy(&v, _in.data() + _pos, 4), _pos += 4;
        return v;
    }
    std::string_view bytes() {
        unsigned __int128 n = u128();
        if (!_ok || n > _in.size() - _pos) {
            _ok = false;
            return {};
        }
        std::string_view v = _in.substr(_pos, static_cast<size_t>(n));
        _pos += static_cast<size_t>(n);
        return v;
    }

  private:
    bool need(size_t n) {
        if (_ok && _in.size() - _pos >= n) return true;
        _ok = false;
        return false;
    }

    std::string_view _in;
    size_t _pos = 0;
    bool _ok = true;
};

// One value of physical type P (types.h) in the state bytes.
template <typename P>
void put_value(state_writer& w, const P& v) {
    if constexpr (std::is_same_v<P, double>) {
        w.f64(v);
    } else if constexpr (std::is_same_v<P, float>) {
        w.f32(v);
    } else if constexpr (std::is_same_v<P, decimal>) {
        w.i128(v.scale);
        w.i128(v.unscaled);
    } else if constexpr (std::is_same_v<P, interval_value>) {
        w.i128(v.months);
        w.i128(v.days);
        w.i128(v.micros);
    } else if constexpr (std::is_same_v<P, std::string>) {
        w.bytes(v);
    } else {
        w.i128(v);
    }
}

template <typename P>
P get_value(state_reader& r) {
    auto narrow = [&r]<typename T>(T*) -> T {
        __int128 v = r.i128();
        if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
            r.fail();
            return T{};
        }
        return static_cast<T>(v);
    };
    if constexpr (std::is_same_v<P, double>) {
        return r.f64();
    } else if constexpr (std::is_same_v<P, float>) {
        return r.f32();
    } else if constexpr (std::is_same_v<P, decimal>) {
        decimal d;
        d.scale = narrow(static_cast<int32_t*>(nullptr));
        d.unscaled = r.i128();
        return d;
    } else if constexpr (std::is_same_v<P, interval_value>) {
        interval_value v;
        v.months = narrow(static_cast<int32_t*>(nullptr));
        v.days = narrow(static_cast<int32_t*>(nullptr));
        v.micros = narrow(static_cast<int64_t*>(nullptr));
        return v;
    } else if constexpr (std::is_same_v<P, std::string>) {
        return std::string(r.bytes());
    } else {
        return narrow(static_cast<P*>(nullptr));
    }
}

}  // namespace spate::sql::agg_detail
