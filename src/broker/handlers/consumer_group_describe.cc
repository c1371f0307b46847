// ConsumerGroupDescribe (key 69), v0: KIP-848 groups with their epochs,
// assignor, members, current and target assignments (topic ids and names).
// Classic and unknown groups answer GROUP_ID_NOT_FOUND. Authorized
// operations are not computed.

#include <map>

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/consumer_group_describe_request.h"
#include "kafka/protocol/generated/consumer_group_describe_response.h"

namespace spate::broker::handlers {

namespace consumer_group_describe_impl {
namespace {

using response = proto::consumer_group_describe_response;

response::assignment_data to_wire(const coordinator::partition_set& ps,
                                  const std::map<std::string, proto::uuid>& ids) {
    response::assignment_data a;
    for (const auto& [topic, parts] : ps) {
        auto id = ids.find(topic);
        if (id == ids.end() || parts.empty()) continue;
        a.topic_partitions.push_back({id->second, topic, {parts.begin(), parts.end()}});
    }
    return a;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::consumer_group_describe_request>(ctx);
    if (!req.ok()) co_return close_connection();
    std::map<std::string, proto::uuid> ids;
    for (const auto& t : ctx.svc.topics.list_topics())
        ids[t.name] = to_uuid(t.id);
    response r;
    for (const auto& id : req->group_ids) {
        auto& g = r.groups.emplace_back();
        g.group_id = id;
        if (!authorize_group(ctx, proto::acl_operation::describe, id)) {
            g.error_code = code(error_code::group_authorization_failed);
            continue;
        }
        auto d = ctx.svc.groups.describe_consumer_group(id);
        g.error_code = code(d.error);
        if (!d.error_message.empty()) g.error_message = d.error_message;
        if (d.error != error_code::none) continue;
        g.group_state = d.state_name;
        g.group_epoch = d.group_epoch;
        g.assignment_epoch = d.assignment_epoch;
        g.assignor_name = d.assignor_name;
        for (auto& m : d.members) {
            auto& w = g.members.emplace_back();
            w.member_id = m.member_id;
            w.instance_id = m.instance_id;
            w.rack_id = m.rack_id;
            w.member_epoch = m.member_epoch;
            w.client_id = m.client_id;
            w.client_host = m.client_host;
            w.subscribed_topic_names = m.subscribed_topic_names;
            w.subscribed_topic_regex = m.subscribed_topic_regex;
            w.assignment = to_wire(m.assignment, ids);
            w.target_assignment = to_wire(m.target_assignment, ids);
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace consumer_group_describe_impl

const handler_spec consumer_group_describe{proto::api_key::consumer_group_describe,
                                           0,
                                           0,
                                           &consumer_group_describe_impl::handle,
                                           proto::acl_operation::describe,
                                           proto::resource_type::group};

}  // namespace spate::broker::handlers
