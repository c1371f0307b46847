// InitProducerId (key 22), v0-v5, for idempotent producers (no
// transactional id): a fresh producer id with epoch 0 each time, as Kafka
// does. Transactional ids get COORDINATOR_NOT_AVAILABLE until Spate has a
// transaction coordinator (FindCoordinator answers the same for them).

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/init_producer_id_request.h"
#include "kafka/protocol/generated/init_producer_id_response.h"

namespace spate::broker::handlers {

namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::init_producer_id_request>(ctx);
    if (!req.ok()) co_return close_connection();
    proto::init_producer_id_response r;
    r.producer_id = -1;
    r.producer_epoch = -1;
    if (req->transactional_id) {
        r.error_code = code(error_code::coordinator_not_available);
        co_return respond(ctx, r);
    }
    auto id = ctx.b.producer_ids().next();
    if (!id.ok()) {
        r.error_code = code(error_code::kafka_storage_error);
        co_return respond(ctx, r);
    }
    r.producer_id = id->value();
    r.producer_epoch = 0;
    co_return respond(ctx, r);
}

}  // namespace

const handler_spec init_producer_id{proto::api_key::init_producer_id, 0, 5, &handle};

}  // namespace spate::broker::handlers
