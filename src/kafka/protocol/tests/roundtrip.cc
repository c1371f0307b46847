#include "kafka/protocol/tests/roundtrip.h"

#include <array>

namespace spate::kafka::protocol::roundtrip {

std::string text(int k, int seed) {
    return "s" + std::to_string(k) + "-" + std::to_string(seed);
}

std::vector<std::byte> blob(int k, int seed) {
    return {std::byte(static_cast<uint8_t>(k)), std::byte(static_cast<uint8_t>(seed)),
            std::byte{0xff}};
}

uuid id(int k, int seed) {
    return uuid{static_cast<uint64_t>(k) << 32 | static_cast<uint32_t>(seed),
                0x0123456789abcdefULL};
}

std::span<const std::byte> record_set(int seed) {
    static const std::array<std::byte, 12> k_bytes = {
        std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},  std::byte{5},  std::byte{6},
        std::byte{7}, std::byte{8}, std::byte{9}, std::byte{10}, std::byte{11}, std::byte{12}};
    return std::span(k_bytes).first(4 + static_cast<size_t>(seed % 8));
}

}  // namespace spate::kafka::protocol::roundtrip
