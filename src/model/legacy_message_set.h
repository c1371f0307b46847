#pragma once

// Kafka's legacy message sets (message format magic 0 and 1), the record
// format of Produce v0-v2 and Fetch v0-v3. Spate stores only v2 record
// batches: Produce up-converts a legacy set into one v2 batch, Fetch
// down-converts stored batches for old clients. Format (all big-endian; see
// docs/formats/legacy-message-set.md), one entry per message:
//
//   0  offset        int64   producer: anything (ignored); broker: absolute
//   8  message_size  int32   bytes after this field
//  12  crc           uint32  CRC-32 (IEEE, zlib's) of bytes [16, end)
//  16  magic         int8    0 or 1
//  17  attributes    int8    bits 0-2 codec (none, gzip, snappy, lz4),
//                            bit 3 log-append time (magic 1)
//  18  timestamp     int64   magic 1 only
//      key_length    int32   -1 = null key, then the key bytes
//      value_length  int32   -1 = null value, then the value bytes
//
// A compressed message (a "wrapper") carries in its value the compressed
// bytes of a whole inner message set, whose messages are uncompressed and of
// the wrapper's magic; magic-1 inner offsets are relative (0, 1, ...).
//
// Nothing here owns message bytes unless stated: views point into the input
// or the caller's scratch buffer.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "model/record_batch.h"

namespace spate::model {

namespace legacy_layout {
inline constexpr size_t offset = 0;
inline constexpr size_t message_size = 8;
inline constexpr size_t crc = 12;
inline constexpr size_t magic = 16;
inline constexpr size_t attributes = 17;
inline constexpr size_t timestamp = 18;  // magic 1 only
inline constexpr size_t key_length_v0 = 18;
inline constexpr size_t key_length_v1 = 26;
// offset + message_size: the bytes not counted by message_size.
inline constexpr size_t log_overhead = 12;
// The smallest message_size: crc, magic, attributes, [timestamp], two -1 lengths.
inline constexpr size_t min_message_size_v0 = 14;
inline constexpr size_t min_message_size_v1 = 22;
}  // namespace legacy_layout

static_assert(legacy_layout::log_overhead == legacy_layout::crc);
static_assert(legacy_layout::crc + 4 == legacy_layout::magic);
static_assert(legacy_layout::timestamp + 8 == legacy_layout::key_length_v1);
static_assert(legacy_layout::min_message_size_v0 ==
              legacy_layout::key_length_v0 + 8 - legacy_layout::log_overhead);
static_assert(legacy_layout::min_message_size_v1 ==
              legacy_layout::key_length_v1 + 8 - legacy_layout::log_overhead);
// The v2 batch header puts its magic byte at the same offset: a records field
// can be told apart by reading one byte.
static_assert(legacy_layout::magic == batch_layout::magic);

inline constexpr int8_t k_magic_v0 = 0;
inline constexpr int8_t k_magic_v1 = 1;

namespace legacy_attr {
inline constexpr int8_t compression_mask = 0x07;
inline constexpr int8_t timestamp_log_append = 0x08;
}  // namespace legacy_attr

// One decoded legacy message (an inner one when it came out of a wrapper).
struct legacy_message {
    int64_t offset = 0;  // as on the wire (relative inside magic-1 wrappers)
    int8_t magic = k_magic_v1;
    int8_t attributes = 0;
    // The message's timestamp; -1 (no timestamp) for magic 0. Inside a
    // wrapper with the log-append-time attribute, the wrapper's timestamp.
    int64_t timestamp = -1;
    std::optional<std::span<const std::byte>> key;    // nullopt: null
    std::optional<std::span<const std::byte>> value;  // nullopt: null
};

// Limits on decoding a message set.
struct legacy_decode_options {
    // Decompressed bytes allowed per wrapper (errc::too_large beyond).
    size_t max_decompressed = size_t{128} << 20;
};

// Calls `visit` for every message of `data` in order, inner messages of
// wrappers in place of their wrapper. The set must be well formed: whole
// messages only, magic 0 or 1, a matching CRC, lengths within the message
// and exactly filling it, codecs none/gzip/snappy/lz4, wrappers with a
// non-null value decompressing to a non-empty set of uncompressed messages
// of the wrapper's magic; an empty `data` is refused too. Anything else is
// errc::corrupt with a message naming the problem (errc::too_large for a
// decompression over the limit); `visit` may have been called for earlier
// messages. `scratch` holds the current wrapper's decompressed set: a
// message's views are valid only during its `visit` call.
status decode_legacy_message_set(std::span<const std::byte> data,
                                 const std::function<void(const legacy_message&)>& visit,
                                 std::vector<std::byte>& scratch,
                                 const legacy_decode_options& options = {});

// Appends one uncompressed message to `out`. magic 0 ignores `timestamp`.
void append_legacy_message(std::vector<std::byte>& out, int8_t magic, int64_t offset,
                           int8_t attributes, int64_t timestamp,
                           std::optional<std::span<const std::byte>> key,
                           std::optional<std::span<const std::byte>> value);

// Appends a wrapper holding `inner` (an uncompressed message set) compressed
// with `codec` (gzip, snappy or lz4), with a null key. Errors as compress().
status append_legacy_wrapper(std::vector<std::byte>& out, int8_t magic, int64_t offset,
                             compression codec, int64_t timestamp,
                             std::span<const std::byte> inner);

// Up-conversion (Produce v0-v2): the messages of `data` as one v2 batch
// appended to `out`, with offsets 0..n-1 (the log assigns the real ones), no
// producer id, timestamps per message (-1 for magic 0), compressed with the
// codec of the set's first wrapper (none when there is none), as Kafka keeps
// the producer's codec. Errors as decode_legacy_message_set.
status up_convert_legacy_message_set(std::span<const std::byte> data, std::vector<std::byte>& out,
                                     std::vector<std::byte>& scratch,
                                     const legacy_decode_options& options = {});

// Down-conversion (Fetch v0-v3): the records of the v2 batches in `batches`
// whose offset is at least `first_offset`, appended to `out` as uncompressed
// messages of `magic` with their absolute offsets; magic 1 keeps each
// record's timestamp (the batch's max timestamp and the log-append-time
// attribute for log-append-time batches). Control batches and record headers
// are dropped (the format has none). Errors: errc::corrupt for a malformed
// batch or record. `scratch` is used for decompression.
status down_convert_to_legacy(std::span<const std::byte> batches, int64_t first_offset,
                              int8_t magic, std::vector<std::byte>& out,
                              std::vector<std::byte>& scratch);

}  // namespace spate::model
