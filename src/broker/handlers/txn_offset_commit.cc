// TxnOffsetCommit (key 28), v0-v4: offsets committed as part of a
// transaction. The producer must be the transactional id's current one with
// the offsets topic in its open transaction (AddOffsetsToTxn first). The
// offsets are written to __consumer_offsets as a transactional batch of the
// producer and become visible to OffsetFetch only when the COMMIT marker is
// written; an abort drops them. v3+ checks the group member and generation
// when given (KIP-447). A fenced producer gets INVALID_PRODUCER_EPOCH in
// every version, as Kafka answers it (its offsets append fails the epoch
// check; no TxnOffsetCommit version carries PRODUCER_FENCED): librdkafka
// and the Java client take that as fatal "fenced".

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/txn_offset_commit_request.h"
#include "kafka/protocol/generated/txn_offset_commit_response.h"

namespace spate::broker::handlers {

namespace txn_offset_commit_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::txn_offset_commit_request>(ctx);
    if (!req.ok()) co_return close_connection();
    coordinator::txn_offset_commit_request in;
    in.group_id = req->group_id;
    in.producer_id = req->producer_id;
    in.producer_epoch = req->producer_epoch;
    if (ctx.version() >= 3) {
        in.generation = req->generation_id;
        in.member_id = req->member_id;
        in.instance_id = req->group_instance_id;
    }
    int64_t now = storage::system_now_ms();
    // ACLs: WRITE on the transactional id and READ on the group (else every
    // partition fails), READ on each topic (else its partitions fail).
    const error_code all_denied =
        !authorize_txn(ctx, proto::acl_operation::write, req->transactional_id)
            ? error_code::transactional_id_authorization_failed
        : !authorize_group(ctx, proto::acl_operation::read, req->group_id)
            ? error_code::group_authorization_failed
            : error_code::none;
    std::vector<error_code> denied;  // per partition, request order
    for (const auto& t : req->topics) {
        const error_code d = all_denied != error_code::none ? all_denied
                             : authorize_topic(ctx, proto::acl_operation::read, t.name)
                                 ? error_code::none
                                 : error_code::topic_authorization_failed;
        for (const auto& p : t.partitions) {
            denied.push_back(d);
            if (d != error_code::none) continue;
            in.offsets.push_back({{t.name, p.partition_index},
                                  {p.committed_offset, p.committed_leader_epoch,
                                   p.committed_metadata.value_or(""), now}});
        }
    }
    std::vector<error_code> errors(in.offsets.size(), error_code::none);
    auto check = all_denied != error_code::none
                     ? all_denied
                     : ctx.svc.txns.check_offsets_added(req->transactional_id, req->producer_id,
                                                        req->producer_epoch, true);
    if (check != error_code::none)
        std::fill(errors.begin(), errors.end(), check);
    else if (!in.offsets.empty())
        errors = ctx.svc.groups.txn_commit_offsets(in);
    proto::txn_offset_commit_response r;
    size_t i = 0, k = 0;
    for (const auto& t : req->topics) {
        auto& rt = r.topics.emplace_back();
        rt.name = t.name;
        for (const auto& p : t.partitions) {
            const error_code d = denied[k++];
            error_code e = d != error_code::none ? d : errors[i++];
            if (e == error_code::producer_fenced) e = error_code::invalid_producer_epoch;
            rt.partitions.push_back({p.partition_index, code(e)});
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace txn_offset_commit_impl

const handler_spec txn_offset_commit{proto::api_key::txn_offset_commit,
                                     0,
                                     4,
                                     &txn_offset_commit_impl::handle,
                                     proto::acl_operation::write,
                                     proto::resource_type::transactional_id};

}  // namespace spate::broker::handlers
