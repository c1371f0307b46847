// DeleteGroups (key 42), v0-v2: removes empty groups and their offsets;
// GROUP_ID_NOT_FOUND / NON_EMPTY_GROUP otherwise.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/delete_groups_request.h"
#include "kafka/protocol/generated/delete_groups_response.h"

namespace spate::broker::handlers {

namespace delete_groups_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::delete_groups_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::delete_groups_response r;
    for (const auto& id : req->groups_names) {
        if (!authorize_group(ctx, proto::acl_operation::del, id)) {
            r.results.push_back({id, code(error_code::group_authorization_failed)});
            continue;
        }
        r.results.push_back({id, code(ctx.svc.groups.delete_group(id))});
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace delete_groups_impl

const handler_spec delete_groups{
    proto::api_key::delete_groups, 0, 2, &delete_groups_impl::handle, proto::acl_operation::del,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
