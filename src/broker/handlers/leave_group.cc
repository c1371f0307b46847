// LeaveGroup (key 13), v0-v5: one member (v0-v2) or a batch of members by
// member id and/or group.instance.id (v3+, KIP-345).

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/leave_group_request.h"
#include "kafka/protocol/generated/leave_group_response.h"

namespace spate::broker::handlers {

namespace leave_group_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::leave_group_request>(ctx);
    if (!req.ok()) co_return close_connection();
    if (!authorize_group(ctx, proto::acl_operation::read, req->group_id)) {
        proto::leave_group_response denied;
        denied.error_code = code(error_code::group_authorization_failed);
        co_return respond(ctx, denied);
    }
    std::vector<coordinator::leave_member> members;
    if (ctx.version() >= 3) {
        for (const auto& m : req->members)
            members.push_back({m.member_id, m.group_instance_id});
    } else {
        members.push_back({req->member_id, std::nullopt});
    }
    auto errs = ctx.svc.groups.leave_group(req->group_id, members);
    proto::leave_group_response r;
    if (ctx.version() >= 3) {
        for (size_t i = 0; i < members.size(); ++i)
            r.members.push_back({members[i].member_id, members[i].instance_id, code(errs[i])});
    } else {
        r.error_code = code(errs.at(0));
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace leave_group_impl

const handler_spec leave_group{
    proto::api_key::leave_group, 0, 5, &leave_group_impl::handle, proto::acl_operation::read,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
