// DescribeTransactions (key 65), v0: state, producer, timeout, start time and
// partitions of transactional ids; unknown ids get TRANSACTIONAL_ID_NOT_FOUND.

#include "broker/handlers/handler_util.h"
#include "coordinator/txn_coordinator.h"
#include "kafka/protocol/generated/describe_transactions_request.h"
#include "kafka/protocol/generated/describe_transactions_response.h"

namespace spate::broker::handlers {

namespace describe_transactions_impl {
namespace {

using resp = proto::describe_transactions_response;

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::describe_transactions_request>(ctx);
    if (!req.ok()) co_return close_connection();
    resp r;
    for (const auto& id : req->transactional_ids) {
        auto& s = r.transaction_states.emplace_back();
        s.transactional_id = id;
        const bool allowed = authorize_txn(ctx, proto::acl_operation::describe, id);
        auto d = allowed ? ctx.svc.txns.describe(id) : std::nullopt;
        if (!d) {
            s.error_code = code(allowed ? error_code::transactional_id_not_found
                                        : error_code::transactional_id_authorization_failed);
            s.producer_id = -1;
            s.producer_epoch = -1;
            s.transaction_start_time_ms = -1;
            continue;
        }
        s.transaction_state = coordinator::txn_state_name(d->state);
        s.transaction_timeout_ms = d->timeout_ms;
        s.transaction_start_time_ms = d->start_ms;
        s.producer_id = d->producer_id;
        s.producer_epoch = d->producer_epoch;
        for (const auto& tp : d->partitions) {
            // Only the topics the principal may describe, as Kafka.
            if (!may(ctx, proto::acl_operation::describe, proto::resource_type::topic, tp.topic))
                continue;
            if (s.topics.empty() || s.topics.back().topic != tp.topic)
                s.topics.emplace_back().topic = tp.topic;
            s.topics.back().partitions.push_back(tp.partition);
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace describe_transactions_impl

const handler_spec describe_transactions{proto::api_key::describe_transactions,
                                         0,
                                         0,
                                         &describe_transactions_impl::handle,
                                         proto::acl_operation::describe,
                                         proto::resource_type::transactional_id};

}  // namespace spate::broker::handlers
