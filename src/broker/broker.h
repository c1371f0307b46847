#pragma once

// The broker's shared state: configuration, the log manager it serves, the
// cluster id, the API handler table, fetch sessions and append notifications.
// One instance per process; it must outlive the server and every connection.
//
// Threading: every method is safe to call from any thread.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "base/assert.h"
#include "broker/append_notifier.h"
#include "broker/broker_config.h"
#include "broker/fetch_session.h"
#include "broker/handler.h"
#include "coordinator/group_coordinator.h"
#include "coordinator/offset_store.h"
#include "coordinator/producer_ids.h"
#include "coordinator/txn_coordinator.h"
#include "coordinator/txn_log.h"
#include "kafka/protocol/types.h"
#include "storage/log_manager.h"

namespace spate::broker {

class broker {
  public:
    // `logs` must outlive the broker.
    broker(broker_config config, storage::log_manager& logs, std::string cluster_id);

    const broker_config& config() const { return _config; }
    storage::log_manager& logs() { return _logs; }
    const std::string& cluster_id() const { return _cluster_id; }
    append_notifier& appends() { return _appends; }
    fetch_session_cache& fetch_sessions() { return _sessions; }
    // The consumer group coordinator (this node coordinates every group).
    // The server ticks it and calls drop_waiters() when it stops.
    coordinator::group_coordinator& groups() { return *_groups; }
    // The transaction coordinator (this node coordinates every
    // transactional id). The server ticks it and calls drop_waiters().
    coordinator::txn_coordinator& transactions() { return *_txns; }
    // The __transaction_state log (nullptr before the first transactional
    // id or before load_coordinators()).
    std::shared_ptr<storage::log> transaction_log() {
        return _txn_store ? _txn_store->log() : nullptr;
    }
    // Opens the producer id allocator (`producer-ids` in the data
    // directory); replays committed offsets, pending transactional offsets
    // and group membership from __consumer_offsets and transactional ids from
    // __transaction_state, and persists every later change there (the topics
    // are created on first use); then resumes the marker writes of
    // transactions that were committing or aborting. Call once, before
    // serving.
    status load_coordinators();
    // Producer ids for InitProducerId; valid after load_coordinators().
    coordinator::producer_id_allocator& producer_ids() {
        SPATE_ASSERT(_producer_ids);
        return *_producer_ids;
    }

    // The address clients are told to connect to (Metadata, DescribeCluster).
    void set_advertised(std::string host, uint16_t port);
    std::string advertised_host() const;
    uint16_t advertised_port() const;

    // The handler for an API key, or nullptr if the API is not served.
    static const handler_spec* find_handler(int16_t api_key);
    // Every served API, ordered by key (what ApiVersions advertises).
    static std::span<const handler_spec> handlers();

    // A topic by name, creating it with the broker defaults when
    // auto.create.topics.enable is set and `allow_create` is true. nullopt
    // when it does not exist (and was not created); errors from creation
    // (e.g. an invalid name) are returned.
    result<std::optional<storage::topic_info>> find_or_create_topic(const std::string& name,
                                                                    bool allow_create);

  private:
    // The transaction coordinator's marker writer: appends the markers of
    // `req` to every partition (and completes the transaction's offsets in
    // the group coordinator for __consumer_offsets), wakes fetches waiting
    // on them, and calls `done` once all are durable.
    void write_markers(const coordinator::marker_request& req, std::function<void(status)> done);

    broker_config _config;
    storage::log_manager& _logs;
    std::string _cluster_id;
    append_notifier _appends;
    fetch_session_cache _sessions;
    std::unique_ptr<coordinator::group_coordinator> _groups;
    std::unique_ptr<coordinator::offset_store> _offsets;
    std::unique_ptr<coordinator::producer_id_allocator> _producer_ids;
    std::unique_ptr<coordinator::txn_store> _txn_store;
    std::unique_ptr<coordinator::txn_coordinator> _txns;
    mutable std::mutex _mu;  // guards the advertised address
    std::string _advertised_host;
    uint16_t _advertised_port = 0;
};

// Kafka's UUID form of a storage topic id (first 8 bytes are `hi`, big-endian).
kafka::protocol::uuid to_uuid(const storage::topic_id& id);

// Loads the cluster id from `<data_dir>/cluster.id`, creating the file with a
// fresh random id (22 characters, URL-safe base64 of 16 bytes, as Kafka's)
// when absent. errc::corrupt if the file holds something else.
result<std::string> load_or_create_cluster_id(const std::filesystem::path& data_dir);

}  // namespace spate::broker
