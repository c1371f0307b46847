#pragma once

// The schema registry as a platform service: opens the registry over the
// `_schemas` topic of the Kafka cluster it uses (registry::open_store, once
// that cluster is reachable: started after the Kafka listener) and drops it
// at stop. Front ends (the HTTP routes) ask `source()` per request; it
// answers nullptr while the registry is not running.

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "http/registry_api.h"
#include "net/service.h"
#include "registry/core/service.h"

namespace spate::app {

class registry_service final : public net::service {
  public:
    // `bootstrap` is called at start() (a local listener's port is known by then).
    registry_service(std::function<std::string()> bootstrap, std::string node_name);
    ~registry_service() override;

    std::string_view name() const override { return "registry"; }
    status start(net::runtime& rt) override;
    void stop() override;

    // Valid for the service's life; thread-safe.
    http::registry_source source();

  private:
    std::function<std::string()> _bootstrap;
    std::string _node_name;
    struct slot {
        std::mutex mu;
        std::shared_ptr<registry::service> svc;  // guarded by mu
    };
    std::shared_ptr<slot> _slot = std::make_shared<slot>();
};

}  // namespace spate::app
