// AddOffsetsToTxn (key 25), v0-v4: adds the offsets topic to the producer's
// open transaction, ahead of TxnOffsetCommit for `group_id`.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/add_offsets_to_txn_request.h"
#include "kafka/protocol/generated/add_offsets_to_txn_response.h"

namespace spate::broker::handlers {

namespace add_offsets_to_txn_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::add_offsets_to_txn_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::add_offsets_to_txn_response r;
    // ACLs: WRITE on the transactional id, READ on the group.
    if (!authorize_txn(ctx, proto::acl_operation::write, req->transactional_id)) {
        r.error_code = code(error_code::transactional_id_authorization_failed);
        co_return respond(ctx, r);
    }
    if (!authorize_group(ctx, proto::acl_operation::read, req->group_id)) {
        r.error_code = code(error_code::group_authorization_failed);
        co_return respond(ctx, r);
    }
    r.error_code =
        code(ctx.svc.txns.add_offsets(req->transactional_id, req->producer_id, req->producer_epoch,
                                      req->group_id, ctx.version() < 2));
    if (r.error_code == 0) r.error_code = code(co_await await_txn_state_durable(ctx));
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace add_offsets_to_txn_impl

const handler_spec add_offsets_to_txn{proto::api_key::add_offsets_to_txn,
                                      0,
                                      4,
                                      &add_offsets_to_txn_impl::handle,
                                      proto::acl_operation::write,
                                      proto::resource_type::transactional_id};

}  // namespace spate::broker::handlers
