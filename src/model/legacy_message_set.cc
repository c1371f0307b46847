#include "model/legacy_message_set.h"

#include <zlib.h>

#include <cstring>
#include <string>

#include "bytes/endian.h"
#include "model/compression.h"
#include "model/record_batch_builder.h"
#include "model/records.h"

namespace spate::model {

namespace {

using bytes_view = std::span<const std::byte>;

error corrupt(const std::string& what) {
    return make_error(errc::corrupt, "legacy message set: " + what);
}

uint32_t crc32_ieee(bytes_view data) {
    uLong c = crc32(0L, Z_NULL, 0);
    // zlib takes uInt lengths: feed large inputs in pieces.
    for (size_t at = 0; at < data.size();) {
        const size_t n = std::min<size_t>(data.size() - at, 1u << 30);
        c = crc32(c, reinterpret_cast<const Bytef*>(data.data() + at), static_cast<uInt>(n));
        at += n;
    }
    return static_cast<uint32_t>(c);
}

// Reads an int32-length-prefixed nullable byte string at `at` of `msg`.
result<std::optional<bytes_view>> read_bytes(bytes_view msg, size_t& at, const char* what) {
    if (msg.size() - at < 4) return corrupt(std::string(what) + " length truncated");
    const int32_t n = bytes::load_be<int32_t>(msg.data() + at);
    at += 4;
    if (n == -1) return std::optional<bytes_view>();
    if (n < -1) return corrupt(std::string(what) + " length " + std::to_string(n));
    if (static_cast<size_t>(n) > msg.size() - at)
        return corrupt(std::string(what) + " longer than its message");
    auto v = msg.subspan(at, static_cast<size_t>(n));
    at += static_cast<size_t>(n);
    return std::optional<bytes_view>(v);
}

// Parses the message at the start of `data` (whole: offset and size
// included); `consumed` is set to its total size.
result<legacy_message> parse_message(bytes_view data, size_t& consumed) {
    using namespace legacy_layout;
    if (data.size() < log_overhead) return corrupt("truncated message header");
    const int32_t size = bytes::load_be<int32_t>(data.data() + message_size);
    if (size < static_cast<int32_t>(min_message_size_v0))
        return corrupt("message size " + std::to_string(size) + " below the minimum");
    if (static_cast<size_t>(size) > data.size() - log_overhead) return corrupt("truncated message");
    bytes_view msg = data.subspan(0, log_overhead + static_cast<size_t>(size));
    legacy_message m;
    m.offset = bytes::load_be<int64_t>(msg.data() + legacy_layout::offset);
    m.magic = static_cast<int8_t>(msg[magic]);
    if (m.magic != k_magic_v0 && m.magic != k_magic_v1)
        return corrupt("magic " + std::to_string(m.magic));
    if (m.magic == k_magic_v1 && static_cast<size_t>(size) < min_message_size_v1)
        return corrupt("message size " + std::to_string(size) + " below the minimum");
    const uint32_t stored = bytes::load_be<uint32_t>(msg.data() + crc);
    if (stored != crc32_ieee(msg.subspan(magic))) return corrupt("CRC mismatch");
    m.attributes = static_cast<int8_t>(msg[attributes]);
    size_t at = key_length_v0;
    if (m.magic == k_magic_v1) {
        m.timestamp = bytes::load_be<int64_t>(msg.data() + timestamp);
        at = key_length_v1;
    }
    auto key = read_bytes(msg, at, "key");
    if (!key.ok()) return key.err();
    m.key = *key;
    auto value = read_bytes(msg, at, "value");
    if (!value.ok()) return value.err();
    m.value = *value;
    if (at != msg.size()) return corrupt("bytes after the value");
    consumed = msg.size();
    return m;
}

result<compression> codec_of(const legacy_message& m) {
    const int c = m.attributes & legacy_attr::compression_mask;
    if (c > static_cast<int>(compression::lz4))
        return corrupt("compression codec " + std::to_string(c) + " (magic 0/1 allow 0-3)");
    return static_cast<compression>(c);
}

// Visits the inner messages of wrapper `w` (codec `c`).
status visit_wrapper(const legacy_message& w, compression c,
                     const std::function<void(const legacy_message&)>& visit,
                     std::vector<std::byte>& scratch, const legacy_decode_options& options) {
    if (!w.value) return corrupt("compressed message with a null value");
    scratch.clear();
    auto st = decompress(c, *w.value, scratch, options.max_decompressed);
    if (!st.ok()) {
        if (st.err().code == errc::too_large) return st.err();
        return corrupt("compressed message: " + st.err().message);
    }
    if (scratch.empty()) return corrupt("compressed message with no messages");
    const bool log_append =
        w.magic == k_magic_v1 && (w.attributes & legacy_attr::timestamp_log_append);
    bytes_view inner(scratch);
    for (size_t at = 0; at < inner.size();) {
        size_t used = 0;
        auto m = parse_message(inner.subspan(at), used);
        if (!m.ok()) return m.err();
        if (m->magic != w.magic) return corrupt("inner message magic differs from its wrapper's");
        if ((m->attributes & legacy_attr::compression_mask) != 0)
            return corrupt("nested compressed message");
        if (log_append) m->timestamp = w.timestamp;
        visit(*m);
        at += used;
    }
    return {};
}

void put_bytes(std::vector<std::byte>& out, const std::optional<bytes_view>& b) {
    const size_t at = out.size();
    out.resize(at + 4);
    if (!b) {
        bytes::store_be<int32_t>(out.data() + at, -1);
        return;
    }
    SPATE_ASSERT(b->size() <= static_cast<size_t>(INT32_MAX));
    bytes::store_be<int32_t>(out.data() + at, static_cast<int32_t>(b->size()));
    out.insert(out.end(), b->begin(), b->end());
}

}  // namespace

status decode_legacy_message_set(bytes_view data,
                                 const std::function<void(const legacy_message&)>& visit,
                                 std::vector<std::byte>& scratch,
                                 const legacy_decode_options& options) {
    if (data.empty()) return corrupt("empty message set");
    for (size_t at = 0; at < data.size();) {
        size_t used = 0;
        auto m = parse_message(data.subspan(at), used);
        if (!m.ok()) return m.err();
        auto c = codec_of(*m);
        if (!c.ok()) return c.err();
        if (*c == compression::none) {
            visit(*m);
        } else {
            SPATE_TRY(visit_wrapper(*m, *c, visit, scratch, options));
        }
        at += used;
    }
    return {};
}

void append_legacy_message(std::vector<std::byte>& out, int8_t magic, int64_t offset,
                           int8_t attributes, int64_t timestamp, std::optional<bytes_view> key,
                           std::optional<bytes_view> value) {
    SPATE_ASSERT(magic == k_magic_v0 || magic == k_magic_v1);
    const size_t start = out.size();
    const size_t head =
        magic == k_magic_v0 ? legacy_layout::key_length_v0 : legacy_layout::key_length_v1;
    out.resize(start + head);
    std::byte* p = out.data() + start;
    bytes::store_be<int64_t>(p + legacy_layout::offset, offset);
    p[legacy_layout::magic] = static_cast<std::byte>(magic);
    p[legacy_layout::attributes] = static_cast<std::byte>(attributes);
    if (magic == k_magic_v1) bytes::store_be<int64_t>(p + legacy_layout::timestamp, timestamp);
    put_bytes(out, key);
    put_bytes(out, value);
    p = out.data() + start;
    const size_t size = out.size() - start - legacy_layout::log_overhead;
    SPATE_ASSERT(size <= static_cast<size_t>(INT32_MAX));
    bytes::store_be<int32_t>(p + legacy_layout::message_size, static_cast<int32_t>(size));
    const uint32_t c =
        crc32_ieee(bytes_view(p + legacy_layout::magic, out.size() - start - legacy_layout::magic));
    bytes::store_be<uint32_t>(p + legacy_layout::crc, c);
}

status append_legacy_wrapper(std::vector<std::byte>& out, int8_t magic, int64_t offset,
                             compression codec, int64_t timestamp, bytes_view inner) {
    SPATE_ASSERT(codec != compression::none && codec != compression::zstd);
    std::vector<std::byte> compressed;
    SPATE_TRY(compress(codec, inner, compressed));
    append_legacy_message(out, magic, offset, static_cast<int8_t>(codec), timestamp, std::nullopt,
                          bytes_view(compressed));
    return {};
}

status up_convert_legacy_message_set(bytes_view data, std::vector<std::byte>& out,
                                     std::vector<std::byte>& scratch,
                                     const legacy_decode_options& options) {
    // The first wrapper's codec, found before building (the builder's
    // options are fixed per batch).
    compression codec = compression::none;
    if (data.size() > legacy_layout::attributes) {
        const int c =
            static_cast<int8_t>(data[legacy_layout::attributes]) & legacy_attr::compression_mask;
        if (c <= static_cast<int>(compression::lz4)) codec = static_cast<compression>(c);
    }
    record_batch_options o;
    o.compression_type = codec;
    record_batch_builder builder(o);
    SPATE_TRY(decode_legacy_message_set(
        data, [&](const legacy_message& m) { builder.add(m.timestamp, m.key, m.value); }, scratch,
        options));
    builder.finish_into(out);
    return {};
}

status down_convert_to_legacy(bytes_view batches, int64_t first_offset, int8_t magic,
                              std::vector<std::byte>& out, std::vector<std::byte>& scratch) {
    for (size_t at = 0; at < batches.size();) {
        auto view = record_batch_view::parse(batches.subspan(at));
        if (!view.ok()) return view.err();
        at += view->size_bytes();
        if (view->is_control() || view->last_offset().value() < first_offset) continue;
        const bool log_append = view->attributes() & batch_attr::timestamp_log_append;
        const int8_t attrs =
            magic == k_magic_v1 && log_append ? legacy_attr::timestamp_log_append : int8_t{0};
        auto reader = record_reader::create(*view, scratch);
        if (!reader.ok()) return reader.err();
        record_view r;
        for (;;) {
            auto more = reader->next(r);
            if (!more.ok()) return more.err();
            if (!*more) break;
            const int64_t o = reader->offset_of(r).value();
            if (o < first_offset) continue;
            append_legacy_message(out, magic, o, attrs, reader->timestamp_of(r), r.key, r.value);
        }
    }
    return {};
}

}  // namespace spate::model
