// OffsetForLeaderEpoch (key 23), v0-v4. Every partition has had exactly one
// leader epoch, 0, so any requested epoch >= 0 ends at the log end offset;
// a negative epoch is unknown (-1/-1). A current leader epoch above 0 gets
// UNKNOWN_LEADER_EPOCH.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/offset_for_leader_epoch_request.h"
#include "kafka/protocol/generated/offset_for_leader_epoch_response.h"

namespace spate::broker::handlers {

namespace offset_for_leader_epoch_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::offset_for_leader_epoch_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    proto::offset_for_leader_epoch_response r;
    for (const auto& t : req->topics) {
        auto& tout = r.topics.emplace_back();
        tout.topic = t.topic;
        const bool allowed = authorize_topic(ctx, proto::acl_operation::describe, t.topic);
        for (const auto& p : t.partitions) {
            auto& pout = tout.partitions.emplace_back();
            pout.partition = p.partition;
            if (!allowed) {
                pout.error_code = code(error_code::topic_authorization_failed);
                continue;
            }
            error_code ec = error_code::none;
            auto log = partition_log(b, t.topic, p.partition, p.current_leader_epoch, ec);
            if (!log) {
                pout.error_code = code(ec);
                continue;
            }
            if (p.leader_epoch >= 0) {
                pout.leader_epoch = 0;
                pout.end_offset = log->log_end_offset().value();
            }
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace offset_for_leader_epoch_impl

const handler_spec offset_for_leader_epoch{proto::api_key::offset_for_leader_epoch,
                                           0,
                                           4,
                                           &offset_for_leader_epoch_impl::handle,
                                           proto::acl_operation::describe,
                                           proto::resource_type::topic};

}  // namespace spate::broker::handlers
