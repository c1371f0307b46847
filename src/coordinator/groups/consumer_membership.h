#pragma once

// The KIP-848 consumer protocol of a group: ConsumerGroupHeartbeat (join,
// heartbeat, leave, static members), the target assignment, the incremental
// reconciliation of each member towards it, session and revocation
// deadlines, and the member checks of offset commits.
//
// Reconciliation: a member whose target lost partitions first gets its
// current assignment minus those (state unrevoked_partitions, epoch kept)
// and must report, in a later heartbeat's owned partitions, that it no
// longer holds them (within its rebalance timeout, or it is removed). Then
// its epoch moves to the assignment epoch and it receives the partitions of
// its target that no other member still holds; the rest follow as their
// previous owners revoke them (unreleased_partitions). So a partition is
// never held by two members, and members keep what the target leaves them.
//
// Conversion: a heartbeat to an empty classic group makes it a consumer
// group; a classic group with members answers GROUP_ID_NOT_FOUND (Kafka's
// answer with online migration disabled).
//
// Threading: every method taking a group requires its mutex held.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "coordinator/group_types.h"
#include "coordinator/groups/group.h"

namespace spate::coordinator::groups {

class consumer_membership {
  public:
    struct options {
        int32_t session_timeout_ms = 45000;    // group.consumer.session.timeout.ms
        int32_t heartbeat_interval_ms = 5000;  // group.consumer.heartbeat.interval.ms
    };
    using clock_fn = std::function<int64_t()>;  // wall-clock milliseconds

    consumer_membership(options opts, clock_fn now_ms);

    // Checks that need no group: invalid_request (empty group id, a join
    // without rebalance timeout or subscription, an unknown epoch below -2),
    // unsupported_assignor, invalid_regular_expression.
    consumer_heartbeat_result validate(const consumer_heartbeat_request& req) const;
    consumer_heartbeat_result heartbeat(group& g, const consumer_heartbeat_request& req,
                                        const std::vector<topic_meta>& topics);
    // OffsetCommit / OffsetFetch member checks: UNKNOWN_MEMBER_ID,
    // STALE_MEMBER_EPOCH. An empty member id with a negative epoch (an admin
    // commit) is allowed only while the group has no members.
    error_code check_committer(const group& g, int32_t member_epoch,
                               const std::string& member_id) const;

    // Removes members whose session or revocation deadline passed at `now`;
    // true when it removed any.
    bool tick(group& g, int64_t now);
    // What a heartbeat of `member_id` may change of the persisted state
    // (group epochs, member count, the member's id, epochs, state and
    // partition counts), cheap to compare: a heartbeat that leaves it equal
    // needs no new snapshot.
    static std::vector<int64_t> signature(const group& g, const std::string& member_id);
    // The earliest deadline of `g`'s members (INT64_MAX: none).
    int64_t next_deadline(const group& g) const;

    consumer_group_description describe(const group& g) const;
    // Empty, Assigning, Reconciling or Stable.
    static const char* state_name(const group& g);
    // Topics the members subscribe to (names and regex matches) that exist.
    std::set<std::string> subscribed_topics(const group& g) const;
    // After a snapshot was installed in g.consumer (replay): starts every
    // member's session now and compiles the regexes.
    void restore(group& g);
    // Makes `g` a consumer group (it must have no members).
    static void convert_to_consumer(group& g);

  private:
    consumer_heartbeat_result leave(group& g, const consumer_heartbeat_request& req);
    // The joining member (created, taking over a static member that left,
    // or reset for a rejoin); sets `bump` when the group changed.
    consumer_member* join(group& g, const consumer_heartbeat_request& req, bool& bump,
                          consumer_heartbeat_result& res);
    // Applies the request's subscription fields; true when they changed.
    bool update_member(group& g, consumer_member& m, const consumer_heartbeat_request& req);
    // Recomputes the subscribed topics' metadata; true when it changed.
    bool refresh_metadata(group& g, const std::vector<topic_meta>& topics);
    void compute_target(group& g);
    void reconcile(group& g, consumer_member& m, const std::optional<partition_set>& owned);
    void remove(group& g, const std::string& member_id);
    std::string new_member_id();

    options _opts;
    clock_fn _now;
};

}  // namespace spate::coordinator::groups
