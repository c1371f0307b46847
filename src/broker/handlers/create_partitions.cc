// CreatePartitions (key 37), v0-v3: grows a topic to `count` partitions.
// A count not above the current one gets INVALID_PARTITIONS; unknown topics
// UNKNOWN_TOPIC_OR_PARTITION; assignments naming other nodes
// INVALID_REPLICA_ASSIGNMENT. validate_only checks without growing.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/create_partitions_request.h"
#include "kafka/protocol/generated/create_partitions_response.h"

namespace spate::broker::handlers {

namespace create_partitions_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::create_partitions_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    const int32_t node = b.cluster.config().node_id;
    proto::create_partitions_response r;
    for (const auto& t : req->topics) {
        auto& out = r.results.emplace_back();
        out.name = t.name;
        auto fail = [&](error_code ec, std::string msg) {
            out.error_code = code(ec);
            out.error_message = std::move(msg);
        };
        if (!authorize_topic(ctx, proto::acl_operation::alter, t.name)) {
            fail(error_code::topic_authorization_failed, "Authorization failed.");
            continue;
        }
        auto info = b.topics.describe(t.name);
        if (!info) {
            fail(error_code::unknown_topic_or_partition, "unknown topic");
            continue;
        }
        if (t.count <= info->partitions) {
            fail(error_code::invalid_partitions, "topic has " + std::to_string(info->partitions) +
                                                     " partitions; " + std::to_string(t.count) +
                                                     " does not increase that");
            continue;
        }
        bool ok_assign = true;
        if (t.assignments) {
            ok_assign = static_cast<int32_t>(t.assignments->size()) == t.count - info->partitions;
            for (const auto& a : *t.assignments)
                ok_assign = ok_assign && a.broker_ids == std::vector<int32_t>{node};
        }
        if (!ok_assign) {
            fail(error_code::invalid_replica_assignment,
                 "each new partition must be assigned to node " + std::to_string(node));
            continue;
        }
        if (req->validate_only) continue;
        if (!admit_mutations(ctx, ctx.version() >= 3, t.count - info->partitions)) {
            out.error_code = k_throttling_quota_exceeded;
            out.error_message = k_throttling_quota_message;
            continue;
        }
        auto s = b.topics.create_partitions(t.name, t.count);
        if (!s.ok())
            fail(s.err().code == errc::invalid_argument ? error_code::invalid_partitions
                                                        : to_error_code(s.err()),
                 s.err().message);
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace create_partitions_impl

const handler_spec create_partitions{proto::api_key::create_partitions,
                                     0,
                                     3,
                                     &create_partitions_impl::handle,
                                     proto::acl_operation::alter,
                                     proto::resource_type::topic};

}  // namespace spate::broker::handlers
