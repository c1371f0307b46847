#pragma once

// Big-endian (network order) loads and stores on unaligned byte memory, as the
// Kafka protocol and record batch format use. Callers guarantee the bounds.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace spate::bytes {

// std::byteswap is C++23; this is the C++20 stand-in for unsigned integers.
template <typename U>
requires std::is_unsigned_v<U>
constexpr U byteswap(U v) {
    if constexpr (sizeof(U) == 1) {
        return v;
    } else if constexpr (sizeof(U) == 2) {
        return __builtin_bswap16(v);
    } else if constexpr (sizeof(U) == 4) {
        return __builtin_bswap32(v);
    } else {
        static_assert(sizeof(U) == 8);
        return __builtin_bswap64(v);
    }
}

template <typename T>
requires std::is_integral_v<T>
inline T load_be(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) {
        v = static_cast<T>(bytes::byteswap(static_cast<std::make_unsigned_t<T>>(v)));
    }
    return v;
}

template <typename T>
requires std::is_integral_v<T>
inline void store_be(std::byte* p, T v) {
    if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) {
        v = static_cast<T>(bytes::byteswap(static_cast<std::make_unsigned_t<T>>(v)));
    }
    std::memcpy(p, &v, sizeof(T));
}

template <typename T>
requires std::is_integral_v<T>
inline T load_le(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
        v = static_cast<T>(bytes::byteswap(static_cast<std::make_unsigned_t<T>>(v)));
    }
    return v;
}

template <typename T>
requires std::is_integral_v<T>
inline void store_le(std::byte* p, T v) {
    if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
        v = static_cast<T>(bytes::byteswap(static_cast<std::make_unsigned_t<T>>(v)));
    }
    std::memcpy(p, &v, sizeof(T));
}

}  // namespace spate::bytes
