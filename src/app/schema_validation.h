#pragma once

// The broker's schema_validator (broker/schema_validator.h) over the schema
// registry: Produce's schema id checks on topics with
// confluent.{key,value}.schema.validation on ask the registry's in-memory
// state (default context) through it. serve() installs one in the Kafka
// service once the registry is open (schema_validation_service).

#include <functional>
#include <memory>

#include "broker/schema_validator.h"
#include "net/service.h"
#include "registry/core/service.h"

namespace spate::app {

// Thread-safe and non-blocking as registry::service's validation lookups
// are; keeps the registry alive while installed.
class registry_schema_validator final : public broker::schema_validator {
  public:
    explicit registry_schema_validator(std::shared_ptr<registry::service> registry);

    bool id_exists(int32_t id) override;
    bool id_registered_under(int32_t id, std::string_view subject) override;
    std::optional<std::string> record_name_of(int32_t id) override;

  private:
    std::shared_ptr<registry::service> _registry;
};

// Keeps a registry_schema_validator installed in the broker's slot while the
// registry runs. Added to the platform after the registry's own service: it
// starts once the registry is open and stops (emptying the slot, so
// validated topics refuse again) before the registry closes.
class schema_validation_service final : public net::service {
  public:
    // The open registry, or nullptr when it is not running.
    using registry_source = std::function<std::shared_ptr<registry::service>()>;

    // `slot` must outlive the service.
    schema_validation_service(broker::schema_validator_slot& slot, registry_source source);

    std::string_view name() const override { return "schema-validation"; }
    // The registry must be open (an invariant: it starts first).
    status start(net::runtime& rt) override;
    void stop() override;

  private:
    broker::schema_validator_slot& _slot;
    registry_source _source;
};

}  // namespace spate::app
