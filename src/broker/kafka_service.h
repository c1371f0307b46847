#pragma once

// The Kafka service: the Kafka protocol's connection factory on a
// net::listener, and the handler dependencies its connections use (cluster
// view, topic directory, notifier, fetch sessions, coordinators). Starts
// after the storage and coordinator services and stops before them.
//
// Listeners: one net::listener per Kafka listener of the config
// (listeners.h: `listeners`, else the one PLAINTEXT listener `listen`
// describes), each with its security: TLS (SSL, SASL_SSL) from PEM files
// re-read when they change, SASL (SASL_PLAINTEXT, SASL_SSL) against the
// users of __spate_credentials (credential_log.h, replayed at start), and on
// SSL listeners the client certificate's subject mapped by
// ssl.principal.mapping.rules as the principal (a subject no rule maps is
// refused). Metadata, FindCoordinator and DescribeCluster advertise the
// address of the listener the client came in on (`advertised.listeners`,
// else the listener's host and bound port).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/access_control.h"
#include "broker/broker_config.h"
#include "broker/client_quotas.h"
#include "broker/cluster.h"
#include "broker/connection_auth.h"
#include "broker/coordinator_service.h"
#include "broker/credential_log.h"
#include "broker/dynamic_configs.h"
#include "broker/fetch_session.h"
#include "broker/handler.h"
#include "broker/listeners.h"
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

    // Valid after start(). port(): the first listener's.
    uint16_t port() const { return _listeners.front()->port(); }
    struct endpoint {
        std::string name;  // the listener name ("PLAINTEXT", "SASL_SSL", ...)
        security_protocol protocol;
        std::string host;
        uint16_t port;
    };
    std::vector<endpoint> endpoints() const;
    handler_deps& deps() { return *_deps; }
    // Where the app installs Produce's schema validator; valid from
    // construction, so it may be set before or after start().
    schema_validator_slot& schema_validators() { return _schema_validators; }
    // The broker's authorizer and audit log; valid after start().
    access_control& access() { return *_access; }
    size_t connection_count();
    // Users' SCRAM credentials (valid after start()).
    credential_log& credentials() { return *_credentials; }

  private:
    status start_listener(net::runtime& rt, const kafka_listener& l, bool first);

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
    std::optional<io_threads_applier> _io_threads;
    std::optional<dynamic_broker_configs> _dynamic_configs;
    std::unique_ptr<access_control> _access;
    std::optional<handler_deps> _deps;
    std::unique_ptr<credential_log> _credentials;
    std::unique_ptr<client_quotas> _quotas;  // client quotas (__spate_quotas)
    std::vector<std::unique_ptr<listener_security>> _security;
    std::vector<std::unique_ptr<net::listener>> _listeners;
};

// The Kafka protocol as a connection factory: one broker::connection per
// accepted stream, serving `deps` with the per-connection limits of `config`.
net::connection_factory kafka_connection_factory(handler_deps& deps, const broker_config& config);

}  // namespace spate::broker
