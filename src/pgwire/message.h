#pragma once

// PostgreSQL v3 message codec: a writer that appends backend messages to a
// reusable byte buffer, and a reader over one frontend message body.
//
// Integers are big-endian. A backend message is a type byte, an int32 length
// counting itself and the body, then the body. The reader never reads past
// its body: every accessor reports a short or malformed body as an empty
// optional, which the connection turns into a protocol violation (08P01).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace spate::pgwire {

// Appends messages to `out` (not owned; the caller clears it after sending).
class message_writer {
  public:
    explicit message_writer(std::string& out) : _out(out) {}

    // Starts a message of `type`; its length is patched by end(). Messages
    // do not nest.
    void begin(char type);
    void end();

    void put_u8(uint8_t v) { _out.push_back(static_cast<char>(v)); }
    void put_i16(int16_t v);
    void put_i32(int32_t v);
    void put_i64(int64_t v);
    void put_bytes(std::string_view b) { _out.append(b); }
    // `s` then a NUL; `s` must not contain NUL (callers strip it).
    void put_cstring(std::string_view s);
    // Reserves an int32 length slot; returns its offset for patch_i32().
    size_t reserve_i32();
    void patch_i32(size_t at, int32_t v);
    size_t size() const { return _out.size(); }
    std::string& buffer() { return _out; }

  private:
    std::string& _out;
    size_t _start = 0;
    bool _open = false;
};

// Big-endian helpers shared by the codecs.
void append_be16(std::string& out, uint16_t v);
void append_be32(std::string& out, uint32_t v);
void append_be64(std::string& out, uint64_t v);
uint16_t load_be16(const char* p);
uint32_t load_be32(const char* p);
uint64_t load_be64(const char* p);

class message_reader {
  public:
    explicit message_reader(std::string_view body) : _body(body) {}

    std::optional<uint8_t> u8();
    std::optional<int16_t> i16();
    std::optional<int32_t> i32();
    // Bytes up to the next NUL (consumed, not returned).
    std::optional<std::string_view> cstring();
    std::optional<std::string_view> bytes(size_t n);
    size_t remaining() const { return _body.size() - _pos; }
    bool at_end() const { return _pos == _body.size(); }

  private:
    std::string_view _body;
    size_t _pos = 0;
};

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool valid_utf8(std::string_view s);

}  // namespace spate::pgwire
