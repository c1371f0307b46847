#include "sql/serving/view_replica.h"

#include <random>

#include "base/log.h"

namespace spate::sql {

namespace kc = kafka::client;

namespace {

constexpr int k_poll_ms = 100;
constexpr size_t k_poll_records = 4096;
constexpr auto k_retry_backoff = std::chrono::milliseconds(500);
constexpr auto k_wait_slice = std::chrono::milliseconds(100);

std::string replica_group() {
    std::random_device rd;
    return "spate-sql-replica-" + std::to_string(rd()) + std::to_string(rd());
}

}  // namespace

sql_result<std::shared_ptr<view_replica>> view_replica::start(replica_options o) {
    kc::consumer_options co;
    co.client = o.kafka;
    // New changelog records reach readers without waiting out a long fetch.
    co.client.properties.emplace_back("fetch.wait.max.ms", "50");
    co.group_id = replica_group();
    co.isolation = kc::isolation::read_committed;
    co.reset = kc::offset_reset::earliest;
    auto c = kc::consumer::create(co);
    if (!c.ok()) return make_error(sql_errc::io_error, "replica consumer: " + c.err().message);
    auto offsets = kc::consumer::create(co);
    if (!offsets.ok())
        return make_error(sql_errc::io_error, "replica consumer: " + offsets.err().message);
    auto parts = c.value().partitions_of(o.topic);
    if (!parts.ok())
        return make_error(sql_errc::io_error,
                          "partitions of " + o.topic + ": " + parts.err().message);
    std::vector<kc::partition_offset> assign;
    for (int32_t p : parts.value())
        assign.push_back({o.topic, p, kc::k_offset_beginning, {}});
    if (auto s = c.value().assign(assign); !s.ok())
        return make_error(sql_errc::io_error, "assign " + o.topic + ": " + s.err().message);
    std::shared_ptr<view_replica> r(new view_replica(
        std::move(o), std::move(c).value(), std::move(offsets).value(), std::move(parts).value()));
    r->_thread = std::thread([raw = r.get()] { raw->run(); });
    logging::get("sql").info("view {}: replica of {} started ({} partitions)", r->_options.view,
                             r->_options.topic, r->_partitions.size());
    return r;
}

view_replica::view_replica(replica_options o, kc::consumer c, kc::consumer offsets,
                           std::vector<int32_t> partitions)
    : _options(std::move(o))
    , _consumer(std::move(c))
    , _offsets(std::move(offsets))
    , _partitions(std::move(partitions))
    , _store(_options.view, _options.key_columns) {}

view_replica::~view_replica() {
    stop();
}

void view_replica::stop(const std::string& why) {
    if (_stopping.exchange(true)) return;
    _progress.notify_all();
    if (_thread.joinable()) _thread.join();
    _store.close(
        make_error(sql_errc::object_in_use, "materialized view " + _options.view + ": " + why));
}

void view_replica::run() {
    while (!_stopping.load())
        poll_once();
}

void view_replica::poll_once() {
    auto batch = _consumer.poll_batch(k_poll_records, k_poll_ms);
    if (!batch.ok()) {
        set_error(batch.err().message);
        std::unique_lock lock(_mu);
        _progress.wait_for(lock, k_retry_backoff, [this] { return _stopping.load(); });
        return;
    }
    if (!batch.value().empty()) {
        std::vector<changelog_record> records;
        records.reserve(batch.value().size());
        for (const auto& m : batch.value())
            records.push_back({m.key(), m.value(), m.partition(), m.offset(), m.timestamp_ms()});
        _store.apply(records);
    }
    record_positions();
}

void view_replica::record_positions() {
    std::vector<kc::topic_partition> tps;
    for (int32_t p : _partitions)
        tps.push_back({_options.topic, p});
    auto pos = _consumer.positions(tps);
    if (!pos.ok()) {
        set_error("positions: " + pos.err().message);
        return;
    }
    {
        std::lock_guard lock(_mu);
        for (const auto& po : pos.value())
            if (po.offset >= 0) _positions[po.partition] = po.offset;
        _error.clear();
    }
    _progress.notify_all();
}

void view_replica::set_error(std::string e) {
    std::lock_guard lock(_mu);
    if (_error != e)
        logging::get("sql").error("view {}: replica of {}: {}", _options.view, _options.topic, e);
    _error = std::move(e);
}

std::string view_replica::last_error() const {
    std::lock_guard lock(_mu);
    return _error;
}

sql_result<std::map<int32_t, int64_t>> view_replica::end_offsets() {
    auto io = [&](const error& e) {
        return make_error(sql_errc::io_error,
                          "end offsets of " + _options.topic + ": " + e.message);
    };
    // Every partition's end in one ListOffsets request (the last stable
    // offset: the consumer reads read_committed).
    std::vector<kc::partition_offset> latest;
    for (int32_t p : _partitions)
        latest.push_back({_options.topic, p, kc::k_latest_timestamp, {}});
    auto ends = _offsets.offsets_for_times(latest, _options.kafka.timeout_ms);
    if (!ends.ok()) return io(ends.err());
    std::map<int32_t, int64_t> targets;
    for (const auto& e : ends.value()) {
        if (e.offset <= 0) continue;
        bool consumed = false;
        {
            std::lock_guard lock(_mu);
            consumed = _positions.contains(e.partition);
        }
        if (consumed) {
            targets[e.partition] = e.offset;
            continue;
        }
        // Nothing read from it yet: is there anything to read at all?
        auto w =
            _offsets.query_watermarks({_options.topic, e.partition}, _options.kafka.timeout_ms);
        if (!w.ok()) return io(w.err());
        if (w.value().high > w.value().low) targets[e.partition] = w.value().high;
    }
    return targets;
}

sql_status view_replica::sync(std::chrono::milliseconds timeout,
                              const std::atomic<bool>* cancelled) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto targets = end_offsets();
    if (!targets.ok()) return targets.error();
    std::unique_lock lock(_mu);
    for (;;) {
        bool done = true;
        for (const auto& [p, end] : targets.value()) {
            auto it = _positions.find(p);
            if (it == _positions.end() || it->second < end) done = false;
        }
        if (done) return {};
        if (cancelled && cancelled->load())
            return make_error(sql_errc::query_canceled, "canceling statement due to user request");
        if (_stopping.load())
            return make_error(sql_errc::object_in_use,
                              "materialized view " + _options.view + ": its replica stopped");
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            return make_error(sql_errc::io_error,
                              "materialized view " + _options.view +
                                  ": this server's replica did not catch up with topic " +
                                  _options.topic + " within " + std::to_string(timeout.count()) +
                                  " ms" + (_error.empty() ? "" : " (" + _error + ")"));
        _progress.wait_until(lock, std::min(deadline, now + k_wait_slice));
    }
}

}  // namespace spate::sql
