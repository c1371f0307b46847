#include "model/compression.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bytes/endian.h"

namespace spate::model {
namespace compression_test {
namespace {

using bytes_t = std::vector<std::byte>;

const compression k_codecs[] = {compression::none, compression::gzip, compression::snappy,
                                compression::lz4, compression::zstd};
const compression k_real_codecs[] = {compression::gzip, compression::snappy, compression::lz4,
                                     compression::zstd};

bytes_t random_bytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    bytes_t v(n);
    for (auto& b : v)
        b = static_cast<std::byte>(rng());
    return v;
}

// Text-like data that compresses well.
bytes_t compressible(size_t n) {
    static const std::string k_words = "the quick brown fox jumps over the lazy dog spate kafka ";
    bytes_t v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<std::byte>(k_words[(i * 7 + i / 13) % 57]);
    return v;
}

bytes_t must_compress(compression c, const bytes_t& in) {
    bytes_t out;
    auto st = compress(c, in, out);
    EXPECT_TRUE(st.ok()) << st.err().to_string();
    return out;
}

std::string name(compression c) {
    return compression_name(c);
}

TEST(compression, round_trips_every_codec_and_size) {
    std::vector<bytes_t> inputs = {{},
                                   compressible(1),
                                   compressible(100),
                                   compressible(1 << 20),
                                   random_bytes(70000, 1),
                                   bytes_t(300000)};
    for (compression c : k_codecs) {
        for (const bytes_t& in : inputs) {
            bytes_t packed = must_compress(c, in);
            bytes_t out;
            auto st = decompress(c, packed, out, in.size());
            ASSERT_TRUE(st.ok()) << name(c) << " size " << in.size() << ": "
                                 << st.err().to_string();
            EXPECT_EQ(out, in) << name(c) << " size " << in.size();
        }
    }
}

TEST(compression, compressible_data_shrinks) {
    auto in = compressible(100000);
    for (compression c : k_real_codecs)
        EXPECT_LT(must_compress(c, in).size(), in.size() / 2);
}

TEST(compression, appends_to_existing_output) {
    auto in = compressible(5000);
    for (compression c : k_codecs) {
        bytes_t packed = {std::byte{9}, std::byte{8}};
        ASSERT_TRUE(compress(c, in, packed).ok());
        EXPECT_EQ(packed[0], std::byte{9});
        bytes_t out = {std::byte{7}};
        auto st = decompress(c, std::span<const std::byte>(packed).subspan(2), out, in.size());
        ASSERT_TRUE(st.ok()) << name(c) << ": " << st.err().to_string();
        ASSERT_EQ(out.size(), in.size() + 1);
        EXPECT_EQ(out[0], std::byte{7});
        EXPECT_TRUE(std::equal(in.begin(), in.end(), out.begin() + 1)) << name(c);
    }
}

TEST(compression, names_match_kafka) {
    EXPECT_STREQ(compression_name(compression::none), "none");
    EXPECT_STREQ(compression_name(compression::gzip), "gzip");
    EXPECT_STREQ(compression_name(compression::snappy), "snappy");
    EXPECT_STREQ(compression_name(compression::lz4), "lz4");
    EXPECT_STREQ(compression_name(compression::zstd), "zstd");
    EXPECT_STREQ(compression_name(static_cast<compression>(6)), "unknown");
}

TEST(compression, unknown_codec_is_unsupported) {
    bytes_t in = compressible(10), out;
    auto c = static_cast<compression>(5);
    auto st = compress(c, in, out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::unsupported);
    auto dt = decompress(c, in, out, 100);
    ASSERT_FALSE(dt.ok());
    EXPECT_EQ(dt.err().code, errc::unsupported);
    EXPECT_TRUE(out.empty());
}

TEST(compression, gzip_output_has_gzip_magic) {
    bytes_t packed = must_compress(compression::gzip, compressible(100));
    ASSERT_GE(packed.size(), 2u);
    EXPECT_EQ(packed[0], std::byte{0x1f});
    EXPECT_EQ(packed[1], std::byte{0x8b});
}

TEST(compression, gzip_accepts_zlib_framing) {
    bytes_t in = compressible(20000);
    uLongf len = compressBound(in.size());
    bytes_t packed(len);
    ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(packed.data()), &len,
                        reinterpret_cast<const Bytef*>(in.data()), in.size(), 6),
              Z_OK);
    packed.resize(len);
    bytes_t out;
    ASSERT_TRUE(decompress(compression::gzip, packed, out, in.size()).ok());
    EXPECT_EQ(out, in);
}

TEST(compression, gzip_accepts_concatenated_members) {
    bytes_t a = compressible(3000), b = random_bytes(2000, 3);
    bytes_t packed = must_compress(compression::gzip, a);
    ASSERT_TRUE(compress(compression::gzip, b, packed).ok());
    bytes_t out;
    ASSERT_TRUE(decompress(compression::gzip, packed, out, 1 << 20).ok());
    bytes_t both = a;
    both.insert(both.end(), b.begin(), b.end());
    EXPECT_EQ(out, both);
}

TEST(compression, gzip_rejects_trailing_garbage) {
    bytes_t packed = must_compress(compression::gzip, compressible(3000));
    packed.push_back(std::byte{0x42});
    packed.push_back(std::byte{0x42});
    bytes_t out;
    auto st = decompress(compression::gzip, packed, out, 1 << 20);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::corrupt);
    EXPECT_TRUE(out.empty());
}

// snappy-java's SnappyOutputStream framing.
bytes_t xerial_frame(const bytes_t& in, size_t block_size) {
    bytes_t out = {std::byte{0x82}, std::byte{'S'}, std::byte{'N'}, std::byte{'A'},
                   std::byte{'P'},  std::byte{'P'}, std::byte{'Y'}, std::byte{0}};
    out.resize(16);
    bytes::store_be<int32_t>(out.data() + 8, 1);
    bytes::store_be<int32_t>(out.data() + 12, 1);
    for (size_t pos = 0; pos < in.size(); pos += block_size) {
        size_t n = std::min(block_size, in.size() - pos);
        std::string block;
        snappy::Compress(reinterpret_cast<const char*>(in.data() + pos), n, &block);
        size_t at = out.size();
        out.resize(at + 4 + block.size());
        bytes::store_be<int32_t>(out.data() + at, static_cast<int32_t>(block.size()));
        std::memcpy(out.data() + at + 4, block.data(), block.size());
    }
    return out;
}

TEST(compression, snappy_accepts_xerial_framing) {
    bytes_t in = compressible(100000);
    for (size_t block : {size_t{32768}, size_t{1000}, size_t{200000}}) {
        bytes_t framed = xerial_frame(in, block);
        bytes_t out;
        auto st = decompress(compression::snappy, framed, out, in.size());
        ASSERT_TRUE(st.ok()) << st.err().to_string();
        EXPECT_EQ(out, in);
    }
    // Header only: no blocks, no data.
    bytes_t out;
    ASSERT_TRUE(decompress(compression::snappy, xerial_frame({}, 10), out, 0).ok());
    EXPECT_TRUE(out.empty());
}

TEST(compression, snappy_rejects_bad_xerial_blocks) {
    bytes_t in = compressible(5000);
    bytes_t framed = xerial_frame(in, 1000);
    bytes_t out;
    // Header cut short.
    auto st = decompress(compression::snappy, std::span(framed).subspan(0, 12), out, 1 << 20);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::corrupt);
    // Block length running past the end.
    bytes_t bad = framed;
    bytes::store_be<int32_t>(bad.data() + 16, 1 << 30);
    st = decompress(compression::snappy, bad, out, 1 << 20);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::corrupt);
    // Negative block length.
    bytes::store_be<int32_t>(bad.data() + 16, -5);
    st = decompress(compression::snappy, bad, out, 1 << 20);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::corrupt);
    // Partial length field at the end.
    bad = framed;
    bad.push_back(std::byte{0});
    bad.push_back(std::byte{0});
    st = decompress(compression::snappy, bad, out, 1 << 20);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::corrupt);
    // Cut inside a block.
    st = decompress(compression::snappy, std::span(framed).subspan(0, framed.size() - 3), out,
                    1 << 20);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::corrupt);
    EXPECT_TRUE(out.empty());
}

TEST(compression, snappy_rejects_xerial_bombs) {
    bytes_t framed = xerial_frame(bytes_t(1 << 20), 65536);
    bytes_t out;
    auto st = decompress(compression::snappy, framed, out, (1 << 20) - 1);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::too_large);
    EXPECT_TRUE(out.empty());
}

bytes_t lz4_frame_with(const bytes_t& in, bool checksum, bool content_size, bool linked) {
    LZ4F_preferences_t prefs;
    std::memset(&prefs, 0, sizeof(prefs));
    prefs.frameInfo.contentChecksumFlag =
        checksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum;
    prefs.frameInfo.contentSize = content_size ? in.size() : 0;
    prefs.frameInfo.blockMode = linked ? LZ4F_blockLinked : LZ4F_blockIndependent;
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    bytes_t out(LZ4F_compressFrameBound(in.size(), &prefs));
    size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
    EXPECT_FALSE(LZ4F_isError(n));
    out.resize(n);
    return out;
}

TEST(compression, lz4_accepts_frame_variants_and_concatenated_frames) {
    bytes_t in = compressible(300000);
    for (bool checksum : {false, true}) {
        for (bool size : {false, true}) {
            for (bool linked : {false, true}) {
                bytes_t packed = lz4_frame_with(in, checksum, size, linked);
                bytes_t out;
                ASSERT_TRUE(decompress(compression::lz4, packed, out, in.size()).ok());
                EXPECT_EQ(out, in);
            }
        }
    }
    bytes_t two = lz4_frame_with(in, true, false, false);
    bytes_t second = lz4_frame_with(in, false, true, true);
    two.insert(two.end(), second.begin(), second.end());
    bytes_t out;
    ASSERT_TRUE(decompress(compression::lz4, two, out, 2 * in.size()).ok());
    EXPECT_EQ(out.size(), 2 * in.size());
}

TEST(compression, lz4_detects_content_checksum_mismatch) {
    bytes_t in = compressible(1000);
    bytes_t packed = lz4_frame_with(in, true, false, false);
    packed[packed.size() - 1] ^= std::byte{1};  // last byte of the content checksum
    bytes_t out;
    auto st = decompress(compression::lz4, packed, out, in.size());
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::corrupt);
}

TEST(compression, zstd_accepts_frames_without_content_size) {
    bytes_t in = compressible(500000);
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    bytes_t packed(ZSTD_compressBound(in.size()) + 64);
    ZSTD_outBuffer out_buf{packed.data(), packed.size(), 0};
    ZSTD_inBuffer in_buf{in.data(), in.size(), 0};
    // As streaming producers (zstd-jni's output stream) write it: no content size.
    ASSERT_FALSE(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0)));
    size_t rc = ZSTD_compressStream2(cctx, &out_buf, &in_buf, ZSTD_e_end);
    ASSERT_EQ(rc, 0u);
    ZSTD_freeCCtx(cctx);
    packed.resize(out_buf.pos);
    ASSERT_EQ(ZSTD_getFrameContentSize(packed.data(), packed.size()), ZSTD_CONTENTSIZE_UNKNOWN);
    bytes_t out;
    ASSERT_TRUE(decompress(compression::zstd, packed, out, in.size()).ok());
    EXPECT_EQ(out, in);
    // And the bound still applies without a declared size.
    out.clear();
    auto st = decompress(compression::zstd, packed, out, in.size() - 1);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::too_large);
}

TEST(compression, decompression_bombs_are_too_large) {
    bytes_t zeros(8 << 20);
    for (compression c : k_codecs) {
        bytes_t packed = must_compress(c, zeros);
        bytes_t out = {std::byte{1}};
        auto st = decompress(c, packed, out, 1 << 20);
        ASSERT_FALSE(st.ok()) << name(c);
        EXPECT_EQ(st.err().code, errc::too_large) << name(c);
        EXPECT_EQ(out.size(), 1u) << name(c) << ": output restored on failure";
        // One byte short of the real size is still too large; the exact size fits.
        out.clear();
        st = decompress(c, packed, out, zeros.size() - 1);
        ASSERT_FALSE(st.ok()) << name(c);
        EXPECT_EQ(st.err().code, errc::too_large) << name(c);
        st = decompress(c, packed, out, zeros.size());
        ASSERT_TRUE(st.ok()) << name(c) << ": " << st.err().to_string();
        EXPECT_EQ(out.size(), zeros.size());
    }
}

TEST(compression, truncated_input_is_corrupt) {
    bytes_t in = compressible(20000);
    for (compression c : k_real_codecs) {
        bytes_t packed = must_compress(c, in);
        for (size_t cut = 0; cut < packed.size(); cut += (cut < 64 ? 1 : 97)) {
            bytes_t part(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(cut));
            bytes_t out;
            auto st = decompress(c, part, out, in.size());
            ASSERT_FALSE(st.ok()) << name(c) << " cut " << cut;
            EXPECT_EQ(st.err().code, errc::corrupt) << name(c) << " cut " << cut;
            EXPECT_TRUE(out.empty());
        }
    }
}

TEST(compression, garbage_never_crashes) {
    std::mt19937 rng(11);
    for (compression c : k_real_codecs) {
        bytes_t valid = must_compress(c, compressible(5000));
        for (int trial = 0; trial < 300; ++trial) {
            bytes_t in;
            if (trial % 2 == 0) {
                in = random_bytes(rng() % 400, static_cast<uint32_t>(rng()));
            } else {
                in = valid;
                for (int flips = 1 + trial % 5; flips > 0; --flips) {
                    in[rng() % in.size()] ^= static_cast<std::byte>(1u << (rng() % 8));
                }
            }
            bytes_t out;
            auto st = decompress(c, in, out, 10000);
            if (st.ok()) {
                EXPECT_LE(out.size(), 10000u);
            } else {
                EXPECT_TRUE(st.err().code == errc::corrupt || st.err().code == errc::too_large)
                    << name(c) << ": " << st.err().to_string();
                EXPECT_TRUE(out.empty());
            }
        }
    }
}

TEST(compression, pure_garbage_with_wrong_magic_is_corrupt) {
    bytes_t junk = random_bytes(200, 5);
    junk[0] = std::byte{0};  // no gzip/zlib, lz4 or zstd magic starts with 0x00
    for (compression c : {compression::gzip, compression::lz4, compression::zstd}) {
        bytes_t out;
        auto st = decompress(c, junk, out, 1 << 20);
        ASSERT_FALSE(st.ok()) << name(c);
        EXPECT_EQ(st.err().code, errc::corrupt) << name(c);
    }
    // A raw snappy block claiming more output than it encodes.
    bytes_t lying = {std::byte{0x10}, std::byte{0x04}, std::byte{'a'}};
    bytes_t out;
    auto st = decompress(compression::snappy, lying, out, 1 << 20);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.err().code, errc::corrupt);
}

TEST(compression, empty_input_is_corrupt_for_framed_codecs) {
    for (compression c :
         {compression::gzip, compression::lz4, compression::zstd, compression::snappy}) {
        bytes_t out;
        auto st = decompress(c, {}, out, 100);
        ASSERT_FALSE(st.ok()) << name(c);
        EXPECT_EQ(st.err().code, errc::corrupt) << name(c);
    }
}

}  // namespace
}  // namespace compression_test
}  // namespace spate::model
