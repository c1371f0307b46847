#include "storage/log_append.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "base/log.h"
#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "model/records.h"

namespace spate::storage {

namespace {

// One validated batch of an append call.
struct pending {
    size_t at;
    uint32_t size;
    int32_t last_delta;
    int64_t max_ts;
};

// Checks every batch (length, magic, CRC, size limit, not a control batch).
// The CRC does not cover the base offset, so this runs before offsets are
// assigned and without the log's lock.
result<std::vector<pending>> validate_batches(std::span<const std::byte> data, size_t max_batch) {
    std::vector<pending> batches;
    for (size_t at = 0; at < data.size();) {
        auto rest = data.subspan(at);
        auto size = model::record_batch_view::peek_size(rest, max_batch);
        if (!size.ok()) {
            if (size.err().code == errc::out_of_range)
                return make_error(errc::corrupt, "truncated batch");
            return size.err();
        }
        auto view = model::record_batch_view::parse(rest);
        if (!view.ok()) {
            if (view.err().code == errc::out_of_range)
                return make_error(errc::corrupt, view.err().message);
            return view.err();
        }
        // Markers come from the transaction coordinator (append_txn_marker),
        // never from clients, as in Kafka.
        if (view->is_control())
            return make_error(errc::invalid_argument, "control batches cannot be produced");
        // The bit marks batches stored sealed (sealed_batch.h); Kafka's
        // format leaves it unused, so no client sets it.
        if (view->attributes() & k_sealed_attribute)
            return make_error(errc::corrupt, "batch attributes set an unused bit");
        batches.push_back(
            {at, static_cast<uint32_t>(*size), view->last_offset_delta(), view->max_timestamp()});
        at += *size;
    }
    if (batches.empty()) return make_error(errc::invalid_argument, "no record batches to append");
    return batches;
}

// The producer check's verdict as an append result or error; nullopt: append.
std::optional<result<append_result>> check_producer(const log_state& s,
                                                    const producer_batch_info& p) {
    auto c = s.producers.check(p);
    switch (c.verdict) {
        case producer_verdict::append:
            return std::nullopt;
        case producer_verdict::duplicate:
            return append_result{c.first_offset, c.last_offset, -1, true};
        case producer_verdict::out_of_order_sequence:
            return make_error(errc::out_of_order_sequence,
                              "producer " + std::to_string(p.pid.value()) + ": sequence " +
                                  std::to_string(p.first_seq) + " does not follow the last one");
        case producer_verdict::invalid_producer_epoch:
            return make_error(errc::producer_fenced,
                              "producer " + std::to_string(p.pid.value()) + ": epoch " +
                                  std::to_string(p.epoch.value()) + " is fenced");
    }
    return std::nullopt;
}

// The bytes of `data` (plaintext batches at `positions`) as the log stores
// them: for an encrypted log sealed into a buffer of the calling thread,
// valid until its next call (positions rewritten), else `data` itself.
// One buffer per thread, not per log: idle encrypted logs hold no memory.
std::span<const std::byte> stored_form(const log_state& s, std::span<const std::byte> data,
                                       std::span<batch_position> positions) {
    if (!s.cipher) return data;
    thread_local std::vector<std::byte> sealed;
    s.cipher->seal_batches(data, positions, sealed);
    return sealed;
}

// Bytes `data` takes in the log.
uint64_t stored_size(const log_state& s, size_t plain_bytes, size_t batches) {
    return plain_bytes + (s.cipher ? batches * k_sealed_batch_overhead : 0);
}

// Writes the batches `plain` (offsets assigned; at `plain_positions`, which
// become their stored positions) to the active segment, sealed for an
// encrypted log; on failure cuts a partial batch off so the log stays a
// sequence of whole batches. Requires s.mu exclusively.
status write_active(log_state& s, std::span<const std::byte> plain,
                    std::span<batch_position> plain_positions, int64_t now) {
    auto data = stored_form(s, plain, plain_positions);
    std::span<const batch_position> positions = plain_positions;
    auto* active = s.segments.back().get();
    auto st = active->append(data, positions, now);
    if (st.ok()) return {};
    auto cut = active->data_file()->truncate(active->size());
    if (!cut.ok()) {
        // Recovery on the next open truncates at the first invalid batch.
        logging::get("storage").error(
            "{}: removing a partial batch at byte {} after a failed append failed: {}", s.name,
            active->size(), cut.err().to_string());
    }
    return st;
}

}  // namespace

result<append_result> append_batches(log_state& s, std::span<std::byte> data) {
    size_t max_batch;
    bool log_append_time;
    {
        std::shared_lock lk(s.mu);
        max_batch =
            static_cast<size_t>(s.config.max_message_bytes) + model::batch_layout::log_overhead;
        log_append_time = s.config.log_append_time;
    }
    max_batch = std::min<size_t>(max_batch, segment::k_max_batch_bytes);
    auto batches = validate_batches(data, max_batch);
    if (!batches.ok()) return batches.err();
    auto producer = producer_batch_info::from_header(data.subspan(batches->front().at));
    if (producer.has_producer() && batches->size() != 1)
        return make_error(errc::invalid_argument,
                          "a producer id's batches must be appended one at a time");

    std::unique_lock lk(s.mu);
    if (s.closed) return make_error(errc::shutting_down, "log is closed");
    if (producer.has_producer()) {
        if (auto verdict = check_producer(s, producer)) return std::move(*verdict);
    }
    int64_t now = s.clock();
    int64_t first = s.end.load();
    int64_t total_delta = 0;
    for (const auto& b : *batches)
        total_delta += static_cast<int64_t>(b.last_delta) + 1;
    const uint64_t stored = stored_size(s, data.size(), batches->size());
    if (s.roll_due_locked(stored, first + total_delta - 1, now)) SPATE_TRY(s.roll_locked(now));
    std::vector<batch_position> positions;
    positions.reserve(batches->size());
    int64_t next = first;
    for (const auto& b : *batches) {
        auto bytes = data.subspan(b.at, b.size);
        model::set_base_offset(bytes, model::offset(next));
        int64_t max_ts = b.max_ts;
        if (log_append_time) {
            model::set_log_append_time(bytes, now);
            max_ts = now;
        }
        positions.push_back(
            {model::offset(next), model::offset(next + b.last_delta), max_ts, b.at, b.size});
        next += static_cast<int64_t>(b.last_delta) + 1;
    }
    SPATE_TRY(write_active(s, data, positions, now));
    s.end = next;
    s.appended_bytes += stored;
    s.durability.mark_dirty();
    if (producer.has_producer())
        s.producers.update(producer, model::offset(first), model::offset(next - 1));
    return append_result{model::offset(first), model::offset(next - 1), log_append_time ? now : -1};
}

result<append_result> append_txn_marker(log_state& s, model::producer_id pid,
                                        model::producer_epoch epoch, bool commit,
                                        int32_t coordinator_epoch) {
    if (pid.value() < 0) return make_error(errc::invalid_argument, "marker without producer id");
    std::unique_lock lk(s.mu);
    if (s.closed) return make_error(errc::shutting_down, "log is closed");
    const producer_entry* e = s.producers.find(pid);
    if (e && epoch < e->epoch) {
        return make_error(errc::producer_fenced,
                          "producer " + std::to_string(pid.value()) + ": marker epoch " +
                              std::to_string(epoch.value()) + " is older than " +
                              std::to_string(e->epoch.value()));
    }
    int64_t txn_first = e ? e->txn_first_offset : -1;
    int64_t now = s.clock();
    int64_t offset = s.end.load();
    auto type = commit ? model::control_record_type::commit : model::control_record_type::abort;
    auto data =
        model::build_control_batch(type, coordinator_epoch, now, pid, epoch, model::offset(offset));
    if (s.config.log_append_time) model::set_log_append_time(data, now);
    if (s.roll_due_locked(data.size(), offset, now)) SPATE_TRY(s.roll_locked(now));
    batch_position pos{model::offset(offset), model::offset(offset), now, 0,
                       static_cast<uint32_t>(data.size())};
    SPATE_TRY(write_active(s, data, std::span(&pos, 1), now));
    s.end = offset + 1;
    s.appended_bytes += data.size();
    s.durability.mark_dirty();
    auto view = model::record_batch_view::parse_unchecked_crc(data);
    SPATE_ASSERT(view.ok());
    s.producers.update(producer_batch_info::from(*view), model::offset(offset),
                       model::offset(offset));
    if (!commit && txn_first >= 0) {
        // The marker is in the log: an index entry that fails to be written
        // is re-derived by the replay on the next open.
        SPATE_TRY(s.segments.back()->txns().append(
            {pid.value(), txn_first, offset, stable_offset(s.producers, offset + 1)}));
    }
    return append_result{model::offset(offset), model::offset(offset),
                         s.config.log_append_time ? now : -1};
}

}  // namespace spate::storage
