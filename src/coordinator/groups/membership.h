#pragma once

// The classic-protocol membership state machine of a group: JoinGroup,
// SyncGroup, Heartbeat, LeaveGroup, rebalances, session expiry, static
// members (group.instance.id) and KIP-394 pending member ids.
//
// States: empty → preparing_rebalance → completing_rebalance → stable (dead
// once deleted). A generation's assignment is persisted before it is handed
// out; a failed write answers COORDINATOR_NOT_AVAILABLE and rebalances.
//
// Threading: every method taking a group requires its mutex held and never
// calls a callback: completions are appended to `out`, which the caller runs
// once the mutex is released. Member ids come from an atomic counter.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "coordinator/group_types.h"
#include "coordinator/groups/group.h"
#include "coordinator/groups/persistence.h"

namespace spate::coordinator::groups {

class membership {
  public:
    struct options {
        int64_t initial_rebalance_delay_ms = 3000;
        int32_t min_session_timeout_ms = 6000;
        int32_t max_session_timeout_ms = 1800000;
    };
    using clock_fn = std::function<int64_t()>;  // wall-clock milliseconds

    // `store` must outlive this object.
    membership(options opts, clock_fn now_ms, const persistence& store);

    // Checks that need no group (invalid_group_id, invalid_session_timeout);
    // a missing rebalance timeout defaults to the session timeout.
    error_code validate(join_request& req) const;
    void join(group& g, join_request req, join_callback done, pending_callbacks& out);
    void sync(group& g, sync_request req, sync_callback done, pending_callbacks& out);
    error_code heartbeat(group& g, const std::string& member_id,
                         const std::optional<std::string>& instance_id, int32_t generation);
    // One error per member, in order.
    std::vector<error_code> leave(group& g, const std::vector<leave_member>& members,
                                  pending_callbacks& out);
    // Member checks of an offset commit (fencing, member, generation,
    // rebalance state); refreshes the member's session.
    error_code check_committer(group& g, int32_t generation, const std::string& member_id,
                               const std::optional<std::string>& instance_id);

    // Expires pending ids and sessions and finishes rebalances due at `now`.
    void tick(group& g, int64_t now, pending_callbacks& out);
    // When tick() next has something to do for `g` (INT64_MAX: never).
    static int64_t next_deadline(const group& g);
    // Installs a persisted membership (Stable with its members, or Empty);
    // nullopt resets the group to an Empty one without members.
    void load(group& g, const std::optional<group_snapshot>& snap);
    group_description describe(const group& g) const;
    // Topics the members subscribe to, from their ConsumerProtocolSubscription
    // (a subscription that does not parse counts for none).
    std::set<std::string> subscribed_topics(const group& g) const;

    struct waiters {
        std::vector<join_callback> joins;
        std::vector<sync_callback> syncs;
    };
    // Moves every waiting callback out of `g`; the caller destroys them
    // without calling them, after releasing the mutex.
    static waiters take_waiters(group& g);

  private:
    // JoinGroup paths, by what the request carries (membership.cc).
    void join_without_id(group& g, join_request req, join_callback done, pending_callbacks& out);
    void rejoin_static(group& g, join_request req, join_callback done, pending_callbacks& out);
    void join_known(group& g, join_request req, join_callback done, pending_callbacks& out);
    void complete_sync(group& g, pending_callbacks& out);

    // Rebalancing (rebalance.cc).
    void prepare_rebalance(group& g, pending_callbacks& out);
    void maybe_complete_join(group& g, pending_callbacks& out);
    void complete_join(group& g, pending_callbacks& out);
    static void select_protocol(group& g);
    void remove_member(group& g, const std::string& member_id, pending_callbacks& out);
    void add_or_update_member(group& g, member& m, const join_request& req, join_callback done,
                              pending_callbacks& out);
    static join_result make_join_result(const group& g, const member& m);
    static bool supports_protocols(const group& g, const join_request& req);
    // The member `member_id`; FENCED_INSTANCE_ID when `instance_id` belongs
    // to another member, UNKNOWN_MEMBER_ID when there is none.
    static std::pair<member*, error_code> lookup_member(
        group& g, const std::string& member_id, const std::optional<std::string>& instance_id);
    std::string new_member_id(const std::string& client_id);
    status store(const group& g, const char* what) const;

    options _opts;
    clock_fn _now;
    const persistence& _store;
    std::atomic<uint64_t> _next_id{0};
};

}  // namespace spate::coordinator::groups
