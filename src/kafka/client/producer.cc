#include "kafka/client/producer.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>

#include "kafka/client/consumer_impl.h"
#include "kafka/client/error.h"
#include "kafka/client/rd_handle.h"
#include "model/compression.h"

namespace spate::kafka::client {

using namespace detail;

namespace {

const char* acks_name(acks a) {
    switch (a) {
        case acks::none:
            return "0";
        case acks::leader:
            return "1";
        case acks::all:
            return "all";
    }
    return "all";
}

// Takes ownership of a librdkafka error object.
status take_error(rd_kafka_error_t* e, const char* what) {
    if (e == nullptr) return {};
    error out = rd_error(e);
    out.message = std::string(what) + ": " + out.message;
    rd_kafka_error_destroy(e);
    return out;
}

}  // namespace

struct topic_deleter {
    void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
};
using topic_ptr = std::unique_ptr<rd_kafka_topic_t, topic_deleter>;

struct producer::impl : handle_owner {
    rk_ptr rk;
    // Topic handles by name (produce() looks a topic up once); destroyed
    // before the handle (declared after it).
    std::map<std::string, topic_ptr, std::less<>> topics;
    int timeout_ms = k_default_timeout_ms;
    delivery_callback on_delivery;
    std::atomic<int64_t> delivered{0};
    std::atomic<int64_t> failed{0};
    mutable std::mutex mu;
    std::string first_failure;  // guarded by mu

    // The handle of topic `name` (created on first use); null when
    // librdkafka refuses the name.
    rd_kafka_topic_t* topic(std::string_view name) {
        auto it = topics.find(name);
        if (it == topics.end()) {
            std::string n(name);
            rd_kafka_topic_t* t = rd_kafka_topic_new(rk.get(), n.c_str(), nullptr);
            if (t == nullptr) return nullptr;
            it = topics.emplace(std::move(n), topic_ptr(t)).first;
        }
        return it->second.get();
    }

    std::vector<rd_kafka_message_t> batch;  // produce_batch's, reused

    status produce_run(std::span<const outgoing_record> run);

    // Delivery callbacks run on one thread at a time (producer.h): the
    // report is reused so its topic name is not allocated per record.
    delivery_report scratch;

    void report(const rd_kafka_message_t* m) {
        delivery_report& r = scratch;
        r.partition = m->partition;
        r.offset = m->offset;
        r.tag = reinterpret_cast<uintptr_t>(m->_private);
        r.result = {};
        if (m->err) {
            // Not rd_kafka_message_errstr: with a producer it reads the
            // record's value as a C string (librdkafka forbids it there).
            r.result = rd_error(m->err, rd_kafka_err2str(m->err));
            if (failed++ == 0) {
                std::lock_guard lock(mu);
                first_failure = r.result.err().message;
            }
        } else {
            ++delivered;
        }
        if (on_delivery) {
            if (m->rkt) {
                r.topic.assign(rd_kafka_topic_name(m->rkt));
            } else {
                r.topic.clear();
            }
            on_delivery(r);
        }
    }
};

namespace {

extern "C" void on_rd_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    static_cast<producer::impl*>(opaque)->report(m);
}

}  // namespace

property_list producer_properties(const producer_options& o) {
    property_list p = {{"acks", acks_name(o.acks)},
                       {"compression.codec", model::compression_name(o.compression)},
                       {"linger.ms", std::to_string(o.linger_ms)}};
    if (o.delivery_timeout_ms)
        p.emplace_back("message.timeout.ms", std::to_string(*o.delivery_timeout_ms));
    if (o.batch_bytes) p.emplace_back("batch.size", std::to_string(*o.batch_bytes));
    if (o.batch_records) p.emplace_back("batch.num.messages", std::to_string(*o.batch_records));
    if (o.queue_max_records)
        p.emplace_back("queue.buffering.max.messages", std::to_string(*o.queue_max_records));
    if (o.queue_max_kbytes)
        p.emplace_back("queue.buffering.max.kbytes", std::to_string(*o.queue_max_kbytes));
    if (o.idempotent || !o.transactional_id.empty()) p.emplace_back("enable.idempotence", "true");
    if (!o.transactional_id.empty()) p.emplace_back("transactional.id", o.transactional_id);
    client_config c = o.client;
    c.properties.insert(c.properties.begin(), p.begin(), p.end());
    return base_properties(c);
}

result<producer> producer::create(const producer_options& o, delivery_callback on_delivery) {
    auto p = std::make_unique<impl>();
    p->conn.bootstrap = o.client.bootstrap;
    p->timeout_ms = o.client.timeout_ms;
    p->on_delivery = std::move(on_delivery);
    auto conf = make_conf(producer_properties(o));
    SPATE_TRY(conf);
    rd_kafka_conf_set_dr_msg_cb(conf->get(), on_rd_delivery);
    auto rk = make_handle(RD_KAFKA_PRODUCER, std::move(*conf), p.get());
    SPATE_TRY(rk);
    p->rk = std::move(*rk);
    return producer(std::move(p));
}

producer::producer(std::unique_ptr<impl> p) : _impl(std::move(p)) {}
producer::producer(producer&&) noexcept = default;
producer& producer::operator=(producer&&) noexcept = default;
producer::~producer() = default;

status producer::produce(const outgoing_record& r) {
    rd_kafka_headers_t* hdrs = nullptr;
    for (;;) {
        if (r.headers && !r.headers->empty()) {
            hdrs = rd_kafka_headers_new(r.headers->size());
            for (const auto& h : *r.headers) {
                rd_kafka_header_add(hdrs, h.key.data(), static_cast<ssize_t>(h.key.size()),
                                    h.value ? h.value->data() : nullptr,
                                    h.value ? static_cast<ssize_t>(h.value->size()) : 0);
            }
        }
        rd_kafka_topic_t* topic = _impl->topic(r.topic);
        if (topic == nullptr) {
            if (hdrs) rd_kafka_headers_destroy(hdrs);
            error e = rd_error(rd_kafka_last_error());
            e.message = "produce to '" + std::string(r.topic) + "': " + e.message;
            return e;
        }
        void* key = r.key ? const_cast<char*>(r.key->data()) : nullptr;
        size_t key_len = r.key ? r.key->size() : 0;
        void* value = r.value ? const_cast<char*>(r.value->data()) : nullptr;
        size_t value_len = r.value ? r.value->size() : 0;
        rd_kafka_resp_err_t err = rd_kafka_producev(
            _impl->rk.get(), RD_KAFKA_V_RKT(topic), RD_KAFKA_V_PARTITION(r.partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
            RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_HEADERS(hdrs),
            RD_KAFKA_V_TIMESTAMP(r.timestamp_ms.value_or(0)),
            RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(r.tag))),
            RD_KAFKA_V_END);
        if (!err) return {};  // the headers now belong to the message
        if (hdrs) rd_kafka_headers_destroy(hdrs);
        hdrs = nullptr;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return rd_error(err, "produce");
        rd_kafka_poll(_impl->rk.get(), 1);
    }
}

namespace {

bool batchable(const outgoing_record& r) {
    return (r.headers == nullptr || r.headers->empty()) && !r.timestamp_ms;
}

}  // namespace

status producer::produce_batch(std::span<const outgoing_record> records) {
    size_t i = 0;
    while (i < records.size()) {
        if (!batchable(records[i])) {
            SPATE_TRY(produce(records[i]));
            ++i;
            continue;
        }
        size_t end = i + 1;
        while (end < records.size() && batchable(records[end]) &&
               records[end].topic == records[i].topic)
            ++end;
        SPATE_TRY(_impl->produce_run(records.subspan(i, end - i)));
        i = end;
    }
    return {};
}

// One librdkafka call for records of one topic. A full client queue fails
// a suffix of the call's records (space is only freed by delivery reports,
// which run on this thread): those are retried after serving callbacks.
status producer::impl::produce_run(std::span<const outgoing_record> run) {
    rd_kafka_topic_t* t = topic(run.front().topic);
    if (t == nullptr) {
        error e = rd_error(rd_kafka_last_error());
        e.message = "produce to '" + std::string(run.front().topic) + "': " + e.message;
        return e;
    }
    batch.assign(run.size(), rd_kafka_message_t{});
    for (size_t k = 0; k < run.size(); ++k) {
        const auto& r = run[k];
        auto& m = batch[k];
        m.partition = r.partition;
        m.payload = r.value ? const_cast<char*>(r.value->data()) : nullptr;
        m.len = r.value ? r.value->size() : 0;
        m.key = r.key ? const_cast<char*>(r.key->data()) : nullptr;
        m.key_len = r.key ? r.key->size() : 0;
        m._private = reinterpret_cast<void*>(static_cast<uintptr_t>(r.tag));
    }
    size_t done = 0;
    while (done < batch.size()) {
        rd_kafka_produce_batch(t, RD_KAFKA_PARTITION_UA,
                               RD_KAFKA_MSG_F_COPY | RD_KAFKA_MSG_F_PARTITION, batch.data() + done,
                               static_cast<int>(batch.size() - done));
        size_t failed_at = done;
        while (failed_at < batch.size() && batch[failed_at].err == RD_KAFKA_RESP_ERR_NO_ERROR)
            ++failed_at;
        if (failed_at == batch.size()) return {};
        rd_kafka_resp_err_t err = batch[failed_at].err;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return rd_error(err, "produce");
        for (size_t k = failed_at; k < batch.size(); ++k) {
            // A record queued after a refused one is out of order: the
            // caller must drop what it produced (abort the transaction).
            if (batch[k].err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                return make_error(errc::io_error, "produce: client queue full within a batch");
            batch[k].err = RD_KAFKA_RESP_ERR_NO_ERROR;
        }
        done = failed_at;
        rd_kafka_poll(rk.get(), 1);
    }
    return {};
}

int producer::poll(int timeout_ms) {
    return rd_kafka_poll(_impl->rk.get(), timeout_ms);
}

status producer::flush(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (rd_kafka_outq_len(_impl->rk.get()) > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) {
            return make_error(errc::timed_out,
                              std::to_string(outstanding()) + " records not delivered in time");
        }
        rd_kafka_flush(_impl->rk.get(), static_cast<int>(std::min<int64_t>(left, 1000)));
    }
    rd_kafka_poll(_impl->rk.get(), 0);
    return {};
}

int64_t producer::outstanding() const {
    return rd_kafka_outq_len(_impl->rk.get());
}

int64_t producer::delivered() const {
    return _impl->delivered;
}

int64_t producer::failed() const {
    return _impl->failed;
}

std::string producer::first_failure() const {
    std::lock_guard lock(_impl->mu);
    return _impl->first_failure;
}

result<int32_t> producer::partition_count(const std::string& topic) {
    auto md = fetch_metadata(&_impl->conn, _impl->rk.get(), topic, _impl->timeout_ms);
    SPATE_TRY(md);
    return (*md)->topics[0].partition_cnt;
}

status producer::wait_for_leader(const std::string& topic, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto md = fetch_metadata(&_impl->conn, _impl->rk.get(), topic, timeout_ms);
        if (md.ok() && (*md)->topics[0].partition_cnt > 0 &&
            (*md)->topics[0].partitions[0].leader >= 0) {
            return {};
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return md.ok() ? make_error(errc::timed_out, "no leader for topic '" + topic + "'")
                           : md.err();
        }
        rd_kafka_poll(_impl->rk.get(), 50);
    }
}

status producer::init_transactions(int timeout_ms) {
    return take_error(rd_kafka_init_transactions(_impl->rk.get(), timeout_ms), "init_transactions");
}

status producer::begin_transaction() {
    return take_error(rd_kafka_begin_transaction(_impl->rk.get()), "begin_transaction");
}

status producer::send_offsets_to_transaction(const std::vector<partition_offset>& offsets,
                                             const consumer& c, int timeout_ms) {
    tpl_ptr l(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    for (const auto& o : offsets) {
        auto* e = rd_kafka_topic_partition_list_add(l.get(), o.topic.c_str(), o.partition);
        e->offset = o.offset;
        if (!o.metadata.empty()) {  // committed with the offset (TxnOffsetCommit)
            e->metadata = rd_kafka_mem_malloc(nullptr, o.metadata.size());
            std::memcpy(e->metadata, o.metadata.data(), o.metadata.size());
            e->metadata_size = o.metadata.size();
        }
    }
    rd_kafka_consumer_group_metadata_t* gm = rd_kafka_consumer_group_metadata(native_handle(c));
    if (gm == nullptr)
        return make_error(errc::invalid_argument, "send_offsets_to_transaction: no consumer group");
    status s =
        take_error(rd_kafka_send_offsets_to_transaction(_impl->rk.get(), l.get(), gm, timeout_ms),
                   "send_offsets_to_transaction");
    rd_kafka_consumer_group_metadata_destroy(gm);
    return s;
}

status producer::commit_transaction(int timeout_ms) {
    return take_error(rd_kafka_commit_transaction(_impl->rk.get(), timeout_ms),
                      "commit_transaction");
}

status producer::abort_transaction(int timeout_ms) {
    return take_error(rd_kafka_abort_transaction(_impl->rk.get(), timeout_ms), "abort_transaction");
}

std::string library_version() {
    return rd_kafka_version_str();
}

}  // namespace spate::kafka::client
