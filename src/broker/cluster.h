#pragma once

// What handlers know of the cluster: this node's id and configuration, the
// cluster id and the address clients are told to use (Metadata,
// DescribeCluster, FindCoordinator).
//
// Threading: every method is safe from any thread.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "broker/broker_config.h"

namespace spate::broker {

class cluster_view {
  public:
    cluster_view(broker_config config, std::string cluster_id);

    const broker_config& config() const { return _config; }
    int32_t node_id() const { return _config.node_id; }
    const std::string& cluster_id() const { return _cluster_id; }

    // The Kafka listener's address as clients must use it; set once the
    // listener has bound (its port may have been chosen by the system).
    void set_advertised(std::string host, uint16_t port);
    std::string advertised_host() const;
    uint16_t advertised_port() const;
    // Per listener name: what clients that came in on `listener` are told
    // (Metadata, FindCoordinator, DescribeCluster); a name never set gets
    // the address above (the first listener's).
    void set_advertised(const std::string& listener, std::string host, uint16_t port);
    std::pair<std::string, uint16_t> advertised_for(const std::string& listener) const;

  private:
    const broker_config _config;
    const std::string _cluster_id;
    mutable std::mutex _mu;  // guards the advertised address
    std::string _advertised_host;
    uint16_t _advertised_port = 0;
    std::map<std::string, std::pair<std::string, uint16_t>> _by_listener;
};

}  // namespace spate::broker
