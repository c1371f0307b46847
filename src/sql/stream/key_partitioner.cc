#include "sql/stream/key_partitioner.h"

#include "base/assert.h"

namespace spate::sql {

uint32_t kafka_murmur2(std::string_view bytes) {
    constexpr uint32_t k_seed = 0x9747b28c;
    constexpr uint32_t k_m = 0x5bd1e995;
    constexpr int k_r = 24;
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const size_t length = bytes.size();
    uint32_t h = k_seed ^ static_cast<uint32_t>(length);
    const size_t blocks = length / 4;
    for (size_t i = 0; i < blocks; ++i) {
        const unsigned char* p = data + 4 * i;
        uint32_t k = uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) |
                     (uint32_t(p[3]) << 24);
        k *= k_m;
        k ^= k >> k_r;
        k *= k_m;
        h *= k_m;
        h ^= k;
    }
    const unsigned char* tail = data + 4 * blocks;
    switch (length % 4) {
        case 3:
            h ^= uint32_t(tail[2]) << 16;
            [[fallthrough]];
        case 2:
            h ^= uint32_t(tail[1]) << 8;
            [[fallthrough]];
        case 1:
            h ^= uint32_t(tail[0]);
            h *= k_m;
    }
    h ^= h >> 13;
    h *= k_m;
    h ^= h >> 15;
    return h;
}

int32_t kafka_key_partition(std::string_view key, int32_t partitions) {
    SPATE_ASSERT(partitions >= 1);
    return static_cast<int32_t>((kafka_murmur2(key) & 0x7fffffffu) %
                                static_cast<uint32_t>(partitions));
}

}  // namespace spate::sql
