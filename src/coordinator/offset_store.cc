#include "coordinator/offset_store.h"

#include <chrono>

#include "kafka/protocol/wire.h"
#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "model/records.h"

namespace spate::coordinator {

namespace {

constexpr int16_t k_key_version = 1;
constexpr int16_t k_value_version = 3;

}  // namespace

bytes encode_offset_key(const std::string& group, const topic_partition& tp) {
    bytes out;
    kafka::protocol::writer w(out);
    w.write_int16(k_key_version);
    w.write_string(group, false);
    w.write_string(tp.topic, false);
    w.write_int32(tp.partition);
    return out;
}

bytes encode_offset_value(const committed_offset& o) {
    bytes out;
    kafka::protocol::writer w(out);
    w.write_int16(k_value_version);
    w.write_int64(o.offset);
    w.write_int32(o.leader_epoch);
    w.write_string(o.metadata, false);
    w.write_int64(o.commit_timestamp_ms);
    return out;
}

result<offset_record> decode_offset_record(std::span<const std::byte> key,
                                           std::optional<std::span<const std::byte>> value) {
    kafka::protocol::reader k(key);
    int16_t kv = k.read_int16();
    if (!k.ok()) return make_error(errc::corrupt, "offsets record: short key");
    if (kv != 0 && kv != 1)
        return make_error(errc::unsupported, "offsets record: key version " + std::to_string(kv));
    offset_record r;
    r.group = k.read_string(false);
    r.tp.topic = k.read_string(false);
    r.tp.partition = k.read_int32();
    if (!k.ok()) return make_error(errc::corrupt, "offsets record: bad key");
    if (!value) return r;
    kafka::protocol::reader v(*value);
    int16_t vv = v.read_int16();
    committed_offset o;
    o.offset = v.read_int64();
    if (vv >= 3) o.leader_epoch = v.read_int32();
    o.metadata = v.read_string(false);
    o.commit_timestamp_ms = v.read_int64();
    if (vv == 1) (void)v.read_int64();  // v1: expire timestamp
    if (!v.ok() || vv < 0 || vv > 4) return make_error(errc::corrupt, "offsets record: bad value");
    r.value = std::move(o);
    return r;
}

result<std::shared_ptr<storage::log>> offset_store::partition(bool create) {
    if (_log) return _log;
    if (!_logs.describe(k_offsets_topic)) {
        if (!create) return std::shared_ptr<storage::log>();
        auto created = _logs.create_topic(k_offsets_topic, 1, {{"cleanup.policy", "compact"}});
        if (!created.ok() && created.err().code != errc::already_exists) return created.err();
    }
    _log = _logs.get(k_offsets_topic, 0);
    if (!_log) return make_error(errc::not_found, "__consumer_offsets partition 0 is missing");
    return _log;
}

status offset_store::append(const std::string& group, const topic_partition& tp,
                            const std::optional<committed_offset>& o) {
    bytes key = encode_offset_key(group, tp);
    std::optional<bytes> value;
    if (o) value = encode_offset_value(*o);
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    model::record_batch_options opts;
    opts.partition_leader_epoch = 0;  // as the produce path stamps
    model::record_batch_builder b(opts);
    b.add(now, std::span<const std::byte>(key),
          value ? std::optional<std::span<const std::byte>>(*value) : std::nullopt);
    bytes batch = b.finish();
    std::lock_guard lk(_mu);
    auto l = partition(true);
    if (!l.ok()) return l.err();
    auto r = (*l)->append(batch);
    if (!r.ok()) return r.err();
    return {};
}

status offset_store::load_into(group_coordinator& gc) {
    std::shared_ptr<storage::log> log;
    {
        std::lock_guard lk(_mu);
        auto l = partition(false);
        if (!l.ok()) return l.err();
        log = std::move(*l);
    }
    if (!log) return {};
    model::offset at = log->log_start_offset();
    model::offset end = log->log_end_offset();
    std::vector<std::byte> buf;
    while (at < end) {
        auto rr = log->read(at, size_t{1} << 20);
        if (!rr.ok()) return rr.err();
        if (!rr->chunk) break;
        buf.clear();
        SPATE_TRY(rr->copy_to(buf));
        std::span<const std::byte> rest(buf);
        model::offset next = at;
        while (!rest.empty()) {
            auto batch = model::record_batch_view::parse(rest);
            if (!batch.ok()) return batch.err();
            rest = rest.subspan(batch->size_bytes());
            next = batch->last_offset() + 1;
            if (batch->is_control()) continue;
            auto reader = model::record_reader::create(*batch);
            if (!reader.ok()) return reader.err();
            SPATE_TRY(reader->for_each([&](const model::record_view& rec) {
                if (!rec.key) return;
                auto d = decode_offset_record(*rec.key, rec.value);
                if (!d.ok()) return;  // other record kinds / versions: skipped
                gc.load_offset(d->group, d->tp,
                               d->value ? *d->value : committed_offset{.offset = -1});
            }));
        }
        if (next <= at) break;
        at = next;
    }
    return {};
}

}  // namespace spate::coordinator
