#include "coordinator/group_coordinator.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "kafka/protocol/generated/consumer_protocol_subscription.h"
#include "kafka/protocol/wire.h"

namespace spate::coordinator {

const char* state_name(group_state s) {
    switch (s) {
        case group_state::empty:
            return "Empty";
        case group_state::preparing_rebalance:
            return "PreparingRebalance";
        case group_state::completing_rebalance:
            return "CompletingRebalance";
        case group_state::stable:
            return "Stable";
        case group_state::dead:
            return "Dead";
    }
    return "Dead";
}

struct group_coordinator::member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    std::vector<group_protocol> protocols;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    int64_t last_heartbeat_ms = 0;
    join_callback awaiting_join;
    sync_callback awaiting_sync;
    bytes assignment;

    const bytes* metadata_for(const std::string& protocol) const {
        for (const auto& p : protocols)
            if (p.name == protocol) return &p.metadata;
        return nullptr;
    }
    bool supports(const std::string& protocol) const { return metadata_for(protocol) != nullptr; }
};

struct group_coordinator::group {
    std::mutex mu;
    std::string id;
    group_state state = group_state::empty;
    int32_t generation = 0;
    std::string protocol_type;
    std::string protocol_name;
    std::string leader;
    // Insertion-ordered by member id string; the first member becomes leader
    // when the previous leader is gone.
    std::map<std::string, member> members;
    std::map<std::string, std::string> static_members;  // instance id → member id
    std::map<std::string, int64_t> pending;             // KIP-394 ids → expiry time
    int64_t rebalance_deadline_ms = 0;
    int64_t initial_delay_end_ms = 0;  // 0: no initial delay in progress
    int64_t state_timestamp_ms = -1;   // when it last became empty or stable
    std::map<topic_partition, committed_offset> offsets;
    // Offsets of open transactions (TxnOffsetCommit), by producer id.
    std::map<int64_t, std::map<topic_partition, committed_offset>> txn_offsets;
};

struct group_coordinator::pending_callbacks {
    std::vector<std::function<void()>> fns;
    void add(std::function<void()> f) { fns.push_back(std::move(f)); }
    void run() {
        auto todo = std::move(fns);
        fns.clear();
        for (auto& f : todo)
            f();
    }
    // Declared before the lock guard it accompanies, so the callbacks run
    // after the group's mutex is released, whichever way the scope exits.
    ~pending_callbacks() { run(); }
};

namespace {

bool same_protocols(const std::vector<group_protocol>& a, const std::vector<group_protocol>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].name != b[i].name || a[i].metadata != b[i].metadata) return false;
    return true;
}

}  // namespace

group_coordinator::group_coordinator(options opts, clock_fn now_ms)
    : _opts(opts), _now(std::move(now_ms)) {}

group_coordinator::~group_coordinator() = default;

void group_coordinator::set_persistence(offset_writer offsets, group_writer groups,
                                        txn_offset_writer txn_offsets) {
    std::lock_guard lk(_mu);
    _offset_writer = std::move(offsets);
    _group_writer = std::move(groups);
    _txn_offset_writer = std::move(txn_offsets);
}

std::pair<group_coordinator::offset_writer, group_coordinator::group_writer>
group_coordinator::writers() {
    std::lock_guard lk(_mu);
    return {_offset_writer, _group_writer};
}

status group_coordinator::store_group(group& g) {
    auto gw = writers().second;
    if (!gw) return {};
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
    return gw(g.id, snap);
}

void group_coordinator::drop_if_unused(const std::shared_ptr<group>& gp) {
    {
        std::lock_guard lk(gp->mu);
        bool unused = gp->offsets.empty() && gp->members.empty() && gp->pending.empty() &&
                      gp->txn_offsets.empty() &&
                      (gp->state == group_state::empty || gp->state == group_state::dead);
        if (!unused) return;
        gp->state = group_state::dead;
    }
    std::lock_guard lk(_mu);
    auto it = _groups.find(gp->id);
    if (it != _groups.end() && it->second == gp) _groups.erase(it);
}

std::vector<std::shared_ptr<group_coordinator::group>> group_coordinator::all_groups() {
    std::lock_guard lk(_mu);
    std::vector<std::shared_ptr<group>> all;
    all.reserve(_groups.size());
    for (auto& [id, g] : _groups)
        all.push_back(g);
    return all;
}

std::shared_ptr<group_coordinator::group> group_coordinator::find(const std::string& id) {
    std::lock_guard lk(_mu);
    auto it = _groups.find(id);
    return it == _groups.end() ? nullptr : it->second;
}

std::shared_ptr<group_coordinator::group> group_coordinator::find_or_create(const std::string& id) {
    std::lock_guard lk(_mu);
    auto& g = _groups[id];
    if (!g) {
        g = std::make_shared<group>();
        g->id = id;
    }
    return g;
}

std::string group_coordinator::new_member_id(const std::string& client_id) {
    static thread_local std::mt19937_64 rng(std::random_device{}());
    uint64_t n;
    {
        std::lock_guard lk(_mu);
        n = ++_next_id;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "-%llu-%016llx", static_cast<unsigned long long>(n),
                  static_cast<unsigned long long>(rng()));
    return (client_id.empty() ? std::string("member") : client_id) + buf;
}

bool group_coordinator::supports_protocols(const group& g, const join_request& req) const {
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

join_result group_coordinator::make_join_result(const group& g, const member& m) const {
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

void group_coordinator::prepare_rebalance(group& g, pending_callbacks& out) {
    int64_t now = _now();
    if (g.state == group_state::completing_rebalance) {
        for (auto& [id, m] : g.members) {
            if (!m.awaiting_sync) continue;
            sync_result r;
            r.error = error_code::rebalance_in_progress;
            out.add([cb = std::move(m.awaiting_sync), r] { cb(r); });
            m.awaiting_sync = nullptr;
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

void group_coordinator::maybe_complete_join(group& g, pending_callbacks& out) {
    if (g.state != group_state::preparing_rebalance) return;
    if (g.initial_delay_end_ms != 0) return;  // tick() ends the delay
    if (!g.pending.empty()) return;
    for (const auto& [id, m] : g.members)
        if (!m.awaiting_join) return;
    complete_join(g, out);
}

void group_coordinator::complete_join(group& g, pending_callbacks& out) {
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
        // Best effort: were this lost, a restart would bring back the last
        // stable generation, whose members would be fenced on rejoin anyway.
        (void)store_group(g);
        return;
    }
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
    if (!g.members.count(g.leader)) g.leader = g.members.begin()->first;
    g.state = group_state::completing_rebalance;
    int64_t now = _now();
    for (auto& [id, m] : g.members) {
        m.assignment.clear();
        m.last_heartbeat_ms = now;
        auto r = make_join_result(g, m);
        out.add([cb = std::move(m.awaiting_join), r = std::move(r)] { cb(r); });
        m.awaiting_join = nullptr;
    }
}

void group_coordinator::remove_member(group& g, const std::string& member_id,
                                      pending_callbacks& out) {
    auto it = g.members.find(member_id);
    if (it == g.members.end()) return;
    member& m = it->second;
    if (m.awaiting_join) {
        join_result r;
        r.error = error_code::unknown_member_id;
        r.member_id = member_id;
        out.add([cb = std::move(m.awaiting_join), r] { cb(r); });
    }
    if (m.awaiting_sync) {
        sync_result r;
        r.error = error_code::unknown_member_id;
        out.add([cb = std::move(m.awaiting_sync), r] { cb(r); });
    }
    if (m.instance_id) g.static_members.erase(*m.instance_id);
    g.members.erase(it);
    if (g.leader == member_id) g.leader.clear();
    if (g.state == group_state::stable || g.state == group_state::completing_rebalance)
        prepare_rebalance(g, out);
    else
        maybe_complete_join(g, out);
}

void group_coordinator::add_or_update_member(group& g, member& m, const join_request& req,
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
        out.add([cb = std::move(m.awaiting_join), r] { cb(r); });
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

void group_coordinator::join_group(join_request req, join_callback done) {
    pending_callbacks out;
    auto fail = [&](error_code e) {
        join_result r;
        r.error = e;
        r.member_id = req.member_id;
        out.add([cb = std::move(done), r = std::move(r)] { cb(r); });
    };
    if (req.group_id.empty()) return fail(error_code::invalid_group_id);
    if (req.session_timeout_ms < _opts.min_session_timeout_ms ||
        req.session_timeout_ms > _opts.max_session_timeout_ms)
        return fail(error_code::invalid_session_timeout);
    if (req.rebalance_timeout_ms <= 0) req.rebalance_timeout_ms = req.session_timeout_ms;
    std::shared_ptr<group> gp =
        req.member_id.empty() ? find_or_create(req.group_id) : find(req.group_id);
    if (!gp) return fail(error_code::unknown_member_id);
    {
        std::lock_guard lk(gp->mu);
        group& g = *gp;
        if (g.state == group_state::dead) return fail(error_code::coordinator_not_available);
        if (!supports_protocols(g, req)) return fail(error_code::inconsistent_group_protocol);
        int64_t now = _now();
        if (req.member_id.empty()) {
            if (req.instance_id && g.static_members.count(*req.instance_id)) {
                // A static member restarting: it takes over its old entry
                // under a new id; the old id is fenced.
                std::string old_id = g.static_members[*req.instance_id];
                std::string new_id = new_member_id(req.client_id);
                auto node = g.members.extract(old_id);
                member& old = node.mapped();
                if (old.awaiting_join) {
                    join_result r;
                    r.error = error_code::fenced_instance_id;
                    out.add([cb = std::move(old.awaiting_join), r] { cb(r); });
                    old.awaiting_join = nullptr;
                }
                if (old.awaiting_sync) {
                    sync_result r;
                    r.error = error_code::fenced_instance_id;
                    out.add([cb = std::move(old.awaiting_sync), r] { cb(r); });
                    old.awaiting_sync = nullptr;
                }
                node.key() = new_id;
                old.id = new_id;
                auto& m = g.members.insert(std::move(node)).position->second;
                g.static_members[*req.instance_id] = new_id;
                bool was_leader = g.leader == old_id;
                if (was_leader) g.leader = new_id;
                if (g.state == group_state::stable && !was_leader &&
                    same_protocols(m.protocols, req.protocols)) {
                    m.last_heartbeat_ms = now;
                    m.session_timeout_ms = req.session_timeout_ms;
                    m.rebalance_timeout_ms = req.rebalance_timeout_ms;
                    auto r = make_join_result(g, m);
                    out.add([cb = std::move(done), r = std::move(r)] { cb(r); });
                } else {
                    add_or_update_member(g, m, req, std::move(done), out);
                }
            } else if (req.require_known_member_id && !req.instance_id) {
                std::string id = new_member_id(req.client_id);
                g.pending[id] = now + req.session_timeout_ms;
                join_result r;
                r.error = error_code::member_id_required;
                r.member_id = id;
                out.add([cb = std::move(done), r = std::move(r)] { cb(r); });
            } else {
                std::string id = new_member_id(req.client_id);
                auto& m = g.members[id];
                m.id = id;
                if (req.instance_id) g.static_members[*req.instance_id] = id;
                add_or_update_member(g, m, req, std::move(done), out);
            }
        } else if (g.pending.count(req.member_id)) {
            g.pending.erase(req.member_id);
            auto& m = g.members[req.member_id];
            m.id = req.member_id;
            add_or_update_member(g, m, req, std::move(done), out);
        } else {
            auto [mp, err] = lookup_member(g, req.member_id, req.instance_id);
            if (!mp) return fail(err);
            member& m = *mp;
            bool same = same_protocols(m.protocols, req.protocols);
            if (g.state == group_state::completing_rebalance && same) {
                m.last_heartbeat_ms = now;
                auto r = make_join_result(g, m);
                out.add([cb = std::move(done), r = std::move(r)] { cb(r); });
            } else if (g.state == group_state::stable && same && m.id != g.leader) {
                m.last_heartbeat_ms = now;
                auto r = make_join_result(g, m);
                out.add([cb = std::move(done), r = std::move(r)] { cb(r); });
            } else {
                add_or_update_member(g, m, req, std::move(done), out);
            }
        }
    }
    out.run();
}

void group_coordinator::sync_group(sync_request req, sync_callback done) {
    pending_callbacks out;
    auto fail = [&](error_code e) {
        sync_result r;
        r.error = e;
        out.add([cb = std::move(done), r = std::move(r)] { cb(r); });
    };
    auto gp = find(req.group_id);
    if (!gp) return fail(error_code::unknown_member_id);
    {
        std::lock_guard lk(gp->mu);
        group& g = *gp;
        if (g.state == group_state::dead) return fail(error_code::coordinator_not_available);
        auto [mp, err] = lookup_member(g, req.member_id, req.instance_id);
        if (!mp) return fail(err);
        member& m = *mp;
        if (req.generation != g.generation) return fail(error_code::illegal_generation);
        m.last_heartbeat_ms = _now();
        switch (g.state) {
            case group_state::preparing_rebalance:
                return fail(error_code::rebalance_in_progress);
            case group_state::empty:
            case group_state::dead:
                return fail(error_code::unknown_member_id);
            case group_state::stable: {
                sync_result r;
                r.protocol_type = g.protocol_type;
                r.protocol_name = g.protocol_name;
                r.assignment = m.assignment;
                out.add([cb = std::move(done), r = std::move(r)] { cb(r); });
                break;
            }
            case group_state::completing_rebalance:
                m.awaiting_sync = std::move(done);
                if (m.id == g.leader) {
                    for (auto& [id, a] : req.assignments) {
                        auto mit = g.members.find(id);
                        if (mit != g.members.end()) mit->second.assignment = std::move(a);
                    }
                    g.state = group_state::stable;
                    g.state_timestamp_ms = _now();
                    if (!store_group(g).ok()) {
                        // As Kafka: the generation cannot complete unpersisted;
                        // members get the error and rejoin.
                        for (auto& [id, mm] : g.members) {
                            mm.assignment.clear();
                            if (!mm.awaiting_sync) continue;
                            sync_result r;
                            r.error = error_code::coordinator_not_available;
                            out.add([cb = std::move(mm.awaiting_sync), r] { cb(r); });
                            mm.awaiting_sync = nullptr;
                        }
                        prepare_rebalance(g, out);
                        break;
                    }
                    for (auto& [id, mm] : g.members) {
                        if (!mm.awaiting_sync) continue;
                        sync_result r;
                        r.protocol_type = g.protocol_type;
                        r.protocol_name = g.protocol_name;
                        r.assignment = mm.assignment;
                        out.add([cb = std::move(mm.awaiting_sync), r = std::move(r)] { cb(r); });
                        mm.awaiting_sync = nullptr;
                    }
                }
                break;
        }
    }
    out.run();
}

error_code group_coordinator::heartbeat(const std::string& group_id, const std::string& member_id,
                                        const std::optional<std::string>& instance_id,
                                        int32_t generation) {
    auto gp = find(group_id);
    if (!gp) return error_code::unknown_member_id;
    std::lock_guard lk(gp->mu);
    group& g = *gp;
    if (g.state == group_state::dead) return error_code::coordinator_not_available;
    auto [m, err] = lookup_member(g, member_id, instance_id);
    if (!m) return err;
    if (generation != g.generation) return error_code::illegal_generation;
    m->last_heartbeat_ms = _now();
    if (g.state == group_state::preparing_rebalance) return error_code::rebalance_in_progress;
    return error_code::none;
}

std::vector<error_code> group_coordinator::leave_group(const std::string& group_id,
                                                       const std::vector<leave_member>& members) {
    std::vector<error_code> errors(members.size(), error_code::unknown_member_id);
    auto gp = find(group_id);
    if (!gp) return errors;
    pending_callbacks out;
    {
        std::lock_guard lk(gp->mu);
        group& g = *gp;
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
    }
    out.run();
    return errors;
}

std::vector<error_code> group_coordinator::commit_offsets(const offset_commit_request& req) {
    std::vector<error_code> errors(req.offsets.size(), error_code::none);
    auto set_all = [&](error_code e) {
        std::fill(errors.begin(), errors.end(), e);
        return errors;
    };
    if (req.group_id.empty()) return set_all(error_code::invalid_group_id);
    bool simple = req.generation < 0 && req.member_id.empty();
    auto gp = simple ? find_or_create(req.group_id) : find(req.group_id);
    if (!gp) return set_all(error_code::illegal_generation);
    auto writer = writers().first;
    {
        std::lock_guard lk(gp->mu);
        group& g = *gp;
        if (g.state == group_state::dead) return set_all(error_code::coordinator_not_available);
        if (!(simple && g.state == group_state::empty)) {
            auto e = check_committer(g, req.generation, req.member_id, req.instance_id);
            if (e != error_code::none) return set_all(e);
        }
        std::vector<offset_change> changes;
        std::vector<size_t> slots;
        for (size_t i = 0; i < req.offsets.size(); ++i) {
            const auto& [tp, o] = req.offsets[i];
            if (o.metadata.size() > _opts.max_metadata_bytes) {
                errors[i] = error_code::offset_metadata_too_large;
                continue;
            }
            changes.emplace_back(tp, o);
            slots.push_back(i);
        }
        if (writer && !changes.empty() && !writer(req.group_id, changes).ok()) {
            for (size_t i : slots)
                errors[i] = error_code::coordinator_not_available;
            return errors;
        }
        for (size_t k = 0; k < changes.size(); ++k)
            g.offsets[changes[k].first] = *changes[k].second;
    }
    return errors;
}

error_code group_coordinator::check_committer(group& g, int32_t generation,
                                              const std::string& member_id,
                                              const std::optional<std::string>& instance_id) {
    auto [m, err] = lookup_member(g, member_id, instance_id);
    if (!m) return err;
    if (generation != g.generation) return error_code::illegal_generation;
    if (g.state == group_state::completing_rebalance) return error_code::rebalance_in_progress;
    m->last_heartbeat_ms = _now();
    return error_code::none;
}

std::pair<group_coordinator::member*, error_code> group_coordinator::lookup_member(
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

std::vector<error_code> group_coordinator::txn_commit_offsets(
    const txn_offset_commit_request& req) {
    std::vector<error_code> errors(req.offsets.size(), error_code::none);
    auto set_all = [&](error_code e) {
        std::fill(errors.begin(), errors.end(), e);
        return errors;
    };
    if (req.group_id.empty()) return set_all(error_code::invalid_group_id);
    bool check_member = req.generation >= 0 || !req.member_id.empty();
    auto gp = find_or_create(req.group_id);
    txn_offset_writer writer;
    {
        std::lock_guard lk(_mu);
        writer = _txn_offset_writer;
    }
    std::lock_guard lk(gp->mu);
    group& g = *gp;
    if (g.state == group_state::dead) return set_all(error_code::coordinator_not_available);
    if (check_member) {
        auto e = check_committer(g, req.generation, req.member_id, req.instance_id);
        if (e != error_code::none) return set_all(e);
    }
    std::vector<offset_change> changes;
    for (size_t i = 0; i < req.offsets.size(); ++i) {
        const auto& [tp, o] = req.offsets[i];
        if (o.metadata.size() > _opts.max_metadata_bytes)
            errors[i] = error_code::offset_metadata_too_large;
        else
            changes.emplace_back(tp, o);
    }
    if (changes.empty()) return errors;
    if (writer) {
        auto s = writer(req.group_id, req.producer_id, req.producer_epoch, changes);
        if (!s.ok()) {
            auto e = s.err().code == errc::producer_fenced ? error_code::producer_fenced
                                                           : error_code::coordinator_not_available;
            for (size_t i = 0; i < req.offsets.size(); ++i)
                if (errors[i] == error_code::none) errors[i] = e;
            return errors;
        }
    }
    auto& pending = g.txn_offsets[req.producer_id];
    for (auto& [tp, o] : changes)
        pending[tp] = *o;
    return errors;
}

void group_coordinator::complete_txn(int64_t producer_id, bool commit) {
    for (auto& gp : all_groups()) {
        {
            std::lock_guard lk(gp->mu);
            auto it = gp->txn_offsets.find(producer_id);
            if (it == gp->txn_offsets.end()) continue;
            if (commit)
                for (auto& [tp, o] : it->second)
                    gp->offsets[tp] = std::move(o);
            gp->txn_offsets.erase(it);
        }
        drop_if_unused(gp);
    }
}

std::set<topic_partition> group_coordinator::unstable_offsets(const std::string& group_id) {
    std::set<topic_partition> out;
    auto gp = find(group_id);
    if (!gp) return out;
    std::lock_guard lk(gp->mu);
    for (const auto& [pid, offsets] : gp->txn_offsets)
        for (const auto& [tp, o] : offsets)
            out.insert(tp);
    return out;
}

void group_coordinator::load_txn_offset(const std::string& group_id, int64_t producer_id,
                                        const topic_partition& tp, committed_offset o) {
    auto gp = find_or_create(group_id);
    std::lock_guard lk(gp->mu);
    gp->txn_offsets[producer_id][tp] = std::move(o);
}

std::map<topic_partition, committed_offset> group_coordinator::fetch_offsets(
    const std::string& group_id, const std::optional<std::vector<topic_partition>>& partitions) {
    std::map<topic_partition, committed_offset> out;
    auto gp = find(group_id);
    if (!gp) return out;
    std::lock_guard lk(gp->mu);
    if (!partitions) return gp->offsets;
    for (const auto& tp : *partitions) {
        auto it = gp->offsets.find(tp);
        if (it != gp->offsets.end()) out.insert(*it);
    }
    return out;
}

void group_coordinator::load_offset(const std::string& group_id, const topic_partition& tp,
                                    committed_offset o) {
    if (o.offset >= 0) {
        auto gp = find_or_create(group_id);
        std::lock_guard lk(gp->mu);
        gp->offsets[tp] = std::move(o);
        return;
    }
    auto gp = find(group_id);
    if (!gp) return;
    {
        std::lock_guard lk(gp->mu);
        gp->offsets.erase(tp);
    }
    drop_if_unused(gp);
}

void group_coordinator::load_group(const std::string& group_id,
                                   const std::optional<group_snapshot>& snap) {
    if (!snap) {
        auto gp = find(group_id);
        if (!gp) return;
        {
            std::lock_guard lk(gp->mu);
            gp->members.clear();
            gp->static_members.clear();
            gp->state = group_state::empty;
            gp->generation = 0;
            gp->protocol_type.clear();
            gp->protocol_name.clear();
            gp->leader.clear();
        }
        drop_if_unused(gp);
        return;
    }
    auto gp = find_or_create(group_id);
    std::lock_guard lk(gp->mu);
    group& g = *gp;
    int64_t now = _now();
    g.members.clear();
    g.static_members.clear();
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

std::vector<group_listing> group_coordinator::list_groups() {
    auto all = all_groups();
    std::vector<group_listing> out;
    for (auto& g : all) {
        std::lock_guard lk(g->mu);
        if (g->state == group_state::dead) continue;
        out.push_back({g->id, g->protocol_type, g->state});
    }
    return out;
}

group_description group_coordinator::describe_group(const std::string& group_id) {
    group_description d;
    auto gp = find(group_id);
    if (!gp) return d;
    std::lock_guard lk(gp->mu);
    const group& g = *gp;
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

error_code group_coordinator::delete_group(const std::string& group_id) {
    auto gp = find(group_id);
    if (!gp) return error_code::group_id_not_found;
    auto [ow, gw] = writers();
    {
        std::lock_guard lk(gp->mu);
        if (gp->state == group_state::dead) return error_code::group_id_not_found;
        if (gp->state != group_state::empty) return error_code::non_empty_group;
        std::vector<offset_change> changes;
        for (const auto& [tp, o] : gp->offsets)
            changes.emplace_back(tp, std::nullopt);
        if (ow && !changes.empty() && !ow(group_id, changes).ok())
            return error_code::coordinator_not_available;
        if (gw && !gw(group_id, std::nullopt).ok()) return error_code::coordinator_not_available;
        gp->offsets.clear();
        gp->state = group_state::dead;
    }
    std::lock_guard lk(_mu);
    auto it = _groups.find(group_id);
    if (it != _groups.end() && it->second == gp) _groups.erase(it);
    return error_code::none;
}

namespace {

// Topics of a ConsumerProtocolSubscription; nullopt when the bytes do not
// parse. Newer versions than the codec knows only append fields, so they are
// read as the newest known one.
std::optional<std::set<std::string>> subscribed_topics(const bytes& md) {
    kafka::protocol::reader r(md);
    int16_t version = r.read_int16();
    if (!r.ok() || version < 0) return std::nullopt;
    kafka::protocol::consumer_protocol_subscription sub;
    auto known = std::min(version, kafka::protocol::consumer_protocol_subscription::k_max_version);
    if (!sub.decode(r, known).ok()) return std::nullopt;
    return std::set<std::string>(sub.topics.begin(), sub.topics.end());
}

}  // namespace

std::pair<error_code, std::vector<error_code>> group_coordinator::delete_offsets(
    const std::string& group_id, const std::vector<topic_partition>& partitions) {
    std::vector<error_code> errors(partitions.size(), error_code::none);
    auto gp = find(group_id);
    if (!gp) return {error_code::group_id_not_found, errors};
    auto writer = writers().first;
    {
        std::lock_guard lk(gp->mu);
        group& g = *gp;
        if (g.state == group_state::dead) return {error_code::group_id_not_found, errors};
        std::set<std::string> subscribed;
        if (g.state != group_state::empty) {
            if (g.protocol_type != "consumer") return {error_code::non_empty_group, errors};
            for (const auto& [id, m] : g.members) {
                const bytes* md = m.metadata_for(g.protocol_name);
                auto topics = md ? subscribed_topics(*md) : std::nullopt;
                if (topics) subscribed.insert(topics->begin(), topics->end());
            }
        }
        std::vector<offset_change> changes;
        for (size_t i = 0; i < partitions.size(); ++i) {
            const auto& tp = partitions[i];
            if (subscribed.count(tp.topic)) {
                errors[i] = error_code::group_subscribed_to_topic;
                continue;
            }
            if (g.offsets.count(tp)) changes.emplace_back(tp, std::nullopt);
        }
        if (writer && !changes.empty() && !writer(group_id, changes).ok())
            return {error_code::coordinator_not_available, errors};
        for (const auto& [tp, o] : changes)
            g.offsets.erase(tp);
    }
    drop_if_unused(gp);
    return {error_code::none, errors};
}

void group_coordinator::delete_topic_offsets(const std::string& topic) {
    auto all = all_groups();
    auto writer = writers().first;
    for (auto& gp : all) {
        {
            std::lock_guard lk(gp->mu);
            std::vector<offset_change> changes;
            for (const auto& [tp, o] : gp->offsets)
                if (tp.topic == topic) changes.emplace_back(tp, std::nullopt);
            if (changes.empty()) continue;
            // Unpersisted removals would come back on restart, where the
            // topic no longer exists; they are harmless and retried by the
            // next deletion or expiry.
            if (writer && !writer(gp->id, changes).ok()) continue;
            for (const auto& [tp, o] : changes)
                gp->offsets.erase(tp);
        }
        drop_if_unused(gp);
    }
}

size_t group_coordinator::expire_offsets() {
    auto all = all_groups();
    auto [ow, gw] = writers();
    int64_t now = _now();
    int64_t keep = _opts.offsets_retention_ms;
    size_t removed = 0;
    for (auto& gp : all) {
        bool forget_group = false;
        {
            std::lock_guard lk(gp->mu);
            group& g = *gp;
            if (g.state != group_state::empty) continue;
            std::vector<offset_change> changes;
            bool whole_group = !g.protocol_type.empty() && g.state_timestamp_ms >= 0;
            for (const auto& [tp, o] : g.offsets) {
                int64_t since = whole_group ? g.state_timestamp_ms : o.commit_timestamp_ms;
                if (since + keep <= now) changes.emplace_back(tp, std::nullopt);
            }
            if (!changes.empty()) {
                if (ow && !ow(g.id, changes).ok()) continue;
                for (const auto& [tp, o] : changes)
                    g.offsets.erase(tp);
                removed += changes.size();
            }
            forget_group = g.offsets.empty() && g.members.empty() && !g.protocol_type.empty();
            if (forget_group && gw && !gw(g.id, std::nullopt).ok()) continue;
            if (forget_group) g.protocol_type.clear();
        }
        drop_if_unused(gp);
    }
    return removed;
}

void group_coordinator::tick_group(group& g, int64_t now, pending_callbacks& out) {
    for (auto it = g.pending.begin(); it != g.pending.end();) {
        if (it->second <= now) {
            it = g.pending.erase(it);
        } else {
            ++it;
        }
    }
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

void group_coordinator::tick() {
    int64_t start = _now();
    bool expire = false;
    {
        std::lock_guard lk(_mu);
        if (_last_expiry_ms == 0) _last_expiry_ms = start;
        if (start - _last_expiry_ms >= _opts.offsets_retention_check_interval_ms) {
            _last_expiry_ms = start;
            expire = true;
        }
    }
    if (expire) expire_offsets();
    auto all = all_groups();
    int64_t now = _now();
    for (auto& g : all) {
        pending_callbacks out;
        {
            std::lock_guard lk(g->mu);
            tick_group(*g, now, out);
        }
        out.run();
    }
}

void group_coordinator::drop_waiters() {
    auto all = all_groups();
    for (auto& g : all) {
        std::vector<join_callback> joins;
        std::vector<sync_callback> syncs;
        {
            std::lock_guard lk(g->mu);
            for (auto& [id, m] : g->members) {
                if (m.awaiting_join) joins.push_back(std::move(m.awaiting_join));
                if (m.awaiting_sync) syncs.push_back(std::move(m.awaiting_sync));
                m.awaiting_join = nullptr;
                m.awaiting_sync = nullptr;
            }
        }
    }
}

}  // namespace spate::coordinator
