#include "coordinator/groups/membership.h"

#include <algorithm>

#include "kafka/protocol/generated/consumer_protocol_subscription.h"
#include "kafka/protocol/reader.h"

namespace spate::coordinator::groups {

namespace {

bool same_protocols(const std::vector<group_protocol>& a, const std::vector<group_protocol>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name || a[i].metadata != b[i].metadata) return false;
    return true;
}

join_result join_error(error_code e, const std::string& member_id = {}) {
    join_result r;
    r.error = e;
    r.member_id = member_id;
    return r;
}

sync_result sync_error(error_code e) {
    sync_result r;
    r.error = e;
    return r;
}

// Topics of a ConsumerProtocolSubscription; nullopt when the bytes do not
// parse. Newer versions than the codec knows only append fields, so they are
// read as the newest known one.
std::optional<std::set<std::string>> topics_of(const bytes& md) {
    kafka::protocol::reader r(md);
    int16_t version = r.read_int16();
    if (!r.ok() || version < 0) return std::nullopt;
    kafka::protocol::consumer_protocol_subscription sub;
    auto known = std::min(version, kafka::protocol::consumer_protocol_subscription::k_max_version);
    if (!sub.decode(r, known).ok()) return std::nullopt;
    return std::set<std::string>(sub.topics.begin(), sub.topics.end());
}

}  // namespace

membership::membership(options opts, clock_fn now_ms, const persistence& store)
    : _opts(opts), _now(std::move(now_ms)), _store(store) {}

error_code membership::validate(join_request& req) const {
    if (req.group_id.empty()) return error_code::invalid_group_id;
    if (req.session_timeout_ms < _opts.min_session_timeout_ms ||
        req.session_timeout_ms > _opts.max_session_timeout_ms)
        return error_code::invalid_session_timeout;
    if (req.rebalance_timeout_ms <= 0) req.rebalance_timeout_ms = req.session_timeout_ms;
    return error_code::none;
}

void membership::join(group& g, join_request req, join_callback done, pending_callbacks& out) {
    if (g.state == group_state::dead)
        return out.answer(done, join_error(error_code::coordinator_not_available, req.member_id));
    if (!supports_protocols(g, req))
        return out.answer(done, join_error(error_code::inconsistent_group_protocol, req.member_id));
    if (req.member_id.empty()) return join_without_id(g, std::move(req), std::move(done), out);
    if (g.pending.count(req.member_id)) {
        g.pending.erase(req.member_id);
        auto& m = g.members[req.member_id];
        m.id = req.member_id;
        return add_or_update_member(g, m, req, std::move(done), out);
    }
    join_known(g, std::move(req), std::move(done), out);
}

void membership::join_without_id(group& g, join_request req, join_callback done,
                                 pending_callbacks& out) {
    if (req.instance_id && g.static_members.count(*req.instance_id))
        return rejoin_static(g, std::move(req), std::move(done), out);
    std::string id = new_member_id(req.client_id);
    if (req.require_known_member_id && !req.instance_id) {
        g.pending[id] = _now() + req.session_timeout_ms;
        return out.answer(done, join_error(error_code::member_id_required, id));
    }
    auto& m = g.members[id];
    m.id = id;
    if (req.instance_id) g.static_members[*req.instance_id] = id;
    add_or_update_member(g, m, req, std::move(done), out);
}

void membership::rejoin_static(group& g, join_request req, join_callback done,
                               pending_callbacks& out) {
    // A static member restarting: it takes over its old entry under a new
    // id; the old id is fenced.
    std::string old_id = g.static_members[*req.instance_id];
    std::string new_id = new_member_id(req.client_id);
    auto node = g.members.extract(old_id);
    member& old = node.mapped();
    if (old.awaiting_join)
        out.answer(old.awaiting_join, join_error(error_code::fenced_instance_id));
    if (old.awaiting_sync)
        out.answer(old.awaiting_sync, sync_error(error_code::fenced_instance_id));
    node.key() = new_id;
    old.id = new_id;
    auto& m = g.members.insert(std::move(node)).position->second;
    g.static_members[*req.instance_id] = new_id;
    bool was_leader = g.leader == old_id;
    if (was_leader) g.leader = new_id;
    if (g.state == group_state::stable && !was_leader &&
        same_protocols(m.protocols, req.protocols)) {
        m.last_heartbeat_ms = _now();
        m.session_timeout_ms = req.session_timeout_ms;
        m.rebalance_timeout_ms = req.rebalance_timeout_ms;
        return out.answer(done, make_join_result(g, m));
    }
    add_or_update_member(g, m, req, std::move(done), out);
}

void membership::join_known(group& g, join_request req, join_callback done,
                            pending_callbacks& out) {
    auto [mp, err] = lookup_member(g, req.member_id, req.instance_id);
    if (!mp) return out.answer(done, join_error(err, req.member_id));
    member& m = *mp;
    bool same = same_protocols(m.protocols, req.protocols);
    // A member rejoining with unchanged protocols gets the current
    // generation: any member while the assignment is pending, a follower of
    // a Stable group (a leader's rejoin triggers a rebalance).
    if (same && (g.state == group_state::completing_rebalance ||
                 (g.state == group_state::stable && m.id != g.leader))) {
        m.last_heartbeat_ms = _now();
        return out.answer(done, make_join_result(g, m));
    }
    add_or_update_member(g, m, req, std::move(done), out);
}

void membership::sync(group& g, sync_request req, sync_callback done, pending_callbacks& out) {
    if (g.state == group_state::dead)
        return out.answer(done, sync_error(error_code::coordinator_not_available));
    auto [mp, err] = lookup_member(g, req.member_id, req.instance_id);
    if (!mp) return out.answer(done, sync_error(err));
    member& m = *mp;
    if (req.generation != g.generation)
        return out.answer(done, sync_error(error_code::illegal_generation));
    m.last_heartbeat_ms = _now();
    switch (g.state) {
        case group_state::preparing_rebalance:
            return out.answer(done, sync_error(error_code::rebalance_in_progress));
        case group_state::empty:
        case group_state::dead:
            return out.answer(done, sync_error(error_code::unknown_member_id));
        case group_state::stable: {
            sync_result r;
            r.protocol_type = g.protocol_type;
            r.protocol_name = g.protocol_name;
            r.assignment = m.assignment;
            return out.answer(done, std::move(r));
        }
        case group_state::completing_rebalance:
            m.awaiting_sync = std::move(done);
            if (m.id != g.leader) return;
            for (auto& [id, a] : req.assignments) {
                auto mit = g.members.find(id);
                if (mit != g.members.end()) mit->second.assignment = std::move(a);
            }
            complete_sync(g, out);
            return;
    }
}

void membership::complete_sync(group& g, pending_callbacks& out) {
    g.state = group_state::stable;
    g.state_timestamp_ms = _now();
    if (!store(g, "assignment").ok()) {
        // As Kafka: the generation cannot complete unpersisted; members get
        // the error and rejoin.
        for (auto& [id, m] : g.members) {
            m.assignment.clear();
            if (m.awaiting_sync)
                out.answer(m.awaiting_sync, sync_error(error_code::coordinator_not_available));
        }
        prepare_rebalance(g, out);
        return;
    }
    for (auto& [id, m] : g.members) {
        if (!m.awaiting_sync) continue;
        sync_result r;
        r.protocol_type = g.protocol_type;
        r.protocol_name = g.protocol_name;
        r.assignment = m.assignment;
        out.answer(m.awaiting_sync, std::move(r));
    }
}

error_code membership::heartbeat(group& g, const std::string& member_id,
                                 const std::optional<std::string>& instance_id,
                                 int32_t generation) {
    if (g.state == group_state::dead) return error_code::coordinator_not_available;
    auto [m, err] = lookup_member(g, member_id, instance_id);
    if (!m) return err;
    if (generation != g.generation) return error_code::illegal_generation;
    m->last_heartbeat_ms = _now();
    if (g.state == group_state::preparing_rebalance) return error_code::rebalance_in_progress;
    return error_code::none;
}

std::vector<error_code> membership::leave(group& g, const std::vector<leave_member>& members,
                                          pending_callbacks& out) {
    std::vector<error_code> errors(members.size(), error_code::unknown_member_id);
    for (size_t i = 0; i < members.size(); ++i) {
        const auto& lm = members[i];
        std::string id = lm.member_id;
        if (lm.instance_id) {
            auto s = g.static_members.find(*lm.instance_id);
            if (s == g.static_members.end()) continue;
            if (!id.empty() && s->second != id) {
                errors[i] = error_code::fenced_instance_id;
                continue;
            }
            id = s->second;
        }
        if (g.pending.erase(id)) {
            errors[i] = error_code::none;
            maybe_complete_join(g, out);
            continue;
        }
        if (!g.members.count(id)) continue;
        errors[i] = error_code::none;
        remove_member(g, id, out);
    }
    return errors;
}

error_code membership::check_committer(group& g, int32_t generation, const std::string& member_id,
                                       const std::optional<std::string>& instance_id) {
    auto [m, err] = lookup_member(g, member_id, instance_id);
    if (!m) return err;
    if (generation != g.generation) return error_code::illegal_generation;
    if (g.state == group_state::completing_rebalance) return error_code::rebalance_in_progress;
    m->last_heartbeat_ms = _now();
    return error_code::none;
}

std::pair<member*, error_code> membership::lookup_member(
    group& g, const std::string& member_id, const std::optional<std::string>& instance_id) {
    if (instance_id) {
        auto s = g.static_members.find(*instance_id);
        if (s != g.static_members.end() && s->second != member_id)
            return {nullptr, error_code::fenced_instance_id};
    }
    auto it = g.members.find(member_id);
    if (it == g.members.end()) return {nullptr, error_code::unknown_member_id};
    return {&it->second, error_code::none};
}

void membership::load(group& g, const std::optional<group_snapshot>& snap) {
    g.members.clear();
    g.static_members.clear();
    if (!snap) {
        g.state = group_state::empty;
        g.generation = 0;
        g.protocol_type.clear();
        g.protocol_name.clear();
        g.leader.clear();
        return;
    }
    int64_t now = _now();
    g.generation = snap->generation;
    g.protocol_type = snap->protocol_type;
    g.protocol_name = snap->protocol_name.value_or("");
    g.leader = snap->leader.value_or("");
    g.state_timestamp_ms = snap->state_timestamp_ms;
    for (const auto& ms : snap->members) {
        member& m = g.members[ms.member_id];
        m.id = ms.member_id;
        m.instance_id = ms.instance_id;
        m.client_id = ms.client_id;
        m.client_host = ms.client_host;
        m.rebalance_timeout_ms = ms.rebalance_timeout_ms;
        m.session_timeout_ms = ms.session_timeout_ms;
        m.protocols = {{g.protocol_name, ms.subscription}};
        m.assignment = ms.assignment;
        m.last_heartbeat_ms = now;
        if (m.instance_id) g.static_members[*m.instance_id] = m.id;
    }
    if (g.members.empty()) {
        g.state = group_state::empty;
        g.protocol_name.clear();
        g.leader.clear();
    } else {
        g.state = group_state::stable;
        if (!g.members.count(g.leader)) g.leader = g.members.begin()->first;
    }
}

group_description membership::describe(const group& g) const {
    group_description d;
    d.state = g.state;
    d.protocol_type = g.protocol_type;
    d.protocol_name = g.state == group_state::stable ? g.protocol_name : std::string();
    for (const auto& [id, m] : g.members) {
        const bytes* md = m.metadata_for(g.protocol_name);
        d.members.push_back({id, m.instance_id, m.client_id, m.client_host, md ? *md : bytes{},
                             g.state == group_state::stable ? m.assignment : bytes{}});
    }
    return d;
}

std::set<std::string> membership::subscribed_topics(const group& g) const {
    std::set<std::string> out;
    for (const auto& [id, m] : g.members) {
        const bytes* md = m.metadata_for(g.protocol_name);
        auto topics = md ? topics_of(*md) : std::nullopt;
        if (topics) out.insert(topics->begin(), topics->end());
    }
    return out;
}

membership::waiters membership::take_waiters(group& g) {
    waiters w;
    for (auto& [id, m] : g.members) {
        if (m.awaiting_join) w.joins.push_back(std::move(m.awaiting_join));
        if (m.awaiting_sync) w.syncs.push_back(std::move(m.awaiting_sync));
        m.awaiting_join = nullptr;
        m.awaiting_sync = nullptr;
    }
    return w;
}

}  // namespace spate::coordinator::groups
