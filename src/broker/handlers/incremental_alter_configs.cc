// IncrementalAlterConfigs (key 44), v0-v1: edits a topic's override set with
// SET (0), DELETE (1), APPEND (2) and SUBTRACT (3); the last two only for
// list-typed configs, starting from the effective value. Invalid operations,
// keys or values get INVALID_CONFIG and leave the topic unchanged; unknown
// topics UNKNOWN_TOPIC_OR_PARTITION. Broker resources edit the dynamic
// broker configs of their scope (name "": cluster default, the node id:
// this broker; dynamic_configs.h) with SET and DELETE, with Kafka's errors
// for read-only keys.

#include <algorithm>
#include <sstream>

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/incremental_alter_configs_request.h"
#include "kafka/protocol/generated/incremental_alter_configs_response.h"

namespace spate::broker::handlers {

namespace incremental_alter_configs_impl {
namespace {

enum class op : int8_t { set = 0, del = 1, append = 2, subtract = 3 };

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        if (!out.empty()) out += ',';
        out += i;
    }
    return out;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::incremental_alter_configs_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    proto::incremental_alter_configs_response r;
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
        auto edit = [&](storage::config_map& overrides) -> std::optional<std::string> {
            for (const auto& c : res.configs) {
                const auto* def = storage::find_topic_config(c.name);
                if (!def) {
                    return "unknown topic config '" + c.name + "'";
                }
                const auto o = static_cast<op>(c.config_operation);
                if (o == op::set) {
                    if (!c.value) {
                        return c.name + ": SET needs a value";
                    }
                    overrides[c.name] = *c.value;
                } else if (o == op::del) {
                    overrides.erase(c.name);
                } else if (o == op::append || o == op::subtract) {
                    if (def->type != storage::config_type::list_) {
                        return c.name + ": APPEND/SUBTRACT need a list config";
                    }
                    std::string current;
                    const auto defaults = b.topics.broker_defaults();
                    if (auto it = overrides.find(c.name); it != overrides.end()) {
                        current = it->second;
                    } else if (auto it = defaults.find(c.name); it != defaults.end()) {
                        current = it->second;
                    } else {
                        current = def->default_value;
                    }
                    auto items = split_list(current);
                    for (const auto& v : split_list(c.value.value_or(""))) {
                        auto at = std::find(items.begin(), items.end(), v);
                        if (o == op::append && at == items.end()) items.push_back(v);
                        if (o == op::subtract && at != items.end()) items.erase(at);
                    }
                    overrides[c.name] = join_list(items);
                } else {
                    return c.name + ": unknown operation " + std::to_string(c.config_operation);
                }
            }
            return std::nullopt;
        };
        auto edit_broker = [&](storage::config_map& set) -> std::optional<std::string> {
            for (const auto& c : res.configs) {
                const auto o = static_cast<op>(c.config_operation);
                if (o == op::set && c.value) {
                    set[c.name] = *c.value;
                } else if (o == op::del) {
                    set.erase(c.name);
                } else {
                    return c.name + ": only SET (with a value) and DELETE apply to broker configs";
                }
            }
            return std::nullopt;
        };
        auto outcome =
            res.resource_type == k_broker_resource
                ? alter_broker_configs(b, res.resource_name, req->validate_only, edit_broker)
                : alter_topic_configs(b, res.resource_type, res.resource_name, req->validate_only,
                                      edit);
        out.error_code = code(outcome.error);
        out.error_message = std::move(outcome.message);
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace incremental_alter_configs_impl

const handler_spec incremental_alter_configs{proto::api_key::incremental_alter_configs,
                                             0,
                                             1,
                                             &incremental_alter_configs_impl::handle,
                                             proto::acl_operation::alter_configs,
                                             proto::resource_type::topic};

}  // namespace spate::broker::handlers
