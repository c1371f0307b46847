#include "coordinator/offset_store.h"

#include <chrono>

#include "base/log.h"
#include "kafka/protocol/reader.h"
#include "kafka/protocol/writer.h"
#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "model/records.h"

namespace spate::coordinator {

namespace {

constexpr int16_t k_key_version = 1;
constexpr int16_t k_value_version = 3;
constexpr int16_t k_group_key_version = 2;
constexpr int16_t k_group_value_version = 3;

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

bytes encode_group_key(const std::string& group) {
    bytes out;
    kafka::protocol::writer w(out);
    w.write_int16(k_group_key_version);
    w.write_string(group, false);
    return out;
}

bytes encode_group_value(const group_snapshot& g) {
    bytes out;
    kafka::protocol::writer w(out);
    w.write_int16(k_group_value_version);
    w.write_string(g.protocol_type, false);
    w.write_int32(g.generation);
    w.write_nullable_string(g.protocol_name, false, true);
    w.write_nullable_string(g.leader, false, true);
    w.write_int64(g.state_timestamp_ms);
    w.write_array_length(g.members.size(), false);
    for (const auto& m : g.members) {
        w.write_string(m.member_id, false);
        w.write_nullable_string(m.instance_id, false, true);
        w.write_string(m.client_id, false);
        w.write_string(m.client_host, false);
        w.write_int32(m.rebalance_timeout_ms);
        w.write_int32(m.session_timeout_ms);
        w.write_bytes(m.subscription, false);
        w.write_bytes(m.assignment, false);
    }
    return out;
}

result<group_record> decode_group_record(std::span<const std::byte> key,
                                         std::optional<std::span<const std::byte>> value) {
    kafka::protocol::reader k(key);
    int16_t kv = k.read_int16();
    if (!k.ok()) return make_error(errc::corrupt, "group record: short key");
    if (kv != k_group_key_version)
        return make_error(errc::unsupported, "group record: key version " + std::to_string(kv));
    group_record r;
    r.group = k.read_string(false);
    if (!k.ok()) return make_error(errc::corrupt, "group record: bad key");
    if (!value) return r;
    kafka::protocol::reader v(*value);
    int16_t vv = v.read_int16();
    if (!v.ok() || vv < 0 || vv > 3)
        return make_error(errc::unsupported, "group record: value version " + std::to_string(vv));
    group_snapshot g;
    g.protocol_type = v.read_string(false);
    g.generation = v.read_int32();
    g.protocol_name = v.read_nullable_string(false, true);
    g.leader = v.read_nullable_string(false, true);
    if (vv >= 2) g.state_timestamp_ms = v.read_int64();
    int32_t n = v.read_int32();
    // Each member takes at least 20 bytes: a bound before reserving.
    if (!v.ok() || n < 0 || static_cast<size_t>(n) > v.remaining() / 20)
        return make_error(errc::corrupt, "group record: bad member count");
    for (int32_t i = 0; i < n; ++i) {
        member_snapshot m;
        m.member_id = v.read_string(false);
        if (vv >= 3) m.instance_id = v.read_nullable_string(false, true);
        m.client_id = v.read_string(false);
        m.client_host = v.read_string(false);
        m.rebalance_timeout_ms = vv >= 1 ? v.read_int32() : 0;
        m.session_timeout_ms = v.read_int32();
        if (vv == 0) m.rebalance_timeout_ms = m.session_timeout_ms;
        m.subscription = v.read_bytes(false);
        m.assignment = v.read_bytes(false);
        if (!v.ok()) break;
        g.members.push_back(std::move(m));
    }
    if (!v.ok()) return make_error(errc::corrupt, "group record: bad value");
    r.value = std::move(g);
    return r;
}

offset_store::offset_store(storage::log_manager& logs)
    : _topic(logs, k_offsets_topic,
             {{"cleanup.policy", "compact"}, {"segment.bytes", "104857600"}}) {}

status offset_store::append_offsets(const std::string& group,
                                    const std::vector<offset_change>& changes) {
    auto r = _topic.append(offset_records(group, changes));
    if (!r.ok()) return r.err();
    return {};
}

status offset_store::append_txn_offsets(const std::string& group, int64_t producer_id,
                                        int16_t producer_epoch,
                                        const std::vector<offset_change>& changes) {
    auto r = _topic.append(offset_records(group, changes),
                           internal_topic::txn_producer{producer_id, producer_epoch});
    if (!r.ok()) return r.err();
    return {};
}

status offset_store::append_group(const std::string& group,
                                  const std::optional<group_snapshot>& g) {
    std::vector<key_value> records;
    records.emplace_back(encode_group_key(group),
                         g ? std::optional<bytes>(encode_group_value(*g)) : std::nullopt);
    auto r = _topic.append(records);
    if (!r.ok()) return r.err();
    return {};
}

status offset_store::append_consumer_group(const std::string& group,
                                           const std::optional<bytes>& snapshot) {
    std::vector<key_value> records;
    records.emplace_back(encode_consumer_group_key(group), snapshot);
    auto r = _topic.append(records);
    if (!r.ok()) return r.err();
    return {};
}

bytes encode_consumer_group_key(const std::string& group) {
    bytes out;
    kafka::protocol::writer w(out);
    w.write_int16(k_consumer_group_key_version);
    w.write_string(group, false);
    return out;
}

result<std::string> decode_consumer_group_key(std::span<const std::byte> key) {
    kafka::protocol::reader k(key);
    int16_t kv = k.read_int16();
    if (!k.ok()) return make_error(errc::corrupt, "consumer group record: short key");
    if (kv != k_consumer_group_key_version)
        return make_error(errc::unsupported,
                          "consumer group record: key version " + std::to_string(kv));
    std::string group = k.read_string(false);
    if (!k.ok()) return make_error(errc::corrupt, "consumer group record: bad key");
    return group;
}

std::vector<key_value> offset_store::offset_records(const std::string& group,
                                                    const std::vector<offset_change>& changes) {
    std::vector<key_value> records;
    records.reserve(changes.size());
    for (const auto& [tp, o] : changes)
        records.emplace_back(encode_offset_key(group, tp),
                             o ? std::optional<bytes>(encode_offset_value(*o)) : std::nullopt);
    return records;
}

namespace {

// Installs one non-control record of `__consumer_offsets`; records it cannot
// decode are skipped and logged with their offset.
void replay_record(group_coordinator& gc, const model::record_view& rec, int64_t offset,
                   std::optional<int64_t> txn_producer) {
    if (!rec.key) {
        logging::get("coordinator")
            .warn("{} offset {}: record without a key skipped", k_offsets_topic, offset);
        return;
    }
    auto d = decode_offset_record(*rec.key, rec.value);
    if (d.ok()) {
        committed_offset o = d->value ? *d->value : committed_offset{.offset = -1};
        if (txn_producer)
            gc.load_txn_offset(d->group, *txn_producer, d->tp, std::move(o));
        else
            gc.load_offset(d->group, d->tp, std::move(o));
        return;
    }
    auto g = decode_group_record(*rec.key, rec.value);
    if (g.ok()) {
        gc.load_group(g->group, g->value);
        return;
    }
    if (auto cg = decode_consumer_group_key(*rec.key); cg.ok()) {
        std::optional<bytes> value;
        if (rec.value) value.emplace(rec.value->begin(), rec.value->end());
        gc.load_consumer_group(*cg, value);  // logs a snapshot it cannot decode
        return;
    }
    // Neither an offset nor a group record of a known version.
    const auto& why = d.err().code == errc::unsupported ? g.err() : d.err();
    logging::get("coordinator")
        .warn("{} offset {}: record skipped: {}", k_offsets_topic, offset, why.to_string());
}

}  // namespace

status offset_store::load_into(group_coordinator& gc) {
    return _topic.replay([&](const model::record_batch_view& batch) -> status {
        int64_t pid = batch.producer_id().value();
        int64_t base = batch.base_offset().value();
        auto reader = model::record_reader::create(batch);
        if (!reader.ok()) return reader.err();
        if (batch.is_control()) {
            // A transaction marker: the producer's pending offsets become
            // committed (COMMIT) or are dropped (ABORT).
            return reader->for_each([&](const model::record_view& rec) {
                auto m = model::parse_control_marker(rec);
                if (m.ok()) {
                    gc.complete_txn(pid, m->type == model::control_record_type::commit);
                    return;
                }
                logging::get("coordinator")
                    .warn("{} offset {}: control record of producer {} skipped: {}",
                          k_offsets_topic, base + rec.offset_delta, pid, m.err().to_string());
            });
        }
        std::optional<int64_t> txn_producer;
        if (batch.is_transactional()) txn_producer = pid;
        return reader->for_each([&](const model::record_view& rec) {
            replay_record(gc, rec, base + rec.offset_delta, txn_producer);
        });
    });
}

}  // namespace spate::coordinator
