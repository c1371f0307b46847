#pragma once

// Record-batch compression codecs in the byte formats Kafka clients put on the
// wire:
//   gzip   - a gzip stream (decompression also accepts zlib framing and
//            concatenated gzip members);
//   snappy - compression emits a raw snappy block (as librdkafka does);
//            decompression accepts a raw block or the xerial "snappy-java"
//            framing Java clients emit;
//   lz4    - the LZ4 frame format (independent 64 KiB blocks when compressing);
//   zstd   - standard zstd frames; frames without a content size are fine.
//
// Threading: every function is safe to call concurrently; codec contexts are
// cached per thread.

#include <cstddef>
#include <span>
#include <vector>

#include "base/result.h"
#include "model/record_batch.h"

namespace spate::model {

// Name as Kafka spells it ("none", "gzip", ...), or "unknown".
const char* compression_name(compression c);

// Appends the compressed form of `in` to `out`. compression::none appends `in`
// unchanged. Errors: errc::unsupported for an unknown codec value; errc::io_error
// if the codec library fails (out of memory). On error `out` keeps its
// original size.
status compress(compression c, std::span<const std::byte> in, std::vector<std::byte>& out);

// Appends the decompressed form of `in` to `out`, producing at most
// `max_output` bytes. Errors: errc::too_large when the output would exceed
// `max_output` (decompression bombs); errc::corrupt for malformed or truncated
// input, or trailing garbage; errc::unsupported for an unknown codec value. On
// error `out` keeps its original size (its spare capacity may have changed).
status decompress(compression c, std::span<const std::byte> in, std::vector<std::byte>& out,
                  size_t max_output);

}  // namespace spate::model
