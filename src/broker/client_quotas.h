#pragma once

// The broker's client quotas: the quota_manager the connections and handlers
// measure against (security/quota.h, Kafka's precedence and rate windows)
// and its persistence, partition 0 of the internal compacted topic
// __spate_quotas: one record per quota entity, key = the entity, value =
// its quotas (security/quota_codec.h, docs/formats/security.md), a
// tombstone once it has none. Replayed at start (later records win).
//
// Threading: every member may be called from any thread; alter() calls are
// serialised so that the log's order is the manager's order.

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "coordinator/internal_topic.h"
#include "net/connection_info.h"
#include "security/quota.h"
#include "storage/log_manager.h"

namespace spate::broker {

inline constexpr const char* k_quotas_topic = "__spate_quotas";

class client_quotas {
  public:
    // `logs` must outlive the object. Rates are measured over `samples`
    // windows of `window_ms`.
    client_quotas(storage::log_manager& logs, int64_t window_ms, int samples);

    // Replays the topic into the manager. A record that does not decode is
    // an error (the broker refuses to start rather than forget quotas).
    status load();

    security::quota_manager& manager() { return _manager; }
    const security::quota_manager& manager() const { return _manager; }

    // Turns `e`'s quotas into `edit`'s result and, unless `validate_only`,
    // appends them (empty: a tombstone) and applies them at once. Returns
    // the record's offset (durable once the log says so); nullopt when
    // nothing was written.
    result<std::optional<storage::append_result>> alter(
        const security::quota_entity& e, bool validate_only,
        const std::function<status(security::quota_values&)>& edit);
    // The topic's partition (nullptr while nothing was written).
    std::shared_ptr<storage::log> log();

  private:
    coordinator::internal_topic _topic;
    security::quota_manager _manager;
    std::mutex _alter_mu;
};

// The user name quotas know a connection's principal by ("alice" for
// User:alice, "ANONYMOUS" before authentication).
inline const std::string& quota_user(const net::connection_info& conn) {
    return conn.user.name;
}

}  // namespace spate::broker
