#pragma once

// Encryption at rest, the primitives (docs/formats/encryption.md): the key
// ring read from `spate.encryption.key.file` and AES-256-GCM sealing of one
// chunk of segment data. Segment files, indexes and internal topics use
// them chunk by chunk; a chunk is authenticated together with where it
// belongs (`aad`: file identity and chunk index), so a chunk moved, swapped
// or altered fails to open rather than being served.
//
// Nonces are never reused under one key: a chunk's nonce is the writer's
// random 64-bit id (one per opened file) and a 32-bit counter the writer
// increments for every seal, so rewriting a file's last, growing chunk
// takes a fresh nonce each time.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace spate::storage {

inline constexpr size_t k_key_bytes = 32;    // AES-256
inline constexpr size_t k_nonce_bytes = 12;  // GCM's 96-bit IV
inline constexpr size_t k_tag_bytes = 16;
// Bytes a sealed chunk adds to its plaintext: nonce before, tag after.
inline constexpr size_t k_seal_overhead = k_nonce_bytes + k_tag_bytes;
static_assert(k_seal_overhead == 28, "docs/formats/encryption.md: sealed chunk layout");

struct encryption_key {
    std::string id;  // "ID:" prefix of its line, else the first 8 hex of SHA-256(key)
    std::array<std::byte, k_key_bytes> bytes{};
    // The key's check value: the first 8 bytes of SHA-256("spate key check
    // v1" || key), big-endian. Stored beside data the key sealed (and in the
    // data directory's key registry) so that the key a chunk needs is found,
    // and a wrong key is recognised, without trying to decrypt.
    uint64_t check = 0;
};

// The keys of a key file: one per line, 64 hex digits, optionally "ID:"
// before them; blank lines and '#' comments skipped. The last key encrypts
// new data; every key decrypts what it encrypted.
class key_ring {
  public:
    // Errors name the line (1-based) and what is wrong; an empty ring is an
    // error; so is an id used twice.
    static result<key_ring> parse(std::string_view text);
    static result<key_ring> load(const std::string& path);

    const encryption_key& active() const { return _keys.back(); }
    const encryption_key* find(std::string_view id) const;
    const encryption_key* find_by_check(uint64_t check) const;
    const std::vector<encryption_key>& keys() const { return _keys; }
    size_t size() const { return _keys.size(); }

  private:
    std::vector<encryption_key> _keys;
};

// A chunk's nonce: writer id, then its counter (big-endian).
struct chunk_nonce {
    uint64_t writer_id = 0;
    uint32_t counter = 0;
};

// nonce || AES-256-GCM(plaintext) || tag, authenticating `aad` too.
std::vector<std::byte> seal_chunk(const encryption_key& key, chunk_nonce nonce,
                                  std::span<const std::byte> aad,
                                  std::span<const std::byte> plaintext);

// The plaintext of a sealed chunk; errc::corrupt when it is too short or
// fails authentication (wrong key, other aad, altered bytes).
result<std::vector<std::byte>> open_chunk(const encryption_key& key, std::span<const std::byte> aad,
                                          std::span<const std::byte> sealed);

// Allocation-free forms for hot paths. seal_chunk_to writes
// nonce || ciphertext || tag into `out` (exactly plaintext.size() +
// k_seal_overhead bytes). open_chunk_in_place decrypts the ciphertext of
// `sealed` where it lies (bytes [k_nonce_bytes, size - k_tag_bytes)) and
// returns that span; errc::corrupt as open_chunk, the bytes then undefined.
void seal_chunk_to(const encryption_key& key, chunk_nonce nonce, std::span<const std::byte> aad,
                   std::span<const std::byte> plaintext, std::span<std::byte> out);
result<std::span<std::byte>> open_chunk_in_place(const encryption_key& key,
                                                 std::span<const std::byte> aad,
                                                 std::span<std::byte> sealed);

// The check value of a key (encryption_key::check).
uint64_t key_check_value(const std::array<std::byte, k_key_bytes>& key);

// A random writer id (one per file opened for writing).
uint64_t new_writer_id();

}  // namespace spate::storage
