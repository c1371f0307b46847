#include "pgwire/message.h"

#include "base/assert.h"

namespace spate::pgwire {

void append_be16(std::string& out, uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

void append_be32(std::string& out, uint32_t v) {
    append_be16(out, static_cast<uint16_t>(v >> 16));
    append_be16(out, static_cast<uint16_t>(v));
}

void append_be64(std::string& out, uint64_t v) {
    append_be32(out, static_cast<uint32_t>(v >> 32));
    append_be32(out, static_cast<uint32_t>(v));
}

uint16_t load_be16(const char* p) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return static_cast<uint16_t>((u[0] << 8) | u[1]);
}

uint32_t load_be32(const char* p) {
    return (static_cast<uint32_t>(load_be16(p)) << 16) | load_be16(p + 2);
}

uint64_t load_be64(const char* p) {
    return (static_cast<uint64_t>(load_be32(p)) << 32) | load_be32(p + 4);
}

void message_writer::begin(char type) {
    SPATE_ASSERT(!_open);
    _open = true;
    _out.push_back(type);
    _start = reserve_i32();
}

void message_writer::end() {
    SPATE_ASSERT(_open);
    _open = false;
    patch_i32(_start, static_cast<int32_t>(_out.size() - _start));
}

void message_writer::put_i16(int16_t v) {
    append_be16(_out, static_cast<uint16_t>(v));
}
void message_writer::put_i32(int32_t v) {
    append_be32(_out, static_cast<uint32_t>(v));
}
void message_writer::put_i64(int64_t v) {
    append_be64(_out, static_cast<uint64_t>(v));
}

void message_writer::put_cstring(std::string_view s) {
    _out.append(s);
    _out.push_back('\0');
}

size_t message_writer::reserve_i32() {
    size_t at = _out.size();
    _out.append(4, '\0');
    return at;
}

void message_writer::patch_i32(size_t at, int32_t v) {
    auto u = static_cast<uint32_t>(v);
    _out[at] = static_cast<char>(u >> 24);
    _out[at + 1] = static_cast<char>(u >> 16);
    _out[at + 2] = static_cast<char>(u >> 8);
    _out[at + 3] = static_cast<char>(u);
}

std::optional<uint8_t> message_reader::u8() {
    if (remaining() < 1) return std::nullopt;
    return static_cast<uint8_t>(_body[_pos++]);
}

std::optional<int16_t> message_reader::i16() {
    if (remaining() < 2) return std::nullopt;
    auto v = static_cast<int16_t>(load_be16(_body.data() + _pos));
    _pos += 2;
    return v;
}

std::optional<int32_t> message_reader::i32() {
    if (remaining() < 4) return std::nullopt;
    auto v = static_cast<int32_t>(load_be32(_body.data() + _pos));
    _pos += 4;
    return v;
}

std::optional<std::string_view> message_reader::cstring() {
    auto nul = _body.find('\0', _pos);
    if (nul == std::string_view::npos) return std::nullopt;
    auto s = _body.substr(_pos, nul - _pos);
    _pos = nul + 1;
    return s;
}

std::optional<std::string_view> message_reader::bytes(size_t n) {
    if (remaining() < n) return std::nullopt;
    auto s = _body.substr(_pos, n);
    _pos += n;
    return s;
}

bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    size_t n = s.size();
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

}  // namespace spate::pgwire
