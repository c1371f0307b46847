#include "kafka/client/raw_quotas.h"

#include "kafka/client/error.h"
#include "kafka/client/raw_client.h"
#include "kafka/protocol/generated/alter_client_quotas_request.h"
#include "kafka/protocol/generated/alter_client_quotas_response.h"
#include "kafka/protocol/generated/describe_client_quotas_request.h"
#include "kafka/protocol/generated/describe_client_quotas_response.h"

namespace spate::kafka::client {

namespace {

namespace proto = kafka::protocol;

std::string entity_text(const quota_entity_parts& entity) {
    std::string out;
    for (const auto& p : entity) {
        if (!out.empty()) out += ",";
        out += p.type + "=" + p.name.value_or("<default>");
    }
    return out;
}

}  // namespace

status alter_client_quotas(const client_config& config, const quota_entity_parts& entity,
                           const std::vector<quota_op>& ops, bool validate_only) {
    auto c = raw_connection::open_bootstrap(config);
    SPATE_TRY(c);
    auto v = (*c)->version<proto::alter_client_quotas_request>("AlterClientQuotas", 0);
    SPATE_TRY(v);
    proto::alter_client_quotas_request req;
    req.validate_only = validate_only;
    auto& e = req.entries.emplace_back();
    for (const auto& p : entity)
        e.entity.push_back({p.type, p.name});
    for (const auto& op : ops)
        e.ops.push_back({op.key, op.value, op.remove});
    auto resp = (*c)->call<proto::alter_client_quotas_response>(req, *v);
    SPATE_TRY(resp);
    for (const auto& r : resp->entries)
        if (r.error_code != 0) {
            error err = kafka_error(r.error_code, r.error_message.value_or(""));
            err.message = "AlterClientQuotas of " + entity_text(entity) + ": " + err.message;
            return err;
        }
    return {};
}

result<std::vector<quota_entry>> describe_client_quotas(
    const client_config& config, const std::vector<quota_filter_component>& components,
    bool strict) {
    auto c = raw_connection::open_bootstrap(config);
    SPATE_TRY(c);
    auto v = (*c)->version<proto::describe_client_quotas_request>("DescribeClientQuotas", 0);
    SPATE_TRY(v);
    proto::describe_client_quotas_request req;
    req.strict = strict;
    for (const auto& f : components)
        req.components.push_back({f.type, f.match_type, f.match});
    auto resp = (*c)->call<proto::describe_client_quotas_response>(req, *v);
    SPATE_TRY(resp);
    if (resp->error_code != 0) {
        error err = kafka_error(resp->error_code, resp->error_message.value_or(""));
        err.message = "DescribeClientQuotas: " + err.message;
        return err;
    }
    std::vector<quota_entry> out;
    for (const auto& e : resp->entries.value_or(
             std::vector<proto::describe_client_quotas_response::entry_data>{})) {
        quota_entry q;
        for (const auto& p : e.entity)
            q.entity.push_back({p.entity_type, p.entity_name});
        for (const auto& val : e.values)
            q.values.emplace_back(val.key, val.value);
        out.push_back(std::move(q));
    }
    return out;
}

}  // namespace spate::kafka::client
