// Log compaction: which records survive, that offsets and batch ranges are
// kept, and that readers and appends run through a pass.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/log.h"
#include "storage/log_manager.h"
#include "storage/testing.h"
#include "storage/tests/compaction_fixture.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace compaction_test {
namespace {

using namespace testing;

TEST(Compaction, many_updates_per_key_compact_to_the_latest_value_at_its_original_offset) {
    fixture f;
    f.updates(20, 40);
    f.roll();
    auto size_before = f.l->size_bytes();
    auto segments_before = log_test_access::segment_count(*f.l);
    auto r = f.compact();
    EXPECT_TRUE(r.ran);
    EXPECT_GE(r.records_removed, 20u * 39u);  // plus all but the last filler
    EXPECT_LT(f.l->size_bytes(), size_before / 4);
    f.expect_latest_only();
    // Groups are sized by their sources (as Kafka does): the now small cleaned
    // segments merge on the next pass.
    f.compact();
    EXPECT_LT(log_test_access::segment_count(*f.l), segments_before / 2);
    f.expect_latest_only();
    auto stats = log_test_access::compaction_stats(*f.l);
    EXPECT_EQ(stats.passes, 2u);
    EXPECT_EQ(stats.records_removed, r.records_removed);
    EXPECT_EQ(stats.last_clean_ms, f.now);
    EXPECT_EQ(f.l->log_start_offset(), model::offset(0));
}

TEST(Compaction, a_second_pass_only_replaces_what_new_updates_supersede) {
    fixture f;
    f.updates(10, 10);
    f.roll();
    f.compact();
    f.updates(10, 3);
    f.roll();
    auto r = f.compact(false);  // the new data makes the log dirty enough
    EXPECT_TRUE(r.ran);
    f.expect_latest_only();
    // With no new data the dirty ratio is zero: nothing to do.
    EXPECT_FALSE(f.compact(false).ran);
}

TEST(Compaction, surviving_batches_keep_their_base_and_last_offsets) {
    fixture f;
    std::set<std::pair<int64_t, int64_t>> ranges;
    for (int round = 0; round < 30; ++round) {
        auto b = batch_of({{"a", "a" + std::to_string(round)},
                           {"b", "b" + std::to_string(round)},
                           {"c" + std::to_string(round), "unique"}},
                          f.now);
        auto r = f.l->append(b);
        ASSERT_TRUE(r.ok());
        ranges.insert({r->base_offset.value(), r->last_offset.value()});
    }
    f.roll();
    auto before_end = f.l->log_end_offset();
    f.compact();
    for (const auto& b : batches_of(*f.l)) {
        if (b.base >= 90) continue;  // the filler
        EXPECT_TRUE(ranges.count({b.base, b.last})) << b.base << ".." << b.last;
        for (const auto& r : b.records) {
            EXPECT_GE(r.offset, b.base);
            EXPECT_LE(r.offset, b.last);
        }
    }
    EXPECT_EQ(f.l->log_end_offset(), before_end);
    // Fetching any offset returns the batch that holds it or the next one.
    for (int64_t o = 0; o < 90; ++o) {
        auto r = f.l->read(model::offset(o), 1);
        ASSERT_TRUE(r.ok());
        ASSERT_TRUE(r->chunk);
        std::vector<std::byte> bytes;
        ASSERT_TRUE(r->copy_to(bytes).ok());
        auto v = model::record_batch_view::parse(bytes);
        ASSERT_TRUE(v.ok());
        EXPECT_GE(v->last_offset().value(), o);
    }
}

TEST(Compaction, offset_for_timestamp_works_across_removed_records) {
    fixture f;
    for (int i = 0; i < 40; ++i) {
        auto b = batch_of({{"k", "v" + std::to_string(i)}}, 1000 + i * 10);
        ASSERT_TRUE(f.l->append(b).ok());
    }
    f.roll();
    f.compact();
    // Only offset 39 (ts 1390) survives of the first 40.
    auto o = f.l->offset_for_timestamp(1005);
    ASSERT_TRUE(o.ok());
    ASSERT_TRUE(*o);
    EXPECT_EQ(**o, model::offset(39));
}

TEST(Compaction, the_active_segment_is_never_cleaned) {
    fixture f(config_map{{"segment.bytes", "1048576"}});
    f.updates(5, 20);
    auto before = records_of(*f.l);
    auto r = f.compact();
    EXPECT_FALSE(r.ran);
    EXPECT_EQ(records_of(*f.l), before);
}

TEST(Compaction, tombstones_stay_for_delete_retention_ms_and_go_after) {
    fixture f(config_map{{"delete.retention.ms", "1000"}});
    f.append({{"gone", "v1"}, {"kept", "v1"}});
    f.append({{"gone", std::nullopt}});
    f.roll();
    f.compact();
    auto rs = records_of(*f.l);
    ASSERT_GE(rs.size(), 2u);
    EXPECT_EQ(rs[0].key, "kept");
    EXPECT_EQ(rs[1].key, "gone");
    EXPECT_FALSE(rs[1].value) << "the tombstone is retained";
    // Its batch now carries the delete horizon (KIP-534).
    auto bs = batches_of(*f.l);
    ASSERT_GE(bs.size(), 2u);
    EXPECT_TRUE(bs[1].attributes & model::batch_attr::delete_horizon);
    EXPECT_EQ(bs[1].base_timestamp, f.now + 1000);
    EXPECT_EQ(bs[1].records[0].timestamp, f.now) << "record timestamps survive the new base";

    f.now += 999;
    EXPECT_FALSE(f.compact(false).ran) << "nothing dirty and no horizon passed";
    f.compact();
    rs = records_of(*f.l);
    ASSERT_GE(rs.size(), 2u);
    EXPECT_EQ(rs[1].key, "gone");

    f.now += 1;
    auto r = f.compact(false);
    EXPECT_TRUE(r.ran) << "a passed delete horizon makes the log due";
    rs = records_of(*f.l);
    for (const auto& x : rs)
        EXPECT_NE(x.key, "gone");
    EXPECT_EQ(rs[0].key, "kept");
}

TEST(Compaction, a_tombstone_beyond_a_full_offset_map_gets_its_horizon_only_once_covered) {
    fixture f(config_map{{"delete.retention.ms", "1000"}});
    f.append({{"k", "old"}});
    f.append({{"k", std::nullopt}});
    f.roll();
    compaction_options o;
    o.force = true;
    o.map_memory_bytes = 1;  // the map covers one batch per pass
    ASSERT_TRUE(f.l->compact(f.now, o).ok());
    auto bs = batches_of(*f.l);
    ASSERT_GE(bs.size(), 2u);
    EXPECT_EQ(bs[0].records.size(), 1u) << "nothing supersedes offset 0 yet";
    EXPECT_FALSE(bs[1].attributes & model::batch_attr::delete_horizon);
    f.now += 10'000;
    ASSERT_TRUE(f.l->compact(f.now, o).ok());  // covers the tombstone
    auto rs = records_of(*f.l);
    ASSERT_FALSE(rs.empty());
    EXPECT_EQ(rs[0].offset, 1);
    EXPECT_FALSE(rs[0].value);
    f.now += 1000;
    ASSERT_TRUE(f.l->compact(f.now, o).ok());
    for (const auto& r : records_of(*f.l))
        EXPECT_NE(r.key, "k");
}

TEST(Compaction, records_newer_than_min_compaction_lag_are_not_removed) {
    fixture f(config_map{{"min.compaction.lag.ms", "60000"}});
    f.updates(5, 10);
    f.roll();
    auto before = records_of(*f.l);
    f.compact();
    EXPECT_EQ(records_of(*f.l), before);
    f.now += 60'001;
    f.compact();
    auto rs = records_of(*f.l);
    EXPECT_LT(rs.size(), before.size());
    std::map<std::string, int> count;
    for (const auto& r : rs)
        if (r.key != "filler") ++count[r.key];
    for (const auto& [k, n] : count)
        EXPECT_EQ(n, 1) << k;
}

TEST(Compaction, max_compaction_lag_forces_a_pass_below_the_dirty_ratio) {
    fixture f(config_map{{"min.cleanable.dirty.ratio", "0.99"}, {"max.compaction.lag.ms", "5000"}});
    f.updates(10, 10);
    f.roll();
    f.compact();
    f.updates(10, 1);
    f.roll();
    EXPECT_FALSE(f.compact(false).ran) << "dirty ratio below 0.99";
    f.now += 5001;
    EXPECT_TRUE(f.compact(false).ran);
    f.expect_latest_only();
}

TEST(Compaction, compressed_batches_of_every_codec_are_compacted_in_their_codec) {
    for (auto c : {model::compression::gzip, model::compression::snappy, model::compression::lz4,
                   model::compression::zstd}) {
        SCOPED_TRACE(static_cast<int>(c));
        fixture f;
        f.updates(8, 20, c);
        f.append({{"key-1", std::nullopt}}, c);
        f.roll();
        f.compact();
        f.expect_latest_only();
        for (const auto& b : batches_of(*f.l)) {
            if (b.records.empty() || b.records[0].key == "filler") continue;
            EXPECT_EQ(b.codec, c);
        }
    }
}

TEST(Compaction, records_without_a_key_are_kept) {
    fixture f;
    model::record_batch_builder b;
    b.add(f.now, std::nullopt, as_bytes(std::string("no key")));
    auto bytes = b.finish();
    ASSERT_TRUE(f.l->append(bytes).ok());
    f.updates(3, 5);
    f.roll();
    f.compact();
    auto rs = records_of(*f.l);
    ASSERT_FALSE(rs.empty());
    EXPECT_EQ(rs[0].offset, 0);
    EXPECT_EQ(rs[0].value, "no key");
}

TEST(Compaction, a_producers_last_batch_survives_empty) {
    fixture f;
    for (int i = 0; i < 5; ++i) {
        auto b = batch_of({{"k", "v" + std::to_string(i)}}, f.now, model::compression::none, 7, i);
        ASSERT_TRUE(f.l->append(b).ok());
    }
    // A later write of the key from another producer supersedes all of them.
    f.append({{"k", "final"}, {"other", "x"}});
    f.roll();
    f.compact();
    auto bs = batches_of(*f.l);
    ASSERT_GE(bs.size(), 2u);
    EXPECT_EQ(bs[0].base, 4) << "producer 7's last batch is kept";
    EXPECT_TRUE(bs[0].records.empty());
    EXPECT_EQ(bs[1].base, 5);
    EXPECT_EQ(bs[1].records.at(0).value, "final");
}

TEST(Compaction, reopening_after_a_pass_gives_the_same_content) {
    for (bool clean : {true, false}) {
        SCOPED_TRACE(clean);
        fixture f(config_map{{"delete.retention.ms", "100000"}});
        f.updates(15, 20);
        f.append({{"key-3", std::nullopt}});
        f.roll();
        f.compact();
        auto before = records_of(*f.l);
        if (clean) {
            ASSERT_TRUE(f.l->close().ok());
        }
        f.l.reset();
        f.open(clean);
        EXPECT_EQ(records_of(*f.l), before);
        f.expect_latest_only();
        // The checkpoint survived: nothing is dirty.
        EXPECT_FALSE(f.compact(false).ran);
    }
}

TEST(Compaction, a_small_offset_map_cleans_in_several_passes) {
    fixture f;
    f.updates(200, 6);
    f.roll();
    compaction_options o;
    o.force = true;
    o.map_memory_bytes = 1;  // stops after the first dirty batch each time
    int passes = 0;
    int64_t cleaned_to = -1;
    for (; passes < 100; ++passes) {
        auto r = f.l->compact(f.now, o);
        ASSERT_TRUE(r.ok());
        ASSERT_GT(r->cleaned_to, cleaned_to);
        cleaned_to = r->cleaned_to;
        if (cleaned_to == f.l->log_end_offset().value() ||
            cleaned_to >= static_cast<int64_t>(200 * 6))
            break;
    }
    EXPECT_GT(passes, 2);
    f.compact();
    f.expect_latest_only();
}

TEST(Compaction, readers_and_appends_see_a_consistent_log_while_passes_run) {
    fixture f;
    constexpr int k_keys = 20;
    f.updates(k_keys, 5);
    // acked[k]: highest round of key k whose append has returned.
    std::vector<std::atomic<int>> acked(k_keys);
    for (auto& a : acked)
        a = 4;
    std::atomic<bool> stop{false};
    std::atomic<int> reads{0};
    std::atomic<int> passes{0};
    std::thread writer([&] {
        for (int round = 5; !stop.load(); ++round) {
            std::vector<kv> rs;
            for (int k = 0; k < k_keys; ++k)
                rs.push_back({"key-" + std::to_string(k),
                              "v" + std::to_string(round) + "-" + std::to_string(k)});
            auto b = batch_of(rs, f.now);
            ASSERT_TRUE(f.l->append(b).ok());
            for (auto& a : acked)
                a = round;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    });
    std::thread compactor([&] {
        compaction_options o;
        o.force = true;
        while (!stop.load()) {
            auto r = f.l->compact(f.now, o);
            ASSERT_TRUE(r.ok()) << r.err().to_string();
            if (r->ran) ++passes;
        }
    });
    std::thread reader([&] {
        while (!stop.load()) {
            std::vector<int> floor;
            for (auto& a : acked)
                floor.push_back(a.load());
            auto rs = records_of(*f.l);
            std::vector<int> best(k_keys, -1);
            for (size_t i = 0; i < rs.size(); ++i) {
                if (i > 0) {
                    ASSERT_LT(rs[i - 1].offset, rs[i].offset);
                }
                int k = std::stoi(rs[i].key.substr(4));
                int round = std::stoi(rs[i].value->substr(1));
                best[static_cast<size_t>(k)] = std::max(best[static_cast<size_t>(k)], round);
            }
            for (int k = 0; k < k_keys; ++k)
                ASSERT_GE(best[static_cast<size_t>(k)], floor[static_cast<size_t>(k)])
                    << "key " << k << " lost its latest value";
            ++reads;
        }
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline && (passes < 20 || reads < 20))
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop = true;
    writer.join();
    compactor.join();
    reader.join();
    EXPECT_GT(passes.load(), 2);
    EXPECT_GT(reads.load(), 2);
    f.roll();
    f.compact();
    auto rs = records_of(*f.l);
    expect_increasing(rs);
    std::map<std::string, int> count;
    for (const auto& r : rs)
        if (r.key != "filler") ++count[r.key];
    for (const auto& [k, n] : count)
        EXPECT_EQ(n, 1) << k;
    EXPECT_EQ(count.size(), static_cast<size_t>(k_keys));
}

TEST(Compaction, topics_without_compact_policy_are_not_touched) {
    fixture f(config_map{{"cleanup.policy", "delete"}});
    f.updates(5, 20);
    f.roll();
    auto before = records_of(*f.l);
    EXPECT_FALSE(f.compact().ran);
    EXPECT_EQ(records_of(*f.l), before);
}

TEST(Compaction, retention_deletes_only_with_compact_delete) {
    for (std::string policy : {"compact", "compact,delete"}) {
        SCOPED_TRACE(policy);
        fixture f(config_map{{"cleanup.policy", policy}, {"retention.ms", "1000"}});
        f.updates(5, 20, model::compression::none, f.now - 10'000);
        f.roll();
        auto n = f.l->enforce_retention(f.now);
        ASSERT_TRUE(n.ok());
        if (policy == "compact") {
            EXPECT_EQ(*n, 0u);
        } else {
            EXPECT_GT(*n, 0u);
        }
    }
}

TEST(Compaction, the_log_manager_cleaner_compacts_compacted_topics) {
    temp_dir d;
    log_manager_options o;
    o.data_dir = d.path();
    o.cleaner_backoff_ms = 10;
    auto m = log_manager::open(o);
    ASSERT_TRUE(m.ok());
    ASSERT_TRUE(
        (*m)->create_topic("c", 1, {{"cleanup.policy", "compact"}, {"segment.bytes", "1024"}})
            .ok());
    auto l = (*m)->get("c", 0);
    for (int i = 0; i < 100; ++i) {
        auto b = batch_of({{"k" + std::to_string(i % 3), "v" + std::to_string(i)}}, 1);
        ASSERT_TRUE(l->append(b).ok());
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (log_test_access::compaction_stats(*l).passes == 0 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GT(log_test_access::compaction_stats(*l).passes, 0u);
    EXPECT_LT(records_of(*l).size(), 100u);
    EXPECT_GE(log_manager_test_access::compact_all_now(**m), 1u);
    ASSERT_TRUE((*m)->close().ok());
}

// ---- transactions (docs/formats/compaction.md, "Transactions") ----

}  // namespace
}  // namespace compaction_test
}  // namespace spate::storage
