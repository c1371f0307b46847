#pragma once

// Value types that generated Kafka messages are built from, and the
// declarations a message header needs without pulling in the codec.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace spate::kafka::protocol {

// A Kafka UUID (topic ids, directory ids). `hi` holds the 8 bytes that come
// first on the wire. The all-zero value is Kafka's "zero UUID".
struct uuid {
    uint64_t hi = 0;
    uint64_t lo = 0;

    auto operator<=>(const uuid&) const = default;
};

// A `records` field: a non-owning view of a record set. Decoded values point
// into the buffer that was decoded, so that buffer must outlive them; values
// to encode point at memory the encoder's caller keeps alive.
using records_view = std::optional<std::span<const std::byte>>;

// Byte-wise equality of two record views (both null, or same contents).
bool records_equal(const records_view& a, const records_view& b);

class reader;
class writer;

}  // namespace spate::kafka::protocol
