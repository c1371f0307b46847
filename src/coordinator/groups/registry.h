#pragma once

// Every group of the coordinator, by id.
//
// Threading: any thread. The registry's mutex guards only the map and is
// never held while a group's mutex is taken: callers look a group up, then
// lock it.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/groups/group.h"

namespace spate::coordinator::groups {

class registry {
  public:
    std::shared_ptr<group> find(const std::string& id);
    std::shared_ptr<group> find_or_create(const std::string& id);
    // A snapshot of every group, for passes that then lock each group.
    std::vector<std::shared_ptr<group>> all();
    // Marks `gp` dead and removes it when it holds nothing (group::unused);
    // takes gp->mu, then the registry's mutex: call with neither held.
    void drop_if_unused(const std::shared_ptr<group>& gp);
    // Removes `gp` unless another group has replaced it under its id.
    void remove(const std::shared_ptr<group>& gp);

  private:
    std::mutex _mu;  // guards _groups
    std::map<std::string, std::shared_ptr<group>> _groups;
};

}  // namespace spate::coordinator::groups
