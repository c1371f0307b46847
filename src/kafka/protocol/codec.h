#pragma once

// The array and struct helpers the generated message codecs are built from:
// element codecs, (nullable) arrays, nullable structs in plain and tagged
// fields.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/protocol/reader.h"
#include "kafka/protocol/types.h"
#include "kafka/protocol/writer.h"

namespace spate::kafka::protocol {

// Upper bound on elements reserved ahead of decoding an array; beyond it the
// vector grows only as elements actually decode.
inline constexpr size_t k_max_array_reserve = 1024;

// Element codecs for arrays. Primitive element types have fixed minimum sizes;
// any other element type is a generated struct with read/write members.
template <typename T>
struct element_codec {
    static constexpr size_t min_size(bool) { return 1; }
    static void read(reader& r, T& e, int16_t version, bool) { e.read(r, version); }
    static void write(writer& w, const T& e, int16_t version, bool) { e.write(w, version); }
};
template <>
struct element_codec<int8_t> {
    static constexpr size_t min_size(bool) { return 1; }
    static void read(reader& r, int8_t& e, int16_t, bool) { e = r.read_int8(); }
    static void write(writer& w, int8_t e, int16_t, bool) { w.write_int8(e); }
};
template <>
struct element_codec<int16_t> {
    static constexpr size_t min_size(bool) { return 2; }
    static void read(reader& r, int16_t& e, int16_t, bool) { e = r.read_int16(); }
    static void write(writer& w, int16_t e, int16_t, bool) { w.write_int16(e); }
};
template <>
struct element_codec<int32_t> {
    static constexpr size_t min_size(bool) { return 4; }
    static void read(reader& r, int32_t& e, int16_t, bool) { e = r.read_int32(); }
    static void write(writer& w, int32_t e, int16_t, bool) { w.write_int32(e); }
};
template <>
struct element_codec<int64_t> {
    static constexpr size_t min_size(bool) { return 8; }
    static void read(reader& r, int64_t& e, int16_t, bool) { e = r.read_int64(); }
    static void write(writer& w, int64_t e, int16_t, bool) { w.write_int64(e); }
};
template <>
struct element_codec<uuid> {
    static constexpr size_t min_size(bool) { return 16; }
    static void read(reader& r, uuid& e, int16_t, bool) { e = r.read_uuid(); }
    static void write(writer& w, const uuid& e, int16_t, bool) { w.write_uuid(e); }
};
template <>
struct element_codec<std::string> {
    static constexpr size_t min_size(bool compact) { return compact ? 1 : 2; }
    static void read(reader& r, std::string& e, int16_t, bool compact) {
        e = r.read_string(compact);
    }
    static void write(writer& w, const std::string& e, int16_t, bool compact) {
        w.write_string(e, compact);
    }
};

namespace detail {
template <typename T>
void read_elements(reader& r, std::vector<T>& out, int32_t n, int16_t version, bool compact) {
    out.clear();
    if (n <= 0) return;
    const auto count = static_cast<size_t>(n);
    out.reserve(count < k_max_array_reserve ? count : k_max_array_reserve);
    for (int32_t i = 0; i < n && r.ok(); ++i) {
        element_codec<T>::read(r, out.emplace_back(), version, compact);
    }
}
template <typename T>
void write_elements(writer& w, const std::vector<T>& in, int16_t version, bool compact) {
    w.write_array_length(in.size(), compact);
    for (const auto& e : in)
        element_codec<T>::write(w, e, version, compact);
}
}  // namespace detail

template <typename T>
void read_array(reader& r, std::vector<T>& out, int16_t version, bool compact) {
    const int32_t n = r.read_array_length(compact, false, element_codec<T>::min_size(compact));
    detail::read_elements(r, out, n, version, compact);
}

template <typename T>
void read_nullable_array(reader& r, std::optional<std::vector<T>>& out, int16_t version,
                         bool compact, bool nullable) {
    const int32_t n = r.read_array_length(compact, nullable, element_codec<T>::min_size(compact));
    if (n < 0) {
        out.reset();
        return;
    }
    detail::read_elements(r, out.emplace(), n, version, compact);
}

template <typename T>
void write_array(writer& w, const std::vector<T>& in, int16_t version, bool compact) {
    detail::write_elements(w, in, version, compact);
}

template <typename T>
void write_nullable_array(writer& w, const std::optional<std::vector<T>>& in, int16_t version,
                          bool compact, bool nullable) {
    if (in) {
        detail::write_elements(w, *in, version, compact);
    } else if (nullable) {
        w.write_null_array_length(compact);
    } else {
        w.write_array_length(0, compact);
    }
}

// A struct-typed field that may be null: an int8 marker (-1 null, 1 present)
// precedes the struct in versions where the field is nullable.
template <typename T>
void read_nullable_struct(reader& r, std::optional<T>& out, int16_t version, bool nullable) {
    if (nullable && r.read_int8() < 0) {
        out.reset();
        return;
    }
    out.emplace().read(r, version);
}

template <typename T>
void write_nullable_struct(writer& w, const std::optional<T>& in, int16_t version, bool nullable) {
    if (nullable) w.write_int8(in ? 1 : -1);
    if (in) {
        in->write(w, version);
    } else if (!nullable) {
        T().write(w, version);
    }
}

// The same inside a tagged field, where the marker is an unsigned varint
// (0 null, 1 present).
template <typename T>
void read_tagged_nullable_struct(reader& r, std::optional<T>& out, int16_t version, bool nullable) {
    if (nullable && r.read_uvarint() == 0) {
        out.reset();
        return;
    }
    out.emplace().read(r, version);
}

template <typename T>
void write_tagged_nullable_struct(writer& w, const std::optional<T>& in, int16_t version,
                                  bool nullable) {
    if (nullable) w.write_uvarint(in ? 1 : 0);
    if (in) {
        in->write(w, version);
    } else if (!nullable) {
        T().write(w, version);
    }
}

}  // namespace spate::kafka::protocol
