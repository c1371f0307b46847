// DescribeClientQuotas (key 48), v0-v1: the quota entities matching the
// filter and their quotas. Components: entity types user, client-id and ip
// (no ip quotas exist, so ip components match nothing), at most once each;
// match type 0 (EXACT: the name given), 1 (DEFAULT: the <default> entity)
// or 2 (SPECIFIED: any name but the default), with Kafka's rules on the
// match string (EXACT needs one, the others none). strict: only entities
// with exactly the filtered types; else entities may have more parts. A bad
// filter is INVALID_REQUEST with entries null, as Kafka.

#include <set>

#include "broker/client_quotas.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/describe_client_quotas_request.h"
#include "kafka/protocol/generated/describe_client_quotas_response.h"

namespace spate::broker::handlers {

namespace describe_client_quotas_impl {
namespace {

using req_t = proto::describe_client_quotas_request;
using resp = proto::describe_client_quotas_response;

constexpr int8_t k_match_exact = 0;
constexpr int8_t k_match_default = 1;
constexpr int8_t k_match_specified = 2;

// Why a filter is refused, or nullopt.
std::optional<std::string> filter_error(const req_t& req) {
    std::set<std::string> types;
    for (const auto& c : req.components) {
        if (c.entity_type != security::k_user_entity_type &&
            c.entity_type != security::k_client_entity_type && c.entity_type != "ip")
            return "Custom entity type " + c.entity_type + " not supported";
        if (!types.insert(c.entity_type).second) return "Duplicate entity type " + c.entity_type;
        if (c.match_type == k_match_exact && !c.match)
            return "Unexpected null match string for MATCH_TYPE_EXACT";
        if ((c.match_type == k_match_default || c.match_type == k_match_specified) && c.match)
            return "Unexpected match string for match type " + std::to_string(c.match_type);
        if (c.match_type < k_match_exact || c.match_type > k_match_specified)
            return "Unexpected match type " + std::to_string(c.match_type);
    }
    if (types.count("ip") && types.size() > 1)
        return "Invalid entity filter component combination, IP filter component should not be "
               "used with user or clientId filter component.";
    return std::nullopt;
}

const std::optional<std::string>& part_of(const security::quota_entity& e,
                                          const std::string& type) {
    static const std::optional<std::string> absent;
    if (type == security::k_user_entity_type) return e.user;
    if (type == security::k_client_entity_type) return e.client_id;
    return absent;
}

bool matches(const req_t& req, const security::quota_entity& e) {
    for (const auto& c : req.components) {
        const auto& part = part_of(e, c.entity_type);
        if (!part) return false;
        const bool is_default = *part == security::k_default_entity;
        if (c.match_type == k_match_exact && (is_default || *part != *c.match)) return false;
        if (c.match_type == k_match_default && !is_default) return false;
        if (c.match_type == k_match_specified && is_default) return false;
    }
    if (req.strict) {
        size_t parts = (e.user ? 1 : 0) + (e.client_id ? 1 : 0);
        if (parts != req.components.size()) return false;
    }
    return true;
}

std::optional<std::string> wire_name(const std::string& name) {
    if (name == security::k_default_entity) return std::nullopt;
    return name;
}

resp::entry_data entry_of(const security::quota_entity& e, const security::quota_values& v) {
    resp::entry_data out;
    if (e.user) out.entity.push_back({security::k_user_entity_type, wire_name(*e.user)});
    if (e.client_id)
        out.entity.push_back({security::k_client_entity_type, wire_name(*e.client_id)});
    for (const auto& [k, value] : v)
        out.values.push_back({security::quota_kind_name(k), value});
    return out;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<req_t>(ctx);
    if (!req.ok()) co_return close_connection();
    resp r;
    r.error_message = std::nullopt;
    auto refuse = [&](error_code ec, std::string message) {
        r.error_code = code(ec);
        r.error_message = std::move(message);
        r.entries = std::nullopt;
    };
    if (!authorize_cluster(ctx, proto::acl_operation::describe_configs)) {
        refuse(error_code::cluster_authorization_failed, "Cluster authorization failed.");
        co_return respond(ctx, r);
    }
    if (auto why = filter_error(*req)) {
        refuse(error_code::invalid_request, *why);
        co_return respond(ctx, r);
    }
    if (!ctx.svc.quotas) {
        refuse(error_code::unknown_server_error, "no client quotas on this broker");
        co_return respond(ctx, r);
    }
    for (const auto& [entity, values] : ctx.svc.quotas->manager().entries())
        if (matches(*req, entity)) r.entries->push_back(entry_of(entity, values));
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace describe_client_quotas_impl

const handler_spec describe_client_quotas{proto::api_key::describe_client_quotas,
                                          0,
                                          1,
                                          &describe_client_quotas_impl::handle,
                                          proto::acl_operation::describe_configs,
                                          proto::resource_type::cluster};

}  // namespace spate::broker::handlers
