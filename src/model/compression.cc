#include "model/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "bytes/endian.h"

namespace spate::model {

namespace {

constexpr size_t k_min_chunk = 4096;
// Input-derived size guesses are capped so a lying header cannot force a huge
// allocation up front; growth past this is geometric and driven by real output.
constexpr size_t k_max_first_chunk = 16 << 20;
constexpr int k_zstd_level = 3;  // Kafka's default compression.zstd.level

// The 16-byte header snappy-java's SnappyOutputStream writes: magic, then
// version and compatible-version as big-endian int32s.
constexpr unsigned char k_xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t k_xerial_header_size = 16;

const char* as_chars(const std::byte* p) {
    return reinterpret_cast<const char*>(p);
}

// Decompressed output appended to a caller's vector, bounded by max_output.
// The vector is grown geometrically; whatever was not committed (and, unless
// keep() was called, everything appended) is trimmed on destruction.
class output_sink {
  public:
    output_sink(std::vector<std::byte>& out, size_t max_output, size_t first_chunk)
        : _out(out)
        , _base(out.size())
        , _max(max_output)
        , _first_chunk(std::clamp(first_chunk, k_min_chunk, k_max_first_chunk)) {}
    output_sink(const output_sink&) = delete;
    output_sink& operator=(const output_sink&) = delete;
    ~output_sink() { _out.resize(_base + (_keep ? _produced : 0)); }

    // Bytes the caller may still produce without exceeding max_output.
    size_t allowance() const { return _max - std::min(_max, _produced); }
    bool exceeded() const { return _produced > _max; }

    // Writable space after the produced bytes. Only empty once max_output + 1
    // bytes have been produced, which lets streaming decoders detect overflow
    // by producing one byte too many.
    std::span<std::byte> space() {
        size_t limit = _max == SIZE_MAX ? SIZE_MAX : _max + 1;
        size_t free = _out.size() - _base - _produced;
        if (free == 0) {
            size_t left = limit - _produced;
            if (left == 0) return {};
            size_t grow = std::min(left, _produced == 0 ? _first_chunk : _produced);
            _out.resize(_out.size() + grow);
            free = grow;
        }
        return {_out.data() + _base + _produced, free};
    }

    // Exactly `n` writable bytes; requires n <= allowance().
    std::byte* extend(size_t n) {
        SPATE_ASSERT(n <= allowance());
        size_t need = _base + _produced + n;
        if (_out.size() < need) _out.resize(need);
        return _out.data() + _base + _produced;
    }

    void commit(size_t n) { _produced += n; }
    void keep() { _keep = true; }

  private:
    std::vector<std::byte>& _out;
    size_t _base;
    size_t _max;
    size_t _first_chunk;
    size_t _produced = 0;
    bool _keep = false;
};

error too_large(size_t max_output) {
    return make_error(errc::too_large, "decompressed data exceeds limit of " +
                                           std::to_string(max_output) + " bytes");
}

error corrupt(const char* codec, const std::string& what) {
    return make_error(errc::corrupt, std::string(codec) + ": " + what);
}

// ---- gzip ------------------------------------------------------------------

status gzip_compress(std::span<const std::byte> in, std::vector<std::byte>& out) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return make_error(errc::io_error, "gzip: deflateInit2 failed");
    }
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, deflateEnd);
    size_t base = out.size();
    size_t produced = 0;
    out.resize(base +
               deflateBound(&zs, static_cast<uLong>(std::min<size_t>(in.size(), ULONG_MAX))));
    const std::byte* next = in.data();
    size_t left = in.size();
    for (;;) {
        if (zs.avail_in == 0 && left) {
            size_t feed = std::min<size_t>(left, UINT_MAX);
            zs.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(next));
            zs.avail_in = static_cast<uInt>(feed);
            next += feed;
            left -= feed;
        }
        if (out.size() == base + produced) out.resize(out.size() + std::max(produced, k_min_chunk));
        size_t free = std::min<size_t>(out.size() - base - produced, UINT_MAX);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + base + produced);
        zs.avail_out = static_cast<uInt>(free);
        int rc = deflate(&zs, left ? Z_NO_FLUSH : Z_FINISH);
        produced += free - zs.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            out.resize(base);
            return make_error(errc::io_error, "gzip: deflate failed with " + std::to_string(rc));
        }
    }
    out.resize(base + produced);
    return {};
}

status gzip_decompress(std::span<const std::byte> in, output_sink& sink, size_t max_output) {
    z_stream zs{};
    // 15 + 32: maximum window, and accept either gzip or zlib framing.
    if (inflateInit2(&zs, 15 + 32) != Z_OK) {
        return make_error(errc::io_error, "gzip: inflateInit2 failed");
    }
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
    const std::byte* next = in.data();
    size_t left = in.size();
    for (;;) {
        if (zs.avail_in == 0 && left) {
            size_t feed = std::min<size_t>(left, UINT_MAX);
            zs.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(next));
            zs.avail_in = static_cast<uInt>(feed);
            next += feed;
            left -= feed;
        }
        auto space = sink.space();
        if (space.empty()) return too_large(max_output);
        size_t free = std::min<size_t>(space.size(), UINT_MAX);
        zs.next_out = reinterpret_cast<Bytef*>(space.data());
        zs.avail_out = static_cast<uInt>(free);
        int rc = inflate(&zs, Z_NO_FLUSH);
        sink.commit(free - zs.avail_out);
        if (sink.exceeded()) return too_large(max_output);
        bool input_done = zs.avail_in == 0 && left == 0;
        switch (rc) {
            case Z_STREAM_END:
                if (input_done) return {};
                // Another gzip member follows (as `cat a.gz b.gz` produces).
                if (inflateReset(&zs) != Z_OK) return corrupt("gzip", "inflateReset failed");
                break;
            case Z_OK:
                break;
            case Z_BUF_ERROR:
                // No progress was possible: either the output was full (the next
                // round grows it) or the input ended mid-stream.
                if (zs.avail_out != 0 && input_done) return corrupt("gzip", "truncated stream");
                if (zs.avail_out != 0 && zs.avail_in != 0)
                    return corrupt("gzip", "inflate stalled");
                break;
            case Z_MEM_ERROR:
                return make_error(errc::io_error, "gzip: out of memory");
            default:
                return corrupt("gzip",
                               zs.msg ? zs.msg : "inflate failed with " + std::to_string(rc));
        }
    }
}

// ---- snappy ----------------------------------------------------------------

status snappy_block_decompress(const std::byte* p, size_t n, output_sink& sink, size_t max_output) {
    size_t ulen = 0;
    if (!snappy::GetUncompressedLength(as_chars(p), n, &ulen)) {
        return corrupt("snappy", "bad block length header");
    }
    if (ulen > sink.allowance()) return too_large(max_output);
    char empty_target = 0;  // a valid target pointer even when the block is empty
    char* dst = ulen ? reinterpret_cast<char*>(sink.extend(ulen)) : &empty_target;
    if (!snappy::RawUncompress(as_chars(p), n, dst)) {
        return corrupt("snappy", "malformed block");
    }
    sink.commit(ulen);
    return {};
}

status snappy_decompress(std::span<const std::byte> in, output_sink& sink, size_t max_output) {
    if (in.size() < sizeof(k_xerial_magic) ||
        std::memcmp(in.data(), k_xerial_magic, sizeof(k_xerial_magic)) != 0) {
        return snappy_block_decompress(in.data(), in.size(), sink, max_output);
    }
    if (in.size() < k_xerial_header_size) return corrupt("snappy", "truncated xerial header");
    size_t pos = k_xerial_header_size;
    while (pos < in.size()) {
        if (in.size() - pos < 4) return corrupt("snappy", "truncated xerial block length");
        int32_t len = bytes::load_be<int32_t>(in.data() + pos);
        pos += 4;
        if (len < 0 || static_cast<size_t>(len) > in.size() - pos) {
            return corrupt("snappy",
                           "xerial block length " + std::to_string(len) + " outside the input");
        }
        SPATE_TRY(
            snappy_block_decompress(in.data() + pos, static_cast<size_t>(len), sink, max_output));
        pos += static_cast<size_t>(len);
    }
    return {};
}

// ---- lz4 -------------------------------------------------------------------

struct lz4_dctx_deleter {
    void operator()(LZ4F_dctx* c) const { LZ4F_freeDecompressionContext(c); }
};

status lz4_compress(std::span<const std::byte> in, std::vector<std::byte>& out) {
    LZ4F_preferences_t prefs;
    std::memset(&prefs, 0, sizeof(prefs));
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;  // Java's KafkaLZ4BlockInputStream needs it
    size_t base = out.size();
    out.resize(base + LZ4F_compressFrameBound(in.size(), &prefs));
    size_t n =
        LZ4F_compressFrame(out.data() + base, out.size() - base, in.data(), in.size(), &prefs);
    if (LZ4F_isError(n)) {
        out.resize(base);
        return make_error(errc::io_error, std::string("lz4: ") + LZ4F_getErrorName(n));
    }
    out.resize(base + n);
    return {};
}

status lz4_decompress(std::span<const std::byte> in, output_sink& sink, size_t max_output) {
    thread_local std::unique_ptr<LZ4F_dctx, lz4_dctx_deleter> dctx = [] {
        LZ4F_dctx* c = nullptr;
        size_t rc = LZ4F_createDecompressionContext(&c, LZ4F_VERSION);
        return std::unique_ptr<LZ4F_dctx, lz4_dctx_deleter>(LZ4F_isError(rc) ? nullptr : c);
    }();
    if (!dctx) return make_error(errc::io_error, "lz4: cannot create decompression context");
    LZ4F_resetDecompressionContext(dctx.get());  // clean state after an earlier failure
    const std::byte* src = in.data();
    size_t left = in.size();
    for (;;) {
        auto space = sink.space();
        if (space.empty()) return too_large(max_output);
        size_t dst_size = space.size();
        size_t src_size = left;
        size_t hint = LZ4F_decompress(dctx.get(), space.data(), &dst_size, src, &src_size, nullptr);
        if (LZ4F_isError(hint)) return corrupt("lz4", LZ4F_getErrorName(hint));
        src += src_size;
        left -= src_size;
        sink.commit(dst_size);
        if (sink.exceeded()) return too_large(max_output);
        if (hint == 0) {
            if (left == 0) return {};
            continue;  // another frame follows
        }
        if (src_size == 0 && dst_size == 0) {
            return corrupt("lz4", left == 0 ? "truncated frame" : "decoder made no progress");
        }
    }
}

// ---- zstd ------------------------------------------------------------------

struct zstd_dctx_deleter {
    void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};
struct zstd_cctx_deleter {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

status zstd_compress(std::span<const std::byte> in, std::vector<std::byte>& out) {
    thread_local std::unique_ptr<ZSTD_CCtx, zstd_cctx_deleter> cctx(ZSTD_createCCtx());
    if (!cctx) return make_error(errc::io_error, "zstd: cannot create compression context");
    size_t base = out.size();
    out.resize(base + ZSTD_compressBound(in.size()));
    size_t n = ZSTD_compressCCtx(cctx.get(), out.data() + base, out.size() - base, in.data(),
                                 in.size(), k_zstd_level);
    if (ZSTD_isError(n)) {
        out.resize(base);
        return make_error(errc::io_error, std::string("zstd: ") + ZSTD_getErrorName(n));
    }
    out.resize(base + n);
    return {};
}

status zstd_decompress(std::span<const std::byte> in, output_sink& sink, size_t max_output) {
    thread_local std::unique_ptr<ZSTD_DCtx, zstd_dctx_deleter> dctx(ZSTD_createDCtx());
    if (!dctx) return make_error(errc::io_error, "zstd: cannot create decompression context");
    ZSTD_DCtx_reset(dctx.get(), ZSTD_reset_session_only);
    unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR &&
        declared > max_output) {
        return too_large(max_output);
    }
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    for (;;) {
        auto space = sink.space();
        if (space.empty()) return too_large(max_output);
        ZSTD_outBuffer dst{space.data(), space.size(), 0};
        size_t rc = ZSTD_decompressStream(dctx.get(), &dst, &src);
        if (ZSTD_isError(rc)) return corrupt("zstd", ZSTD_getErrorName(rc));
        sink.commit(dst.pos);
        if (sink.exceeded()) return too_large(max_output);
        if (rc == 0) {
            if (src.pos == src.size) return {};
            continue;  // another frame follows
        }
        // The decoder fills the output whenever it can; room left over with
        // all input consumed means the frame is incomplete.
        if (src.pos == src.size && dst.pos < dst.size) return corrupt("zstd", "truncated frame");
    }
}

size_t first_chunk_hint(compression c, std::span<const std::byte> in) {
    if (c == compression::zstd) {
        unsigned long long n = ZSTD_getFrameContentSize(in.data(), in.size());
        if (n != ZSTD_CONTENTSIZE_UNKNOWN && n != ZSTD_CONTENTSIZE_ERROR && n < SIZE_MAX) {
            return static_cast<size_t>(n) + 1;  // +1 so a complete frame needs no regrowth
        }
    }
    return in.size() < SIZE_MAX / 4 ? in.size() * 4 : in.size();
}

}  // namespace

const char* compression_name(compression c) {
    switch (c) {
        case compression::none:
            return "none";
        case compression::gzip:
            return "gzip";
        case compression::snappy:
            return "snappy";
        case compression::lz4:
            return "lz4";
        case compression::zstd:
            return "zstd";
    }
    return "unknown";
}

status compress(compression c, std::span<const std::byte> in, std::vector<std::byte>& out) {
    switch (c) {
        case compression::none:
            out.insert(out.end(), in.begin(), in.end());
            return {};
        case compression::gzip:
            return gzip_compress(in, out);
        case compression::snappy: {
            size_t base = out.size();
            out.resize(base + snappy::MaxCompressedLength(in.size()));
            size_t n = 0;
            snappy::RawCompress(as_chars(in.data()), in.size(),
                                reinterpret_cast<char*>(out.data() + base), &n);
            out.resize(base + n);
            return {};
        }
        case compression::lz4:
            return lz4_compress(in, out);
        case compression::zstd:
            return zstd_compress(in, out);
    }
    return make_error(errc::unsupported,
                      "unknown compression type " + std::to_string(static_cast<int>(c)));
}

status decompress(compression c, std::span<const std::byte> in, std::vector<std::byte>& out,
                  size_t max_output) {
    output_sink sink(out, max_output, first_chunk_hint(c, in));
    status st;
    switch (c) {
        case compression::none:
            if (in.size() > max_output) return too_large(max_output);
            if (!in.empty()) std::memcpy(sink.extend(in.size()), in.data(), in.size());
            sink.commit(in.size());
            break;
        case compression::gzip:
            st = gzip_decompress(in, sink, max_output);
            break;
        case compression::snappy:
            st = snappy_decompress(in, sink, max_output);
            break;
        case compression::lz4:
            st = lz4_decompress(in, sink, max_output);
            break;
        case compression::zstd:
            st = zstd_decompress(in, sink, max_output);
            break;
        default:
            return make_error(errc::unsupported,
                              "unknown compression type " + std::to_string(static_cast<int>(c)));
    }
    if (st.ok()) sink.keep();
    return st;
}

}  // namespace spate::model
