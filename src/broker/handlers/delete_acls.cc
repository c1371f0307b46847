// DeleteAcls (key 31), v0-v3: ALTER on the cluster, else every filter
// answers CLUSTER_AUTHORIZATION_FAILED. Each filter removes the bindings it
// matches (stored in __spate_acls durably before they stop applying) and
// lists them; a filter with UNKNOWN codes is INVALID_REQUEST, a storage
// failure UNKNOWN_SERVER_ERROR (that filter removes nothing).

#include "broker/access_control.h"
#include "broker/handlers/acl_wire.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/delete_acls_request.h"
#include "kafka/protocol/generated/delete_acls_response.h"

namespace spate::broker::handlers {

namespace delete_acls_impl {
namespace {

using resp = proto::delete_acls_response;

resp::delete_acls_matching_acl matching(const security::acl_binding& b) {
    resp::delete_acls_matching_acl m;
    m.error_message = std::nullopt;
    m.resource_type = static_cast<int8_t>(b.resource.type);
    m.resource_name = b.resource.name;
    m.pattern_type = static_cast<int8_t>(b.resource.pattern);
    m.principal = b.entry.principal;
    m.host = b.entry.host;
    m.operation = static_cast<int8_t>(b.entry.operation);
    m.permission_type = static_cast<int8_t>(b.entry.permission);
    return m;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::delete_acls_request>(ctx);
    if (!req.ok()) co_return close_connection();
    resp r;
    r.filter_results.resize(req->filters.size());
    for (auto& fr : r.filter_results)
        fr.error_message = std::nullopt;
    if (!authorize_cluster(ctx, proto::acl_operation::alter)) {
        for (auto& fr : r.filter_results) {
            fr.error_code = code(error_code::cluster_authorization_failed);
            fr.error_message = "Cluster authorization failed.";
        }
        co_return respond(ctx, r);
    }
    std::vector<security::acl_filter> filters;
    std::vector<size_t> index;  // filters[i] answers r.filter_results[index[i]]
    for (size_t i = 0; i < req->filters.size(); ++i) {
        const auto& f = req->filters[i];
        auto filter =
            filter_of(f.resource_type_filter, f.resource_name_filter, f.pattern_type_filter,
                      f.principal_filter, f.host_filter, f.operation, f.permission_type);
        if (!filter.ok()) {
            r.filter_results[i].error_code = code(error_code::invalid_request);
            r.filter_results[i].error_message = filter.err().message;
            continue;
        }
        filters.push_back(std::move(*filter));
        index.push_back(i);
    }
    auto removed = ctx.svc.access.remove(ctx.conn, filters);
    for (size_t i = 0; i < removed.size(); ++i) {
        auto& fr = r.filter_results[index[i]];
        if (!removed[i].ok()) {
            fr.error_code = code(error_code::unknown_server_error);
            fr.error_message = removed[i].err().message;
            continue;
        }
        for (const auto& b : *removed[i])
            fr.matching_acls.push_back(matching(b));
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace delete_acls_impl

const handler_spec delete_acls{
    proto::api_key::delete_acls,  0, 3, &delete_acls_impl::handle, proto::acl_operation::alter,
    proto::resource_type::cluster};

}  // namespace spate::broker::handlers
