#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <tuple>

#include "base/log.h"
#include "sql/stream/query_impl.h"

namespace spate::sql {

namespace kc = kafka::client;

namespace {

constexpr size_t k_batch_records = 1000;
constexpr int k_poll_ms = 50;
constexpr int k_backoff_ms = 1000;
constexpr int k_backlog_commit_factor = 10;
constexpr int k_backlog_commit_ms = 1000;
// librdkafka's largest batch.num.messages: batches are limited by bytes.
constexpr int k_max_batch_records = 1000000;
// Room for the record batch framing beyond librdkafka's batch.size.
constexpr int64_t k_batch_overhead_bytes = 65536;
// The query producer's queue.buffering.max.messages.
constexpr int k_producer_queue_records = 2000000;
// The query consumer's queued.min.messages.
constexpr int k_queued_records = 2000000;
// The query consumer's max.partition.fetch.bytes.
constexpr int k_fetch_bytes = 8 << 20;

int64_t now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

status with_context(const std::string& what, const status& s) {
    if (s.ok()) return s;
    return spate::make_error(s.err().code, what + ": " + s.err().message);
}

}  // namespace

void continuous_query::impl::set_error(const std::string& e) {
    std::lock_guard lock(mu);
    last_error = e;
}

void continuous_query::impl::clear_error() {
    std::lock_guard lock(mu);
    last_error.clear();
}

bool continuous_query::impl::backoff(int ms) {
    std::unique_lock lock(mu);
    wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping.load(); });
    return !stopping;
}

void continuous_query::impl::run() {
    auto& log = logging::get("sql");
    while (!stopping) {
        status s;
        {
            // Closed (transaction aborted, group left) before any backoff.
            detail::query_session session(*this);
            s = session.open();
            if (s.ok()) s = session.run();
        }
        if (s.ok()) break;  // stopped
        log.error("query {}: {}; restarting in {} ms", spec.name, s.err().message, k_backoff_ms);
        set_error(s.err().message);
        if (!backoff(k_backoff_ms)) break;
    }
}

namespace detail {

query_session::~query_session() {
    if (_in_txn && _producer) {
        if (auto s = _producer->abort_transaction(_q.spec.client.timeout_ms); !s.ok())
            logging::get("sql").warn("query {}: abort on close: {}", _q.spec.name, s.err().message);
    }
    // The next session starts from the committed offsets with no tasks.
    _q.flow->aborted();
    _q.flow->revoked({_assigned.begin(), _assigned.end()});
    if (_consumer) _consumer->close();
}

status query_session::open() {
    SPATE_TRY(open_consumer());
    SPATE_TRY(open_producer());
    SPATE_TRY(with_context("subscribe", _consumer->subscribe(_q.flow->topics())));
    _last_commit = std::chrono::steady_clock::now();
    return {};
}

status query_session::open_consumer() {
    const auto& spec = _q.spec;
    kc::consumer_options co;
    co.client = spec.client;
    co.group_id = spec.group_id;
    co.isolation = kc::isolation::read_committed;
    co.auto_commit = false;
    if (!spec.group_instance_id.empty())
        co.client.properties.emplace_back("group.instance.id", spec.group_instance_id);
    co.session_timeout_ms = 10000;
    // Fewer, larger fetches under a backlog (librdkafka's default is 1 MiB
    // per partition): less per-request work in the broker and the client.
    // First, so the client configuration may override it.
    co.client.properties.insert(co.client.properties.begin(),
                                {"max.partition.fetch.bytes", std::to_string(k_fetch_bytes)});
    // librdkafka stops fetching at queued.min.messages (100,000) records
    // waiting and resumes only when poll_batch() finds the queue drained,
    // so the query waited for a fetch after every 100,000 records. Memory
    // stays bounded by queued.max.messages.kbytes (64 MiB).
    co.client.properties.insert(co.client.properties.begin(),
                                {"queued.min.messages", std::to_string(k_queued_records)});
    // One reset policy per consumer: earliest if any input starts there.
    // Stateful queries always (their internal topics must be read from the
    // start; a source starting at its end got committed offsets when the
    // query was created).
    co.reset = kc::offset_reset::latest;
    for (const auto& in : spec.inputs)
        if (in.start_earliest || spec.aggregate) co.reset = kc::offset_reset::earliest;
    co.on_rebalance = [this](bool assigned, const std::vector<kc::topic_partition>& tps) {
        logging::get("sql").info("query {}: {} {} partitions", _q.spec.name,
                                 assigned ? "assigned" : "revoked", tps.size());
        for (const auto& tp : tps) {
            if (assigned) {
                _assigned.insert(tp);
                _newly_assigned.push_back(tp);
            } else {
                _assigned.erase(tp);
                _newly_revoked.push_back(tp);
            }
        }
    };
    auto c = kc::consumer::create(co);
    if (!c.ok()) return with_context("consumer", c.err());
    _consumer.emplace(std::move(*c));
    return {};
}

status query_session::open_producer() {
    const auto& spec = _q.spec;
    kc::producer_options po;
    po.client = spec.client;
    po.acks = kc::acks::all;
    // Batching (docs/performance.md, Streaming SQL): librdkafka 2.0's
    // idempotent producer keeps one Produce request per partition in flight
    // and, while it waits, busy-polls once its queued records are older
    // than linger.ms. The output is read at commit (exactly once) or
    // flushed by it (at least once), so records may wait up to the commit
    // interval: a batch leaves when full or when the commit flushes. Batches
    // are as large as every written topic accepts.
    po.linger_ms = std::clamp(spec.commit_interval_ms, 5, 1000);
    po.batch_records = k_max_batch_records;
    // A commit produces every changed group's row and state record at once
    // (often more than librdkafka's default queue of 100,000): a full
    // queue made the thread wait in 1 ms polls while the broker absorbed
    // it (7% of q17's time). The records wait for the commit either way.
    po.queue_max_records = k_producer_queue_records;
    int64_t batch_bytes =
        std::max<int64_t>(_q.max_batch_bytes - k_batch_overhead_bytes, _q.max_batch_bytes / 2);
    po.batch_bytes = static_cast<int>(std::min<int64_t>(batch_bytes, INT32_MAX / 2));
    // message.max.bytes caps a request and a single record: a state value
    // is one changelog record (up to the changelog topic's 32 MiB).
    int64_t max_request = std::max<int64_t>(*po.batch_bytes + k_batch_overhead_bytes,
                                            spec.aggregate ? 34000000 : 1000000);
    po.client.properties.emplace_back("message.max.bytes", std::to_string(max_request));
    // The session counts failures only; a report per delivered record is
    // work on this thread (a callback and its queue op per record).
    if (!_q.flow->wants_deliveries())
        po.client.properties.emplace_back("delivery.report.only.error", "true");
    if (spec.exactly_once)
        po.transactional_id = spec.transactional_id;
    else
        po.idempotent = true;
    if (spec.aggregate && spec.exactly_once) {
        // A killed server's open transaction blocks read_committed readers
        // of the internal topics (and the state restore of the tasks it
        // held) until the coordinator aborts it.
        po.delivery_timeout_ms = 15000;
        po.client.properties.emplace_back("transaction.timeout.ms", "15000");
    }
    auto on_delivery = [this](const kc::delivery_report& d) {
        _q.flow->delivered(d);
        if (d.result.ok()) return;
        if (_delivery_failures++ == 0) _first_delivery_failure = d.result.err().message;
    };
    auto p = kc::producer::create(po, on_delivery);
    if (!p.ok()) return with_context("producer", p.err());
    _producer.emplace(std::move(*p));
    _batch.emplace(*_producer);
    if (spec.exactly_once) SPATE_TRY(_producer->init_transactions(spec.client.timeout_ms));
    // Primes the producer's metadata of the topics it writes (else their
    // first records wait for a metadata refresh).
    for (const auto& t : _q.flow->written_topics())
        if (auto n = _producer->partition_count(t); !n.ok())
            return with_context("topic " + t, n.err());
    return {};
}

status query_session::run() {
    while (!_q.stopping)
        SPATE_TRY(step());
    // At least once: commit what was written so a restart does not repeat
    // it. Exactly once: the open transaction is aborted on close (contract).
    if (!_q.spec.exactly_once && !_pending.empty()) return commit();
    return {};
}

void query_session::note_batch(const std::vector<kc::message>& batch) {
    // A batch is runs of one partition's records: one map lookup per run.
    auto it = _pending.end();
    for (const auto& m : batch) {
        if (it == _pending.end() || it->first.partition != m.partition() ||
            it->first.topic != m.topic()) {
            bool fresh = false;
            std::tie(it, fresh) = _pending.try_emplace({std::string(m.topic()), m.partition()},
                                                       m.offset(), m.offset() + 1);
            if (fresh) continue;
        }
        it->second.second = m.offset() + 1;
    }
}

std::vector<kc::partition_offset> query_session::next_offsets() const {
    std::vector<kc::partition_offset> out;
    for (const auto& [tp, range] : _pending)
        out.push_back({tp.topic, tp.partition, range.second, _q.flow->offset_metadata(tp)});
    return out;
}

namespace {

int64_t micros_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 t)
        .count();
}

}  // namespace

void query_session::report_time_split() {
    auto now = std::chrono::steady_clock::now();
    if (now - _last_report < std::chrono::seconds(10)) return;
    _last_report = now;
    const auto& st = _q.stats;
    // Only while records flow: an idle query says nothing.
    if (st.records_in.load() == _reported_records) return;
    _reported_records = st.records_in.load();
    int64_t poll = st.poll_us.load(), route = st.route_us.load(), commit = st.commit_us.load();
    int64_t total = std::max<int64_t>(1, poll + route + commit);
    logging::get("sql").info(
        "query {}: {} records in, {} rows out, {} commits; time: poll {}%, process {}%, commit {}%",
        _q.spec.name, st.records_in.load(), st.rows_out.load(), st.commits.load(),
        poll * 100 / total, route * 100 / total, commit * 100 / total);
}

status query_session::step() {
    auto polled = std::chrono::steady_clock::now();
    auto batch = _consumer->poll_batch(k_batch_records, k_poll_ms);
    _q.stats.poll_us += micros_since(polled);
    report_time_split();
    if (!batch.ok()) return with_context("poll", batch.err());
    note_batch(*batch);
    auto keep = rebalanced();
    if (!keep.ok()) return keep.err();
    if (!keep.value()) return {};
    if (!batch->empty()) {
        if (_q.spec.exactly_once && !_in_txn) {
            SPATE_TRY(_producer->begin_transaction());
            _in_txn = true;
        }
        auto sink = [this](const kc::outgoing_record& r) { return _batch->add(r); };
        auto routed = std::chrono::steady_clock::now();
        auto s = _q.flow->process(*batch, now_micros(), sink);
        if (s.ok()) s = _batch->flush();
        _q.stats.route_us += micros_since(routed);
        if (!s.ok()) return abort_and_rewind(s.err().message, true);
    }
    // Under a backlog (the poll filled its batch) a transaction covers more
    // input: commit_interval_ms grows up to k_backlog_commit_factor times
    // (at most k_backlog_commit_ms), so per-commit work (changed groups
    // rewritten and logged, the transaction's round trips) is shared by
    // more events. Idle or caught up, the interval is as configured.
    if (batch->size() < k_batch_records) _backlog_since_commit = false;
    auto now = std::chrono::steady_clock::now();
    auto interval = std::chrono::milliseconds(_q.spec.commit_interval_ms);
    if (_backlog_since_commit)
        interval = std::max(interval, std::min(interval * k_backlog_commit_factor,
                                               std::chrono::milliseconds(k_backlog_commit_ms)));
    bool due = now - _last_commit >= interval;
    if (due && (!_pending.empty() || _q.flow->wants_commit(now))) return commit();
    if (_pending.empty()) _producer->poll(0);
    return {};
}

result<bool> query_session::rebalanced() {
    bool keep = true;
    if (!_newly_revoked.empty()) {
        // Partitions moved: what this member read since its last commit is
        // re-read from the committed offsets (by it or the new owner).
        if (_in_txn || !_pending.empty()) SPATE_TRY(abort_and_rewind("partitions revoked", false));
        _q.flow->revoked(_newly_revoked);
        _newly_revoked.clear();
        keep = false;
    }
    if (!_newly_assigned.empty()) {
        auto parts = std::move(_newly_assigned);
        _newly_assigned.clear();
        SPATE_TRY(with_context("assignment", _q.flow->assigned(parts, *_consumer)));
    }
    return keep;
}

status query_session::commit() {
    auto started = std::chrono::steady_clock::now();
    auto s = commit_now();
    _q.stats.commit_us += micros_since(started);
    return s;
}

status query_session::commit_now() {
    const auto& spec = _q.spec;
    if (spec.exactly_once && !_in_txn) {
        SPATE_TRY(_producer->begin_transaction());
        _in_txn = true;
    }
    // The offsets after the processed input (prepare_commit() reads none).
    auto offsets = next_offsets();
    // Exactly once: they join the transaction on a helper thread while this
    // one produces the interval's output, so the broker's round trips
    // (AddOffsetsToTxn, TxnOffsetCommit; fsynced) overlap prepare_commit().
    // The future is waited for on every path (its destructor too).
    std::future<status> offsets_sent;
    if (spec.exactly_once && !offsets.empty()) {
        offsets_sent = std::async(std::launch::async, [this, &offsets, &spec] {
            return _producer->send_offsets_to_transaction(offsets, *_consumer,
                                                          spec.client.timeout_ms);
        });
    }
    auto sink = [this](const kc::outgoing_record& r) { return _batch->add(r); };
    auto prepared = _q.flow->prepare_commit(now_micros(), sink);
    if (prepared.ok()) prepared = _batch->flush();
    status sent = offsets_sent.valid() ? offsets_sent.get() : status{};
    if (!prepared.ok()) return abort_and_rewind(prepared.err().message, true);
    if (spec.exactly_once) {
        // The client's errors name the failed call.
        status s = sent;
        if (s.ok()) s = _producer->commit_transaction(spec.client.timeout_ms);
        if (!s.ok()) return abort_and_rewind(s.err().message, true);
        _in_txn = false;
    } else {
        auto s = with_context("flush", _producer->flush(spec.client.timeout_ms));
        if (s.ok() && _delivery_failures > 0)
            s = spate::make_error(errc::io_error, "delivery failed: " + _first_delivery_failure);
        if (s.ok() && !offsets.empty()) s = with_context("commit", _consumer->commit(offsets));
        if (!s.ok()) return abort_and_rewind(s.err().message, true);
    }
    _pending.clear();
    ++_q.stats.commits;
    _last_commit = std::chrono::steady_clock::now();
    _backlog_since_commit = true;
    // The transaction committed: a failure to apply it locally (the state
    // store) ends the session, whose successor restores from the changelog.
    SPATE_TRY(with_context("after commit", _q.flow->committed()));
    _q.clear_error();
    return {};
}

status query_session::abort_and_rewind(const std::string& why, bool failure) {
    const auto& spec = _q.spec;
    auto& log = logging::get("sql");
    if (failure) {
        log.warn("query {}: aborting uncommitted work: {}", spec.name, why);
        _q.set_error(why);
    } else {
        log.info("query {}: aborting uncommitted work: {}", spec.name, why);
    }
    ++_q.stats.aborts;
    if (_batch) _batch->discard();
    _q.flow->aborted();
    if (_in_txn) {
        // A failed abort (fatal producer error, e.g. fenced) ends the
        // session; nothing of the transaction commits either way.
        _in_txn = false;
        SPATE_TRY(_producer->abort_transaction(spec.client.timeout_ms));
    }
    _delivery_failures = 0;
    for (const auto& [tp, range] : _pending) {
        // A partition no longer assigned is re-read by its next owner from
        // the committed offset; one still assigned must move back or the
        // session ends (a new one starts from the committed offsets).
        if (!_assigned.contains(tp)) continue;
        SPATE_TRY(with_context("rewind " + tp.topic + "[" + std::to_string(tp.partition) + "]",
                               _consumer->seek(tp, range.first, spec.client.timeout_ms)));
    }
    _pending.clear();
    _last_commit = std::chrono::steady_clock::now();
    return {};
}

}  // namespace detail

}  // namespace spate::sql
