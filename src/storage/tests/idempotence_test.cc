// The log's idempotent-producer checks: retries are answered with the
// original offsets and not written again, gaps and fenced epochs are
// refused, and the state survives clean and unclean reopen.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "model/record_batch_builder.h"
#include "storage/log.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace idempotence_test {
namespace {

using testing::temp_dir;

std::vector<std::byte> producer_batch(int64_t pid, int16_t epoch, int32_t seq, int records) {
    model::record_batch_options o;
    o.producer_id = model::producer_id(pid);
    o.producer_epoch = model::producer_epoch(epoch);
    o.base_sequence = seq;
    model::record_batch_builder b(o);
    for (int i = 0; i < records; ++i) {
        std::string v = "v" + std::to_string(seq + i);
        b.add(1000 + i, std::nullopt, std::as_bytes(std::span(v)));
    }
    return b.finish();
}

std::shared_ptr<log> open_log(const std::filesystem::path& dir, bool clean,
                              const config_map& overrides = {}) {
    auto l = log::open(dir, testing::config_with(overrides), clean);
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.err().to_string());
    return l.ok() ? *l : nullptr;
}

result<append_result> append(log& l, std::vector<std::byte> b) {
    return l.append(b);
}

TEST(idempotence, a_retried_batch_gets_its_original_offsets_and_is_not_written_again) {
    temp_dir dir;
    auto l = open_log(dir.path(), true);
    ASSERT_TRUE(append(*l, testing::make_batch(2, 8, 0)).ok());  // no producer
    auto first = append(*l, producer_batch(7, 0, 0, 3));
    ASSERT_TRUE(first.ok());
    EXPECT_FALSE(first->duplicate);
    EXPECT_EQ(first->base_offset, model::offset(2));
    ASSERT_TRUE(append(*l, producer_batch(7, 0, 3, 1)).ok());
    auto retry = append(*l, producer_batch(7, 0, 0, 3));
    ASSERT_TRUE(retry.ok());
    EXPECT_TRUE(retry->duplicate);
    EXPECT_EQ(retry->base_offset, model::offset(2));
    EXPECT_EQ(retry->last_offset, model::offset(4));
    EXPECT_EQ(l->log_end_offset(), model::offset(6));
}

TEST(idempotence, gaps_and_fenced_epochs_are_refused_without_writing) {
    temp_dir dir;
    auto l = open_log(dir.path(), true);
    ASSERT_TRUE(append(*l, producer_batch(7, 2, 0, 2)).ok());
    auto gap = append(*l, producer_batch(7, 2, 5, 1));
    ASSERT_FALSE(gap.ok());
    EXPECT_EQ(gap.err().code, errc::out_of_order_sequence);
    auto old = append(*l, producer_batch(7, 1, 2, 1));
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.err().code, errc::producer_fenced);
    EXPECT_EQ(l->log_end_offset(), model::offset(2));
    // Two batches of a producer in one append are refused as a whole.
    auto two = producer_batch(9, 0, 0, 1);
    auto second = producer_batch(9, 0, 1, 1);
    two.insert(two.end(), second.begin(), second.end());
    auto r = l->append(two);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::invalid_argument);
    EXPECT_EQ(l->log_end_offset(), model::offset(2));
}

TEST(idempotence, state_survives_clean_reopen_unclean_reopen_and_a_lost_snapshot) {
    temp_dir dir;
    {
        auto l = open_log(dir.path(), true, {{"segment.bytes", "300"}});
        for (int i = 0; i < 20; ++i)
            ASSERT_TRUE(append(*l, producer_batch(1 + i % 3, 0, (i / 3) * 2, 2)).ok());
        ASSERT_TRUE(l->close().ok());
    }
    auto retry_is_duplicate = [&](log& l) {
        // Batch 18 (producer 1, sequences 12-13) was appended at offsets 36-37.
        auto r = append(l, producer_batch(1, 0, 12, 2));
        ASSERT_TRUE(r.ok());
        EXPECT_TRUE(r->duplicate);
        EXPECT_EQ(r->base_offset, model::offset(36));
        auto gap = append(l, producer_batch(2, 0, 20, 1));
        ASSERT_FALSE(gap.ok());
        EXPECT_EQ(gap.err().code, errc::out_of_order_sequence);
    };
    {
        auto l = open_log(dir.path(), true, {{"segment.bytes", "300"}});
        EXPECT_EQ(l->producers().size(), 3u);
        retry_is_duplicate(*l);
    }
    {
        auto l = open_log(dir.path(), false, {{"segment.bytes", "300"}});
        retry_is_duplicate(*l);
    }
    // Without any snapshot the state is rebuilt from the whole log.
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        if (e.path().extension() == ".snapshot") std::filesystem::remove(e.path());
    auto l = open_log(dir.path(), false, {{"segment.bytes", "300"}});
    EXPECT_EQ(l->producers().size(), 3u);
    retry_is_duplicate(*l);
}

TEST(idempotence, deleting_records_forgets_producers_wholly_below_the_new_start) {
    temp_dir dir;
    auto l = open_log(dir.path(), true);
    ASSERT_TRUE(append(*l, producer_batch(1, 0, 0, 2)).ok());
    ASSERT_TRUE(append(*l, producer_batch(2, 0, 0, 2)).ok());
    ASSERT_TRUE(l->delete_records_before(model::offset(2)).ok());
    auto p = l->producers();
    EXPECT_EQ(p.find(model::producer_id(1)), nullptr);
    EXPECT_NE(p.find(model::producer_id(2)), nullptr);
    // A forgotten producer may continue at any sequence.
    EXPECT_TRUE(append(*l, producer_batch(1, 0, 40, 1)).ok());
}

}  // namespace
}  // namespace idempotence_test
}  // namespace spate::storage
