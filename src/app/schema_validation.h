#pragma once

// The broker's schema_validator (broker/schema_validator.h) over the schema
// registry: Produce's schema id checks on topics with
// confluent.{key,value}.schema.validation on ask the registry's in-memory
// state (default context) through it. serve() installs one in the Kafka
// service once the registry is open.

#include <memory>

#include "broker/schema_validator.h"
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

}  // namespace spate::app
