// ConsumerGroupHeartbeat (key 68), v0-v1: the KIP-848 consumer protocol —
// join (epoch 0), heartbeat with owned partitions, leave (-1, static -2).
// Topic ids are translated to names here (owned partitions of unknown ids
// are dropped) and the coordinator's assignment back to ids. v0 members get
// their id from the coordinator; v1 members bring their own.

#include <map>

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/consumer_group_heartbeat_request.h"
#include "kafka/protocol/generated/consumer_group_heartbeat_response.h"

namespace spate::broker::handlers {

namespace consumer_group_heartbeat_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::consumer_group_heartbeat_request>(ctx);
    if (!req.ok()) co_return close_connection();
    if (!authorize_group(ctx, proto::acl_operation::read, req->group_id)) {
        proto::consumer_group_heartbeat_response denied;
        denied.error_code = code(error_code::group_authorization_failed);
        co_return respond(ctx, denied);
    }
    // Kafka 3.9: every subscribed topic name needs DESCRIBE.
    if (req->subscribed_topic_names) {
        for (const auto& t : *req->subscribed_topic_names) {
            if (authorize_topic(ctx, proto::acl_operation::describe, t)) continue;
            proto::consumer_group_heartbeat_response denied;
            denied.error_code = code(error_code::topic_authorization_failed);
            denied.error_message = "Topic authorization failed: " + t;
            co_return respond(ctx, denied);
        }
    }
    std::map<proto::uuid, std::string> names;
    std::map<std::string, proto::uuid> ids;
    for (const auto& t : ctx.svc.topics.list_topics()) {
        names[to_uuid(t.id)] = t.name;
        ids[t.name] = to_uuid(t.id);
    }
    coordinator::consumer_heartbeat_request c;
    c.group_id = req->group_id;
    c.member_id = req->member_id;
    c.member_epoch = req->member_epoch;
    c.instance_id = req->instance_id;
    c.rack_id = req->rack_id;
    c.rebalance_timeout_ms = req->rebalance_timeout_ms;
    c.subscribed_topic_names = req->subscribed_topic_names;
    c.subscribed_topic_regex = req->subscribed_topic_regex;
    c.server_assignor = req->server_assignor;
    if (req->topic_partitions) {
        c.owned.emplace();
        for (const auto& tp : *req->topic_partitions) {
            auto n = names.find(tp.topic_id);
            if (n == names.end()) continue;
            (*c.owned)[n->second].insert(tp.partitions.begin(), tp.partitions.end());
        }
    }
    c.client_id = ctx.header.client_id.value_or("");
    c.client_host = ctx.client_host;
    auto res = ctx.svc.groups.consumer_heartbeat(c);
    proto::consumer_group_heartbeat_response r;
    r.error_code = code(res.error);
    if (!res.error_message.empty()) r.error_message = res.error_message;
    if (!res.member_id.empty()) r.member_id = res.member_id;
    r.member_epoch = res.member_epoch;
    r.heartbeat_interval_ms = res.heartbeat_interval_ms;
    if (res.error == error_code::none && res.assignment) {
        auto& a = r.assignment.emplace();
        for (const auto& [topic, parts] : *res.assignment) {
            auto id = ids.find(topic);
            if (id == ids.end() || parts.empty()) continue;
            a.topic_partitions.push_back({id->second, {parts.begin(), parts.end()}});
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace consumer_group_heartbeat_impl

const handler_spec consumer_group_heartbeat{proto::api_key::consumer_group_heartbeat,
                                            0,
                                            1,
                                            &consumer_group_heartbeat_impl::handle,
                                            proto::acl_operation::read,
                                            proto::resource_type::group};

}  // namespace spate::broker::handlers
