#pragma once

// Test-only hooks of crc32c.h: the portable implementation and whether the
// hardware path is in use, so tests can compare both paths. Not for
// production code, which calls crc32c() and lets it choose.

#include <cstddef>
#include <cstdint>
#include <span>

namespace spate::bytes {

uint32_t crc32c_portable(std::span<const std::byte> data, uint32_t crc = 0);

bool crc32c_hardware_available();

}  // namespace spate::bytes
