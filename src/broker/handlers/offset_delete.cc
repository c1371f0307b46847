// OffsetDelete (key 47), v0: removes committed offsets of a group. Allowed
// for an Empty group; for a consumer group with members, only for topics no
// member subscribes to (GROUP_SUBSCRIBED_TO_TOPIC per partition otherwise).

#include <set>

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/offset_delete_request.h"
#include "kafka/protocol/generated/offset_delete_response.h"

namespace spate::broker::handlers {

namespace offset_delete_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::offset_delete_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::offset_delete_response r;
    // ACLs: DELETE on the group, READ on each topic (its partitions
    // TOPIC_AUTHORIZATION_FAILED, their offsets kept).
    if (!authorize_group(ctx, proto::acl_operation::del, req->group_id)) {
        r.error_code = code(error_code::group_authorization_failed);
        co_return respond(ctx, r);
    }
    std::vector<coordinator::topic_partition> partitions;
    std::set<std::string> unreadable;
    for (const auto& t : req->topics) {
        if (!authorize_topic(ctx, proto::acl_operation::read, t.name)) {
            unreadable.insert(t.name);
            continue;
        }
        for (const auto& p : t.partitions)
            partitions.push_back({t.name, p.partition_index});
    }
    auto [top, errors] = ctx.svc.groups.delete_offsets(req->group_id, partitions);
    r.error_code = code(top);
    if (top == error_code::none) {
        size_t i = 0;
        for (const auto& t : req->topics) {
            auto& rt = r.topics.emplace_back();
            rt.name = t.name;
            for (const auto& p : t.partitions) {
                if (unreadable.contains(t.name)) {
                    rt.partitions.push_back(
                        {p.partition_index, code(error_code::topic_authorization_failed)});
                    continue;
                }
                auto topic = ctx.svc.topics.describe(t.name);
                bool known =
                    topic && p.partition_index >= 0 && p.partition_index < topic->partitions;
                rt.partitions.push_back(
                    {p.partition_index,
                     code(known ? errors[i] : error_code::unknown_topic_or_partition)});
                ++i;
            }
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace offset_delete_impl

const handler_spec offset_delete{
    proto::api_key::offset_delete, 0, 0, &offset_delete_impl::handle, proto::acl_operation::del,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
