#pragma once

// Round-trip checking for generated messages: the generated tests fill every
// field present in a version with a deterministic non-default value and hand
// the message to check_all_versions.

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kafka/protocol/wire.h"

namespace spate::kafka::protocol::roundtrip {

// Small values derived from a per-field constant `k` and the fill seed.
template <typename T>
T num(int k, int seed) {
    return static_cast<T>(k + seed % 8);
}
std::string text(int k, int seed);
std::vector<std::byte> blob(int k, int seed);
uuid id(int k, int seed);
// A view of static bytes standing in for a record set.
std::span<const std::byte> record_set(int seed);

// Encodes `m` as `version`, decodes it back, and checks equality, identical
// re-encoding, and that every strict prefix of the encoding fails to decode.
template <typename M>
void check_roundtrip(const M& m, int16_t version) {
    SCOPED_TRACE("version " + std::to_string(version));
    const std::vector<std::byte> bytes = encode_message(m, version);
    auto decoded = decode_message<M>(bytes, version);
    ASSERT_TRUE(decoded.ok()) << decoded.err().to_string();
    EXPECT_TRUE(*decoded == m);
    EXPECT_EQ(encode_message(*decoded, version), bytes);
    for (size_t n = 0; n < bytes.size(); ++n) {
        auto truncated = decode_message<M>(std::span(bytes).first(n), version);
        ASSERT_FALSE(truncated.ok()) << "prefix of " << n << " of " << bytes.size() << " bytes";
        EXPECT_EQ(truncated.err().code, errc::corrupt);
    }
}

// Runs check_roundtrip for every valid version with seeds 0 (all values set)
// and 1 (nullable fields null, nested elements alternating).
template <typename M, typename Fill>
void check_all_versions(Fill fill) {
    for (int v = M::k_min_version; v <= M::k_max_version; ++v) {
        for (int seed = 0; seed < 2; ++seed) {
            SCOPED_TRACE("seed " + std::to_string(seed));
            M m;
            fill(m, static_cast<int16_t>(v), seed);
            check_roundtrip(m, static_cast<int16_t>(v));
            if (seed == 0) {
                M fresh;
                fill(fresh, static_cast<int16_t>(v), seed);
                EXPECT_TRUE(fresh == m) << "fill is not deterministic";
            }
        }
    }
}

}  // namespace spate::kafka::protocol::roundtrip
