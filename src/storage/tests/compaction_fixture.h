#pragma once

// Helpers of the compaction tests: batches of key/value records, the log's
// content as batches and records, and a fixture holding one compacted log
// with a controllable clock.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "model/record_batch_builder.h"
#include "model/records.h"
#include "storage/log.h"
#include "storage/sealed_batch.h"
#include "storage/testing.h"
#include "storage/tests/test_util.h"

namespace spate::storage::testing {

inline std::span<const std::byte> as_bytes(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

struct kv {
    std::string key;
    std::optional<std::string> value;  // nullopt: tombstone
};

inline std::vector<std::byte> batch_of(const std::vector<kv>& records, int64_t ts,
                                       model::compression c = model::compression::none,
                                       int64_t producer_id = -1, int32_t sequence = 0,
                                       bool transactional = false) {
    model::record_batch_options o;
    o.compression_type = c;
    if (producer_id >= 0) {
        o.producer_id = model::producer_id(producer_id);
        o.producer_epoch = model::producer_epoch(0);
        o.base_sequence = sequence;
        o.transactional = transactional;
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

inline std::vector<seen_batch> batches_of(const log& l) {
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

inline std::vector<seen_record> records_of(const log& l) {
    std::vector<seen_record> out;
    for (auto& b : batches_of(l))
        for (auto& r : b.records)
            out.push_back(r);
    return out;
}

// Offsets strictly increase across the whole log.
inline void expect_increasing(const std::vector<seen_record>& rs) {
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

    std::shared_ptr<const batch_cipher> cipher;  // for spate.encryption=true

    explicit fixture(config_map extra = {}, std::shared_ptr<const batch_cipher> c = nullptr)
        : cipher(std::move(c)) {
        cfg = {{"cleanup.policy", "compact"},
               {"segment.bytes", "2048"},
               {"index.interval.bytes", "256"}};
        for (auto& [k, v] : extra)
            cfg[k] = v;
        open(true);
    }
    void open(bool clean) {
        auto opened = log::open(
            d.path() / "t-0", config_with(cfg), clean, [this] { return now; }, cipher);
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

}  // namespace spate::storage::testing
