#pragma once

// Transaction coordinator state as records of the internal topic
// __transaction_state, replayed into the coordinator on start. Layouts are
// Kafka's TransactionLogKey v0 and TransactionLogValue v0 (non-flexible); see
// docs/formats/transaction-state.md. A null value (tombstone) removes the
// transactional id.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/result.h"
#include "coordinator/internal_topic.h"
#include "coordinator/txn_coordinator.h"

namespace spate::coordinator {

inline constexpr const char* k_transaction_state_topic = "__transaction_state";

// Kafka's TransactionState byte values as written in the log.
int8_t txn_state_to_byte(txn_state s);
// nullopt for bytes that are not a persisted state (including
// PrepareEpochFence, which is never written).
std::optional<txn_state> txn_state_from_byte(int8_t b);

bytes encode_txn_key(const std::string& transactional_id);
// Requires md.state != prepare_epoch_fence (never persisted).
bytes encode_txn_value(const txn_metadata& md);

struct txn_record {
    std::string transactional_id;
    std::optional<txn_metadata> value;  // nullopt: tombstone
};
// errc::corrupt for malformed bytes (any truncation, trailing bytes, an
// unknown state byte); errc::unsupported for a key version other than 0 (not
// a transaction record) or a value version other than 0.
result<txn_record> decode_txn_record(std::span<const std::byte> key,
                                     std::optional<std::span<const std::byte>> value);

// The transaction coordinator's persistence: partition 0 of
// __transaction_state (compacted, created on first use). Threading as
// internal_topic.
class txn_store {
  public:
    // `logs` must outlive the store.
    explicit txn_store(storage::log_manager& logs);

    // Appends an id's state (nullopt: a tombstone) as one record.
    status append(const std::string& transactional_id, const std::optional<txn_metadata>& md);
    // Replays every record into `tc` with load() (later records win); the
    // caller then calls tc.resume_pending(). Records of other versions are
    // skipped; a corrupt batch or record is an error.
    status load_into(txn_coordinator& tc);
    // The topic's log; nullptr while nothing was ever written.
    std::shared_ptr<storage::log> log() {
        auto l = _topic.partition(false);
        return l.ok() ? *l : nullptr;
    }

  private:
    internal_topic _topic;
};

}  // namespace spate::coordinator
