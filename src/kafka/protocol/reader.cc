#include "kafka/protocol/reader.h"

#include <algorithm>
#include <cstring>

#include "base/assert.h"
#include "bytes/varint.h"

namespace spate::kafka::protocol {

bool records_equal(const records_view& a, const records_view& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || std::ranges::equal(*a, *b);
}

spate::error reader::error() const {
    SPATE_ASSERT(!ok());
    return make_error(errc::corrupt, std::string("kafka protocol: ") + _what + " at byte " +
                                         std::to_string(_error_pos));
}

spate::status reader::status() const {
    if (ok()) return {};
    return error();
}

void reader::fail(const char* what) {
    fail_at(what, position());
}

void reader::fail_at(const char* what, size_t pos) {
    if (_what == nullptr) {
        _what = what;
        _error_pos = pos;
    }
    _p = _end;
}

uint32_t reader::read_uvarint() {
    uint32_t v = 0;
    const size_t n = bytes::get_uvarint32(_p, _end, v);
    if (n == 0) [[unlikely]] {
        fail("bad unsigned varint");
        return 0;
    }
    _p += n;
    return v;
}

int32_t reader::read_varint() {
    int32_t v = 0;
    const size_t n = bytes::get_varint32(_p, _end, v);
    if (n == 0) [[unlikely]] {
        fail("bad varint");
        return 0;
    }
    _p += n;
    return v;
}

int64_t reader::read_varlong() {
    int64_t v = 0;
    const size_t n = bytes::get_varint64(_p, _end, v);
    if (n == 0) [[unlikely]] {
        fail("bad varlong");
        return 0;
    }
    _p += n;
    return v;
}

int64_t reader::read_length(bool compact, bool wide, bool nullable) {
    int64_t len;
    if (compact) {
        len = static_cast<int64_t>(read_uvarint()) - 1;
    } else if (wide) {
        len = read_int32();
    } else {
        len = read_int16();
    }
    if (!ok()) return -2;
    if (len == -1 && nullable) return -1;
    if (len < 0) {
        fail(len == -1 ? "null for a non-nullable field" : "negative length");
        return -2;
    }
    if (static_cast<uint64_t>(len) > remaining()) {
        fail("length exceeds the remaining bytes");
        return -2;
    }
    return len;
}

std::string reader::read_string(bool compact) {
    auto s = read_nullable_string(compact, false);
    return s ? std::move(*s) : std::string();
}

std::optional<std::string> reader::read_nullable_string(bool compact, bool nullable) {
    const int64_t len = read_length(compact, false, nullable);
    if (len == -1) return std::nullopt;
    if (len < 0) return std::string();
    if (static_cast<size_t>(len) > k_max_string_size) {
        fail("string longer than 32767 bytes");
        return std::string();
    }
    std::string s(reinterpret_cast<const char*>(_p), static_cast<size_t>(len));
    _p += len;
    return s;
}

std::vector<std::byte> reader::read_bytes(bool compact) {
    auto b = read_nullable_bytes(compact, false);
    return b ? std::move(*b) : std::vector<std::byte>();
}

std::optional<std::vector<std::byte>> reader::read_nullable_bytes(bool compact, bool nullable) {
    const int64_t len = read_length(compact, true, nullable);
    if (len == -1) return std::nullopt;
    if (len < 0) return std::vector<std::byte>();
    std::vector<std::byte> b(_p, _p + len);
    _p += len;
    return b;
}

records_view reader::read_records(bool compact, bool nullable) {
    const int64_t len = read_length(compact, true, nullable);
    if (len == -1) return std::nullopt;
    if (len < 0) return std::span<const std::byte>();
    std::span<const std::byte> s(_p, static_cast<size_t>(len));
    _p += len;
    return s;
}

std::span<const std::byte> reader::read_raw(size_t n) {
    if (n > remaining()) {
        fail("truncated");
        return {};
    }
    std::span<const std::byte> s(_p, n);
    _p += n;
    return s;
}

int32_t reader::read_array_length(bool compact, bool nullable, size_t min_element_size) {
    int64_t n = compact ? static_cast<int64_t>(read_uvarint()) - 1 : read_int32();
    if (!ok()) return 0;
    if (n == -1 && nullable) return -1;
    if (n < 0) {
        fail(n == -1 ? "null for a non-nullable array" : "negative array length");
        return 0;
    }
    if (static_cast<uint64_t>(n) > remaining() / std::max<size_t>(min_element_size, 1)) {
        fail("array length exceeds the remaining bytes");
        return 0;
    }
    return static_cast<int32_t>(n);
}

reader reader::read_tagged_payload() {
    const uint32_t size = read_uvarint();
    if (!ok()) return reader(_begin, _end, _end);
    if (size > remaining()) {
        fail("tagged field exceeds the remaining bytes");
        return reader(_begin, _end, _end);
    }
    reader sub(_begin, _p, _p + size);
    _p += size;
    return sub;
}

void reader::skip_tagged_fields() {
    read_tagged_fields(*this, [](uint32_t, reader&) {});
}

}  // namespace spate::kafka::protocol
