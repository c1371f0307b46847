// Log compaction: which records survive, that offsets and batch ranges are
// kept, that readers and appends run through a pass, and that every crash
// point of the swap protocol recovers to a consistent log.

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "model/record_batch_builder.h"
#include "model/records.h"
#include "storage/compactor.h"
#include "storage/log.h"
#include "storage/log_manager.h"
#include "storage/testing.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace {

using testing::config_with;
using testing::read_all;
using testing::temp_dir;

std::span<const std::byte> as_bytes(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

struct kv {
    std::string key;
    std::optional<std::string> value;  // nullopt: tombstone
};

std::vector<std::byte> batch_of(const std::vector<kv>& records, int64_t ts,
                                model::compression c = model::compression::none,
                                int64_t producer_id = -1, int32_t sequence = 0) {
    model::record_batch_options o;
    o.compression_type = c;
    if (producer_id >= 0) {
        o.producer_id = model::producer_id(producer_id);
        o.producer_epoch = model::producer_epoch(0);
        o.base_sequence = sequence;
    }
    model::record_batch_builder b(o);
    for (const auto& r : records) {
        std::optional<std::span<const std::byte>> v;
        if (r.value) v = as_bytes(*r.value);
        b.add(ts, as_bytes(r.key), v);
    }
    return b.finish();
}

struct seen_record {
    int64_t offset;
    std::string key;
    std::optional<std::string> value;
    int64_t timestamp;
    bool operator==(const seen_record&) const = default;
};

struct seen_batch {
    int64_t base;
    int64_t last;
    int16_t attributes;
    int64_t base_timestamp;
    model::compression codec;
    std::vector<seen_record> records;
    int64_t producer_id = -1;
};

std::vector<seen_batch> batches_of(const log& l) {
    std::vector<seen_batch> out;
    for (const auto& b : read_all(l, l.log_start_offset())) {
        auto v = model::record_batch_view::parse(b.bytes);
        EXPECT_TRUE(v.ok());
        if (!v.ok()) break;
        seen_batch sb{v->base_offset().value(), v->last_offset().value(), v->attributes(),
                      v->base_timestamp(),      v->compression_type(),    {}};
        sb.producer_id = v->producer_id().value();
        auto reader = model::record_reader::create(*v);
        EXPECT_TRUE(reader.ok());
        if (!reader.ok()) break;
        auto st = reader->for_each([&](const model::record_view& r) {
            seen_record s;
            s.offset = reader->offset_of(r).value();
            s.key = r.key ? std::string(reinterpret_cast<const char*>(r.key->data()), r.key->size())
                          : std::string();
            if (r.value)
                s.value =
                    std::string(reinterpret_cast<const char*>(r.value->data()), r.value->size());
            s.timestamp = reader->timestamp_of(r);
            sb.records.push_back(std::move(s));
        });
        EXPECT_TRUE(st.ok());
        out.push_back(std::move(sb));
    }
    return out;
}

std::vector<seen_record> records_of(const log& l) {
    std::vector<seen_record> out;
    for (auto& b : batches_of(l))
        for (auto& r : b.records)
            out.push_back(r);
    return out;
}

// Offsets strictly increase across the whole log.
void expect_increasing(const std::vector<seen_record>& rs) {
    for (size_t i = 1; i < rs.size(); ++i)
        ASSERT_LT(rs[i - 1].offset, rs[i].offset) << "at record " << i;
}

struct fixture {
    temp_dir d;
    int64_t now = 1'000'000'000;
    config_map cfg;
    std::shared_ptr<log> l;
    // key -> (offset, value) of the latest write.
    std::map<std::string, std::pair<int64_t, std::optional<std::string>>> latest;

    explicit fixture(config_map extra = {}) {
        cfg = {{"cleanup.policy", "compact"},
               {"segment.bytes", "2048"},
               {"index.interval.bytes", "256"}};
        for (auto& [k, v] : extra)
            cfg[k] = v;
        open(true);
    }
    void open(bool clean) {
        auto opened = log::open(d.path() / "t-0", config_with(cfg), clean, [this] { return now; });
        ASSERT_TRUE(opened.ok()) << opened.err().to_string();
        l = *opened;
    }
    void append(const std::vector<kv>& records, model::compression c = model::compression::none,
                int64_t ts = -1) {
        auto b = batch_of(records, ts < 0 ? now : ts, c);
        auto r = l->append(b);
        ASSERT_TRUE(r.ok()) << r.err().to_string();
        for (size_t i = 0; i < records.size(); ++i)
            latest[records[i].key] = {r->base_offset.value() + static_cast<int64_t>(i),
                                      records[i].value};
    }
    // `rounds` batches, each updating every one of `keys` keys once.
    void updates(int keys, int rounds, model::compression c = model::compression::none,
                 int64_t ts = -1) {
        for (int round = 0; round < rounds; ++round) {
            std::vector<kv> rs;
            for (int k = 0; k < keys; ++k)
                rs.push_back({"key-" + std::to_string(k),
                              "v" + std::to_string(round) + "-" + std::to_string(k)});
            append(rs, c, ts);
        }
    }
    // Fills the active segment with another key until it rolls (twice), so
    // everything written before is in sealed segments.
    void roll() {
        size_t before = log_test_access::segment_count(*l);
        while (log_test_access::segment_count(*l) < before + 2) {
            auto b = batch_of({{"filler", std::string(200, 'f')}}, now);
            ASSERT_TRUE(l->append(b).ok());
        }
    }
    compaction_result compact(bool force = true) {
        compaction_options o;
        o.force = force;
        auto r = l->compact(now, o);
        EXPECT_TRUE(r.ok()) << r.err().to_string();
        return r.ok() ? *r : compaction_result{};
    }
    // Every key except the filler appears exactly once, at the offset and
    // with the value of its latest write.
    void expect_latest_only() {
        auto rs = records_of(*l);
        expect_increasing(rs);
        std::map<std::string, int> count;
        for (const auto& r : rs) {
            if (r.key == "filler") continue;
            ++count[r.key];
            auto it = latest.find(r.key);
            ASSERT_NE(it, latest.end());
            EXPECT_EQ(r.offset, it->second.first) << r.key;
            EXPECT_EQ(r.value, it->second.second) << r.key;
        }
        for (const auto& [k, v] : latest) {
            if (k == "filler") continue;
            EXPECT_EQ(count[k], 1) << k;
        }
    }
};

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

// Transactional producer `pid`'s next batch (epoch 0).
std::vector<std::byte> txn_batch_of(const std::vector<kv>& records, int64_t ts, int64_t pid,
                                    int32_t sequence) {
    model::record_batch_options o;
    o.producer_id = model::producer_id(pid);
    o.producer_epoch = model::producer_epoch(0);
    o.base_sequence = sequence;
    o.transactional = true;
    model::record_batch_builder b(o);
    for (const auto& r : records) {
        std::optional<std::span<const std::byte>> v;
        if (r.value) v = as_bytes(*r.value);
        b.add(ts, as_bytes(r.key), v);
    }
    return b.finish();
}

int64_t txn_append(fixture& f, const std::vector<kv>& records, int64_t pid, int32_t sequence) {
    auto b = txn_batch_of(records, f.now, pid, sequence);
    auto r = f.l->append(b);
    EXPECT_TRUE(r.ok()) << r.err().to_string();
    return r.ok() ? r->base_offset.value() : -1;
}

int64_t end_txn(fixture& f, int64_t pid, bool commit) {
    auto r = f.l->append_marker(model::producer_id(pid), model::producer_epoch(0), commit, 1);
    EXPECT_TRUE(r.ok()) << r.err().to_string();
    return r.ok() ? r->base_offset.value() : -1;
}

// The values of `key` in the log, oldest first.
std::vector<std::optional<std::string>> values_of_key(const log& l, const std::string& key) {
    std::vector<std::optional<std::string>> out;
    for (const auto& r : records_of(l))
        if (r.key == key) out.push_back(r.value);
    return out;
}

size_t control_batches(const log& l) {
    size_t n = 0;
    for (const auto& b : batches_of(l))
        if (b.attributes & model::batch_attr::control) ++n;
    return n;
}

TEST(CompactionTxn, aborted_ranges_match_only_the_aborted_producers_transactional_batches) {
    compaction::aborted_ranges a;
    EXPECT_TRUE(a.empty());
    a.add(5, 10, 20);
    a.add(5, 30, 31);
    a.add(5, 10, 20);  // a duplicate (an entry left in two indexes by a crash)
    EXPECT_FALSE(a.empty());
    auto at = [](std::vector<std::byte> b, int64_t base) {
        model::set_base_offset(b, model::offset(base));
        return b;
    };
    auto contains = [&](const std::vector<std::byte>& b) {
        auto v = model::record_batch_view::parse(b);
        EXPECT_TRUE(v.ok());
        return v.ok() && a.contains(*v);
    };
    for (int64_t o : {10, 15, 19, 30})
        EXPECT_TRUE(contains(at(txn_batch_of({{"k", "v"}}, 1, 5, 0), o))) << o;
    for (int64_t o : {0, 9, 21, 29, 32, 100})
        EXPECT_FALSE(contains(at(txn_batch_of({{"k", "v"}}, 1, 5, 0), o))) << o;
    EXPECT_FALSE(contains(at(txn_batch_of({{"k", "v"}}, 1, 6, 0), 15)));  // another producer
    // Not transactional (idempotent only), or no producer at all.
    EXPECT_FALSE(contains(at(batch_of({{"k", "v"}}, 1, model::compression::none, 5, 0), 15)));
    EXPECT_FALSE(contains(at(batch_of({{"k", "v"}}, 1), 15)));
    // Markers (control batches) are never "aborted data".
    auto marker =
        model::build_control_batch(model::control_record_type::abort, 1, 1, model::producer_id(5),
                                   model::producer_epoch(0), model::offset(20));
    EXPECT_FALSE(contains(marker));
}

// An aborted write is removed and does not shadow the key's committed value
// (a transactional offset commit in __consumer_offsets that was aborted must
// not delete the group's previous offset).
TEST(CompactionTxn, aborted_records_are_removed_and_never_supersede_a_committed_value) {
    fixture f;
    f.append({{"k", "v1"}, {"other", "o1"}});
    int64_t aborted_at = txn_append(f, {{"k", "v2"}, {"only-aborted", "x"}}, 5, 0);
    // A later transaction of the same producer that commits.
    int64_t abort_marker = end_txn(f, 5, false);
    txn_append(f, {{"other", "o2"}}, 5, 2);
    end_txn(f, 5, true);
    f.roll();
    auto r = f.compact();
    ASSERT_TRUE(r.ran);
    EXPECT_EQ(values_of_key(*f.l, "k"), (std::vector<std::optional<std::string>>{"v1"}));
    EXPECT_TRUE(values_of_key(*f.l, "only-aborted").empty());
    EXPECT_EQ(values_of_key(*f.l, "other"), (std::vector<std::optional<std::string>>{"o2"}));
    for (const auto& b : batches_of(*f.l))
        EXPECT_NE(b.base, aborted_at) << "the aborted batch is removed entirely";
    EXPECT_EQ(control_batches(*f.l), 2u);  // markers are kept
    auto aborted = f.l->aborted_transactions(model::offset(0), f.l->log_end_offset());
    ASSERT_TRUE(aborted.ok());
    EXPECT_EQ(
        *aborted,
        (std::vector<aborted_transaction>{{model::producer_id(5), model::offset(aborted_at)}}));
    EXPECT_GT(abort_marker, aborted_at);
    // Stable across a second pass and a reopen.
    f.compact();
    ASSERT_TRUE(f.l->close().ok());
    f.open(true);
    EXPECT_EQ(values_of_key(*f.l, "k"), (std::vector<std::optional<std::string>>{"v1"}));
    EXPECT_TRUE(values_of_key(*f.l, "only-aborted").empty());
}

TEST(CompactionTxn, committed_transactional_records_are_compacted_like_any_other) {
    fixture f;
    f.append({{"k", "v1"}, {"j", "j1"}});
    txn_append(f, {{"k", "v2"}, {"j", "j2"}}, 5, 0);
    end_txn(f, 5, true);
    f.append({{"j", "j3"}});  // supersedes the committed transactional j2
    f.roll();
    ASSERT_TRUE(f.compact().ran);
    EXPECT_EQ(values_of_key(*f.l, "k"), (std::vector<std::optional<std::string>>{"v2"}));
    EXPECT_EQ(values_of_key(*f.l, "j"), (std::vector<std::optional<std::string>>{"j3"}));
    EXPECT_EQ(control_batches(*f.l), 1u);
}

// Nothing at or past the last stable offset is cleaned: an open
// transaction's records (and everything after them) survive as they are.
TEST(CompactionTxn, an_open_transaction_and_everything_after_it_survive_until_it_ends) {
    fixture f;
    f.append({{"k", "v1"}});
    f.roll();  // v1 in a sealed segment below the open transaction
    int64_t open_at = txn_append(f, {{"k", "v2"}}, 5, 0);
    f.append({{"k", "v3"}});
    f.roll();  // v2 and v3 sealed too
    ASSERT_EQ(f.l->last_stable_offset(), model::offset(open_at));
    auto r = f.compact();
    EXPECT_LE(r.cleaned_to, open_at);
    // v1 is not superseded: the map covers only offsets below the LSO.
    EXPECT_EQ(values_of_key(*f.l, "k"),
              (std::vector<std::optional<std::string>>{"v1", "v2", "v3"}));

    // The abort (in the active segment) decides it: v2 goes, v3 wins.
    end_txn(f, 5, false);
    ASSERT_TRUE(f.compact().ran);
    EXPECT_EQ(values_of_key(*f.l, "k"), (std::vector<std::optional<std::string>>{"v3"}));
    // Producer 5's last batch below the marker is kept, empty (producer state).
    bool found = false;
    for (const auto& b : batches_of(*f.l)) {
        if (b.base != open_at) continue;
        found = true;
        EXPECT_EQ(b.producer_id, 5);
        EXPECT_TRUE(b.records.empty());
    }
    EXPECT_TRUE(found);
    expect_increasing(records_of(*f.l));
}

// ---- crash points of the swap protocol ----

std::vector<std::string> leftovers(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        auto ext = e.path().extension().string();
        if (ext == ".cleaned" || ext == ".swap" || ext == ".tmp")
            out.push_back(e.path().filename().string());
    }
    return out;
}

TEST(CompactionRecovery, every_crash_point_of_a_swap_recovers_a_consistent_log) {
    using compaction::stop_point;
    for (auto point : {stop_point::after_cleaned, stop_point::after_commit,
                       stop_point::after_delete, stop_point::after_index_rename}) {
        SCOPED_TRACE(static_cast<int>(point));
        fixture f;
        f.updates(10, 30);
        f.roll();
        auto original = records_of(*f.l);
        compaction_options o;
        o.force = true;
        auto r = log_test_access::compact_until_crash(*f.l, f.now, o, point);
        ASSERT_FALSE(r.ok());
        EXPECT_FALSE(leftovers(f.d.path() / "t-0").empty());
        f.l.reset();  // the process "died"
        f.open(false);
        EXPECT_TRUE(leftovers(f.d.path() / "t-0").empty());
        auto rs = records_of(*f.l);
        expect_increasing(rs);
        if (point == stop_point::after_cleaned) {
            EXPECT_EQ(rs, original) << "an uncommitted pass leaves the log as it was";
        } else {
            EXPECT_LT(rs.size(), original.size()) << "a committed swap is finished";
        }
        // Every key still has its latest value, and a new pass completes the job.
        std::map<std::string, std::optional<std::string>> last;
        for (const auto& x : rs)
            last[x.key] = x.value;
        for (const auto& [k, v] : f.latest)
            EXPECT_EQ(last[k], v.second) << k;
        f.compact();
        f.expect_latest_only();
    }
}

TEST(CompactionRecovery, stray_cleaned_and_uncommitted_swap_files_are_removed_at_open) {
    fixture f;
    f.updates(5, 10);
    f.roll();
    auto before = records_of(*f.l);
    ASSERT_TRUE(f.l->close().ok());
    f.l.reset();
    auto dir = f.d.path() / "t-0";
    auto name = segment_file_name(model::offset(0), "");
    for (const char* junk : {".log.cleaned", ".index.cleaned", ".timeindex.cleaned", ".index.swap",
                             ".timeindex.swap"}) {
        ASSERT_TRUE(write_file_atomic(dir / (name + junk), std::string("garbage")).ok());
    }
    f.open(true);
    EXPECT_TRUE(leftovers(dir).empty());
    EXPECT_EQ(records_of(*f.l), before);
}

TEST(CompactionRecovery, a_damaged_checkpoint_means_the_whole_log_is_dirty) {
    fixture f;
    f.updates(5, 10);
    f.roll();
    f.compact();
    ASSERT_TRUE(f.l->close().ok());
    f.l.reset();
    ASSERT_TRUE(write_file_atomic(f.d.path() / "t-0" / compaction::k_checkpoint_file,
                                  std::string("nonsense"))
                    .ok());
    f.open(true);
    EXPECT_TRUE(f.compact(false).ran);
    f.expect_latest_only();
}

TEST(CompactionConfig, ratio_and_lag_configs_are_validated) {
    EXPECT_TRUE(validate_topic_config("min.cleanable.dirty.ratio", "0.25").ok());
    EXPECT_TRUE(validate_topic_config("min.cleanable.dirty.ratio", "1").ok());
    EXPECT_FALSE(validate_topic_config("min.cleanable.dirty.ratio", "1.5").ok());
    EXPECT_FALSE(validate_topic_config("min.cleanable.dirty.ratio", "abc").ok());
    EXPECT_FALSE(validate_topic_config("min.cleanable.dirty.ratio", "nan").ok());
    EXPECT_FALSE(validate_topic_config("max.compaction.lag.ms", "0").ok());
    auto c = config_with({{"min.cleanable.dirty.ratio", "0.1"}, {"max.compaction.lag.ms", "99"}});
    EXPECT_DOUBLE_EQ(c.min_cleanable_dirty_ratio, 0.1);
    EXPECT_EQ(c.max_compaction_lag_ms, 99);
    EXPECT_DOUBLE_EQ(config_with().min_cleanable_dirty_ratio, 0.5);
}

}  // namespace
}  // namespace spate::storage
