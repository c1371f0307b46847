#include "coordinator/groups/assignor.h"

#include <algorithm>
#include <utility>

#include "base/assert.h"

namespace spate::coordinator::groups {

namespace {

using tp = std::pair<std::string, int32_t>;

std::map<std::string, partition_set> range_assign(
    const std::vector<assignor_member>& members, const std::map<std::string, int32_t>& partitions) {
    std::map<std::string, partition_set> out;
    std::map<std::string, std::vector<std::string>> by_topic;
    for (const auto& m : members) {
        out[m.id];
        for (const auto& t : m.topics)
            by_topic[t].push_back(m.id);
    }
    for (auto& [topic, ids] : by_topic) {
        auto it = partitions.find(topic);
        if (it == partitions.end() || ids.empty()) continue;
        std::sort(ids.begin(), ids.end());
        int32_t n = it->second;
        int32_t m = static_cast<int32_t>(ids.size());
        int32_t next = 0;
        for (int32_t i = 0; i < m; ++i) {
            int32_t count = n / m + (i < n % m ? 1 : 0);
            for (int32_t k = 0; k < count; ++k)
                out[ids[i]][topic].insert(next++);
        }
    }
    return out;
}

// Moves one partition from a member to an eligible one holding at least two
// fewer; false when there is none.
template <typename Eligible>
bool move_one(std::map<std::string, std::set<tp>>& owned, const Eligible& eligible) {
    for (auto& [from, fset] : owned) {
        for (const auto& x : fset) {
            for (auto& [to, tset] : owned) {
                if (to == from || tset.size() + 1 >= fset.size() || !eligible(to, x.first))
                    continue;
                tp moved = x;  // x refers into fset
                fset.erase(moved);
                tset.insert(std::move(moved));
                return true;
            }
        }
    }
    return false;
}

// Sticky balanced assignment over heterogeneous subscriptions: previous
// owners keep what they may, the rest goes to the least loaded eligible
// member, then partitions move from the most to less loaded eligible
// members while that narrows a difference of more than one.
std::map<std::string, partition_set> uniform_assign(
    const std::vector<assignor_member>& members, const std::map<std::string, int32_t>& partitions,
    const std::map<std::string, partition_set>& previous) {
    std::map<std::string, const assignor_member*> by_id;
    std::map<std::string, std::set<tp>> owned;
    for (const auto& m : members) {
        by_id[m.id] = &m;
        owned[m.id];
    }
    auto eligible = [&](const std::string& id, const std::string& topic) {
        return by_id.at(id)->topics.count(topic) > 0;
    };
    std::set<tp> all;
    for (const auto& m : members)
        for (const auto& t : m.topics)
            if (auto it = partitions.find(t); it != partitions.end())
                for (int32_t p = 0; p < it->second; ++p)
                    all.insert({t, p});
    std::set<tp> taken;
    for (const auto& [id, ps] : previous) {
        if (!by_id.count(id)) continue;
        for (const auto& [topic, parts] : ps)
            for (int32_t p : parts)
                if (eligible(id, topic) && all.count({topic, p}) && taken.insert({topic, p}).second)
                    owned[id].insert({topic, p});
    }
    for (const auto& x : all) {
        if (taken.count(x)) continue;
        const std::string* best = nullptr;
        for (const auto& [id, set] : owned)
            if (eligible(id, x.first) && (!best || set.size() < owned[*best].size())) best = &id;
        if (best) owned[*best].insert(x);
    }
    // Balance: each move narrows a difference of two or more, so this ends.
    while (move_one(owned, eligible)) {
    }
    std::map<std::string, partition_set> out;
    for (const auto& [id, set] : owned) {
        auto& ps = out[id];
        for (const auto& [topic, p] : set)
            ps[topic].insert(p);
    }
    return out;
}

}  // namespace

bool known_assignor(const std::string& name) {
    return name == "uniform" || name == "range";
}

std::map<std::string, partition_set> compute_assignment(
    const std::string& name, const std::vector<assignor_member>& members,
    const std::map<std::string, int32_t>& partitions,
    const std::map<std::string, partition_set>& previous) {
    SPATE_ASSERT(known_assignor(name));
    if (name == "range") return range_assign(members, partitions);
    return uniform_assign(members, partitions, previous);
}

}  // namespace spate::coordinator::groups
