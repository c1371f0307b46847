#pragma once

// Kafka wire primitives: a bounds-checked `reader` and an appending `writer`
// for the protocol's field types (fixed-width big-endian integers, varints,
// classic and compact strings/bytes/arrays, tagged field sections), plus the
// array/struct helpers the generated message codecs are built from.
//
// Reader failures are sticky: the first failure is remembered and every later
// read returns a zero value without touching memory, so a decoder can run to
// the end and check `ok()` once. A reader never reads outside its span.
// Variable-length decoded values (strings, bytes) are copies, except `records`,
// which is a view into the decoded buffer.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/assert.h"
#include "base/result.h"
#include "bytes/endian.h"
#include "kafka/protocol/types.h"

namespace spate::kafka::protocol {

// The longest string the protocol can carry (int16 length prefix); compact
// strings are held to the same limit, as Kafka does.
inline constexpr size_t k_max_string_size = 0x7fff;

// Upper bound on elements reserved ahead of decoding an array; beyond it the
// vector grows only as elements actually decode.
inline constexpr size_t k_max_array_reserve = 1024;

class reader {
  public:
    reader() = default;
    explicit reader(std::span<const std::byte> buf)
        : _begin(buf.data()), _p(buf.data()), _end(buf.data() + buf.size()) {}

    bool ok() const { return _what == nullptr; }
    // The first failure: errc::corrupt, naming what failed and its byte offset.
    // Requires !ok().
    spate::error error() const;
    // ok() as a status.
    spate::status status() const;

    // Bytes consumed since the start of the outermost buffer.
    size_t position() const { return static_cast<size_t>(_p - _begin); }
    size_t remaining() const { return static_cast<size_t>(_end - _p); }
    bool at_end() const { return _p == _end; }

    // Records `what` as the failure unless one is already recorded; all later
    // reads fail. `what` must be a string literal (it is kept by pointer).
    void fail(const char* what);

    int8_t read_int8() { return read_fixed<int8_t>(); }
    int16_t read_int16() { return read_fixed<int16_t>(); }
    int32_t read_int32() { return read_fixed<int32_t>(); }
    int64_t read_int64() { return read_fixed<int64_t>(); }
    uint16_t read_uint16() { return read_fixed<uint16_t>(); }
    uint32_t read_uint32() { return read_fixed<uint32_t>(); }
    bool read_bool() { return read_fixed<uint8_t>() != 0; }
    double read_float64() { return std::bit_cast<double>(read_fixed<uint64_t>()); }
    uuid read_uuid() {
        uuid u;
        u.hi = read_fixed<uint64_t>();
        u.lo = read_fixed<uint64_t>();
        return u;
    }

    // Unsigned 32-bit varint (compact lengths, tags); zigzag varint/varlong.
    uint32_t read_uvarint();
    int32_t read_varint();
    int64_t read_varlong();

    // Strings: `compact` selects COMPACT_STRING (uvarint length+1) over STRING
    // (int16 length). A null where none is allowed fails.
    std::string read_string(bool compact);
    std::optional<std::string> read_nullable_string(bool compact, bool nullable);
    // Bytes: COMPACT_BYTES (uvarint length+1) or BYTES (int32 length).
    std::vector<std::byte> read_bytes(bool compact);
    std::optional<std::vector<std::byte>> read_nullable_bytes(bool compact, bool nullable);
    // Records: like bytes, but returned as a view into this reader's buffer.
    records_view read_records(bool compact, bool nullable);
    // The next `n` bytes as a view; fails (returning an empty span) when short.
    std::span<const std::byte> read_raw(size_t n);

    // An array's element count, or -1 for a null array (only when `nullable`).
    // Fails, returning 0, on a negative count or one whose elements could not
    // fit in the remaining bytes at `min_element_size` bytes each.
    int32_t read_array_length(bool compact, bool nullable, size_t min_element_size);

    // Reads one tagged field's size prefix and returns a reader over exactly
    // its payload, advancing this reader past it.
    reader read_tagged_payload();
    // Skips a whole tagged field section.
    void skip_tagged_fields();
    // Adopts `sub`'s failure, if any (for readers from read_tagged_payload).
    void absorb(const reader& sub) {
        if (!sub.ok()) fail_at(sub._what, sub._error_pos);
    }

  private:
    reader(const std::byte* begin, const std::byte* p, const std::byte* end)
        : _begin(begin), _p(p), _end(end) {}

    template <typename T>
    T read_fixed() {
        if (remaining() < sizeof(T)) [[unlikely]] {
            fail("truncated");
            return T{};
        }
        T v = bytes::load_be<T>(_p);
        _p += sizeof(T);
        return v;
    }
    // Decoded length of a string/bytes field: >= 0, -1 for null, or -2 after
    // a failure (including a null where `nullable` is false).
    int64_t read_length(bool compact, bool wide, bool nullable);
    void fail_at(const char* what, size_t pos);

    const std::byte* _begin = nullptr;
    const std::byte* _p = nullptr;
    const std::byte* _end = nullptr;
    const char* _what = nullptr;
    size_t _error_pos = 0;
};

class writer {
  public:
    // Appends to `out`, which must outlive the writer.
    explicit writer(std::vector<std::byte>& out) : _out(&out) {}

    size_t size() const { return _out->size(); }
    std::vector<std::byte>& buffer() { return *_out; }

    void write_int8(int8_t v) { put(v); }
    void write_int16(int16_t v) { put(v); }
    void write_int32(int32_t v) { put(v); }
    void write_int64(int64_t v) { put(v); }
    void write_uint16(uint16_t v) { put(v); }
    void write_uint32(uint32_t v) { put(v); }
    void write_bool(bool v) { put(static_cast<uint8_t>(v ? 1 : 0)); }
    void write_float64(double v) { put(std::bit_cast<uint64_t>(v)); }
    void write_uuid(const uuid& u) {
        put(u.hi);
        put(u.lo);
    }
    void write_uvarint(uint32_t v);
    void write_varint(int32_t v);
    void write_varlong(int64_t v);

    // Strings longer than k_max_string_size are a caller bug (asserted).
    void write_string(std::string_view s, bool compact);
    // A null value in a version where the field is not nullable is written as
    // the empty string; likewise for bytes, records and arrays below.
    void write_nullable_string(const std::optional<std::string>& s, bool compact, bool nullable);
    void write_bytes(std::span<const std::byte> b, bool compact);
    void write_nullable_bytes(const std::optional<std::vector<std::byte>>& b, bool compact,
                              bool nullable);
    void write_records(const records_view& r, bool compact, bool nullable);
    void write_raw(std::span<const std::byte> b);

    void write_array_length(size_t n, bool compact);
    void write_null_array_length(bool compact);

    // Starts one tagged field: writes `tag` and returns a mark for end_tagged,
    // which prefixes the bytes written in between with their size.
    size_t begin_tagged(uint32_t tag) {
        write_uvarint(tag);
        return size();
    }
    void end_tagged(size_t mark);

    // Reserves an int32 size prefix; end_size_prefix fills it with the number
    // of bytes written after it (a frame's length).
    size_t begin_size_prefix() {
        put(int32_t{0});
        return size();
    }
    void end_size_prefix(size_t mark);

  private:
    template <typename T>
    void put(T v) {
        const size_t n = _out->size();
        _out->resize(n + sizeof(T));
        bytes::store_be(_out->data() + n, v);
    }

    std::vector<std::byte>* _out;
};

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

// Runs `on_field(tag, payload_reader)` for each field of a tagged field
// section. Unknown tags are ignored by the callback; the section is always
// consumed whole.
template <typename F>
void read_tagged_fields(reader& r, F&& on_field) {
    const uint32_t n = r.read_uvarint();
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
        const uint32_t tag = r.read_uvarint();
        reader payload = r.read_tagged_payload();
        if (!r.ok()) break;
        on_field(tag, payload);
        r.absorb(payload);
    }
}

// errc::unsupported unless min <= version <= max.
spate::status check_version(int16_t version, int16_t min, int16_t max);

// Decodes a whole message body: every byte must belong to the message.
template <typename Message>
result<Message> decode_message(std::span<const std::byte> body, int16_t version) {
    reader r(body);
    Message m;
    SPATE_TRY(m.decode(r, version));
    if (!r.at_end()) return make_error(errc::corrupt, "trailing bytes after message");
    return m;
}

// Decodes a request body as Kafka brokers do: bytes after the message are
// ignored (librdkafka 2.0 pads some requests, e.g. ListGroups v4 and
// OffsetFetch v7); a message that does not fit in `body` is still corrupt.
template <typename Message>
result<Message> decode_request_body(std::span<const std::byte> body, int16_t version) {
    reader r(body);
    Message m;
    SPATE_TRY(m.decode(r, version));
    return m;
}

template <typename Message>
std::vector<std::byte> encode_message(const Message& m, int16_t version) {
    std::vector<std::byte> out;
    writer w(out);
    m.encode(w, version);
    return out;
}

}  // namespace spate::kafka::protocol
