#include "coordinator/group_coordinator.h"

#include <algorithm>
#include <set>

#include "coordinator/groups/expiry.h"
#include "coordinator/groups/membership.h"
#include "coordinator/groups/persistence.h"
#include "coordinator/groups/registry.h"

namespace spate::coordinator {

using groups::group;
using groups::pending_callbacks;

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

group_coordinator::group_coordinator(options opts, clock_fn now_ms)
    : _opts(opts)
    , _now(std::move(now_ms))
    , _persistence(std::make_unique<groups::persistence>())
    , _registry(std::make_unique<groups::registry>())
    , _membership(std::make_unique<groups::membership>(
          groups::membership::options{opts.initial_rebalance_delay_ms, opts.min_session_timeout_ms,
                                      opts.max_session_timeout_ms},
          _now, *_persistence))
    , _expiry_timer(
          std::make_unique<groups::expiry_timer>(opts.offsets_retention_check_interval_ms)) {}

group_coordinator::~group_coordinator() = default;

void group_coordinator::set_persistence(offset_writer offsets, group_writer groups,
                                        txn_offset_writer txn_offsets) {
    _persistence->set(std::move(offsets), std::move(groups), std::move(txn_offsets));
}

// Membership ----------------------------------------------------------------

void group_coordinator::join_group(join_request req, join_callback done) {
    pending_callbacks out;
    auto fail = [&](error_code e) {
        join_result r;
        r.error = e;
        r.member_id = req.member_id;
        out.answer(done, std::move(r));
    };
    if (auto e = _membership->validate(req); e != error_code::none) return fail(e);
    auto gp = req.member_id.empty() ? _registry->find_or_create(req.group_id)
                                    : _registry->find(req.group_id);
    if (!gp) return fail(error_code::unknown_member_id);
    std::lock_guard lk(gp->mu);
    _membership->join(*gp, std::move(req), std::move(done), out);
}

void group_coordinator::sync_group(sync_request req, sync_callback done) {
    pending_callbacks out;
    auto gp = _registry->find(req.group_id);
    if (!gp) {
        sync_result r;
        r.error = error_code::unknown_member_id;
        return out.answer(done, std::move(r));
    }
    std::lock_guard lk(gp->mu);
    _membership->sync(*gp, std::move(req), std::move(done), out);
}

error_code group_coordinator::heartbeat(const std::string& group_id, const std::string& member_id,
                                        const std::optional<std::string>& instance_id,
                                        int32_t generation) {
    auto gp = _registry->find(group_id);
    if (!gp) return error_code::unknown_member_id;
    std::lock_guard lk(gp->mu);
    return _membership->heartbeat(*gp, member_id, instance_id, generation);
}

std::vector<error_code> group_coordinator::leave_group(const std::string& group_id,
                                                       const std::vector<leave_member>& members) {
    auto gp = _registry->find(group_id);
    if (!gp) return std::vector<error_code>(members.size(), error_code::unknown_member_id);
    pending_callbacks out;
    std::lock_guard lk(gp->mu);
    return _membership->leave(*gp, members, out);
}

void group_coordinator::load_group(const std::string& group_id,
                                   const std::optional<group_snapshot>& snap) {
    auto gp = snap ? _registry->find_or_create(group_id) : _registry->find(group_id);
    if (!gp) return;
    {
        std::lock_guard lk(gp->mu);
        _membership->load(*gp, snap);
    }
    if (!snap) _registry->drop_if_unused(gp);
}

std::vector<group_listing> group_coordinator::list_groups() {
    std::vector<group_listing> out;
    for (auto& g : _registry->all()) {
        std::lock_guard lk(g->mu);
        if (g->state == group_state::dead) continue;
        out.push_back({g->id, g->protocol_type, g->state});
    }
    return out;
}

group_description group_coordinator::describe_group(const std::string& group_id) {
    auto gp = _registry->find(group_id);
    if (!gp) return {};
    std::lock_guard lk(gp->mu);
    return _membership->describe(*gp);
}

void group_coordinator::tick() {
    if (_expiry_timer->due(_now())) expire_offsets();
    int64_t now = _now();
    for (auto& g : _registry->all()) {
        pending_callbacks out;
        std::lock_guard lk(g->mu);
        _membership->tick(*g, now, out);
    }
}

void group_coordinator::drop_waiters() {
    for (auto& g : _registry->all()) {
        groups::membership::waiters dropped;  // destroyed after the mutex is released
        std::lock_guard lk(g->mu);
        dropped = groups::membership::take_waiters(*g);
    }
}

// Committed offsets ---------------------------------------------------------

std::vector<error_code> group_coordinator::commit_offsets(const offset_commit_request& req) {
    std::vector<error_code> errors(req.offsets.size(), error_code::none);
    auto set_all = [&](error_code e) {
        std::fill(errors.begin(), errors.end(), e);
        return errors;
    };
    if (req.group_id.empty()) return set_all(error_code::invalid_group_id);
    bool simple = req.generation < 0 && req.member_id.empty();
    auto gp = simple ? _registry->find_or_create(req.group_id) : _registry->find(req.group_id);
    if (!gp) return set_all(error_code::illegal_generation);
    std::lock_guard lk(gp->mu);
    group& g = *gp;
    if (g.state == group_state::dead) return set_all(error_code::coordinator_not_available);
    if (!(simple && g.state == group_state::empty)) {
        auto e = _membership->check_committer(g, req.generation, req.member_id, req.instance_id);
        if (e != error_code::none) return set_all(e);
    }
    auto changes = groups::accepted_offsets(req.offsets, _opts.max_metadata_bytes, errors);
    if (!changes.empty() && !_persistence->write_offsets(g.id, changes, "commit").ok()) {
        groups::fail_accepted(errors, error_code::coordinator_not_available);
        return errors;
    }
    g.offsets.apply(changes);
    return errors;
}

std::map<topic_partition, committed_offset> group_coordinator::fetch_offsets(
    const std::string& group_id, const std::optional<std::vector<topic_partition>>& partitions) {
    auto gp = _registry->find(group_id);
    if (!gp) return {};
    std::lock_guard lk(gp->mu);
    return partitions ? gp->offsets.get(*partitions) : gp->offsets.all();
}

void group_coordinator::load_offset(const std::string& group_id, const topic_partition& tp,
                                    committed_offset o) {
    if (o.offset >= 0) {
        auto gp = _registry->find_or_create(group_id);
        std::lock_guard lk(gp->mu);
        gp->offsets.set(tp, std::move(o));
        return;
    }
    auto gp = _registry->find(group_id);
    if (!gp) return;
    {
        std::lock_guard lk(gp->mu);
        gp->offsets.erase(tp);
    }
    _registry->drop_if_unused(gp);
}

std::pair<error_code, std::vector<error_code>> group_coordinator::delete_offsets(
    const std::string& group_id, const std::vector<topic_partition>& partitions) {
    std::vector<error_code> errors(partitions.size(), error_code::none);
    auto gp = _registry->find(group_id);
    if (!gp) return {error_code::group_id_not_found, errors};
    {
        std::lock_guard lk(gp->mu);
        group& g = *gp;
        if (g.state == group_state::dead) return {error_code::group_id_not_found, errors};
        std::set<std::string> subscribed;
        if (g.state != group_state::empty) {
            if (g.protocol_type != "consumer") return {error_code::non_empty_group, errors};
            subscribed = _membership->subscribed_topics(g);
        }
        std::vector<offset_change> changes;
        for (size_t i = 0; i < partitions.size(); ++i) {
            const auto& tp = partitions[i];
            if (subscribed.count(tp.topic))
                errors[i] = error_code::group_subscribed_to_topic;
            else if (g.offsets.contains(tp))
                changes.emplace_back(tp, std::nullopt);
        }
        if (!changes.empty() && !_persistence->write_offsets(g.id, changes, "OffsetDelete").ok())
            return {error_code::coordinator_not_available, errors};
        g.offsets.apply(changes);
    }
    _registry->drop_if_unused(gp);
    return {error_code::none, errors};
}

void group_coordinator::delete_topic_offsets(const std::string& topic) {
    for (auto& gp : _registry->all()) {
        {
            std::lock_guard lk(gp->mu);
            auto changes = gp->offsets.removals_of_topic(topic);
            if (changes.empty()) continue;
            // Unpersisted removals (the failure is logged) would come back on
            // restart, where the topic no longer exists; they are harmless and
            // retried by the next deletion or expiry.
            if (!_persistence->write_offsets(gp->id, changes, "offsets of a deleted topic").ok())
                continue;
            gp->offsets.apply(changes);
        }
        _registry->drop_if_unused(gp);
    }
}

error_code group_coordinator::delete_group(const std::string& group_id) {
    auto gp = _registry->find(group_id);
    if (!gp) return error_code::group_id_not_found;
    {
        std::lock_guard lk(gp->mu);
        if (gp->state == group_state::dead) return error_code::group_id_not_found;
        if (gp->state != group_state::empty) return error_code::non_empty_group;
        auto changes = gp->offsets.removals();
        if (!changes.empty() &&
            !_persistence->write_offsets(group_id, changes, "DeleteGroups").ok())
            return error_code::coordinator_not_available;
        if (!_persistence->write_group(group_id, std::nullopt, "DeleteGroups").ok())
            return error_code::coordinator_not_available;
        gp->offsets.clear();
        gp->state = group_state::dead;
    }
    _registry->remove(gp);
    return error_code::none;
}

size_t group_coordinator::expire_offsets() {
    int64_t now = _now();
    size_t removed = 0;
    for (auto& gp : _registry->all()) {
        groups::expiry_result r;
        {
            std::lock_guard lk(gp->mu);
            r = groups::expire_group(*gp, now, _opts.offsets_retention_ms, *_persistence);
        }
        removed += r.removed;
        if (r.settled) _registry->drop_if_unused(gp);
    }
    return removed;
}

// Transactional offsets -----------------------------------------------------

std::vector<error_code> group_coordinator::txn_commit_offsets(
    const txn_offset_commit_request& req) {
    std::vector<error_code> errors(req.offsets.size(), error_code::none);
    auto set_all = [&](error_code e) {
        std::fill(errors.begin(), errors.end(), e);
        return errors;
    };
    if (req.group_id.empty()) return set_all(error_code::invalid_group_id);
    bool check_member = req.generation >= 0 || !req.member_id.empty();
    auto gp = _registry->find_or_create(req.group_id);
    std::lock_guard lk(gp->mu);
    group& g = *gp;
    if (g.state == group_state::dead) return set_all(error_code::coordinator_not_available);
    if (check_member) {
        auto e = _membership->check_committer(g, req.generation, req.member_id, req.instance_id);
        if (e != error_code::none) return set_all(e);
    }
    auto changes = groups::accepted_offsets(req.offsets, _opts.max_metadata_bytes, errors);
    if (changes.empty()) return errors;
    auto s =
        _persistence->write_txn_offsets(req.group_id, req.producer_id, req.producer_epoch, changes);
    if (!s.ok()) {
        groups::fail_accepted(errors, s.err().code == errc::producer_fenced
                                          ? error_code::producer_fenced
                                          : error_code::coordinator_not_available);
        return errors;
    }
    g.txn_offsets.add(req.producer_id, changes);
    return errors;
}

void group_coordinator::complete_txn(int64_t producer_id, bool commit) {
    for (auto& gp : _registry->all()) {
        {
            std::lock_guard lk(gp->mu);
            if (!gp->txn_offsets.complete(producer_id, commit, gp->offsets)) continue;
        }
        _registry->drop_if_unused(gp);
    }
}

std::set<topic_partition> group_coordinator::unstable_offsets(const std::string& group_id) {
    auto gp = _registry->find(group_id);
    if (!gp) return {};
    std::lock_guard lk(gp->mu);
    return gp->txn_offsets.partitions();
}

void group_coordinator::load_txn_offset(const std::string& group_id, int64_t producer_id,
                                        const topic_partition& tp, committed_offset o) {
    auto gp = _registry->find_or_create(group_id);
    std::lock_guard lk(gp->mu);
    gp->txn_offsets.load(producer_id, tp, std::move(o));
}

}  // namespace spate::coordinator
