// DescribeConfigs (key 32), v0-v4.
// - Topic resources (type 2): every topic config Spate knows, with its
//   effective value and source: DYNAMIC_TOPIC_CONFIG (1) for a topic
//   override, DYNAMIC_BROKER_CONFIG (2) / DYNAMIC_DEFAULT_BROKER_CONFIG (3)
//   for a broker default altered at run time, STATIC_BROKER_CONFIG (4) for
//   one from the broker's properties file, DEFAULT_CONFIG (5) otherwise. Synonyms (v1+, when asked)
//   list that chain. Unknown topics get UNKNOWN_TOPIC_OR_PARTITION.
// - Broker resources (type 4, name = this node id or empty): every key of
//   the broker key table (config_keys.h) with its value, DYNAMIC_BROKER_CONFIG
//   / DYNAMIC_DEFAULT_BROKER_CONFIG when altered at run time
//   (dynamic_configs.h), else STATIC_BROKER_CONFIG or DEFAULT_CONFIG, type,
//   read-only unless Kafka marks it dynamic, and its doc when asked (v3+).
// Other resource types get INVALID_REQUEST. configuration_keys filters.

#include <algorithm>

#include "broker/config_keys.h"
#include "broker/handlers/handler_util.h"
#include "broker/topic_configs.h"
#include "kafka/protocol/generated/describe_configs_request.h"
#include "kafka/protocol/generated/describe_configs_response.h"

namespace spate::broker::handlers {

namespace describe_configs_impl {
namespace {

using resp = proto::describe_configs_response;

// The table's keys with this broker's values: the log manager's topic
// defaults and the advertised address the listener ended up with.
std::vector<described_config> broker_configs(handler_deps& b) {
    broker_config c = b.cluster.config();
    c.topic_defaults = b.topics.broker_defaults();
    c.advertised_host = b.cluster.advertised_host();
    c.advertised_port = b.cluster.advertised_port();
    return b.dynamic_configs.describe(c);
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::describe_configs_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    const bool synonyms = ctx.version() >= 1 && req->include_synonyms;
    const bool docs = ctx.version() >= 3 && req->include_documentation;
    resp r;
    for (const auto& res : req->resources) {
        auto& out = r.results.emplace_back();
        out.resource_type = res.resource_type;
        out.resource_name = res.resource_name;
        out.error_message = std::nullopt;
        std::vector<described_config> configs;
        if (auto denied = config_resource_denied(ctx, res.resource_type, res.resource_name,
                                                 proto::acl_operation::describe_configs);
            denied != error_code::none) {
            out.error_code = code(denied);
            continue;
        }
        if (res.resource_type == k_topic_resource) {
            auto t = b.topics.describe(res.resource_name);
            if (!t) {
                out.error_code = code(error_code::unknown_topic_or_partition);
                out.error_message = "unknown topic '" + res.resource_name + "'";
                continue;
            }
            const broker_default_layers layers{
                b.dynamic_configs.get(dynamic_scope::this_broker),
                b.dynamic_configs.get(dynamic_scope::cluster_default),
                b.cluster.config().file_settings};
            configs = describe_topic_configs(b.topics.broker_defaults(), t->overrides, &layers);
        } else if (res.resource_type == k_broker_resource) {
            if (!res.resource_name.empty() &&
                res.resource_name != std::to_string(b.cluster.config().node_id)) {
                out.error_code = code(error_code::invalid_request);
                out.error_message = "unknown broker '" + res.resource_name + "'";
                continue;
            }
            configs = broker_configs(b);
        } else {
            out.error_code = code(error_code::invalid_request);
            out.error_message = "unsupported resource type";
            continue;
        }
        for (auto& c : configs) {
            if (res.configuration_keys && !res.configuration_keys->empty() &&
                std::find(res.configuration_keys->begin(), res.configuration_keys->end(), c.name) ==
                    res.configuration_keys->end())
                continue;
            resp::describe_configs_resource_result rc;
            rc.name = c.name;
            rc.value = c.value;
            rc.read_only = c.read_only;
            rc.is_default = c.source == config_source::default_config;
            rc.config_source = static_cast<int8_t>(c.source);
            rc.config_type = static_cast<int8_t>(c.kind);
            rc.documentation = std::nullopt;
            if (docs && !c.doc.empty()) rc.documentation = c.doc;
            if (synonyms) {
                for (auto& s : c.synonyms)
                    rc.synonyms.push_back({s.name, s.value, static_cast<int8_t>(s.source)});
            }
            out.configs.push_back(std::move(rc));
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace describe_configs_impl

const handler_spec describe_configs{proto::api_key::describe_configs,
                                    0,
                                    4,
                                    &describe_configs_impl::handle,
                                    proto::acl_operation::describe_configs,
                                    proto::resource_type::topic};

}  // namespace spate::broker::handlers
