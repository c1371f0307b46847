#pragma once

// Encoding a response whose record bytes are sent from elsewhere (a segment
// file, zero-copy Fetch) rather than copied into the frame. While a
// scoped_records_sink is alive on a thread, every `records` field the
// writer encodes on that thread is offered to the sink first, in encode
// order; the sink either writes the field itself (typically only its length
// prefix, write_records_length) and returns true, or returns false to let
// the writer copy the bytes. Bytes a sink leaves out are the caller's to
// splice back in and to count in the frame's size prefix
// (append_response_frame_with_sink does the latter).
//
// A records field inside a tagged field must not be left out: a tagged
// field's size prefix is inserted before its bytes once they are written.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/assert.h"
#include "bytes/endian.h"
#include "kafka/protocol/frame.h"
#include "kafka/protocol/writer.h"

namespace spate::kafka::protocol {

class records_sink {
  public:
    virtual ~records_sink() = default;
    // `compact`: the field uses the flexible versions' encoding.
    virtual bool write_records(writer& w, const records_view& r, bool compact) = 0;
    // Bytes left out of the buffer so far.
    virtual size_t external_bytes() const = 0;
};

// Installs `sink` for the current thread until destroyed (restoring the
// previous one). Not movable: a scope.
class scoped_records_sink {
  public:
    explicit scoped_records_sink(records_sink& sink);
    ~scoped_records_sink();
    scoped_records_sink(const scoped_records_sink&) = delete;
    scoped_records_sink& operator=(const scoped_records_sink&) = delete;

    // The current thread's sink, or nullptr (used by writer::write_records).
    static records_sink* current();

  private:
    records_sink* _previous;
};

// The length prefix of a records (bytes) value of `size` bytes, without the bytes.
void write_records_length(writer& w, size_t size, bool compact);

// append_response_frame with `sink` writing the records fields; the size
// prefix counts the bytes the sink left out of `out` (which must be empty).
template <typename Response>
void append_response_frame_with_sink(std::vector<std::byte>& out, int32_t correlation_id,
                                     int16_t api_version, const Response& body,
                                     records_sink& sink) {
    SPATE_ASSERT(out.empty());
    {
        scoped_records_sink scope(sink);
        append_response_frame(out, correlation_id, api_version, body);
    }
    const size_t n = out.size() - k_frame_size_prefix + sink.external_bytes();
    SPATE_ASSERT(n <= 0x7fffffff);
    bytes::store_be(out.data(), static_cast<int32_t>(n));
}

}  // namespace spate::kafka::protocol
