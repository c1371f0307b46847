// Encryption at rest of record batches (storage/sealed_batch.h): round trip
// through a log, key rotation, wrong keys, torn tails, compaction, and the
// data directory's key registry.

#include "storage/sealed_batch.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "bytes/crc32c.h"
#include "storage/key_registry.h"
#include "storage/log_manager.h"
#include "storage/tests/compaction_fixture.h"

namespace spate::storage {
namespace sealed_batch_test {
namespace {

using namespace testing;
namespace fs = std::filesystem;

const char* k_key_a = "a:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const char* k_key_b = "b:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
const char* k_key_a_wrong = "a:1111111111111111111111111111111111111111111111111111111111111111";

std::shared_ptr<const key_ring> ring_of(const std::string& text) {
    auto r = key_ring::parse(text);
    SPATE_ASSERT(r.ok());
    return std::make_shared<const key_ring>(std::move(*r));
}

std::shared_ptr<const batch_cipher> cipher_of(const std::string& text) {
    return std::make_shared<const batch_cipher>(ring_of(text));
}

// Whether any file under `dir` contains `needle`.
bool found_in_files(const fs::path& dir, const std::string& needle) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        if (ss.str().find(needle) != std::string::npos) return true;
    }
    return false;
}

// Every file under `dir` with its contents.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        std::string content;
        if (e.is_regular_file()) {
            std::ifstream in(e.path(), std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            content = ss.str();
        }
        out[e.path().string()] = content;
    }
    return out;
}

std::shared_ptr<log> open_encrypted(const fs::path& dir, std::shared_ptr<const batch_cipher> c,
                                    bool clean = true) {
    auto l = log::open(dir, config_with({{"spate.encryption", "true"}}), clean, system_now_ms,
                       std::move(c));
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.err().to_string());
    return l.ok() ? *l : nullptr;
}

void append_values(log& l, const std::string& prefix, int batches, int per_batch) {
    for (int b = 0; b < batches; ++b) {
        std::vector<kv> rs;
        for (int i = 0; i < per_batch; ++i)
            rs.push_back({"key-" + std::to_string(i),
                          prefix + "-" + std::to_string(b) + "-" + std::to_string(i)});
        auto bytes = batch_of(rs, 1000 + b);
        auto r = l.append(bytes);
        ASSERT_TRUE(r.ok()) << r.err().to_string();
    }
}

std::vector<std::string> all_values(const log& l) {
    std::vector<std::string> out;
    for (const auto& r : records_of(l))
        out.push_back(r.value.value_or("<null>"));
    return out;
}

TEST(sealed_batch, a_sealed_batch_opens_to_the_original_bytes_and_hides_the_records) {
    auto c = cipher_of(k_key_a);
    auto plain = batch_of({{"user", "secret-value-123"}, {"user2", "another-secret"}}, 42);
    model::set_base_offset(plain, model::offset(7));
    std::vector<std::byte> sealed(plain.size() + k_sealed_batch_overhead);
    c->seal(plain, sealed);
    // A well-formed v2 batch as stored (length and CRC of the stored bytes).
    auto stored = model::record_batch_view::parse(sealed);
    ASSERT_TRUE(stored.ok()) << stored.err().to_string();
    EXPECT_EQ(stored->base_offset(), model::offset(7));
    EXPECT_EQ(stored->records_count(), 2);
    EXPECT_TRUE(is_sealed_batch(sealed));
    std::string as_text(reinterpret_cast<const char*>(sealed.data()), sealed.size());
    EXPECT_EQ(as_text.find("secret"), std::string::npos);
    auto n = c->open_in_place(sealed);
    ASSERT_TRUE(n.ok()) << n.err().to_string();
    sealed.resize(*n);
    EXPECT_EQ(sealed, plain);
}

TEST(sealed_batch, an_altered_header_or_record_fails_to_open) {
    auto c = cipher_of(k_key_a);
    auto plain = batch_of({{"k", "v"}}, 42);
    std::vector<std::byte> sealed(plain.size() + k_sealed_batch_overhead);
    c->seal(plain, sealed);
    for (size_t at : {size_t{3}, model::batch_layout::max_timestamp, sealed.size() - 20}) {
        auto copy = sealed;
        copy[at] ^= std::byte{1};
        EXPECT_EQ(c->open_in_place(copy).err().code, errc::corrupt) << "byte " << at;
    }
}

TEST(sealed_batch, an_encrypted_log_stores_no_record_value_and_reads_them_back) {
    temp_dir d;
    auto l = open_encrypted(d.path() / "t-0", cipher_of(k_key_a));
    append_values(*l, "payload-visible", 20, 5);
    ASSERT_TRUE(l->close().ok());
    EXPECT_FALSE(found_in_files(d.path(), "payload-visible"));
    l = open_encrypted(d.path() / "t-0", cipher_of(k_key_a));
    auto values = all_values(*l);
    ASSERT_EQ(values.size(), 100u);
    EXPECT_EQ(values.front(), "payload-visible-0-0");
    EXPECT_EQ(values.back(), "payload-visible-19-4");
    // Offsets by timestamp read records inside sealed batches.
    auto o = l->offset_for_timestamp(1005);
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(*o, std::optional<model::offset>(model::offset(25)));
}

TEST(sealed_batch, an_encrypted_topic_needs_a_cipher_and_refuses_batches_with_the_sealed_bit) {
    temp_dir d;
    auto none = log::open(d.path() / "t-0", config_with({{"spate.encryption", "true"}}), true);
    EXPECT_EQ(none.err().code, errc::invalid_argument);
    auto l = open_encrypted(d.path() / "t-1", cipher_of(k_key_a));
    auto b = batch_of({{"k", "v"}}, 1);
    bytes::store_be<int16_t>(b.data() + model::batch_layout::attributes, k_sealed_attribute);
    bytes::store_be<uint32_t>(b.data() + model::batch_layout::crc,
                              bytes::crc32c(std::span<const std::byte>(b).subspan(21)));
    EXPECT_FALSE(l->append(b).ok());
}

TEST(sealed_batch, rotation_seals_new_batches_with_the_new_key_and_old_ones_stay_readable) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    auto l = open_encrypted(dir, cipher_of(k_key_a));
    append_values(*l, "old", 3, 2);
    ASSERT_TRUE(l->close().ok());
    l = open_encrypted(dir, cipher_of(std::string(k_key_a) + "\n" + k_key_b));
    append_values(*l, "new", 3, 2);
    auto values = all_values(*l);
    ASSERT_EQ(values.size(), 12u);
    EXPECT_EQ(values[0], "old-0-0");
    EXPECT_EQ(values[11], "new-2-1");
    ASSERT_TRUE(l->close().ok());
    // Without the old key the old batches fail to open: an error, never bytes.
    l = open_encrypted(dir, cipher_of(k_key_b));
    auto r = l->read(model::offset(0), 1 << 20);
    ASSERT_TRUE(r.ok());
    std::vector<std::byte> out;
    auto st = r->copy_to(out);
    EXPECT_EQ(st.err().code, errc::corrupt);
    EXPECT_NE(st.err().message.find("not in the key file"), std::string::npos);
    EXPECT_TRUE(out.empty());
    // The new batches still read with the new key alone.
    auto tail = l->read(model::offset(6), 1 << 20);
    ASSERT_TRUE(tail.ok());
    EXPECT_TRUE(tail->copy_to(out).ok());
}

TEST(sealed_batch, a_wrong_key_of_the_same_id_fails_authentication) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    auto l = open_encrypted(dir, cipher_of(k_key_a));
    append_values(*l, "v", 2, 2);
    ASSERT_TRUE(l->close().ok());
    l = open_encrypted(dir, cipher_of(k_key_a_wrong));
    auto r = l->read(model::offset(0), 1 << 20);
    ASSERT_TRUE(r.ok());
    std::vector<std::byte> out;
    EXPECT_EQ(r->copy_to(out).err().code, errc::corrupt);
}

TEST(sealed_batch, recovery_truncates_a_torn_sealed_batch_at_the_tail) {
    temp_dir d;
    auto dir = d.path() / "t-0";
    uint64_t size = 0;
    {
        auto l = open_encrypted(dir, cipher_of(k_key_a));
        append_values(*l, "kept", 5, 3);
        size = l->size_bytes();
        append_values(*l, "torn", 1, 3);
        ASSERT_TRUE(l->sync().ok());
        // No close: as if killed.
    }
    auto seg = dir / segment_file_name(model::offset(0), ".log");
    fs::resize_file(seg, fs::file_size(seg) - 10);
    auto l = open_encrypted(dir, cipher_of(k_key_a), false);
    EXPECT_EQ(l->log_end_offset(), model::offset(15));
    EXPECT_EQ(l->size_bytes(), size);
    auto values = all_values(*l);
    ASSERT_EQ(values.size(), 15u);
    EXPECT_EQ(values.back(), "kept-4-2");
    append_values(*l, "after", 1, 1);
    EXPECT_EQ(all_values(*l).back(), "after-0-0");
}

TEST(sealed_batch, compaction_of_an_encrypted_topic_keeps_the_latest_values_sealed) {
    fixture f({{"spate.encryption", "true"}}, cipher_of(k_key_a));
    f.updates(20, 10);
    f.roll();
    auto r = f.compact();
    EXPECT_TRUE(r.ran);
    EXPECT_GE(r.records_removed, 20u * 9u);
    f.expect_latest_only();
    ASSERT_TRUE(f.l->close().ok());
    EXPECT_FALSE(found_in_files(f.d.path(), "v9-1"));
    f.open(true);
    f.expect_latest_only();
}

TEST(sealed_batch, retention_by_size_deletes_sealed_segments_and_the_rest_reads_back) {
    temp_dir d;
    auto l = log::open(d.path() / "t-0",
                       config_with({{"spate.encryption", "true"},
                                    {"segment.bytes", "4096"},
                                    {"retention.bytes", "8192"},
                                    {"retention.ms", "-1"}}),
                       true, system_now_ms, cipher_of(k_key_a));
    ASSERT_TRUE(l.ok());
    append_values(**l, std::string(300, 'r'), 60, 1);
    auto removed = (*l)->enforce_retention(system_now_ms());
    ASSERT_TRUE(removed.ok()) << removed.err().to_string();
    EXPECT_GT(*removed, 0u);
    EXPECT_GT((*l)->log_start_offset(), model::offset(0));
    EXPECT_LE((*l)->size_bytes(), 8192u + 4096u);
    auto values = all_values(**l);
    ASSERT_FALSE(values.empty());
    EXPECT_EQ(values.back(), std::string(300, 'r') + "-59-0");
    EXPECT_EQ(static_cast<int64_t>(values.size()),
              (*l)->log_end_offset().value() - (*l)->log_start_offset().value());
}

// ---- the log manager and the key registry ----

std::unique_ptr<log_manager> open_manager(const fs::path& dir, const char* keys,
                                          config_map defaults = {},
                                          std::set<std::string> encrypted = {}) {
    log_manager_options o;
    o.data_dir = dir;
    o.broker_defaults = std::move(defaults);
    o.cleaner_enable = false;
    if (keys) o.keys = ring_of(keys);
    o.encrypted_topics = std::move(encrypted);
    auto m = log_manager::open(o);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.err().to_string());
    return m.ok() ? std::move(*m) : nullptr;
}

status try_open(const fs::path& dir, const char* keys) {
    log_manager_options o;
    o.data_dir = dir;
    o.cleaner_enable = false;
    if (keys) o.keys = ring_of(keys);
    auto m = log_manager::open(o);
    if (!m.ok()) return m.err();
    return (*m)->close();
}

TEST(sealed_batch, a_start_with_a_wrong_or_missing_key_is_refused_and_changes_nothing) {
    temp_dir d;
    {
        auto m = open_manager(d.path(), k_key_a);
        ASSERT_TRUE(m->create_topic("secret", 1, {{"spate.encryption", "true"}}).ok());
        append_values(*m->get("secret", 0), "x", 2, 2);
        ASSERT_TRUE(m->close().ok());
    }
    auto before = snapshot(d.path());
    auto wrong = try_open(d.path(), k_key_a_wrong);
    EXPECT_NE(wrong.err().message.find("wrong encryption key"), std::string::npos)
        << wrong.err().message;
    auto other = try_open(d.path(), k_key_b);
    EXPECT_NE(other.err().message.find("'a'"), std::string::npos) << other.err().message;
    auto none = try_open(d.path(), nullptr);
    EXPECT_NE(none.err().message.find("no encryption key is configured"), std::string::npos)
        << none.err().message;
    EXPECT_EQ(snapshot(d.path()), before);
    // Rotation: the old key kept, a new one added.
    EXPECT_TRUE(try_open(d.path(), (std::string(k_key_a) + "\n" + k_key_b).c_str()).ok());
}

TEST(sealed_batch, encryption_is_pinned_at_creation_and_cannot_be_changed) {
    temp_dir d;
    auto m =
        open_manager(d.path(), k_key_a, {{"spate.encryption", "true"}}, {"__spate_credentials"});
    ASSERT_TRUE(m->create_topic("by-default", 1, {}).ok());
    EXPECT_EQ(m->describe("by-default")->overrides.at("spate.encryption"), "true");
    ASSERT_TRUE(m->create_topic("plain", 1, {{"spate.encryption", "false"}}).ok());
    EXPECT_FALSE(m->get("plain", 0)->config().encryption);
    EXPECT_TRUE(m->get("by-default", 0)->config().encryption);
    // Other configs change; encryption stays when not named, cannot flip.
    ASSERT_TRUE(m->set_topic_config("by-default", {{"retention.ms", "1000"}}).ok());
    EXPECT_TRUE(m->get("by-default", 0)->config().encryption);
    EXPECT_EQ(m->set_topic_config("by-default", {{"spate.encryption", "false"}}).err().code,
              errc::invalid_argument);
    EXPECT_FALSE(m->set_topic_config("plain", {{"spate.encryption", "true"}}).ok());
    ASSERT_TRUE(m->close().ok());
    // Internal topics holding credentials are encrypted by name.
    temp_dir d2;
    auto m2 = open_manager(d2.path(), k_key_a, {}, {"__spate_credentials"});
    ASSERT_TRUE(m2->create_topic("__spate_credentials", 1, {}).ok());
    EXPECT_TRUE(m2->get("__spate_credentials", 0)->config().encryption);
    ASSERT_TRUE(m2->create_topic("other", 1, {}).ok());
    EXPECT_FALSE(m2->get("other", 0)->config().encryption);
    ASSERT_TRUE(m2->close().ok());
    // Without keys an encrypted topic cannot be created.
    temp_dir d3;
    auto m3 = open_manager(d3.path(), nullptr);
    EXPECT_EQ(m3->create_topic("t", 1, {{"spate.encryption", "true"}}).err().code,
              errc::invalid_argument);
}

TEST(sealed_batch, a_key_file_can_be_added_to_a_directory_with_plaintext_topics) {
    temp_dir d;
    {
        auto m = open_manager(d.path(), nullptr);
        ASSERT_TRUE(m->create_topic("plain", 1, {}).ok());
        append_values(*m->get("plain", 0), "clear", 1, 1);
        ASSERT_TRUE(m->close().ok());
    }
    auto m = open_manager(d.path(), k_key_a);
    ASSERT_TRUE(m->create_topic("secret", 1, {{"spate.encryption", "true"}}).ok());
    EXPECT_EQ(all_values(*m->get("plain", 0)), std::vector<std::string>{"clear-0-0"});
    ASSERT_TRUE(m->close().ok());
    EXPECT_TRUE(fs::exists(d.path() / k_key_registry_file));
}

}  // namespace
}  // namespace sealed_batch_test
}  // namespace spate::storage
