// Idempotent producer state: duplicate and gap detection, epochs, expiry,
// snapshot encoding and snapshot files.

#include "storage/producer_state.h"

#include "storage/segment.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace spate::storage {
namespace producer_state_test {
namespace {

producer_batch_info batch(int64_t pid, int16_t epoch, int32_t first_seq, int32_t records,
                          int64_t ts = 100) {
    producer_batch_info b;
    b.pid = model::producer_id(pid);
    b.epoch = model::producer_epoch(epoch);
    b.first_seq = first_seq;
    b.last_seq = last_sequence(first_seq, records - 1);
    b.max_timestamp = ts;
    return b;
}

// Checks and, when accepted, records the batch at `next` (advanced).
producer_check append(producer_state& s, const producer_batch_info& b, int64_t& next,
                      int32_t records) {
    auto c = s.check(b);
    if (c.verdict == producer_verdict::append) {
        s.update(b, model::offset(next), model::offset(next + records - 1));
        c.first_offset = model::offset(next);
        c.last_offset = model::offset(next + records - 1);
        next += records;
    }
    return c;
}

TEST(producer_state, in_order_batches_append_and_a_retry_is_a_duplicate_with_its_offsets) {
    producer_state s;
    int64_t next = 0;
    EXPECT_EQ(append(s, batch(7, 0, 0, 3), next, 3).verdict, producer_verdict::append);
    EXPECT_EQ(append(s, batch(7, 0, 3, 2), next, 2).verdict, producer_verdict::append);
    auto dup = append(s, batch(7, 0, 0, 3), next, 3);
    EXPECT_EQ(dup.verdict, producer_verdict::duplicate);
    EXPECT_EQ(dup.first_offset, model::offset(0));
    EXPECT_EQ(dup.last_offset, model::offset(2));
    EXPECT_EQ(next, 5);
}

TEST(producer_state, a_gap_or_a_partial_overlap_is_out_of_order) {
    producer_state s;
    int64_t next = 0;
    append(s, batch(7, 0, 0, 3), next, 3);
    EXPECT_EQ(s.check(batch(7, 0, 4, 1)).verdict, producer_verdict::out_of_order_sequence);
    EXPECT_EQ(s.check(batch(7, 0, 1, 3)).verdict, producer_verdict::out_of_order_sequence);
    EXPECT_EQ(s.check(batch(7, 0, 3, 1)).verdict, producer_verdict::append);
}

TEST(producer_state, only_the_last_five_batches_are_recognised_as_duplicates) {
    producer_state s;
    int64_t next = 0;
    for (int i = 0; i < 6; ++i)
        append(s, batch(1, 0, i, 1), next, 1);
    EXPECT_EQ(s.check(batch(1, 0, 0, 1)).verdict, producer_verdict::out_of_order_sequence);
    EXPECT_EQ(s.check(batch(1, 0, 1, 1)).verdict, producer_verdict::duplicate);
    EXPECT_EQ(s.check(batch(1, 0, 5, 1)).verdict, producer_verdict::duplicate);
}

TEST(producer_state, epochs_fence_older_producers_and_restart_sequences) {
    producer_state s;
    int64_t next = 0;
    append(s, batch(9, 3, 0, 2), next, 2);
    EXPECT_EQ(s.check(batch(9, 2, 2, 1)).verdict, producer_verdict::invalid_producer_epoch);
    EXPECT_EQ(s.check(batch(9, 4, 5, 1)).verdict, producer_verdict::out_of_order_sequence);
    EXPECT_EQ(append(s, batch(9, 4, 0, 1), next, 1).verdict, producer_verdict::append);
    EXPECT_EQ(s.check(batch(9, 3, 2, 1)).verdict, producer_verdict::invalid_producer_epoch);
}

TEST(producer_state, unknown_producers_and_batches_without_ids_may_start_anywhere) {
    producer_state s;
    EXPECT_EQ(s.check(batch(5, 0, 1234, 1)).verdict, producer_verdict::append);
    producer_batch_info plain;
    int64_t next = 0;
    EXPECT_EQ(append(s, plain, next, 1).verdict, producer_verdict::append);
    EXPECT_EQ(s.size(), 0u);
}

TEST(producer_state, sequences_wrap_after_int32_max) {
    producer_state s;
    int64_t next = 0;
    append(s, batch(3, 0, INT32_MAX - 1, 2), next, 2);
    EXPECT_EQ(s.find(model::producer_id(3))->batches.back().last_seq, INT32_MAX);
    EXPECT_EQ(append(s, batch(3, 0, 0, 2), next, 2).verdict, producer_verdict::append);
    EXPECT_EQ(last_sequence(INT32_MAX, 2), 1);
}

TEST(producer_state, markers_end_transactions_and_idle_producers_expire) {
    producer_state s;
    int64_t next = 0;
    auto t = batch(4, 0, 0, 2, 1000);
    t.transactional = true;
    append(s, t, next, 2);
    append(s, batch(6, 0, 0, 1, 1000), next, 1);
    EXPECT_EQ(s.find(model::producer_id(4))->txn_first_offset, 0);
    // An open transaction keeps its producer past the expiry time.
    EXPECT_EQ(s.expire(5000, 1000), 1u);
    ASSERT_NE(s.find(model::producer_id(4)), nullptr);
    EXPECT_EQ(s.find(model::producer_id(6)), nullptr);
    producer_batch_info marker;
    marker.pid = model::producer_id(4);
    marker.epoch = model::producer_epoch(0);
    marker.control = true;
    marker.transactional = true;
    marker.max_timestamp = 1000;
    append(s, marker, next, 1);
    EXPECT_EQ(s.find(model::producer_id(4))->txn_first_offset, -1);
    // The marker does not disturb the sequence.
    EXPECT_EQ(s.check(batch(4, 0, 2, 1)).verdict, producer_verdict::append);
    EXPECT_EQ(s.expire(5000, 1000), 1u);
    EXPECT_EQ(s.size(), 0u);
}

TEST(producer_state, drop_below_forgets_producers_whose_batches_are_all_gone) {
    producer_state s;
    int64_t next = 0;
    append(s, batch(1, 0, 0, 5), next, 5);
    append(s, batch(2, 0, 0, 5), next, 5);
    s.drop_below(model::offset(5));
    EXPECT_EQ(s.find(model::producer_id(1)), nullptr);
    EXPECT_NE(s.find(model::producer_id(2)), nullptr);
}

producer_state sample() {
    producer_state s;
    int64_t next = 0;
    for (int p = 0; p < 4; ++p)
        for (int i = 0; i < p + 3; ++i)
            append(s, batch(100 + p, static_cast<int16_t>(p), i * 2, 2, 50 + i), next, 2);
    auto t = batch(200, 1, 0, 1);
    t.transactional = true;
    append(s, t, next, 1);
    return s;
}

TEST(producer_state, snapshot_round_trips_and_rejects_every_truncation_and_bit_flip) {
    producer_state s = sample();
    auto bytes = s.encode(model::offset(77));
    auto d = producer_state::decode(bytes);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->next_offset, model::offset(77));
    EXPECT_EQ(d->state, s);
    for (size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(producer_state::decode(std::span(bytes).first(n)).ok()) << n;
    for (size_t i = 0; i < bytes.size(); ++i) {
        auto flipped = bytes;
        flipped[i] ^= std::byte{0x10};
        EXPECT_FALSE(producer_state::decode(flipped).ok()) << i;
    }
}

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        path =
            std::filesystem::temp_directory_path() / ("spate-pstate-" + std::to_string(::getpid()) +
                                                      "-" + std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

TEST(producer_state, snapshot_files_load_the_newest_valid_one_at_or_below_a_bound) {
    temp_dir dir;
    producer_state a = sample();
    producer_state b;
    int64_t next = 0;
    append(b, batch(1, 0, 0, 1), next, 1);
    ASSERT_TRUE(write_producer_snapshot(dir.path, a, model::offset(10)).ok());
    ASSERT_TRUE(write_producer_snapshot(dir.path, b, model::offset(20)).ok());
    auto l = load_producer_snapshot(dir.path, model::offset(100));
    ASSERT_TRUE(l.ok());
    ASSERT_TRUE(*l);
    EXPECT_EQ((*l)->next_offset, model::offset(20));
    EXPECT_EQ((*l)->state, b);
    // A bound below the newest (the log was truncated) picks the older one.
    l = load_producer_snapshot(dir.path, model::offset(15));
    ASSERT_TRUE(l.ok() && *l);
    EXPECT_EQ((*l)->state, a);
    // A damaged newest snapshot is skipped.
    {
        std::fstream f(dir.path / segment_file_name(model::offset(20), ".snapshot"),
                       std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(12);
        f.put('\x7f');
    }
    l = load_producer_snapshot(dir.path, model::offset(100));
    ASSERT_TRUE(l.ok() && *l);
    EXPECT_EQ((*l)->next_offset, model::offset(10));
    EXPECT_FALSE(*load_producer_snapshot(dir.path, model::offset(5)));
    // Pruning keeps the newest at or below the bound and drops the rest.
    ASSERT_TRUE(write_producer_snapshot(dir.path, b, model::offset(20)).ok());
    ASSERT_TRUE(write_producer_snapshot(dir.path, b, model::offset(30)).ok());
    ASSERT_TRUE(prune_producer_snapshots(dir.path, model::offset(25), 1).ok());
    size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path))
        ++files;
    EXPECT_EQ(files, 1u);
    l = load_producer_snapshot(dir.path, model::offset(100));
    ASSERT_TRUE(l.ok() && *l);
    EXPECT_EQ((*l)->next_offset, model::offset(20));
}

}  // namespace
}  // namespace producer_state_test
}  // namespace spate::storage
