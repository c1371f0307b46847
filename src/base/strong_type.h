#pragma once

// A strong typedef over an integral value: offsets, partition ids, producer ids
// and epochs are not interchangeable even when they share a representation.

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace spate {

template <typename T, typename Tag>
class strong_type {
  public:
    using value_type = T;

    constexpr strong_type() = default;
    constexpr explicit strong_type(T v) : _v(v) {}

    constexpr T value() const { return _v; }

    constexpr auto operator<=>(const strong_type&) const = default;

    constexpr strong_type& operator+=(T d) {
        _v += d;
        return *this;
    }
    constexpr strong_type operator+(T d) const { return strong_type(_v + d); }
    constexpr strong_type operator-(T d) const { return strong_type(_v - d); }
    constexpr T operator-(strong_type o) const { return _v - o._v; }
    constexpr strong_type& operator++() {
        ++_v;
        return *this;
    }

    friend std::ostream& operator<<(std::ostream& os, strong_type s) { return os << s._v; }

  private:
    T _v{};
};

}  // namespace spate

template <typename T, typename Tag>
struct std::hash<spate::strong_type<T, Tag>> {
    size_t operator()(spate::strong_type<T, Tag> s) const noexcept {
        return std::hash<T>{}(s.value());
    }
};
