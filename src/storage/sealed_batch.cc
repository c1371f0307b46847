#include "storage/sealed_batch.h"

#include <cstring>
#include <string>

#include "base/assert.h"
#include "bytes/crc32c.h"
#include "bytes/endian.h"

namespace spate::storage {

namespace {

namespace bl = model::batch_layout;

// What a sealed batch's tag authenticates besides the records: the base
// offset and the header fields from attributes to the record count (the
// leader epoch and the CRC, which are not covered, excluded).
constexpr size_t k_aad_bytes = 8 + (bl::header_size - bl::attributes);
static_assert(k_aad_bytes == 48, "docs/formats/encryption.md: sealed batch AAD");

std::array<std::byte, k_aad_bytes> aad_of(std::span<const std::byte> frame) {
    std::array<std::byte, k_aad_bytes> aad;
    std::memcpy(aad.data(), frame.data() + bl::base_offset, 8);
    std::memcpy(aad.data() + 8, frame.data() + bl::attributes, bl::header_size - bl::attributes);
    return aad;
}

int16_t attributes_of(std::span<const std::byte> b) {
    return bytes::load_be<int16_t>(b.data() + bl::attributes);
}

// Sets the batch length and recomputes the CRC of the batch filling `b`.
void finish_header(std::span<std::byte> b) {
    bytes::store_be<int32_t>(b.data() + bl::batch_length,
                             static_cast<int32_t>(b.size() - bl::log_overhead));
    bytes::store_be<uint32_t>(b.data() + bl::crc, bytes::crc32c(b.subspan(bl::attributes)));
}

bool is_control(std::span<const std::byte> b) {
    return (attributes_of(b) & model::batch_attr::control) != 0;
}

}  // namespace

bool is_sealed_batch(std::span<const std::byte> batch) {
    SPATE_ASSERT(batch.size() >= bl::attributes + 2);
    return (attributes_of(batch) & k_sealed_attribute) != 0;
}

batch_cipher::batch_cipher(std::shared_ptr<const key_ring> keys)
    : _keys(std::move(keys)), _writer_id(new_writer_id()) {
    SPATE_ASSERT(_keys && _keys->size() > 0);
}

chunk_nonce batch_cipher::next_nonce() const {
    std::lock_guard lk(_mu);
    if (_counter == UINT32_MAX) {
        _writer_id = new_writer_id();
        _counter = 0;
    }
    return {_writer_id, _counter++};
}

void batch_cipher::seal(std::span<const std::byte> plain, std::span<std::byte> out) const {
    SPATE_ASSERT(plain.size() >= bl::header_size);
    SPATE_ASSERT(out.size() == plain.size() + k_sealed_batch_overhead);
    const encryption_key& key = _keys->active();
    std::memcpy(out.data(), plain.data(), bl::header_size);
    bytes::store_be<int16_t>(out.data() + bl::attributes,
                             static_cast<int16_t>(attributes_of(plain) | k_sealed_attribute));
    bytes::store_be<uint64_t>(out.data() + k_sealed_key_check_at, key.check);
    auto aad = aad_of(out);
    seal_chunk_to(key, next_nonce(), aad, plain.subspan(bl::header_size),
                  out.subspan(k_sealed_chunk_at));
    finish_header(out);
}

result<size_t> batch_cipher::open_in_place(std::span<std::byte> frame) const {
    if (frame.size() < k_sealed_chunk_at + k_seal_overhead)
        return make_error(errc::corrupt, "sealed batch shorter than its header, nonce and tag");
    uint64_t check = bytes::load_be<uint64_t>(frame.data() + k_sealed_key_check_at);
    const encryption_key* key = _keys->find_by_check(check);
    if (!key) {
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(check));
        return make_error(errc::corrupt, std::string("batch at offset ") +
                                             std::to_string(bytes::load_be<int64_t>(frame.data())) +
                                             " was sealed with a key (check value " + hex +
                                             ") that is not in the key file");
    }
    auto aad = aad_of(frame);
    auto text = open_chunk_in_place(*key, aad, frame.subspan(k_sealed_chunk_at));
    if (!text.ok())
        return make_error(errc::corrupt, "batch at offset " +
                                             std::to_string(bytes::load_be<int64_t>(frame.data())) +
                                             ": " + text.err().message);
    std::memmove(frame.data() + bl::header_size, text->data(), text->size());
    bytes::store_be<int16_t>(frame.data() + bl::attributes,
                             static_cast<int16_t>(attributes_of(frame) & ~k_sealed_attribute));
    size_t n = bl::header_size + text->size();
    finish_header(frame.subspan(0, n));
    return n;
}

result<size_t> batch_cipher::open_all_in_place(std::span<std::byte> data) const {
    size_t in = 0;
    size_t out = 0;
    while (in < data.size()) {
        if (data.size() - in < bl::header_size)
            return make_error(errc::corrupt, "partial batch header in a read");
        int32_t len = bytes::load_be<int32_t>(data.data() + in + bl::batch_length);
        size_t size = bl::log_overhead + static_cast<size_t>(std::max(len, 0));
        if (size < bl::header_size || size > data.size() - in)
            return make_error(errc::corrupt, "batch length past the end of a read");
        auto frame = data.subspan(in, size);
        size_t n = size;
        if (is_sealed_batch(frame)) {
            auto opened = open_in_place(frame);
            if (!opened.ok()) return opened.err();
            n = *opened;
        }
        if (out != in) std::memmove(data.data() + out, frame.data(), n);
        in += size;
        out += n;
    }
    return out;
}

void batch_cipher::seal_batches(std::span<const std::byte> data,
                                std::span<batch_position> positions,
                                std::vector<std::byte>& out) const {
    size_t total = 0;
    for (const auto& p : positions) {
        auto b = data.subspan(p.position, p.size);
        total += p.size + (is_control(b) ? 0 : k_sealed_batch_overhead);
    }
    out.resize(total);
    size_t at = 0;
    for (auto& p : positions) {
        auto b = data.subspan(p.position, p.size);
        size_t size = p.size;
        if (is_control(b)) {
            std::memcpy(out.data() + at, b.data(), size);
        } else {
            size += k_sealed_batch_overhead;
            seal(b, std::span<std::byte>(out.data() + at, size));
        }
        p.position = at;
        p.size = static_cast<uint32_t>(size);
        at += size;
    }
}

}  // namespace spate::storage
