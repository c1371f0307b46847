#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "model/record_batch.h"
#include "storage/log.h"
#include "storage/testing.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace log_test {
namespace {

using testing::config_with;
using testing::make_batch;
using testing::read_all;
using testing::temp_dir;

std::shared_ptr<log> open_log(const temp_dir& d, const config_map& overrides = {},
                              bool clean = true, clock_fn clock = system_now_ms) {
    auto l = log::open(d.path() / "t-0", config_with(overrides), clean, std::move(clock));
    EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.err().to_string());
    return l.ok() ? *l : nullptr;
}

TEST(log, append_assigns_consecutive_offsets_in_place) {
    temp_dir d;
    auto l = open_log(d);
    auto b1 = make_batch(5, 10, 1000);
    auto r1 = l->append(b1);
    ASSERT_TRUE(r1.ok());
    EXPECT_EQ(r1->base_offset, model::offset(0));
    EXPECT_EQ(r1->last_offset, model::offset(4));
    auto b2 = make_batch(3, 10, 2000);
    auto r2 = l->append(b2);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(r2->base_offset, model::offset(5));
    EXPECT_EQ(l->log_end_offset(), model::offset(8));
    // The caller's buffer now carries the assigned base offset and a valid CRC.
    auto v = model::record_batch_view::parse(b2);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->base_offset(), model::offset(5));
}

TEST(log, appends_start_the_disk_write_of_every_few_mebibytes_they_add) {
    temp_dir d;
    auto l = open_log(d);
    const uint64_t chunk = k_default_writeback_bytes;
    ASSERT_EQ(writeback_bytes(), chunk);
    uint64_t appended = 0;
    int64_t batches = 0;
    while (appended < chunk - 70000) {  // just under one chunk: nothing handed over yet
        auto b = make_batch(60, 1000, 1000);
        appended += b.size();
        ++batches;
        ASSERT_TRUE(l->append(b).ok());
    }
    EXPECT_EQ(log_test_access::writeback_started(*l, 0), 0u);
    while (appended < 2 * chunk + 1000) {
        auto b = make_batch(60, 1000, 1000);
        appended += b.size();
        ++batches;
        ASSERT_TRUE(l->append(b).ok());
    }
    const uint64_t started = log_test_access::writeback_started(*l, 0);
    EXPECT_GE(started, 2 * chunk);  // every byte of two whole chunks was handed over
    EXPECT_LE(started, appended);
    // The records are all still there and readable.
    EXPECT_EQ(l->log_end_offset(), model::offset(60 * batches));
    EXPECT_EQ(static_cast<int64_t>(read_all(*l, model::offset(0)).size()), batches);
}

TEST(log, writeback_bytes_zero_leaves_the_disk_write_to_the_kernel) {
    temp_dir d;
    auto l = open_log(d);
    set_writeback_bytes(0);
    for (int i = 0; i < 200; ++i) {  // about 12 MiB
        auto b = make_batch(60, 1000, 1000);
        ASSERT_TRUE(l->append(b).ok());
    }
    set_writeback_bytes(k_default_writeback_bytes);
    EXPECT_EQ(log_test_access::writeback_started(*l, 0), 0u);
}

TEST(log, several_batches_in_one_append_are_all_stored) {
    temp_dir d;
    auto l = open_log(d);
    auto a = make_batch(2, 10, 1, 1);
    auto b = make_batch(4, 10, 5, 2);
    a.insert(a.end(), b.begin(), b.end());
    auto r = l->append(a);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->last_offset, model::offset(5));
    auto all = read_all(*l, model::offset(0));
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].base, model::offset(2));
}

TEST(log, rejects_corrupt_batch_without_appending_anything) {
    temp_dir d;
    auto l = open_log(d);
    auto good = make_batch(2, 10, 1);
    auto bad = make_batch(2, 10, 1);
    bad[bad.size() - 1] ^= std::byte{1};
    auto both = good;
    both.insert(both.end(), bad.begin(), bad.end());
    auto r = l->append(both);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::corrupt);
    EXPECT_EQ(l->log_end_offset(), model::offset(0));
    auto truncated = std::vector<std::byte>(good.begin(), good.end() - 3);
    EXPECT_EQ(l->append(truncated).err().code, errc::corrupt);
    std::vector<std::byte> empty;
    EXPECT_FALSE(l->append(empty).ok());
}

TEST(log, rejects_batch_larger_than_max_message_bytes) {
    temp_dir d;
    auto l = open_log(d, {{"max.message.bytes", "1000"}});
    auto big = make_batch(1, 2000, 1);
    auto r = l->append(big);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::too_large);
    auto small = make_batch(1, 100, 1);
    EXPECT_TRUE(l->append(small).ok());
}

TEST(log, round_trips_across_segment_rolls) {
    temp_dir d;
    auto l = open_log(d, {{"segment.bytes", "4096"}, {"index.interval.bytes", "512"}});
    const int batches = 200;
    for (int i = 0; i < batches; ++i) {
        auto b = make_batch(3, 50, 1000 + i * 3, static_cast<uint64_t>(i));
        ASSERT_TRUE(l->append(b).ok());
    }
    EXPECT_GT(log_test_access::segment_count(*l), 10u);
    auto all = read_all(*l, model::offset(0));
    ASSERT_EQ(all.size(), static_cast<size_t>(batches));
    for (int i = 0; i < batches; ++i) {
        EXPECT_EQ(all[i].base, model::offset(i * 3));
        auto values = testing::values_of(all[i]);
        ASSERT_EQ(values.size(), 3u);
        EXPECT_EQ(values[2], testing::expected_value(static_cast<uint64_t>(i), 2, 50));
    }
    // Reopen (clean) and read everything again.
    ASSERT_TRUE(l->close().ok());
    l = open_log(d, {{"segment.bytes", "4096"}, {"index.interval.bytes", "512"}});
    EXPECT_EQ(read_all(*l, model::offset(0)).size(), static_cast<size_t>(batches));
    EXPECT_EQ(l->log_end_offset(), model::offset(batches * 3));
}

TEST(log, read_from_every_offset_returns_the_batch_containing_it) {
    temp_dir d;
    auto l = open_log(d, {{"segment.bytes", "2048"}, {"index.interval.bytes", "256"}});
    for (int i = 0; i < 60; ++i) {
        auto b = make_batch(4, 40, i * 4, static_cast<uint64_t>(i));
        ASSERT_TRUE(l->append(b).ok());
    }
    for (int64_t o = 0; o < 240; ++o) {
        auto r = l->read(model::offset(o), 1);
        ASSERT_TRUE(r.ok()) << o;
        ASSERT_TRUE(r->chunk.has_value()) << o;
        std::vector<std::byte> bytes;
        ASSERT_TRUE(r->copy_to(bytes).ok());
        auto v = model::record_batch_view::parse(bytes);
        ASSERT_TRUE(v.ok()) << o;
        EXPECT_LE(v->base_offset().value(), o);
        EXPECT_GE(v->last_offset().value(), o);
        EXPECT_EQ(v->size_bytes(), bytes.size())
            << "max_bytes=1 still returns exactly one whole batch";
    }
    auto end = l->read(model::offset(240), 1 << 20);
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(end->chunk.has_value());
    EXPECT_EQ(l->read(model::offset(241), 100).err().code, errc::out_of_range);
    EXPECT_EQ(l->read(model::offset(-1), 100).err().code, errc::out_of_range);
}

TEST(log, read_respects_byte_budget_and_offset_limit_on_batch_boundaries) {
    temp_dir d;
    auto l = open_log(d, {{"index.interval.bytes", "300"}});
    size_t batch_size = 0;
    for (int i = 0; i < 50; ++i) {
        auto b = make_batch(2, 100, i * 2);  // same seed: every batch has the same size
        batch_size = b.size();
        ASSERT_TRUE(l->append(b).ok());
    }
    for (size_t budget :
         {batch_size, batch_size + 1, 3 * batch_size - 1, 3 * batch_size, 10 * batch_size + 7}) {
        auto r = l->read(model::offset(10), budget);
        ASSERT_TRUE(r.ok());
        ASSERT_TRUE(r->chunk);
        EXPECT_EQ(r->chunk->size, (budget / batch_size) * batch_size) << budget;
    }
    auto limited = l->read(model::offset(0), 1 << 20, model::offset(7));
    ASSERT_TRUE(limited.ok());
    std::vector<std::byte> bytes;
    ASSERT_TRUE(limited->copy_to(bytes).ok());
    EXPECT_EQ(bytes.size(), 3 * batch_size) << "batches 0-1, 2-3, 4-5 end below offset 7";
    auto none = l->read(model::offset(8), 1 << 20, model::offset(8));
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->chunk);
}

TEST(log, lookup_by_timestamp_finds_first_record_at_or_after) {
    temp_dir d;
    auto l = open_log(d, {{"segment.bytes", "3000"}, {"index.interval.bytes", "200"}});
    // Batch i holds records with timestamps 1000 + 10*i + {0,1,2,3,4}.
    for (int i = 0; i < 80; ++i) {
        auto b = make_batch(5, 30, 1000 + 10 * i, static_cast<uint64_t>(i));
        ASSERT_TRUE(l->append(b).ok());
    }
    ASSERT_GT(log_test_access::segment_count(*l), 2u);
    for (int64_t ts = 990; ts < 1000 + 800 + 10; ++ts) {
        auto o = l->offset_for_timestamp(ts);
        ASSERT_TRUE(o.ok());
        int64_t rel = ts - 1000;
        if (rel < 0) {
            ASSERT_TRUE(o->has_value());
            EXPECT_EQ(o->value(), model::offset(0));
            continue;
        }
        int64_t batch = rel / 10, within = rel % 10;
        if (batch >= 80 || (batch == 79 && within > 4)) {
            EXPECT_FALSE(o->has_value()) << ts;
            continue;
        }
        int64_t expect = within <= 4 ? batch * 5 + within : (batch + 1) * 5;
        ASSERT_TRUE(o->has_value()) << ts;
        EXPECT_EQ(o->value(), model::offset(expect)) << ts;
    }
}

TEST(log, log_append_time_overrides_producer_timestamps) {
    temp_dir d;
    int64_t now = 5'000'000;
    auto l = open_log(d, {{"message.timestamp.type", "LogAppendTime"}}, true, [&] { return now; });
    auto b = make_batch(3, 10, 17);
    auto r = l->append(b);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->log_append_time, now);
    auto all = read_all(*l, model::offset(0));
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].max_timestamp, now);
}

TEST(log, segment_rolls_by_age) {
    temp_dir d;
    int64_t now = 1'000'000;
    auto l = open_log(d, {{"segment.ms", "1000"}}, true, [&] { return now; });
    auto b = make_batch(1, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    now += 999;
    b = make_batch(1, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    EXPECT_EQ(log_test_access::segment_count(*l), 1u);
    now += 1;
    b = make_batch(1, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    EXPECT_EQ(log_test_access::segment_count(*l), 2u);
}

TEST(log, sync_makes_appends_durable_and_concurrent_waiters_share_syncs) {
    temp_dir d;
    auto l = open_log(d);
    auto b = make_batch(1, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    EXPECT_EQ(l->durable_offset(), model::offset(0));
    ASSERT_TRUE(l->sync().ok());
    EXPECT_EQ(l->durable_offset(), model::offset(1));

    std::atomic<int> done{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                auto batch = make_batch(2, 20, i, static_cast<uint64_t>(t * 100 + i));
                auto r = l->append(batch);
                ASSERT_TRUE(r.ok());
                ASSERT_TRUE(l->wait_durable(r->last_offset + 1).ok());
                ASSERT_GE(l->durable_offset(), r->last_offset + 1);
            }
            ++done;
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(done.load(), 4);
    EXPECT_EQ(l->durable_offset(), l->log_end_offset());
}

TEST(log, when_durable_calls_back_after_sync) {
    temp_dir d;
    auto l = open_log(d);
    std::vector<std::shared_ptr<log>> scheduled;
    l->set_sync_scheduler([&](std::shared_ptr<log> lg) { scheduled.push_back(std::move(lg)); });
    auto b = make_batch(2, 10, 1);
    auto r = l->append(b);
    ASSERT_TRUE(r.ok());
    int called = 0;
    l->when_durable(r->last_offset + 1, [&](status s) {
        EXPECT_TRUE(s.ok());
        ++called;
    });
    EXPECT_EQ(called, 0);
    ASSERT_EQ(scheduled.size(), 1u);
    EXPECT_TRUE(l->flush_due(0)) << "a waiter makes a flush due";
    ASSERT_TRUE(scheduled[0]->sync().ok());
    EXPECT_EQ(called, 1);
    l->when_durable(r->last_offset + 1, [&](status) { ++called; });
    EXPECT_EQ(called, 2) << "already durable: called inline";
}

TEST(log, flush_policy_by_messages_bytes_and_time) {
    temp_dir d;
    int64_t now = 0;
    auto l = open_log(d, {{"flush.messages", "3"}}, true, [&] { return now; });
    auto b = make_batch(2, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    EXPECT_FALSE(l->flush_due(now));
    b = make_batch(1, 10, 1);
    ASSERT_TRUE(l->append(b).ok());
    EXPECT_TRUE(l->flush_due(now));
    ASSERT_TRUE(l->sync().ok());
    EXPECT_FALSE(l->flush_due(now));

    temp_dir d2;
    auto timed = open_log(d2, {{"flush.ms", "10"}}, true, [&] { return now; });
    b = make_batch(1, 10, 1);
    ASSERT_TRUE(timed->append(b).ok());
    now += 9;
    EXPECT_FALSE(timed->flush_due(now));
    now += 1;
    EXPECT_TRUE(timed->flush_due(now));

    temp_dir d3;
    auto sized = open_log(d3, {{"flush.bytes", "200"}}, true, [&] { return now; });
    b = make_batch(1, 50, 1);
    ASSERT_TRUE(sized->append(b).ok());
    EXPECT_FALSE(sized->flush_due(now));
    b = make_batch(1, 150, 1);
    ASSERT_TRUE(sized->append(b).ok());
    EXPECT_TRUE(sized->flush_due(now));
}

TEST(log, appends_after_close_fail) {
    temp_dir d;
    auto l = open_log(d);
    ASSERT_TRUE(l->close().ok());
    auto b = make_batch(1, 10, 1);
    EXPECT_EQ(l->append(b).err().code, errc::shutting_down);
}

TEST(log, concurrent_readers_see_only_whole_batches_while_appending) {
    temp_dir d;
    auto l = open_log(d, {{"segment.bytes", "8192"}});
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        while (!stop) {
            auto end = l->log_end_offset();
            if (end.value() == 0) continue;
            auto all = read_all(*l, l->log_start_offset());
            ASSERT_GE(all.size(), 1u);
        }
    });
    for (int i = 0; i < 300; ++i) {
        auto b = make_batch(2, 60, i, static_cast<uint64_t>(i));
        ASSERT_TRUE(l->append(b).ok());
    }
    stop = true;
    reader.join();
}

}  // namespace
}  // namespace log_test
}  // namespace spate::storage
