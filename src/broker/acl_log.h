#pragma once

// The ACLs' persistence: partition 0 of the internal compacted topic
// __spate_acls, one record per resource pattern (security/acl_codec.h,
// docs/formats/security.md): key = the pattern, value = every entry on it,
// a tombstone when none is left. Replayed into the authorizer at start
// (later records win), as __consumer_offsets and __transaction_state are.
//
// Threading: as coordinator::internal_topic (appends serialised); the caller
// orders a pattern's writes with its changes to the authorizer.

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "coordinator/internal_topic.h"
#include "security/acl.h"
#include "security/authorizer.h"
#include "storage/log_manager.h"

namespace spate::broker {

inline constexpr const char* k_acls_topic = "__spate_acls";

class acl_log {
  public:
    // `logs` must outlive the log.
    explicit acl_log(storage::log_manager& logs);

    // Sets every stored pattern's entries into `a`. A record that does not
    // decode is an error (the broker refuses to start rather than enforce a
    // partial ACL set).
    status load_into(security::authorizer& a);

    using pattern_entries =
        std::pair<security::resource_pattern, std::vector<security::access_entry>>;
    // Writes each pattern's whole entry set (empty: a tombstone) as one
    // batch, all or nothing, and waits until it is durable.
    status write(const std::vector<pattern_entries>& patterns);

  private:
    coordinator::internal_topic _topic;
};

}  // namespace spate::broker
