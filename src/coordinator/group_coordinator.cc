#include "coordinator/group_coordinator.h"

#include <algorithm>
#include <set>

#include "base/log.h"
#include "coordinator/groups/consumer_log.h"
#include "coordinator/groups/consumer_membership.h"
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

const char* type_name(group_type t) {
    return t == group_type::consumer ? "consumer" : "classic";
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
          std::make_unique<groups::expiry_timer>(opts.offsets_retention_check_interval_ms))
    , _consumer(std::make_unique<groups::consumer_membership>(
          groups::consumer_membership::options{opts.consumer_session_timeout_ms,
                                               opts.consumer_heartbeat_interval_ms},
          _now)) {}

group_coordinator::~group_coordinator() = default;

void group_coordinator::set_persistence(offset_writer offsets, group_writer groups,
                                        txn_offset_writer txn_offsets) {
    _persistence->set(std::move(offsets), std::move(groups), std::move(txn_offsets));
}

void group_coordinator::set_topic_source(topic_source topics) {
    std::lock_guard lk(_topics_mu);
    _topics = std::move(topics);
}

void group_coordinator::set_consumer_persistence(consumer_group_writer writer) {
    std::lock_guard lk(_topics_mu);
    _consumer_writer = std::move(writer);
}

void group_coordinator::persist_consumer(group& g) {
    if (g.type != group_type::consumer) return;
    consumer_group_writer write;
    {
        std::lock_guard lk(_topics_mu);
        write = _consumer_writer;
    }
    if (!write) return;
    std::optional<bytes> snap;
    if (!g.consumer.members.empty()) snap = groups::encode_consumer_group(g.consumer);
    if (snap ? *snap == g.consumer.persisted : g.consumer.persisted.empty()) return;
    auto s = write(g.id, snap);
    if (!s.ok()) {
        logging::get("coordinator")
            .warn(
                "group {}: persisting the consumer group failed (retried with its next change): "
                "{}",
                g.id, s.err().to_string());
        return;
    }
    g.consumer.persisted = snap ? std::move(*snap) : bytes{};
}

void group_coordinator::load_consumer_group(const std::string& group_id,
                                            const std::optional<bytes>& snapshot) {
    if (!snapshot) {
        auto gp = _registry->find(group_id);
        if (!gp) return;
        {
            std::lock_guard lk(gp->mu);
            if (gp->type == group_type::consumer) gp->consumer = {};
        }
        _registry->drop_if_unused(gp);
        return;
    }
    auto decoded = groups::decode_consumer_group(*snapshot);
    if (!decoded.ok()) {
        logging::get("coordinator")
            .warn("group {}: consumer group record skipped: {}", group_id,
                  decoded.err().to_string());
        return;
    }
    auto gp = _registry->find_or_create(group_id);
    pending_callbacks out;
    std::lock_guard lk(gp->mu);
    groups::consumer_membership::convert_to_consumer(*gp);
    gp->consumer = std::move(*decoded);
    gp->consumer.persisted = *snapshot;
    _consumer->restore(*gp);
    announce(*gp, out);
}

void group_coordinator::set_wakeup(std::function<void(int64_t)> wakeup) {
    _wakeup = std::move(wakeup);
}

void group_coordinator::announce(int64_t deadline_ms) {
    int64_t cur = _armed.load();
    while (deadline_ms < cur) {
        if (_armed.compare_exchange_weak(cur, deadline_ms)) {
            if (_wakeup) _wakeup(deadline_ms);
            return;
        }
    }
}

void group_coordinator::announce(const group& g, pending_callbacks& out) {
    int64_t d = std::min(groups::membership::next_deadline(g), _consumer->next_deadline(g));
    if (d < _armed.load()) out.add([this, d] { announce(d); });
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
    if (gp->type == group_type::consumer) {
        // An empty consumer group becomes a classic one (Kafka 4.0); one
        // with members refuses classic members.
        if (!gp->consumer.members.empty()) return fail(error_code::inconsistent_group_protocol);
        gp->type = group_type::classic;
        gp->consumer = {};
        gp->protocol_type.clear();
        gp->state = group_state::empty;
    }
    _membership->join(*gp, std::move(req), std::move(done), out);
    announce(*gp, out);
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
    announce(*gp, out);
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
    auto errors = _membership->leave(*gp, members, out);
    announce(*gp, out);
    return errors;
}

consumer_heartbeat_result group_coordinator::consumer_heartbeat(
    const consumer_heartbeat_request& req) {
    auto res = _consumer->validate(req);
    if (res.error != error_code::none) return res;
    auto gp = req.member_epoch == 0 ? _registry->find_or_create(req.group_id)
                                    : _registry->find(req.group_id);
    if (!gp) {
        res.error = error_code::unknown_member_id;
        return res;
    }
    std::vector<topic_meta> topics;
    {
        std::lock_guard lk(_topics_mu);
        if (_topics) topics = _topics();
    }
    pending_callbacks out;
    std::lock_guard lk(gp->mu);
    auto before = groups::consumer_membership::signature(*gp, req.member_id);
    res = _consumer->heartbeat(*gp, req, topics);
    if (groups::consumer_membership::signature(*gp, res.member_id) != before) persist_consumer(*gp);
    announce(*gp, out);
    return res;
}

consumer_group_description group_coordinator::describe_consumer_group(const std::string& group_id) {
    consumer_group_description d;
    auto gp = _registry->find(group_id);
    if (gp) {
        std::lock_guard lk(gp->mu);
        if (gp->type == group_type::consumer && gp->state != group_state::dead)
            return _consumer->describe(*gp);
        if (gp->has_members() || gp->state != group_state::empty) {
            d.error = error_code::group_id_not_found;
            d.error_message = "Group " + group_id + " is not a consumer group.";
            return d;
        }
    }
    d.error = error_code::group_id_not_found;
    d.error_message = "Group " + group_id + " not found.";
    return d;
}

void group_coordinator::load_group(const std::string& group_id,
                                   const std::optional<group_snapshot>& snap) {
    auto gp = snap ? _registry->find_or_create(group_id) : _registry->find(group_id);
    if (!gp) return;
    {
        pending_callbacks out;
        std::lock_guard lk(gp->mu);
        _membership->load(*gp, snap);
        announce(*gp, out);
    }
    if (!snap) _registry->drop_if_unused(gp);
}

std::vector<group_listing> group_coordinator::list_groups() {
    std::vector<group_listing> out;
    for (auto& g : _registry->all()) {
        std::lock_guard lk(g->mu);
        if (g->state == group_state::dead) continue;
        bool consumer = g->type == group_type::consumer;
        out.push_back(
            {g->id, g->protocol_type, g->state, g->type,
             consumer ? groups::consumer_membership::state_name(*g) : state_name(g->state)});
    }
    return out;
}

group_description group_coordinator::describe_group(const std::string& group_id) {
    auto gp = _registry->find(group_id);
    if (!gp) return {};
    std::lock_guard lk(gp->mu);
    if (gp->type == group_type::consumer) {
        auto cd = _consumer->describe(*gp);
        group_description d;
        d.state = gp->state;
        d.type = group_type::consumer;
        d.state_name = cd.state_name;
        d.protocol_type = "consumer";
        d.protocol_name = cd.assignor_name;
        for (const auto& m : cd.members)
            d.members.push_back({m.member_id, m.instance_id, m.client_id, m.client_host, {}, {}});
        return d;
    }
    auto d = _membership->describe(*gp);
    d.state_name = state_name(d.state);
    return d;
}

int64_t group_coordinator::tick() {
    _armed.store(k_never);
    if (_expiry_timer->due(_now())) expire_offsets();
    int64_t now = _now();
    int64_t next = _expiry_timer->next_due(now);
    for (auto& g : _registry->all()) {
        pending_callbacks out;
        std::lock_guard lk(g->mu);
        _membership->tick(*g, now, out);
        if (_consumer->tick(*g, now)) persist_consumer(*g);
        next =
            std::min({next, groups::membership::next_deadline(*g), _consumer->next_deadline(*g)});
    }
    announce(next);
    return std::min(next, _armed.load());
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
    if (g.type == group_type::consumer) {
        auto e = _consumer->check_committer(g, req.generation, req.member_id);
        if (e != error_code::none) return set_all(e);
    } else if (!(simple && g.state == group_state::empty)) {
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

error_code group_coordinator::check_fetcher(const std::string& group_id,
                                            const std::optional<std::string>& member_id,
                                            int32_t member_epoch) {
    if (!member_id) return error_code::none;
    auto gp = _registry->find(group_id);
    if (!gp) return error_code::none;
    std::lock_guard lk(gp->mu);
    if (gp->type != group_type::consumer) return error_code::none;
    return _consumer->check_committer(*gp, member_epoch, *member_id);
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
        if (g.type == group_type::consumer) {
            subscribed = _consumer->subscribed_topics(g);
        } else if (g.state != group_state::empty) {
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
        if (gp->state != group_state::empty || gp->has_members())
            return error_code::non_empty_group;
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
    if (check_member && g.type == group_type::consumer) {
        auto e = _consumer->check_committer(g, req.generation, req.member_id);
        if (e != error_code::none) return set_all(e);
    } else if (check_member) {
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
