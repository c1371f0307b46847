// DescribeGroups (key 15), v0-v5: state, protocol and members (metadata,
// and the assignment once Stable). Unknown groups are described as Dead
// with no error, as Kafka does. v3+ include_authorized_operations: each
// group's authorized-operations bit set.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/describe_groups_request.h"
#include "kafka/protocol/generated/describe_groups_response.h"

namespace spate::broker::handlers {

namespace describe_groups_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::describe_groups_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::describe_groups_response r;
    for (const auto& id : req->groups) {
        if (!authorize_group(ctx, proto::acl_operation::describe, id)) {
            auto& g = r.groups.emplace_back();
            g.group_id = id;
            g.error_code = code(error_code::group_authorization_failed);
            continue;
        }
        auto d = ctx.svc.groups.describe_group(id);
        auto& g = r.groups.emplace_back();
        g.error_code = code(d.error);
        g.group_id = id;
        g.group_state = d.state_name.empty() ? coordinator::state_name(d.state) : d.state_name;
        g.protocol_type = d.protocol_type;
        g.protocol_data = d.protocol_name;
        for (auto& m : d.members)
            g.members.push_back({m.member_id, m.instance_id, m.client_id, m.client_host,
                                 std::move(m.metadata), std::move(m.assignment)});
        if (ctx.version() >= 3 && req->include_authorized_operations && d.error == error_code::none)
            g.authorized_operations = authorized_operations(ctx, proto::resource_type::group, id);
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace describe_groups_impl

const handler_spec describe_groups{proto::api_key::describe_groups,
                                   0,
                                   5,
                                   &describe_groups_impl::handle,
                                   proto::acl_operation::describe,
                                   proto::resource_type::group};

}  // namespace spate::broker::handlers
