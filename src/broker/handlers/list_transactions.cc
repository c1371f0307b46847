// ListTransactions (key 66), v0-v1: transactional ids filtered by state and
// producer id; v1's duration filter keeps transactions running longer than
// that many milliseconds. Unknown state names are echoed back in
// unknown_state_filters (and match nothing).

#include <chrono>

#include "broker/handlers/handler_util.h"
#include "coordinator/txn_coordinator.h"
#include "kafka/protocol/generated/list_transactions_request.h"
#include "kafka/protocol/generated/list_transactions_response.h"

namespace spate::broker::handlers {

namespace list_transactions_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::list_transactions_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::list_transactions_response r;
    std::vector<coordinator::txn_state> states;
    for (const auto& name : req->state_filters) {
        if (auto s = coordinator::parse_txn_state(name))
            states.push_back(*s);
        else
            r.unknown_state_filters.push_back(name);
    }
    // Only unknown states asked for: nothing can match.
    if (!req->state_filters.empty() && states.empty()) co_return respond(ctx, r);
    auto& txns = ctx.svc.txns;
    int64_t now = storage::system_now_ms();
    for (const auto& l : txns.list(states, req->producer_id_filters)) {
        if (!may(ctx, proto::acl_operation::describe, proto::resource_type::transactional_id,
                 l.transactional_id))
            continue;
        if (ctx.version() >= 1 && req->duration_filter >= 0) {
            auto d = txns.describe(l.transactional_id);
            if (!d || d->start_ms < 0 || now - d->start_ms < req->duration_filter) continue;
        }
        r.transaction_states.push_back(
            {l.transactional_id, l.producer_id, coordinator::txn_state_name(l.state)});
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace list_transactions_impl

const handler_spec list_transactions{proto::api_key::list_transactions,
                                     0,
                                     1,
                                     &list_transactions_impl::handle,
                                     proto::acl_operation::describe,
                                     proto::resource_type::transactional_id};

}  // namespace spate::broker::handlers
