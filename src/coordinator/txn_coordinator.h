#pragma once

// Transaction coordinator (KIP-98, with KIP-360 producer epoch bumps): the
// state machine of every transactional id, with no I/O.
//
// States (Kafka's): Empty → Ongoing (AddPartitionsToTxn/AddOffsetsToTxn) →
// PrepareCommit | PrepareAbort (EndTxn, or an abort forced by InitProducerId or
// a timeout) → CompleteCommit | CompleteAbort once the transaction markers are
// written to every partition of the transaction; Empty again on the next
// InitProducerId, Ongoing again on the next AddPartitions. PrepareEpochFence
// is never entered as such: a forced abort bumps the epoch and goes straight to
// PrepareAbort in one persisted step (Kafka's PrepareEpochFence is likewise
// never written). Dead marks an id being removed and is never observable.
//
// Persistence: every state change is written through the `txn_writer` hook
// (set_persistence) before it is applied or answered; a failed write leaves
// the state unchanged and answers COORDINATOR_NOT_AVAILABLE. EndTxn is
// answered once Prepare* is written (as Kafka does): from then on the
// outcome is decided and survives a restart (load() + resume_pending()).
//
// Markers: entering Prepare* hands a marker_request to the injected
// `marker_writer`, which writes the COMMIT/ABORT control batches to every
// partition and reports once; on failure the whole request is retried by
// tick() after `marker_retry_backoff_ms`, so the writer must treat a marker
// for a producer with no open transaction on a partition as done (idempotent).
// When it succeeds, Complete* is written and the partitions cleared.
//
// Threading: every method may be called from any thread. One mutex guards all
// state; the persistence hook runs under it (writes follow state order); the
// marker writer and init callbacks run after it is released, on the calling
// thread (possibly the thread of tick() or of a marker completion). The
// marker writer's completion may be called from any thread, also from inside
// the writer call. The coordinator must outlive every marker write it started.
// Time is the injected wall-clock millisecond clock; tick() must be called
// periodically (e.g. every 50–100 ms).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "coordinator/group_coordinator.h"
#include "kafka/protocol/error_code.h"

namespace spate::coordinator {

enum class txn_state {
    empty,
    ongoing,
    prepare_commit,
    prepare_abort,
    complete_commit,
    complete_abort,
    dead,
    prepare_epoch_fence,
};

// Kafka's names ("Empty", "Ongoing", "PrepareCommit", ...), as
// DescribeTransactions/ListTransactions use.
const char* txn_state_name(txn_state s);
// The state named `name` (Kafka's spelling); nullopt when unknown (a
// ListTransactions filter the broker reports as unknown).
std::optional<txn_state> parse_txn_state(std::string_view name);

inline constexpr int64_t k_no_pid = -1;
inline constexpr int16_t k_no_epoch = -1;

// One transactional id's persisted state (TransactionLogValue).
struct txn_metadata {
    int64_t producer_id = k_no_pid;
    int16_t producer_epoch = k_no_epoch;
    int32_t timeout_ms = 0;
    txn_state state = txn_state::empty;
    std::set<topic_partition> partitions;  // of the current transaction
    int64_t last_update_ms = -1;
    int64_t start_ms = -1;  // -1 unless a transaction is open or being completed
    bool operator==(const txn_metadata&) const = default;
};

struct init_producer_id_request {
    // nullopt: an idempotent (non-transactional) producer; it gets a fresh id
    // with epoch 0 and nothing is stored.
    std::optional<std::string> transactional_id;
    int32_t timeout_ms = 0;
    // KIP-360 (InitProducerId v3+): the caller's current id and epoch, both -1
    // when it has none.
    int64_t expected_producer_id = k_no_pid;
    int16_t expected_epoch = k_no_epoch;
    // Clients that predate PRODUCER_FENCED (InitProducerId < v4) get
    // INVALID_PRODUCER_EPOCH instead.
    bool legacy_fenced_error = false;
};

struct init_producer_id_result {
    error_code error = error_code::none;
    int64_t producer_id = k_no_pid;
    int16_t producer_epoch = k_no_epoch;
};

// Markers to write: a COMMIT (commit) or ABORT control batch for producer
// (producer_id, producer_epoch) on every partition.
struct marker_request {
    std::string transactional_id;
    int64_t producer_id = k_no_pid;
    int16_t producer_epoch = k_no_epoch;
    bool commit = false;
    std::vector<topic_partition> partitions;
};

struct txn_description {
    std::string transactional_id;
    txn_state state = txn_state::empty;
    int32_t timeout_ms = 0;
    int64_t start_ms = -1;
    int64_t producer_id = k_no_pid;
    int16_t producer_epoch = k_no_epoch;
    std::vector<topic_partition> partitions;  // sorted by topic, partition
};

struct txn_listing {
    std::string transactional_id;
    int64_t producer_id = k_no_pid;
    txn_state state = txn_state::empty;
};

class txn_coordinator {
  public:
    struct options {
        // transaction.max.timeout.ms
        int32_t max_timeout_ms = 900000;
        // transactional.id.expiration.ms: an id in Empty/Complete* untouched
        // this long is removed (tombstone).
        int64_t id_expiration_ms = 7LL * 24 * 3600 * 1000;
        // transactional.id.expiration check interval (Kafka: 1 hour).
        int64_t expiration_check_interval_ms = 3600000;
        // Delay before a failed marker write (or Complete* write) is retried.
        int64_t marker_retry_backoff_ms = 100;
    };
    using clock_fn = std::function<int64_t()>;  // wall-clock milliseconds
    // A fresh producer id (producer_id_allocator::next); an error answers
    // COORDINATOR_NOT_AVAILABLE.
    using pid_allocator = std::function<result<int64_t>()>;
    using marker_done = std::function<void(status)>;
    // Writes the markers of `req` and calls `done` exactly once (any thread).
    using marker_writer = std::function<void(const marker_request& req, marker_done done)>;
    // Persists an id's state (nullopt: tombstone). Called under the mutex.
    using txn_writer = std::function<status(const std::string& transactional_id,
                                            const std::optional<txn_metadata>&)>;
    using init_callback = std::function<void(init_producer_id_result)>;

    txn_coordinator(options opts, clock_fn now_ms, pid_allocator allocate, marker_writer markers);
    ~txn_coordinator();
    txn_coordinator(const txn_coordinator&) = delete;
    txn_coordinator& operator=(const txn_coordinator&) = delete;

    // Without a writer nothing is persisted (tests, or a broker without a
    // transaction log).
    void set_persistence(txn_writer w);

    // InitProducerId. A new id gets a fresh producer id with epoch 0; a known
    // one in Empty/Complete* gets its epoch bumped (a fresh producer id with
    // epoch 0 once the epoch is exhausted, >= INT16_MAX - 1), which fences
    // every older producer instance. Ongoing: the transaction is aborted first
    // (epoch bumped, PrepareAbort written, ABORT markers, CompleteAbort) and
    // `done` runs once that completes, with the epoch bumped once more.
    // Errors: INVALID_TRANSACTION_TIMEOUT (timeout <= 0 or > max),
    // CONCURRENT_TRANSACTIONS (Prepare*, or another InitProducerId waiting),
    // PRODUCER_FENCED (expected id/epoch neither current nor a retry of the
    // last bump), INVALID_REQUEST (only one of the expected pair set),
    // COORDINATOR_NOT_AVAILABLE (write or allocation failed). `done` runs on
    // this thread unless the call waits for an abort.
    void init_producer_id(const init_producer_id_request& req, init_callback done);

    // AddPartitionsToTxn: one error per partition, in request order (the same
    // for all: the request succeeds or fails as a whole). Errors:
    // INVALID_PRODUCER_ID_MAPPING (unknown id, other producer id),
    // PRODUCER_FENCED (other epoch; INVALID_PRODUCER_EPOCH when
    // `legacy_fenced_error`, i.e. AddPartitionsToTxn < v2), CONCURRENT_TRANSACTIONS
    // (Prepare*, a pending InitProducerId), COORDINATOR_NOT_AVAILABLE (write
    // failed). Empty/Complete* → Ongoing with start time now; written before
    // it returns (nothing written when every partition is already in).
    std::vector<error_code> add_partitions(const std::string& transactional_id, int64_t producer_id,
                                           int16_t epoch,
                                           const std::vector<topic_partition>& partitions,
                                           bool legacy_fenced_error = false);
    // AddOffsetsToTxn: adds __consumer_offsets partition 0 (Spate's offsets
    // topic has one partition); errors as add_partitions (legacy: < v2).
    error_code add_offsets(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                           const std::string& group_id, bool legacy_fenced_error = false);
    // Produce's check of a transactional batch (KIP-890's verification): the
    // producer is the id's current one (errors as add_partitions) and `tp`
    // belongs to its Ongoing transaction, else INVALID_TXN_STATE — so no
    // record can open a transaction on a partition the coordinator would
    // never write a marker to.
    error_code verify_partition(const std::string& transactional_id, int64_t producer_id,
                                int16_t epoch, const topic_partition& tp);
    // TxnOffsetCommit's check: the producer is the id's current one (errors
    // as add_partitions) and its open transaction includes the offsets topic
    // (AddOffsetsToTxn came first), else INVALID_TXN_STATE.
    error_code check_offsets_added(const std::string& transactional_id, int64_t producer_id,
                                   int16_t epoch, bool legacy_fenced_error = false);
    // EndTxn. Ongoing → PrepareCommit/PrepareAbort written, answered none,
    // markers written asynchronously, then Complete*. A retry of a completed
    // EndTxn with the same outcome answers none; the opposite outcome or an
    // Empty id INVALID_TXN_STATE; Prepare* of the same outcome
    // CONCURRENT_TRANSACTIONS, of the opposite INVALID_TXN_STATE. Id/epoch
    // errors as add_partitions (legacy: EndTxn < v2).
    error_code end_txn(const std::string& transactional_id, int64_t producer_id, int16_t epoch,
                       bool commit, bool legacy_fenced_error = false);

    // DescribeTransactions; nullopt for an unknown id (TRANSACTIONAL_ID_NOT_FOUND).
    std::optional<txn_description> describe(const std::string& transactional_id);
    // ListTransactions: ids whose state is in `states` and whose producer id
    // is in `producer_ids` (an empty filter matches everything), sorted by id.
    std::vector<txn_listing> list(const std::vector<txn_state>& states,
                                  const std::vector<int64_t>& producer_ids);

    // Installs a persisted record without checks (replay on start; later
    // records win); nullopt or Dead removes the id. Transactions in Prepare*
    // are left for resume_pending() (or the next tick()) to complete.
    void load(const std::string& transactional_id, const std::optional<txn_metadata>& md);
    // Starts the marker writes of every Prepare* transaction not already
    // writing them (call once after replay); returns how many were started.
    size_t resume_pending();

    // Aborts Ongoing transactions past their timeout (epoch bumped: the
    // producer is fenced), retries failed marker writes, and (every
    // expiration_check_interval_ms) removes expired ids.
    void tick();
    // Discards every waiting InitProducerId callback without calling it.
    void drop_waiters();

  private:
    struct txn;
    struct pending_work;

    // A new transactional id with a fresh producer id (epoch 0), persisted.
    init_producer_id_result create(const std::string& id, int32_t timeout_ms);
    error_code prepare_abort_fenced(const std::string& id, txn& t, pending_work& out);
    init_producer_id_result bump(txn& t, const std::string& id, int32_t timeout_ms,
                                 std::optional<std::pair<int64_t, int16_t>> expected,
                                 bool legacy_fenced_error);
    void start_markers(const std::string& id, txn& t, pending_work& out);
    void on_markers_done(const std::string& id, uint64_t seq, status s);
    status persist(const std::string& id, const std::optional<txn_metadata>& md);
    error_code check_producer(const txn* t, int64_t producer_id, int16_t epoch,
                              bool legacy_fenced_error) const;
    error_code add(const std::string& id, int64_t producer_id, int16_t epoch,
                   const std::vector<topic_partition>& partitions, bool legacy_fenced_error);

    options _opts;
    clock_fn _now;
    pid_allocator _allocate;
    marker_writer _markers;
    std::mutex _mu;  // guards everything below
    txn_writer _writer;
    std::map<std::string, std::unique_ptr<txn>> _txns;
    int64_t _last_expiry_ms = 0;
};

}  // namespace spate::coordinator
