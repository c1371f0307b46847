// __transaction_state record layouts: round trips, Kafka's byte layout, and
// rejection of every truncation.

#include "coordinator/txn_log.h"

#include <gtest/gtest.h>

namespace spate::coordinator {
namespace {

txn_metadata sample() {
    txn_metadata md;
    md.producer_id = 4000;
    md.producer_epoch = 7;
    md.timeout_ms = 60000;
    md.state = txn_state::ongoing;
    md.partitions = {{"a", 0}, {"a", 3}, {"b", 1}};
    md.last_update_ms = 1700000000123;
    md.start_ms = 1700000000001;
    return md;
}

std::optional<std::span<const std::byte>> view(const bytes& b) {
    return std::span<const std::byte>(b);
}

TEST(txn_log, round_trip_every_persisted_state) {
    for (auto s :
         {txn_state::empty, txn_state::ongoing, txn_state::prepare_commit, txn_state::prepare_abort,
          txn_state::complete_commit, txn_state::complete_abort, txn_state::dead}) {
        txn_metadata md = sample();
        md.state = s;
        if (s == txn_state::empty) md.partitions.clear();
        auto key = encode_txn_key("tid-1");
        auto value = encode_txn_value(md);
        auto d = decode_txn_record(key, view(value));
        ASSERT_TRUE(d.ok()) << txn_state_name(s);
        EXPECT_EQ(d->transactional_id, "tid-1");
        ASSERT_TRUE(d->value);
        EXPECT_EQ(*d->value, md) << txn_state_name(s);
    }
}

TEST(txn_log, tombstone_and_key_versions) {
    auto key = encode_txn_key("x");
    auto d = decode_txn_record(key, std::nullopt);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->transactional_id, "x");
    EXPECT_FALSE(d->value);
    bytes other = key;
    other[1] = std::byte{1};
    auto bad = decode_txn_record(other, std::nullopt);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.err().code, errc::unsupported);
    bytes value = encode_txn_value(sample());
    value[1] = std::byte{1};  // flexible v1 is not read
    auto v1 = decode_txn_record(key, view(value));
    ASSERT_FALSE(v1.ok());
    EXPECT_EQ(v1.err().code, errc::unsupported);
}

TEST(txn_log, kafka_v0_layout) {
    txn_metadata md;
    md.producer_id = 1;
    md.producer_epoch = 2;
    md.timeout_ms = 3;
    md.state = txn_state::prepare_commit;
    md.partitions = {{"t", 5}};
    md.last_update_ms = 6;
    md.start_ms = 7;
    auto b = [](std::initializer_list<int> v) {
        bytes out;
        for (int x : v)
            out.push_back(static_cast<std::byte>(x));
        return out;
    };
    EXPECT_EQ(encode_txn_key("ab"), b({0, 0, 0, 2, 'a', 'b'}));
    EXPECT_EQ(encode_txn_value(md), b({0, 0,                         // version
                                       0, 0, 0,   0, 0, 0, 0, 1,     // producer id
                                       0, 2,                         // epoch
                                       0, 0, 0,   3,                 // timeout
                                       2,                            // PrepareCommit
                                       0, 0, 0,   1,                 // one topic
                                       0, 1, 't', 0, 0, 0, 1,        // "t", one partition
                                       0, 0, 0,   5,                 // partition 5
                                       0, 0, 0,   0, 0, 0, 0, 6,     // last update
                                       0, 0, 0,   0, 0, 0, 0, 7}));  // start
    txn_metadata empty;
    empty.producer_id = 1;
    empty.producer_epoch = 0;
    empty.timeout_ms = 3;
    auto e = encode_txn_value(empty);
    // Empty: a null partition list.
    EXPECT_EQ(bytes(e.begin() + 17, e.begin() + 21), b({0xff, 0xff, 0xff, 0xff}));
}

TEST(txn_log, every_truncation_is_rejected) {
    auto key = encode_txn_key("tid");
    auto value = encode_txn_value(sample());
    for (size_t n = 0; n < key.size(); ++n) {
        bytes k(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_FALSE(decode_txn_record(k, std::nullopt).ok()) << n;
    }
    for (size_t n = 0; n < value.size(); ++n) {
        bytes v(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(n));
        auto d = decode_txn_record(key, view(v));
        ASSERT_FALSE(d.ok()) << n;
        EXPECT_EQ(d.err().code, errc::corrupt) << n;
    }
    bytes longer = value;
    longer.push_back(std::byte{0});
    EXPECT_FALSE(decode_txn_record(key, view(longer)).ok());
}

TEST(txn_log, unknown_state_rejected) {
    auto key = encode_txn_key("tid");
    auto value = encode_txn_value(sample());
    value[16] = std::byte{7};  // PrepareEpochFence is never persisted
    EXPECT_FALSE(decode_txn_record(key, view(value)).ok());
    value[16] = std::byte{42};
    EXPECT_FALSE(decode_txn_record(key, view(value)).ok());
}

}  // namespace
}  // namespace spate::coordinator
