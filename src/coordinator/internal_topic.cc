#include "coordinator/internal_topic.h"

#include <chrono>

#include "base/log.h"
#include "model/record_batch_builder.h"
#include "model/records.h"

namespace spate::coordinator {

internal_topic::internal_topic(storage::log_manager& logs, std::string name,
                               std::map<std::string, std::string> configs)
    : _logs(logs), _name(std::move(name)), _configs(std::move(configs)) {}

result<std::shared_ptr<storage::log>> internal_topic::partition_locked(bool create) {
    if (_log) return _log;
    if (!_logs.describe(_name)) {
        if (!create) return std::shared_ptr<storage::log>();
        auto created = _logs.create_topic(_name, 1, _configs);
        if (!created.ok() && created.err().code != errc::already_exists) return created.err();
    }
    _log = _logs.get(_name, 0);
    if (!_log) return make_error(errc::not_found, _name + " partition 0 is missing");
    return _log;
}

result<std::shared_ptr<storage::log>> internal_topic::partition(bool create) {
    std::lock_guard lk(_mu);
    return partition_locked(create);
}

result<storage::append_result> internal_topic::append(const std::vector<key_value>& records,
                                                      std::optional<txn_producer> txn) {
    int64_t now = storage::system_now_ms();
    model::record_batch_options opts;
    opts.partition_leader_epoch = 0;  // as the produce path stamps
    if (txn) {
        opts.producer_id = model::producer_id(txn->producer_id);
        opts.producer_epoch = model::producer_epoch(txn->producer_epoch);
        opts.transactional = true;
    }
    model::record_batch_builder b(opts);
    for (const auto& [key, value] : records)
        b.add(now, std::span<const std::byte>(key),
              value ? std::optional<std::span<const std::byte>>(*value) : std::nullopt);
    auto batch = b.finish();
    std::lock_guard lk(_mu);
    auto l = partition_locked(true);
    if (!l.ok()) return l.err();
    return (*l)->append(batch);
}

status internal_topic::replay(const std::function<status(const model::record_batch_view&)>& fn) {
    auto l = partition(false);
    if (!l.ok()) return l.err();
    std::shared_ptr<storage::log> log = std::move(*l);
    if (!log) return {};
    model::offset at = log->log_start_offset();
    model::offset end = log->log_end_offset();
    std::vector<std::byte> buf;
    while (at < end) {
        auto rr = log->read(at, size_t{1} << 20);
        if (!rr.ok()) return rr.err();
        if (!rr->chunk) {
            logging::get("coordinator")
                .warn("{}: replay stopped at offset {}, before the log end {}: nothing to read",
                      _name, at.value(), end.value());
            break;
        }
        buf.clear();
        SPATE_TRY(rr->copy_to(buf));
        std::span<const std::byte> rest(buf);
        model::offset next = at;
        while (!rest.empty()) {
            auto batch = model::record_batch_view::parse(rest);
            if (!batch.ok()) return batch.err();
            rest = rest.subspan(batch->size_bytes());
            next = batch->last_offset() + 1;
            SPATE_TRY(fn(*batch));
        }
        if (next <= at) {
            logging::get("coordinator")
                .warn("{}: replay stopped at offset {}, before the log end {}: no progress", _name,
                      at.value(), end.value());
            break;
        }
        at = next;
    }
    return {};
}

status internal_topic::replay_keyed(const keyed_fn& fn) {
    auto text = [](std::span<const std::byte> b) {
        return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
    };
    return replay([&](const model::record_batch_view& batch) -> status {
        if (batch.is_control()) return {};
        auto reader = model::record_reader::create(batch);
        if (!reader.ok()) return reader.err();
        status bad;
        SPATE_TRY(reader->for_each([&](const model::record_view& rec) {
            if (!bad.ok()) return;
            std::optional<std::string_view> value;
            if (rec.value) value = text(*rec.value);
            bad = rec.key ? fn(text(*rec.key), value)
                          : status(make_error(errc::corrupt, "a record without a key"));
            if (!bad.ok())
                bad = make_error(bad.err().code, _name + " offset " +
                                                     std::to_string(batch.base_offset().value() +
                                                                    rec.offset_delta) +
                                                     ": " + bad.err().message);
        }));
        return bad;
    });
}

}  // namespace spate::coordinator
