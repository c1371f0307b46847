// AlterConfigs (key 33), v0-v2: replaces a topic's whole override set with
// the given configs (null values are dropped). Invalid keys or values get
// INVALID_CONFIG; unknown topics UNKNOWN_TOPIC_OR_PARTITION. Broker
// resources replace the dynamic broker configs of their scope (name "":
// cluster default, the node id: this broker; dynamic_configs.h), with
// Kafka's errors for read-only keys.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/alter_configs_request.h"
#include "kafka/protocol/generated/alter_configs_response.h"

namespace spate::broker::handlers {

namespace alter_configs_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::alter_configs_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    proto::alter_configs_response r;
    for (const auto& res : req->resources) {
        auto& out = r.responses.emplace_back();
        out.resource_type = res.resource_type;
        out.resource_name = res.resource_name;
        if (auto denied = config_resource_denied(ctx, res.resource_type, res.resource_name,
                                                 proto::acl_operation::alter_configs);
            denied != error_code::none) {
            out.error_code = code(denied);
            continue;
        }
        auto replace = [&](storage::config_map& set) -> std::optional<std::string> {
            set.clear();  // AlterConfigs replaces the whole set
            for (const auto& c : res.configs)
                if (c.value) set[c.name] = *c.value;
            return std::nullopt;
        };
        auto outcome = res.resource_type == k_broker_resource
                           ? alter_broker_configs(b, res.resource_name, req->validate_only, replace)
                           : alter_topic_configs(b, res.resource_type, res.resource_name,
                                                 req->validate_only, replace);
        out.error_code = code(outcome.error);
        out.error_message = std::move(outcome.message);
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace alter_configs_impl

const handler_spec alter_configs{proto::api_key::alter_configs,
                                 0,
                                 2,
                                 &alter_configs_impl::handle,
                                 proto::acl_operation::alter_configs,
                                 proto::resource_type::topic};

}  // namespace spate::broker::handlers
