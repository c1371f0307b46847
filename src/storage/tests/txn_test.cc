// Transactions on the storage side: the last stable offset, COMMIT/ABORT
// markers, the per-segment aborted-transaction index (.txnindex) and the
// aborted ranges a read_committed Fetch gets, across reopen, retention,
// DeleteRecords and compaction.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "storage/log.h"
#include "storage/testing.h"
#include "storage/tests/test_util.h"
#include "storage/txn_index.h"

namespace spate::storage {
namespace txn_test {
namespace {

namespace fs = std::filesystem;
using testing::temp_dir;

struct fixture {
    temp_dir d;
    int64_t now = 1'000'000;
    std::map<int64_t, int32_t> seqs;  // next sequence per producer id
    config_map cfg;
    std::shared_ptr<log> l;

    explicit fixture(config_map overrides = {}) : cfg(std::move(overrides)) { open(true); }

    fs::path dir() const { return d.path() / "t-0"; }

    void open(bool clean) {
        l.reset();
        auto opened = log::open(dir(), testing::config_with(cfg), clean, [this] { return now; });
        ASSERT_TRUE(opened.ok()) << opened.err().to_string();
        l = *opened;
    }

    // Drops the log without closing it, as a crash would (no final snapshot).
    void crash() { l.reset(); }

    // A batch of `records` records of `value_size` bytes; with pid >= 0 an
    // idempotent (and with `txn` transactional) producer's next batch.
    std::vector<std::byte> batch(int64_t pid, int records, bool txn = true, size_t value_size = 8,
                                 int16_t epoch = 0, const std::string& key_prefix = "k") {
        model::record_batch_options o;
        if (pid >= 0) {
            o.producer_id = model::producer_id(pid);
            o.producer_epoch = model::producer_epoch(epoch);
            o.base_sequence = seqs[pid];
            o.transactional = txn;
            seqs[pid] += records;
        }
        model::record_batch_builder b(o);
        for (int i = 0; i < records; ++i) {
            std::string k = key_prefix + std::to_string(i);
            std::string v(value_size, 'v');
            b.add(now, std::as_bytes(std::span(k)), std::as_bytes(std::span(v)));
        }
        return b.finish();
    }

    append_result produce(int64_t pid, int records, bool txn = true, size_t value_size = 8,
                          int16_t epoch = 0, const std::string& key_prefix = "k") {
        auto b = batch(pid, records, txn, value_size, epoch, key_prefix);
        auto r = l->append(b);
        EXPECT_TRUE(r.ok()) << r.err().to_string();
        return r.ok() ? *r : append_result{};
    }

    int64_t marker(int64_t pid, bool commit, int16_t epoch = 0) {
        auto r = l->append_marker(model::producer_id(pid), model::producer_epoch(epoch), commit, 7);
        EXPECT_TRUE(r.ok()) << r.err().to_string();
        if (!r.ok()) return -1;
        EXPECT_EQ(r->base_offset, r->last_offset);
        return r->base_offset.value();
    }

    std::vector<aborted_transaction> aborted(int64_t from, int64_t upto) {
        auto r = l->aborted_transactions(model::offset(from), model::offset(upto));
        EXPECT_TRUE(r.ok()) << r.err().to_string();
        return r.ok() ? *r : std::vector<aborted_transaction>{};
    }

    int64_t lso() const { return l->last_stable_offset().value(); }
    int64_t leo() const { return l->log_end_offset().value(); }

    std::vector<fs::path> files_with(const std::string& ext) const {
        std::vector<fs::path> out;
        for (const auto& e : fs::directory_iterator(dir()))
            if (e.path().extension() == ext) out.push_back(e.path());
        std::sort(out.begin(), out.end());
        return out;
    }

    std::vector<aborted_txn_entry> index_entries(const fs::path& p) const {
        txn_index idx(p);
        auto s = idx.load();
        EXPECT_TRUE(s.ok()) << s.err().to_string();
        return idx.entries();
    }
};

aborted_transaction at(int64_t pid, int64_t first) {
    return {model::producer_id(pid), model::offset(first)};
}

TEST(txn, lso_stays_at_first_open_txn_offset_while_other_producers_append) {
    fixture f;
    f.produce(-1, 3);
    EXPECT_EQ(f.lso(), 3);
    auto t = f.produce(1, 2);
    EXPECT_EQ(t.base_offset.value(), 3);
    EXPECT_EQ(f.lso(), 3);
    f.produce(2, 2, /*txn=*/false);
    f.produce(-1, 1);
    EXPECT_EQ(f.leo(), 8);
    EXPECT_EQ(f.lso(), 3);
    f.produce(1, 1);  // more of the same transaction
    EXPECT_EQ(f.lso(), 3);
}

TEST(txn, commit_marker_advances_lso_to_log_end_and_records_no_abort) {
    fixture f;
    f.produce(1, 2);
    auto m = f.marker(1, /*commit=*/true);
    EXPECT_EQ(m, 2);
    EXPECT_EQ(f.leo(), 3);
    EXPECT_EQ(f.lso(), 3);
    EXPECT_TRUE(f.aborted(0, 3).empty());
    EXPECT_TRUE(f.files_with(".txnindex").empty());
}

TEST(txn, abort_marker_advances_lso_and_adds_an_index_entry) {
    fixture f;
    f.produce(-1, 1);
    f.produce(1, 2);  // 1..2
    auto m = f.marker(1, /*commit=*/false);
    EXPECT_EQ(m, 3);
    EXPECT_EQ(f.lso(), 4);
    EXPECT_EQ(f.aborted(0, 4), (std::vector{at(1, 1)}));
    auto files = f.files_with(".txnindex");
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(fs::file_size(files[0]), txn_index::k_entry_size);
    EXPECT_EQ(f.index_entries(files[0]), (std::vector<aborted_txn_entry>{{1, 1, 3, 4}}));
}

TEST(txn, interleaved_transactions_of_several_producers_bound_lso_by_the_earliest) {
    fixture f;
    f.produce(1, 1);  // 0
    f.produce(2, 1);  // 1
    f.produce(3, 1);  // 2
    f.produce(1, 1);  // 3
    EXPECT_EQ(f.lso(), 0);
    f.marker(2, true);  // 4
    EXPECT_EQ(f.lso(), 0);
    auto a1 = f.marker(1, false);  // 5
    EXPECT_EQ(f.lso(), 2);
    f.produce(2, 1);  // 6: a new transaction of producer 2
    EXPECT_EQ(f.lso(), 2);
    auto a3 = f.marker(3, false);  // 7
    EXPECT_EQ(f.lso(), 6);
    f.marker(2, false);  // 8
    EXPECT_EQ(f.lso(), f.leo());
    EXPECT_EQ(f.aborted(0, f.leo()), (std::vector{at(1, 0), at(3, 2), at(2, 6)}));
    EXPECT_EQ(f.aborted(a1 + 1, f.leo()), (std::vector{at(3, 2), at(2, 6)}));
    EXPECT_EQ(f.aborted(0, 1), (std::vector{at(1, 0)}));
    EXPECT_EQ(f.aborted(a3 + 1, f.leo()), (std::vector{at(2, 6)}));
    auto files = f.files_with(".txnindex");
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(f.index_entries(files[0]),
              (std::vector<aborted_txn_entry>{{1, 0, 5, 2}, {3, 2, 7, 6}, {2, 6, 8, 9}}));
}

TEST(txn, aborted_transactions_span_segments_and_match_the_overlap_rule) {
    fixture f(config_map{{"segment.bytes", "1024"}});
    struct txn {
        int64_t pid, first, last;
    };
    std::vector<txn> aborts;
    std::map<int64_t, int64_t> open;
    for (int i = 0; i < 30; ++i) {
        int64_t pid = 1 + i % 3;
        auto r = f.produce(pid, 2, true, 150);
        if (!open.count(pid)) open[pid] = r.base_offset.value();
        if (i % 2 == 1) {
            int64_t p = 1 + (i / 2) % 3;
            if (!open.count(p)) continue;
            bool commit = (i / 2) % 4 == 0;
            auto m = f.marker(p, commit);
            if (!commit) aborts.push_back({p, open[p], m});
            open.erase(p);
        }
    }
    for (auto& [p, first] : open) {
        auto m = f.marker(p, false);
        aborts.push_back({p, first, m});
    }
    EXPECT_EQ(f.lso(), f.leo());
    ASSERT_GE(log_test_access::segment_count(*f.l), 4u);
    EXPECT_GE(f.files_with(".txnindex").size(), 2u);
    for (int64_t from = 0; from < f.leo(); from += 3) {
        for (int64_t upto = from + 1; upto <= f.leo(); upto += 5) {
            std::vector<aborted_transaction> want;
            for (const auto& a : aborts)
                if (a.last >= from && a.first < upto) want.push_back(at(a.pid, a.first));
            EXPECT_EQ(f.aborted(from, upto), want) << "from " << from << " upto " << upto;
        }
    }
}

TEST(txn, marker_with_an_older_epoch_is_fenced) {
    fixture f;
    f.produce(1, 2, true, 8, /*epoch=*/2);
    auto r = f.l->append_marker(model::producer_id(1), model::producer_epoch(1), false, 0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::producer_fenced);
    EXPECT_EQ(f.leo(), 2);
    EXPECT_EQ(f.lso(), 0);
    // The coordinator aborts with a bumped epoch; the old epoch is fenced after.
    f.marker(1, false, /*epoch=*/3);
    EXPECT_EQ(f.lso(), 3);
    EXPECT_EQ(f.aborted(0, 3), (std::vector{at(1, 0)}));
    auto b = f.batch(1, 1, true, 8, 2);
    auto late = f.l->append(b);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.err().code, errc::producer_fenced);
}

TEST(txn, marker_without_an_open_transaction_is_written_without_an_entry) {
    fixture f;
    EXPECT_EQ(f.marker(9, false), 0);
    EXPECT_EQ(f.marker(9, true), 1);
    EXPECT_EQ(f.leo(), 2);
    EXPECT_EQ(f.lso(), 2);
    EXPECT_TRUE(f.aborted(0, 2).empty());
    auto batches = testing::read_all(*f.l, model::offset(0));
    ASSERT_EQ(batches.size(), 2u);
    auto v = model::record_batch_view::parse(batches[0].bytes);
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->is_control());
    EXPECT_TRUE(v->is_transactional());
    EXPECT_EQ(v->producer_id().value(), 9);
    EXPECT_EQ(v->base_sequence(), -1);
}

TEST(txn, client_sent_control_batch_is_refused) {
    fixture f;
    f.produce(1, 1);
    auto b = model::build_control_batch(model::control_record_type::commit, 0, f.now,
                                        model::producer_id(1), model::producer_epoch(0));
    auto r = f.l->append(b);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, errc::invalid_argument);
    EXPECT_EQ(f.leo(), 1);
    EXPECT_EQ(f.lso(), 0);
}

TEST(txn, clean_reopen_keeps_lso_and_aborted_index) {
    fixture f(config_map{{"segment.bytes", "1024"}});
    f.produce(2, 2, true, 300);  // 0..1
    f.marker(2, false);          // 2
    f.produce(1, 2, true, 300);  // 3..4, left open
    f.produce(-1, 2, false, 300);
    int64_t leo = f.leo();
    ASSERT_TRUE(f.l->close().ok());
    f.open(true);
    EXPECT_EQ(f.leo(), leo);
    EXPECT_EQ(f.lso(), 3);
    EXPECT_EQ(f.aborted(0, leo), (std::vector{at(2, 0)}));
    f.marker(1, false);
    EXPECT_EQ(f.lso(), f.leo());
    EXPECT_EQ(f.aborted(0, f.leo()), (std::vector{at(2, 0), at(1, 3)}));
}

TEST(txn, unclean_reopen_rebuilds_lso_and_a_lost_index) {
    fixture f;
    f.produce(1, 2);     // 0..1
    f.produce(2, 1);     // 2
    f.marker(1, false);  // 3
    f.produce(3, 1);     // 4, left open
    f.marker(2, false);  // 5
    auto want = f.aborted(0, f.leo());
    ASSERT_EQ(want, (std::vector{at(1, 0), at(2, 2)}));
    int64_t leo = f.leo();
    ASSERT_TRUE(f.l->sync().ok());
    f.crash();
    for (const auto& p : f.files_with(".txnindex"))
        fs::remove(p);
    f.open(false);
    EXPECT_EQ(f.leo(), leo);
    EXPECT_EQ(f.lso(), 4);
    EXPECT_EQ(f.aborted(0, leo), want);
    ASSERT_EQ(f.files_with(".txnindex").size(), 1u);
    EXPECT_EQ(f.index_entries(f.files_with(".txnindex")[0]),
              (std::vector<aborted_txn_entry>{{1, 0, 3, 2}, {2, 2, 5, 4}}));
}

TEST(txn, index_entries_past_a_truncated_log_end_are_dropped) {
    fixture f;
    f.produce(1, 2);     // 0..1
    f.marker(1, false);  // 2
    ASSERT_TRUE(f.l->sync().ok());
    ASSERT_EQ(f.aborted(0, 3).size(), 1u);
    f.crash();
    // A torn marker: the last batch loses its tail.
    auto logs = f.files_with(".log");
    ASSERT_EQ(logs.size(), 1u);
    fs::resize_file(logs[0], fs::file_size(logs[0]) - 5);
    f.open(false);
    EXPECT_EQ(f.leo(), 2);
    EXPECT_EQ(f.lso(), 0);  // the transaction is open again
    EXPECT_TRUE(f.aborted(0, 2).empty());
    for (const auto& p : f.files_with(".txnindex"))
        EXPECT_TRUE(f.index_entries(p).empty());
    f.marker(1, true);
    EXPECT_EQ(f.lso(), 3);
    EXPECT_TRUE(f.aborted(0, 3).empty());
}

TEST(txn, truncated_txnindex_tail_is_recovered) {
    fixture f;
    f.produce(1, 1);     // 0
    f.marker(1, false);  // 1
    f.produce(2, 1);     // 2
    f.marker(2, false);  // 3
    ASSERT_TRUE(f.l->sync().ok());
    f.crash();
    auto files = f.files_with(".txnindex");
    ASSERT_EQ(files.size(), 1u);
    fs::resize_file(files[0], txn_index::k_entry_size + 20);
    // Loading alone keeps the valid prefix and cuts the torn entry off.
    EXPECT_EQ(f.index_entries(files[0]), (std::vector<aborted_txn_entry>{{1, 0, 1, 2}}));
    EXPECT_EQ(fs::file_size(files[0]), txn_index::k_entry_size);
    fs::resize_file(files[0], txn_index::k_entry_size + 20);
    // The unclean reopen re-derives the lost entry from the marker.
    f.open(false);
    EXPECT_EQ(f.aborted(0, 4), (std::vector{at(1, 0), at(2, 2)}));
    EXPECT_EQ(fs::file_size(files[0]), 2 * txn_index::k_entry_size);
}

TEST(txn, unclean_reopen_after_delete_records_keeps_the_surviving_abort) {
    fixture f;
    f.produce(1, 2);     // 0..1
    f.marker(1, false);  // 2
    f.produce(-1, 1);    // 3
    ASSERT_TRUE(f.l->delete_records_before(model::offset(1)).ok());
    ASSERT_TRUE(f.l->sync().ok());
    f.crash();
    f.open(false);
    EXPECT_EQ(f.l->log_start_offset().value(), 1);
    EXPECT_EQ(f.aborted(1, f.leo()), (std::vector{at(1, 0)}));
    EXPECT_EQ(f.lso(), f.leo());
}

TEST(txn, lso_is_never_below_the_log_start) {
    fixture f;
    f.produce(1, 2);  // 0..1, left open
    f.produce(-1, 2);
    ASSERT_TRUE(f.l->delete_records_before(model::offset(3)).ok());
    EXPECT_EQ(f.lso(), 3);
    f.marker(1, true);
    EXPECT_EQ(f.lso(), f.leo());
}

TEST(txn, marker_on_a_log_append_time_topic_gets_the_append_time) {
    fixture f(config_map{{"message.timestamp.type", "LogAppendTime"}});
    f.produce(1, 1);
    auto r = f.l->append_marker(model::producer_id(1), model::producer_epoch(0), true, 0);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->log_append_time, f.now);
    EXPECT_EQ(f.lso(), 2);
}

TEST(txn, markers_syncs_and_fetch_queries_run_concurrently) {
    fixture f(config_map{{"segment.bytes", "2048"}});
    std::atomic<bool> done{false};
    std::thread syncer([&] {
        while (!done.load()) {
            EXPECT_TRUE(f.l->sync().ok());
            auto lso = f.l->last_stable_offset();
            EXPECT_LE(lso, f.l->log_end_offset());
            auto a = f.l->aborted_transactions(model::offset(0), lso);
            EXPECT_TRUE(a.ok());
        }
    });
    for (int i = 0; i < 200; ++i) {
        int64_t pid = 1 + i % 4;
        f.produce(pid, 1, true, 50);
        if (i % 3 == 2) f.marker(1 + (i / 3) % 4, i % 2 == 0);
    }
    for (int64_t pid = 1; pid <= 4; ++pid)
        f.marker(pid, false);
    done = true;
    syncer.join();
    EXPECT_EQ(f.lso(), f.leo());
    auto want = f.aborted(0, f.leo());
    ASSERT_TRUE(f.l->sync().ok());
    f.crash();
    f.open(false);
    EXPECT_EQ(f.aborted(0, f.leo()), want);
}

// Fills segments of ~1 KiB with one aborted transaction each; returns the
// producer ids and first offsets of the aborts.
std::vector<aborted_transaction> aborted_segments(fixture& f, int n) {
    std::vector<aborted_transaction> out;
    for (int i = 0; i < n; ++i) {
        int64_t pid = 10 + i;
        auto r = f.produce(pid, 2, true, 300, 0, "k" + std::to_string(i % 2) + "-");
        f.marker(pid, false);
        f.produce(-1, 1, false, 300);
        out.push_back(at(pid, r.base_offset.value()));
    }
    return out;
}

bool has_index_for(const fs::path& log_file) {
    auto idx = log_file;
    idx.replace_extension(".txnindex");
    return fs::exists(idx);
}

TEST(txn, delete_records_removes_the_txnindex_with_its_segment) {
    fixture f(config_map{{"segment.bytes", "1024"}});
    auto all = aborted_segments(f, 6);
    ASSERT_GE(log_test_access::segment_count(*f.l), 4u);
    auto indexes = f.files_with(".txnindex");
    ASSERT_GE(indexes.size(), 4u);
    auto logs_before = f.files_with(".log");
    // Delete up to the start of the third segment.
    auto third = std::stoll(logs_before[2].stem().string());
    ASSERT_TRUE(f.l->delete_records_before(model::offset(third)).ok());
    for (size_t i = 0; i < 2; ++i) {
        EXPECT_FALSE(fs::exists(logs_before[i]));
        EXPECT_FALSE(has_index_for(logs_before[i]));
    }
    for (const auto& p : f.files_with(".txnindex")) {
        auto l = p;
        l.replace_extension(".log");
        EXPECT_TRUE(fs::exists(l)) << p;
    }
    // Only aborts whose marker survives are reported (a transaction may
    // start below the new log start when its marker is in a kept segment).
    auto left = f.aborted(third, f.leo());
    ASSERT_FALSE(left.empty());
    EXPECT_LT(left.size(), all.size());
    for (const auto& a : left)
        EXPECT_NE(std::find(all.begin(), all.end(), a), all.end());
    EXPECT_EQ(f.lso(), f.leo());
}

TEST(txn, retention_removes_the_txnindex_with_its_segment) {
    fixture f(config_map{{"segment.bytes", "1024"}, {"retention.ms", "60000"}});
    auto all = aborted_segments(f, 3);
    f.now += 120'000;
    aborted_segments(f, 1);
    auto n = f.l->enforce_retention(f.now);
    ASSERT_TRUE(n.ok()) << n.err().to_string();
    EXPECT_GE(*n, 2u);
    for (const auto& p : f.files_with(".txnindex")) {
        auto l = p;
        l.replace_extension(".log");
        EXPECT_TRUE(fs::exists(l)) << p;
    }
    auto left = f.aborted(f.l->log_start_offset().value(), f.leo());
    EXPECT_LT(left.size(), all.size() + 1);
    EXPECT_EQ(f.lso(), f.leo());
}

TEST(txn, compaction_keeps_markers_and_carries_aborted_entries_over) {
    fixture f(config_map{{"segment.bytes", "1024"}, {"cleanup.policy", "compact"}});
    auto all = aborted_segments(f, 6);
    f.produce(-1, 1, false, 8, 0, "tail-");
    int64_t leo = f.leo();
    auto count_markers = [&] {
        int n = 0;
        for (const auto& b : testing::read_all(*f.l, f.l->log_start_offset())) {
            auto v = model::record_batch_view::parse(b.bytes);
            EXPECT_TRUE(v.ok());
            if (v.ok() && v->is_control()) ++n;
        }
        return n;
    };
    EXPECT_EQ(count_markers(), 6);
    auto before = f.aborted(0, leo);
    EXPECT_EQ(before, all);
    size_t segments = log_test_access::segment_count(*f.l);
    // Larger segments from now on, so that cleaning merges several segments
    // (and their transaction indexes) into one.
    f.cfg["segment.bytes"] = "1048576";
    f.l->set_config(testing::config_with(f.cfg));
    compaction_options o;
    o.force = true;
    auto r = f.l->compact(f.now, o);
    ASSERT_TRUE(r.ok()) << r.err().to_string();
    ASSERT_TRUE(r->ran);
    EXPECT_GT(r->records_removed, 0u);
    EXPECT_LT(log_test_access::segment_count(*f.l), segments);
    EXPECT_EQ(count_markers(), 6);
    EXPECT_EQ(f.aborted(0, leo), before);
    for (const auto& p : f.files_with(".txnindex")) {
        auto l = p;
        l.replace_extension(".log");
        EXPECT_TRUE(fs::exists(l)) << p;
    }
    ASSERT_TRUE(f.l->close().ok());
    f.open(true);
    EXPECT_EQ(f.aborted(0, leo), before);
    EXPECT_EQ(f.lso(), leo);
}

}  // namespace
}  // namespace txn_test
}  // namespace spate::storage
