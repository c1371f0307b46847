#pragma once

// The platform `spate serve` runs: the I/O runtime and the ordered services
// (storage, coordinators, the Kafka listener, and whatever else is plugged
// in: a pgwire or HTTP listener, or a test's service), started in order and
// stopped in reverse.
//
// Adding a protocol is adding a listener with its connection factory:
//   p.add_listener({.name = "echo", .flag = "--echo-listen", .port = 0}, factory);
// before start(). Every listener's bound address is printed by endpoints().

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker_config.h"
#include "broker/coordinator_service.h"
#include "broker/kafka_service.h"
#include "broker/storage_service.h"
#include "net/listener.h"
#include "net/runtime.h"
#include "net/service.h"

namespace spate::app {

class platform {
  public:
    // `kafka` unset: no Kafka listener (`--kafka-listen off`). `with_broker`
    // false: no storage, coordinators or Kafka listener at all (the roles
    // above the log run against another cluster: `--bootstrap`).
    platform(broker::broker_config config, std::optional<net::listener_options> kafka,
             bool with_broker = true);
    ~platform();

    // Registers another protocol's listener, started after the built-in
    // services. Call before start().
    net::listener& add_listener(net::listener_options opts, net::connection_factory factory);
    net::service_set& services() { return *_services; }
    const std::vector<net::listener*>& listeners() const { return _listeners; }
    bool has_broker() const { return _storage != nullptr; }
    broker::storage_service& storage() { return *_storage; }  // has_broker() only
    // The local broker's Kafka service (its users, ACLs and audit log, valid
    // once started); nullptr without a Kafka listener.
    broker::kafka_service* kafka() { return _kafka; }
    // Where Produce's schema validator is installed; nullptr without a Kafka
    // listener (nothing produces then).
    broker::schema_validator_slot* schema_validators() {
        return _kafka ? &_kafka->schema_validators() : nullptr;
    }

    // Starts the runtime and every service; on failure everything started is
    // stopped again and the error names the service and, for a listener, its flag.
    status start();
    // "name listener on host:port" for every listener, in start order.
    std::vector<std::string> endpoints() const;
    // The Kafka bootstrap address ("127.0.0.1:9092"); empty when off.
    std::string kafka_bootstrap() const;
    // The address a client in this process dials to reach the Kafka
    // listener (a wildcard listen host becomes loopback); empty when off.
    // `protocol` (a security.protocol name): the first listener of that
    // protocol; empty: the first PLAINTEXT listener, else the first.
    std::string local_kafka_address(const std::string& protocol = {}) const;
    // Stops every service in reverse, then the runtime. Idempotent.
    void stop();

  private:
    broker::broker_config _config;
    net::runtime _rt;
    std::unique_ptr<net::service_set> _services;
    broker::storage_service* _storage = nullptr;
    broker::kafka_service* _kafka = nullptr;
    std::optional<net::listener_options> _kafka_listen;
    std::vector<net::listener*> _listeners;
};

// Lets a caller of serve() (a test binary) plug services into the platform
// before it starts.
using platform_hook = std::function<void(platform&)>;

}  // namespace spate::app
