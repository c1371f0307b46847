#include "sql/serving/replica_set.h"

namespace spate::sql {

sql_result<std::shared_ptr<view_replica>> replica_set::get(const relation_def& view) {
    if (view.upsert_key.empty())
        return make_error(sql_errc::internal_error,
                          "relation " + view.name + " is not an updating view");
    std::lock_guard lock(_mu);
    auto it = _replicas.find(view.name);
    if (it != _replicas.end() && it->second->options().topic == view.topic) return it->second;
    replica_options o;
    o.kafka = _kafka;
    o.view = view.name;
    o.topic = view.topic;
    for (int k : view.upsert_key)
        o.key_columns.push_back(view.columns[static_cast<size_t>(k)]);
    auto r = view_replica::start(std::move(o));
    if (!r.ok()) return r.error();
    _replicas[view.name] = r.value();
    return r;
}

void replica_set::drop(const std::string& view) {
    std::shared_ptr<view_replica> r;
    {
        std::lock_guard lock(_mu);
        auto it = _replicas.find(view);
        if (it == _replicas.end()) return;
        r = std::move(it->second);
        _replicas.erase(it);
    }
    r->stop("the view was dropped");
}

void replica_set::stop_all() {
    std::map<std::string, std::shared_ptr<view_replica>> all;
    {
        std::lock_guard lock(_mu);
        all.swap(_replicas);
    }
    for (auto& [name, r] : all)
        r->stop("the server is stopping");
}

}  // namespace spate::sql
