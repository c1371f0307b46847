#include "broker/kafka_service.h"

#include "broker/connection.h"

namespace spate::broker {

kafka_service::kafka_service(const broker_config& config, storage_service& storage,
                             coordinator_service& coordinators, net::listener_options listen)
    : _config(config), _storage(storage), _coordinators(coordinators), _listen(std::move(listen)) {}

kafka_service::~kafka_service() = default;

status kafka_service::start(net::runtime& rt) {
    _cluster.emplace(_config, _storage.cluster_id());
    _sessions.emplace(static_cast<size_t>(_config.max_fetch_sessions));
    auto dynamic = dynamic_broker_configs::load(_config.data_dir);
    if (!dynamic.ok()) return dynamic.err();
    _dynamic_configs.emplace(std::move(*dynamic));
    auto access = access_control::open(_config.authz, _storage.logs());
    if (!access.ok()) return access.err();
    _access = std::move(*access);
    _storage.topics().mark_internal(k_acls_topic);
    _dynamic_configs->set_static(_config);
    _topic_defaults.emplace(_storage.logs());
    _cleaner_backoff.emplace(_storage.logs());
    _dynamic_configs->add_observer(&*_topic_defaults);
    _dynamic_configs->add_observer(&*_cleaner_backoff);
    auto* coordinators = &_coordinators;
    _deps.emplace(handler_deps{
        .cluster = *_cluster,
        .topics = _storage.topics(),
        .appends = _storage.appends(),
        .fetch_sessions = *_sessions,
        .groups = _coordinators.groups(),
        .txns = _coordinators.transactions(),
        .transaction_log = [coordinators] { return coordinators->transaction_log(); },
        .schema_validators = _schema_validators,
        .dynamic_configs = *_dynamic_configs,
        .access = *_access,
    });
    _listener.emplace(_listen, kafka_connection_factory(*_deps, _config));
    SPATE_TRY(_listener->start(rt));
    _cluster->set_advertised(
        _config.advertised_host.empty() ? _listen.host : _config.advertised_host,
        _config.advertised_port ? _config.advertised_port : _listener->port());
    return {};
}

void kafka_service::stop() {
    _listener->stop();
}

net::connection_factory kafka_connection_factory(handler_deps& deps, const broker_config& config) {
    return [&deps, &config](net::stream s,
                            net::connection_info info) -> std::shared_ptr<net::connection> {
        return std::make_shared<connection>(deps, config, std::move(s), std::move(info));
    };
}

}  // namespace spate::broker
