#include "storage/encryption.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "base/assert.h"

namespace spate::storage {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::string default_id(const std::array<std::byte, k_key_bytes>& key) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    SPATE_ASSERT(EVP_Digest(key.data(), key.size(), digest, &len, EVP_sha256(), nullptr) == 1);
    static const char* k_hex = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 4; ++i) {
        id += k_hex[digest[i] >> 4];
        id += k_hex[digest[i] & 15];
    }
    return id;
}

error bad_line(size_t line, const std::string& why) {
    return make_error(errc::invalid_argument,
                      "encryption key file line " + std::to_string(line) + ": " + why);
}

using cipher_ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

cipher_ctx new_ctx() {
    cipher_ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    SPATE_ASSERT(ctx != nullptr);
    return ctx;
}

const unsigned char* u8(const std::byte* p) {
    return reinterpret_cast<const unsigned char*>(p);
}
unsigned char* u8(std::byte* p) {
    return reinterpret_cast<unsigned char*>(p);
}

}  // namespace

result<key_ring> key_ring::parse(std::string_view text) {
    key_ring ring;
    size_t line_no = 0;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        if (line.empty() || line.front() == '#') continue;
        encryption_key key;
        std::string_view hex = line;
        if (size_t colon = line.find(':'); colon != std::string_view::npos) {
            key.id = std::string(trim(line.substr(0, colon)));
            hex = trim(line.substr(colon + 1));
            if (key.id.empty()) return bad_line(line_no, "empty key id before ':'");
        }
        if (hex.size() != 2 * k_key_bytes)
            return bad_line(line_no, "a key is 64 hex digits (openssl rand -hex 32), got " +
                                         std::to_string(hex.size()) + " characters");
        size_t got = 0;
        std::string digits(hex);
        if (OPENSSL_hexstr2buf_ex(u8(key.bytes.data()), key.bytes.size(), &got, digits.c_str(),
                                  '\0') != 1 ||
            got != k_key_bytes) {
            ERR_clear_error();  // the parse left its reason on this thread's queue
            return bad_line(line_no, "not a hex digit");
        }
        if (key.id.empty()) key.id = default_id(key.bytes);
        key.check = key_check_value(key.bytes);
        if (ring.find(key.id)) return bad_line(line_no, "key id '" + key.id + "' used twice");
        ring._keys.push_back(std::move(key));
    }
    if (ring._keys.empty())
        return make_error(errc::invalid_argument, "encryption key file holds no key");
    return ring;
}

result<key_ring> key_ring::load(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return make_error(errc::io_error,
                          "encryption key file " + path + ": " + std::strerror(errno));
    std::stringstream text;
    text << in.rdbuf();
    auto ring = parse(text.str());
    if (!ring.ok()) return make_error(ring.err().code, path + ": " + ring.err().message);
    return ring;
}

const encryption_key* key_ring::find(std::string_view id) const {
    for (const auto& k : _keys)
        if (k.id == id) return &k;
    return nullptr;
}

const encryption_key* key_ring::find_by_check(uint64_t check) const {
    for (const auto& k : _keys)
        if (k.check == check) return &k;
    return nullptr;
}

uint64_t new_writer_id() {
    uint64_t id = 0;
    SPATE_ASSERT(RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id) == 1);
    return id;
}

namespace {

// One cipher context per thread, reused by every seal and open: creating one
// allocates.
EVP_CIPHER_CTX* thread_ctx() {
    thread_local cipher_ctx ctx = new_ctx();
    return ctx.get();
}

}  // namespace

uint64_t key_check_value(const std::array<std::byte, k_key_bytes>& key) {
    static constexpr std::string_view k_label = "spate key check v1";
    unsigned char in[k_label.size() + k_key_bytes];
    std::memcpy(in, k_label.data(), k_label.size());
    std::memcpy(in + k_label.size(), key.data(), key.size());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    SPATE_ASSERT(EVP_Digest(in, sizeof in, digest, &len, EVP_sha256(), nullptr) == 1);
    OPENSSL_cleanse(in, sizeof in);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | digest[i];
    return v;
}

void seal_chunk_to(const encryption_key& key, chunk_nonce nonce, std::span<const std::byte> aad,
                   std::span<const std::byte> plaintext, std::span<std::byte> out) {
    SPATE_ASSERT(out.size() == plaintext.size() + k_seal_overhead);
    for (int i = 0; i < 8; ++i)
        out[size_t(i)] = std::byte(nonce.writer_id >> (56 - 8 * i));
    for (int i = 0; i < 4; ++i)
        out[size_t(8 + i)] = std::byte(nonce.counter >> (24 - 8 * i));
    EVP_CIPHER_CTX* ctx = thread_ctx();
    int len = 0;
    SPATE_ASSERT(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, u8(key.bytes.data()),
                                    u8(out.data())) == 1);
    if (!aad.empty())
        SPATE_ASSERT(EVP_EncryptUpdate(ctx, nullptr, &len, u8(aad.data()), int(aad.size())) == 1);
    if (!plaintext.empty())
        SPATE_ASSERT(EVP_EncryptUpdate(ctx, u8(out.data() + k_nonce_bytes), &len,
                                       u8(plaintext.data()), int(plaintext.size())) == 1);
    SPATE_ASSERT(
        EVP_EncryptFinal_ex(ctx, u8(out.data() + k_nonce_bytes + plaintext.size()), &len) == 1);
    SPATE_ASSERT(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, int(k_tag_bytes),
                                     out.data() + k_nonce_bytes + plaintext.size()) == 1);
}

result<std::span<std::byte>> open_chunk_in_place(const encryption_key& key,
                                                 std::span<const std::byte> aad,
                                                 std::span<std::byte> sealed) {
    if (sealed.size() < k_seal_overhead)
        return make_error(errc::corrupt, "sealed chunk shorter than its nonce and tag");
    size_t n = sealed.size() - k_seal_overhead;
    std::span<std::byte> text = sealed.subspan(k_nonce_bytes, n);
    std::array<std::byte, k_tag_bytes> tag;
    std::memcpy(tag.data(), sealed.data() + k_nonce_bytes + n, k_tag_bytes);
    EVP_CIPHER_CTX* ctx = thread_ctx();
    int len = 0;
    SPATE_ASSERT(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, u8(key.bytes.data()),
                                    u8(sealed.data())) == 1);
    if (!aad.empty())
        SPATE_ASSERT(EVP_DecryptUpdate(ctx, nullptr, &len, u8(aad.data()), int(aad.size())) == 1);
    if (n > 0)
        SPATE_ASSERT(EVP_DecryptUpdate(ctx, u8(text.data()), &len, u8(text.data()), int(n)) == 1);
    SPATE_ASSERT(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, int(k_tag_bytes), tag.data()) == 1);
    if (EVP_DecryptFinal_ex(ctx, u8(text.data() + n), &len) != 1)
        return make_error(errc::corrupt,
                          "sealed chunk fails authentication (wrong key or "
                          "altered data)");
    return text;
}

std::vector<std::byte> seal_chunk(const encryption_key& key, chunk_nonce nonce,
                                  std::span<const std::byte> aad,
                                  std::span<const std::byte> plaintext) {
    std::vector<std::byte> out(k_nonce_bytes + plaintext.size() + k_tag_bytes);
    seal_chunk_to(key, nonce, aad, plaintext, out);
    return out;
}

result<std::vector<std::byte>> open_chunk(const encryption_key& key, std::span<const std::byte> aad,
                                          std::span<const std::byte> sealed) {
    std::vector<std::byte> copy(sealed.begin(), sealed.end());
    auto text = open_chunk_in_place(key, aad, copy);
    if (!text.ok()) return text.err();
    return std::vector<std::byte>(text->begin(), text->end());
}

}  // namespace spate::storage
