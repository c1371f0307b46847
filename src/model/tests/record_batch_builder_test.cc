#include "model/record_batch_builder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bytes/crc32c.h"
#include "bytes/endian.h"
#include "model/compression.h"
#include "model/records.h"

namespace spate::model {
namespace {

using bytes_t = std::vector<std::byte>;

bytes_t to_bytes(std::string_view s) {
    auto b = std::as_bytes(std::span<const char>(s.data(), s.size()));
    return bytes_t(b.begin(), b.end());
}

std::optional<std::string> to_opt_string(const std::optional<std::span<const std::byte>>& b) {
    if (!b) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(b->data()), b->size());
}

// What a test added, to compare against what the reader returns.
struct expected_record {
    int64_t timestamp;
    std::optional<std::string> key, value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

void add(record_batch_builder& b, const expected_record& e) {
    std::optional<bytes_t> key, value;
    if (e.key) key = to_bytes(*e.key);
    if (e.value) value = to_bytes(*e.value);
    std::vector<bytes_t> header_values;
    header_values.reserve(e.headers.size());
    std::vector<record_header> headers;
    for (const auto& [k, v] : e.headers) {
        record_header h{k, std::nullopt};
        if (v) h.value = header_values.emplace_back(to_bytes(*v));
        headers.push_back(h);
    }
    auto as_span = [](const std::optional<bytes_t>& b) {
        return b ? std::optional<std::span<const std::byte>>(*b) : std::nullopt;
    };
    b.add(e.timestamp, as_span(key), as_span(value), headers);
}

void expect_round_trip(const bytes_t& batch, const std::vector<expected_record>& want,
                       int64_t base_offset, compression c) {
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok()) << view.err().to_string();
    EXPECT_EQ(view->size_bytes(), batch.size());
    EXPECT_EQ(view->compression_type(), c);
    EXPECT_EQ(view->records_count(), static_cast<int32_t>(want.size()));
    EXPECT_EQ(view->last_offset_delta(), static_cast<int32_t>(want.size()) - 1);
    EXPECT_EQ(view->base_offset(), offset(base_offset));
    bytes_t scratch;
    auto reader = record_reader::create(*view, scratch);
    ASSERT_TRUE(reader.ok()) << reader.err().to_string();
    size_t i = 0;
    auto st = reader->for_each([&](const record_view& r) {
        ASSERT_LT(i, want.size());
        const expected_record& e = want[i];
        EXPECT_EQ(r.offset_delta, static_cast<int32_t>(i));
        EXPECT_EQ(reader->offset_of(r), offset(base_offset + static_cast<int64_t>(i)));
        EXPECT_EQ(reader->timestamp_of(r), e.timestamp);
        EXPECT_EQ(to_opt_string(r.key), e.key);
        EXPECT_EQ(to_opt_string(r.value), e.value);
        ASSERT_EQ(r.headers.size(), static_cast<int32_t>(e.headers.size()));
        size_t j = 0;
        for (const record_header& h : r.headers) {
            EXPECT_EQ(std::string(h.key), e.headers[j].first);
            EXPECT_EQ(to_opt_string(h.value), e.headers[j].second);
            ++j;
        }
        EXPECT_EQ(j, e.headers.size());
        ++i;
    });
    ASSERT_TRUE(st.ok()) << st.err().to_string();
    EXPECT_EQ(i, want.size());
}

const compression k_codecs[] = {compression::none, compression::gzip, compression::snappy,
                                compression::lz4, compression::zstd};

class record_batch_builder_codec : public testing::TestWithParam<compression> {};

TEST_P(record_batch_builder_codec, round_trips_keys_values_headers_and_timestamps) {
    std::vector<expected_record> want = {
        {1000, "key-0", "value-0", {{"trace", "abc"}, {"empty", ""}, {"null", std::nullopt}}},
        {999, std::nullopt, "tombstone-key-is-null", {}},
        {1005, "k", std::nullopt, {}},
        {1001, "", "", {{"", ""}}},
        {1002, std::nullopt, std::nullopt, {}},
        {-5, std::string(5000, 'x'), std::string(100000, 'y'), {}},
    };
    record_batch_options o;
    o.base_offset = offset(1234);
    o.compression_type = GetParam();
    record_batch_builder b(o);
    for (const auto& e : want)
        add(b, e);
    EXPECT_EQ(b.record_count(), static_cast<int32_t>(want.size()));
    bytes_t batch = b.finish();
    EXPECT_TRUE(b.empty()) << "finish leaves the builder empty";
    expect_round_trip(batch, want, 1234, GetParam());
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->base_timestamp(), -5);
    EXPECT_EQ(view->max_timestamp(), 1005);
}

TEST_P(record_batch_builder_codec, round_trips_many_headers) {
    expected_record e{42, "k", "v", {}};
    for (int i = 0; i < 1000; ++i) {
        e.headers.emplace_back("header-" + std::to_string(i),
                               i % 7 == 0 ? std::nullopt : std::optional(std::to_string(i * i)));
    }
    record_batch_options o;
    o.compression_type = GetParam();
    record_batch_builder b(o);
    add(b, e);
    add(b, e);
    expect_round_trip(b.finish(), {e, e}, 0, GetParam());
}

TEST_P(record_batch_builder_codec, truncation_at_every_byte_is_rejected) {
    record_batch_options o;
    o.compression_type = GetParam();
    record_batch_builder b(o);
    for (int i = 0; i < 3; ++i)
        add(b, {100 + i, "key", "some value", {{"h", "v"}}});
    bytes_t full = b.finish();
    for (size_t cut = 0; cut < full.size(); ++cut) {
        // Exactly `cut` bytes on the heap, so ASan flags any read past them.
        bytes_t part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
        auto view = record_batch_view::parse(part);
        ASSERT_FALSE(view.ok()) << "cut " << cut;
        EXPECT_EQ(view.err().code, errc::out_of_range) << "cut " << cut;
        EXPECT_FALSE(record_batch_view::parse_unchecked_crc(part).ok()) << "cut " << cut;
        if (cut < batch_layout::header_size) continue;
        // A batch that claims to end at the cut (with a matching CRC) must fail
        // when its records are decoded.
        bytes::store_be<int32_t>(part.data() + batch_layout::batch_length,
                                 static_cast<int32_t>(cut - batch_layout::log_overhead));
        bytes::store_be<uint32_t>(
            part.data() + batch_layout::crc,
            bytes::crc32c(std::span<const std::byte>(part).subspan(batch_layout::attributes)));
        auto relabelled = record_batch_view::parse(part);
        ASSERT_TRUE(relabelled.ok()) << relabelled.err().to_string();
        bytes_t scratch;
        auto st = validate_records(*relabelled, scratch);
        ASSERT_FALSE(st.ok()) << "cut " << cut;
        EXPECT_EQ(st.err().code, errc::corrupt) << "cut " << cut;
    }
    auto view = record_batch_view::parse(full);
    ASSERT_TRUE(view.ok());
    bytes_t scratch;
    EXPECT_TRUE(validate_records(*view, scratch).ok());
}

TEST_P(record_batch_builder_codec, any_flipped_bit_under_the_crc_is_detected) {
    record_batch_options o;
    o.compression_type = GetParam();
    record_batch_builder b(o);
    add(b, {7, "key", "value", {{"h", "v"}}});
    add(b, {8, std::nullopt, "value2", {}});
    bytes_t batch = b.finish();
    ASSERT_TRUE(record_batch_view::parse(batch).ok());
    for (size_t bit = batch_layout::crc * 8; bit < batch.size() * 8; ++bit) {
        batch[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
        auto view = record_batch_view::parse(batch);
        ASSERT_FALSE(view.ok()) << "bit " << bit;
        EXPECT_EQ(view.err().code, errc::corrupt) << "bit " << bit;
        batch[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
    }
    // The magic byte precedes the CRC but is checked on its own.
    for (int bit = 0; bit < 8; ++bit) {
        batch[batch_layout::magic] ^= static_cast<std::byte>(1u << bit);
        EXPECT_FALSE(record_batch_view::parse(batch).ok());
        batch[batch_layout::magic] ^= static_cast<std::byte>(1u << bit);
    }
}

INSTANTIATE_TEST_SUITE_P(all_codecs, record_batch_builder_codec, testing::ValuesIn(k_codecs),
                         [](const testing::TestParamInfo<compression>& info) {
                             return std::string(compression_name(info.param));
                         });

TEST(record_batch_builder, writes_every_header_option) {
    record_batch_options o;
    o.base_offset = offset(77);
    o.partition_leader_epoch = 12;
    o.producer_id = producer_id(5000);
    o.producer_epoch = producer_epoch(9);
    o.base_sequence = 321;
    o.transactional = true;
    o.compression_type = compression::snappy;
    o.log_append_time = true;
    record_batch_builder b(o);
    add(b, {10, "a", "b", {}});
    add(b, {30, "a", "b", {}});
    add(b, {20, "a", "b", {}});
    bytes_t batch = b.finish();
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->magic(), k_magic_v2);
    EXPECT_EQ(view->base_offset(), offset(77));
    EXPECT_EQ(view->last_offset(), offset(79));
    EXPECT_EQ(view->partition_leader_epoch(), 12);
    EXPECT_EQ(view->producer_id(), producer_id(5000));
    EXPECT_EQ(view->producer_epoch(), producer_epoch(9));
    EXPECT_EQ(view->base_sequence(), 321);
    EXPECT_TRUE(view->is_transactional());
    EXPECT_FALSE(view->is_control());
    EXPECT_EQ(view->compression_type(), compression::snappy);
    EXPECT_TRUE(view->attributes() & batch_attr::timestamp_log_append);
    EXPECT_EQ(view->base_timestamp(), 10);
    EXPECT_EQ(view->max_timestamp(), 30);
    EXPECT_EQ(view->crc(), view->compute_crc());
    EXPECT_EQ(bytes::load_be<int32_t>(batch.data() + batch_layout::batch_length),
              static_cast<int32_t>(batch.size() - batch_layout::log_overhead));
}

TEST(record_batch_builder, defaults_describe_a_non_idempotent_batch) {
    record_batch_builder b;
    add(b, {1, "k", "v", {}});
    auto batch = b.finish();
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->producer_id(), k_no_producer_id);
    EXPECT_EQ(view->producer_epoch(), k_no_producer_epoch);
    EXPECT_EQ(view->base_sequence(), k_no_sequence);
    EXPECT_EQ(view->partition_leader_epoch(), -1);
    EXPECT_EQ(view->attributes(), 0);
}

TEST(record_batch_builder, empty_batch_has_no_timestamps) {
    record_batch_builder b;
    auto batch = b.finish();
    EXPECT_EQ(batch.size(), batch_layout::header_size);
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->records_count(), 0);
    EXPECT_EQ(view->last_offset_delta(), 0);
    EXPECT_EQ(view->base_timestamp(), k_no_timestamp);
    EXPECT_EQ(view->max_timestamp(), k_no_timestamp);
    bytes_t scratch;
    EXPECT_TRUE(validate_records(*view, scratch).ok());
}

TEST(record_batch_builder, extreme_timestamps_round_trip) {
    record_batch_builder b;
    std::vector<expected_record> want = {
        {INT64_MAX, "a", "b", {}}, {INT64_MIN, "a", "b", {}}, {0, "a", "b", {}}};
    for (const auto& e : want)
        add(b, e);
    auto batch = b.finish();
    expect_round_trip(batch, want, 0, compression::none);
}

TEST(record_batch_builder, size_estimate_is_exact_without_compression) {
    record_batch_builder b;
    EXPECT_EQ(b.uncompressed_size_bytes(), batch_layout::header_size);
    add(b, {100, "k", "v", {{"h", "x"}}});
    add(b, {50, std::nullopt, std::string(300, 'z'), {}});
    size_t estimate = b.uncompressed_size_bytes();
    EXPECT_EQ(b.finish().size(), estimate);
}

TEST(record_batch_builder, reuse_after_finish_and_reset_starts_fresh) {
    record_batch_builder b;
    add(b, {1, "first", "batch", {}});
    auto first = b.finish();
    add(b, {2, "second", "batch", {}});
    auto second = b.finish();
    expect_round_trip(second, {{2, "second", "batch", {}}}, 0, compression::none);

    add(b, {3, "dropped", "x", {}});
    record_batch_options o;
    o.base_offset = offset(9);
    o.compression_type = compression::gzip;
    b.reset(o);
    EXPECT_TRUE(b.empty());
    add(b, {4, "kept", "y", {}});
    expect_round_trip(b.finish(), {{4, "kept", "y", {}}}, 9, compression::gzip);
    add(b, {5, "again", "z", {}});
    b.reset();
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.options().base_offset, offset(9));
}

TEST(record_batch_builder, finish_into_appends_consecutive_batches) {
    record_batch_builder b;
    bytes_t log = {std::byte{0xAA}};
    add(b, {1, "a", "1", {}});
    b.finish_into(log);
    b.reset(record_batch_options{.base_offset = offset(1), .compression_type = compression::lz4});
    add(b, {2, "b", "2", {}});
    add(b, {3, "c", "3", {}});
    b.finish_into(log);
    std::span<const std::byte> rest(log);
    rest = rest.subspan(1);
    auto one = record_batch_view::parse(rest);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->records_count(), 1);
    rest = rest.subspan(one->size_bytes());
    auto two = record_batch_view::parse(rest);
    ASSERT_TRUE(two.ok());
    EXPECT_EQ(two->records_count(), 2);
    EXPECT_EQ(two->base_offset(), offset(1));
    EXPECT_EQ(rest.size(), two->size_bytes());
}

TEST(record_batch_builder, set_base_offset_keeps_the_crc_valid) {
    for (compression c : k_codecs) {
        record_batch_builder b(record_batch_options{.compression_type = c});
        add(b, {1, "a", "1", {}});
        add(b, {2, "b", "2", {}});
        bytes_t batch = b.finish();
        uint32_t crc = record_batch_view::parse(batch)->crc();
        set_base_offset(batch, offset(1'000'000'000'000));
        set_partition_leader_epoch(batch, 44);
        auto view = record_batch_view::parse(batch);
        ASSERT_TRUE(view.ok()) << view.err().to_string();
        EXPECT_EQ(view->crc(), crc);
        EXPECT_EQ(view->base_offset(), offset(1'000'000'000'000));
        EXPECT_EQ(view->last_offset(), offset(1'000'000'000'001));
        EXPECT_EQ(view->partition_leader_epoch(), 44);
        expect_round_trip(batch, {{1, "a", "1", {}}, {2, "b", "2", {}}}, 1'000'000'000'000, c);
    }
}

TEST(record_batch_builder, set_log_append_time_rewrites_timestamps_and_crc) {
    record_batch_builder b;
    add(b, {1, "a", "1", {}});
    add(b, {2, "b", "2", {}});
    bytes_t batch = b.finish();
    set_log_append_time(batch, 999);
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok()) << view.err().to_string();
    EXPECT_EQ(view->max_timestamp(), 999);
    EXPECT_TRUE(view->attributes() & batch_attr::timestamp_log_append);
    expect_round_trip(batch, {{999, "a", "1", {}}, {999, "b", "2", {}}}, 0, compression::none);
}

TEST(record_batch_builder, control_batch_holds_one_marker) {
    auto batch =
        build_control_batch(control_record_type::commit, 3, 100, producer_id(1), producer_epoch(0));
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    EXPECT_TRUE(view->is_control());
    EXPECT_TRUE(view->is_transactional());
    EXPECT_EQ(view->compression_type(), compression::none);
    EXPECT_EQ(view->records_count(), 1);
    auto reader = record_reader::create(*view);
    ASSERT_TRUE(reader.ok());
    record_view r;
    ASSERT_TRUE(*reader->next(r));
    auto m = parse_control_marker(r);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->type, control_record_type::commit);
    EXPECT_EQ(m->coordinator_epoch, 3);
}

}  // namespace
}  // namespace spate::model

namespace spate::model {
namespace {

bytes_t from_hex(std::string_view hex) {
    bytes_t out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(
            static_cast<std::byte>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

// Batches as written by Apache Kafka (a KRaft metadata log record) and by a
// producer with idempotence fields zeroed; both CRCs are Kafka's.
constexpr std::string_view k_kafka_metadata_batch =
    "00000000000000010000004f0000000102b069457c00000000000000000191e05af81800000191e05af818ffff"
    "ffffffffffffffffffffffff000000013a000000012e010c00116d657461646174612e76657273696f6e001400"
    "00";
constexpr std::string_view k_kafka_hello_batch =
    "0000000000000000000000440000000002abfd049100000000000000000191e05b6d8b00000191e05b6d8b0000"
    "0000000000000000000000000000000124000000011848656c6c6f204b61666b612100";

TEST(record_batch_builder, matches_bytes_written_by_kafka) {
    bytes_t kafka = from_hex(k_kafka_metadata_batch);
    auto view = record_batch_view::parse(kafka);
    ASSERT_TRUE(view.ok()) << view.err().to_string();
    EXPECT_EQ(view->base_offset(), offset(1));
    EXPECT_EQ(view->partition_leader_epoch(), 1);
    EXPECT_EQ(view->crc(), 0xb069457cu);
    EXPECT_EQ(view->base_timestamp(), 0x191e05af818);
    auto reader = record_reader::create(*view);
    ASSERT_TRUE(reader.ok());
    record_view r;
    ASSERT_TRUE(*reader->next(r));
    EXPECT_FALSE(r.key.has_value());
    ASSERT_EQ(r.value->size(), 23u);
    bytes_t value(r.value->begin(), r.value->end());

    record_batch_options o;
    o.base_offset = offset(1);
    o.partition_leader_epoch = 1;
    record_batch_builder b(o);
    b.add(0x191e05af818, std::nullopt, value);
    EXPECT_EQ(b.finish(), kafka);

    bytes_t hello = from_hex(k_kafka_hello_batch);
    o = record_batch_options{};
    o.partition_leader_epoch = 0;
    o.producer_id = producer_id(0);
    o.producer_epoch = producer_epoch(0);
    o.base_sequence = 0;
    b.reset(o);
    bytes_t text = from_hex("48656c6c6f204b61666b6121");  // "Hello Kafka!"
    b.add(0x191e05b6d8b, std::nullopt, text);
    EXPECT_EQ(b.finish(), hello);
}

}  // namespace
}  // namespace spate::model
