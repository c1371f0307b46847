#pragma once

// Classic-protocol (JoinGroup/SyncGroup) consumer group coordinator: the
// group state machine, member liveness and committed offsets, with no I/O.
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
// Time comes from the injected clock (milliseconds); tick() must be called
// periodically (e.g. every 50 ms) to expire sessions and finish rebalances.
//
// State is kept in memory; the caller persists offsets and group membership
// through the hooks of `set_persistence` and replays them with load_offset()
// and load_group() on start.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "kafka/protocol/error_code.h"

namespace spate::coordinator {

// Errors are Kafka's codes, as the coordinator's answers go on the wire as they are.
using kafka::error_code;

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };

// Kafka's names ("Empty", "PreparingRebalance", ...), as DescribeGroups uses.
const char* state_name(group_state s);

using bytes = std::vector<std::byte>;

struct group_protocol {
    std::string name;
    bytes metadata;
};

struct join_request {
    std::string group_id;
    std::string member_id;  // empty for a new member
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    std::string protocol_type;
    std::vector<group_protocol> protocols;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    // JoinGroup v4+ (KIP-394): a new dynamic member first gets its id with
    // MEMBER_ID_REQUIRED and must rejoin with it.
    bool require_known_member_id = false;
};

struct join_member_info {
    std::string member_id;
    std::optional<std::string> instance_id;
    bytes metadata;  // for the selected protocol
};

struct join_result {
    error_code error = error_code::none;
    int32_t generation = -1;
    std::string protocol_type;
    std::string protocol_name;
    std::string leader;
    std::string member_id;
    bool skip_assignment = false;
    std::vector<join_member_info> members;  // the leader's copy only
};

struct sync_request {
    std::string group_id;
    int32_t generation = -1;
    std::string member_id;
    std::optional<std::string> instance_id;
    std::vector<std::pair<std::string, bytes>> assignments;  // leader only
};

struct sync_result {
    error_code error = error_code::none;
    std::string protocol_type;
    std::string protocol_name;
    bytes assignment;
};

struct leave_member {
    std::string member_id;
    std::optional<std::string> instance_id;
};

struct topic_partition {
    std::string topic;
    int32_t partition = 0;
    auto operator<=>(const topic_partition&) const = default;
};

struct committed_offset {
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    std::string metadata;
    int64_t commit_timestamp_ms = 0;
};

struct offset_commit_request {
    std::string group_id;
    int32_t generation = -1;  // -1 with an empty member id: a simple commit
    std::string member_id;
    std::optional<std::string> instance_id;
    std::vector<std::pair<topic_partition, committed_offset>> offsets;
};

// TxnOffsetCommit: offsets written as part of producer `producer_id`'s
// transaction, invisible to fetch_offsets() until complete_txn(commit).
struct txn_offset_commit_request {
    std::string group_id;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t generation = -1;  // -1 with an empty member id: no member check
    std::string member_id;
    std::optional<std::string> instance_id;
    std::vector<std::pair<topic_partition, committed_offset>> offsets;
};

struct member_description {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    bytes metadata;
    bytes assignment;
};

struct group_description {
    error_code error = error_code::none;
    group_state state = group_state::dead;
    std::string protocol_type;
    std::string protocol_name;
    std::vector<member_description> members;
};

struct group_listing {
    std::string group_id;
    std::string protocol_type;
    group_state state = group_state::empty;
};

// A group's persisted membership (Kafka's GroupMetadataValue): written when a
// generation's assignment is complete and when the group becomes empty, and
// installed by load_group() on start so that members keep their generation and
// assignment across a coordinator restart.
struct member_snapshot {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout_ms = 0;
    int32_t session_timeout_ms = 0;
    bytes subscription;  // metadata for the selected protocol
    bytes assignment;
    bool operator==(const member_snapshot&) const = default;
};

struct group_snapshot {
    std::string protocol_type;
    int32_t generation = 0;
    std::optional<std::string> protocol_name;
    std::optional<std::string> leader;
    int64_t state_timestamp_ms = -1;  // when the group entered its state
    std::vector<member_snapshot> members;
    bool operator==(const group_snapshot&) const = default;
};

// One offset change of a group; nullopt removes the offset.
using offset_change = std::pair<topic_partition, std::optional<committed_offset>>;

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
    };
    using clock_fn = std::function<int64_t()>;  // milliseconds, monotonic
    using join_callback = std::function<void(join_result)>;
    using sync_callback = std::function<void(sync_result)>;
    // Persistence hooks, called under the group's mutex so writes follow
    // state order. An error from either leaves the in-memory state unchanged
    // and fails the operation that caused it (commits answer
    // COORDINATOR_NOT_AVAILABLE). A group_writer gets nullopt for a deleted
    // group (tombstone).
    using offset_writer =
        std::function<status(const std::string& group, const std::vector<offset_change>&)>;
    using group_writer =
        std::function<status(const std::string& group, const std::optional<group_snapshot>&)>;
    // Writes a transaction's offsets (TxnOffsetCommit) as records of producer
    // (pid, epoch); an error fails the request (errc::producer_fenced answers
    // PRODUCER_FENCED, anything else COORDINATOR_NOT_AVAILABLE).
    using txn_offset_writer = std::function<status(
        const std::string& group, int64_t pid, int16_t epoch, const std::vector<offset_change>&)>;

    // `now_ms` is wall-clock milliseconds (persisted state timestamps and
    // offset expiry use it as well as session timeouts).
    group_coordinator(options opts, clock_fn now_ms);
    ~group_coordinator();
    group_coordinator(const group_coordinator&) = delete;
    group_coordinator& operator=(const group_coordinator&) = delete;

    void set_persistence(offset_writer offsets, group_writer groups,
                         txn_offset_writer txn_offsets = {});

    // Completes `done` immediately (errors, MEMBER_ID_REQUIRED, a static
    // member rejoining a stable group) or when the rebalance completes.
    void join_group(join_request req, join_callback done);
    // Completes immediately, or (members other than the leader during
    // completing_rebalance) when the leader's assignment arrives.
    void sync_group(sync_request req, sync_callback done);
    error_code heartbeat(const std::string& group_id, const std::string& member_id,
                         const std::optional<std::string>& instance_id, int32_t generation);
    // One error per member; the top-level error is returned through
    // `error_out` (unknown group → unknown_member_id per member).
    std::vector<error_code> leave_group(const std::string& group_id,
                                        const std::vector<leave_member>& members);

    // One error per offset, in request order.
    std::vector<error_code> commit_offsets(const offset_commit_request& req);
    // Committed offsets of a group; all of them when `partitions` is nullopt.
    // Unknown partitions are absent from the answer.
    std::map<topic_partition, committed_offset> fetch_offsets(
        const std::string& group_id, const std::optional<std::vector<topic_partition>>& partitions);
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

    // Expires sessions and finishes rebalances whose deadline passed.
    void tick();
    // Discards every pending join/sync callback without calling it (the
    // caller's executors are going away). Group state is kept.
    void drop_waiters();

  private:
    struct group;
    struct member;
    struct pending_callbacks;

    // Every group, taken under _mu, for passes that then lock each group.
    std::vector<std::shared_ptr<group>> all_groups();
    std::shared_ptr<group> find(const std::string& id);
    std::shared_ptr<group> find_or_create(const std::string& id);
    std::string new_member_id(const std::string& client_id);

    // All of these run with the group's mutex held and append callbacks to
    // `out`, which the caller runs once the mutex is released.
    void prepare_rebalance(group& g, pending_callbacks& out);
    void maybe_complete_join(group& g, pending_callbacks& out);
    void complete_join(group& g, pending_callbacks& out);
    void remove_member(group& g, const std::string& member_id, pending_callbacks& out);
    void add_or_update_member(group& g, member& m, const join_request& req, join_callback done,
                              pending_callbacks& out);
    join_result make_join_result(const group& g, const member& m) const;
    bool supports_protocols(const group& g, const join_request& req) const;
    void tick_group(group& g, int64_t now, pending_callbacks& out);
    // Persists `g`'s membership; requires g.mu.
    status store_group(group& g);
    // Removes `g` from _groups when it is empty, has no offsets and was not
    // replaced; takes _mu (call without it, after releasing g.mu).
    void drop_if_unused(const std::shared_ptr<group>& gp);
    std::pair<offset_writer, group_writer> writers();
    // The member `member_id` of `g`; FENCED_INSTANCE_ID when `instance_id`
    // belongs to another member, UNKNOWN_MEMBER_ID when there is none.
    // Requires g.mu.
    std::pair<member*, error_code> lookup_member(group& g, const std::string& member_id,
                                                 const std::optional<std::string>& instance_id);
    // Member checks of an offset commit (fencing, member, generation,
    // rebalance state); refreshes the member's session. Requires g.mu.
    error_code check_committer(group& g, int32_t generation, const std::string& member_id,
                               const std::optional<std::string>& instance_id);

    options _opts;
    clock_fn _now;
    std::mutex _mu;  // guards _groups, _next_id, _offset_writer, _group_writer
    std::map<std::string, std::shared_ptr<group>> _groups;
    uint64_t _next_id = 0;
    int64_t _last_expiry_ms = 0;
    offset_writer _offset_writer;
    group_writer _group_writer;
    txn_offset_writer _txn_offset_writer;
};

}  // namespace spate::coordinator
