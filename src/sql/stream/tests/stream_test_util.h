#pragma once

// Helpers of the continuous-query tests: topic setup, producing inputs and
// reading a topic's committed records, against a broker_process.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kafka/client/admin.h"
#include "kafka/client/consumer.h"
#include "kafka/client/producer.h"
#include "sql/stream/continuous_query.h"

namespace spate::sql::test_support {

namespace kc = kafka::client;

struct read_record {
    int32_t partition = 0;
    int64_t offset = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<kc::header> headers;

    std::optional<std::string> header(const std::string& name) const {
        for (const auto& h : headers)
            if (h.key == name) return h.value;
        return std::nullopt;
    }
};

inline void create_topic(const kc::client_config& c, const std::string& name, int32_t partitions) {
    auto admin = kc::admin::connect(c);
    ASSERT_TRUE(admin.ok()) << admin.err().message;
    auto s = admin->create_topic({name, partitions, 1, {}});
    ASSERT_TRUE(s.ok()) << s.err().message;
}

struct input_record {
    int32_t partition = 0;
    std::optional<std::string> key;
    std::string value;
    std::vector<kc::header> headers;
};

inline void produce_all(const kc::client_config& c, const std::string& topic,
                        const std::vector<input_record>& records) {
    kc::producer_options o;
    o.client = c;
    o.idempotent = true;
    auto p = kc::producer::create(o);
    ASSERT_TRUE(p.ok()) << p.err().message;
    for (const auto& r : records) {
        kc::outgoing_record out;
        out.topic = topic;
        out.partition = r.partition;
        if (r.key) out.key = *r.key;
        out.value = r.value;
        if (!r.headers.empty()) out.headers = &r.headers;
        ASSERT_TRUE(p->produce(out).ok());
    }
    auto s = p->flush(10000);
    ASSERT_TRUE(s.ok()) << s.err().message;
    ASSERT_EQ(p->failed(), 0) << p->first_failure();
}

// Reads `topic` (read_committed, every partition from the start) until at
// least `at_least` records arrived or `timeout_ms` passed, then on to the
// last stable offset of every partition; returns what it read.
inline std::vector<read_record> read_committed(const kc::client_config& c, const std::string& topic,
                                               size_t at_least, int timeout_ms = 15000) {
    std::vector<read_record> out;
    kc::consumer_options o;
    o.client = c;
    o.group_id = "sql-test-reader";
    o.client.properties.emplace_back("fetch.wait.max.ms", "20");
    o.isolation = kc::isolation::read_committed;
    auto cons = kc::consumer::create(o);
    EXPECT_TRUE(cons.ok());
    if (!cons.ok()) return out;
    auto parts = cons->partitions_of(topic);
    EXPECT_TRUE(parts.ok()) << parts.err().message;
    if (!parts.ok()) return out;
    std::vector<kc::partition_offset> assign;
    for (int32_t p : *parts)
        assign.push_back({topic, p, kc::k_offset_beginning, {}});
    EXPECT_TRUE(cons->assign(assign).ok());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    auto done = [&] {
        if (out.size() < at_least) return false;
        for (int32_t p : *parts) {
            kc::topic_partition tp{topic, p};
            auto wm = cons->query_watermarks(tp, 5000);
            auto pos = cons->positions({tp});
            if (!wm.ok() || !pos.ok() || pos->empty()) return false;
            int64_t at = (*pos)[0].offset;
            if (wm->high > 0 && at < wm->high) return false;
        }
        return true;
    };
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        auto batch = cons->poll_batch(500, 100);
        EXPECT_TRUE(batch.ok());
        if (!batch.ok()) break;
        for (const auto& m : *batch) {
            read_record r;
            r.partition = m.partition();
            r.offset = m.offset();
            if (auto k = m.key()) r.key = std::string(*k);
            if (auto v = m.value()) r.value = std::string(*v);
            r.headers = m.headers();
            out.push_back(std::move(r));
        }
    }
    cons->close();
    return out;
}

}  // namespace spate::sql::test_support
