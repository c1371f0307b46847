#include "broker/cluster.h"

namespace spate::broker {

cluster_view::cluster_view(broker_config config, std::string cluster_id)
    : _config(std::move(config))
    , _cluster_id(std::move(cluster_id))
    , _advertised_host(_config.advertised_host.empty() ? _config.listen_host
                                                       : _config.advertised_host)
    , _advertised_port(_config.advertised_port ? _config.advertised_port : _config.listen_port) {}

void cluster_view::set_advertised(std::string host, uint16_t port) {
    std::lock_guard lk(_mu);
    _advertised_host = std::move(host);
    _advertised_port = port;
}

std::string cluster_view::advertised_host() const {
    std::lock_guard lk(_mu);
    return _advertised_host;
}

uint16_t cluster_view::advertised_port() const {
    std::lock_guard lk(_mu);
    return _advertised_port;
}

void cluster_view::set_advertised(const std::string& listener, std::string host, uint16_t port) {
    std::lock_guard lk(_mu);
    _by_listener[listener] = {std::move(host), port};
}

std::pair<std::string, uint16_t> cluster_view::advertised_for(const std::string& listener) const {
    std::lock_guard lk(_mu);
    auto it = _by_listener.find(listener);
    if (it != _by_listener.end()) return it->second;
    return {_advertised_host, _advertised_port};
}

}  // namespace spate::broker
