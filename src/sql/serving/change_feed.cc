#include "sql/serving/change_feed.h"

#include <algorithm>
#include <map>
#include <random>

#include "kafka/client/consumer.h"

namespace spate::sql {

namespace kc = kafka::client;

namespace {

constexpr auto k_slice = std::chrono::milliseconds(100);

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

sql_error canceled() {
    return make_error(sql_errc::query_canceled, "canceling statement due to user request");
}

class replica_feed final : public change_feed {
  public:
    replica_feed(std::shared_ptr<view_replica> r, std::vector<replica_row_ptr> snapshot,
                 std::shared_ptr<replica_subscription> sub, const feed_options& o)
        : _replica(std::move(r))
        , _snapshot(std::move(snapshot))
        , _sub(std::move(sub))
        , _cancelled(o.cancelled)
        , _floor(now_ms()) {}

    sql_result<size_t> poll(std::vector<change_row>& out, size_t max,
                            std::chrono::milliseconds wait) override {
        if (_cancelled && _cancelled->load()) return canceled();
        if (_pos < _snapshot.size()) {
            size_t n = std::min(max, _snapshot.size() - _pos);
            for (size_t i = 0; i < n; ++i)
                out.push_back({_floor, 1, std::move(_snapshot[_pos + i])});
            _pos += n;
            if (_pos == _snapshot.size()) _snapshot = {};
            return n;
        }
        size_t first = out.size();
        auto n = _sub->take(out, max, wait, _cancelled);
        if (!n.ok()) return n;
        for (size_t i = first; i < out.size(); ++i) {
            _floor = std::max(_floor, out[i].ts_ms);
            out[i].ts_ms = _floor;
        }
        return n;
    }

  private:
    std::shared_ptr<view_replica> _replica;  // kept running while subscribed
    std::vector<replica_row_ptr> _snapshot;
    size_t _pos = 0;
    std::shared_ptr<replica_subscription> _sub;
    const std::atomic<bool>* _cancelled;
    int64_t _floor;
};

class topic_feed final : public change_feed {
  public:
    topic_feed(kc::consumer c, std::map<int32_t, int64_t> snapshot_ends, const feed_options& o)
        : _consumer(std::move(c))
        , _snapshot_ends(std::move(snapshot_ends))
        , _cancelled(o.cancelled)
        , _start(now_ms())
        , _floor(_start) {}

    sql_result<size_t> poll(std::vector<change_row>& out, size_t max,
                            std::chrono::milliseconds wait) override {
        auto deadline = std::chrono::steady_clock::now() + wait;
        for (;;) {
            if (_cancelled && _cancelled->load()) return canceled();
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            int slice =
                static_cast<int>(std::clamp(left, std::chrono::milliseconds(0), k_slice).count());
            auto batch = _consumer.poll_batch(max, slice);
            if (!batch.ok())
                return make_error(sql_errc::io_error, "subscription: " + batch.err().message);
            size_t n = 0;
            for (auto& m : batch.value())
                n += add(m, out);
            if (n > 0 || left <= std::chrono::milliseconds(0)) return n;
        }
    }

  private:
    size_t add(const kc::message& m, std::vector<change_row>& out) {
        auto end = _snapshot_ends.find(m.partition());
        bool snapshot = end != _snapshot_ends.end() && m.offset() < end->second;
        if (end != _snapshot_ends.end() && m.offset() + 1 >= end->second) _snapshot_ends.erase(end);
        if (!m.value()) return 0;
        auto row = std::make_shared<replica_row>();
        if (m.key()) row->key = std::string(*m.key());
        row->value = std::string(*m.value());
        row->partition = m.partition();
        row->offset = m.offset();
        row->timestamp_ms = m.timestamp_ms();
        int64_t ts = _start;
        if (!snapshot) {
            _floor = std::max(_floor, m.timestamp_ms());
            ts = _floor;
        }
        out.push_back({ts, 1, std::move(row)});
        return 1;
    }

    kc::consumer _consumer;
    std::map<int32_t, int64_t> _snapshot_ends;  // partitions still in the snapshot
    const std::atomic<bool>* _cancelled;
    int64_t _start;
    int64_t _floor;
};

sql_result<std::unique_ptr<change_feed>> open_replica_feed(const relation_def& r,
                                                           replica_set& replicas,
                                                           const feed_options& o) {
    auto replica = replicas.get(r);
    if (!replica.ok()) return replica.error();
    if (auto s = replica.value()->sync(o.sync_timeout, o.cancelled); !s.ok()) return s.error();
    std::vector<replica_row_ptr> snapshot;
    auto sub = replica.value()->store().subscribe(snapshot);
    if (!o.snapshot) snapshot.clear();
    return std::unique_ptr<change_feed>(
        std::make_unique<replica_feed>(replica.value(), std::move(snapshot), sub, o));
}

sql_error kafka_error(const std::string& what, const error& e) {
    return make_error(sql_errc::io_error, what + ": " + e.message);
}

sql_result<std::unique_ptr<change_feed>> open_topic_feed(const relation_def& r,
                                                         const kc::client_config& kafka,
                                                         const feed_options& o) {
    kc::consumer_options co;
    co.client = kafka;
    co.client.properties.emplace_back("fetch.wait.max.ms", "50");
    std::random_device rd;
    co.group_id = "spate-sql-subscribe-" + std::to_string(rd()) + std::to_string(rd());
    co.isolation = kc::isolation::read_committed;
    co.reset = kc::offset_reset::earliest;
    auto c = kc::consumer::create(co);
    if (!c.ok()) return kafka_error("consumer", c.err());
    auto parts = c.value().partitions_of(r.topic);
    if (!parts.ok()) return kafka_error("partitions of " + r.topic, parts.err());
    std::map<int32_t, int64_t> ends;
    std::vector<kc::partition_offset> assign;
    for (int32_t p : parts.value()) {
        auto w = c.value().query_watermarks({r.topic, p}, kafka.timeout_ms);
        if (!w.ok()) return kafka_error("offsets of " + r.topic, w.err());
        if (o.snapshot && w.value().high > w.value().low) ends[p] = w.value().high;
        assign.push_back({r.topic, p, o.snapshot ? w.value().low : w.value().high, {}});
    }
    if (auto s = c.value().assign(assign); !s.ok())
        return kafka_error("assign " + r.topic, s.err());
    return std::unique_ptr<change_feed>(
        std::make_unique<topic_feed>(std::move(c).value(), std::move(ends), o));
}

}  // namespace

sql_result<std::unique_ptr<change_feed>> open_change_feed(const relation_def& r,
                                                          const kc::client_config& kafka,
                                                          replica_set& replicas,
                                                          const feed_options& o) {
    if (!r.upsert_key.empty()) return open_replica_feed(r, replicas, o);
    return open_topic_feed(r, kafka, o);
}

}  // namespace spate::sql
