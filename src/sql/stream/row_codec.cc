#include "sql/stream/row_codec.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace spate::sql::stream_codec {

static_assert(std::endian::native == std::endian::little,
              "the batch encoding copies little-endian values as they are in memory");

namespace {

sql_error corrupt(const char* what) {
    return make_error(sql_errc::internal_error, std::string("corrupt stream record: ") + what);
}

template <typename T>
void put_raw(std::string& out, const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

template <typename T>
bool get_raw(std::string_view& in, T& v) {
    if (in.size() < sizeof(T)) return false;
    std::memcpy(&v, in.data(), sizeof(T));
    in.remove_prefix(sizeof(T));
    return true;
}

template <typename U>
void put_big_endian(std::string& out, U v) {
    for (int shift = static_cast<int>(sizeof(U) * 8) - 8; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

template <typename U>
U get_big_endian(std::string_view bytes) {
    U v = 0;
    for (size_t i = 0; i < sizeof(U); ++i)
        v = static_cast<U>((v << 8) | static_cast<uint8_t>(bytes[i]));
    return v;
}

// Signed integers: flip the sign bit so unsigned byte order is numeric order.
template <typename S>
void put_ordered(std::string& out, S v) {
    using U = std::make_unsigned_t<S>;
    constexpr U sign = U(1) << (sizeof(U) * 8 - 1);
    put_big_endian<U>(out, static_cast<U>(static_cast<U>(v) ^ sign));
}

template <typename S>
bool get_ordered(std::string_view& in, S& v) {
    using U = std::make_unsigned_t<S>;
    constexpr U sign = U(1) << (sizeof(U) * 8 - 1);
    if (in.size() < sizeof(U)) return false;
    v = static_cast<S>(get_big_endian<U>(in) ^ sign);
    in.remove_prefix(sizeof(U));
    return true;
}

// Floats compare equal for -0/0 and (under GROUP BY) NaN/NaN.
template <typename F>
F canonical(F v) {
    if (std::isnan(v)) return std::numeric_limits<F>::quiet_NaN();
    if (v == F(0)) return F(0);
    return v;
}

decimal normalized(decimal d) {
    while (d.scale > 0 && d.unscaled % 10 == 0) {
        d.unscaled /= 10;
        --d.scale;
    }
    if (d.unscaled == 0) d.scale = 0;
    return d;
}

void put_key_value(const column& c, size_t row, std::string& out) {
    std::visit(
        [&](const auto& vals) {
            using V = std::decay_t<decltype(vals)>;
            if constexpr (std::is_same_v<V, string_data>) {
                std::string_view s = vals.at(row);
                put_varint(out, s.size());
                out.append(s);
            } else {
                using T = typename V::value_type;
                const T& v = vals[row];
                if constexpr (std::is_same_v<T, uint8_t>) {
                    out.push_back(static_cast<char>(v));
                } else if constexpr (std::is_integral_v<T>) {
                    put_ordered<T>(out, v);
                } else if constexpr (std::is_floating_point_v<T>) {
                    put_raw(out, canonical(v));
                } else if constexpr (std::is_same_v<T, decimal>) {
                    decimal d = normalized(v);
                    put_raw(out, d.unscaled);
                    put_raw(out, d.scale);
                } else {
                    static_assert(std::is_same_v<T, interval_value>);
                    put_raw(out, v.months);
                    put_raw(out, v.days);
                    put_raw(out, v.micros);
                }
            }
        },
        c.raw());
}

bool get_key_value(std::string_view& in, column& c) {
    return std::visit(
        [&](auto& vals) -> bool {
            using V = std::decay_t<decltype(vals)>;
            if constexpr (std::is_same_v<V, string_data>) {
                uint64_t n = 0;
                if (!get_varint(in, n) || n > in.size()) return false;
                vals.push(in.substr(0, n));
                in.remove_prefix(n);
            } else {
                using T = typename V::value_type;
                T v{};
                if constexpr (std::is_same_v<T, uint8_t>) {
                    if (!get_raw(in, v)) return false;
                } else if constexpr (std::is_integral_v<T>) {
                    if (!get_ordered<T>(in, v)) return false;
                } else if constexpr (std::is_same_v<T, interval_value>) {
                    if (!get_raw(in, v.months) || !get_raw(in, v.days) || !get_raw(in, v.micros))
                        return false;
                } else if constexpr (std::is_same_v<T, decimal>) {
                    if (!get_raw(in, v.unscaled) || !get_raw(in, v.scale)) return false;
                } else {
                    if (!get_raw(in, v)) return false;
                }
                vals.push_back(v);
            }
            c.nulls().push_back(0);
            return true;
        },
        c.raw());
}

void put_batch_values(const column& c, std::span<const uint32_t> rows, std::string& out) {
    std::visit(
        [&](const auto& vals) {
            using V = std::decay_t<decltype(vals)>;
            if constexpr (std::is_same_v<V, string_data>) {
                for (uint32_t r : rows) {
                    std::string_view s = vals.at(r);
                    put_varint(out, s.size());
                    out.append(s);
                }
            } else {
                using T = typename V::value_type;
                size_t at = out.size();
                out.resize(at + rows.size() * sizeof(T));
                char* p = out.data() + at;
                for (uint32_t r : rows) {
                    std::memcpy(p, &vals[r], sizeof(T));
                    p += sizeof(T);
                }
            }
        },
        c.raw());
}

bool get_batch_values(std::string_view& in, size_t n, column& c) {
    return std::visit(
        [&](auto& vals) -> bool {
            using V = std::decay_t<decltype(vals)>;
            if constexpr (std::is_same_v<V, string_data>) {
                for (size_t i = 0; i < n; ++i) {
                    uint64_t len = 0;
                    if (!get_varint(in, len) || len > in.size()) return false;
                    vals.push(in.substr(0, len));
                    in.remove_prefix(len);
                }
            } else {
                using T = typename V::value_type;
                if (in.size() / sizeof(T) < n) return false;
                size_t at = vals.size();
                vals.resize(at + n);
                std::memcpy(vals.data() + at, in.data(), n * sizeof(T));
                in.remove_prefix(n * sizeof(T));
            }
            return true;
        },
        c.raw());
}

}  // namespace

void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

bool get_varint(std::string_view& in, uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (in.empty()) return false;
        auto b = static_cast<uint8_t>(in.front());
        in.remove_prefix(1);
        v |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

void put_ordered_i64(std::string& out, int64_t v) {
    put_ordered<int64_t>(out, v);
}

int64_t get_ordered_i64(std::string_view bytes) {
    int64_t v = 0;
    SPATE_ASSERT(get_ordered<int64_t>(bytes, v));
    return v;
}

void append_key(std::span<const column* const> cols, size_t row, std::string& out) {
    for (const column* c : cols) {
        if (c->is_null(row)) {
            out.push_back('\0');
            continue;
        }
        out.push_back('\1');
        put_key_value(*c, row, out);
    }
}

sql_status decode_key(std::string_view& in, std::span<column> out) {
    for (column& c : out) {
        if (in.empty()) return corrupt("key too short");
        char tag = in.front();
        in.remove_prefix(1);
        if (tag == '\0') {
            c.push_null();
        } else if (tag != '\1' || !get_key_value(in, c)) {
            return corrupt("bad key value");
        }
    }
    return {};
}

void encode_batch(std::span<const column* const> cols, std::span<const uint32_t> rows,
                  std::string& out) {
    for (const column* c : cols) {
        bool any_null = false;
        for (uint32_t r : rows)
            if (c->is_null(r)) {
                any_null = true;
                break;
            }
        out.push_back(any_null ? '\1' : '\0');
        if (any_null) {
            size_t at = out.size();
            out.resize(at + (rows.size() + 7) / 8, '\0');
            for (size_t i = 0; i < rows.size(); ++i)
                if (c->is_null(rows[i]))
                    out[at + i / 8] = static_cast<char>(out[at + i / 8] | (1 << (i % 8)));
        }
        put_batch_values(*c, rows, out);
    }
}

sql_status decode_batch(std::string_view& in, size_t n, std::span<column> out) {
    for (column& c : out) {
        if (in.empty()) return corrupt("batch too short");
        char flag = in.front();
        in.remove_prefix(1);
        auto& nulls = c.nulls();
        size_t at = nulls.size();
        if (flag == '\1') {
            size_t bytes = (n + 7) / 8;
            if (in.size() < bytes) return corrupt("null bitmap too short");
            nulls.resize(at + n);
            for (size_t i = 0; i < n; ++i)
                nulls[at + i] = (static_cast<uint8_t>(in[i / 8]) >> (i % 8)) & 1;
            in.remove_prefix(bytes);
        } else if (flag == '\0') {
            nulls.resize(at + n, 0);
        } else {
            return corrupt("bad null flag");
        }
        if (!get_batch_values(in, n, c)) return corrupt("batch values too short");
    }
    return {};
}

uint64_t hash_bytes(std::string_view bytes) {
    // MurmurHash64A's mixing (a fixed, well-distributed function).
    constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
    constexpr int r = 47;
    uint64_t h = 0x5bd1e995ULL ^ (bytes.size() * m);
    const char* p = bytes.data();
    size_t blocks = bytes.size() / 8;
    for (size_t i = 0; i < blocks; ++i, p += 8) {
        uint64_t k = 0;
        std::memcpy(&k, p, 8);
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    size_t tail = bytes.size() & 7;
    if (tail) {
        uint64_t k = 0;
        for (size_t i = 0; i < tail; ++i)
            k |= uint64_t(static_cast<uint8_t>(p[i])) << (8 * i);
        h ^= k;
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

}  // namespace spate::sql::stream_codec
