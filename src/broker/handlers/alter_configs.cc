// AlterConfigs (key 33), v0-v2: replaces a topic's whole override set with
// the given configs (null values are dropped). Invalid keys or values get
// INVALID_CONFIG; unknown topics UNKNOWN_TOPIC_OR_PARTITION; broker
// resources INVALID_REQUEST (broker settings are static).

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/alter_configs_request.h"
#include "kafka/protocol/generated/alter_configs_response.h"

namespace spate::broker::handlers {

namespace {

constexpr int8_t k_topic = 2;

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::alter_configs_request>(ctx);
    if (!req.ok()) co_return close_connection();
    broker& b = ctx.b;
    proto::alter_configs_response r;
    for (const auto& res : req->resources) {
        auto& out = r.responses.emplace_back();
        out.resource_type = res.resource_type;
        out.resource_name = res.resource_name;
        out.error_message = std::nullopt;
        auto fail = [&](error_code ec, std::string msg) {
            out.error_code = code(ec);
            out.error_message = std::move(msg);
        };
        if (res.resource_type != k_topic) {
            fail(error_code::invalid_request, "only topic configs can be altered");
            continue;
        }
        if (!b.logs().describe(res.resource_name)) {
            fail(error_code::unknown_topic_or_partition, "unknown topic");
            continue;
        }
        storage::config_map overrides;
        std::string bad;
        for (const auto& c : res.configs) {
            if (!c.value) continue;
            auto s = storage::validate_topic_config(c.name, *c.value);
            if (!s.ok()) {
                bad = s.err().message;
                break;
            }
            overrides[c.name] = *c.value;
        }
        if (!bad.empty()) {
            fail(error_code::invalid_config, bad);
            continue;
        }
        if (req->validate_only) continue;
        auto s = b.logs().set_topic_config(res.resource_name, overrides);
        if (!s.ok())
            fail(s.err().code == errc::invalid_argument ? error_code::invalid_config
                                                        : to_error_code(s.err()),
                 s.err().message);
    }
    co_return respond(ctx, r);
}

}  // namespace

const handler_spec alter_configs{proto::api_key::alter_configs, 0, 2, &handle};

}  // namespace spate::broker::handlers
