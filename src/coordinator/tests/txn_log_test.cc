// __transaction_state record layouts: round trips, Kafka's byte layout, and
// rejection of every truncation.

#include "coordinator/txn_log.h"

#include <gtest/gtest.h>

#include "coordinator/tests/test_logs.h"

namespace spate::coordinator {
namespace txn_log_test {
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

using test::open_logs;
using test::temp_dir;

// Marker writes succeed (and are recorded) unless `fail` is set.
txn_coordinator make_coordinator(int64_t& next_pid, std::vector<marker_request>& markers,
                                 const bool& fail) {
    return txn_coordinator(
        {}, [] { return int64_t{1000}; }, [&next_pid]() -> result<int64_t> { return next_pid++; },
        [&markers, &fail](const marker_request& r, txn_coordinator::marker_done done) {
            if (fail) return done(make_error(errc::io_error, "injected"));
            markers.push_back(r);
            done({});
        });
}

TEST(txn_store, states_survive_reopen_and_a_prepared_commit_resumes_its_markers) {
    temp_dir dir;
    int64_t next_pid = 100;
    std::vector<marker_request> markers;
    bool fail = false;
    {
        auto logs = open_logs(dir.path);
        txn_store store(*logs);
        EXPECT_EQ(store.log(), nullptr);  // created on first use
        auto tc = make_coordinator(next_pid, markers, fail);
        ASSERT_TRUE(store.load_into(tc).ok());
        tc.set_persistence([&](const std::string& id, const std::optional<txn_metadata>& md) {
            return store.append(id, md);
        });
        auto init = [&](const std::string& id) {
            init_producer_id_result got;
            tc.init_producer_id({id, 60000}, [&](init_producer_id_result r) { got = r; });
            return got;
        };
        auto a = init("committed");
        auto b = init("open");
        ASSERT_EQ(a.error, error_code::none);
        EXPECT_EQ(tc.add_partitions("committed", a.producer_id, a.producer_epoch, {{"t", 0}})[0],
                  error_code::none);
        EXPECT_EQ(tc.end_txn("committed", a.producer_id, a.producer_epoch, true), error_code::none);
        EXPECT_EQ(tc.add_partitions("open", b.producer_id, b.producer_epoch, {{"t", 1}})[0],
                  error_code::none);
        // Decided (PrepareCommit stored) but its markers never land.
        auto p = init("preparing");
        EXPECT_EQ(tc.add_partitions("preparing", p.producer_id, p.producer_epoch, {{"t", 2}})[0],
                  error_code::none);
        fail = true;
        EXPECT_EQ(tc.end_txn("preparing", p.producer_id, p.producer_epoch, true), error_code::none);
        ASSERT_NE(store.log(), nullptr);
        EXPECT_EQ(logs->describe(k_transaction_state_topic)->overrides.at("cleanup.policy"),
                  "compact");
        ASSERT_TRUE(logs->close().ok());
    }
    ASSERT_EQ(markers.size(), 1u);
    markers.clear();
    fail = false;
    auto logs = open_logs(dir.path);
    txn_store store(*logs);
    auto tc = make_coordinator(next_pid, markers, fail);
    ASSERT_TRUE(store.load_into(tc).ok());
    auto c = tc.describe("committed");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->state, txn_state::complete_commit);
    auto o = tc.describe("open");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->state, txn_state::ongoing);
    EXPECT_EQ(o->partitions, (std::vector<topic_partition>{{"t", 1}}));
    EXPECT_EQ(tc.describe("preparing")->state, txn_state::prepare_commit);
    // The decided commit finishes after the restart.
    EXPECT_EQ(tc.resume_pending(), 1u);
    ASSERT_EQ(markers.size(), 1u);
    EXPECT_TRUE(markers[0].commit);
    EXPECT_EQ(markers[0].partitions, (std::vector<topic_partition>{{"t", 2}}));
    EXPECT_EQ(tc.describe("preparing")->state, txn_state::complete_commit);
    EXPECT_FALSE(tc.describe("never"));
    ASSERT_TRUE(logs->close().ok());
}

TEST(txn_store, a_corrupt_record_fails_the_replay) {
    temp_dir dir;
    auto logs = open_logs(dir.path);
    {
        txn_store store(*logs);
        txn_metadata md = sample();
        ASSERT_TRUE(store.append("x", md).ok());
    }
    // A record with a valid key and a truncated value.
    auto value = encode_txn_value(sample());
    value.resize(value.size() - 3);
    internal_topic raw(*logs, k_transaction_state_topic, {});
    ASSERT_TRUE(raw.append({{encode_txn_key("y"), value}}).ok());
    txn_store store(*logs);
    int64_t next_pid = 1;
    std::vector<marker_request> markers;
    bool fail = false;
    auto tc = make_coordinator(next_pid, markers, fail);
    auto s = store.load_into(tc);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.err().code, errc::corrupt);
    ASSERT_TRUE(logs->close().ok());
}

}  // namespace
}  // namespace txn_log_test
}  // namespace spate::coordinator
