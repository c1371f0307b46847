#pragma once

// The Kafka service: the Kafka protocol's connection factory on a
// net::listener, and the handler dependencies its connections use (cluster
// view, topic directory, notifier, fetch sessions, coordinators). Starts
// after the storage and coordinator services and stops before them.
//
// The advertised address (Metadata, FindCoordinator) is `advertised.host` /
// `advertised.port` from the config, else the listener's host and bound port.

#include <memory>
#include <optional>

#include "broker/access_control.h"
#include "broker/broker_config.h"
#include "broker/cluster.h"
#include "broker/coordinator_service.h"
#include "broker/dynamic_configs.h"
#include "broker/fetch_session.h"
#include "broker/handler.h"
#include "broker/live_configs.h"
#include "broker/schema_validator.h"
#include "broker/storage_service.h"
#include "net/listener.h"
#include "net/service.h"

namespace spate::broker {

class kafka_service final : public net::service {
  public:
    // Every reference must outlive the service.
    kafka_service(const broker_config& config, storage_service& storage,
                  coordinator_service& coordinators, net::listener_options listen);
    ~kafka_service() override;

    std::string_view name() const override { return "kafka"; }
    status start(net::runtime& rt) override;
    void stop() override;

    // Valid after start().
    uint16_t port() const { return _listener->port(); }
    handler_deps& deps() { return *_deps; }
    // Where the app installs Produce's schema validator; valid from
    // construction, so it may be set before or after start().
    schema_validator_slot& schema_validators() { return _schema_validators; }
    size_t connection_count() { return _listener->connection_count(); }
    // The broker's authorizer and audit log; valid after start().
    access_control& access() { return *_access; }

  private:
    const broker_config& _config;
    storage_service& _storage;
    coordinator_service& _coordinators;
    net::listener_options _listen;
    std::optional<cluster_view> _cluster;
    std::optional<fetch_session_cache> _sessions;
    schema_validator_slot _schema_validators;
    // Observers of _dynamic_configs (declared first: destroyed after it).
    std::optional<topic_defaults_applier> _topic_defaults;
    std::optional<cleaner_backoff_applier> _cleaner_backoff;
    std::optional<dynamic_broker_configs> _dynamic_configs;
    std::unique_ptr<access_control> _access;
    std::optional<handler_deps> _deps;
    std::optional<net::listener> _listener;
};

// The Kafka protocol as a connection factory: one broker::connection per
// accepted stream, serving `deps` with the per-connection limits of `config`.
net::connection_factory kafka_connection_factory(handler_deps& deps, const broker_config& config);

}  // namespace spate::broker
