#include "kafka/protocol/writer.h"

#include <cstring>

#include "base/assert.h"
#include "bytes/varint.h"
#include "kafka/protocol/reader.h"
#include "kafka/protocol/records_sink.h"

namespace spate::kafka::protocol {

void writer::write_uvarint(uint32_t v) {
    std::byte tmp[bytes::k_max_varint64_bytes];
    const size_t n = bytes::put_uvarint(tmp, v);
    _out->insert(_out->end(), tmp, tmp + n);
}

void writer::write_varint(int32_t v) {
    std::byte tmp[bytes::k_max_varint64_bytes];
    const size_t n = bytes::put_varint32(tmp, v);
    _out->insert(_out->end(), tmp, tmp + n);
}

void writer::write_varlong(int64_t v) {
    std::byte tmp[bytes::k_max_varint64_bytes];
    const size_t n = bytes::put_varint64(tmp, v);
    _out->insert(_out->end(), tmp, tmp + n);
}

void writer::write_string(std::string_view s, bool compact) {
    SPATE_ASSERT_MSG(s.size() <= k_max_string_size, "string too long for the Kafka protocol");
    if (compact) {
        write_uvarint(static_cast<uint32_t>(s.size() + 1));
    } else {
        write_int16(static_cast<int16_t>(s.size()));
    }
    write_raw(std::as_bytes(std::span(s.data(), s.size())));
}

void writer::write_nullable_string(const std::optional<std::string>& s, bool compact,
                                   bool nullable) {
    if (s) {
        write_string(*s, compact);
    } else if (!nullable) {
        write_string({}, compact);
    } else if (compact) {
        write_uvarint(0);
    } else {
        write_int16(-1);
    }
}

void writer::write_bytes(std::span<const std::byte> b, bool compact) {
    SPATE_ASSERT(b.size() < 0x7fffffff);
    if (compact) {
        write_uvarint(static_cast<uint32_t>(b.size() + 1));
    } else {
        write_int32(static_cast<int32_t>(b.size()));
    }
    write_raw(b);
}

void writer::write_nullable_bytes(const std::optional<std::vector<std::byte>>& b, bool compact,
                                  bool nullable) {
    if (b) {
        write_bytes(*b, compact);
    } else if (!nullable) {
        write_bytes({}, compact);
    } else if (compact) {
        write_uvarint(0);
    } else {
        write_int32(-1);
    }
}

namespace {
thread_local records_sink* t_records_sink = nullptr;
}  // namespace

scoped_records_sink::scoped_records_sink(records_sink& sink) : _previous(t_records_sink) {
    t_records_sink = &sink;
}

scoped_records_sink::~scoped_records_sink() {
    t_records_sink = _previous;
}

records_sink* scoped_records_sink::current() {
    return t_records_sink;
}

void write_records_length(writer& w, size_t size, bool compact) {
    SPATE_ASSERT(size < 0x7fffffff);
    if (compact) {
        w.write_uvarint(static_cast<uint32_t>(size + 1));
    } else {
        w.write_int32(static_cast<int32_t>(size));
    }
}

void writer::write_records(const records_view& r, bool compact, bool nullable) {
    if (t_records_sink && t_records_sink->write_records(*this, r, compact)) return;
    if (r) {
        write_bytes(*r, compact);
    } else if (!nullable) {
        write_bytes({}, compact);
    } else if (compact) {
        write_uvarint(0);
    } else {
        write_int32(-1);
    }
}

void writer::write_raw(std::span<const std::byte> b) {
    if (b.empty()) return;
    _out->insert(_out->end(), b.begin(), b.end());
}

void writer::write_array_length(size_t n, bool compact) {
    SPATE_ASSERT(n < 0x7fffffff);
    if (compact) {
        write_uvarint(static_cast<uint32_t>(n + 1));
    } else {
        write_int32(static_cast<int32_t>(n));
    }
}

void writer::write_null_array_length(bool compact) {
    if (compact) {
        write_uvarint(0);
    } else {
        write_int32(-1);
    }
}

void writer::end_tagged(size_t mark) {
    SPATE_ASSERT(mark <= _out->size());
    const size_t payload = _out->size() - mark;
    SPATE_ASSERT(payload <= UINT32_MAX);
    std::byte tmp[bytes::k_max_varint64_bytes];
    const size_t n = bytes::put_uvarint(tmp, payload);
    _out->insert(_out->begin() + static_cast<std::ptrdiff_t>(mark), tmp, tmp + n);
}

void writer::end_size_prefix(size_t mark) {
    SPATE_ASSERT(mark >= 4 && mark <= _out->size());
    const size_t n = _out->size() - mark;
    SPATE_ASSERT(n <= 0x7fffffff);
    bytes::store_be(_out->data() + mark - 4, static_cast<int32_t>(n));
}

}  // namespace spate::kafka::protocol
