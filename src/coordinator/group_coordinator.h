#pragma once

// Consumer group coordinator for the classic (JoinGroup/SyncGroup) and the
// KIP-848 consumer (ConsumerGroupHeartbeat) protocols: the group state
// machines, member liveness and committed offsets, with no I/O. Consumer
// groups are in groups/consumer_membership.h; an empty group converts to the
// protocol of the next member that joins.
// A facade over the parts under groups/: the membership state machine
// (groups/membership.h), the committed-offset table (groups/offset_table.h),
// the pending transactional offsets (groups/txn_offset_table.h) and the
// expiry pass (groups/expiry.h), held per group in groups/group.h.
//
// States: empty → preparing_rebalance → completing_rebalance → stable, and
// dead once a group is deleted. A rebalance starts when a member joins,
// leaves, expires or changes its protocols; it completes when every known
// member has rejoined or the rebalance timeout passes (members that did not
// rejoin are removed). A rebalance of an empty group waits
// `initial_rebalance_delay_ms` (extended by each new joiner, bounded by the
// rebalance timeout) so that a fleet starting together forms one generation.
//
// Threading: every method may be called from any thread. Each group has its
// own mutex; callbacks are invoked after it is released, on the calling
// thread (join/sync completions may therefore run on the thread that calls
// tick() or another member's request): the caller posts them where needed.
// Time comes from the injected clock (milliseconds). tick() expires sessions
// and finishes rebalances; it returns when it next has work, and every
// operation that creates an earlier deadline calls the wakeup hook
// (set_wakeup) with it, so a caller can run tick() exactly at deadlines
// instead of polling.
//
// State is kept in memory; the caller persists offsets and group membership
// through the hooks of `set_persistence` and replays them with load_offset()
// and load_group() on start.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "coordinator/group_types.h"

namespace spate::coordinator {

namespace groups {
struct group;
struct pending_callbacks;
class consumer_membership;
class registry;
class membership;
class persistence;
class expiry_timer;
}  // namespace groups

class group_coordinator {
  public:
    struct options {
        int64_t initial_rebalance_delay_ms = 3000;
        int32_t min_session_timeout_ms = 6000;
        int32_t max_session_timeout_ms = 1800000;
        size_t max_metadata_bytes = 4096;
        // offsets.retention.minutes: an empty group's offsets are removed
        // this long after it became empty (for groups that never had members,
        // this long after each offset's commit).
        int64_t offsets_retention_ms = 7LL * 24 * 3600 * 1000;
        // How often tick() runs expire_offsets().
        int64_t offsets_retention_check_interval_ms = 600000;
        // KIP-848 consumer groups: group.consumer.session.timeout.ms and
        // group.consumer.heartbeat.interval.ms.
        int32_t consumer_session_timeout_ms = 45000;
        int32_t consumer_heartbeat_interval_ms = 5000;
    };
    static constexpr int64_t k_never = INT64_MAX;
    using clock_fn = std::function<int64_t()>;  // milliseconds, monotonic
    using join_callback = coordinator::join_callback;
    using sync_callback = coordinator::sync_callback;
    // Persistence hooks, called under the group's mutex so writes follow
    // state order. An error from either leaves the in-memory state unchanged
    // and fails the operation that caused it (commits answer
    // COORDINATOR_NOT_AVAILABLE). A group_writer gets nullopt for a deleted
    // group (tombstone).
    using offset_writer = coordinator::offset_writer;
    using group_writer = coordinator::group_writer;
    // Writes a transaction's offsets (TxnOffsetCommit) as records of producer
    // (pid, epoch); an error fails the request (errc::producer_fenced answers
    // PRODUCER_FENCED, anything else COORDINATOR_NOT_AVAILABLE).
    using txn_offset_writer = coordinator::txn_offset_writer;

    // `now_ms` is wall-clock milliseconds (persisted state timestamps and
    // offset expiry use it as well as session timeouts).
    group_coordinator(options opts, clock_fn now_ms);
    ~group_coordinator();
    group_coordinator(const group_coordinator&) = delete;
    group_coordinator& operator=(const group_coordinator&) = delete;

    void set_persistence(offset_writer offsets, group_writer groups,
                         txn_offset_writer txn_offsets = {});
    // KIP-848 groups' state, one snapshot per group (see
    // groups/consumer_log.h; nullopt: a tombstone once the group has no
    // members), written after every heartbeat that changed it. A failed
    // write is logged and retried with the next change (best effort: the
    // group is rebuilt from heartbeats if the snapshot is behind).
    using consumer_group_writer =
        std::function<status(const std::string& group, const std::optional<bytes>& snapshot)>;
    void set_consumer_persistence(consumer_group_writer writer);
    // Installs a persisted KIP-848 group (replay on start; the members'
    // sessions start now); nullopt removes its members.
    void load_consumer_group(const std::string& group_id, const std::optional<bytes>& snapshot);
    // The topics consumer groups may subscribe to (names, ids, partition
    // counts); called under a group's mutex, so it must not call back here.
    // Without one, consumer groups see no topics.
    void set_topic_source(topic_source topics);
    // Called (from any thread, under no coordinator lock) with a deadline
    // earlier than any announced since the last tick(): tick() must run then.
    // Set before the coordinator is used.
    void set_wakeup(std::function<void(int64_t deadline_ms)> wakeup);

    // Completes `done` immediately (errors, MEMBER_ID_REQUIRED, a static
    // member rejoining a stable group) or when the rebalance completes.
    void join_group(join_request req, join_callback done);
    // Completes immediately, or (members other than the leader during
    // completing_rebalance) when the leader's assignment arrives.
    void sync_group(sync_request req, sync_callback done);
    error_code heartbeat(const std::string& group_id, const std::string& member_id,
                         const std::optional<std::string>& instance_id, int32_t generation);
    // One error per member (unknown group → unknown_member_id per member).
    std::vector<error_code> leave_group(const std::string& group_id,
                                        const std::vector<leave_member>& members);

    // ConsumerGroupHeartbeat (KIP-848): join (epoch 0), heartbeat, leave
    // (-1; -2 for a static member that will come back).
    consumer_heartbeat_result consumer_heartbeat(const consumer_heartbeat_request& req);
    // ConsumerGroupDescribe: group_id_not_found for unknown and classic groups.
    consumer_group_description describe_consumer_group(const std::string& group_id);

    // One error per offset, in request order. For consumer groups the
    // generation is the member epoch (STALE_MEMBER_EPOCH when it differs).
    std::vector<error_code> commit_offsets(const offset_commit_request& req);
    // Committed offsets of a group; all of them when `partitions` is nullopt.
    // Unknown partitions are absent from the answer.
    std::map<topic_partition, committed_offset> fetch_offsets(
        const std::string& group_id, const std::optional<std::vector<topic_partition>>& partitions);
    // OffsetFetch v9 member check of a consumer group (UNKNOWN_MEMBER_ID,
    // STALE_MEMBER_EPOCH); none for classic groups, unknown groups and
    // requests without a member id.
    error_code check_fetcher(const std::string& group_id,
                             const std::optional<std::string>& member_id, int32_t member_epoch);
    // TxnOffsetCommit: one error per offset, in request order. Member checks
    // as commit_offsets (none for generation -1 with an empty member id); the
    // offsets are written through the txn_offset_writer and stay pending until
    // complete_txn() for the producer.
    std::vector<error_code> txn_commit_offsets(const txn_offset_commit_request& req);
    // The transaction of `producer_id` ended (its marker is in the offsets
    // log): on commit its pending offsets become committed offsets of their
    // groups; on abort they are dropped. Idempotent.
    void complete_txn(int64_t producer_id, bool commit);
    // Partitions of a group with offsets pending in an open transaction
    // (OffsetFetch with require_stable answers UNSTABLE_OFFSET_COMMIT).
    std::set<topic_partition> unstable_offsets(const std::string& group_id);
    // Installs a pending transactional offset without checks (replay).
    void load_txn_offset(const std::string& group_id, int64_t producer_id,
                         const topic_partition& tp, committed_offset o);

    // Installs an offset without checks (rebuilding state on start); an
    // offset below 0 removes it (and the group once it holds nothing).
    void load_offset(const std::string& group_id, const topic_partition& tp, committed_offset o);
    // Installs a group's persisted membership (rebuilding state on start):
    // Stable with its members, whose sessions start now, or Empty when it has
    // none; nullopt removes it (and the group once it holds nothing).
    void load_group(const std::string& group_id, const std::optional<group_snapshot>& g);

    // OffsetDelete: the group-level error (group_id_not_found, non_empty_group
    // for a non-consumer group with members) and one error per partition
    // (group_subscribed_to_topic while a member subscribes to its topic).
    std::pair<error_code, std::vector<error_code>> delete_offsets(
        const std::string& group_id, const std::vector<topic_partition>& partitions);
    // Removes every group's offsets of a deleted topic.
    void delete_topic_offsets(const std::string& topic);
    // Removes offsets past offsets.retention.ms (see options) and empty
    // groups left with nothing; returns the number of offsets removed.
    size_t expire_offsets();

    std::vector<group_listing> list_groups();
    group_description describe_group(const std::string& group_id);
    // group_id_not_found, non_empty_group, or none (the group and its
    // offsets are removed).
    error_code delete_group(const std::string& group_id);

    // Expires sessions and finishes rebalances whose deadline passed (and
    // runs the offset expiry when its interval passed); returns the next
    // deadline (k_never: none).
    int64_t tick();
    // Discards every pending join/sync callback without calling it (the
    // caller's executors are going away). Group state is kept.
    void drop_waiters();

  private:
    // Reports `g`'s next deadline to the wakeup hook if it is the earliest.
    // Requires g.mu (the hook runs later, through `out`).
    void announce(const groups::group& g, groups::pending_callbacks& out);
    void announce(int64_t deadline_ms);
    // Writes `g`'s consumer group snapshot when it changed. Requires g.mu.
    void persist_consumer(groups::group& g);

    options _opts;
    clock_fn _now;
    std::unique_ptr<groups::persistence> _persistence;
    std::unique_ptr<groups::registry> _registry;
    std::unique_ptr<groups::membership> _membership;
    std::unique_ptr<groups::expiry_timer> _expiry_timer;
    std::unique_ptr<groups::consumer_membership> _consumer;
    std::mutex _topics_mu;  // guards the hooks below (set once, read per heartbeat)
    topic_source _topics;
    consumer_group_writer _consumer_writer;  // guarded by _topics_mu
    std::function<void(int64_t)> _wakeup;
    std::atomic<int64_t> _armed{k_never};  // earliest deadline announced
};

}  // namespace spate::coordinator
