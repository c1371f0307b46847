#pragma once

// The coordinator service: the consumer group coordinator, the transaction
// coordinator and the producer id allocator, their state replayed from the
// internal topics at start, and the periodic tick (session timeouts,
// rebalance delays, transaction timeouts, expiry) that drives them.
//
// start(): replays __consumer_offsets and __transaction_state, resumes the
// markers of committing/aborting transactions, registers both topics as
// internal and the group offsets' cleanup on topic deletion, and starts the
// timers: the group coordinator runs on a deadline timer that wakes exactly
// at its next session / rebalance deadline (the coordinator announces earlier
// ones as they appear), the transaction coordinator on a 50 ms tick.
// stop(): stops both and drops waiters (pending JoinGroup / SyncGroup /
// InitProducerId answers of connections that are gone).

#include <functional>
#include <memory>
#include <optional>

#include "broker/broker_config.h"
#include "broker/storage_service.h"
#include "coordinator/group_coordinator.h"
#include "coordinator/offset_store.h"
#include "coordinator/producer_ids.h"
#include "coordinator/txn_coordinator.h"
#include "coordinator/txn_log.h"
#include "net/deadline_timer.h"
#include "net/periodic.h"
#include "net/service.h"

namespace spate::broker {

class coordinator_service final : public net::service {
  public:
    // `config` and `storage` must outlive the service.
    coordinator_service(const broker_config& config, storage_service& storage);
    ~coordinator_service() override;

    std::string_view name() const override { return "coordinators"; }
    status start(net::runtime& rt) override;
    void stop() override;

    coordinator::group_coordinator& groups() { return *_groups; }
    coordinator::txn_coordinator& transactions() { return *_txns; }
    // The __transaction_state log (nullptr before the first transactional id).
    std::shared_ptr<storage::log> transaction_log() {
        return _txn_store ? _txn_store->log() : nullptr;
    }

  private:
    status load();
    // The transaction coordinator's marker writer: appends the markers of
    // `req` to every partition (and completes the transaction's offsets in
    // the group coordinator for __consumer_offsets), wakes fetches waiting
    // on them, and calls `done` once all are durable.
    void write_markers(const coordinator::marker_request& req, std::function<void(status)> done);

    const broker_config& _config;
    storage_service& _storage;
    std::unique_ptr<coordinator::group_coordinator> _groups;
    std::unique_ptr<coordinator::offset_store> _offsets;
    std::unique_ptr<coordinator::producer_id_allocator> _producer_ids;
    std::unique_ptr<coordinator::txn_store> _txn_store;
    std::unique_ptr<coordinator::txn_coordinator> _txns;
    std::optional<net::periodic> _tick;               // the transaction coordinator's
    std::optional<net::deadline_timer> _group_timer;  // the group coordinator's
};

}  // namespace spate::broker
