#pragma once

// Users' SCRAM credentials (security::credential_store) persisted in the
// internal compacted topic __spate_credentials, partition 0: one record per
// user, key = the user name, value = every mechanism's salted credential
// (docs/formats/security.md), a tombstone once the user has none. Replayed
// at start (later records win), so the store is what the log says.
//
// Threading: every member may be called from any thread; writes are
// serialised by the internal topic.

#include <memory>
#include <string>

#include "base/result.h"
#include "coordinator/internal_topic.h"
#include "security/credential_store.h"
#include "storage/log_manager.h"

namespace spate::broker {

inline constexpr const char* k_credentials_topic = "__spate_credentials";

class credential_log {
  public:
    // `logs` must outlive the log.
    explicit credential_log(storage::log_manager& logs);

    // Replays the topic into the store. A record that does not decode is an
    // error (the broker refuses to start rather than forget users).
    status load();
    const security::credential_store& store() const { return _store; }
    security::credential_store& store() { return _store; }

    // Appends `user`'s credentials after a change (empty: a tombstone).
    // Returns the record's offset, durable once the log says so.
    result<storage::append_result> write(const std::string& user,
                                         const security::user_credentials& creds);
    // The topic's partition (nullptr while nothing was written).
    std::shared_ptr<storage::log> log();

  private:
    coordinator::internal_topic _topic;
    security::credential_store _store;
};

}  // namespace spate::broker
