// Log compaction of transactional data (aborted records go, open
// transactions stay), every crash point of the swap protocol, and the
// compaction configs' validation.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/compactor.h"
#include "storage/log.h"
#include "storage/testing.h"
#include "storage/tests/compaction_fixture.h"
#include "storage/tests/test_util.h"

namespace spate::storage {
namespace compaction_txn_test {
namespace {

using namespace testing;

// Transactional producer `pid`'s next batch (epoch 0).
std::vector<std::byte> txn_batch_of(const std::vector<kv>& records, int64_t ts, int64_t pid,
                                    int32_t sequence) {
    return batch_of(records, ts, model::compression::none, pid, sequence, true);
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
        ::testing::internal::CaptureStderr();
        auto r = log_test_access::compact_until_crash(*f.l, f.now, o, point);
        auto logged = ::testing::internal::GetCapturedStderr();
        ASSERT_FALSE(r.ok());
        if (point != stop_point::after_cleaned) {
            // A failure after the commit closes the log, and says so.
            EXPECT_NE(logged.find("t-0: compaction swap at offset 0 failed after its commit"),
                      std::string::npos)
                << logged;
            auto b = batch_of({{"k", "v"}}, f.now);
            EXPECT_FALSE(f.l->append(b).ok());
        }
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
}  // namespace compaction_txn_test
}  // namespace spate::storage
