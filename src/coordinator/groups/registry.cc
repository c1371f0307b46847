#include "coordinator/groups/registry.h"

namespace spate::coordinator::groups {

std::shared_ptr<group> registry::find(const std::string& id) {
    std::lock_guard lk(_mu);
    auto it = _groups.find(id);
    return it == _groups.end() ? nullptr : it->second;
}

std::shared_ptr<group> registry::find_or_create(const std::string& id) {
    std::lock_guard lk(_mu);
    auto& g = _groups[id];
    if (!g) {
        g = std::make_shared<group>();
        g->id = id;
    }
    return g;
}

std::vector<std::shared_ptr<group>> registry::all() {
    std::lock_guard lk(_mu);
    std::vector<std::shared_ptr<group>> out;
    out.reserve(_groups.size());
    for (auto& [id, g] : _groups)
        out.push_back(g);
    return out;
}

void registry::drop_if_unused(const std::shared_ptr<group>& gp) {
    {
        std::lock_guard lk(gp->mu);
        if (!gp->unused()) return;
        gp->state = group_state::dead;
    }
    remove(gp);
}

void registry::remove(const std::shared_ptr<group>& gp) {
    std::lock_guard lk(_mu);
    auto it = _groups.find(gp->id);
    if (it != _groups.end() && it->second == gp) _groups.erase(it);
}

}  // namespace spate::coordinator::groups
