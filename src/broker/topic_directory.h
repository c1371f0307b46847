#pragma once

// Topics and partitions as the handlers see them: lookups, creation (with
// auto-creation by the broker's rules), config changes and deletion over the
// storage log manager, plus which topics are internal.
//
// Cross-module consequences of a change live here and nowhere else: a
// deleted topic runs every on_topic_deleted() observer (the group
// coordinator drops its committed offsets, ...), whoever deleted it.
//
// Internal topics (__consumer_offsets, __transaction_state, and whatever a
// later broker-side service registers) are written only by the broker
// itself: handlers refuse client produce, delete and config changes on them
// and Metadata marks them internal.
//
// Threading: every method is safe from any thread; observers and internal
// names are registered before serving starts.

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/protocol/types.h"
#include "storage/log_manager.h"

namespace spate::broker {

struct broker_config;

class topic_directory {
  public:
    // `logs` must outlive the directory.
    topic_directory(storage::log_manager& logs, const broker_config& config);

    std::optional<storage::topic_info> describe(const std::string& name) const;
    std::optional<storage::topic_info> find_by_id(const kafka::protocol::uuid& id) const;
    std::vector<storage::topic_info> list_topics() const;
    // A partition's log; nullptr when the topic or partition does not exist.
    std::shared_ptr<storage::log> get(const std::string& topic, int32_t partition) const;
    storage::config_map broker_defaults() const;

    // A topic by name, creating it with the broker defaults when
    // auto.create.topics.enable is set and `allow_create` is true. nullopt
    // when it does not exist (and was not created); creation errors (an
    // invalid name) are returned. Internal topics are never auto-created.
    result<std::optional<storage::topic_info>> find_or_create(const std::string& name,
                                                              bool allow_create);
    result<storage::topic_info> create_topic(const std::string& name, int32_t partitions,
                                             const storage::config_map& overrides);
    status create_partitions(const std::string& name, int32_t total);
    status set_topic_config(const std::string& name, const storage::config_map& overrides);
    // Deletes the topic's logs, then runs the observers.
    status delete_topic(const std::string& name);

    void on_topic_deleted(std::function<void(const std::string&)> observer);
    void mark_internal(std::string name);
    bool is_internal(const std::string& name) const;

  private:
    storage::log_manager& _logs;
    const broker_config& _config;
    std::vector<std::function<void(const std::string&)>> _deleted_observers;
    std::set<std::string, std::less<>> _internal;
};

// Kafka's UUID form of a storage topic id (first 8 bytes are `hi`, big-endian).
kafka::protocol::uuid to_uuid(const storage::topic_id& id);

}  // namespace spate::broker
