// InitProducerId (key 22), v0-v5. Without a transactional id: a fresh
// producer id with epoch 0 each time (an idempotent producer), as Kafka does.
// With one: the transaction coordinator bumps the id's epoch, fencing older
// instances, and aborts its open transaction first (the answer waits for
// that). v3+ carries the caller's current id/epoch (KIP-360); v4+ clients
// understand PRODUCER_FENCED (older ones get INVALID_PRODUCER_EPOCH).

#include "broker/access_control.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/init_producer_id_request.h"
#include "kafka/protocol/generated/init_producer_id_response.h"

namespace spate::broker::handlers {

namespace init_producer_id_impl {
namespace {

using init_result = coordinator::init_producer_id_result;

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::init_producer_id_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::init_producer_id_response r;
    r.producer_id = -1;
    r.producer_epoch = -1;
    if (req->transactional_id && req->transactional_id->empty()) {
        r.error_code = code(error_code::invalid_request);
        co_return respond(ctx, r);
    }
    // ACLs: WRITE on the transactional id; an idempotent producer needs
    // IDEMPOTENT_WRITE on the cluster or, as Kafka 3.x, WRITE on some topic.
    if (req->transactional_id &&
        !authorize_txn(ctx, proto::acl_operation::write, *req->transactional_id)) {
        r.error_code = code(error_code::transactional_id_authorization_failed);
        co_return respond(ctx, r);
    }
    if (!req->transactional_id &&
        !may(ctx, proto::acl_operation::idempotent_write, proto::resource_type::cluster,
             security::k_cluster_name) &&
        !ctx.svc.access.may_write_some_topic(ctx.conn) &&
        !authorize_cluster(ctx, proto::acl_operation::idempotent_write)) {
        r.error_code = code(error_code::cluster_authorization_failed);
        co_return respond(ctx, r);
    }
    coordinator::init_producer_id_request in;
    in.transactional_id = req->transactional_id;
    in.timeout_ms = req->transaction_timeout_ms;
    if (ctx.version() >= 3) {
        in.expected_producer_id = req->producer_id;
        in.expected_epoch = req->producer_epoch;
    }
    in.legacy_fenced_error = ctx.version() < 4;
    auto transactional = in.transactional_id.has_value();
    init_result res = co_await await_coordinator<init_result>(
        ctx, ctx.svc.txns, &coordinator::txn_coordinator::init_producer_id, std::move(in));
    if (res.error == error_code::none && transactional) {
        // The bumped epoch must survive a crash, or a fenced instance could return.
        if (auto e = co_await await_txn_state_durable(ctx); e != error_code::none) res = {e};
    }
    r.error_code = code(res.error);
    r.producer_id = res.producer_id;
    r.producer_epoch = res.producer_epoch;
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace init_producer_id_impl

const handler_spec init_producer_id{proto::api_key::init_producer_id,
                                    0,
                                    5,
                                    &init_producer_id_impl::handle,
                                    proto::acl_operation::write,
                                    proto::resource_type::transactional_id};

}  // namespace spate::broker::handlers
