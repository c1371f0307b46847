#pragma once

// Whole-message entry points: version checks, decoding a message or a
// request body, encoding a message.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "kafka/protocol/reader.h"
#include "kafka/protocol/writer.h"

namespace spate::kafka::protocol {

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
