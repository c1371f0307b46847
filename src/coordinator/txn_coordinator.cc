#include "coordinator/txn_coordinator.h"

#include <algorithm>
#include <limits>

#include "base/log.h"
#include "coordinator/offset_store.h"

namespace spate::coordinator {

namespace {

constexpr int16_t k_max_epoch = std::numeric_limits<int16_t>::max();

// Kafka's rule: an epoch this high cannot be bumped for a new producer
// instance (the last value is kept for fencing), so a fresh id is handed out.
bool epoch_exhausted(int16_t epoch) {
    return epoch >= k_max_epoch - 1;
}

bool is_prepare(txn_state s) {
    return s == txn_state::prepare_commit || s == txn_state::prepare_abort ||
           s == txn_state::prepare_epoch_fence;
}

bool is_settled(txn_state s) {
    return s == txn_state::empty || s == txn_state::complete_commit ||
           s == txn_state::complete_abort;
}

error_code fenced(bool legacy) {
    return legacy ? error_code::invalid_producer_epoch : error_code::producer_fenced;
}

}  // namespace

const char* txn_state_name(txn_state s) {
    switch (s) {
        case txn_state::empty:
            return "Empty";
        case txn_state::ongoing:
            return "Ongoing";
        case txn_state::prepare_commit:
            return "PrepareCommit";
        case txn_state::prepare_abort:
            return "PrepareAbort";
        case txn_state::complete_commit:
            return "CompleteCommit";
        case txn_state::complete_abort:
            return "CompleteAbort";
        case txn_state::dead:
            return "Dead";
        case txn_state::prepare_epoch_fence:
            return "PrepareEpochFence";
    }
    return "Dead";
}

std::optional<txn_state> parse_txn_state(std::string_view name) {
    for (auto s : {txn_state::empty, txn_state::ongoing, txn_state::prepare_commit,
                   txn_state::prepare_abort, txn_state::complete_commit, txn_state::complete_abort,
                   txn_state::dead, txn_state::prepare_epoch_fence})
        if (name == txn_state_name(s)) return s;
    return std::nullopt;
}

struct txn_coordinator::txn {
    txn_metadata md;
    // The producer id/epoch before the last bump (in memory only): a retried
    // InitProducerId carrying them gets the current pair back.
    int64_t last_producer_id = k_no_pid;
    int16_t last_epoch = k_no_epoch;
    // Marker writing (Prepare* only). `marker_seq` identifies the current
    // attempt so stale completions are ignored.
    uint64_t marker_seq = 0;
    bool markers_in_flight = false;
    int64_t marker_retry_at_ms = -1;  // -1: no retry scheduled
    // An InitProducerId waiting for the abort of the transaction it fenced.
    init_callback pending_init;
    int32_t pending_init_timeout_ms = 0;
};

struct txn_coordinator::pending_work {
    std::vector<std::function<void()>> fns;
    void add(std::function<void()> f) { fns.push_back(std::move(f)); }
    // Declared before the lock guard it accompanies, so the work runs after
    // the mutex is released, whichever way the scope exits.
    ~pending_work() {
        for (auto& f : fns)
            f();
    }
};

txn_coordinator::txn_coordinator(options opts, clock_fn now_ms, pid_allocator allocate,
                                 marker_writer markers)
    : _opts(opts)
    , _now(std::move(now_ms))
    , _allocate(std::move(allocate))
    , _markers(std::move(markers)) {
    SPATE_ASSERT(_now && _allocate && _markers);
}

txn_coordinator::~txn_coordinator() = default;

void txn_coordinator::set_persistence(txn_writer w) {
    std::lock_guard lk(_mu);
    _writer = std::move(w);
}

status txn_coordinator::persist(const std::string& id, const std::optional<txn_metadata>& md) {
    if (!_writer) return {};
    auto s = _writer(id, md);
    if (!s.ok())
        logging::get("coordinator")
            .warn("transactional id {}: persisting {} failed: {}", id,
                  md ? txn_state_name(md->state) : "tombstone", s.err().to_string());
    return s;
}

void txn_coordinator::init_producer_id(const init_producer_id_request& req, init_callback done) {
    init_producer_id_result res;
    pending_work out;
    out.add([&res, &done] {
        if (done) done(res);
    });
    std::lock_guard lk(_mu);
    if (!req.transactional_id) {
        auto pid = _allocate();
        if (!pid.ok()) {
            logging::get("coordinator")
                .warn("InitProducerId without a transactional id: no producer id: {}",
                      pid.err().to_string());
            res.error = error_code::coordinator_not_available;
            return;
        }
        res.producer_id = *pid;
        res.producer_epoch = 0;
        return;
    }
    const std::string& id = *req.transactional_id;
    if (req.timeout_ms <= 0 || req.timeout_ms > _opts.max_timeout_ms) {
        res.error = error_code::invalid_transaction_timeout;
        return;
    }
    bool has_pid = req.expected_producer_id != k_no_pid;
    bool has_epoch = req.expected_epoch != k_no_epoch;
    if (has_pid != has_epoch) {
        res.error = error_code::invalid_request;
        return;
    }
    std::optional<std::pair<int64_t, int16_t>> expected;
    if (has_pid) expected.emplace(req.expected_producer_id, req.expected_epoch);

    auto it = _txns.find(id);
    if (it == _txns.end()) {
        res = create(id, req.timeout_ms);
        return;
    }
    txn& t = *it->second;
    if (is_prepare(t.md.state) || t.pending_init) {
        res.error = error_code::concurrent_transactions;
        return;
    }
    if (t.md.state == txn_state::ongoing) {
        // The caller must be the current producer or a new instance (no
        // expectation); it gets its answer once the abort completes.
        if (expected &&
            (expected->first != t.md.producer_id || expected->second != t.md.producer_epoch)) {
            res.error = fenced(req.legacy_fenced_error);
            return;
        }
        error_code e = prepare_abort_fenced(id, t, out);
        if (e != error_code::none) {
            res.error = e;
            return;
        }
        t.pending_init = std::move(done);
        t.pending_init_timeout_ms = req.timeout_ms;
        done = nullptr;  // answered by on_markers_done
        return;
    }
    res = bump(t, id, req.timeout_ms, expected, req.legacy_fenced_error);
}

init_producer_id_result txn_coordinator::create(const std::string& id, int32_t timeout_ms) {
    init_producer_id_result res;
    auto pid = _allocate();
    if (!pid.ok()) {
        logging::get("coordinator")
            .warn("transactional id {}: no producer id: {}", id, pid.err().to_string());
        res.error = error_code::coordinator_not_available;
        return res;
    }
    txn_metadata md;
    md.producer_id = *pid;
    md.producer_epoch = 0;
    md.timeout_ms = timeout_ms;
    md.state = txn_state::empty;
    md.last_update_ms = _now();
    if (!persist(id, md).ok()) {
        res.error = error_code::coordinator_not_available;
        return res;
    }
    auto t = std::make_unique<txn>();
    t->md = md;
    _txns.emplace(id, std::move(t));
    res.producer_id = md.producer_id;
    res.producer_epoch = md.producer_epoch;
    return res;
}

init_producer_id_result txn_coordinator::bump(txn& t, const std::string& id, int32_t timeout_ms,
                                              std::optional<std::pair<int64_t, int16_t>> expected,
                                              bool legacy_fenced_error) {
    SPATE_ASSERT(is_settled(t.md.state));
    init_producer_id_result res;
    txn_metadata md = t.md;
    int64_t last_pid = t.md.producer_id;
    int16_t last_epoch = t.md.producer_epoch;
    if (expected) {
        bool current = expected->first == md.producer_id;
        bool rotated = expected->first == t.last_producer_id && epoch_exhausted(expected->second);
        if (!current && !rotated) {
            res.error = fenced(legacy_fenced_error);
            return res;
        }
        bool matches = current && expected->second == md.producer_epoch;
        bool retry = (current && expected->second == t.last_epoch && t.last_epoch != k_no_epoch) ||
                     (rotated && md.producer_epoch == 0);
        if (!matches) {
            if (!retry) {
                res.error = fenced(legacy_fenced_error);
                return res;
            }
            // A retry of the bump already made: the same answer, no write.
            res.producer_id = md.producer_id;
            res.producer_epoch = md.producer_epoch;
            return res;
        }
    }
    if (epoch_exhausted(md.producer_epoch)) {
        auto pid = _allocate();
        if (!pid.ok()) {
            logging::get("coordinator")
                .warn("transactional id {}: no new producer id: {}", id, pid.err().to_string());
            res.error = error_code::coordinator_not_available;
            return res;
        }
        md.producer_id = *pid;
        md.producer_epoch = 0;
    } else {
        ++md.producer_epoch;
    }
    md.timeout_ms = timeout_ms;
    md.state = txn_state::empty;
    md.partitions.clear();
    md.start_ms = -1;
    md.last_update_ms = _now();
    if (!persist(id, md).ok()) {
        res.error = error_code::coordinator_not_available;
        return res;
    }
    t.last_producer_id = last_pid;
    t.last_epoch = md.producer_id == last_pid ? last_epoch : k_no_epoch;
    t.md = std::move(md);
    res.producer_id = t.md.producer_id;
    res.producer_epoch = t.md.producer_epoch;
    return res;
}

error_code txn_coordinator::prepare_abort_fenced(const std::string& id, txn& t, pending_work& out) {
    SPATE_ASSERT(t.md.state == txn_state::ongoing);
    txn_metadata md = t.md;
    // The bump fences the producer: its data and markers carry the old epoch.
    if (md.producer_epoch < k_max_epoch) ++md.producer_epoch;
    md.state = txn_state::prepare_abort;
    md.last_update_ms = _now();
    if (!persist(id, md).ok()) return error_code::coordinator_not_available;
    t.md = std::move(md);
    t.last_producer_id = k_no_pid;
    t.last_epoch = k_no_epoch;
    start_markers(id, t, out);
    return error_code::none;
}

void txn_coordinator::start_markers(const std::string& id, txn& t, pending_work& out) {
    SPATE_ASSERT(t.md.state == txn_state::prepare_commit || t.md.state == txn_state::prepare_abort);
    uint64_t seq = ++t.marker_seq;
    t.markers_in_flight = true;
    t.marker_retry_at_ms = -1;
    marker_request req{id,
                       t.md.producer_id,
                       t.md.producer_epoch,
                       t.md.state == txn_state::prepare_commit,
                       {t.md.partitions.begin(), t.md.partitions.end()}};
    if (req.partitions.empty()) {
        out.add([this, id, seq] { on_markers_done(id, seq, {}); });
        return;
    }
    out.add([this, req = std::move(req), seq] {
        _markers(req, [this, id = req.transactional_id, seq](status s) {
            on_markers_done(id, seq, std::move(s));
        });
    });
}

void txn_coordinator::on_markers_done(const std::string& id, uint64_t seq, status s) {
    init_producer_id_result res;
    init_callback answer;
    {
        std::lock_guard lk(_mu);
        auto it = _txns.find(id);
        if (it == _txns.end()) return;
        txn& t = *it->second;
        if (t.marker_seq != seq || !t.markers_in_flight) return;
        t.markers_in_flight = false;
        if (!s.ok()) {
            t.marker_retry_at_ms = _now() + _opts.marker_retry_backoff_ms;
            logging::get("coordinator")
                .warn("transactional id {}: writing {} markers failed, retrying in {} ms: {}", id,
                      t.md.state == txn_state::prepare_commit ? "COMMIT" : "ABORT",
                      _opts.marker_retry_backoff_ms, s.err().to_string());
            return;
        }
        txn_metadata md = t.md;
        md.state = md.state == txn_state::prepare_commit ? txn_state::complete_commit
                                                         : txn_state::complete_abort;
        md.partitions.clear();
        md.last_update_ms = _now();
        if (!persist(id, md).ok()) {
            // Logged by persist(); markers are rewritten on retry (the
            // writer is idempotent).
            t.marker_retry_at_ms = _now() + _opts.marker_retry_backoff_ms;
            return;
        }
        t.md = std::move(md);
        if (!t.pending_init) return;
        answer = std::move(t.pending_init);
        t.pending_init = nullptr;
        res = bump(t, id, t.pending_init_timeout_ms, std::nullopt, false);
    }
    answer(res);
}

error_code txn_coordinator::check_producer(const txn* t, int64_t producer_id, int16_t epoch,
                                           bool legacy_fenced_error) const {
    if (!t || t->md.state == txn_state::dead || t->md.producer_id != producer_id)
        return error_code::invalid_producer_id_mapping;
    if (t->md.producer_epoch != epoch) return fenced(legacy_fenced_error);
    if (is_prepare(t->md.state) || t->pending_init) return error_code::concurrent_transactions;
    return error_code::none;
}

error_code txn_coordinator::add(const std::string& id, int64_t producer_id, int16_t epoch,
                                const std::vector<topic_partition>& partitions,
                                bool legacy_fenced_error) {
    std::lock_guard lk(_mu);
    auto it = _txns.find(id);
    txn* t = it == _txns.end() ? nullptr : it->second.get();
    if (error_code e = check_producer(t, producer_id, epoch, legacy_fenced_error);
        e != error_code::none)
        return e;
    bool ongoing = t->md.state == txn_state::ongoing;
    if (ongoing && std::all_of(partitions.begin(), partitions.end(),
                               [&](const auto& tp) { return t->md.partitions.count(tp) > 0; }))
        return error_code::none;
    txn_metadata md = t->md;
    int64_t now = _now();
    if (!ongoing) {
        md.partitions.clear();
        md.start_ms = now;
        md.state = txn_state::ongoing;
    }
    md.partitions.insert(partitions.begin(), partitions.end());
    md.last_update_ms = now;
    if (!persist(id, md).ok()) return error_code::coordinator_not_available;
    t->md = std::move(md);
    return error_code::none;
}

std::vector<error_code> txn_coordinator::add_partitions(
    const std::string& transactional_id, int64_t producer_id, int16_t epoch,
    const std::vector<topic_partition>& partitions, bool legacy_fenced_error) {
    error_code e = add(transactional_id, producer_id, epoch, partitions, legacy_fenced_error);
    return std::vector<error_code>(partitions.size(), e);
}

error_code txn_coordinator::add_offsets(const std::string& transactional_id, int64_t producer_id,
                                        int16_t epoch, const std::string& /*group_id*/,
                                        bool legacy_fenced_error) {
    // Every group's offsets live in the one partition of the offsets topic.
    return add(transactional_id, producer_id, epoch, {{k_offsets_topic, 0}}, legacy_fenced_error);
}

error_code txn_coordinator::verify_partition(const std::string& transactional_id,
                                             int64_t producer_id, int16_t epoch,
                                             const topic_partition& tp) {
    std::lock_guard lk(_mu);
    auto it = _txns.find(transactional_id);
    txn* t = it == _txns.end() ? nullptr : it->second.get();
    auto e = check_producer(t, producer_id, epoch, false);
    if (e != error_code::none) return e;
    if (t->md.state != txn_state::ongoing || !t->md.partitions.contains(tp))
        return error_code::invalid_txn_state;
    return error_code::none;
}

error_code txn_coordinator::check_offsets_added(const std::string& transactional_id,
                                                int64_t producer_id, int16_t epoch,
                                                bool legacy_fenced_error) {
    auto e = verify_partition(transactional_id, producer_id, epoch, {k_offsets_topic, 0});
    if (e == error_code::producer_fenced && legacy_fenced_error)
        return error_code::invalid_producer_epoch;
    return e;
}

error_code txn_coordinator::end_txn(const std::string& transactional_id, int64_t producer_id,
                                    int16_t epoch, bool commit, bool legacy_fenced_error) {
    pending_work out;
    std::lock_guard lk(_mu);
    auto it = _txns.find(transactional_id);
    txn* t = it == _txns.end() ? nullptr : it->second.get();
    if (!t || t->md.state == txn_state::dead || t->md.producer_id != producer_id)
        return error_code::invalid_producer_id_mapping;
    if (t->md.producer_epoch != epoch) return fenced(legacy_fenced_error);
    if (t->pending_init) return error_code::concurrent_transactions;
    switch (t->md.state) {
        case txn_state::ongoing:
            break;
        case txn_state::prepare_commit:
            return commit ? error_code::concurrent_transactions : error_code::invalid_txn_state;
        case txn_state::prepare_abort:
            return commit ? error_code::invalid_txn_state : error_code::concurrent_transactions;
        case txn_state::complete_commit:
            return commit ? error_code::none : error_code::invalid_txn_state;
        case txn_state::complete_abort:
            return commit ? error_code::invalid_txn_state : error_code::none;
        case txn_state::empty:
        case txn_state::dead:
        case txn_state::prepare_epoch_fence:
            return error_code::invalid_txn_state;
    }
    txn_metadata md = t->md;
    md.state = commit ? txn_state::prepare_commit : txn_state::prepare_abort;
    md.last_update_ms = _now();
    if (!persist(transactional_id, md).ok()) return error_code::coordinator_not_available;
    t->md = std::move(md);
    start_markers(transactional_id, *t, out);
    return error_code::none;
}

std::optional<txn_description> txn_coordinator::describe(const std::string& transactional_id) {
    std::lock_guard lk(_mu);
    auto it = _txns.find(transactional_id);
    if (it == _txns.end() || it->second->md.state == txn_state::dead) return std::nullopt;
    const txn_metadata& md = it->second->md;
    return txn_description{transactional_id,
                           md.state,
                           md.timeout_ms,
                           md.start_ms,
                           md.producer_id,
                           md.producer_epoch,
                           {md.partitions.begin(), md.partitions.end()}};
}

std::vector<txn_listing> txn_coordinator::list(const std::vector<txn_state>& states,
                                               const std::vector<int64_t>& producer_ids) {
    std::lock_guard lk(_mu);
    std::vector<txn_listing> out;
    for (const auto& [id, t] : _txns) {
        const txn_metadata& md = t->md;
        if (md.state == txn_state::dead) continue;
        if (!states.empty() && std::find(states.begin(), states.end(), md.state) == states.end())
            continue;
        if (!producer_ids.empty() && std::find(producer_ids.begin(), producer_ids.end(),
                                               md.producer_id) == producer_ids.end())
            continue;
        out.push_back({id, md.producer_id, md.state});
    }
    return out;
}

void txn_coordinator::load(const std::string& transactional_id,
                           const std::optional<txn_metadata>& md) {
    std::lock_guard lk(_mu);
    if (!md || md->state == txn_state::dead) {
        _txns.erase(transactional_id);
        return;
    }
    auto& slot = _txns[transactional_id];
    if (!slot) slot = std::make_unique<txn>();
    txn& t = *slot;
    t.md = *md;
    ++t.marker_seq;  // a write in flight for the replaced state is stale
    t.markers_in_flight = false;
    t.marker_retry_at_ms = is_prepare(md->state) ? _now() : -1;
    t.pending_init = nullptr;
    t.last_producer_id = k_no_pid;
    t.last_epoch = k_no_epoch;
}

size_t txn_coordinator::resume_pending() {
    pending_work out;
    std::lock_guard lk(_mu);
    size_t n = 0;
    for (auto& [id, t] : _txns) {
        if (!is_prepare(t->md.state) || t->markers_in_flight) continue;
        start_markers(id, *t, out);
        ++n;
    }
    return n;
}

void txn_coordinator::tick() {
    pending_work out;
    std::lock_guard lk(_mu);
    int64_t now = _now();
    for (auto& [id, tp] : _txns) {
        txn& t = *tp;
        if (t.md.state == txn_state::ongoing && !t.pending_init &&
            t.md.start_ms + t.md.timeout_ms <= now) {
            // A failed write (logged by persist()) is retried on the next tick.
            (void)prepare_abort_fenced(id, t, out);
        } else if (is_prepare(t.md.state) && !t.markers_in_flight && t.marker_retry_at_ms >= 0 &&
                   t.marker_retry_at_ms <= now) {
            start_markers(id, t, out);
        }
    }
    if (now - _last_expiry_ms < _opts.expiration_check_interval_ms) return;
    _last_expiry_ms = now;
    for (auto it = _txns.begin(); it != _txns.end();) {
        const txn& t = *it->second;
        if (is_settled(t.md.state) && !t.pending_init &&
            t.md.last_update_ms + _opts.id_expiration_ms <= now &&
            persist(it->first, std::nullopt).ok()) {
            it = _txns.erase(it);
        } else {
            ++it;
        }
    }
}

void txn_coordinator::drop_waiters() {
    std::vector<init_callback> dropped;  // destroyed after the mutex is released
    std::lock_guard lk(_mu);
    for (auto& [id, t] : _txns)
        if (t->pending_init) {
            dropped.push_back(std::move(t->pending_init));
            t->pending_init = nullptr;
        }
}

}  // namespace spate::coordinator
