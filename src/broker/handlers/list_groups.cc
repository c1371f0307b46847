// ListGroups (key 16), v0-v5: every group; v4 filters by state names and v5
// by group type (both case-insensitive, as Kafka): "classic" or "consumer"
// (KIP-848), with the state names of the group's type.

#include <algorithm>
#include <cctype>

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/list_groups_request.h"
#include "kafka/protocol/generated/list_groups_response.h"

namespace spate::broker::handlers {

namespace list_groups_impl {
namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::list_groups_request>(ctx);
    if (!req.ok()) co_return close_connection();
    std::vector<std::string> filter;
    for (const auto& s : req->states_filter)
        filter.push_back(lower(s));
    std::vector<std::string> types;
    for (const auto& t : req->types_filter)
        types.push_back(lower(t));
    proto::list_groups_response r;
    // DESCRIBE on the cluster lists every group; else only the groups the
    // principal may describe.
    const bool every = may(ctx, proto::acl_operation::describe, proto::resource_type::cluster,
                           security::k_cluster_name);
    for (const auto& g : ctx.svc.groups.list_groups()) {
        if (!every &&
            !may(ctx, proto::acl_operation::describe, proto::resource_type::group, g.group_id))
            continue;
        std::string type = coordinator::type_name(g.type);
        if (!types.empty() && std::find(types.begin(), types.end(), type) == types.end()) continue;
        std::string state = g.state_name;
        if (!filter.empty() &&
            std::find(filter.begin(), filter.end(), lower(state)) == filter.end())
            continue;
        r.groups.push_back({g.group_id, g.protocol_type, state, type});
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace list_groups_impl

const handler_spec list_groups{
    proto::api_key::list_groups, 0, 5, &list_groups_impl::handle, proto::acl_operation::describe,
    proto::resource_type::group};

}  // namespace spate::broker::handlers
