#include "coordinator/txn_log.h"

#include "base/log.h"
#include "kafka/protocol/reader.h"
#include "kafka/protocol/writer.h"
#include "model/records.h"

namespace spate::coordinator {

namespace {

constexpr int16_t k_txn_key_version = 0;
constexpr int16_t k_txn_value_version = 0;
// Smallest encoded partitions entry: topic length (2) + partition count (4).
constexpr size_t k_min_topic_entry = 6;

}  // namespace

int8_t txn_state_to_byte(txn_state s) {
    switch (s) {
        case txn_state::empty:
            return 0;
        case txn_state::ongoing:
            return 1;
        case txn_state::prepare_commit:
            return 2;
        case txn_state::prepare_abort:
            return 3;
        case txn_state::complete_commit:
            return 4;
        case txn_state::complete_abort:
            return 5;
        case txn_state::dead:
            return 6;
        case txn_state::prepare_epoch_fence:
            return 7;
    }
    return 6;
}

std::optional<txn_state> txn_state_from_byte(int8_t b) {
    switch (b) {
        case 0:
            return txn_state::empty;
        case 1:
            return txn_state::ongoing;
        case 2:
            return txn_state::prepare_commit;
        case 3:
            return txn_state::prepare_abort;
        case 4:
            return txn_state::complete_commit;
        case 5:
            return txn_state::complete_abort;
        case 6:
            return txn_state::dead;
        default:
            return std::nullopt;
    }
}

bytes encode_txn_key(const std::string& transactional_id) {
    bytes out;
    kafka::protocol::writer w(out);
    w.write_int16(k_txn_key_version);
    w.write_string(transactional_id, false);
    return out;
}

bytes encode_txn_value(const txn_metadata& md) {
    SPATE_ASSERT(md.state != txn_state::prepare_epoch_fence);
    bytes out;
    kafka::protocol::writer w(out);
    w.write_int16(k_txn_value_version);
    w.write_int64(md.producer_id);
    w.write_int16(md.producer_epoch);
    w.write_int32(md.timeout_ms);
    w.write_int8(txn_state_to_byte(md.state));
    // Kafka writes a null partition list for Empty transactions.
    if (md.state == txn_state::empty && md.partitions.empty()) {
        w.write_null_array_length(false);
    } else {
        // Grouped by topic; std::set order keeps each topic's partitions together.
        std::vector<std::pair<std::string, std::vector<int32_t>>> topics;
        for (const auto& tp : md.partitions) {
            if (topics.empty() || topics.back().first != tp.topic) topics.push_back({tp.topic, {}});
            topics.back().second.push_back(tp.partition);
        }
        w.write_array_length(topics.size(), false);
        for (const auto& [topic, parts] : topics) {
            w.write_string(topic, false);
            w.write_array_length(parts.size(), false);
            for (int32_t p : parts)
                w.write_int32(p);
        }
    }
    w.write_int64(md.last_update_ms);
    w.write_int64(md.start_ms);
    return out;
}

result<txn_record> decode_txn_record(std::span<const std::byte> key,
                                     std::optional<std::span<const std::byte>> value) {
    kafka::protocol::reader k(key);
    int16_t kv = k.read_int16();
    if (!k.ok()) return make_error(errc::corrupt, "transaction record: short key");
    if (kv != k_txn_key_version)
        return make_error(errc::unsupported,
                          "transaction record: key version " + std::to_string(kv));
    txn_record r;
    r.transactional_id = k.read_string(false);
    if (!k.ok() || !k.at_end()) return make_error(errc::corrupt, "transaction record: bad key");
    if (!value) return r;

    kafka::protocol::reader v(*value);
    int16_t vv = v.read_int16();
    if (!v.ok()) return make_error(errc::corrupt, "transaction record: short value");
    if (vv != k_txn_value_version)
        return make_error(errc::unsupported,
                          "transaction record: value version " + std::to_string(vv));
    txn_metadata md;
    md.producer_id = v.read_int64();
    md.producer_epoch = v.read_int16();
    md.timeout_ms = v.read_int32();
    int8_t state = v.read_int8();
    int32_t topics = v.read_array_length(false, true, k_min_topic_entry);
    for (int32_t i = 0; i < topics && v.ok(); ++i) {
        std::string topic = v.read_string(false);
        int32_t parts = v.read_array_length(false, false, 4);
        for (int32_t j = 0; j < parts && v.ok(); ++j)
            md.partitions.insert({topic, v.read_int32()});
    }
    md.last_update_ms = v.read_int64();
    md.start_ms = v.read_int64();
    if (!v.ok() || !v.at_end()) return make_error(errc::corrupt, "transaction record: bad value");
    auto s = txn_state_from_byte(state);
    if (!s)
        return make_error(errc::corrupt,
                          "transaction record: unknown state " + std::to_string(state));
    md.state = *s;
    r.value = std::move(md);
    return r;
}

txn_store::txn_store(storage::log_manager& logs)
    : _topic(logs, k_transaction_state_topic,
             {{"cleanup.policy", "compact"}, {"segment.bytes", "104857600"}}) {}

status txn_store::append(const std::string& transactional_id,
                         const std::optional<txn_metadata>& md) {
    std::vector<key_value> records;
    records.emplace_back(encode_txn_key(transactional_id),
                         md ? std::optional<bytes>(encode_txn_value(*md)) : std::nullopt);
    auto r = _topic.append(records);
    if (!r.ok()) return r.err();
    return {};
}

status txn_store::load_into(txn_coordinator& tc) {
    return _topic.replay([&](const model::record_batch_view& batch) -> status {
        if (batch.is_control()) return {};
        auto reader = model::record_reader::create(batch);
        if (!reader.ok()) return reader.err();
        int64_t base = batch.base_offset().value();
        status bad;
        SPATE_TRY(reader->for_each([&](const model::record_view& rec) {
            if (!bad.ok()) return;
            if (!rec.key) {
                logging::get("coordinator")
                    .warn("{} offset {}: record without a key skipped", k_transaction_state_topic,
                          base + rec.offset_delta);
                return;
            }
            auto r = decode_txn_record(*rec.key, rec.value);
            if (r.ok())
                tc.load(r->transactional_id, r->value);
            else if (r.err().code == errc::unsupported)
                logging::get("coordinator")
                    .warn("{} offset {}: record skipped: {}", k_transaction_state_topic,
                          base + rec.offset_delta, r.err().to_string());
            else
                bad = r.err();
        }));
        return bad;
    });
}

}  // namespace spate::coordinator
