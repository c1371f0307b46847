// DeleteRecords (key 21), v0-v2. Moves each partition's log start offset to
// the given offset (-1: the high watermark, i.e. the log end). Offsets below
// zero (other than -1) or beyond the log end get OFFSET_OUT_OF_RANGE; the
// answer carries the resulting low watermark (log start offset).

#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/delete_records_request.h"
#include "kafka/protocol/generated/delete_records_response.h"

namespace spate::broker::handlers {

namespace delete_records_impl {
namespace {

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::delete_records_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    proto::delete_records_response r;
    for (const auto& t : req->topics) {
        auto& tout = r.topics.emplace_back();
        tout.name = t.name;
        const bool allowed = authorize_topic(ctx, proto::acl_operation::del, t.name);
        for (const auto& p : t.partitions) {
            auto& pout = tout.partitions.emplace_back();
            pout.partition_index = p.partition_index;
            pout.low_watermark = -1;
            if (!allowed) {
                pout.error_code = code(error_code::topic_authorization_failed);
                continue;
            }
            if (b.topics.is_internal(t.name)) {
                pout.error_code = code(error_code::invalid_topic_exception);
                continue;
            }
            auto log = b.topics.get(t.name, p.partition_index);
            if (!log) {
                pout.error_code = code(error_code::unknown_topic_or_partition);
                continue;
            }
            int64_t target = p.offset == -1 ? log->log_end_offset().value() : p.offset;
            if (target < 0 || target > log->log_end_offset().value()) {
                pout.error_code = code(error_code::offset_out_of_range);
                continue;
            }
            auto s = log->delete_records_before(model::offset(target));
            if (!s.ok()) {
                pout.error_code = code(to_error_code(s.err()));
                continue;
            }
            pout.low_watermark = log->log_start_offset().value();
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace delete_records_impl

const handler_spec delete_records{
    proto::api_key::delete_records, 0, 2, &delete_records_impl::handle, proto::acl_operation::del,
    proto::resource_type::topic};

}  // namespace spate::broker::handlers
