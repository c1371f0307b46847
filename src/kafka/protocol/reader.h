#pragma once

// The bounds-checked `reader` of Kafka's wire types: fixed-width big-endian
// integers, varints, classic and compact strings/bytes/records, array
// lengths and tagged field sections.
//
// Failures are sticky: the first failure is remembered and every later read
// returns a zero value without touching memory, so a decoder can run to the
// end and check `ok()` once. A reader never reads outside its span.
// Variable-length decoded values (strings, bytes) are copies, except
// `records`, which is a view into the decoded buffer.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "bytes/endian.h"
#include "kafka/protocol/types.h"

namespace spate::kafka::protocol {

// The longest string the protocol can carry (int16 length prefix); compact
// strings are held to the same limit, as Kafka does.
inline constexpr size_t k_max_string_size = 0x7fff;

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

}  // namespace spate::kafka::protocol
