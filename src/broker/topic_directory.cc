#include "broker/topic_directory.h"

#include "broker/broker_config.h"

namespace spate::broker {

topic_directory::topic_directory(storage::log_manager& logs, const broker_config& config)
    : _logs(logs), _config(config) {}

std::optional<storage::topic_info> topic_directory::describe(const std::string& name) const {
    return _logs.describe(name);
}

std::optional<storage::topic_info> topic_directory::find_by_id(
    const kafka::protocol::uuid& id) const {
    for (auto& t : _logs.list_topics())
        if (to_uuid(t.id) == id) return t;
    return std::nullopt;
}

std::vector<storage::topic_info> topic_directory::list_topics() const {
    return _logs.list_topics();
}

std::shared_ptr<storage::log> topic_directory::get(const std::string& topic,
                                                   int32_t partition) const {
    return _logs.get(topic, partition);
}

storage::config_map topic_directory::broker_defaults() const {
    return _logs.broker_defaults();
}

result<std::optional<storage::topic_info>> topic_directory::find_or_create(const std::string& name,
                                                                           bool allow_create) {
    using out = std::optional<storage::topic_info>;
    if (auto t = _logs.describe(name)) return out(std::move(*t));
    if (!allow_create || !_config.auto_create_topics || is_internal(name)) return out();
    auto created = _logs.create_topic(name, _config.num_partitions, {});
    if (!created.ok()) {
        // Lost a race with another creator: fine, use theirs.
        if (created.err().code == errc::already_exists) {
            if (auto t = _logs.describe(name)) return out(std::move(*t));
        }
        return created.err();
    }
    return out(std::move(*created));
}

result<storage::topic_info> topic_directory::create_topic(const std::string& name,
                                                          int32_t partitions,
                                                          const storage::config_map& overrides) {
    return _logs.create_topic(name, partitions, overrides);
}

status topic_directory::create_partitions(const std::string& name, int32_t total) {
    return _logs.create_partitions(name, total);
}

status topic_directory::set_topic_config(const std::string& name,
                                         const storage::config_map& overrides) {
    return _logs.set_topic_config(name, overrides);
}

status topic_directory::delete_topic(const std::string& name) {
    SPATE_TRY(_logs.delete_topic(name));
    for (const auto& observer : _deleted_observers)
        observer(name);
    return {};
}

void topic_directory::on_topic_deleted(std::function<void(const std::string&)> observer) {
    _deleted_observers.push_back(std::move(observer));
}

void topic_directory::mark_internal(std::string name) {
    _internal.insert(std::move(name));
}

bool topic_directory::is_internal(const std::string& name) const {
    return _internal.count(name) != 0;
}

kafka::protocol::uuid to_uuid(const storage::topic_id& id) {
    kafka::protocol::uuid u;
    for (int i = 0; i < 8; ++i) {
        u.hi = (u.hi << 8) | id[i];
        u.lo = (u.lo << 8) | id[8 + i];
    }
    return u;
}

}  // namespace spate::broker
