// membership: rebalances (prepare, complete, protocol selection), member
// removal and session expiry.

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "coordinator/groups/membership.h"

namespace spate::coordinator::groups {

std::string membership::new_member_id(const std::string& client_id) {
    static thread_local std::mt19937_64 rng(std::random_device{}());
    uint64_t n = ++_next_id;
    char buf[48];
    std::snprintf(buf, sizeof buf, "-%llu-%016llx", static_cast<unsigned long long>(n),
                  static_cast<unsigned long long>(rng()));
    return (client_id.empty() ? std::string("member") : client_id) + buf;
}

status membership::store(const group& g, const char* what) const {
    group_snapshot snap;
    snap.protocol_type = g.protocol_type;
    snap.generation = g.generation;
    if (!g.protocol_name.empty()) snap.protocol_name = g.protocol_name;
    if (!g.leader.empty()) snap.leader = g.leader;
    snap.state_timestamp_ms = g.state_timestamp_ms;
    for (const auto& [id, m] : g.members) {
        const bytes* md = m.metadata_for(g.protocol_name);
        snap.members.push_back({id, m.instance_id, m.client_id, m.client_host,
                                m.rebalance_timeout_ms, m.session_timeout_ms, md ? *md : bytes{},
                                m.assignment});
    }
    return _store.write_group(g.id, snap, what);
}

bool membership::supports_protocols(const group& g, const join_request& req) {
    if (req.protocol_type.empty() || req.protocols.empty()) return false;
    bool others = false;
    std::set<std::string> common;
    for (const auto& [id, m] : g.members) {
        if (id == req.member_id) continue;
        std::set<std::string> names;
        for (const auto& p : m.protocols)
            names.insert(p.name);
        if (!others) {
            common = std::move(names);
            others = true;
        } else {
            std::set<std::string> both;
            for (const auto& n : common)
                if (names.count(n)) both.insert(n);
            common = std::move(both);
        }
    }
    if (!others) return true;
    if (req.protocol_type != g.protocol_type) return false;
    for (const auto& p : req.protocols)
        if (common.count(p.name)) return true;
    return false;
}

join_result membership::make_join_result(const group& g, const member& m) {
    join_result r;
    r.generation = g.generation;
    r.protocol_type = g.protocol_type;
    r.protocol_name = g.protocol_name;
    r.leader = g.leader;
    r.member_id = m.id;
    if (m.id == g.leader) {
        for (const auto& [id, other] : g.members) {
            const bytes* md = other.metadata_for(g.protocol_name);
            r.members.push_back({id, other.instance_id, md ? *md : bytes{}});
        }
    }
    return r;
}

void membership::prepare_rebalance(group& g, pending_callbacks& out) {
    int64_t now = _now();
    if (g.state == group_state::completing_rebalance) {
        for (auto& [id, m] : g.members) {
            if (!m.awaiting_sync) continue;
            sync_result r;
            r.error = error_code::rebalance_in_progress;
            out.answer(m.awaiting_sync, r);
        }
    }
    bool was_empty = g.state == group_state::empty;
    g.state = group_state::preparing_rebalance;
    int64_t timeout = 0;
    for (const auto& [id, m] : g.members)
        timeout = std::max<int64_t>(timeout, m.rebalance_timeout_ms);
    g.rebalance_deadline_ms = now + timeout;
    g.initial_delay_end_ms =
        was_empty && _opts.initial_rebalance_delay_ms > 0
            ? std::min(now + _opts.initial_rebalance_delay_ms, g.rebalance_deadline_ms)
            : 0;
    maybe_complete_join(g, out);
}

void membership::maybe_complete_join(group& g, pending_callbacks& out) {
    if (g.state != group_state::preparing_rebalance) return;
    if (g.initial_delay_end_ms != 0) return;  // tick() ends the delay
    if (!g.pending.empty()) return;
    for (const auto& [id, m] : g.members)
        if (!m.awaiting_join) return;
    complete_join(g, out);
}

void membership::complete_join(group& g, pending_callbacks& out) {
    // Members that did not rejoin in time leave the group.
    std::vector<std::string> gone;
    for (const auto& [id, m] : g.members)
        if (!m.awaiting_join) gone.push_back(id);
    for (const auto& id : gone) {
        auto& m = g.members.at(id);
        if (m.instance_id) g.static_members.erase(*m.instance_id);
        g.members.erase(id);
    }
    g.initial_delay_end_ms = 0;
    ++g.generation;
    if (g.members.empty()) {
        g.state = group_state::empty;
        g.state_timestamp_ms = _now();
        g.protocol_name.clear();
        g.leader.clear();
        // Best effort (store() logs a failure): were this lost, a restart
        // would bring back the last stable generation, whose members would
        // be fenced on rejoin anyway.
        (void)store(g, "empty group");
        return;
    }
    select_protocol(g);
    if (!g.members.count(g.leader)) g.leader = g.members.begin()->first;
    g.state = group_state::completing_rebalance;
    int64_t now = _now();
    for (auto& [id, m] : g.members) {
        m.assignment.clear();
        m.last_heartbeat_ms = now;
        out.answer(m.awaiting_join, make_join_result(g, m));
    }
}

void membership::select_protocol(group& g) {
    // Candidates: protocols every member supports, in the first member's
    // order; each member votes for its most preferred candidate.
    std::vector<std::string> candidates;
    for (const auto& p : g.members.begin()->second.protocols) {
        bool all = true;
        for (const auto& [id, m] : g.members)
            all = all && m.supports(p.name);
        if (all) candidates.push_back(p.name);
    }
    std::map<std::string, int> votes;
    for (const auto& [id, m] : g.members) {
        for (const auto& p : m.protocols) {
            if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
                ++votes[p.name];
                break;
            }
        }
    }
    g.protocol_name.clear();
    int best = -1;
    for (const auto& c : candidates) {
        if (votes[c] > best) {
            best = votes[c];
            g.protocol_name = c;
        }
    }
}

void membership::remove_member(group& g, const std::string& member_id, pending_callbacks& out) {
    auto it = g.members.find(member_id);
    if (it == g.members.end()) return;
    member& m = it->second;
    if (m.awaiting_join) {
        join_result r;
        r.error = error_code::unknown_member_id;
        r.member_id = member_id;
        out.answer(m.awaiting_join, std::move(r));
    }
    if (m.awaiting_sync) {
        sync_result r;
        r.error = error_code::unknown_member_id;
        out.answer(m.awaiting_sync, r);
    }
    if (m.instance_id) g.static_members.erase(*m.instance_id);
    g.members.erase(it);
    if (g.leader == member_id) g.leader.clear();
    if (g.state == group_state::stable || g.state == group_state::completing_rebalance)
        prepare_rebalance(g, out);
    else
        maybe_complete_join(g, out);
}

void membership::add_or_update_member(group& g, member& m, const join_request& req,
                                      join_callback done, pending_callbacks& out) {
    int64_t now = _now();
    bool is_new = m.protocols.empty();
    m.instance_id = req.instance_id;
    m.client_id = req.client_id;
    m.client_host = req.client_host;
    m.protocols = req.protocols;
    m.session_timeout_ms = req.session_timeout_ms;
    m.rebalance_timeout_ms = req.rebalance_timeout_ms;
    m.last_heartbeat_ms = now;
    if (m.awaiting_join) {
        // A duplicate join from the same member: the older request loses.
        join_result r;
        r.error = error_code::unknown_member_id;
        out.answer(m.awaiting_join, r);
    }
    m.awaiting_join = std::move(done);
    if (g.members.size() == 1 || g.protocol_type.empty()) g.protocol_type = req.protocol_type;
    if (g.state == group_state::preparing_rebalance) {
        if (is_new && g.initial_delay_end_ms != 0)
            g.initial_delay_end_ms =
                std::min(now + _opts.initial_rebalance_delay_ms, g.rebalance_deadline_ms);
        g.rebalance_deadline_ms =
            std::max<int64_t>(g.rebalance_deadline_ms, now + m.rebalance_timeout_ms);
        maybe_complete_join(g, out);
    } else {
        prepare_rebalance(g, out);
    }
}

void membership::tick(group& g, int64_t now, pending_callbacks& out) {
    std::erase_if(g.pending, [now](const auto& kv) { return kv.second <= now; });
    if (g.state == group_state::preparing_rebalance) {
        if (g.initial_delay_end_ms != 0 && now >= g.initial_delay_end_ms)
            g.initial_delay_end_ms = 0;
        if (now >= g.rebalance_deadline_ms && g.initial_delay_end_ms == 0) {
            g.pending.clear();
            complete_join(g, out);
        } else {
            maybe_complete_join(g, out);
        }
    }
    std::vector<std::string> expired;
    for (const auto& [id, m] : g.members) {
        if (g.state == group_state::preparing_rebalance && m.awaiting_join) continue;
        if (m.last_heartbeat_ms + m.session_timeout_ms <= now) expired.push_back(id);
    }
    for (const auto& id : expired)
        remove_member(g, id, out);
}

}  // namespace spate::coordinator::groups

namespace spate::coordinator::groups {

int64_t membership::next_deadline(const group& g) {
    int64_t next = std::numeric_limits<int64_t>::max();
    if (g.type != group_type::classic) return next;
    for (const auto& [id, expiry] : g.pending)
        next = std::min(next, expiry);
    if (g.state == group_state::preparing_rebalance)
        next = std::min(
            next, g.initial_delay_end_ms != 0 ? g.initial_delay_end_ms : g.rebalance_deadline_ms);
    for (const auto& [id, m] : g.members) {
        if (g.state == group_state::preparing_rebalance && m.awaiting_join) continue;
        next = std::min(next, m.last_heartbeat_ms + m.session_timeout_ms);
    }
    return next;
}

}  // namespace spate::coordinator::groups
