#pragma once

// Field default values checked against their types (spec "Complex Types:
// Records": a union's default matches its first branch). Internal to avro/.

#include <optional>
#include <string>

#include "registry/avro/avro_schema.h"

namespace spate::registry::avro {

// nullopt when `value` is a valid default for `type`; else what it should
// have been ("a valid int", ...), for messages. A record default may omit the
// fields that have defaults of their own.
std::optional<std::string> default_mismatch(const node* type, const json& value);

}  // namespace spate::registry::avro
