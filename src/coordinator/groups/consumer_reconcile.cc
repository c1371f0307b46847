// consumer_membership: subscribed-topic metadata, target assignments, the
// reconciliation of a member towards its target, member removal and the
// session / revocation deadlines.

#include <algorithm>
#include <limits>

#include <re2/re2.h>

#include "coordinator/groups/assignor.h"
#include "coordinator/groups/consumer_membership.h"

namespace spate::coordinator::groups {

namespace {

// a − b
partition_set minus(const partition_set& a, const partition_set& b) {
    partition_set out;
    for (const auto& [topic, ps] : a) {
        auto it = b.find(topic);
        for (int32_t p : ps)
            if (it == b.end() || !it->second.count(p)) out[topic].insert(p);
    }
    return out;
}

// a ∩ b
partition_set intersect(const partition_set& a, const partition_set& b) {
    partition_set out;
    for (const auto& [topic, ps] : a) {
        auto it = b.find(topic);
        if (it == b.end()) continue;
        for (int32_t p : ps)
            if (it->second.count(p)) out[topic].insert(p);
    }
    return out;
}

void add_all(partition_set& to, const partition_set& from) {
    for (const auto& [topic, ps] : from)
        to[topic].insert(ps.begin(), ps.end());
}

bool overlaps(const partition_set& a, const partition_set& b) {
    return !intersect(a, b).empty();
}

}  // namespace

bool consumer_membership::refresh_metadata(group& g, const std::vector<topic_meta>& topics) {
    auto& cg = g.consumer;
    std::map<std::string, const topic_meta*> by_name;
    for (const auto& t : topics)
        by_name[t.name] = &t;
    std::map<std::string, std::pair<kafka::protocol::uuid, int32_t>> md;
    for (auto& [id, m] : cg.members) {
        std::set<std::string> resolved;
        for (const auto& name : m.subscribed_topics)
            if (by_name.count(name)) resolved.insert(name);
        if (m.subscribed_regex) {
            auto re = cg.regex_cache.find(*m.subscribed_regex);
            if (re != cg.regex_cache.end() && re->second->ok())
                for (const auto& [name, t] : by_name)
                    if (RE2::FullMatch(name, *re->second)) resolved.insert(name);
        }
        for (const auto& name : resolved)
            md[name] = {by_name[name]->id, by_name[name]->partitions};
        m.resolved_topics = std::move(resolved);
    }
    // Forget compiled expressions no member uses any more.
    std::erase_if(cg.regex_cache, [&](const auto& kv) {
        return std::none_of(cg.members.begin(), cg.members.end(),
                            [&](const auto& m) { return m.second.subscribed_regex == kv.first; });
    });
    if (md == cg.subscribed_metadata) return false;
    cg.subscribed_metadata = std::move(md);
    return true;
}

void consumer_membership::compute_target(group& g) {
    auto& cg = g.consumer;
    // The assignor most members ask for (ties: the first by name), else the default.
    std::map<std::string, int> votes;
    for (const auto& [id, m] : cg.members)
        if (!m.server_assignor.empty()) ++votes[m.server_assignor];
    std::string assignor = k_default_assignor;
    int best = 0;
    for (const auto& [name, n] : votes)
        if (n > best) {
            best = n;
            assignor = name;
        }
    std::vector<assignor_member> members;
    for (const auto& [id, m] : cg.members)
        members.push_back({id, m.resolved_topics});
    std::map<std::string, int32_t> partitions;
    for (const auto& [name, md] : cg.subscribed_metadata)
        partitions[name] = md.second;
    cg.target = compute_assignment(assignor, members, partitions, cg.target);
    cg.assignor = assignor;
    cg.assignment_epoch = cg.group_epoch;
}

void consumer_membership::reconcile(group& g, consumer_member& m,
                                    const std::optional<partition_set>& owned) {
    auto& cg = g.consumer;
    if (m.state == member_state::unrevoked_partitions) {
        // Still holding (or not saying it gave up) what it must revoke.
        if (!owned || overlaps(*owned, m.revoking)) return;
        m.revoking.clear();
        m.revocation_deadline_ms = 0;
        m.state = member_state::stable;
    }
    if (m.state == member_state::stable && m.epoch == cg.assignment_epoch) return;
    const partition_set& target = cg.target[m.id];
    partition_set revoke = minus(m.assigned, target);
    if (!revoke.empty()) {
        m.assigned = intersect(m.assigned, target);
        m.revoking = std::move(revoke);
        m.state = member_state::unrevoked_partitions;
        m.revocation_deadline_ms = _now() + m.rebalance_timeout_ms;
        return;
    }
    partition_set held_by_others;
    for (const auto& [id, other] : cg.members) {
        if (id == m.id) continue;
        add_all(held_by_others, other.assigned);
        add_all(held_by_others, other.revoking);
    }
    add_all(m.assigned, minus(minus(target, m.assigned), held_by_others));
    std::erase_if(m.assigned, [](const auto& kv) { return kv.second.empty(); });
    if (m.epoch != cg.assignment_epoch) {
        m.previous_epoch = m.epoch;
        m.epoch = cg.assignment_epoch;
    }
    m.state = minus(target, m.assigned).empty() ? member_state::stable
                                                : member_state::unreleased_partitions;
}

void consumer_membership::remove(group& g, const std::string& member_id) {
    auto& cg = g.consumer;
    auto it = cg.members.find(member_id);
    if (it == cg.members.end()) return;
    if (it->second.instance_id) {
        auto s = cg.static_members.find(*it->second.instance_id);
        if (s != cg.static_members.end() && s->second == member_id) cg.static_members.erase(s);
    }
    cg.members.erase(it);
    cg.target.erase(member_id);
    ++cg.group_epoch;
    if (cg.members.empty()) {
        cg.subscribed_metadata.clear();
        cg.regex_cache.clear();
        g.state_timestamp_ms = _now();
    }
}

bool consumer_membership::tick(group& g, int64_t now) {
    if (g.type != group_type::consumer) return false;
    std::vector<std::string> gone;
    for (const auto& [id, m] : g.consumer.members) {
        bool revocation_late =
            m.state == member_state::unrevoked_partitions && m.revocation_deadline_ms <= now;
        if (m.session_deadline_ms <= now || revocation_late) gone.push_back(id);
    }
    for (const auto& id : gone)
        remove(g, id);
    return !gone.empty();
}

std::vector<int64_t> consumer_membership::signature(const group& g, const std::string& member_id) {
    const auto& cg = g.consumer;
    std::vector<int64_t> sig{static_cast<int64_t>(g.type), cg.group_epoch, cg.assignment_epoch,
                             static_cast<int64_t>(cg.members.size())};
    auto it = cg.members.find(member_id);
    if (it == cg.members.end()) return sig;
    const auto& m = it->second;
    auto count = [](const partition_set& ps) {
        int64_t n = 0;
        for (const auto& [t, p] : ps)
            n += static_cast<int64_t>(p.size());
        return n;
    };
    sig.insert(sig.end(),
               {1, m.epoch, m.previous_epoch, static_cast<int64_t>(m.state), m.static_left ? 1 : 0,
                count(m.assigned), count(m.revoking), m.rebalance_timeout_ms});
    return sig;
}

int64_t consumer_membership::next_deadline(const group& g) const {
    int64_t next = std::numeric_limits<int64_t>::max();
    if (g.type != group_type::consumer) return next;
    for (const auto& [id, m] : g.consumer.members) {
        next = std::min(next, m.session_deadline_ms);
        if (m.state == member_state::unrevoked_partitions)
            next = std::min(next, m.revocation_deadline_ms);
    }
    return next;
}

}  // namespace spate::coordinator::groups
