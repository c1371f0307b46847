// ListOffsets (key 2), v0-v8. Timestamps: -1 latest (the log end offset; for
// isolation_level=1, the last stable offset),
// -2 earliest (log start), -4 earliest local (= earliest), -3 the record with
// the largest timestamp (v7+), otherwise the first record with timestamp >=
// the given one (log::offset_for_timestamp). When no record qualifies the
// answer is offset -1, timestamp -1. v0 answers in old_style_offsets.

#include "base/log.h"
#include "broker/handlers/handler_util.h"
#include "kafka/protocol/generated/list_offsets_request.h"
#include "kafka/protocol/generated/list_offsets_response.h"
#include "model/record_batch.h"
#include "model/records.h"

namespace spate::broker::handlers {

namespace list_offsets_impl {
namespace {

using resp = proto::list_offsets_response;

constexpr int64_t k_latest = -1;
constexpr int64_t k_earliest = -2;
constexpr int64_t k_max_timestamp = -3;
constexpr int64_t k_earliest_local = -4;

struct found {
    int64_t offset = -1;
    int64_t timestamp = -1;
};

// Walks the batches from `from`, calling f(view) for each; stops when f
// returns false.
template <typename F>
status for_each_batch(const storage::log& log, model::offset from, F&& f) {
    std::vector<std::byte> buf;
    model::offset at = from;
    while (at < log.log_end_offset()) {
        auto rd = log.read(at, size_t{1} << 20);
        if (!rd.ok()) return rd.err();
        if (!rd->chunk) break;
        buf.clear();
        SPATE_TRY(rd->copy_to(buf));
        std::span<const std::byte> rest(buf);
        while (!rest.empty()) {
            auto v = model::record_batch_view::parse_unchecked_crc(rest);
            if (!v.ok()) return v.err();
            if (!f(*v)) return {};
            at = v->last_offset() + 1;
            rest = rest.subspan(v->size_bytes());
        }
    }
    return {};
}

// A stored batch that cannot be read answers "not found" (-1) for the
// lookup; the failure is logged, never swallowed.
void log_read_failure(const char* what, const status& s) {
    if (!s.ok())
        logging::get("broker").warn("ListOffsets: {} failed: {}", what, s.err().to_string());
}

// The record at offset `o`'s timestamp, or -1.
int64_t timestamp_at(const storage::log& log, model::offset o) {
    int64_t ts = -1;
    std::vector<std::byte> scratch;
    auto s = for_each_batch(log, o, [&](const model::record_batch_view& v) {
        if (v.last_offset() < o) return true;
        auto rr = model::record_reader::create(v, scratch);
        if (!rr.ok()) return false;
        log_read_failure("decoding records", rr->for_each([&](const model::record_view& r) {
            if (rr->offset_of(r) == o) ts = rr->timestamp_of(r);
        }));
        return false;
    });
    log_read_failure("reading the log", s);
    return ts;
}

found max_timestamp(const storage::log& log) {
    found best;
    model::offset batch_base(-1);
    auto s = for_each_batch(log, log.log_start_offset(), [&](const model::record_batch_view& v) {
        if (v.records_count() > 0 && v.max_timestamp() > best.timestamp) {
            best.timestamp = v.max_timestamp();
            batch_base = v.base_offset();
        }
        return true;
    });
    log_read_failure("reading the log", s);
    if (batch_base.value() < 0) return {};
    // The first record in that batch carrying the max timestamp.
    std::vector<std::byte> scratch;
    s = for_each_batch(log, batch_base, [&](const model::record_batch_view& v) {
        auto rr = model::record_reader::create(v, scratch);
        if (!rr.ok()) return false;
        log_read_failure("decoding records", rr->for_each([&](const model::record_view& r) {
            if (best.offset < 0 && rr->timestamp_of(r) == best.timestamp)
                best.offset = rr->offset_of(r).value();
        }));
        return false;
    });
    log_read_failure("reading the log", s);
    if (best.offset < 0) return {};
    return best;
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::list_offsets_request>(ctx);
    if (!req.ok()) co_return close_connection();
    handler_deps& b = ctx.svc;
    resp r;
    for (const auto& t : req->topics) {
        auto& tout = r.topics.emplace_back();
        tout.name = t.name;
        const bool allowed = authorize_topic(ctx, proto::acl_operation::describe, t.name);
        for (const auto& p : t.partitions) {
            auto& pout = tout.partitions.emplace_back();
            pout.partition_index = p.partition_index;
            if (!allowed) {
                pout.error_code = code(error_code::topic_authorization_failed);
                continue;
            }
            error_code ec = error_code::none;
            auto log = partition_log(b, t.name, p.partition_index, p.current_leader_epoch, ec);
            if (!log) {
                pout.error_code = code(ec);
                continue;
            }
            found f;
            if (p.timestamp == k_latest) {
                // read_committed (v2+) sees the log only up to the last stable offset.
                f.offset = req->isolation_level == 1 ? log->last_stable_offset().value()
                                                     : log->log_end_offset().value();
            } else if (p.timestamp == k_earliest || p.timestamp == k_earliest_local) {
                f.offset = log->log_start_offset().value();
            } else if (p.timestamp == k_max_timestamp) {
                f = max_timestamp(*log);
            } else if (p.timestamp >= 0) {
                auto o = log->offset_for_timestamp(p.timestamp);
                if (!o.ok()) {
                    pout.error_code = code(to_error_code(o.err()));
                    continue;
                }
                if (*o) {
                    f.offset = (*o)->value();
                    f.timestamp = timestamp_at(*log, **o);
                }
            } else {
                pout.error_code = code(error_code::invalid_request);
                continue;
            }
            if (p.timestamp < 0 && p.timestamp != k_max_timestamp) pout.leader_epoch = 0;
            if (f.offset >= 0) pout.leader_epoch = 0;
            pout.offset = f.offset;
            pout.timestamp = f.timestamp;
            if (ctx.version() == 0 && f.offset >= 0 && p.max_num_offsets > 0)
                pout.old_style_offsets = {f.offset};
        }
    }
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace list_offsets_impl

const handler_spec list_offsets{
    proto::api_key::list_offsets, 0, 8, &list_offsets_impl::handle, proto::acl_operation::describe,
    proto::resource_type::topic};

}  // namespace spate::broker::handlers
