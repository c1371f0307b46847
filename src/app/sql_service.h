#pragma once

// The SQL role as a platform service: starts the SQL engine (catalog load,
// continuous queries resumed) once the Kafka cluster it uses is reachable,
// and stops it (queries abort their open transactions) before the broker
// stops. Front ends (pgwire) get sessions through `sessions()`, which stays
// valid for the service's life and fails while the engine is not running.
//
// The engine's schema registry (formats avro, protobuf, json_sr) is the one
// `registry` yields at start() (the app's registry service, started
// before); without one those formats are refused.

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "net/service.h"
#include "registry/core/service.h"
#include "sql/engine/engine.h"
#include "sql/engine/session.h"

namespace spate::app {

class sql_service final : public net::service {
  public:
    // `bootstrap` and `registry` are called at start() (a local listener's
    // port is known by then).
    // `state_dir`: where stateful queries keep their local state (empty:
    // a fresh temporary directory, removed at stop).
    // `client_properties`: Kafka client properties of the engine's clients
    // (spate.sql.kafka.*: security.protocol, SASL, TLS). `access`: the
    // engine's access policy (null: no checks).
    sql_service(std::function<std::string()> bootstrap, std::string node_id,
                std::function<std::shared_ptr<registry::service>()> registry = {},
                std::string state_dir = {}, kafka::client::property_list client_properties = {},
                std::shared_ptr<sql::access_policy> access = {});
    ~sql_service() override;

    std::string_view name() const override { return "sql"; }
    status start(net::runtime& rt) override;
    void stop() override;

    std::shared_ptr<sql::session_factory> sessions() const { return _sessions; }

  private:
    class forwarder;

    std::function<std::string()> _bootstrap;
    std::string _node_id;
    std::function<std::shared_ptr<registry::service>()> _registry;
    std::string _state_dir;
    kafka::client::property_list _client_properties;
    std::shared_ptr<sql::access_policy> _access;
    std::string _temp_state_dir;  // created by start(), removed by stop()
    std::shared_ptr<forwarder> _forward;
    std::shared_ptr<sql::session_factory> _sessions;
};

}  // namespace spate::app
