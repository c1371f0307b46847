// AlterClientQuotas (key 49), v0-v1: sets and removes quotas of user,
// client-id and (user, client-id) entities (a null name is the <default>
// entity), stored in __spate_quotas and applied at once; answered once
// durable. Per entry, all or nothing, INVALID_REQUEST as Kafka for: an
// entity without parts, an entity type twice, an unknown entity type or ip
// (connection-rate quotas are not served), an empty name; an unknown quota
// key, a key twice, a value that is not finite and positive, a byte rate
// that is not a whole number. validate_only checks without changing.

#include <cmath>
#include <set>

#include "base/log.h"
#include "broker/client_quotas.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/alter_client_quotas_request.h"
#include "kafka/protocol/generated/alter_client_quotas_response.h"

namespace spate::broker::handlers {

namespace alter_client_quotas_impl {
namespace {

using req_t = proto::alter_client_quotas_request;
using resp = proto::alter_client_quotas_response;

error invalid(std::string message) {
    return make_error(errc::invalid_argument, std::move(message));
}

result<security::quota_entity> entity_of(const std::vector<req_t::entity_data>& parts) {
    if (parts.empty()) return invalid("Invalid empty client quota entity");
    security::quota_entity e;
    for (const auto& p : parts) {
        std::optional<std::string>* slot = nullptr;
        if (p.entity_type == security::k_user_entity_type) slot = &e.user;
        if (p.entity_type == security::k_client_entity_type) slot = &e.client_id;
        if (p.entity_type == "ip") return invalid("ip quotas are not supported by this broker");
        if (!slot) return invalid("Unhandled client quota entity type: " + p.entity_type);
        if (*slot) return invalid("Duplicate entity type " + p.entity_type);
        if (p.entity_name && p.entity_name->empty())
            return invalid("Empty " + p.entity_type + " name");
        if (p.entity_name && *p.entity_name == security::k_default_entity)
            return invalid("Invalid " + p.entity_type + " name " + *p.entity_name);
        *slot = p.entity_name.value_or(security::k_default_entity);
    }
    return e;
}

status check_op(const req_t::op_data& op, std::set<std::string>& seen) {
    auto k = security::quota_kind_of(op.key);
    if (!k) return invalid("Invalid configuration key " + op.key);
    if (!seen.insert(op.key).second) return invalid("Duplicate quota key " + op.key);
    if (op.remove) return {};
    if (!std::isfinite(op.value) || op.value <= 0)
        return invalid("Quota " + op.key + " must be a positive number");
    if (security::quota_kind_is_integral(*k) &&
        (op.value != std::floor(op.value) || op.value > 9.2e18))
        return invalid("Configuration " + op.key + " must be a Long value");
    return {};
}

// Validates one entry and, unless validate_only, stores and applies it; the
// record's offset when one was written.
result<std::optional<storage::append_result>> alter_one(client_quotas& q,
                                                        const req_t::entry_data& in,
                                                        bool validate_only) {
    auto e = entity_of(in.entity);
    if (!e.ok()) return e.err();
    std::set<std::string> seen;
    for (const auto& op : in.ops)
        SPATE_TRY(check_op(op, seen));
    return q.alter(*e, validate_only, [&](security::quota_values& v) -> status {
        for (const auto& op : in.ops) {
            auto k = *security::quota_kind_of(op.key);
            if (op.remove)
                v.erase(k);
            else
                v[k] = op.value;
        }
        return {};
    });
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<req_t>(ctx);
    if (!req.ok()) co_return close_connection();
    resp r;
    const bool allowed = authorize_cluster(ctx, proto::acl_operation::alter_configs);
    client_quotas* q = ctx.svc.quotas;
    std::optional<model::offset> wait_for;
    for (const auto& in : req->entries) {
        auto& out = r.entries.emplace_back();
        out.error_message = std::nullopt;
        for (const auto& p : in.entity)
            out.entity.push_back({p.entity_type, p.entity_name});
        auto fail = [&](error_code ec, std::string message) {
            out.error_code = code(ec);
            out.error_message = std::move(message);
        };
        if (!allowed) {
            fail(error_code::cluster_authorization_failed, "Cluster authorization failed.");
            continue;
        }
        if (!q) {
            fail(error_code::unknown_server_error, "no client quotas on this broker");
            continue;
        }
        auto done = alter_one(*q, in, req->validate_only);
        if (!done.ok()) {
            fail(done.err().code == errc::invalid_argument ? error_code::invalid_request
                                                           : to_error_code(done.err()),
                 done.err().message);
            continue;
        }
        if (*done) {
            wait_for = (*done)->last_offset;
            logging::get("security")
                .info("client quotas of {} altered by {} from {}",
                      security::quota_entity_text(*entity_of(in.entity)), ctx.conn.user.to_string(),
                      ctx.client_host);
        }
    }
    if (wait_for) {
        auto s = co_await await_durable(ctx, q->log(), *wait_for + 1);
        if (!s.ok())
            for (auto& out : r.entries)
                if (!out.error_code) {
                    out.error_code = code(error_code::kafka_storage_error);
                    out.error_message = s.err().message;
                }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace alter_client_quotas_impl

const handler_spec alter_client_quotas{proto::api_key::alter_client_quotas,
                                       0,
                                       1,
                                       &alter_client_quotas_impl::handle,
                                       proto::acl_operation::alter_configs,
                                       proto::resource_type::cluster};

}  // namespace spate::broker::handlers
