#include "kafka/client/raw_acls.h"

#include "kafka/client/error.h"
#include "kafka/client/raw_client.h"
#include "kafka/protocol/generated/create_acls_request.h"
#include "kafka/protocol/generated/create_acls_response.h"
#include "kafka/protocol/generated/delete_acls_request.h"
#include "kafka/protocol/generated/delete_acls_response.h"
#include "kafka/protocol/generated/describe_acls_request.h"
#include "kafka/protocol/generated/describe_acls_response.h"

namespace spate::kafka::client {

namespace {

namespace proto = kafka::protocol;

error refused(const std::string& what, int16_t code, const std::optional<std::string>& msg) {
    error e = kafka_error(code, msg.value_or(""));
    e.message = what + ": " + e.message;
    return e;
}

// Versions 0 and 1 have no pattern type: only LITERAL (or ANY/MATCH filters
// in v1) can be sent; Spate and Kafka 2.0+ serve v1+.
constexpr int16_t k_min_pattern_version = 1;

}  // namespace

status create_acls(const client_config& config, const std::vector<acl_binding_spec>& bindings) {
    auto c = raw_connection::open_bootstrap(config);
    SPATE_TRY(c);
    auto v = (*c)->version<proto::create_acls_request>("CreateAcls", k_min_pattern_version);
    SPATE_TRY(v);
    proto::create_acls_request req;
    for (const auto& b : bindings)
        req.creations.push_back({b.resource_type, b.resource_name, b.pattern_type, b.principal,
                                 b.host, b.operation, b.permission});
    auto resp = (*c)->call<proto::create_acls_response>(req, *v);
    SPATE_TRY(resp);
    for (size_t i = 0; i < resp->results.size() && i < bindings.size(); ++i)
        if (resp->results[i].error_code != 0)
            return refused(
                "CreateAcls of " + bindings[i].principal + " on " + bindings[i].resource_name,
                resp->results[i].error_code, resp->results[i].error_message);
    return {};
}

result<std::vector<acl_binding_spec>> describe_acls(const client_config& config,
                                                    const acl_filter_spec& f) {
    auto c = raw_connection::open_bootstrap(config);
    SPATE_TRY(c);
    auto v = (*c)->version<proto::describe_acls_request>("DescribeAcls", k_min_pattern_version);
    SPATE_TRY(v);
    proto::describe_acls_request req;
    req.resource_type_filter = f.resource_type;
    req.resource_name_filter = f.resource_name;
    req.pattern_type_filter = f.pattern_type;
    req.principal_filter = f.principal;
    req.host_filter = f.host;
    req.operation = f.operation;
    req.permission_type = f.permission;
    auto resp = (*c)->call<proto::describe_acls_response>(req, *v);
    SPATE_TRY(resp);
    if (resp->error_code != 0)
        return refused("DescribeAcls", resp->error_code, resp->error_message);
    std::vector<acl_binding_spec> out;
    for (const auto& r : resp->resources)
        for (const auto& a : r.acls)
            out.push_back({r.resource_type, r.resource_name, r.pattern_type, a.principal, a.host,
                           a.operation, a.permission_type});
    return out;
}

result<std::vector<acl_binding_spec>> delete_acls(const client_config& config,
                                                  const std::vector<acl_filter_spec>& filters) {
    auto c = raw_connection::open_bootstrap(config);
    SPATE_TRY(c);
    auto v = (*c)->version<proto::delete_acls_request>("DeleteAcls", k_min_pattern_version);
    SPATE_TRY(v);
    proto::delete_acls_request req;
    for (const auto& f : filters)
        req.filters.push_back({f.resource_type, f.resource_name, f.pattern_type, f.principal,
                               f.host, f.operation, f.permission});
    auto resp = (*c)->call<proto::delete_acls_response>(req, *v);
    SPATE_TRY(resp);
    std::vector<acl_binding_spec> out;
    for (const auto& fr : resp->filter_results) {
        if (fr.error_code != 0) return refused("DeleteAcls", fr.error_code, fr.error_message);
        for (const auto& m : fr.matching_acls)
            out.push_back({m.resource_type, m.resource_name, m.pattern_type, m.principal, m.host,
                           m.operation, m.permission_type});
    }
    return out;
}

}  // namespace spate::kafka::client
