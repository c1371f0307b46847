#include "coordinator/groups/consumer_log.h"

#include "kafka/protocol/reader.h"
#include "kafka/protocol/writer.h"

namespace spate::coordinator::groups {

namespace {

constexpr int16_t k_version = 0;

void write_partitions(kafka::protocol::writer& w, const partition_set& ps) {
    w.write_int32(static_cast<int32_t>(ps.size()));
    for (const auto& [topic, parts] : ps) {
        w.write_string(topic, false);
        w.write_int32(static_cast<int32_t>(parts.size()));
        for (int32_t p : parts)
            w.write_int32(p);
    }
}

bool read_partitions(kafka::protocol::reader& r, partition_set& ps) {
    int32_t n = r.read_int32();
    if (!r.ok() || n < 0 || static_cast<size_t>(n) > r.remaining() / 6) return false;
    for (int32_t i = 0; i < n; ++i) {
        auto& parts = ps[r.read_string(false)];
        int32_t k = r.read_int32();
        if (!r.ok() || k < 0 || static_cast<size_t>(k) > r.remaining() / 4) return false;
        for (int32_t j = 0; j < k; ++j)
            parts.insert(r.read_int32());
    }
    return r.ok();
}

void write_member(kafka::protocol::writer& w, const consumer_member& m,
                  const partition_set* target) {
    w.write_string(m.id, false);
    w.write_nullable_string(m.instance_id, false, true);
    w.write_nullable_string(m.rack_id, false, true);
    w.write_string(m.client_id, false);
    w.write_string(m.client_host, false);
    w.write_int32(m.epoch);
    w.write_int32(m.previous_epoch);
    w.write_int8(static_cast<int8_t>(m.state));
    w.write_int32(m.rebalance_timeout_ms);
    w.write_bool(m.static_left);
    w.write_int32(static_cast<int32_t>(m.subscribed_topics.size()));
    for (const auto& t : m.subscribed_topics)
        w.write_string(t, false);
    w.write_nullable_string(m.subscribed_regex, false, true);
    w.write_string(m.server_assignor, false);
    write_partitions(w, m.assigned);
    write_partitions(w, m.revoking);
    write_partitions(w, target ? *target : partition_set{});
}

bool read_member(kafka::protocol::reader& r, consumer_member& m, partition_set& target) {
    m.id = r.read_string(false);
    m.instance_id = r.read_nullable_string(false, true);
    m.rack_id = r.read_nullable_string(false, true);
    m.client_id = r.read_string(false);
    m.client_host = r.read_string(false);
    m.epoch = r.read_int32();
    m.previous_epoch = r.read_int32();
    int8_t state = r.read_int8();
    if (state < 0 || state > static_cast<int8_t>(member_state::unreleased_partitions)) return false;
    m.state = static_cast<member_state>(state);
    m.rebalance_timeout_ms = r.read_int32();
    m.static_left = r.read_bool();
    int32_t n = r.read_int32();
    if (!r.ok() || n < 0 || static_cast<size_t>(n) > r.remaining() / 2) return false;
    for (int32_t i = 0; i < n; ++i)
        m.subscribed_topics.push_back(r.read_string(false));
    m.subscribed_regex = r.read_nullable_string(false, true);
    m.server_assignor = r.read_string(false);
    return read_partitions(r, m.assigned) && read_partitions(r, m.revoking) &&
           read_partitions(r, target);
}

}  // namespace

bytes encode_consumer_group(const consumer_group_state& g) {
    bytes out;
    kafka::protocol::writer w(out);
    w.write_int16(k_version);
    w.write_int32(g.group_epoch);
    w.write_int32(g.assignment_epoch);
    w.write_string(g.assignor, false);
    w.write_int32(static_cast<int32_t>(g.members.size()));
    for (const auto& [id, m] : g.members) {
        auto t = g.target.find(id);
        write_member(w, m, t == g.target.end() ? nullptr : &t->second);
    }
    return out;
}

result<consumer_group_state> decode_consumer_group(std::span<const std::byte> data) {
    kafka::protocol::reader r(data);
    int16_t version = r.read_int16();
    if (!r.ok()) return make_error(errc::corrupt, "consumer group record: short value");
    if (version != k_version)
        return make_error(errc::unsupported,
                          "consumer group record: value version " + std::to_string(version));
    consumer_group_state g;
    g.group_epoch = r.read_int32();
    g.assignment_epoch = r.read_int32();
    g.assignor = r.read_string(false);
    int32_t n = r.read_int32();
    if (!r.ok() || n < 0 || static_cast<size_t>(n) > r.remaining() / 40)
        return make_error(errc::corrupt, "consumer group record: bad member count");
    for (int32_t i = 0; i < n; ++i) {
        consumer_member m;
        partition_set target;
        if (!read_member(r, m, target))
            return make_error(errc::corrupt, "consumer group record: bad member");
        if (m.instance_id) g.static_members[*m.instance_id] = m.id;
        g.target[m.id] = std::move(target);
        std::string id = m.id;
        g.members[id] = std::move(m);
    }
    if (r.remaining() != 0)
        return make_error(errc::corrupt, "consumer group record: trailing bytes");
    return g;
}

}  // namespace spate::coordinator::groups
