// EndTxn (key 26), v0-v4: commits or aborts the producer's transaction. The
// answer comes once the decision (PrepareCommit/PrepareAbort) is stored;
// markers follow asynchronously, and until they land the partitions' last
// stable offsets hold read_committed consumers back. v5 (KIP-890: an epoch
// bump per transaction) is not served.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/end_txn_request.h"
#include "kafka/protocol/generated/end_txn_response.h"

namespace spate::broker::handlers {

namespace end_txn_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::end_txn_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::end_txn_response r;
    if (!authorize_txn(ctx, proto::acl_operation::write, req->transactional_id)) {
        r.error_code = code(error_code::transactional_id_authorization_failed);
        co_return respond(ctx, r);
    }
    r.error_code =
        code(ctx.svc.txns.end_txn(req->transactional_id, req->producer_id, req->producer_epoch,
                                  req->committed, ctx.version() < 2));
    // The decision (PrepareCommit/PrepareAbort) is durable before it is announced.
    if (r.error_code == 0) r.error_code = code(co_await await_txn_state_durable(ctx));
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace end_txn_impl

const handler_spec end_txn{proto::api_key::end_txn,
                           0,
                           4,
                           &end_txn_impl::handle,
                           proto::acl_operation::write,
                           proto::resource_type::transactional_id};

}  // namespace spate::broker::handlers
