// CreateAcls (key 30), v0-v3: ALTER on the cluster, else every creation
// answers CLUSTER_AUTHORIZATION_FAILED. Each binding is validated
// (security::validate: a concrete resource type, LITERAL or PREFIXED, a
// non-empty name, the cluster as LITERAL kafka-cluster, a Type:name
// principal, a concrete operation, ALLOW or DENY; else INVALID_REQUEST with
// the reason), then the valid ones are stored in __spate_acls (durably)
// before they take effect; a storage failure answers UNKNOWN_SERVER_ERROR.

#include "broker/access_control.h"
#include "broker/handlers/acl_wire.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/create_acls_request.h"
#include "kafka/protocol/generated/create_acls_response.h"

namespace spate::broker::handlers {

namespace create_acls_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::create_acls_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::create_acls_response r;
    r.results.resize(req->creations.size());
    if (!authorize_cluster(ctx, proto::acl_operation::alter)) {
        for (auto& res : r.results) {
            res.error_code = code(error_code::cluster_authorization_failed);
            res.error_message = "Cluster authorization failed.";
        }
        co_return respond(ctx, r);
    }
    std::vector<security::acl_binding> bindings;
    bindings.reserve(req->creations.size());
    for (const auto& c : req->creations)
        bindings.push_back(binding_of(c.resource_type, c.resource_name, c.resource_pattern_type,
                                      c.principal, c.host, c.operation, c.permission_type));
    auto results = ctx.svc.access.create(ctx.conn, bindings);
    for (size_t i = 0; i < results.size(); ++i) {
        if (results[i].ok()) {
            r.results[i].error_message = std::nullopt;
            continue;
        }
        const bool invalid = results[i].err().code == errc::invalid_argument;
        r.results[i].error_code =
            code(invalid ? error_code::invalid_request : error_code::unknown_server_error);
        r.results[i].error_message = results[i].err().message;
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace create_acls_impl

const handler_spec create_acls{
    proto::api_key::create_acls,  0, 3, &create_acls_impl::handle, proto::acl_operation::alter,
    proto::resource_type::cluster};

}  // namespace spate::broker::handlers
