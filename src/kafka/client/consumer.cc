#include "kafka/client/consumer.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "base/log.h"
#include "kafka/client/consumer_impl.h"
#include "kafka/client/error.h"
#include "kafka/client/rd_handle.h"

namespace spate::kafka::client {

using namespace detail;

namespace {

bool fatal_consume_error(rd_kafka_resp_err_t err) {
    switch (err) {
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
        case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_INVALID_MSG:
        case RD_KAFKA_RESP_ERR__BAD_MSG:
            return true;
        default:
            return false;
    }
}

tpl_ptr to_list(const std::vector<partition_offset>& offsets) {
    tpl_ptr l(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    for (const auto& o : offsets) {
        auto* e = rd_kafka_topic_partition_list_add(l.get(), o.topic.c_str(), o.partition);
        e->offset = o.offset;
        if (!o.metadata.empty()) {
            e->metadata = rd_kafka_mem_malloc(nullptr, o.metadata.size());
            std::memcpy(e->metadata, o.metadata.data(), o.metadata.size());
            e->metadata_size = o.metadata.size();
        }
    }
    return l;
}

tpl_ptr to_list(const std::vector<topic_partition>& parts) {
    tpl_ptr l(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
    for (const auto& p : parts)
        rd_kafka_topic_partition_list_add(l.get(), p.topic.c_str(), p.partition);
    return l;
}

// The list's offsets; the first partition error fails the whole result.
result<std::vector<partition_offset>> from_list(const rd_kafka_topic_partition_list_t* l,
                                                const char* what) {
    std::vector<partition_offset> out;
    for (int i = 0; l && i < l->cnt; ++i) {
        const auto& e = l->elems[i];
        if (e.err) {
            error r = rd_error(e.err);
            r.message = std::string(what) + " of " + e.topic + "/" + std::to_string(e.partition) +
                        ": " + r.message;
            return r;
        }
        std::string metadata;
        if (e.metadata && e.metadata_size > 0)
            metadata.assign(static_cast<const char*>(e.metadata), e.metadata_size);
        out.push_back({e.topic, e.partition, e.offset, std::move(metadata)});
    }
    return out;
}

status with_context(rd_kafka_resp_err_t err, const char* what) {
    if (!err) return {};
    error e = rd_error(err);
    e.message = std::string(what) + ": " + e.message;
    return e;
}

}  // namespace

struct consumer::impl : handle_owner {
    rk_ptr rk;
    queue_ptr commit_q;
    queue_ptr consumer_q;  // where fetched records wait for poll
    int timeout_ms = k_default_timeout_ms;
    bool closed = false;
    // A fatal error poll_batch() met after taking records: the next poll's.
    std::optional<error> pending;
    std::function<void(const error&)> on_warning;
    std::function<void(bool, const std::vector<topic_partition>&)> on_rebalance;
    // The current assignment (rebalance callback or assign()), polling thread.
    tpl_ptr assignment;
    std::chrono::steady_clock::time_point last_wake;

    void rebalance(rd_kafka_t* h, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
        bool assigned = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
        std::vector<topic_partition> tps;
        for (int i = 0; parts && i < parts->cnt; ++i)
            tps.push_back({parts->elems[i].topic, parts->elems[i].partition});
        auto e = rd_kafka_assign(h, assigned ? parts : nullptr);
        if (e) {
            logging::get("kafka_client")
                .warn("rebalance: {} failed: {}", assigned ? "assign" : "unassign",
                      rd_kafka_err2name(e));
        }
        assignment.reset(assigned && parts ? rd_kafka_topic_partition_list_copy(parts) : nullptr);
        if (on_rebalance) on_rebalance(assigned, tps);
    }

    void wake_stalled_fetch();
};

// librdkafka 2.0 stops fetching a partition once queued.min.messages (or
// queued.max.messages.kbytes) of it wait for poll, and decides again only
// when its broker thread wakes: on the next request or reply of that broker,
// else after up to a second. A consumer slower than the fetcher therefore
// reads one queue-full per second (100,000 records/s by default) and waits
// the rest. Called when poll found the queue empty: if an assigned partition
// has records beyond the position (by the last fetch's high watermark, the
// last stable offset under read_committed; more than a transaction marker),
// one ListOffsets request to its leader wakes that broker thread, which
// fetches again at once. At most one such request per millisecond.
void consumer::impl::wake_stalled_fetch() {
    if (!assignment || assignment->cnt == 0 || closed) return;
    if (rd_kafka_queue_length(consumer_q.get()) > 0) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_wake < std::chrono::milliseconds(1)) return;
    tpl_ptr l(rd_kafka_topic_partition_list_copy(assignment.get()));
    if (rd_kafka_position(rk.get(), l.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    for (int i = 0; i < l->cnt; ++i) {
        const auto& e = l->elems[i];
        int64_t low = 0, high = 0;
        if (e.offset < 0 ||
            rd_kafka_get_watermark_offsets(rk.get(), e.topic, e.partition, &low, &high) != 0 ||
            high - e.offset < 2)
            continue;
        last_wake = now;
        // The answer does not matter, only that the broker thread woke.
        rd_kafka_query_watermark_offsets(rk.get(), e.topic, e.partition, &low, &high,
                                         std::min(timeout_ms, 1000));
        return;
    }
}

namespace {

extern "C" void on_rd_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* parts, void* opaque) {
    static_cast<consumer::impl*>(opaque)->rebalance(rk, err, parts);
}

}  // namespace

rd_kafka_t* native_handle(const consumer& c) {
    return c._impl->rk.get();
}

property_list consumer_properties(const consumer_options& o) {
    property_list p = {
        {"group.id", o.group_id},
        {"isolation.level",
         o.isolation == isolation::read_committed ? "read_committed" : "read_uncommitted"},
        {"auto.offset.reset", o.reset == offset_reset::earliest ? "earliest"
                              : o.reset == offset_reset::latest ? "latest"
                                                                : "error"},
        {"enable.auto.commit", o.auto_commit ? "true" : "false"},
        {"enable.auto.offset.store", o.auto_commit ? "true" : "false"},
        {"enable.partition.eof", "false"}};
    if (o.heartbeat_ms) p.emplace_back("heartbeat.interval.ms", std::to_string(*o.heartbeat_ms));
    if (o.session_timeout_ms)
        p.emplace_back("session.timeout.ms", std::to_string(*o.session_timeout_ms));
    if (!o.assignment_strategy.empty())
        p.emplace_back("partition.assignment.strategy", o.assignment_strategy);
    client_config c = o.client;
    c.properties.insert(c.properties.begin(), p.begin(), p.end());
    return base_properties(c);
}

result<consumer> consumer::create(const consumer_options& o) {
    auto p = std::make_unique<impl>();
    p->conn.bootstrap = o.client.bootstrap;
    p->timeout_ms = o.client.timeout_ms;
    p->log = o.on_log;
    p->on_warning = o.on_warning;
    p->on_rebalance = o.on_rebalance;
    auto conf = make_conf(consumer_properties(o));
    SPATE_TRY(conf);
    rd_kafka_conf_set_rebalance_cb(conf->get(), on_rd_rebalance);
    auto rk = make_handle(RD_KAFKA_CONSUMER, std::move(*conf), p.get());
    SPATE_TRY(rk);
    p->rk = std::move(*rk);
    rd_kafka_poll_set_consumer(p->rk.get());
    p->commit_q.reset(rd_kafka_queue_new(p->rk.get()));
    p->consumer_q.reset(rd_kafka_queue_get_consumer(p->rk.get()));
    return consumer(std::move(p));
}

consumer::consumer(std::unique_ptr<impl> p) : _impl(std::move(p)) {}
consumer::consumer(consumer&&) noexcept = default;
consumer& consumer::operator=(consumer&&) noexcept = default;

consumer::~consumer() {
    if (_impl) close();
}

void consumer::close() {
    if (_impl->closed) return;
    _impl->closed = true;
    _impl->commit_q.reset();
    _impl->consumer_q.reset();
    _impl->assignment.reset();
    if (auto err = rd_kafka_consumer_close(_impl->rk.get())) {
        logging::get("kafka_client").warn("consumer close: {}", rd_kafka_err2name(err));
    }
}

status consumer::assign(const std::vector<partition_offset>& partitions) {
    auto l = to_list(partitions);
    SPATE_TRY(with_context(rd_kafka_assign(_impl->rk.get(), l.get()), "assign"));
    _impl->assignment = std::move(l);
    return {};
}

status consumer::subscribe(const std::vector<std::string>& topics) {
    tpl_ptr l(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
    for (const auto& t : topics)
        rd_kafka_topic_partition_list_add(l.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    return with_context(rd_kafka_subscribe(_impl->rk.get(), l.get()), "subscribe");
}

status consumer::unsubscribe() {
    return with_context(rd_kafka_unsubscribe(_impl->rk.get()), "unsubscribe");
}

result<std::optional<message>> consumer::poll(int timeout_ms) {
    if (_impl->pending) {
        error e = std::move(*_impl->pending);
        _impl->pending.reset();
        return e;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        rd_kafka_message_t* m =
            rd_kafka_consumer_poll(_impl->rk.get(), static_cast<int>(std::max<int64_t>(left, 0)));
        if (m == nullptr) return std::optional<message>();
        message msg(m);
        if (!m->err) return std::optional<message>(std::move(msg));
        error e = rd_error(m->err, rd_kafka_message_errstr(m));
        if (fatal_consume_error(m->err)) return e;
        if (_impl->on_warning) {
            _impl->on_warning(e);
        } else {
            logging::get("kafka_client").warn("consumer: {}", e.message);
        }
        if (left <= 0) return std::optional<message>();
    }
}

result<std::vector<message>> consumer::poll_batch(size_t max, int timeout_ms) {
    std::vector<message> out;
    out.reserve(std::min<size_t>(max, 4096));
    if (_impl->pending) {
        error e = std::move(*_impl->pending);
        _impl->pending.reset();
        return e;
    }
    // Waits for the first record only; then takes what is queued.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    int wait_ms = timeout_ms;
    while (out.size() < max) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(_impl->rk.get(), wait_ms);
        if (m == nullptr) break;
        if (!m->err) {
            out.push_back(message(m));
            wait_ms = 0;
            continue;
        }
        message msg(m);
        error e = rd_error(m->err, rd_kafka_message_errstr(m));
        if (fatal_consume_error(m->err)) {
            if (out.empty()) return e;
            _impl->pending = std::move(e);  // after the records taken
            return out;
        }
        if (_impl->on_warning) {
            _impl->on_warning(e);
        } else {
            logging::get("kafka_client").warn("consumer: {}", e.message);
        }
        if (out.empty()) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
            wait_ms = static_cast<int>(std::max<int64_t>(left, 0));
            if (wait_ms == 0) break;
        }
    }
    if (out.size() < max) _impl->wake_stalled_fetch();
    return out;
}

status consumer::commit(const std::vector<partition_offset>& offsets) {
    auto l = to_list(offsets);
    SPATE_TRY(with_context(rd_kafka_commit(_impl->rk.get(), l.get(), 0), "commit"));
    auto r = from_list(l.get(), "commit");
    SPATE_TRY(r);
    return {};
}

status consumer::commit_async(const std::vector<partition_offset>& offsets, uint64_t tag) {
    auto l = to_list(offsets);
    return with_context(
        rd_kafka_commit_queue(_impl->rk.get(), l.get(), _impl->commit_q.get(), nullptr,
                              reinterpret_cast<void*>(static_cast<uintptr_t>(tag))),
        "commit");
}

std::optional<commit_result> consumer::next_commit_result(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        event_ptr ev(rd_kafka_queue_poll(_impl->commit_q.get(),
                                         static_cast<int>(std::max<int64_t>(left, 0))));
        if (!ev) return std::nullopt;
        if (rd_kafka_event_type(ev.get()) != RD_KAFKA_EVENT_OFFSET_COMMIT) continue;
        commit_result r;
        r.tag = reinterpret_cast<uintptr_t>(rd_kafka_event_opaque(ev.get()));
        if (auto err = rd_kafka_event_error(ev.get())) {
            r.result = with_context(err, "commit");
        } else if (auto l = from_list(rd_kafka_event_topic_partition_list(ev.get()), "commit");
                   !l.ok()) {
            r.result = l.err();
        }
        return r;
    }
}

result<std::vector<partition_offset>> consumer::committed(
    const std::vector<topic_partition>& partitions, int timeout_ms) {
    auto l = to_list(partitions);
    SPATE_TRY(with_context(rd_kafka_committed(_impl->rk.get(), l.get(), timeout_ms), "committed"));
    return from_list(l.get(), "committed");
}

status consumer::seek(const topic_partition& tp, int64_t offset, int timeout_ms) {
    tpl_ptr l(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(l.get(), tp.topic.c_str(), tp.partition)->offset = offset;
    if (rd_kafka_error_t* e = rd_kafka_seek_partitions(_impl->rk.get(), l.get(), timeout_ms)) {
        error r = rd_error(e);
        rd_kafka_error_destroy(e);
        r.message = "seek: " + r.message;
        return r;
    }
    auto r = from_list(l.get(), "seek");
    SPATE_TRY(r);
    return {};
}

result<std::vector<partition_offset>> consumer::positions(
    const std::vector<topic_partition>& partitions) {
    auto l = to_list(partitions);
    SPATE_TRY(with_context(rd_kafka_position(_impl->rk.get(), l.get()), "position"));
    return from_list(l.get(), "position");
}

result<watermarks> consumer::query_watermarks(const topic_partition& tp, int timeout_ms) {
    watermarks w;
    SPATE_TRY(
        with_context(rd_kafka_query_watermark_offsets(_impl->rk.get(), tp.topic.c_str(),
                                                      tp.partition, &w.low, &w.high, timeout_ms),
                     "watermarks"));
    return w;
}

result<std::vector<partition_offset>> consumer::offsets_for_times(
    const std::vector<partition_offset>& timestamps, int timeout_ms) {
    auto l = to_list(timestamps);
    SPATE_TRY(with_context(rd_kafka_offsets_for_times(_impl->rk.get(), l.get(), timeout_ms),
                           "offsets for timestamp"));
    return from_list(l.get(), "offsets for timestamp");
}

result<std::vector<int32_t>> consumer::partitions_of(const std::string& topic) {
    auto md = fetch_metadata(&_impl->conn, _impl->rk.get(), topic, _impl->timeout_ms);
    SPATE_TRY(md);
    std::vector<int32_t> out;
    const auto& t = (*md)->topics[0];
    for (int i = 0; i < t.partition_cnt; ++i)
        out.push_back(t.partitions[i].id);
    return out;
}

// ---- message ----

message::message(rd_kafka_message_s* m) : _m(m) {}
message::message(message&&) noexcept = default;
message& message::operator=(message&&) noexcept = default;
message::~message() = default;

void message::deleter::operator()(rd_kafka_message_s* m) const {
    rd_kafka_message_destroy(m);
}

std::string_view message::topic() const {
    return _m->rkt ? rd_kafka_topic_name(_m->rkt) : "";
}

int32_t message::partition() const {
    return _m->partition;
}

int64_t message::offset() const {
    return _m->offset;
}

int64_t message::timestamp_ms() const {
    rd_kafka_timestamp_type_t type;
    return rd_kafka_message_timestamp(_m.get(), &type);
}

std::optional<std::string_view> message::key() const {
    if (!_m->key) return std::nullopt;
    return std::string_view(static_cast<const char*>(_m->key), _m->key_len);
}

std::optional<std::string_view> message::value() const {
    if (!_m->payload) return std::nullopt;
    return std::string_view(static_cast<const char*>(_m->payload), _m->len);
}

std::vector<header> message::headers() const {
    std::vector<header> out;
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(_m.get(), &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
    const char* name;
    const void* val;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == 0; ++i) {
        header h{name, std::nullopt};
        if (val) h.value = std::string(static_cast<const char*>(val), size);
        out.push_back(std::move(h));
    }
    return out;
}

}  // namespace spate::kafka::client
