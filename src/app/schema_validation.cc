#include "app/schema_validation.h"

#include "base/assert.h"

namespace spate::app {

registry_schema_validator::registry_schema_validator(std::shared_ptr<registry::service> registry)
    : _registry(std::move(registry)) {
    SPATE_ASSERT(_registry);
}

bool registry_schema_validator::id_exists(int32_t id) {
    return _registry->id_exists(registry::schema_id(id));
}

bool registry_schema_validator::id_registered_under(int32_t id, std::string_view subject) {
    return _registry->id_registered_under(registry::schema_id(id), subject);
}

std::optional<std::string> registry_schema_validator::record_name_of(int32_t id) {
    return _registry->record_name_of(registry::schema_id(id));
}

schema_validation_service::schema_validation_service(broker::schema_validator_slot& slot,
                                                     registry_source source)
    : _slot(slot), _source(std::move(source)) {}

status schema_validation_service::start(net::runtime&) {
    auto registry = _source();
    SPATE_ASSERT_MSG(registry, "schema validation started before the schema registry");
    _slot.set(std::make_shared<registry_schema_validator>(std::move(registry)));
    return {};
}

void schema_validation_service::stop() {
    _slot.set(nullptr);
}

}  // namespace spate::app
