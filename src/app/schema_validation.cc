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

}  // namespace spate::app
