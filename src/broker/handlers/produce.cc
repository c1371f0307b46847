// Produce (key 0). v0-v9. Bodies v3+ carry magic-2 record batches; v0-v2
// carry legacy message sets (magic 0/1), up-converted to one v2 batch per
// partition before the checks below, as Kafka 3.x does
// (model/legacy_message_set.h): a malformed set is CORRUPT_MESSAGE, a v2
// batch in a v0-v2 request (or a legacy set in v3+) INVALID_RECORD, as
// Kafka's ProduceRequest validation. Every batch is validated
// before anything is appended to its partition: size against the topic's
// max.message.bytes (MESSAGE_TOO_LARGE), header/CRC and every record's
// structure (CORRUPT_MESSAGE; uncompressed batches without decoding the
// records, model/record_layout.h). Unknown topics are auto-created when
// auto.create.topics.enable is set (as by Metadata); otherwise unknown topics
// and partitions get UNKNOWN_TOPIC_OR_PARTITION. acks=0 sends no response, acks=1 answers after the
// append, acks=-1 after the appended offsets are durable (log::when_durable); other acks values get
// INVALID_REQUIRED_ACKS. Batches are stamped with leader epoch 0. Records of
// compacted topics must have a key, and topics with
// confluent.{key,value}.schema.validation on also have every record's schema
// id checked (broker/record_checks.h): a refused record refuses the
// partition's batches with INVALID_RECORD, error_message and record_errors.

#include <vector>

#include "broker/handlers/handler_util.h"
#include "broker/record_checks.h"
#include "broker/schema_validator.h"
#include "kafka/protocol/generated/produce_request.h"
#include "kafka/protocol/generated/produce_response.h"
#include "model/legacy_message_set.h"
#include "model/record_batch.h"
#include "model/record_layout.h"
#include "model/records.h"
#include "storage/producer_state.h"

namespace spate::broker::handlers {

namespace produce_impl {
namespace {

using resp = proto::produce_response;

// The first version whose records are magic-2 batches.
constexpr int16_t k_first_v2_records_version = 3;

// The partition's records as v2 batches the handler may edit in place: the
// request's own bytes (v3+), or the up-converted legacy set (v0-v2) in
// `converted`. Sets `ec` on refusal.
std::span<std::byte> v2_records(request_context& ctx, std::span<const std::byte> records,
                                std::vector<std::byte>& converted, std::vector<std::byte>& scratch,
                                error_code& ec) {
    const bool legacy_request = ctx.version() < k_first_v2_records_version;
    // Too short to name a magic: left to the format checks (CORRUPT_MESSAGE).
    const bool has_magic = records.size() > model::batch_layout::magic;
    const bool v2_data =
        has_magic && static_cast<int8_t>(records[model::batch_layout::magic]) >= model::k_magic_v2;
    if (has_magic && legacy_request == v2_data) {
        ec = error_code::invalid_record;
        return {};
    }
    if (!legacy_request) {
        // The records view points into ctx.frame, which this handler owns:
        // edit the batches in place rather than copying them.
        auto* begin = ctx.frame.data() + (records.data() - ctx.frame.data());
        return {begin, records.size()};
    }
    converted.clear();
    auto st = model::up_convert_legacy_message_set(records, converted, scratch);
    if (!st.ok()) {
        ec = error_code::corrupt_message;
        return {};
    }
    return converted;
}

// Validates every batch in `data` against the topic's limits. With
// `records` (topics with record-level checks), each record's decoding also
// feeds those checks; refusals are left in `records`.
error_code validate_batches(std::span<std::byte> data, const storage::topic_config& cfg,
                            std::vector<std::byte>& scratch, record_checker* records) {
    if (data.empty()) return error_code::corrupt_message;
    for (size_t at = 0; at < data.size();) {
        auto rest = std::span<const std::byte>(data.data() + at, data.size() - at);
        auto size = model::record_batch_view::peek_size(rest, SIZE_MAX);
        if (!size.ok() || *size > rest.size()) return error_code::corrupt_message;
        if (*size > static_cast<size_t>(cfg.max_message_bytes))
            return error_code::message_too_large;
        auto view = model::record_batch_view::parse(rest);
        if (!view.ok()) return error_code::corrupt_message;
        if (view->size_bytes() != *size) return error_code::corrupt_message;
        // Uncompressed batches get the structural check (no record views);
        // compressed ones must be decoded to be checked.
        auto decoded = records ? records->check_batch(*view, scratch)
                       : view->compression_type() == model::compression::none
                           ? model::check_uncompressed_records(*view)
                           : model::validate_records(*view, scratch);
        if (!decoded.ok()) return error_code::corrupt_message;
        model::set_partition_leader_epoch(data.subspan(at, *size), 0);
        at += *size;
    }
    return error_code::none;
}

// Validates one partition's batches: limits and records, and the
// record-level checks the topic asks for (keys on compacted topics, schema
// ids): INVALID_RECORD, with the error message and record errors set in
// `pout`.
error_code validate_partition(handler_deps& b, const std::string& topic, int32_t partition,
                              std::span<std::byte> data, const storage::topic_config& cfg,
                              std::vector<std::byte>& scratch,
                              resp::partition_produce_response& pout) {
    if (!record_checker::needed(cfg)) return validate_batches(data, cfg, scratch, nullptr);
    // Held until the checks are done, even if the app replaces it meanwhile.
    std::shared_ptr<schema_validator> validator;
    if (cfg.schema_validation.enabled()) validator = b.schema_validators.get();
    record_checker records(topic, partition, cfg, validator.get());
    error_code ec = validate_batches(data, cfg, scratch, &records);
    if (ec != error_code::none) return ec;
    auto refused = records.refusal();
    if (!refused) return error_code::none;
    pout.error_message = std::move(refused->message);
    for (auto& e : refused->records)
        pout.record_errors.push_back({e.index, std::move(e.message)});
    return error_code::invalid_record;
}

// Transactional batches must belong to their transactional id's open
// transaction on this partition (AddPartitionsToTxn first): otherwise no
// marker would ever close them and the partition's last stable offset would
// stall. Batches of one request carry one producer (checked by the log).
// A fenced producer (another epoch) gets INVALID_PRODUCER_EPOCH in every
// version, as from Kafka 2.7 on: clients take that code on Produce as
// "fenced" (librdkafka raises its fatal __FENCED), while PRODUCER_FENCED
// there would only fail the transaction.
error_code check_transactional(handler_deps& b, const std::optional<std::string>& transactional_id,
                               const std::string& topic, int32_t partition,
                               std::span<const std::byte> data) {
    auto p = storage::producer_batch_info::from_header(data);
    if (!p.transactional) return error_code::none;
    if (!transactional_id) return error_code::invalid_txn_state;
    auto e = b.txns.verify_partition(*transactional_id, p.pid.value(), p.epoch.value(),
                                     {topic, partition});
    return e == error_code::producer_fenced ? error_code::invalid_producer_epoch : e;
}

// Validates and appends one partition's batches, filling `pout`. Returns the
// log and the offset after the appended batches, or nullptr when the
// partition failed (its error is in `pout`).
std::pair<std::shared_ptr<storage::log>, model::offset> append_partition(
    request_context& ctx, const std::optional<std::string>& transactional_id,
    const std::string& topic, proto::produce_request::partition_produce_data& part,
    resp::partition_produce_response& pout, std::vector<std::byte>& scratch) {
    handler_deps& b = ctx.svc;
    auto fail = [&](error_code ec) {
        pout.error_code = code(ec);
        return std::pair<std::shared_ptr<storage::log>, model::offset>{nullptr, model::offset(0)};
    };
    if (b.topics.is_internal(topic)) {
        // Only the broker's own coordinators write internal topics.
        pout.error_message = "cannot produce to internal topic " + topic;
        return fail(error_code::invalid_topic_exception);
    }
    auto log = b.topics.get(topic, part.index);
    if (!log && part.index >= 0 &&
        (may(ctx, proto::acl_operation::create, proto::resource_type::cluster,
             security::k_cluster_name) ||
         may(ctx, proto::acl_operation::create, proto::resource_type::topic, topic))) {
        // Auto-create (when enabled and the principal may CREATE it), as
        // Metadata does; a failed or refused creation leaves the partition
        // unknown.
        auto t = b.topics.find_or_create(topic, true);
        if (t.ok() && *t) log = b.topics.get(topic, part.index);
    }
    if (!log) return fail(error_code::unknown_topic_or_partition);
    if (!part.records || part.records->empty()) return fail(error_code::corrupt_message);
    std::vector<std::byte> converted;
    error_code ec = error_code::none;
    std::span<std::byte> data = v2_records(ctx, *part.records, converted, scratch, ec);
    if (ec != error_code::none) return fail(ec);
    ec = validate_partition(b, topic, part.index, data, log->config(), scratch, pout);
    if (ec != error_code::none) return fail(ec);
    ec = check_transactional(b, transactional_id, topic, part.index, data);
    if (ec != error_code::none) return fail(ec);
    auto appended = log->append(data);
    if (!appended.ok()) {
        pout.error_message = appended.err().message;
        return fail(to_error_code(appended.err()));
    }
    pout.base_offset = appended->base_offset.value();
    pout.log_append_time_ms = appended->log_append_time;
    pout.log_start_offset = log->log_start_offset().value();
    if (!appended->duplicate) b.appends.notify(topic, part.index);
    return {log, appended->last_offset + 1};
}

boost::asio::awaitable<handler_outcome> handle(request_context& ctx) {
    auto req = decode<proto::produce_request>(ctx);
    if (!req.ok()) co_return close_connection();
    const int16_t acks = req->acks;
    const bool valid_acks = acks == 0 || acks == 1 || acks == -1;

    struct pending_sync {
        resp::partition_produce_response* out;
        std::shared_ptr<storage::log> log;
        model::offset end;
    };
    std::vector<pending_sync> syncs;
    std::vector<std::byte> scratch;
    resp r;
    r.responses.reserve(req->topic_data.size());
    // ACLs (Kafka's order): WRITE on the transactional id refuses every
    // partition, then WRITE on each topic refuses its partitions.
    const bool txn_allowed =
        !req->transactional_id ||
        authorize_txn(ctx, proto::acl_operation::write, *req->transactional_id);
    for (auto& topic : req->topic_data) {
        auto& tout = r.responses.emplace_back();
        tout.name = topic.name;
        tout.partition_responses.reserve(topic.partition_data.size());
        const error_code denied = !txn_allowed ? error_code::transactional_id_authorization_failed
                                  : !authorize_topic(ctx, proto::acl_operation::write, topic.name)
                                      ? error_code::topic_authorization_failed
                                      : error_code::none;
        for (auto& part : topic.partition_data) {
            auto& pout = tout.partition_responses.emplace_back();
            pout.index = part.index;
            if (denied != error_code::none) {
                pout.error_code = code(denied);
                continue;
            }
            if (!valid_acks) {
                pout.error_code = code(error_code::invalid_required_acks);
                continue;
            }
            auto [log, end] =
                append_partition(ctx, req->transactional_id, topic.name, part, pout, scratch);
            if (log && acks == -1) syncs.push_back({&pout, log, end});
        }
    }
    for (auto& s : syncs) {
        auto st = co_await await_durable(ctx, s.log, s.end);
        if (!st.ok()) {
            s.out->error_code = code(error_code::kafka_storage_error);
            s.out->error_message = st.err().message;
        }
    }
    // Client quotas: the whole request counts against producer_byte_rate.
    record_quota(ctx, security::quota_kind::producer_byte_rate,
                 double(ctx.frame.size() + proto::k_frame_size_prefix));
    if (acks == 0) co_return no_response(ctx);
    co_return respond(ctx, r);
}

}  // namespace
}  // namespace produce_impl

const handler_spec produce{
    proto::api_key::produce,    0, 9, &produce_impl::handle, proto::acl_operation::write,
    proto::resource_type::topic};

}  // namespace spate::broker::handlers
