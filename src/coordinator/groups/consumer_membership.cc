// consumer_membership: heartbeats (join, leave, static members, fencing),
// offset commit checks and description. Targets, reconciliation and
// deadlines are in consumer_reconcile.cc.

#include "coordinator/groups/consumer_membership.h"

#include <algorithm>
#include <random>

#include <re2/re2.h>

#include "coordinator/groups/assignor.h"

namespace spate::coordinator::groups {

namespace {

consumer_heartbeat_result failure(error_code e, std::string message = {}) {
    consumer_heartbeat_result r;
    r.error = e;
    r.error_message = std::move(message);
    return r;
}

}  // namespace

consumer_membership::consumer_membership(options opts, clock_fn now_ms)
    : _opts(opts), _now(std::move(now_ms)) {}

std::string consumer_membership::new_member_id() {
    // 22 characters of URL-safe base64 over 128 random bits, like Kafka's ids.
    static thread_local std::mt19937_64 rng(std::random_device{}());
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint64_t a = rng(), b = rng();
    std::string id;
    for (int i = 0; i < 22; ++i) {
        id.push_back(k_alphabet[a & 63]);
        a = (a >> 6) | (b << 58);
        b >>= 6;
    }
    return id;
}

consumer_heartbeat_result consumer_membership::validate(
    const consumer_heartbeat_request& req) const {
    if (req.group_id.empty())
        return failure(error_code::invalid_request, "GroupId can't be empty.");
    if (req.member_epoch < -2)
        return failure(error_code::invalid_request, "MemberEpoch is invalid.");
    if (req.member_epoch == 0) {
        if (req.rebalance_timeout_ms < 0)
            return failure(error_code::invalid_request,
                           "RebalanceTimeoutMs must be provided in first request.");
        if (!req.subscribed_topic_names && !req.subscribed_topic_regex)
            return failure(error_code::invalid_request,
                           "SubscribedTopicNames or SubscribedTopicRegex must be set in first "
                           "request.");
    } else if (req.member_id.empty()) {
        return failure(error_code::invalid_request, "MemberId can't be empty.");
    }
    if (req.server_assignor && !req.server_assignor->empty() &&
        !known_assignor(*req.server_assignor))
        return failure(error_code::unsupported_assignor,
                       "ServerAssignor " + *req.server_assignor + " is not supported.");
    if (req.subscribed_topic_regex && !req.subscribed_topic_regex->empty()) {
        RE2 re(*req.subscribed_topic_regex, RE2::Quiet);
        if (!re.ok())
            return failure(error_code::invalid_regular_expression,
                           "SubscribedTopicRegex `" + *req.subscribed_topic_regex +
                               "` is not a valid regular expression: " + re.error());
    }
    return {};
}

void consumer_membership::convert_to_consumer(group& g) {
    g.type = group_type::consumer;
    g.protocol_type = "consumer";
    g.protocol_name.clear();
    g.leader.clear();
    g.state = group_state::empty;
    g.consumer = consumer_group_state{};
}

void consumer_membership::restore(group& g) {
    int64_t deadline = _now() + _opts.session_timeout_ms;
    for (auto& [id, m] : g.consumer.members) {
        m.session_deadline_ms = deadline;
        if (m.state == member_state::unrevoked_partitions)
            m.revocation_deadline_ms = _now() + m.rebalance_timeout_ms;
        if (m.subscribed_regex && !g.consumer.regex_cache.count(*m.subscribed_regex))
            g.consumer.regex_cache[*m.subscribed_regex] =
                std::make_shared<const RE2>(*m.subscribed_regex, RE2::Quiet);
    }
}

consumer_heartbeat_result consumer_membership::heartbeat(group& g,
                                                         const consumer_heartbeat_request& req,
                                                         const std::vector<topic_meta>& topics) {
    if (g.state == group_state::dead) return failure(error_code::coordinator_not_available);
    if (g.type == group_type::classic) {
        if (g.has_members() || g.state != group_state::empty)
            return failure(error_code::group_id_not_found,
                           "Group " + g.id + " is not a consumer group.");
        if (req.member_epoch != 0) return failure(error_code::unknown_member_id);
        convert_to_consumer(g);
    }
    if (req.member_epoch < 0) return leave(g, req);
    auto& cg = g.consumer;
    consumer_heartbeat_result res;
    bool bump = false;
    consumer_member* m = nullptr;
    if (req.member_epoch == 0) {
        m = join(g, req, bump, res);
        if (!m) return res;
    } else {
        auto it = cg.members.find(req.member_id);
        if (it == cg.members.end())
            return failure(error_code::unknown_member_id,
                           "Member " + req.member_id + " is not a member of group " + g.id + ".");
        m = &it->second;
        if (m->static_left) return failure(error_code::fenced_member_epoch);
        if (req.member_epoch != m->epoch) {
            bool lost_response = req.member_epoch == m->previous_epoch && req.owned &&
                                 std::all_of(req.owned->begin(), req.owned->end(), [&](auto& kv) {
                                     auto a = m->assigned.find(kv.first);
                                     if (a == m->assigned.end()) return kv.second.empty();
                                     return std::includes(a->second.begin(), a->second.end(),
                                                          kv.second.begin(), kv.second.end());
                                 });
            if (!lost_response)
                return failure(error_code::fenced_member_epoch,
                               "The member epoch " + std::to_string(req.member_epoch) +
                                   " is fenced; the current epoch is " + std::to_string(m->epoch) +
                                   ".");
        }
    }
    if (update_member(g, *m, req)) bump = true;
    m->session_deadline_ms = _now() + _opts.session_timeout_ms;
    if (refresh_metadata(g, topics)) bump = true;
    if (bump) ++cg.group_epoch;
    if (cg.assignment_epoch < cg.group_epoch) compute_target(g);
    reconcile(g, *m, req.owned);
    res.member_id = m->id;
    res.member_epoch = m->epoch;
    res.heartbeat_interval_ms = _opts.heartbeat_interval_ms;
    res.assignment = m->assigned;
    return res;
}

consumer_member* consumer_membership::join(group& g, const consumer_heartbeat_request& req,
                                           bool& bump, consumer_heartbeat_result& res) {
    auto& cg = g.consumer;
    std::string id = req.member_id.empty() ? new_member_id() : req.member_id;
    if (req.instance_id) {
        auto s = cg.static_members.find(*req.instance_id);
        if (s != cg.static_members.end() && s->second != id) {
            auto old = cg.members.find(s->second);
            if (old != cg.members.end() && !old->second.static_left) {
                res = failure(
                    error_code::unreleased_instance_id,
                    "Static member " + *req.instance_id + " is still active as " + s->second + ".");
                return nullptr;
            }
            if (old != cg.members.end()) {
                // The static member comes back under a new id with its epoch
                // and assignment: no rebalance.
                consumer_member m = std::move(old->second);
                cg.members.erase(old);
                auto t = cg.target.extract(s->second);
                if (!t.empty()) {
                    t.key() = id;
                    cg.target.insert(std::move(t));
                }
                m.id = id;
                m.static_left = false;
                s->second = id;
                return &(cg.members[id] = std::move(m));
            }
        }
    }
    auto it = cg.members.find(id);
    if (it != cg.members.end()) {
        // A rejoin after being fenced (or a retried join): the member holds
        // nothing now and reconciles from scratch.
        consumer_member& m = it->second;
        m.assigned.clear();
        m.revoking.clear();
        m.state = member_state::stable;
        m.previous_epoch = -1;
        m.epoch = 0;
        m.static_left = false;
        return &m;
    }
    consumer_member& m = cg.members[id];
    m.id = id;
    if (req.instance_id) {
        m.instance_id = req.instance_id;
        cg.static_members[*req.instance_id] = id;
    }
    bump = true;
    return &m;
}

bool consumer_membership::update_member(group& g, consumer_member& m,
                                        const consumer_heartbeat_request& req) {
    bool changed = false;
    if (!req.client_id.empty()) m.client_id = req.client_id;
    if (!req.client_host.empty()) m.client_host = req.client_host;
    if (req.rack_id) m.rack_id = req.rack_id;
    if (req.rebalance_timeout_ms >= 0) m.rebalance_timeout_ms = req.rebalance_timeout_ms;
    if (req.subscribed_topic_names) {
        auto names = *req.subscribed_topic_names;
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        if (names != m.subscribed_topics) {
            m.subscribed_topics = std::move(names);
            changed = true;
        }
    }
    if (req.subscribed_topic_regex) {
        std::optional<std::string> re;
        if (!req.subscribed_topic_regex->empty()) re = req.subscribed_topic_regex;
        if (re != m.subscribed_regex) {
            m.subscribed_regex = std::move(re);
            if (m.subscribed_regex && !g.consumer.regex_cache.count(*m.subscribed_regex))
                g.consumer.regex_cache[*m.subscribed_regex] =
                    std::make_shared<const RE2>(*m.subscribed_regex, RE2::Quiet);
            changed = true;
        }
    }
    if (req.server_assignor && *req.server_assignor != m.server_assignor) {
        m.server_assignor = *req.server_assignor;
        changed = true;
    }
    return changed;
}

consumer_heartbeat_result consumer_membership::leave(group& g,
                                                     const consumer_heartbeat_request& req) {
    auto& cg = g.consumer;
    auto it = cg.members.find(req.member_id);
    if (it == cg.members.end())
        return failure(error_code::unknown_member_id,
                       "Member " + req.member_id + " is not a member of group " + g.id + ".");
    consumer_heartbeat_result res;
    res.member_id = req.member_id;
    res.member_epoch = req.member_epoch;
    if (req.member_epoch == -2 && it->second.instance_id) {
        // A static member leaving for a while keeps its partitions until its
        // session ends or its instance id rejoins.
        it->second.static_left = true;
        it->second.session_deadline_ms = _now() + _opts.session_timeout_ms;
        return res;
    }
    res.member_epoch = -1;
    remove(g, req.member_id);
    return res;
}

error_code consumer_membership::check_committer(const group& g, int32_t member_epoch,
                                                const std::string& member_id) const {
    const auto& cg = g.consumer;
    if (member_id.empty() && member_epoch < 0)
        return cg.members.empty() ? error_code::none : error_code::unknown_member_id;
    auto it = cg.members.find(member_id);
    if (it == cg.members.end()) return error_code::unknown_member_id;
    if (member_epoch != it->second.epoch) return error_code::stale_member_epoch;
    return error_code::none;
}

const char* consumer_membership::state_name(const group& g) {
    const auto& cg = g.consumer;
    if (cg.members.empty()) return "Empty";
    if (cg.assignment_epoch < cg.group_epoch) return "Assigning";
    for (const auto& [id, m] : cg.members)
        if (m.epoch != cg.assignment_epoch || m.state != member_state::stable) return "Reconciling";
    return "Stable";
}

consumer_group_description consumer_membership::describe(const group& g) const {
    const auto& cg = g.consumer;
    consumer_group_description d;
    d.state_name = state_name(g);
    d.group_epoch = cg.group_epoch;
    d.assignment_epoch = cg.assignment_epoch;
    d.assignor_name = cg.assignor.empty() ? k_default_assignor : cg.assignor;
    for (const auto& [id, m] : cg.members) {
        auto& md = d.members.emplace_back();
        md.member_id = id;
        md.instance_id = m.instance_id;
        md.rack_id = m.rack_id;
        md.member_epoch = m.epoch;
        md.client_id = m.client_id;
        md.client_host = m.client_host;
        md.subscribed_topic_names = m.subscribed_topics;
        md.subscribed_topic_regex = m.subscribed_regex;
        md.assignment = m.assigned;
        if (auto t = cg.target.find(id); t != cg.target.end()) md.target_assignment = t->second;
    }
    return d;
}

std::set<std::string> consumer_membership::subscribed_topics(const group& g) const {
    std::set<std::string> out;
    for (const auto& [id, m] : g.consumer.members)
        out.insert(m.resolved_topics.begin(), m.resolved_topics.end());
    return out;
}

}  // namespace spate::coordinator::groups
