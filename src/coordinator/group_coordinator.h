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
// Offsets are kept in memory; the caller persists them if it wants to
// (see `set_offset_listener`).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace spate::coordinator {

// Kafka error codes the coordinator produces (values are Kafka's).
enum class group_error : int16_t {
    none = 0,
    unknown_topic_or_partition = 3,
    offset_metadata_too_large = 12,
    coordinator_not_available = 15,
    illegal_generation = 22,
    inconsistent_group_protocol = 23,
    invalid_group_id = 24,
    unknown_member_id = 25,
    invalid_session_timeout = 26,
    rebalance_in_progress = 27,
    non_empty_group = 68,
    group_id_not_found = 69,
    member_id_required = 79,
    fenced_instance_id = 82,
};

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
    group_error error = group_error::none;
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
    group_error error = group_error::none;
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

struct member_description {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    bytes metadata;
    bytes assignment;
};

struct group_description {
    group_error error = group_error::none;
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

class group_coordinator {
  public:
    struct options {
        int64_t initial_rebalance_delay_ms = 3000;
        int32_t min_session_timeout_ms = 6000;
        int32_t max_session_timeout_ms = 1800000;
        size_t max_metadata_bytes = 4096;
    };
    using clock_fn = std::function<int64_t()>;  // milliseconds, monotonic
    using join_callback = std::function<void(join_result)>;
    using sync_callback = std::function<void(sync_result)>;
    // Called for every offset about to be committed (nullopt: removed with
    // its group), under the group's mutex so calls follow commit order; an
    // error fails that partition's commit (COORDINATOR_NOT_AVAILABLE) and
    // leaves the in-memory offset unchanged. Used to persist offsets.
    using offset_listener = std::function<status(const std::string& group, const topic_partition&,
                                                 const std::optional<committed_offset>&)>;

    group_coordinator(options opts, clock_fn now_ms);
    ~group_coordinator();
    group_coordinator(const group_coordinator&) = delete;
    group_coordinator& operator=(const group_coordinator&) = delete;

    void set_offset_listener(offset_listener l);

    // Completes `done` immediately (errors, MEMBER_ID_REQUIRED, a static
    // member rejoining a stable group) or when the rebalance completes.
    void join_group(join_request req, join_callback done);
    // Completes immediately, or (members other than the leader during
    // completing_rebalance) when the leader's assignment arrives.
    void sync_group(sync_request req, sync_callback done);
    group_error heartbeat(const std::string& group_id, const std::string& member_id,
                          const std::optional<std::string>& instance_id, int32_t generation);
    // One error per member; the top-level error is returned through
    // `group_error_out` (unknown group → unknown_member_id per member).
    std::vector<group_error> leave_group(const std::string& group_id,
                                         const std::vector<leave_member>& members);

    // One error per offset, in request order.
    std::vector<group_error> commit_offsets(const offset_commit_request& req);
    // Committed offsets of a group; all of them when `partitions` is nullopt.
    // Unknown partitions are absent from the answer.
    std::map<topic_partition, committed_offset> fetch_offsets(
        const std::string& group_id, const std::optional<std::vector<topic_partition>>& partitions);
    // Installs an offset without checks (rebuilding state on start); an
    // offset below 0 removes it (and the group once it holds nothing).
    void load_offset(const std::string& group_id, const topic_partition& tp, committed_offset o);

    std::vector<group_listing> list_groups();
    group_description describe_group(const std::string& group_id);
    // group_id_not_found, non_empty_group, or none (the group and its
    // offsets are removed).
    group_error delete_group(const std::string& group_id);

    // Expires sessions and finishes rebalances whose deadline passed.
    void tick();
    // Discards every pending join/sync callback without calling it (the
    // caller's executors are going away). Group state is kept.
    void drop_waiters();

  private:
    struct group;
    struct member;
    struct pending_callbacks;

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

    options _opts;
    clock_fn _now;
    std::mutex _mu;  // guards _groups, _next_id, _listener
    std::map<std::string, std::shared_ptr<group>> _groups;
    uint64_t _next_id = 0;
    offset_listener _listener;
};

}  // namespace spate::coordinator
