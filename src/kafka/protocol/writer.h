#pragma once

// The appending `writer` of Kafka's wire types, the counterpart of
// reader.h. Writing never fails; values the protocol cannot carry (strings
// over k_max_string_size) are caller bugs, asserted.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bytes/endian.h"
#include "kafka/protocol/types.h"

namespace spate::kafka::protocol {

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

}  // namespace spate::kafka::protocol
