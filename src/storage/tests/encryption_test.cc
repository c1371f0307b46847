#include "storage/encryption.h"

#include <gtest/gtest.h>

#include <cstring>

namespace spate::storage {
namespace encryption_test {
namespace {

const char* k_key_a = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const char* k_key_b = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

std::vector<std::byte> bytes(std::string_view s) {
    std::vector<std::byte> out(s.size());
    std::memcpy(out.data(), s.data(), s.size());
    return out;
}

TEST(key_ring, the_last_key_is_active_and_ids_are_given_or_derived) {
    std::string text = std::string("# keys\n\nold:") + k_key_a + "\n  " + k_key_b + "  \r\n";
    auto ring = key_ring::parse(text);
    ASSERT_TRUE(ring.ok()) << ring.err().message;
    EXPECT_EQ(ring->size(), 2u);
    EXPECT_EQ(ring->active().bytes[0], std::byte{0xff});
    EXPECT_EQ(ring->active().id.size(), 8u);
    ASSERT_NE(ring->find("old"), nullptr);
    EXPECT_EQ(ring->find("old")->bytes[1], std::byte{0x01});
    // The derived id does not depend on the key's line.
    auto alone = key_ring::parse(k_key_b);
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(alone->active().id, ring->active().id);
}

TEST(key_ring, malformed_files_name_the_line) {
    struct bad {
        std::string text;
        std::string says;
    };
    for (const auto& b : std::vector<bad>{
             {"", "no key"},
             {"# only a comment\n", "no key"},
             {std::string(k_key_a).substr(0, 62), "line 1"},
             {std::string(k_key_a) + "\nzz" + std::string(k_key_b).substr(2), "line 2"},
             {std::string(":") + k_key_a, "empty key id"},
             {std::string("x:") + k_key_a + "\nx:" + k_key_b, "used twice"}}) {
        auto r = key_ring::parse(b.text);
        ASSERT_FALSE(r.ok()) << b.text;
        EXPECT_NE(r.err().message.find(b.says), std::string::npos) << r.err().message;
    }
    EXPECT_EQ(key_ring::load("/nonexistent/keys").err().code, errc::io_error);
}

TEST(chunk_seal, sealed_chunks_open_only_with_their_key_and_place) {
    auto ring = key_ring::parse(std::string(k_key_a) + "\n" + k_key_b);
    ASSERT_TRUE(ring.ok());
    const auto& key = ring->active();
    auto aad = bytes("segment-7/chunk-3");
    auto plain = bytes("a record value nobody may read on disk");
    auto sealed = seal_chunk(key, {new_writer_id(), 1}, aad, plain);
    ASSERT_EQ(sealed.size(), plain.size() + k_seal_overhead);
    // The plaintext does not appear in the sealed bytes.
    std::string_view on_disk(reinterpret_cast<const char*>(sealed.data()), sealed.size());
    EXPECT_EQ(on_disk.find("record value"), std::string_view::npos);

    auto back = open_chunk(key, aad, sealed);
    ASSERT_TRUE(back.ok()) << back.err().message;
    EXPECT_EQ(back.value(), plain);

    auto other_place = bytes("segment-7/chunk-4");
    EXPECT_EQ(open_chunk(key, other_place, sealed).err().code, errc::corrupt);
    EXPECT_EQ(open_chunk(key, aad, std::span(sealed).first(10)).err().code, errc::corrupt);
    encryption_key wrong = key;
    wrong.bytes[0] ^= std::byte{1};
    EXPECT_FALSE(open_chunk(wrong, aad, sealed).ok());
    for (size_t i : {size_t(0), size_t(12), sealed.size() - 1}) {
        auto altered = sealed;
        altered[i] ^= std::byte{0x80};
        EXPECT_FALSE(open_chunk(key, aad, altered).ok()) << "byte " << i;
    }
}

TEST(chunk_seal, each_seal_of_a_growing_chunk_takes_its_own_nonce) {
    auto ring = key_ring::parse(k_key_a);
    ASSERT_TRUE(ring.ok());
    uint64_t writer = new_writer_id();
    auto first = seal_chunk(ring->active(), {writer, 1}, {}, bytes("abc"));
    auto second = seal_chunk(ring->active(), {writer, 2}, {}, bytes("abcdef"));
    EXPECT_NE(std::memcmp(first.data(), second.data(), k_nonce_bytes), 0);
    EXPECT_EQ(open_chunk(ring->active(), {}, second).value(), bytes("abcdef"));
    auto empty = seal_chunk(ring->active(), {writer, 3}, {}, {});
    EXPECT_EQ(empty.size(), k_seal_overhead);
    EXPECT_TRUE(open_chunk(ring->active(), {}, empty).value().empty());
}

}  // namespace
}  // namespace encryption_test
}  // namespace spate::storage
