#include "model/records.h"

#include <gtest/gtest.h>

#include <random>
#include <ranges>
#include <string>
#include <vector>

#include "bytes/crc32c.h"
#include "bytes/endian.h"
#include "bytes/varint.h"
#include "model/compression.h"
#include "model/record_batch_builder.h"
#include "model/record_layout.h"

namespace spate::model {
namespace records_test {
namespace {

using bytes_t = std::vector<std::byte>;

static_assert(std::ranges::input_range<header_range>);

bytes_t to_bytes(std::string_view s) {
    auto b = std::as_bytes(std::span<const char>(s.data(), s.size()));
    return bytes_t(b.begin(), b.end());
}

std::string to_string(std::span<const std::byte> b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Appends raw encodings, for crafting records the builder would never make.
struct raw_writer {
    bytes_t out;
    raw_writer& varint(int64_t v) {
        std::byte tmp[bytes::k_max_varint64_bytes];
        size_t n = bytes::put_varint64(tmp, v);
        out.insert(out.end(), tmp, tmp + n);
        return *this;
    }
    raw_writer& raw(std::initializer_list<uint8_t> bs) {
        for (uint8_t b : bs)
            out.push_back(static_cast<std::byte>(b));
        return *this;
    }
    raw_writer& str(std::string_view s) {
        varint(static_cast<int64_t>(s.size()));
        auto b = to_bytes(s);
        out.insert(out.end(), b.begin(), b.end());
        return *this;
    }
    raw_writer& append(const bytes_t& b) {
        out.insert(out.end(), b.begin(), b.end());
        return *this;
    }
};

// A record body (everything after the length field), well formed.
bytes_t record_body(int32_t offset_delta, std::string_view key, std::string_view value,
                    int64_t ts_delta = 0) {
    raw_writer w;
    w.raw({0}).varint(ts_delta).varint(offset_delta).str(key).str(value).varint(0);
    return w.out;
}

bytes_t with_length(const bytes_t& body) {
    raw_writer w;
    w.varint(static_cast<int64_t>(body.size())).append(body);
    return w.out;
}

// A batch around an arbitrary records section, with a valid CRC.
bytes_t make_batch(const bytes_t& records, int32_t count, int32_t last_delta,
                   compression c = compression::none, int16_t extra_attrs = 0,
                   int64_t first_offset = 0, int64_t base_ts = 1000, int64_t max_ts = 1000) {
    namespace layout = batch_layout;
    bytes_t b(layout::header_size);
    if (c == compression::none) {
        b.insert(b.end(), records.begin(), records.end());
    } else {
        EXPECT_TRUE(compress(c, records, b).ok());
    }
    bytes::store_be<int64_t>(b.data() + layout::base_offset, first_offset);
    bytes::store_be<int32_t>(b.data() + layout::batch_length, static_cast<int32_t>(b.size() - 12));
    bytes::store_be<int32_t>(b.data() + layout::partition_leader_epoch, 0);
    bytes::store_be<int8_t>(b.data() + layout::magic, 2);
    bytes::store_be<int16_t>(b.data() + layout::attributes,
                             static_cast<int16_t>(static_cast<int16_t>(c) | extra_attrs));
    bytes::store_be<int32_t>(b.data() + layout::last_offset_delta, last_delta);
    bytes::store_be<int64_t>(b.data() + layout::base_timestamp, base_ts);
    bytes::store_be<int64_t>(b.data() + layout::max_timestamp, max_ts);
    bytes::store_be<int64_t>(b.data() + layout::producer_id, -1);
    bytes::store_be<int16_t>(b.data() + layout::producer_epoch, -1);
    bytes::store_be<int32_t>(b.data() + layout::base_sequence, -1);
    bytes::store_be<int32_t>(b.data() + layout::records_count, count);
    bytes::store_be<uint32_t>(
        b.data() + layout::crc,
        bytes::crc32c(std::span<const std::byte>(b).subspan(layout::attributes)));
    return b;
}

// Decodes every record; returns the error, or ok. For uncompressed batches,
// also expects check_uncompressed_records (the produce path's structural
// check) to reach the same verdict.
status read_all(const bytes_t& batch, size_t max_decompressed = k_default_max_decompressed_batch) {
    auto view = record_batch_view::parse(batch);
    if (!view.ok()) return view.err();
    bytes_t scratch;
    auto st = validate_records(*view, scratch, max_decompressed);
    if (view->compression_type() == compression::none) {
        auto layout = check_uncompressed_records(*view);
        EXPECT_EQ(layout.ok(), st.ok())
            << (st.ok() ? layout.err().to_string() : st.err().to_string());
        if (!layout.ok()) {
            EXPECT_EQ(layout.err().code, errc::corrupt);
        }
    }
    return st;
}

void expect_corrupt(const bytes_t& batch, const std::string& what) {
    auto st = read_all(batch);
    ASSERT_FALSE(st.ok()) << what;
    EXPECT_EQ(st.err().code, errc::corrupt) << what << ": " << st.err().to_string();
}

TEST(record_reader, reads_hand_encoded_records) {
    raw_writer w;
    w.append(with_length(record_body(0, "k0", "v0", 5)));
    w.append(with_length(record_body(2, "k2", "", -3)));
    auto batch = make_batch(w.out, 2, 2, compression::none, 0, 100);
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok()) << view.err().to_string();
    bytes_t scratch;
    auto reader = record_reader::create(*view, scratch);
    ASSERT_TRUE(reader.ok());
    record_view r;
    ASSERT_TRUE(*reader->next(r));
    EXPECT_EQ(to_string(*r.key), "k0");
    EXPECT_EQ(to_string(*r.value), "v0");
    EXPECT_EQ(reader->offset_of(r), offset(100));
    EXPECT_EQ(reader->timestamp_of(r), 1005);
    EXPECT_EQ(reader->remaining(), 1);
    ASSERT_TRUE(*reader->next(r));
    EXPECT_EQ(reader->offset_of(r), offset(102));
    EXPECT_EQ(reader->timestamp_of(r), 997);
    ASSERT_TRUE(r.value.has_value());
    EXPECT_TRUE(r.value->empty());
    auto end = reader->next(r);
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(*end);
    // Stays at the end.
    end = reader->next(r);
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(*end);
}

TEST(record_reader, null_key_and_value_are_nullopt) {
    raw_writer w;
    w.raw({0}).varint(0).varint(0).varint(-1).varint(-1).varint(0);
    auto batch = make_batch(with_length(w.out), 1, 0);
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    auto reader = record_reader::create(*view);
    ASSERT_TRUE(reader.ok());
    record_view r;
    ASSERT_TRUE(*reader->next(r));
    EXPECT_FALSE(r.key.has_value());
    EXPECT_FALSE(r.value.has_value());
    EXPECT_TRUE(r.headers.empty());
}

TEST(record_reader, iterates_headers_without_copying) {
    raw_writer w;
    w.raw({0}).varint(0).varint(0).str("k").str("v").varint(3);
    w.str("h1").str("x").str("h2").varint(-1).str("").str("");
    auto batch = make_batch(with_length(w.out), 1, 0);
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    auto reader = record_reader::create(*view);
    ASSERT_TRUE(reader.ok());
    record_view r;
    ASSERT_TRUE(*reader->next(r));
    ASSERT_EQ(r.headers.size(), 3);
    std::vector<std::pair<std::string, std::optional<std::string>>> seen;
    for (const record_header& h : r.headers) {
        seen.emplace_back(std::string(h.key),
                          h.value ? std::optional(to_string(*h.value)) : std::nullopt);
        // Views point into the batch itself.
        EXPECT_GE(reinterpret_cast<const std::byte*>(h.key.data()), batch.data());
        EXPECT_LE(reinterpret_cast<const std::byte*>(h.key.data()), batch.data() + batch.size());
    }
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].first, "h1");
    EXPECT_EQ(seen[0].second, "x");
    EXPECT_EQ(seen[1].first, "h2");
    EXPECT_EQ(seen[1].second, std::nullopt);
    EXPECT_EQ(seen[2].first, "");
    EXPECT_EQ(seen[2].second, "");
    int n = 0;
    r.for_each_header([&](const record_header& h) {
        EXPECT_EQ(std::string(h.key), seen[n].first);
        ++n;
    });
    EXPECT_EQ(n, 3);
    EXPECT_FALSE(r.headers.raw().empty());
}

TEST(record_reader, rejects_count_mismatch_and_trailing_bytes) {
    auto rec = with_length(record_body(0, "k", "v"));
    raw_writer two;
    two.append(rec).append(with_length(record_body(1, "k", "v")));
    expect_corrupt(make_batch(rec, 2, 1), "header claims more records than present");
    expect_corrupt(make_batch(two.out, 1, 1), "header claims fewer records than present");
    raw_writer trailing;
    trailing.append(rec).raw({0});
    expect_corrupt(make_batch(trailing.out, 1, 0), "one trailing byte");
    expect_corrupt(make_batch({}, 1, 0), "empty section with records_count 1");
    EXPECT_TRUE(read_all(make_batch({}, 0, 0)).ok()) << "an empty batch is fine";
}

TEST(record_reader, rejects_bad_lengths) {
    auto body = record_body(0, "key", "value");
    raw_writer longer;
    longer.varint(static_cast<int64_t>(body.size() + 1)).append(body).raw({0});
    expect_corrupt(make_batch(longer.out, 1, 0), "record length larger than its fields");
    raw_writer shorter;
    shorter.varint(static_cast<int64_t>(body.size() - 1)).append(body);
    expect_corrupt(make_batch(shorter.out, 1, 0), "record length smaller than its fields");
    raw_writer past_end;
    past_end.varint(static_cast<int64_t>(body.size() + 10)).append(body);
    expect_corrupt(make_batch(past_end.out, 1, 0), "record length past the section");
    raw_writer negative;
    negative.varint(-2).append(body);
    expect_corrupt(make_batch(negative.out, 1, 0), "negative record length");

    raw_writer key_neg;
    key_neg.raw({0}).varint(0).varint(0).varint(-2).varint(-1).varint(0);
    expect_corrupt(make_batch(with_length(key_neg.out), 1, 0), "key length -2");
    raw_writer key_long;
    key_long.raw({0}).varint(0).varint(0).varint(100).raw({1, 2}).varint(-1).varint(0);
    expect_corrupt(make_batch(with_length(key_long.out), 1, 0), "key longer than record");
    raw_writer value_long;
    value_long.raw({0}).varint(0).varint(0).varint(-1).varint(3).raw({1, 2}).varint(0);
    expect_corrupt(make_batch(with_length(value_long.out), 1, 0), "value longer than record");
    raw_writer headers_neg;
    headers_neg.raw({0}).varint(0).varint(0).varint(-1).varint(-1).varint(-1);
    expect_corrupt(make_batch(with_length(headers_neg.out), 1, 0), "negative header count");
    raw_writer headers_many;
    headers_many.raw({0}).varint(0).varint(0).varint(-1).varint(-1).varint(1000000).raw({0, 0});
    expect_corrupt(make_batch(with_length(headers_many.out), 1, 0), "header count too large");
    raw_writer header_null_key;
    header_null_key.raw({0}).varint(0).varint(0).varint(-1).varint(-1).varint(1).varint(-1).varint(
        -1);
    expect_corrupt(make_batch(with_length(header_null_key.out), 1, 0), "null header key");
    raw_writer header_value_neg;
    header_value_neg.raw({0}).varint(0).varint(0).varint(-1).varint(-1).varint(1).str("h").varint(
        -7);
    expect_corrupt(make_batch(with_length(header_value_neg.out), 1, 0), "header value length -7");
    raw_writer header_value_long;
    header_value_long.raw({0}).varint(0).varint(0).varint(-1).varint(-1).varint(1).str("h").varint(
        9);
    expect_corrupt(make_batch(with_length(header_value_long.out), 1, 0),
                   "header value past record");
}

TEST(record_reader, rejects_bad_varints) {
    raw_writer overlong_len;
    overlong_len.raw({0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
    expect_corrupt(make_batch(overlong_len.out, 1, 0), "six-byte record length");
    raw_writer truncated_len;
    truncated_len.raw({0x80});
    expect_corrupt(make_batch(truncated_len.out, 1, 0), "truncated record length");
    raw_writer overlong_ts;
    overlong_ts.raw({0}).raw({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
    overlong_ts.varint(0).varint(-1).varint(-1).varint(0);
    expect_corrupt(make_batch(with_length(overlong_ts.out), 1, 0), "eleven-byte timestamp delta");
    raw_writer overlong_key;
    overlong_key.raw({0}).varint(0).varint(0).raw({0xff, 0xff, 0xff, 0xff, 0x7f});
    overlong_key.varint(-1).varint(0);
    expect_corrupt(make_batch(with_length(overlong_key.out), 1, 0), "key length beyond 32 bits");
    raw_writer cut_in_varint;
    cut_in_varint.raw({0}).varint(0).raw({0x80});
    expect_corrupt(make_batch(with_length(cut_in_varint.out), 1, 0), "record ends inside a varint");
}

TEST(record_reader, rejects_offset_deltas_outside_the_batch_range) {
    expect_corrupt(make_batch(with_length(record_body(3, "k", "v")), 1, 2), "delta past last");
    expect_corrupt(make_batch(with_length(record_body(-1, "k", "v")), 1, 2), "negative delta");
    EXPECT_TRUE(read_all(make_batch(with_length(record_body(2, "k", "v")), 1, 2)).ok());
}

TEST(record_reader, keeps_failing_after_an_error) {
    raw_writer w;
    w.append(with_length(record_body(0, "k", "v"))).raw({0x80});
    auto batch = make_batch(w.out, 2, 1);
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    auto reader = record_reader::create(*view);
    ASSERT_TRUE(reader.ok());
    record_view r;
    ASSERT_TRUE(*reader->next(r));
    auto bad = reader->next(r);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.err().code, errc::corrupt);
    EXPECT_NE(bad.err().message.find("record 1"), std::string::npos) << bad.err().message;
    EXPECT_FALSE(reader->next(r).ok());
}

TEST(record_reader, every_truncation_of_the_records_section_is_rejected) {
    record_batch_builder b;
    bytes_t value(30, std::byte{'v'});
    record_header h{"hk", std::span<const std::byte>(value).subspan(0, 3)};
    for (int i = 0; i < 4; ++i)
        b.add(1000 + i, value, value, std::span(&h, 1));
    bytes_t full = b.finish();
    bytes_t section(full.begin() + batch_layout::header_size, full.end());
    for (size_t cut = 0; cut < section.size(); ++cut) {
        bytes_t part(section.begin(), section.begin() + static_cast<std::ptrdiff_t>(cut));
        expect_corrupt(make_batch(part, 4, 3), "cut at " + std::to_string(cut));
    }
    EXPECT_TRUE(read_all(make_batch(section, 4, 3)).ok());
}

TEST(record_reader, random_mutations_never_crash) {
    record_batch_builder b;
    bytes_t value(20, std::byte{'v'});
    record_header h{"hk", std::span<const std::byte>(value).subspan(0, 3)};
    for (int i = 0; i < 5; ++i)
        b.add(1000 + i, value, std::nullopt, std::span(&h, 1));
    bytes_t full = b.finish();
    bytes_t section(full.begin() + batch_layout::header_size, full.end());
    std::mt19937 rng(7);
    int ok = 0;
    for (int trial = 0; trial < 2000; ++trial) {
        bytes_t m = section;
        for (int n = 1 + trial % 3; n > 0; --n)
            m[rng() % m.size()] = static_cast<std::byte>(rng());
        auto st = read_all(make_batch(m, 5, 4));
        if (st.ok()) {
            ++ok;
        } else {
            EXPECT_EQ(st.err().code, errc::corrupt) << st.err().to_string();
        }
    }
    EXPECT_LT(ok, 2000);
}

TEST(check_uncompressed_records, accepts_builder_batches_and_refuses_compressed_ones) {
    record_batch_builder b;
    bytes_t value(20, std::byte{'v'});
    record_header h{"hk", std::span<const std::byte>(value).subspan(0, 3)};
    for (int i = 0; i < 200; ++i)
        b.add(1000 + i, i % 2 ? std::optional<std::span<const std::byte>>(value) : std::nullopt,
              value, std::span(&h, i % 3 ? 1 : 0));
    bytes_t batch = b.finish();
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    EXPECT_TRUE(check_uncompressed_records(*view).ok());
    auto gz = make_batch(with_length(record_body(0, "k", "v")), 1, 0, compression::gzip);
    auto gz_view = record_batch_view::parse(gz);
    ASSERT_TRUE(gz_view.ok());
    EXPECT_EQ(check_uncompressed_records(*gz_view).err().code, errc::invalid_argument);
}

TEST(record_reader, compressed_garbage_is_corrupt) {
    bytes_t junk(50, std::byte{0x33});
    for (compression c :
         {compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
        auto batch = make_batch({}, 1, 0, c);
        // Replace the compressed section with junk, keeping the CRC valid.
        batch.resize(batch_layout::header_size);
        batch.insert(batch.end(), junk.begin(), junk.end());
        bytes::store_be<int32_t>(batch.data() + batch_layout::batch_length,
                                 static_cast<int32_t>(batch.size() - 12));
        bytes::store_be<uint32_t>(
            batch.data() + batch_layout::crc,
            bytes::crc32c(std::span<const std::byte>(batch).subspan(batch_layout::attributes)));
        expect_corrupt(batch, compression_name(c));
    }
}

TEST(record_reader, unknown_compression_attribute_is_corrupt) {
    auto batch = make_batch(with_length(record_body(0, "k", "v")), 1, 0, compression::none, 6);
    expect_corrupt(batch, "codec 6");
}

TEST(record_reader, decompression_bomb_inside_a_batch_is_too_large) {
    bytes_t big(4 << 20, std::byte{0});
    for (compression c :
         {compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
        record_batch_options o;
        o.compression_type = c;
        record_batch_builder b(o);
        b.add(0, std::nullopt, big);
        bytes_t batch = b.finish();
        EXPECT_LT(batch.size(), big.size() / 10);
        auto st = read_all(batch, 1 << 20);
        ASSERT_FALSE(st.ok()) << compression_name(c);
        EXPECT_EQ(st.err().code, errc::too_large) << compression_name(c);
        EXPECT_TRUE(read_all(batch, 8 << 20).ok()) << compression_name(c);
    }
}

TEST(record_reader, owned_scratch_survives_moving_the_reader) {
    record_batch_options o;
    o.compression_type = compression::zstd;
    record_batch_builder b(o);
    auto v = to_bytes("hello");
    b.add(1, v, v);
    bytes_t batch = b.finish();
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    auto created = record_reader::create(*view);
    ASSERT_TRUE(created.ok());
    record_reader moved = std::move(created.value());
    record_reader again = std::move(moved);
    record_view r;
    ASSERT_TRUE(*again.next(r));
    EXPECT_EQ(to_string(*r.value), "hello");
}

// ---- first_offset_with_timestamp_at_least ----------------------------------

bytes_t batch_with_timestamps(std::initializer_list<int64_t> ts, compression c, int64_t base,
                              bool log_append = false) {
    record_batch_options o;
    o.base_offset = offset(base);
    o.compression_type = c;
    o.log_append_time = log_append;
    record_batch_builder b(o);
    for (int64_t t : ts)
        b.add(t, std::nullopt, to_bytes("v"));
    return b.finish();
}

std::optional<int64_t> lookup(const bytes_t& batch, int64_t ts) {
    auto view = record_batch_view::parse(batch);
    EXPECT_TRUE(view.ok());
    bytes_t scratch;
    auto r = first_offset_with_timestamp_at_least(*view, ts, scratch);
    EXPECT_TRUE(r.ok()) << r.err().to_string();
    if (!r.ok() || !*r) return std::nullopt;
    return (*r)->value();
}

TEST(first_offset_with_timestamp_at_least, finds_first_record_at_or_after_boundaries) {
    for (compression c : {compression::none, compression::lz4}) {
        auto batch = batch_with_timestamps({100, 200, 200, 300}, c, 50);
        EXPECT_EQ(lookup(batch, INT64_MIN), 50);
        EXPECT_EQ(lookup(batch, 99), 50);
        EXPECT_EQ(lookup(batch, 100), 50);
        EXPECT_EQ(lookup(batch, 101), 51);
        EXPECT_EQ(lookup(batch, 200), 51);
        EXPECT_EQ(lookup(batch, 201), 53);
        EXPECT_EQ(lookup(batch, 300), 53);
        EXPECT_EQ(lookup(batch, 301), std::nullopt);
        EXPECT_EQ(lookup(batch, INT64_MAX), std::nullopt);
    }
}

TEST(first_offset_with_timestamp_at_least, uses_batch_order_for_unordered_timestamps) {
    auto batch = batch_with_timestamps({500, 100, 400, 700}, compression::none, 0);
    EXPECT_EQ(lookup(batch, 50), 0);
    EXPECT_EQ(lookup(batch, 450), 0);
    EXPECT_EQ(lookup(batch, 501), 3);
    EXPECT_EQ(lookup(batch, 700), 3);
    EXPECT_EQ(lookup(batch, 701), std::nullopt);
}

TEST(first_offset_with_timestamp_at_least, log_append_time_uses_max_timestamp) {
    auto batch = batch_with_timestamps({100, 200}, compression::none, 10, true);
    set_log_append_time(batch, 5000);
    EXPECT_EQ(lookup(batch, 150), 10);
    EXPECT_EQ(lookup(batch, 5000), 10);
    EXPECT_EQ(lookup(batch, 5001), std::nullopt);
}

TEST(first_offset_with_timestamp_at_least, empty_batch_has_no_answer) {
    record_batch_builder b;
    auto batch = b.finish();
    EXPECT_EQ(lookup(batch, INT64_MIN), std::nullopt);
}

TEST(first_offset_with_timestamp_at_least, reports_corrupt_records) {
    raw_writer w;
    w.raw({0x80});
    auto batch = make_batch(w.out, 1, 0, compression::none, 0, 0, 1000, 1000);
    auto view = record_batch_view::parse(batch);
    ASSERT_TRUE(view.ok());
    bytes_t scratch;
    auto r = first_offset_with_timestamp_at_least(*view, 0, scratch);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::corrupt);
}

// ---- control markers -------------------------------------------------------

TEST(control_marker, round_trips_commit_and_abort) {
    for (auto type : {control_record_type::commit, control_record_type::abort}) {
        auto batch =
            build_control_batch(type, 17, 12345, producer_id(99), producer_epoch(3), offset(40), 6);
        auto view = record_batch_view::parse(batch);
        ASSERT_TRUE(view.ok());
        EXPECT_TRUE(view->is_control());
        EXPECT_TRUE(view->is_transactional());
        EXPECT_EQ(view->producer_id(), producer_id(99));
        EXPECT_EQ(view->producer_epoch(), producer_epoch(3));
        EXPECT_EQ(view->base_offset(), offset(40));
        EXPECT_EQ(view->partition_leader_epoch(), 6);
        EXPECT_EQ(view->base_sequence(), k_no_sequence);
        EXPECT_EQ(view->records_count(), 1);
        auto reader = record_reader::create(*view);
        ASSERT_TRUE(reader.ok());
        record_view r;
        ASSERT_TRUE(*reader->next(r));
        EXPECT_EQ(reader->timestamp_of(r), 12345);
        ASSERT_EQ(r.key->size(), 4u);
        EXPECT_EQ(bytes::load_be<int16_t>(r.key->data()), 0);
        EXPECT_EQ(bytes::load_be<int16_t>(r.key->data() + 2), static_cast<int16_t>(type));
        auto m = parse_control_marker(r);
        ASSERT_TRUE(m.ok());
        EXPECT_EQ(m->type, type);
        EXPECT_EQ(m->coordinator_epoch, 17);
    }
}

TEST(control_marker, rejects_short_or_unknown_records) {
    record_view r;
    EXPECT_EQ(parse_control_marker(r).err().code, errc::corrupt);
    bytes_t key = {std::byte{0}, std::byte{0}, std::byte{0}};
    r.key = key;
    EXPECT_EQ(parse_control_marker(r).err().code, errc::corrupt);
    key = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{2}};
    r.key = key;
    EXPECT_EQ(parse_control_marker(r).err().code, errc::unsupported);
    key = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}};
    r.key = key;
    bytes_t value = {std::byte{0}, std::byte{0}, std::byte{0}};
    r.value = value;
    EXPECT_EQ(parse_control_marker(r).err().code, errc::corrupt);
    key = {std::byte{0xff}, std::byte{0xff}, std::byte{0}, std::byte{1}};
    r.key = key;
    EXPECT_EQ(parse_control_marker(r).err().code, errc::corrupt);
}

}  // namespace
}  // namespace records_test
}  // namespace spate::model
