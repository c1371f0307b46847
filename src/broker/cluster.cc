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

}  // namespace spate::broker
