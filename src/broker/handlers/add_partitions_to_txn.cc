// AddPartitionsToTxn (key 24), v0-v3 (the client form; v4+ batches
// transactions for brokers, KIP-890, and is not served). Adds partitions to
// the producer's open transaction; unknown topics or partitions fail the
// request (UNKNOWN_TOPIC_OR_PARTITION for them, OPERATION_NOT_ATTEMPTED for
// the rest), as Kafka does.

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/add_partitions_to_txn_request.h"
#include "kafka/protocol/generated/add_partitions_to_txn_response.h"

namespace spate::broker::handlers {

namespace add_partitions_to_txn_impl {
namespace {

using resp = proto::add_partitions_to_txn_response;
constexpr int16_t k_operation_not_attempted = 55;

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::add_partitions_to_txn_request>(ctx);
    if (!req.ok()) co_return close_connection();
    std::vector<coordinator::topic_partition> parts;
    std::vector<bool> known;
    bool all_known = true;
    // ACLs: WRITE on the transactional id (else every partition
    // TRANSACTIONAL_ID_AUTHORIZATION_FAILED), WRITE on each topic (else its
    // partitions TOPIC_AUTHORIZATION_FAILED, the others OPERATION_NOT_ATTEMPTED).
    const bool txn_allowed =
        authorize_txn(ctx, proto::acl_operation::write, req->v3_and_below_transactional_id);
    std::vector<int16_t> denied;
    for (const auto& t : req->v3_and_below_topics) {
        auto info = ctx.svc.topics.describe(t.name);
        const int16_t d = !txn_allowed ? code(error_code::transactional_id_authorization_failed)
                          : authorize_topic(ctx, proto::acl_operation::write, t.name)
                              ? int16_t{0}
                              : code(error_code::topic_authorization_failed);
        for (int32_t p : t.partitions) {
            parts.push_back({t.name, p});
            bool ok = d == 0 && info && p >= 0 && p < info->partitions;
            known.push_back(ok);
            denied.push_back(d);
            all_known = all_known && ok;
        }
    }
    std::vector<error_code> errors(parts.size(), error_code::none);
    if (all_known) {
        errors = ctx.svc.txns.add_partitions(
            req->v3_and_below_transactional_id, req->v3_and_below_producer_id,
            req->v3_and_below_producer_epoch, parts, ctx.version() < 2);
    }
    if (all_known && !errors.empty() && errors[0] == error_code::none) {
        // A partition's membership must outlive a crash, or its records
        // would hold its last stable offset back for good.
        if (auto e = co_await await_txn_state_durable(ctx); e != error_code::none)
            std::fill(errors.begin(), errors.end(), e);
    }
    resp r;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (r.results_by_topic_v3_and_below.empty() ||
            r.results_by_topic_v3_and_below.back().name != parts[i].topic)
            r.results_by_topic_v3_and_below.emplace_back().name = parts[i].topic;
        int16_t e = all_known   ? code(errors[i])
                    : denied[i] ? denied[i]
                    : known[i]  ? k_operation_not_attempted
                                : code(error_code::unknown_topic_or_partition);
        r.results_by_topic_v3_and_below.back().results_by_partition.push_back(
            {parts[i].partition, e});
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace add_partitions_to_txn_impl

const handler_spec add_partitions_to_txn{proto::api_key::add_partitions_to_txn,
                                         0,
                                         3,
                                         &add_partitions_to_txn_impl::handle,
                                         proto::acl_operation::write,
                                         proto::resource_type::transactional_id};

}  // namespace spate::broker::handlers
