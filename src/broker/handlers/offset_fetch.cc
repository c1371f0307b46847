// OffsetFetch (key 9), v0-v9: a group's committed offsets; v2+ with null
// topics means every committed offset of the group; v8+ asks for several
// groups at once; v9 carries the member id and epoch of a KIP-848 member
// (UNKNOWN_MEMBER_ID / STALE_MEMBER_EPOCH as the group error). Partitions without a commit answer
// offset -1. With require_stable (v7+, sent by read_committed consumers) a partition with offsets
// pending in an open transaction answers UNSTABLE_OFFSET_COMMIT, which clients retry, so they never
// start from an offset about to change.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/offset_fetch_request.h"
#include "kafka/protocol/generated/offset_fetch_response.h"

namespace spate::broker::handlers {

namespace offset_fetch_impl {
namespace {

using committed_map = std::map<coordinator::topic_partition, coordinator::committed_offset>;

// Answer for one group, as (topic, [(partition, offset)]) in request order
// (or committed order when every offset was asked for).
template <typename Topic, typename Partition, typename ReqTopic>
std::vector<Topic> answer(request_context& ctx, const std::string& group,
                          const std::optional<std::vector<ReqTopic>>& topics, bool require_stable) {
    handler_deps& b = ctx.svc;
    std::vector<Topic> out;
    std::set<coordinator::topic_partition> unstable;
    if (require_stable) unstable = b.groups.unstable_offsets(group);
    auto fill = [&](Partition& p, const coordinator::committed_offset* o, const std::string& t) {
        p.committed_offset = o ? o->offset : -1;
        p.committed_leader_epoch = o ? o->leader_epoch : -1;
        p.metadata = o ? o->metadata : std::string();
        p.error_code = 0;
        if (unstable.contains({t, p.partition_index})) {
            p.committed_offset = -1;
            p.error_code = code(error_code::unstable_offset_commit);
        }
    };
    if (!topics) {
        committed_map all = b.groups.fetch_offsets(group, std::nullopt);
        for (const auto& [tp, o] : all) {
            // Every offset: only those of topics the principal may describe.
            if (!may(ctx, proto::acl_operation::describe, proto::resource_type::topic, tp.topic))
                continue;
            if (out.empty() || out.back().name != tp.topic) out.emplace_back().name = tp.topic;
            auto& p = out.back().partitions.emplace_back();
            p.partition_index = tp.partition;
            fill(p, &o, tp.topic);
        }
        return out;
    }
    std::vector<coordinator::topic_partition> want;
    for (const auto& t : *topics)
        for (int32_t p : t.partition_indexes)
            want.push_back({t.name, p});
    committed_map got = b.groups.fetch_offsets(group, want);
    for (const auto& t : *topics) {
        auto& rt = out.emplace_back();
        rt.name = t.name;
        const bool allowed = authorize_topic(ctx, proto::acl_operation::describe, t.name);
        for (int32_t p : t.partition_indexes) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p;
            if (!allowed) {
                fill(rp, nullptr, t.name);
                rp.error_code = code(error_code::topic_authorization_failed);
                continue;
            }
            auto it = got.find({t.name, p});
            fill(rp, it == got.end() ? nullptr : &it->second, t.name);
        }
    }
    return out;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::offset_fetch_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::offset_fetch_response r;
    if (ctx.version() >= 8) {
        for (const auto& g : req->groups) {
            auto& rg = r.groups.emplace_back();
            rg.group_id = g.group_id;
            if (!authorize_group(ctx, proto::acl_operation::describe, g.group_id)) {
                rg.error_code = code(error_code::group_authorization_failed);
                continue;
            }
            if (ctx.version() >= 9) {
                auto e = ctx.svc.groups.check_fetcher(g.group_id, g.member_id, g.member_epoch);
                if (e != error_code::none) {
                    rg.error_code = code(e);
                    continue;
                }
            }
            rg.topics = answer<proto::offset_fetch_response::offset_fetch_response_topics,
                               proto::offset_fetch_response::offset_fetch_response_partitions>(
                ctx, g.group_id, g.topics, req->require_stable);
        }
    } else {
        auto topics = req->topics;
        if (ctx.version() < 2 && !topics) topics.emplace();
        if (!authorize_group(ctx, proto::acl_operation::describe, req->group_id)) {
            // v2+ answer in the top-level error; v0-v1 in each partition.
            r.error_code = code(error_code::group_authorization_failed);
            for (const auto& t : topics.value_or(decltype(topics)::value_type{})) {
                auto& rt = r.topics.emplace_back();
                rt.name = t.name;
                for (int32_t p : t.partition_indexes) {
                    auto& rp = rt.partitions.emplace_back();
                    rp.partition_index = p;
                    rp.committed_offset = -1;
                    rp.error_code = r.error_code;
                }
            }
            co_return respond(ctx, r);
        }
        r.topics = answer<proto::offset_fetch_response::offset_fetch_response_topic,
                          proto::offset_fetch_response::offset_fetch_response_partition>(
            ctx, req->group_id, topics, ctx.version() >= 7 && req->require_stable);
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace offset_fetch_impl

const handler_spec offset_fetch{
    proto::api_key::offset_fetch, 0, 9, &offset_fetch_impl::handle, proto::acl_operation::describe,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
