#pragma once

// CRC32C (Castagnoli), as used by Kafka record batches v2. Uses the SSE4.2
// crc32 instruction when the CPU has it (checked once at start-up), else a
// portable slicing table implementation. Both produce identical results
// (crc32c_testing.h exposes the portable path to the tests).

#include <cstddef>
#include <cstdint>
#include <span>

namespace spate::bytes {

// CRC32C of `data`, continuing from `crc` (0 for a fresh checksum).
uint32_t crc32c(std::span<const std::byte> data, uint32_t crc = 0);

}  // namespace spate::bytes
