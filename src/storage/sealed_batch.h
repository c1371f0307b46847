#pragma once

// Encryption at rest of record batches (docs/formats/encryption.md,
// "Sealed batches"). A topic with spate.encryption=true stores each data
// batch as a sealed batch: the 61-byte v2 header stays readable (offsets,
// timestamps, producer fields, record count: what indexes, recovery,
// retention and producer state need) and the records section is sealed with
// AES-256-GCM. The stored frame is itself a well-formed v2 batch (length
// and CRC cover the stored bytes), so segment scans, torn-tail truncation
// and the indexes work on it unchanged; only code that reads records opens
// it. Control batches (transaction markers, no user data) stay plaintext.
//
// Threading: a batch_cipher is shared by every encrypted log of a
// log_manager; seal() and open() are safe from any thread (the nonce
// counter is under a mutex, one lock per batch).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "base/result.h"
#include "model/record_batch.h"
#include "storage/encryption.h"
#include "storage/segment.h"

namespace spate::storage {

// Attribute bit marking a sealed batch (unused by Kafka's v2 format; a
// produced batch carrying it is refused).
inline constexpr int16_t k_sealed_attribute = 0x0100;
// Sealed frame: v2 header (61) | key check (8) | nonce (12) | ciphertext of
// the records section | tag (16).
inline constexpr size_t k_sealed_key_check_at = model::batch_layout::header_size;
inline constexpr size_t k_sealed_chunk_at = k_sealed_key_check_at + 8;
inline constexpr size_t k_sealed_batch_overhead = 8 + k_seal_overhead;
static_assert(k_sealed_chunk_at == 69, "docs/formats/encryption.md: sealed batch layout");
static_assert(k_sealed_batch_overhead == 36, "docs/formats/encryption.md: sealed batch layout");

// Whether the batch whose header starts `batch` is sealed (needs >= 23 bytes).
bool is_sealed_batch(std::span<const std::byte> batch);

class batch_cipher {
  public:
    explicit batch_cipher(std::shared_ptr<const key_ring> keys);

    const key_ring& keys() const { return *_keys; }

    // Seals the plaintext batch `plain` (offsets assigned) into `out`, which
    // is exactly plain.size() + k_sealed_batch_overhead bytes, with the
    // active key.
    void seal(std::span<const std::byte> plain, std::span<std::byte> out) const;

    // Opens the sealed batch `frame` where it lies: afterwards the first
    // returned-size bytes of `frame` are the original plaintext batch (CRC
    // recomputed). errc::corrupt when the key named by the frame is not in
    // the ring or authentication fails; `frame` is then undefined.
    result<size_t> open_in_place(std::span<std::byte> frame) const;

    // Turns `data`, holding whole stored batches back to back, into
    // plaintext batches in place (sealed ones opened, others moved down);
    // returns the plaintext length.
    result<size_t> open_all_in_place(std::span<std::byte> data) const;

    // Seals every data batch among `positions` (relative to `data`) into
    // `out` (replaced), and rewrites `positions` to the stored frames.
    void seal_batches(std::span<const std::byte> data, std::span<batch_position> positions,
                      std::vector<std::byte>& out) const;

  private:
    chunk_nonce next_nonce() const;

    std::shared_ptr<const key_ring> _keys;
    mutable std::mutex _mu;  // guards the nonce state
    mutable uint64_t _writer_id;
    mutable uint32_t _counter = 0;
};

}  // namespace spate::storage
