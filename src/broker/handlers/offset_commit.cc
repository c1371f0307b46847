// OffsetCommit (key 8), v0-v9: commits a group's offsets, checked against
// the group's generation and member (generation -1 with an empty member id
// is a simple commit, accepted while the group has no members); for a
// KIP-848 consumer group the generation is the member epoch
// (STALE_MEMBER_EPOCH when it is not the member's current one). Offsets of
// unknown topics/partitions get UNKNOWN_TOPIC_OR_PARTITION. v1 carries a
// commit timestamp, v2-v4 a retention time (ignored).

#include <chrono>

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/offset_commit_request.h"
#include "kafka/protocol/generated/offset_commit_response.h"

namespace spate::broker::handlers {

namespace offset_commit_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::offset_commit_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    coordinator::offset_commit_request c;
    c.group_id = req->group_id;
    c.generation = ctx.version() >= 1 ? req->generation_id_or_member_epoch : -1;
    c.member_id = req->member_id;
    c.instance_id = req->group_instance_id;
    int64_t now = storage::system_now_ms();
    proto::offset_commit_response r;
    // Index into `c.offsets` for each response partition, or -1 when it was
    // answered before reaching the coordinator.
    std::vector<std::vector<int>> slot;
    // ACLs: READ on the group (else every partition GROUP_AUTHORIZATION_FAILED,
    // nothing committed), READ on each topic.
    const bool group_allowed = authorize_group(ctx, proto::acl_operation::read, req->group_id);
    for (const auto& t : req->topics) {
        auto topic = b.topics.describe(t.name);
        auto& rt = r.topics.emplace_back();
        rt.name = t.name;
        auto& st = slot.emplace_back();
        const error_code denied = !group_allowed ? error_code::group_authorization_failed
                                  : !authorize_topic(ctx, proto::acl_operation::read, t.name)
                                      ? error_code::topic_authorization_failed
                                      : error_code::none;
        for (const auto& p : t.partitions) {
            rt.partitions.push_back({p.partition_index, 0});
            if (denied != error_code::none) {
                rt.partitions.back().error_code = code(denied);
                st.push_back(-1);
                continue;
            }
            if (!topic || p.partition_index < 0 || p.partition_index >= topic->partitions) {
                rt.partitions.back().error_code = code(error_code::unknown_topic_or_partition);
                st.push_back(-1);
                continue;
            }
            coordinator::committed_offset o;
            o.offset = p.committed_offset;
            o.leader_epoch = ctx.version() >= 6 ? p.committed_leader_epoch : -1;
            o.metadata = p.committed_metadata.value_or("");
            o.commit_timestamp_ms =
                ctx.version() == 1 && p.commit_timestamp >= 0 ? p.commit_timestamp : now;
            st.push_back(static_cast<int>(c.offsets.size()));
            c.offsets.push_back({{t.name, p.partition_index}, std::move(o)});
        }
    }
    if (!group_allowed) co_return respond(ctx, r);
    auto errs = b.groups.commit_offsets(c);
    for (size_t i = 0; i < r.topics.size(); ++i)
        for (size_t j = 0; j < r.topics[i].partitions.size(); ++j)
            if (slot[i][j] >= 0) r.topics[i].partitions[j].error_code = code(errs[slot[i][j]]);
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace offset_commit_impl

const handler_spec offset_commit{
    proto::api_key::offset_commit, 0, 9, &offset_commit_impl::handle, proto::acl_operation::read,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
