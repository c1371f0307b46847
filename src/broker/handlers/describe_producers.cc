// DescribeProducers (key 61), v0: the idempotent/transactional producers a
// partition's log remembers (storage/producer_state.h), with their epoch,
// last sequence and timestamp, and the first offset of an open transaction.
// Unknown topics or partitions get UNKNOWN_TOPIC_OR_PARTITION.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/describe_producers_request.h"
#include "kafka/protocol/generated/describe_producers_response.h"

namespace spate::broker::handlers {

namespace describe_producers_impl {
namespace {

using resp = proto::describe_producers_response;

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::describe_producers_request>(ctx);
    if (!req.ok()) co_return close_connection();
    resp r;
    for (const auto& t : req->topics) {
        auto& rt = r.topics.emplace_back();
        rt.name = t.name;
        const bool allowed = authorize_topic(ctx, proto::acl_operation::read, t.name);
        for (int32_t p : t.partition_indexes) {
            auto& rp = rt.partitions.emplace_back();
            rp.partition_index = p;
            if (!allowed) {
                rp.error_code = code(error_code::topic_authorization_failed);
                continue;
            }
            auto log = ctx.svc.topics.get(t.name, p);
            if (!log) {
                rp.error_code = code(error_code::unknown_topic_or_partition);
                continue;
            }
            auto producers = log->producers();  // a copy, taken under the log's lock
            for (const auto& [pid, e] : producers.entries()) {
                resp::producer_state s;
                s.producer_id = pid;
                s.producer_epoch = e.epoch.value();
                s.last_sequence = e.batches.empty() ? -1 : e.batches.back().last_seq;
                s.last_timestamp = e.last_timestamp;
                s.coordinator_epoch = -1;
                s.current_txn_start_offset = e.txn_first_offset;
                rp.active_producers.push_back(s);
            }
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace describe_producers_impl

const handler_spec describe_producers{proto::api_key::describe_producers,
                                      0,
                                      0,
                                      &describe_producers_impl::handle,
                                      proto::acl_operation::read,
                                      proto::resource_type::topic};

}  // namespace spate::broker::handlers
