#include "model/records.h"

#include <string>
#include <utility>

#include "bytes/endian.h"
#include "bytes/varint.h"
#include "model/compression.h"

namespace spate::model {

namespace {

// Bounds-checked reads over [p, end) of one record. Every method returns false
// (and leaves the outputs unspecified) when the bytes are missing or invalid.
struct cursor {
    const std::byte* p;
    const std::byte* end;

    size_t left() const { return static_cast<size_t>(end - p); }

    bool i8(int8_t& out) {
        if (p == end) return false;
        out = static_cast<int8_t>(*p++);
        return true;
    }
    bool varint32(int32_t& out) {
        size_t n = bytes::get_varint32(p, end, out);
        p += n;
        return n != 0;
    }
    bool varint64(int64_t& out) {
        size_t n = bytes::get_varint64(p, end, out);
        p += n;
        return n != 0;
    }
    // A length-prefixed byte string; length -1 is null when `nullable`.
    bool bytes(std::optional<std::span<const std::byte>>& out, bool nullable) {
        int32_t len = 0;
        if (!varint32(len)) return false;
        if (len == -1 && nullable) {
            out.reset();
            return true;
        }
        if (len < 0 || static_cast<size_t>(len) > left()) return false;
        out.emplace(p, static_cast<size_t>(len));
        p += len;
        return true;
    }
};

int64_t wrapping_add(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

}  // namespace

// ---- header_range ----------------------------------------------------------

header_range::iterator::iterator(const std::byte* p, const std::byte* end, int32_t remaining)
    : _p(p), _end(end), _remaining(remaining) {
    if (_remaining > 0) decode();
}

void header_range::iterator::decode() {
    // The reader validated these bytes, so failure here is a bug.
    cursor c{_p, _end};
    std::optional<std::span<const std::byte>> key;
    bool ok = c.bytes(key, false) && c.bytes(_current.value, true);
    SPATE_ASSERT_MSG(ok, "record headers changed after validation");
    _current.key = std::string_view(reinterpret_cast<const char*>(key->data()), key->size());
    _p = c.p;
}

header_range::iterator& header_range::iterator::operator++() {
    SPATE_ASSERT(_remaining > 0);
    if (--_remaining > 0) decode();
    return *this;
}

// ---- record_reader ---------------------------------------------------------

result<record_reader> record_reader::init(const record_batch_view& batch,
                                          std::vector<std::byte>& scratch, size_t max_decompressed,
                                          bool own_scratch) {
    if (batch.magic() != k_magic_v2) {
        return make_error(errc::corrupt,
                          "record batch magic " + std::to_string(batch.magic()) + " is not 2");
    }
    if (batch.records_count() < 0) return make_error(errc::corrupt, "negative records count");
    std::span<const std::byte> records = batch.records_bytes();
    compression c = batch.compression_type();
    // An empty section needs no decompression (compaction can empty a batch
    // and keep its compression attribute).
    if (c != compression::none && !records.empty()) {
        scratch.clear();
        auto st = decompress(c, records, scratch, max_decompressed);
        if (!st.ok()) {
            error e = st.err();
            if (e.code == errc::unsupported) e.code = errc::corrupt;
            e.message = "records section: " + e.message;
            return e;
        }
        records = scratch;
    }
    if (!own_scratch) return record_reader(batch, records);
    // Moving a vector keeps its heap buffer, so `records` stays valid.
    record_reader r(batch, records);
    r._own_scratch = std::move(scratch);
    return r;
}

result<record_reader> record_reader::create(const record_batch_view& batch,
                                            std::vector<std::byte>& scratch,
                                            size_t max_decompressed) {
    return init(batch, scratch, max_decompressed, false);
}

result<record_reader> record_reader::create(const record_batch_view& batch,
                                            size_t max_decompressed) {
    std::vector<std::byte> scratch;
    return init(batch, scratch, max_decompressed, true);
}

error record_reader::fail(std::string message) {
    _failed = true;
    return make_error(errc::corrupt, "record " + std::to_string(_index) + " at batch offset " +
                                         std::to_string(_batch.base_offset().value()) + ": " +
                                         std::move(message));
}

result<bool> record_reader::next(record_view& out) {
    if (_failed) return make_error(errc::corrupt, "record reader already failed");
    if (_remaining == 0) {
        if (_pos != _end) {
            return fail(std::to_string(_end - _pos) + " bytes trail the last record");
        }
        return false;
    }
    cursor c{_pos, _end};
    int32_t length = 0;
    if (!c.varint32(length)) return fail("truncated or overlong length");
    if (length < 0 || static_cast<size_t>(length) > c.left()) {
        return fail("length " + std::to_string(length) + " outside the " +
                    std::to_string(c.left()) + " remaining bytes");
    }
    const std::byte* record_end = c.p + length;
    c.end = record_end;

    if (!c.i8(out.attributes)) return fail("truncated attributes");
    if (!c.varint64(out.timestamp_delta)) return fail("bad timestamp delta");
    if (!c.varint32(out.offset_delta)) return fail("bad offset delta");
    if (out.offset_delta < 0 || out.offset_delta > _batch.last_offset_delta()) {
        return fail("offset delta " + std::to_string(out.offset_delta) + " outside [0, " +
                    std::to_string(_batch.last_offset_delta()) + "]");
    }
    if (!c.bytes(out.key, true)) return fail("bad key length");
    if (!c.bytes(out.value, true)) return fail("bad value length");
    int32_t header_count = 0;
    if (!c.varint32(header_count)) return fail("bad header count");
    // Each header takes at least two bytes (two one-byte lengths).
    if (header_count < 0 || static_cast<size_t>(header_count) > c.left() / 2) {
        return fail("header count " + std::to_string(header_count) + " impossible in " +
                    std::to_string(c.left()) + " bytes");
    }
    const std::byte* headers_begin = c.p;
    for (int32_t i = 0; i < header_count; ++i) {
        std::optional<std::span<const std::byte>> key, value;
        if (!c.bytes(key, false)) return fail("bad key length in header " + std::to_string(i));
        if (!c.bytes(value, true)) return fail("bad value length in header " + std::to_string(i));
    }
    out.headers = header_range(std::span<const std::byte>(headers_begin, c.p), header_count);
    if (c.p != record_end) {
        return fail("length " + std::to_string(length) + " but fields end " +
                    std::to_string(record_end - c.p) + " bytes early");
    }
    _pos = record_end;
    --_remaining;
    ++_index;
    return true;
}

int64_t record_reader::timestamp_of(const record_view& r) const {
    if (_batch.attributes() & batch_attr::timestamp_log_append) return _batch.max_timestamp();
    return wrapping_add(_batch.base_timestamp(), r.timestamp_delta);
}

status validate_records(const record_batch_view& batch, std::vector<std::byte>& scratch,
                        size_t max_decompressed) {
    auto reader = record_reader::create(batch, scratch, max_decompressed);
    if (!reader.ok()) return reader.err();
    return reader->for_each([](const record_view&) {});
}

result<std::optional<model::offset>> first_offset_with_timestamp_at_least(
    const record_batch_view& batch, int64_t ts, std::vector<std::byte>& scratch) {
    using answer = std::optional<model::offset>;
    if (batch.records_count() == 0 || batch.max_timestamp() < ts) return answer{};
    auto reader = record_reader::create(batch, scratch);
    if (!reader.ok()) return reader.err();
    record_view r;
    for (;;) {
        auto more = reader->next(r);
        if (!more.ok()) return more.err();
        if (!*more) return answer{};
        if (reader->timestamp_of(r) >= ts) return answer{reader->offset_of(r)};
    }
}

result<control_marker> parse_control_marker(const record_view& r) {
    if (!r.key || r.key->size() < k_control_key_size) {
        return make_error(errc::corrupt, "control record key missing or shorter than 4 bytes");
    }
    int16_t version = bytes::load_be<int16_t>(r.key->data());
    int16_t type = bytes::load_be<int16_t>(r.key->data() + 2);
    if (version < 0) {
        return make_error(errc::corrupt,
                          "negative control record version " + std::to_string(version));
    }
    if (type != static_cast<int16_t>(control_record_type::abort) &&
        type != static_cast<int16_t>(control_record_type::commit)) {
        return make_error(errc::unsupported, "control record type " + std::to_string(type) +
                                                 " is not a transaction marker");
    }
    if (!r.value || r.value->size() < k_control_value_size) {
        return make_error(errc::corrupt,
                          "transaction marker value missing or shorter than 6 bytes");
    }
    control_marker m;
    m.type = static_cast<control_record_type>(type);
    m.coordinator_epoch = bytes::load_be<int32_t>(r.value->data() + 2);
    return m;
}

}  // namespace spate::model
