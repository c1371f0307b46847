// DescribeAcls (key 29), v0-v3: DESCRIBE on the cluster, else
// CLUSTER_AUTHORIZATION_FAILED. The bindings matching the filter (ANY,
// MATCH, LITERAL, PREFIXED; null strings match all), grouped by resource
// pattern; a filter with UNKNOWN codes is INVALID_REQUEST.

#include <map>

#include "broker/access_control.h"
#include "broker/handlers/acl_wire.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/describe_acls_request.h"
#include "kafka/protocol/generated/describe_acls_response.h"

namespace spate::broker::handlers {

namespace describe_acls_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::describe_acls_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::describe_acls_response r;
    r.error_message = std::nullopt;
    if (!authorize_cluster(ctx, proto::acl_operation::describe)) {
        r.error_code = code(error_code::cluster_authorization_failed);
        r.error_message = "Cluster authorization failed.";
        co_return respond(ctx, r);
    }
    auto filter =
        filter_of(req->resource_type_filter, req->resource_name_filter, req->pattern_type_filter,
                  req->principal_filter, req->host_filter, req->operation, req->permission_type);
    if (!filter.ok()) {
        r.error_code = code(error_code::invalid_request);
        r.error_message = filter.err().message;
        co_return respond(ctx, r);
    }
    std::map<security::resource_pattern, std::vector<security::access_entry>> by_pattern;
    for (auto& b : ctx.svc.access.describe(*filter))
        by_pattern[b.resource].push_back(std::move(b.entry));
    for (auto& [p, entries] : by_pattern) {
        auto& res = r.resources.emplace_back();
        res.resource_type = static_cast<int8_t>(p.type);
        res.resource_name = p.name;
        res.pattern_type = static_cast<int8_t>(p.pattern);
        for (auto& e : entries)
            res.acls.push_back({std::move(e.principal), std::move(e.host),
                                static_cast<int8_t>(e.operation),
                                static_cast<int8_t>(e.permission)});
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace describe_acls_impl

const handler_spec describe_acls{proto::api_key::describe_acls,
                                 0,
                                 3,
                                 &describe_acls_impl::handle,
                                 proto::acl_operation::describe,
                                 proto::resource_type::cluster};

}  // namespace spate::broker::handlers
